"""Lexicons induced from parallel Bibles: English verses and a target language's verses, aligned by verse id,
word-aligned with eflomal, the links counted into translation probabilities.

The steps of `induce_lexicon`:

1. Verses: the ids both texts have, with words on both sides, optionally only some books (`b.MAT.5.3` is in
   `MAT`) and the first `max_verses`. No shared id is an `InductionError` showing an id of each side, since that
   is almost always two numbering schemes (`b.MAT.5.3` vs `MAT.5.3`), not two different texts.
2. Words: lowercased, punctuation split off (`lrx.lexicons.verses.words`).
3. Alignment: eflomal (Östling & Tiedemann 2016, a Bayesian HMM with fertility, sampled) in both directions,
   symmetrised (`grow-diag-final-and` by default; `intersection`, `union`, `forward`, `reverse`). eflomal has
   no seed: two runs can differ in rare pairs, frequent ones are stable.
4. Counts: c(e, t) over the symmetrised links; p(t|e) = c(e, t) / c(e) and p(e|t) = c(e, t) / c(t), with c(e)
   and c(t) every link of the word (to punctuation too), so the kept p(t|e) of a word sum to at most 1.
5. Choice: pairs of words with a letter on both sides (no numbers, no punctuation) linked at least `min_count`
   times; per English word the `top_k` best by `score`, ties to the higher p(e|t): `forward` is p(t|e),
   `product` is p(t|e) * p(e|t), which demotes target words linked to everything (Ewe `la`, K'iche' `ri`) but
   promotes rare ones just as much.

The defaults are what `benchmarks/lexicon_induction.py` measured best on five languages (ee, wo, din, quc, mam;
precision at 1 against GATITOS): `forward` beat `product` by 1 to 8 points on every language (smoothed and
partial products in between did no better, but for +0.7 on quc); the five symmetrisations were within 1.3 points
of each other; twice the eflomal iterations or samplers (ee), aligning on 4-letter prefixes (ee, quc, mam) or
5-letter suffixes (quc, mam), or aligning the whole New Testament (ee) moved nothing by more than a point.
`min_count` 2 costs nothing against 1 and drops the pairs seen once.

Each entry's weight (the `weight` column of the file) is its p(t|e), so that a lexicon merged with others ranks
a word's translations by how often the Bible translates it so (with `score="product"`: p(t|e) shared out in the
product's proportions, still summing to at most 1). The file is the TSV that `lrx.lexicons.sources.tsv` reads.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
import time
from collections import Counter
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from lrx.lexicons.lexicon import Entry
from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.verses import book
from lrx.lexicons.verses import book_code
from lrx.lexicons.verses import is_word
from lrx.lexicons.verses import read_verses
from lrx.lexicons.verses import words

from lrx.core.errors import LrxError

SYMMETRIZATIONS = ("grow-diag-final-and", "grow-diag", "intersection", "union", "forward", "reverse")
SCORES = ("forward", "product")
SUMMARY_KEYS = ("tgt", "verses", "entries", "src_words", "seconds")
TSV_HEADER = ("source", "target", "pos", "weight", "count")

Links = list[tuple[int, int]]


class InductionError(LrxError):
    """The two texts cannot be aligned: no shared verses, unknown books, bad settings."""


@dataclass(frozen=True)
class InductionSettings:
    """How to induce: which verses, how to symmetrise, how to score and prune. `books` are book codes (`MAT`,
    `ACT`; USFM `MRK` and `JHN` name the corpus's `MAR` and `JOH`); empty means every book both texts have.
    `max_verses` 0 means all."""

    symmetrize: str = "grow-diag-final-and"
    score: str = "forward"
    top_k: int = 3
    min_count: int = 2
    books: tuple[str, ...] = ()
    max_verses: int = 0
    # eflomal's sampling iterations relative to its default (which grows as 1/sqrt(sentences): a few hundred
    # verses take seconds at 1.0; tests use less)
    iterations: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "books", tuple(dict.fromkeys(book_code(b) for b in self.books if b.strip())))
        if self.symmetrize not in SYMMETRIZATIONS:
            raise InductionError(f"symmetrize must be one of {', '.join(SYMMETRIZATIONS)}, not {self.symmetrize!r}")
        if self.score not in SCORES:
            raise InductionError(f"score must be one of {', '.join(SCORES)}, not {self.score!r}")
        if self.top_k < 1 or self.min_count < 1 or self.max_verses < 0 or self.iterations <= 0:
            raise InductionError("top_k and min_count must be at least 1, max_verses at least 0, iterations above 0")

    def key(self) -> str:
        """The settings as canonical JSON: part of a cache key."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


@dataclass(frozen=True)
class InducedTranslation:
    """A target word for an English word: its weight (see the module's docstring) and link count."""

    tgt: str
    weight: float
    count: int


@dataclass
class InducedLexicon:
    """English word -> its target words, best first; with what it was induced from."""

    tgt: str
    translations: dict[str, list[InducedTranslation]]
    verses: int
    seconds: float
    settings: InductionSettings = field(default_factory=InductionSettings)

    @property
    def entries(self) -> int:
        return sum(len(found) for found in self.translations.values())

    def summary(self) -> dict[str, Any]:
        """`{"tgt", "verses", "entries", "src_words", "seconds"}`: what `lrx lexicon induce --json` prints."""
        return {
            "tgt": self.tgt,
            "verses": self.verses,
            "entries": self.entries,
            "src_words": len(self.translations),
            "seconds": round(self.seconds, 2),
        }

    def to_lexicon(self, name: str = "bible", url: str = "") -> Lexicon:
        """The entries as a `Lexicon` from English to `tgt` (each entry's line: its row in `write_tsv`'s file)."""
        from lrx.core.languages import normalize_language

        lexicon = Lexicon(normalize_language("eng").tag, normalize_language(self.tgt).tag, name=name)
        line = 1
        for src, found in self.translations.items():
            for item in found:
                line += 1
                lexicon.add(Entry(src, item.tgt, None, item.weight, name, url, line))
        return lexicon

    def write_tsv(self, path: str | Path) -> int:
        """Write `source target pos weight count`, a header first (the tsv source's format); returns the rows."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        rows = 0
        with tmp.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write("\t".join(TSV_HEADER) + "\n")
            for src, found in self.translations.items():
                for item in found:
                    handle.write(f"{src}\t{item.tgt}\t\t{item.weight:.6g}\t{item.count}\n")
                    rows += 1
        tmp.replace(path)
        return rows


def shared_verses(
    src_verses: Mapping[str, str], tgt_verses: Mapping[str, str], settings: InductionSettings
) -> list[str]:
    """The verse ids to align, in the target's order: in both texts, in `settings.books`, at most `max_verses`."""
    shared = [verse for verse in tgt_verses if verse in src_verses]
    if not shared:
        raise InductionError(
            f"no verse ids in common: the English text has {len(src_verses)} verses"
            f"{_example(src_verses)}, the target text {len(tgt_verses)}{_example(tgt_verses)}"
        )
    if settings.books:
        present = {book(verse) for verse in shared}
        unknown = [code for code in settings.books if code not in present]
        if unknown:
            raise InductionError(
                f"book(s) {', '.join(unknown)} not in both texts; they share {', '.join(sorted(present))}"
            )
        wanted = set(settings.books)
        shared = [verse for verse in shared if book(verse) in wanted]
    return shared[: settings.max_verses] if settings.max_verses else shared


def _example(verses: Mapping[str, str]) -> str:
    return f" (e.g. {next(iter(verses))!r})" if verses else ""


def induce_lexicon(
    src_verses: Mapping[str, str],
    tgt_verses: Mapping[str, str],
    tgt: str,
    settings: InductionSettings | None = None,
) -> InducedLexicon:
    """Induce an English -> `tgt` lexicon from two Bibles given as verse id -> text (see the module's docstring)."""
    settings = settings or InductionSettings()
    started = time.perf_counter()
    src_lines: list[list[str]] = []
    tgt_lines: list[list[str]] = []
    for verse in shared_verses(src_verses, tgt_verses, settings):
        src_words, tgt_words = words(src_verses[verse]), words(tgt_verses[verse])
        if src_words and tgt_words:
            src_lines.append(src_words)
            tgt_lines.append(tgt_words)
    if not src_lines:
        raise InductionError("the shared verses have no words on one side")
    links = align(src_lines, tgt_lines, settings.symmetrize, settings.iterations)
    translations = choose(count_links(src_lines, tgt_lines, links), settings)
    return InducedLexicon(tgt, translations, len(src_lines), time.perf_counter() - started, settings)


def induce_from_files(
    src_path: str | Path, tgt_path: str | Path, tgt: str, settings: InductionSettings | None = None
) -> InducedLexicon:
    """`induce_lexicon` over two Bible files (TSV or CES XML, see `lrx.lexicons.verses.read_verses`); the time
    includes reading them."""
    started = time.perf_counter()
    src_verses, tgt_verses = read_verses(src_path), read_verses(tgt_path)
    try:
        induced = induce_lexicon(src_verses, tgt_verses, tgt, settings)
    except InductionError as error:
        raise InductionError(f"{src_path} and {tgt_path}: {error}") from None
    induced.seconds = time.perf_counter() - started
    return induced


def align(
    src_lines: Sequence[Sequence[str]], tgt_lines: Sequence[Sequence[str]], symmetrize: str, iterations: float = 1.0
) -> list[Links]:
    """Symmetrised eflomal links per sentence pair, as (source index, target index)."""
    import eflomal  # imported here: it loads numpy, which the lexicon layer keeps out of import time

    with tempfile.TemporaryDirectory(prefix="lrx-eflomal-") as tmp:
        forward, reverse = Path(tmp) / "forward", Path(tmp) / "reverse"
        eflomal.Aligner(rel_iterations=iterations).align(
            [" ".join(line) for line in src_lines],
            [" ".join(line) for line in tgt_lines],
            links_filename_fwd=str(forward),
            links_filename_rev=str(reverse),
        )
        forward_links = _read_links(forward, len(src_lines))
        reverse_links = _read_links(reverse, len(src_lines))
    return [
        symmetrized(f, r, symmetrize, len(s), len(t))
        for f, r, s, t in zip(forward_links, reverse_links, src_lines, tgt_lines, strict=True)
    ]


def _read_links(path: Path, expected: int) -> list[set[tuple[int, int]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if len(lines) != expected:
        raise InductionError(f"eflomal wrote {len(lines)} alignment lines for {expected} sentences ({path.name})")
    return [{(int(i), int(j)) for i, _, j in (link.partition("-") for link in line.split())} for line in lines]


_NEIGHBOURS = ((-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))


def symmetrized(
    forward: set[tuple[int, int]], reverse: set[tuple[int, int]], method: str, src_len: int, tgt_len: int
) -> Links:
    """Two directional alignments of one sentence pair made one (Koehn et al. 2003's heuristics)."""
    if method == "forward":
        return sorted(forward)
    if method == "reverse":
        return sorted(reverse)
    if method == "union":
        return sorted(forward | reverse)
    points = forward & reverse
    if method == "intersection":
        return sorted(points)
    union = forward | reverse
    src_done = {i for i, _ in points}
    tgt_done = {j for _, j in points}
    grown = True
    while grown:  # grow-diag: add union points next to alignment points that align a word still unaligned
        grown = False
        for i, j in sorted(points):
            for di, dj in _NEIGHBOURS:
                point = (i + di, j + dj)
                if point in union and point not in points and (point[0] not in src_done or point[1] not in tgt_done):
                    points.add(point)
                    src_done.add(point[0])
                    tgt_done.add(point[1])
                    grown = True
    if method == "grow-diag-final-and":  # then directional points whose words are both still unaligned
        for direction in (forward, reverse):
            for i, j in sorted(direction):
                if i not in src_done and j not in tgt_done:
                    points.add((i, j))
                    src_done.add(i)
                    tgt_done.add(j)
    return sorted(points)


@dataclass
class LinkCounts:
    """c(e, t) over every link, and each word's total links c(e), c(t)."""

    pairs: Counter[tuple[str, str]]
    src: Counter[str]
    tgt: Counter[str]


def count_links(
    src_lines: Sequence[Sequence[str]], tgt_lines: Sequence[Sequence[str]], links: Iterable[Links]
) -> LinkCounts:
    pairs: Counter[tuple[str, str]] = Counter()
    for src, tgt, sentence in zip(src_lines, tgt_lines, links, strict=True):
        pairs.update((src[i], tgt[j]) for i, j in sentence)
    src_totals: Counter[str] = Counter()
    tgt_totals: Counter[str] = Counter()
    for (e, t), count in pairs.items():
        src_totals[e] += count
        tgt_totals[t] += count
    return LinkCounts(pairs, src_totals, tgt_totals)


def choose(counts: LinkCounts, settings: InductionSettings) -> dict[str, list[InducedTranslation]]:
    """Per English word, its `top_k` target words by `settings.score`, among pairs linked `min_count` times."""
    candidates: dict[str, list[tuple[float, float, float, str, int]]] = defaultdict(list)
    for (e, t), count in counts.pairs.items():
        if count < settings.min_count or not is_word(e) or not is_word(t):
            continue
        forward, reverse = count / counts.src[e], count / counts.tgt[t]
        score = forward * reverse if settings.score == "product" else forward
        candidates[e].append((score, forward, reverse, t, count))
    chosen: dict[str, list[InducedTranslation]] = {}
    for e in sorted(candidates, key=lambda word: (-counts.src[word], word)):
        # a tie in p(t|e) goes to the more specific target word (higher p(e|t)): Wolof "earth" is linked 33
        # times to both àddina (world) and suuf (soil), and suuf to little else
        ranked = sorted(candidates[e], key=lambda item: (-item[0], -item[2], item[3]))
        if settings.score == "product":
            # p(t|e) mass of the word's candidates, shared out in the product's proportions
            mass = sum(item[1] for item in ranked)
            total = sum(item[0] for item in ranked)
            weights = [mass * item[0] / total for item in ranked]
        else:
            weights = [item[1] for item in ranked]
        chosen[e] = [
            InducedTranslation(t, weight, count)
            for (_, _, _, t, count), weight in zip(ranked[: settings.top_k], weights, strict=False)
        ]
    return chosen
