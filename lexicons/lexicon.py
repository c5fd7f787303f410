"""The one lexicon model every source loads into: entries with provenance, lookup, merge, filter, export."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path


@dataclass(slots=True)
class Entry:
    """One translation pair as a source states it, with where it came from (file URL and 1-based line)."""

    src: str
    tgt: str
    pos: str | None = None
    weight: float = 1.0
    source: str = ""
    url: str = ""
    line: int = 0

    @property
    def provenance(self) -> str:
        return f"{self.source}:{self.url}:{self.line}"


@dataclass(frozen=True, slots=True)
class Translation:
    """A target phrase for a source phrase, its summed weight and the sources that attest it."""

    tgt: str
    weight: float
    count: int
    sources: tuple[str, ...]
    pos: tuple[str, ...] = ()


@dataclass
class Lexicon:
    """Bilingual lexicon from `src_lang` to `tgt_lang` (normalised BCP-47 tags).

    Entries keep their provenance; lookups aggregate them per target phrase. Indexes are built lazily on
    the first lookup, so loading stays cheap for callers that only count or export.
    """

    src_lang: str
    tgt_lang: str
    entries: list[Entry] = field(default_factory=list)
    name: str = ""
    skipped_lines: int = 0
    # entries a source's parser left out on purpose, by reason (not malformed input): for reports
    dropped: dict[str, int] = field(default_factory=dict)
    _exact: dict[str, list[Entry]] | None = field(default=None, init=False, repr=False)
    _folded: dict[str, list[Entry]] | None = field(default=None, init=False, repr=False)
    _max_ngram: int = field(default=1, init=False, repr=False)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        self._exact = self._folded = None

    def extend(self, entries: Iterable[Entry]) -> None:
        self.entries.extend(entries)
        self._exact = self._folded = None

    # -- lookup -------------------------------------------------------------------------------------------

    def _index(self) -> tuple[dict[str, list[Entry]], dict[str, list[Entry]]]:
        if self._exact is None or self._folded is None:
            exact: dict[str, list[Entry]] = defaultdict(list)
            folded: dict[str, list[Entry]] = defaultdict(list)
            max_n = 1
            for entry in self.entries:
                exact[entry.src].append(entry)
                folded[entry.src.casefold()].append(entry)
                n = entry.src.count(" ") + 1
                if n > max_n:
                    max_n = n
            self._exact, self._folded, self._max_ngram = dict(exact), dict(folded), max_n
        return self._exact, self._folded

    @property
    def max_ngram(self) -> int:
        """Length in words of the longest source phrase."""
        self._index()
        return self._max_ngram

    def lookup(self, phrase: str, *, casefold: bool = True) -> list[Translation]:
        """Translations of `phrase`, best first; exact match, else (if `casefold`) case-folded match."""
        exact, folded = self._index()
        hits = exact.get(phrase)
        if not hits and casefold:
            hits = folded.get(phrase.casefold())
        return _aggregate(hits or ())

    def lookup_longest(
        self, tokens: Sequence[str], start: int, *, casefold: bool = True, max_n: int | None = None
    ) -> tuple[int, list[Translation]]:
        """Longest source n-gram starting at `tokens[start]` that the lexicon has: (n, translations).

        Returns (0, []) when not even the single token is known. Exact matches of a length win over
        case-folded ones of the same length; a longer case-folded match wins over a shorter exact one.
        """
        exact, folded = self._index()
        longest = min(max_n or self._max_ngram, len(tokens) - start)
        for n in range(longest, 0, -1):
            phrase = " ".join(tokens[start : start + n])
            hits = exact.get(phrase)
            if not hits and casefold:
                hits = folded.get(phrase.casefold())
            if hits:
                return n, _aggregate(hits)
        return 0, []

    def has(self, phrase: str, *, casefold: bool = True) -> bool:
        """Whether `phrase` has a translation (exactly, or case-folded): `lookup` without building results."""
        exact, folded = self._index()
        return phrase in exact or (casefold and phrase.casefold() in folded)

    def __contains__(self, phrase: object) -> bool:
        return isinstance(phrase, str) and phrase in self._index()[0]

    # -- combination and filtering --------------------------------------------------------------------------

    @classmethod
    def merge(
        cls, lexicons: Sequence[Lexicon], weights: Mapping[str, float] | None = None, *, name: str = ""
    ) -> Lexicon:
        """Union of `lexicons` (same language pair); each entry's weight is scaled by its source's weight.

        `weights` maps a lexicon's name (or an entry's source) to a multiplier; unnamed ones count 1.0.
        """
        if not lexicons:
            raise ValueError("merge needs at least one lexicon")
        pair = (lexicons[0].src_lang, lexicons[0].tgt_lang)
        for lex in lexicons[1:]:
            if (lex.src_lang, lex.tgt_lang) != pair:
                raise ValueError(
                    f"cannot merge {lex.name or 'lexicon'} {lex.src_lang}-{lex.tgt_lang} into {pair[0]}-{pair[1]}"
                )
        weights = weights or {}
        merged = cls(pair[0], pair[1], name=name or "+".join(lex.name for lex in lexicons if lex.name))
        for lex in lexicons:
            factor = weights.get(lex.name, 1.0)
            for e in lex.entries:
                w = e.weight * weights.get(e.source, factor)
                merged.entries.append(Entry(e.src, e.tgt, e.pos, w, e.source, e.url, e.line))
            merged.skipped_lines += lex.skipped_lines
        return merged

    def filter(
        self,
        *,
        min_weight: float | None = None,
        min_count: int | None = None,
        top_k: int | None = None,
        src_vocab: Mapping[str, int] | None = None,
        min_src_freq: int = 1,
    ) -> Lexicon:
        """A new lexicon keeping only the pairs that pass every given criterion.

        - `min_weight`: summed weight of a (source, target) pair over all its entries.
        - `min_count`: number of entries attesting the pair (e.g. 2 = at least two sources or lines agree).
        - `top_k`: at most k targets per source phrase, by summed weight.
        - `src_vocab` + `min_src_freq`: keep source phrases whose corpus frequency is at least `min_src_freq`.
        """
        exact, _ = self._index()
        keep_pairs: set[tuple[str, str]] = set()
        for src, hits in exact.items():
            if src_vocab is not None and src_vocab.get(src, 0) < min_src_freq:
                continue
            ranked = _aggregate(hits)
            if min_weight is not None:
                ranked = [t for t in ranked if t.weight >= min_weight]
            if min_count is not None:
                ranked = [t for t in ranked if t.count >= min_count]
            if top_k is not None:
                ranked = ranked[:top_k]
            keep_pairs.update((src, t.tgt) for t in ranked)
        kept = [e for e in self.entries if (e.src, e.tgt) in keep_pairs]
        return Lexicon(self.src_lang, self.tgt_lang, kept, name=self.name, skipped_lines=self.skipped_lines)

    # -- reporting and export ------------------------------------------------------------------------------

    def stats(self) -> dict[str, int | str]:
        """Counts for `lrx lexicon stats`: unique pairs, source and target phrases, multiword entries."""
        pairs = {(e.src, e.tgt) for e in self.entries}
        return {
            "source": self.name,
            "src": self.src_lang,
            "tgt": self.tgt_lang,
            "entries": len(pairs),
            "src_words": len({src for src, _ in pairs}),
            "tgt_words": len({tgt for _, tgt in pairs}),
            "multiword": sum(1 for src, tgt in pairs if " " in src or " " in tgt),
            "skipped_lines": self.skipped_lines,
        }

    def to_tsv(self, path: str | Path, *, provenance: bool = True) -> int:
        """Write `src tgt pos weight [source url line]`, tab-separated, with a header; returns the row count."""
        header = ["src", "tgt", "pos", "weight"] + (["source", "url", "line"] if provenance else [])
        path = Path(path)
        tmp = path.with_name(path.name + ".part")
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
            writer.writerow(header)
            for e in self.entries:
                row = [e.src, e.tgt, e.pos or "", f"{e.weight:g}"]
                if provenance:
                    row += [e.source, e.url, str(e.line)]
                writer.writerow(row)
        tmp.replace(path)
        return len(self.entries)


def _aggregate(hits: Iterable[Entry]) -> list[Translation]:
    """Group entries by target phrase, summing weights; best (highest weight, then most attested) first."""
    grouped: dict[str, list[Entry]] = {}
    for e in hits:
        grouped.setdefault(e.tgt, []).append(e)
    out = [
        Translation(
            tgt=tgt,
            weight=sum(e.weight for e in group),
            count=len(group),
            sources=tuple(dict.fromkeys(e.source for e in group)),
            pos=tuple(dict.fromkeys(e.pos for e in group if e.pos)),
        )
        for tgt, group in grouped.items()
    ]
    out.sort(key=lambda t: (-t.weight, -t.count))
    return out
