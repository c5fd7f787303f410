"""Lexicon gaps: the English words and phrases of task data that a lexicon leaves untranslated, ranked for a
linguist to fill, and written as a contributed-lexicon to-do file (`lrx gaps`).

What a gap is: the synthesizer itself (`Synthesizer.spans`, with the synthesis options and English analyser that
`lrx synthesize` uses) matches every sentence, and each token it leaves `unknown` that has a letter is a gap
(punctuation and numbers are rightly copied). A gap is keyed by the English lemma the analyser gives it ("dogs",
"dog" -> dog): a lexicon entry for the lemma translates every form of it, through the synthesizer's lemma path;
a word the analyser does not know, or knows only by a reading that is table noise (`_word_key`), is keyed by
itself, case-folded. Names that `entities="keep"` copies are not
gaps (the default, as in lrx-run's default method).

Phrases: the synthesizer tries multiword entries first, so a phrase the lexicon lacks is a gap too, and it earns
its row when it translates two or more untranslated words at once (a compound or a term: "barter deals", "Saudi
riyal"). Candidates are the n-grams of 2 to `max_words` words (and at most the lexicon's longest entry) inside a
sentence, with no kept name and no token without a letter, holding at least two untranslated words; one is listed
when it occurs at least `min_count` times, is not in the lexicon, and holds at least half of the untranslated
occurrences of each of its untranslated words (a collocation: "chairman of" holds few of the many untranslated
"of", and is not listed). A phrase goes when a listed phrase inside it holds all its untranslated words (its
other words are translated anyway); of two listed phrases, one inside the other, the shorter goes when the longer
has at least 90% of its occurrences; a word gap goes when 90% of its occurrences lie inside listed phrases (the
phrase is what to translate). A phrase with one untranslated word ("according to") covers no more than the word
does: the word's row carries it in its example, and a linguist may write the phrase as the source instead.

Ranking (`rank="tokens"`, the default): by the tokens of the data a gap would translate once filled (a word's
untranslated occurrences; a phrase's occurrences times its untranslated words), then by how many of its
occurrences are inside or next to an entity span (for NER the words around names are what the tagger learns
names from), then alphabetically. `rank="entity"` puts the entity-context count first.

Coverage: translated tokens over words, a word being a token with a letter that is not a kept name. "If filled":
the same with a placeholder translation for each of the top N gaps added to the lexicon and the data matched again
(the synthesizer's own matching, not an estimate); with real translations from a second lexicon (`fill_targets`)
the same measure gives what that lexicon adds.

The file (`write_gaps_file`) is a contributed lexicon (`data/README.md`, CONTRIBUTING.md): the comment block
(the metadata the linguist must complete starts with `TODO`, which `lrx validate` warns about), the header
`source target pos note`, and one row per gap with an empty target and a note (tokens, entity contexts, forms
seen, an example). `lrx validate` accepts it unfilled with warnings only (`untranslated`, `placeholder`); filled,
it is a contributed lexicon like any other.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from pathlib import Path
from typing import Any

from lrx.lexicons.lexicon import Entry
from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.synthesis import PATHS
from lrx.lexicons.synthesis import SynthesisOptions
from lrx.lexicons.synthesis import Synthesizer
from lrx.morphology.contributed import LEXICON_COLUMNS

from lrx.core.sentence import Sentence

RANKS = ("tokens", "entity")
TRANSLATED = frozenset(PATHS) - {"unknown", "entity"}
# a phrase is a collocation of its untranslated words when it holds at least this share of each one's occurrences
COLLOCATION_SHARE = 0.5
# a shorter phrase (or a word) goes when a listed longer phrase holds at least this share of its occurrences
SUBSUMED_SHARE = 0.9
PLACEHOLDER_TARGET = "_"
CONTEXT_WORDS = 4


@dataclass
class Coverage:
    """How much of the data a lexicon translates: `translated` of `words` (tokens with a letter, names kept
    aside), in `sentences` sentences of `tokens` tokens."""

    sentences: int = 0
    tokens: int = 0
    words: int = 0
    translated: int = 0

    @property
    def ratio(self) -> float:
        return self.translated / self.words if self.words else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"words": self.words, "translated": self.translated, "coverage": round(self.ratio, 4)}


@dataclass
class Gap:
    """An English word (its lemma) or phrase the lexicon does not translate, and what filling it would do."""

    source: str
    words: int  # 1 for a word, n for a phrase
    tokens: int = 0  # untranslated tokens of the data it would translate
    occurrences: int = 0
    in_entity: int = 0  # occurrences inside an entity span (only when names are translated)
    next_to_entity: int = 0  # occurrences next to one
    forms: Counter[str] = field(default_factory=Counter)  # the forms seen, as written
    example: str = ""

    @property
    def entity_context(self) -> int:
        return self.in_entity + self.next_to_entity

    def note(self) -> str:
        """The note column: what the row would translate, where, and an example, for the linguist."""
        parts = [f"{self.tokens} tokens"]
        if self.in_entity:
            parts.append(f"{self.in_entity} in a name")
        if self.next_to_entity:
            parts.append(f"{self.next_to_entity} next to a name")
        text = "; ".join(parts)
        if len(self.forms) > 1 or next(iter(self.forms), self.source) != self.source:
            text += "; forms: " + ", ".join(f"{form} {count}" for form, count in self.forms.most_common(4))
        return f'{text}; e.g. "{self.example}"' if self.example else text


@dataclass
class GapReport:
    """What `find_gaps` found: the ranked gaps, the coverage today and with the top `top` gaps filled."""

    gaps: list[Gap]
    coverage: Coverage
    filled: Coverage
    top: int
    max_words: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.coverage.sentences,
            "tokens": self.coverage.tokens,
            **self.coverage.as_dict(),
            "gaps": len(self.gaps),
            "phrases": sum(1 for gap in self.gaps if gap.words > 1),
            "top": min(self.top, len(self.gaps)),
            # the rows' own counts summed: a word that is also inside a listed phrase counts in both rows
            "top_tokens": sum(gap.tokens for gap in self.gaps[: self.top]),
            "coverage_if_filled": round(self.filled.ratio, 4),
            "translated_if_filled": self.filled.translated,
        }


def _analyse_for(analyzer: Any, lexicon: Lexicon) -> Any:
    """The synthesizer's `analyse` callable for `lexicon`, as `lrx.adapt.synthesize` builds it."""
    if analyzer is None:
        return None
    known = lexicon.has

    def analyse(word: str) -> list[tuple[str, str]]:
        return [(a.lemma, a.feats) for a in analyzer.analyse(word, known)]

    return analyse


def _has_letter(token: str) -> bool:
    return any(char.isalpha() for char in token)


def _entity_mask(sentence: Sentence, scheme: str) -> list[bool]:
    if not sentence.labels or scheme == "none":
        return [False] * len(sentence.tokens)
    if scheme == "bio":
        return [label not in ("", "O") for label in sentence.labels]
    return [label == "PROPN" for label in sentence.labels]


@dataclass
class _Matched:
    """One sentence as the synthesizer matched it: per token its path, whether it is a word, in an entity."""

    sentence: Sentence
    paths: list[str]
    words: list[bool]
    entity: list[bool]


def _match_all(
    sentences: Iterable[Sentence], lexicon: Lexicon, options: SynthesisOptions, analyzer: Any, scheme: str
) -> tuple[list[_Matched], Coverage]:
    synthesizer = Synthesizer(lexicon, options, analyse=_analyse_for(analyzer, lexicon), label_scheme=scheme)
    matched: list[_Matched] = []
    coverage = Coverage()
    for sentence in sentences:
        paths = [""] * len(sentence.tokens)
        for start, n, path in synthesizer.spans(sentence):
            paths[start : start + n] = [path] * n
        words = [_has_letter(t) and p != "entity" for t, p in zip(sentence.tokens, paths, strict=True)]
        coverage.sentences += 1
        coverage.tokens += len(paths)
        coverage.words += sum(words)
        coverage.translated += sum(1 for w, p in zip(words, paths, strict=True) if w and p in TRANSLATED)
        matched.append(_Matched(sentence, paths, words, _entity_mask(sentence, scheme)))
    return matched, coverage


def measure_coverage(
    sentences: Iterable[Sentence],
    lexicon: Lexicon,
    options: SynthesisOptions | None = None,
    *,
    analyzer: Any = None,
    label_scheme: str = "bio",
) -> Coverage:
    """The share of the words of `sentences` that the synthesizer translates with `lexicon` (see the module)."""
    return _match_all(sentences, lexicon, options or SynthesisOptions(), analyzer, label_scheme)[1]


def with_placeholders(lexicon: Lexicon, sources: Iterable[str]) -> Lexicon:
    """`lexicon` plus a placeholder translation for each of `sources`: what filling them would match."""
    extra = [Entry(source, PLACEHOLDER_TARGET, source="gaps") for source in sources]
    return Lexicon(lexicon.src_lang, lexicon.tgt_lang, [*lexicon.entries, *extra], name=lexicon.name)


def _context(tokens: Sequence[str], start: int, end: int) -> str:
    left = max(0, start - CONTEXT_WORDS)
    right = min(len(tokens), end + CONTEXT_WORDS)
    text = " ".join(tokens[left:right])
    return ("... " if left else "") + text + (" ..." if right < len(tokens) else "")


def _record(gap: Gap, m: _Matched, start: int, end: int, untranslated: int) -> None:
    gap.occurrences += 1
    gap.tokens += untranslated
    tokens = m.sentence.tokens
    gap.forms[" ".join(tokens[start:end])] += 1
    if any(m.entity[start:end]):
        gap.in_entity += 1
    elif (start > 0 and m.entity[start - 1]) or (end < len(tokens) and m.entity[end]):
        gap.next_to_entity += 1
    if not gap.example:
        gap.example = _context(tokens, start, end)


def _word_key(token: str, analyzer: Any, known: Any) -> str:
    """A gap's key: the lemma the synthesizer would look the word up by, else the word, case-folded. The first
    reading whose lemma is a word and either starts as the token does or comes from the analyser's own rules
    (be, irregular plurals and comparatives): the English table also holds noise (`it` as a form of
    `hightail`, from "hightail it"; `will` and `would` of a lemma `-`), which would key a common word wrongly."""
    if analyzer is not None:
        for reading in analyzer.analyse(token.lower(), known):
            lemma = reading.lemma
            if lemma.isalpha() and (reading.source == "rule" or lemma[:1].casefold() == token[:1].casefold()):
                return lemma.casefold()
    return token.casefold()


def _display(key: str, forms: Counter[str]) -> str:
    """How a row writes its source: lower case as lexicons list words, unless the data never writes it so (an
    adjective of a people, a title: "German", "Roman Catholic"), then as the data most often writes it outside
    headlines (all capitals), or the key with a capital where that form is another form of the lemma."""
    if not key or any(form == form.lower() for form in forms):
        return key
    written = [form for form, _ in forms.most_common() if not form.isupper()]
    if not written:
        return key
    return written[0] if written[0].casefold() == key else key[:1].upper() + key[1:]


def find_gaps(
    sentences: Sequence[Sentence],
    lexicon: Lexicon,
    options: SynthesisOptions | None = None,
    *,
    analyzer: Any = None,
    label_scheme: str = "bio",
    max_words: int = 3,
    min_count: int = 3,
    top: int = 200,
    rank: str = "tokens",
) -> GapReport:
    """The gaps of `lexicon` on `sentences`, ranked (see the module docstring), with the coverage today and
    with the first `top` filled. `options` are the synthesis options (their matching paths and `entities`
    decide what counts as translated); `analyzer` the English analyser (`lrx.morphology.english`) that the
    synthesizer's lemma path uses, None for none; `label_scheme` how the labels mark entities (bio, tag, none)."""
    if rank not in RANKS:
        raise ValueError(f"rank must be one of {', '.join(RANKS)}, not {rank!r}")
    if max_words < 1 or min_count < 1 or top < 0:
        raise ValueError("max_words and min_count must be at least 1, top at least 0")
    options = options or SynthesisOptions()
    matched, coverage = _match_all(sentences, lexicon, options, analyzer, label_scheme)
    known = lexicon.has
    longest = min(max_words, lexicon.max_ngram if len(lexicon) else 1) if options.multiword else 1

    words: dict[str, Gap] = {}
    untranslated: Counter[str] = Counter()  # untranslated occurrences per word as written, case-folded
    phrases: dict[str, Gap] = {}
    phrase_unknowns: dict[str, set[str]] = {}
    for m in matched:
        tokens = m.sentence.tokens
        unknown = [w and p == "unknown" for w, p in zip(m.words, m.paths, strict=True)]
        for i, token in enumerate(tokens):
            if unknown[i]:
                key = _word_key(token, analyzer, known)
                _record(words.setdefault(key, Gap(key, 1)), m, i, i + 1, 1)
                untranslated[token.casefold()] += 1
        if longest < 2 or not any(unknown):
            continue
        for start in range(len(tokens)):
            if not m.words[start]:
                continue
            for end in range(start + 2, min(len(tokens), start + longest) + 1):
                if not m.words[end - 1]:
                    break  # a name or a token without a letter: every longer window holds it too
                inside = sum(unknown[start:end])
                if inside < 2:
                    continue
                key = " ".join(token.casefold() for token in tokens[start:end])
                _record(phrases.setdefault(key, Gap(key, end - start)), m, start, end, inside)
                phrase_unknowns.setdefault(key, set()).update(
                    tokens[i].casefold() for i in range(start, end) if unknown[i]
                )

    listed = [
        gap
        for key, gap in phrases.items()
        if gap.occurrences >= min_count
        and not lexicon.has(key)
        and all(gap.occurrences >= COLLOCATION_SHARE * untranslated[w] for w in phrase_unknowns[key])
    ]
    # a phrase whose untranslated words a listed phrase inside it holds adds only translated words to it
    listed = [
        gap
        for gap in listed
        if not any(
            _inside(shorter.source, gap.source) and phrase_unknowns[gap.source] <= phrase_unknowns[shorter.source]
            for shorter in listed
            if shorter.words < gap.words
        )
    ]
    listed.sort(key=lambda gap: -gap.words)
    kept: list[Gap] = []
    for gap in listed:
        if not any(
            _inside(gap.source, longer.source) and longer.occurrences >= SUBSUMED_SHARE * gap.occurrences
            for longer in kept
        ):
            kept.append(gap)
    gaps = [*_outside_phrases(words, kept, matched, analyzer, known), *kept]
    for gap in gaps:
        gap.source = _display(gap.source, gap.forms)
    if rank == "tokens":
        gaps.sort(key=lambda gap: (-gap.tokens, -gap.entity_context, gap.source))
    else:
        gaps.sort(key=lambda gap: (-gap.entity_context, -gap.tokens, gap.source))
    filled = measure_coverage(
        [m.sentence for m in matched],
        with_placeholders(lexicon, (gap.source for gap in gaps[:top])),
        options,
        analyzer=analyzer,
        label_scheme=label_scheme,
    )
    return GapReport(gaps, coverage, filled, top, longest)


def _inside(phrase: str, longer: str) -> bool:
    """Whether the words of `phrase` occur in a row inside `longer`."""
    return f" {phrase} " in f" {longer} "


def _outside_phrases(
    words: dict[str, Gap], phrases: Sequence[Gap], matched: Sequence[_Matched], analyzer: Any, known: Any
) -> list[Gap]:
    """The word gaps, less those whose occurrences lie (at least 90%) inside listed phrases."""
    if not phrases:
        return list(words.values())
    wanted = {gap.source: gap.words for gap in phrases}
    lengths = sorted(set(wanted.values()))
    inside: Counter[str] = Counter()
    for m in matched:
        tokens = m.sentence.tokens
        covered = [False] * len(tokens)
        for n in lengths:
            for start in range(len(tokens) - n + 1):
                if " ".join(t.casefold() for t in tokens[start : start + n]) in wanted:
                    covered[start : start + n] = [True] * n
        for i, token in enumerate(tokens):
            if covered[i] and m.words[i] and m.paths[i] == "unknown":
                inside[_word_key(token, analyzer, known)] += 1
    return [gap for key, gap in words.items() if inside[key] < SUBSUMED_SHARE * gap.occurrences]


def fill_targets(gaps: Iterable[Gap], lexicon: Lexicon) -> dict[str, str]:
    """source -> the best translation `lexicon` has for it (looked up as written, then case-folded): a second
    lexicon's answers for the rows, to be checked by a speaker. Sources it lacks are left out."""
    targets: dict[str, str] = {}
    for gap in gaps:
        found = lexicon.lookup(gap.source, casefold=True)
        if found:
            targets[gap.source] = found[0].tgt
    return targets


def with_targets(lexicon: Lexicon, targets: Mapping[str, str], name: str = "filled") -> Lexicon:
    """`lexicon` plus the rows' translations `targets` (source -> target)."""
    extra = [Entry(source, target, source=name) for source, target in targets.items()]
    return Lexicon(lexicon.src_lang, lexicon.tgt_lang, [*lexicon.entries, *extra], name=lexicon.name)


@dataclass
class GapsFileInfo:
    """What the comment block of a gaps file says: the languages, what was measured, how it was made."""

    src: str  # ISO 639-3
    tgt: str
    src_name: str
    tgt_name: str
    lexicon: str  # the source names
    data: str  # the task data, as given
    command: str
    coverage: Coverage
    filled: Coverage
    rows: int
    # a second lexicon's translations in the target column: its name and licence (else the linguist fills them)
    filled_from: str | None = None
    filled_licence: str | None = None


def gaps_file_text(gaps: Sequence[Gap], info: GapsFileInfo, targets: Mapping[str, str] | None = None) -> str:
    """The text of a gaps file (see the module docstring): the comment block, the header, a row per gap."""
    targets = targets or {}
    words = f"the {len(gaps)} English words and phrases of {info.data} that {info.lexicon} leaves untranslated"
    if info.filled_from:
        source = (
            f"translations from {info.filled_from}, filled in by `lrx gaps --fill-from` and not checked by a "
            f"speaker; {words}"
        )
        licence = info.filled_licence or f"TODO: the licence of {info.filled_from}"
        contributor = f"lrx gaps (machine-filled from {info.filled_from})"
    else:
        source = (
            f"TODO: where the translations come from (your knowledge of {info.tgt_name}, a dictionary you name); "
            f"{words}"
        )
        licence = "TODO: a licence you may grant (CC0-1.0 or CC-BY-4.0 preferred)"
        contributor = "TODO: your name, or how you want to be credited"
    lines = [
        f"# Source: {source}",
        f"# Licence: {licence}",
        f"# Contributor: {contributor}",
        f"# Date: {date.today().isoformat()}",
        f"# Languages: {info.src_name} ({info.src}) -> {info.tgt_name} ({info.tgt})",
        f"# Made by: {info.command}",
        f"# Coverage: {info.lexicon} translates {info.coverage.ratio:.1%} of the {info.coverage.words:,} words "
        f"(tokens with a letter, names kept aside) of {info.coverage.sentences:,} sentences; "
        f"{info.filled.ratio:.1%} with these {info.rows} rows filled",
        "# How to fill: the translation in the target column, one per row (copy a row for a second one); a row you",
        "#   cannot translate stays empty (lrx validate warns: it is left out). A source is an English lemma (its",
        "#   other forms are found through it) or a phrase. The note: the tokens of the data the row would",
        "#   translate, how many sit in or next to a name, the forms seen, an example. Then complete the lines",
        "#   above that start with TODO.",
        f"# Check: lrx validate --lang {info.tgt} <this file>",
        "\t".join(LEXICON_COLUMNS),
    ]
    for gap in gaps:
        note = gap.note().replace("\t", " ")
        lines.append("\t".join((gap.source, targets.get(gap.source, ""), "", note)))
    return "\n".join(lines) + "\n"


def write_gaps_file(
    path: str | Path, gaps: Sequence[Gap], info: GapsFileInfo, targets: Mapping[str, str] | None = None
) -> None:
    """Write `gaps_file_text` to `path` atomically (a temp file beside it, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(gaps_file_text(gaps, info, targets), encoding="utf-8")
    tmp.replace(path)
