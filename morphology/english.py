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

from lrx.morphology.english_rules import _VOWELS
from lrx.morphology.english_rules import _gerund_candidates
from lrx.morphology.english_rules import _past_candidates
from lrx.morphology.english_rules import _plural_candidates
from lrx.morphology.english_rules import _third_person_candidates
from lrx.morphology.english_words import _BE
from lrx.morphology.english_words import _BUNDLE_ORDER
from lrx.morphology.english_words import _COMMON_IRREGULAR_VERBS
from lrx.morphology.english_words import _INVARIANT
from lrx.morphology.english_words import _IRREGULAR_ADJECTIVES
from lrx.morphology.english_words import _IRREGULAR_PLURALS
from lrx.morphology.english_words import _NOT_PLURAL
from lrx.morphology.english_words import ADJ_CMPR
from lrx.morphology.english_words import ADJ_SPRL
from lrx.morphology.english_words import COMMON_ADJECTIVES
from lrx.morphology.english_words import ENGLISH_BUNDLES
from lrx.morphology.english_words import N_PL
from lrx.morphology.english_words import SOURCES
from lrx.morphology.english_words import V_1SG_PRS as V_1SG_PRS
from lrx.morphology.english_words import V_3SG_PRS
from lrx.morphology.english_words import V_NFIN
from lrx.morphology.english_words import V_PL_PRS as V_PL_PRS
from lrx.morphology.english_words import V_PL_PST as V_PL_PST
from lrx.morphology.english_words import V_PST
from lrx.morphology.english_words import V_PTCP_PRS
from lrx.morphology.english_words import V_PTCP_PST
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
