"""Suffix rules of `lrx.morphology.english` (see its docstring): the lemma candidates of a regular English
-s, -ed or -ing form, best first, and the spelling heuristics behind them (doubled consonants, a dropped `e`,
-ies/-ied/-ying, prefixes, syllables)."""

from __future__ import annotations

_VOWELS = frozenset("aeiou")
_KEEP_DOUBLE = frozenset("lsfz")  # call, pass, stuff, buzz: the lemma itself ends in the double letter
_IE_NOUNS = frozenset(
    "movie cookie calorie zombie hippie brownie rookie selfie auntie prairie genie goalie smoothie sweetie"
    " birdie newbie eerie".split()
)


# -- the -s rules ----------------------------------------------------------------------------------------------


def _s_stem_ok(word: str) -> bool:
    """An -s word the rules may analyse: not -ss/-us/-is, and a lemma of at least three letters."""
    return len(word) >= 4 and not word.endswith(("ss", "us", "is", "'s"))


def _es_candidates(word: str) -> list[str]:
    """Lemma candidates for `word` ending in -s, shared by nouns and verbs (best first)."""
    if not _s_stem_ok(word):
        return []
    if word.endswith("ies"):
        stem = word[:-3]
        y_form, ie_form = stem + "y", stem + "ie"
        if _ie_stem(stem) or ie_form in _IE_NOUNS:
            return [ie_form, y_form]
        return [y_form, ie_form]
    if word.endswith("es"):
        base = word[:-2]  # strip -es
        whole = word[:-1]  # strip -s
        if base.endswith(("ss", "x", "ch", "sh", "zz")):
            if base.endswith("ach") and len(base) >= 4 and base[-4] not in _VOWELS:
                return [whole, base]  # aches, headaches
            return [base, whole]
        if base.endswith("us"):
            before = base[-3:-2]
            if before in ("t", "n", "p", "g", "l", "s", "r") and len(base) >= 4:
                return [base, whole]  # statuses, bonuses, campuses, viruses
            return [whole, base]  # causes, uses, refuses
        if base.endswith("o"):
            stem = base[:-1]
            if len(stem) <= 2 and stem not in ("g", "d"):
                return [whole, base]  # shoes, toes, foes
            return [base, whole]  # heroes, potatoes, goes
        if base.endswith("z"):
            return [whole, base] if _is_vowel(base, len(base) - 2) else [base, whole]  # sizes, analyzes; waltzes
        if base.endswith(("ias", "gas")):
            return [base, whole]  # biases, aliases, gases
        if base.endswith("v"):
            stem = base[:-1]
            return [whole, stem + "f", stem + "fe"]  # gloves, waves (wolves and knives are in the list)
        return [whole]
    return [word[:-1]]


def _plural_candidates(word: str) -> list[str]:
    return _es_candidates(word)


def _third_person_candidates(word: str) -> list[str]:
    if word.endswith("ves"):
        return [word[:-1]]  # moves, lives, solves
    return _es_candidates(word)


# -- the -ed and -ing rules ------------------------------------------------------------------------------------


def _past_candidates(word: str) -> list[str]:
    if len(word) < 4:
        return []
    if word.endswith("ied"):
        stem = word[:-3]
        if _ie_stem(stem):
            return [stem + "ie"]  # died, lied, tied
        return [stem + "y"]  # cried, studied
    stem = word[:-2]
    if not _has_vowel(stem):
        return []
    if stem.endswith("e"):  # agreed; not need, speed, freed (too short) nor proceed, exceed (-ceed)
        if len(stem) < 4 or stem.endswith("ce"):
            return []
        return [stem + "e"]
    if stem[-1] == "o" and stem[-2] not in _VOWELS and (stem.endswith("sho") or _syllables(_strip_prefixes(stem)) <= 1):
        return [stem + "e", stem]  # shoed, hoed, toed
    if stem[-1] in "aoi":  # echoed, vetoed, skied
        return [stem]
    return _vowel_suffix_stems(stem)


def _gerund_candidates(word: str) -> list[str]:
    if len(word) < 5:
        return []
    if word.endswith("ying"):
        stem = word[:-4]
        if _ie_stem(stem):
            return [stem + "ie"]  # dying, lying, tying
        return [stem + "y"]  # crying, playing
    stem = word[:-3]
    if len(stem) < 2 or not _has_vowel(stem):
        return []
    if stem[-1] == "u":  # continuing, arguing: the lemma's e was dropped
        return [stem + "e", stem]
    if stem[-1] in _VOWELS:  # seeing, agreeing, echoing, skiing: the lemma is the stem
        return [stem]
    return _vowel_suffix_stems(stem)


def _ie_stem(stem: str) -> bool:
    """Whether X in X+ied/ies/ying is a lemma X+ie (died, lies, tying, belied, untied) rather than X+y."""
    return len(stem) == 1 or (len(stem) == 3 and stem.startswith(("be", "un")))


def _has_vowel(text: str) -> bool:
    return any(c in _VOWELS or (c == "y" and i) for i, c in enumerate(text))


def _vowel_suffix_stems(stem: str) -> list[str]:
    """Lemma candidates for a stem left by a vowel-initial suffix (-ed, -ing): the stem itself, the stem with
    a doubled consonant undone, or the stem + e (best first)."""
    last = stem[-1]
    if len(stem) >= 3 and last == stem[-2] and last not in _VOWELS and last not in "wxy":
        single = stem[:-1]
        if last == "l":
            return [single, stem] if _single_l(stem, single) else [stem, single]
        if last == "s" and (stem.endswith("gass") or (stem.endswith("uss") and _syllables(_strip_prefixes(stem)) >= 2)):
            return [single, stem]  # gassed, focussed (but discussed)
        if last in _KEEP_DOUBLE or len(stem) <= 3 or _strip_prefixes(stem) in _SHORT_DOUBLES or stem.endswith("cott"):
            return [stem, single]  # passed, stuffed, buzzed, added, readded, boycotted
        return [single, stem]  # stopped, planned, admitted
    if stem.endswith("ck") and stem[:-1].endswith(_IC_LEMMAS):
        return [stem[:-1], stem]  # panicked, picnicked (but kicked, handpicked)
    if _needs_e(stem):
        return [stem + "e", stem]
    return [stem, stem + "e"]


_SHORT_DOUBLES = frozenset(("add", "egg", "err", "ebb", "inn", "odd"))
_IC_LEMMAS = ("panic", "mimic", "frolic", "traffic", "picnic", "politic", "bivouac", "shellac", "physic", "havoc")
# -ell stems whose lemma keeps ll (the rest of -elled is travel, cancel, label, compel, counsel, jewel, ...): these
# words at the end of any stem (fingerspelled, foretelling), these as the whole root (resold, upselling)
_ELL_WORDS = ("tell", "yell", "spell", "shell", "smell", "swell", "dwell", "quell", "knell")
_ELL_ROOTS = frozenset(("sell", "well", "bell", "cell", "fell", "jell", "mell"))
# -al/-il/-ol/-ul lemmas that double their l (UK spelling, or a stressed last syllable); other -all, -ill, -oll,
# -ull stems keep ll (called, installed, fulfilled, rolled, pulled, eyeballed)
_SINGLE_L_LEMMAS = (
    "signal",
    "total",
    "dial",
    "trial",
    "equal",
    "rival",
    "marshal",
    "pedal",
    "initial",
    "spiral",
    "medal",
    "metal",
    "victual",
    "pencil",
    "stencil",
    "devil",
    "cavil",
    "peril",
    "fulfil",
    "distil",
    "instil",
    "control",
    "patrol",
    "enrol",
    "extol",
    "carol",
    "symbol",
    "pistol",
    "gambol",
    "frivol",
    "annul",
)


def _single_l(stem: str, single: str) -> bool:
    """For a stem in -ll: is the lemma the single-l form?"""
    if single.endswith("el"):
        return not (stem.endswith(_ELL_WORDS) or _strip_prefixes(stem) in _ELL_ROOTS)
    return single.endswith(_SINGLE_L_LEMMAS)


_PREFIXES = (
    "counter",
    "inter",
    "super",
    "trans",
    "under",
    "over",
    "fore",
    "with",
    "dis",
    "mis",
    "pre",
    "out",
    "non",
    "sub",
    "con",
    "com",
    "re",
    "pro",
    "un",
    "de",
    "in",
    "im",
    "en",
    "em",
    "up",
    "be",
    "ex",
)
_SINGLE_L_ROOTS = frozenset(("pel", "cel", "bel", "trol", "rol", "pul", "vel", "tol"))


def _strip_prefixes(text: str) -> str:
    """`text` without common verb prefixes (re-, un-, over-, ...), as long as a root of three or more letters
    with a vowel remains: restone -> stone, unimpale -> pale, invite -> vite; open, exit stay."""
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            rest = text[len(prefix) :]
            if text.startswith(prefix) and len(rest) >= 3 and _has_vowel(rest) and not rest.startswith("ck"):
                text = rest
                changed = True
                break
    return text


def _is_vowel(text: str, i: int) -> bool:
    c = text[i]
    return c in _VOWELS or (c == "y" and i > 0 and not _is_vowel(text, i - 1))


def _syllables(text: str) -> int:
    """Vowel groups (y a vowel after a consonant), `qu` counted as a consonant."""
    text = text.replace("qu", "q")
    groups = 0
    previous = False
    for i in range(len(text)):
        vowel = _is_vowel(text, i)
        if vowel and not previous:
            groups += 1
        previous = vowel
    return groups


# Endings of longer stems (two or more syllables after prefixes, vowel + consonant) that take an e: created,
# computed, decided, provided, included, eroded, required, measured, scheduled, determined, escaped, described,
# provoked; the rest do not: visited, piloted, opened, offered, traveled, developed, questioned, symboled.
# (The common prefixed verbs, promoted, compiled, consoled, assumed, compared, are one-syllable roots.)
_POLY_E_ENDINGS = ("at", "ut", "ad", "ed", "id", "od", "ud", "ir", "ur", "ul", "in", "ap", "ib", "ok", "uk")
_POLY_E_SPECIAL = (
    "plet",
    "delet",
    "compet",
    "xcret",
    "unit",
    "ignit",
    "gnor",
    "ador",
    "terfer",
    "dher",
    "oher",
    "nher",
    "persever",
    "tpon",
    "aton",
    "exil",
)
# prefix + root look-alikes that take no e: profited, debited, exited, interpreted, combated
_NO_E = ("profit", "debit", "exit", "interpret", "combat")
# one-syllable roots that end compounds and take an e: stereotyped, telescoped, microphoned, undertaking
_E_ROOTS = (
    "typ",
    "scop",
    "ophon",
    "aphon",
    "ephon",
    "ston",
    "nam",
    "fram",
    "writ",
    "strik",
    "bik",
    "hik",
    "pik",
    "tak",
    "mak",
    "shak",
    "sak",
    "wak",
    "bak",
    "tun",
    "plan",
    "scal",
    "shor",
    "scor",
    "phor",
    "shar",
    "spher",
    "com",
    "not",
    "qot",
    "pil",
    "guil",
    "mobil",
    "hol",
    "jol",
    "pol",
    "sum",
    "fum",
    "stum",
    "pip",
    "wip",
    "rak",
    "flak",
    "cak",
    "qak",
)
# -us endings of nouns used as verbs (focus, caucus, circus, rebus, bonus, campus, census, fungus, stimulus,
# chorus, status)
_US_NOUNS = ("ocus", "ucus", "rcus", "ebus", "nus", "pus", "sus", "gus", "lus", "rus", "tus")
# stems in -th that lost an e: bathed, breathed, soothed (but mouthed, smoothed, frothed)
_THE_VERBS = (
    "bath",
    "breath",
    "sooth",
    "cloth",
    "loath",
    "seeth",
    "teeth",
    "sheath",
    "wreath",
    "writh",
    "scyth",
    "tith",
    "swath",
    "scath",
    "lath",
)


def _needs_e(stem: str) -> bool:
    """Whether a stem left by -ed/-ing lost a final e (see the module docstring)."""
    if stem[-1] in "uvc":
        return True  # continued, argued, moved, danced
    text = stem.replace("qu", "q")
    last = text[-1]
    n = len(text)
    before_vowel = n >= 2 and _is_vowel(text, n - 2)
    if last in "wxy":
        return text in ("ow", "aw")  # owed, awed; showed, fixed, played
    if last == "s":
        if text.endswith("us") and len(text) >= 3 and not _is_vowel(text, n - 3):
            # used, abused, accused, amused, refused, misused, perused; focused, bonused, censused, bused
            if text.endswith(("abus", "perus")):
                return True
            return not (text == "bus" or text.endswith(_US_NOUNS))
        return not text.endswith("ias")  # based, sensed, collapsed; biased
    if last == "z":
        return before_vowel  # realized; waltzed
    if last == "h":
        if text.endswith("th"):
            return text.endswith(_THE_VERBS)
        # ached, cached, bellyached; reached, attached, wished
        return text.endswith("ach") and (n == 3 or text[-4] in "cy")
    if last == "g":
        before = text[-2] if n >= 2 else ""
        if before in ("d", "l", "r"):
            return True  # judged, bulged, charged
        if before == "n":
            if text.endswith("ang"):
                return text.endswith(("chang", "rang"))  # changed, arranged; banged, hanged
            if text.endswith("ong"):
                return False  # belonged
            if text.endswith("ung"):
                return True  # plunged, lunged
            return _syllables(_strip_prefixes(text)) >= 2  # challenged; outwinged, unclinged
        if before_vowel:
            return not text.endswith("og")  # managed, obliged; cataloged
        return False
    if not before_vowel:
        # consonant + l/r needs an e (handled, centred), except rl, wl (curled, howled); other clusters do not
        before = text[-2] if n >= 2 else ""
        return (last == "l" and before not in ("r", "l", "w")) or (last == "r" and before != "r")
    # a vowel before the last consonant
    if text.endswith(_E_ROOTS):
        return True
    if n >= 3 and _is_vowel(text, n - 3):
        # a digraph (failed, treated, looked): no e, except -iate/-uate verbs, create, delineate, permeate
        if text.endswith(("iat", "uat", "creat", "suad", "guid")):
            return True
        return text.endswith("eat") and n >= 5 and text[-4] in "nlmd" and _has_vowel(text[:-4])
    if text.endswith(_NO_E):
        return False
    if text.endswith(_POLY_E_SPECIAL):
        return True
    if text.endswith("er"):
        return False  # entered, covered; the -ere verbs are special endings
    if _syllables(_strip_prefixes(text)) <= 1:
        return True  # hoped, liked, restoned, intoned: a stressed one-syllable root would have doubled
    return text.endswith(_POLY_E_ENDINGS)
