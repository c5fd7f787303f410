"""English analysis: an inflected English word -> (lemma, UniMorph feature bundle), for inflecting translations.

`EnglishAnalyzer.analyse("cities")` -> `[EnglishAnalysis("city", "N;PL", "rule"), EnglishAnalysis("city",
"V;SG;3;PRS", "rule")]`: the readings of one word, best first. Feature strings are canonical UniMorph strings
(`lrx.morphology.features`: `V;SG;3;PRS` for the file's `V;3;SG;PRS`), equal to `str()` of the table's bundles.

Sources, in the order readings are listed:

1. `unimorph`: the UniMorph English table (`eng`, verbs only: V;NFIN, V;PST, V;V.PTCP;PST, V;V.PTCP;PRS,
   V;SG;3;PRS for ~23k lemmas), when the analyser has it. It knows the irregular verbs (`went` -> go V;PST,
   `taken` -> take V;V.PTCP;PST). The table is Wiktionary-derived and noisy (`went` is also listed under the
   archaic `gan`, `wend` and `ween`), so a form's table readings are ordered: lemmas `known` first (when a
   `known` callback is given), then lemmas of a built-in list of common irregular verbs, then by the form's
   position in its cell (a lemma's main form before its variants), then V;PST, V;SG;3;PRS, V;V.PTCP;PRS,
   V;V.PTCP;PST.
2. `rule` (built-in lists): forms of `be` (the table has none but `been`: is/am/are/was/were/being), irregular
   noun plurals (men, children, feet, mice, people -> person, wolves -> wolf, knives -> knife, criteria, ...)
   and irregular comparatives (better/best -> good, worse/worst -> bad).
3. `rule` (suffix rules) for regular forms:

   * `-s` -> N;PL and V;SG;3;PRS (both: English cannot tell them apart in isolation). N;PL comes first unless
     the table knows the word as a verb form, in which case the table's V;SG;3;PRS is listed first (rule 1).
     The table knows many nouns as verbs (dogs, books, rooms); `plural_first=True` puts N;PL first always.
     Spelling: boxes/wishes/watches -> -es, cities -> city (pies -> pie: one letter before `ies`), shoes/toes
     -> -oe, wolves-type -ves -> -ve by default (gloves, waves), -f/-fe only from the list or `known`.
   * `-ed` -> V;PST and V;V.PTCP;PST; `-ing` -> V;V.PTCP;PRS. Spelling: cried -> cry, died -> die, stopped ->
     stop (a doubled consonant is undone, but not in ll/ss/ff/zz or short stems: called, passed, added),
     hoped -> hope (English doubles the consonant of a stressed short syllable, so a single consonant after
     a single vowel in a one-syllable stem means a dropped `e`), plus ending-by-ending rules for longer stems
     (created -> create, visited -> visit, decided -> decide, opened -> open, continued -> continue).
   * `-er` / `-est` -> ADJ;CMPR / ADJ;SPRL, only for stems in a list of common gradable adjectives (extend it
     with `adjectives=`): most English words in -er are nouns (teacher, water, number), and nothing in a
     word tells them apart.

   When the table already analyses the word as a verb form, the verb rules are not applied (their answer is
   the table's, or a worse guess); the noun and adjective rules still are.
4. `lemma`: the word is itself the citation form of a table verb (`walk` -> walk V;NFIN). Listed last, and
   only for words the table knows: a word the rules do not analyse and the table does not list yields
   nothing at all. `[]` therefore means "translate the word as it is"; so does a first reading with source
   `lemma` (`EnglishAnalysis.inflected` is False). Words that are both (put: V;NFIN and V;PST) get both, the
   inflected readings first.

Deciding between candidate lemmas of a rule (hoped: hope or hop; leaves: leaf or leave): `known(lemma)` (e.g.
"is this English word in my lexicon?") puts known candidates first and drops the unknown ones; when no
candidate is known, the spelling heuristics' best one is kept, except that a word that is itself known (or a
table lemma) gets no rule reading from unknown candidates (need -/-> nee V;PST, sibling -/-> sible). Without
`known`, the table's lemma list plays its part (when there is a table), else the heuristics alone decide.
Each rule contributes one lemma per bundle.

Guards against false analyses: a list of function words and invariant words in -s/-ed/-ing/-er (this, his,
news, series, species, physics, during, nothing, hundred, indeed, ...) gets no analysis from any source; -s
rules skip -ss, -us and -is endings (glass, bus, basis) and need a lemma of at least three letters; is, was,
has, does, goes get their verb readings only; -ed/-ing rules need a stem with a vowel (red, bring, thing:
nothing), and -eed a stem of three letters before it (agreed, but not need, speed, breed).

Measured on the real table (rules only, the table hidden: `EnglishAnalyzer(None)`): the rules recover lemma
and bundle of 96.9% of the table's 85k regular forms (form = lemma + -s/-es/-ies, -ed/-d/-ied or doubled
consonant + -ed, -ing, ...), 98.9% when `known` is the table's lemma list; most misses are rare or archaic
verbs (hinge/hing, paste/past, bath/bathe are not decidable from spelling).

Case: `analyse` lowercases the word, and the result is the same for `Dogs` and `dogs`; whether a capitalised
token (a name, a sentence start) should be analysed at all is the caller's decision. Non-alphabetic tokens
(`dog's`, `3rd`, `well-known`) yield nothing.

Speed: results are cached per word (for the current `known` callback: passing a different callback clears
the cache; call `clear_cache()` if the callback's answers change), so repeated words cost a dict lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from typing import NamedTuple

from lrx.morphology.unimorph import Paradigms
from lrx.morphology.unimorph import load_unimorph

__all__ = [
    "ADJ_CMPR",
    "ADJ_SPRL",
    "COMMON_ADJECTIVES",
    "ENGLISH_BUNDLES",
    "N_PL",
    "SOURCES",
    "V_3SG_PRS",
    "V_NFIN",
    "V_PST",
    "V_PTCP_PRS",
    "V_PTCP_PST",
    "EnglishAnalysis",
    "EnglishAnalyzer",
    "load_english_analyzer",
]

# Canonical strings (as lrx.morphology.features writes them) of the bundles this module produces.
V_NFIN = "V;NFIN"
V_PST = "V;PST"
V_PTCP_PST = "V;V.PTCP;PST"
V_PTCP_PRS = "V;V.PTCP;PRS"
V_3SG_PRS = "V;SG;3;PRS"
V_1SG_PRS = "V;SG;1;PRS"
V_PL_PRS = "V;PL;PRS"
V_PL_PST = "V;PL;PST"
N_PL = "N;PL"
ADJ_CMPR = "ADJ;CMPR"
ADJ_SPRL = "ADJ;SPRL"
ENGLISH_BUNDLES: tuple[str, ...] = (
    V_NFIN,
    V_PST,
    V_PTCP_PST,
    V_PTCP_PRS,
    V_3SG_PRS,
    V_1SG_PRS,
    V_PL_PRS,
    V_PL_PST,
    N_PL,
    ADJ_CMPR,
    ADJ_SPRL,
)
"""Every bundle `analyse` can return (V;SG;1;PRS, V;PL;PRS and V;PL;PST only for forms of `be`)."""

SOURCES = ("unimorph", "rule", "lemma")

# Table readings of one form: V;PST before the participle (put, cut), V;NFIN (a spelling variant) last.
_BUNDLE_ORDER = {V_PST: 0, V_3SG_PRS: 1, V_PTCP_PRS: 2, V_PTCP_PST: 3, V_NFIN: 4}

_BE = {
    "am": (V_1SG_PRS,),
    "is": (V_3SG_PRS,),
    "are": (V_PL_PRS,),
    "was": (V_PST,),
    "were": (V_PL_PST,),
    "being": (V_PTCP_PRS,),
    "been": (V_PTCP_PST,),
}

_IRREGULAR_PLURALS = {
    "men": "man",
    "women": "woman",
    "children": "child",
    "feet": "foot",
    "teeth": "tooth",
    "geese": "goose",
    "mice": "mouse",
    "lice": "louse",
    "dice": "die",
    "oxen": "ox",
    "people": "person",
    "brethren": "brother",
    "wolves": "wolf",
    "knives": "knife",
    "wives": "wife",
    "lives": "life",
    "leaves": "leaf",
    "thieves": "thief",
    "halves": "half",
    "shelves": "shelf",
    "selves": "self",
    "calves": "calf",
    "loaves": "loaf",
    "elves": "elf",
    "scarves": "scarf",
    "hooves": "hoof",
    "sheaves": "sheaf",
    "wharves": "wharf",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "analyses": "analysis",
    "crises": "crisis",
    "theses": "thesis",
    "hypotheses": "hypothesis",
    "diagnoses": "diagnosis",
    "oases": "oasis",
    "parentheses": "parenthesis",
    "syntheses": "synthesis",
    "indices": "index",
    "matrices": "matrix",
    "appendices": "appendix",
    "vertices": "vertex",
    "cacti": "cactus",
    "fungi": "fungus",
    "nuclei": "nucleus",
    "stimuli": "stimulus",
    "radii": "radius",
    "alumni": "alumnus",
    "syllabi": "syllabus",
    "bacteria": "bacterium",
    "curricula": "curriculum",
    "memoranda": "memorandum",
    "buses": "bus",
    "quizzes": "quiz",
}

_IRREGULAR_ADJECTIVES = {
    "better": ("good", ADJ_CMPR),
    "best": ("good", ADJ_SPRL),
    "worse": ("bad", ADJ_CMPR),
    "worst": ("bad", ADJ_SPRL),
    "further": ("far", ADJ_CMPR),
    "furthest": ("far", ADJ_SPRL),
    "farther": ("far", ADJ_CMPR),
    "farthest": ("far", ADJ_SPRL),
}

COMMON_ADJECTIVES = frozenset(
    """
    able angry bad big black bold brave brief bright broad brown busy calm cheap clean clear clever close cold
    cool crazy cruel cute damp dark deadly dear deep dirty dry dull early easy empty fair faint fancy far fast fat
    few fierce fine firm fit flat fond free fresh friendly full funny gentle glad good grand great green grey gray
    grim gross guilty hairy handsome happy hard harsh healthy heavy high holy hot huge humble hungry icy kind large
    late lazy light likely little lively lonely long loose loud lovely low lucky mad mean merry messy mighty mild
    moist narrow nasty near neat new nice noble noisy odd old pale plain pleasant polite poor pretty proud pure
    quick quiet rapid rare raw ready red rich ripe rough round rude sad safe salty scary shallow sharp short shy
    sick silly simple slim slow small smart smooth soft solid sore sour spicy steep stiff still strange strict
    strong stupid sunny sure sweet tall tame tasty thick thin tidy tight tiny tough true ugly vague warm weak
    wealthy weird wet white wide wild windy wise witty yellow young
    """.split()
)
"""Adjectives the -er/-est rules may analyse (see the module docstring for why the rules need a list)."""

# Common irregular verbs: among the table's lemmas for one form (went: go, gan, wend, ween) these come first.
_COMMON_IRREGULAR_VERBS = frozenset(
    """
    arise awake be bear beat become begin bend bet bind bite bleed blow break breed bring build burn burst buy
    cast catch choose cling come cost creep cut deal dig do draw dream drink drive eat fall feed feel fight find
    flee fling fly forbid forget forgive freeze get give go grind grow hang have hear hide hit hold hurt keep
    kneel know lay lead lean leap learn leave lend let lie light lose make mean meet mistake overcome pay prove
    put quit read ride ring rise run saw say see seek sell send set sew shake shed shine shoot show shrink shut
    sing sink sit slay sleep slide sling slit smell sow speak speed spell spend spill spin spit split spoil
    spread spring stand steal stick sting stink stride strike string strive swear sweep swell swim swing take
    teach tear tell think throw thrust tread understand undergo undertake wake wear weave weep wet win wind
    withdraw wring write
    """.split()
)

# Words that get no analysis at all: closed-class words and invariant words that look like -s/-ed/-ing/-er
# forms (the table lists some as verb forms: news <- "new", V;SG;3;PRS).
_INVARIANT = frozenset(
    """
    a an the this these those that his hers its ours yours theirs us as yes thus plus always
    perhaps towards afterwards backwards forwards upwards downwards besides whereas sometimes nowadays unless
    news series species means physics mathematics economics politics ethics athletics gymnastics linguistics
    electronics measles diabetes herpes rabies mumps billiards thanks chaos ethos pathos cosmos kudos lens
    tennis chess during nothing something anything everything morning evening ceiling pudding sibling darling
    herring shilling awning lightning sterling duckling dumpling seedling earring offspring viking king thing
    hundred sacred naked wicked rugged ragged kindred hatred indeed
    never ever over under after other either neither rather whether water paper number order
    """.split()
)

# -s words that are no noun plurals (the table's or the built-in verb readings stay)
_NOT_PLURAL = frozenset("is was has does goes".split())

_VOWELS = frozenset("aeiou")
_KEEP_DOUBLE = frozenset("lsfz")  # call, pass, stuff, buzz: the lemma itself ends in the double letter
_IE_NOUNS = frozenset(
    "movie cookie calorie zombie hippie brownie rookie selfie auntie prairie genie goalie smoothie sweetie"
    " birdie newbie eerie".split()
)


class EnglishAnalysis(NamedTuple):
    """One reading of an English word: lemma, canonical UniMorph bundle, and where it came from
    (`unimorph`: the English table; `rule`: built-in lists and suffix rules; `lemma`: the word is the lemma)."""

    lemma: str
    feats: str
    source: str

    @property
    def inflected(self) -> bool:
        """False for a bare-lemma reading: the word needs no inflection, translate it as it is."""
        return self.source != "lemma"


Known = Callable[[str], bool]


class EnglishAnalyzer:
    """English word -> readings (lemma, bundle, source), best first. See the module docstring.

    paradigms: the UniMorph English table (`load_english_analyzer` loads it), or None for rules only.
    adjectives: more adjectives for the -er/-est rules (added to COMMON_ADJECTIVES).
    plural_first: list N;PL before the table's V;SG;3;PRS for -s words. Off by default (the table's verb
    reading first), but the table lists denominal verbs for most English nouns (dogs, books, chairs, rooms:
    24 of 37 common plural nouns measured), so a caller without part-of-speech context may want it on.
    cache_size: results kept (the cache is emptied when it is full).
    """

    def __init__(
        self,
        paradigms: Paradigms | None = None,
        *,
        adjectives: Iterable[str] | None = None,
        plural_first: bool = False,
        cache_size: int = 1 << 20,
    ) -> None:
        self.paradigms = paradigms
        self.plural_first = plural_first
        self.adjectives = COMMON_ADJECTIVES | frozenset(a.lower() for a in adjectives or ())
        self.cache_size = cache_size
        # form (lowercased) -> [(lemma, feats, position of the form in its cell)]
        self._forms: dict[str, list[tuple[str, str, int]]] = {}
        self._lemmas: frozenset[str] = frozenset()
        if paradigms is not None:
            lemmas: set[str] = set()
            last: tuple[str, object] | None = None
            position = 0
            for lemma, bundle, form in paradigms.entries():
                cell = (lemma, bundle)
                position = position + 1 if cell == last else 0
                last = cell
                self._forms.setdefault(form.lower(), []).append((lemma, str(bundle), position))
                lemmas.add(lemma.lower())
            self._lemmas = frozenset(lemmas)
        self._cache: dict[str, tuple[EnglishAnalysis, ...]] = {}
        self._cache_known: Known | None = None

    def clear_cache(self) -> None:
        self._cache.clear()

    def analyse(self, word: str, known: Known | None = None) -> list[EnglishAnalysis]:
        """Readings of `word` (lowercased), best first; [] when it is not (recognisably) inflected."""
        if known is not self._cache_known and known != self._cache_known:
            self._cache.clear()
            self._cache_known = known
        cached = self._cache.get(word)
        if cached is None:
            cached = self._analyse(word.lower(), known)
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            self._cache[word] = cached
        return list(cached)

    # -- the analysis

    def _analyse(self, word: str, known: Known | None) -> tuple[EnglishAnalysis, ...]:
        if not word.isalpha() or word in _INVARIANT:
            return ()
        # `prefer`: which candidate lemmas count as known; `itself`: is the word itself a lemma?
        prefer: Known | None = known
        if prefer is None and self._lemmas:
            prefer = self._lemmas.__contains__
        itself = word in self._lemmas or (known is not None and known(word))

        out: list[EnglishAnalysis] = []
        bare: list[EnglishAnalysis] = []
        table = self._forms.get(word, ())
        if table:
            ranked = sorted(
                table,
                key=lambda entry: (
                    known is not None and not known(entry[0]),
                    entry[0] not in _COMMON_IRREGULAR_VERBS,
                    entry[2],
                    _BUNDLE_ORDER.get(entry[1], 5),
                ),
            )
            for lemma, feats, _ in ranked:
                if feats == V_NFIN and lemma.lower() == word:
                    bare.append(EnglishAnalysis(lemma, feats, "lemma"))
                else:
                    out.append(EnglishAnalysis(lemma, feats, "unimorph"))
        table_verb = bool(out)

        if word in _BE:
            out.extend(EnglishAnalysis("be", feats, "rule") for feats in _BE[word])
        plural_of = _IRREGULAR_PLURALS.get(word)
        if plural_of is not None:
            out.append(EnglishAnalysis(plural_of, N_PL, "rule"))
        if word in _IRREGULAR_ADJECTIVES:
            lemma, feats = _IRREGULAR_ADJECTIVES[word]
            out.append(EnglishAnalysis(lemma, feats, "rule"))

        rules: list[tuple[list[str], tuple[str, ...]]] = []
        if word.endswith("s"):
            if plural_of is None and word not in _NOT_PLURAL:
                rules.append((_plural_candidates(word), (N_PL,)))
            if not table_verb:
                rules.append((_third_person_candidates(word), (V_3SG_PRS,)))
        elif word.endswith("men") and plural_of is None and len(word) > 5:
            # policemen, firemen: only when the -man lemma is known (specimen, abdomen are not plurals)
            candidate = word[:-3] + "man"
            if prefer is not None and prefer(candidate):
                out.append(EnglishAnalysis(candidate, N_PL, "rule"))
        if not table_verb and word not in _BE:
            if word.endswith("ed"):
                rules.append((_past_candidates(word), (V_PST, V_PTCP_PST)))
            elif word.endswith("ing"):
                rules.append((_gerund_candidates(word), (V_PTCP_PRS,)))
        if word.endswith("er") or word.endswith("est"):
            adjective = self._adjective(word)
            if adjective is not None:
                out.append(adjective)

        for candidates, bundles in rules:
            lemma = _choose(candidates, prefer, itself)
            if lemma is not None:
                out.extend(EnglishAnalysis(lemma, feats, "rule") for feats in bundles)

        if self.plural_first and word.endswith("s"):
            out.sort(key=lambda reading: reading.feats != N_PL)  # stable: the order within each group stays
        seen: set[tuple[str, str]] = set()
        result: list[EnglishAnalysis] = []
        for reading in out + bare:
            key = (reading.lemma, reading.feats)
            if key not in seen:
                seen.add(key)
                result.append(reading)
        return tuple(result)

    def _adjective(self, word: str) -> EnglishAnalysis | None:
        if word.endswith("est"):
            stem, feats = word[:-3], ADJ_SPRL
        else:
            stem, feats = word[:-2], ADJ_CMPR
        if len(stem) < 2:
            return None
        candidates = [stem, stem + "e"]
        if stem.endswith("i"):
            candidates.insert(0, stem[:-1] + "y")
        if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
            candidates.insert(0, stem[:-1])
        if stem.endswith("e"):  # freer, truer: the lemma's e and the suffix's e merged
            candidates.insert(0, stem)
        for lemma in candidates:
            if lemma in self.adjectives:
                return EnglishAnalysis(lemma, feats, "rule")
        return None


def load_english_analyzer(fetch: Callable[..., Path], **options: Any) -> EnglishAnalyzer:
    """An EnglishAnalyzer over the pinned UniMorph English table, fetched with `fetch` (`lrx.core.fetch.fetch`).
    `options` go to EnglishAnalyzer (adjectives, plural_first, cache_size)."""
    return EnglishAnalyzer(load_unimorph("eng", fetch), **options)


# -- choosing among candidate lemmas ---------------------------------------------------------------------------


def _choose(candidates: list[str], prefer: Known | None, itself: bool) -> str | None:
    """The first known candidate; else the heuristic best, unless the word is itself a lemma."""
    candidates = [c for c in candidates if len(c) >= 2]
    if not candidates:
        return None
    if prefer is not None:
        for candidate in candidates:
            if prefer(candidate):
                return candidate
    if itself:
        return None
    return candidates[0]


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
