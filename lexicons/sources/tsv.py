"""A lexicon in a plain TSV file, local or at a URL: what linguists write, what `lrx lexicon export` writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import Pair
from lrx.lexicons.sources.base import register_source
from lrx.lexicons.sources.tabular import MAX_LINE_CHARS
from lrx.lexicons.sources.tabular import Record
from lrx.lexicons.sources.tabular import read_lines

from lrx.core.errors import FormatError
from lrx.core.languages import normalize_language

HEADER_START = ("src", "source")


@register_source("tsv")
class TsvSource(LexiconSource):
    """`source<TAB>target[<TAB>pos[<TAB>weight[<TAB>...]]]`, one pair a line; lines starting with `#` are
    comments. An optional header (the first line that is not a comment) starts with `src` or `source` and names
    the columns: then the weight is the column named `weight`, if any (a contributed lexicon's `source target
    pos note`, a `lrx gaps` file among them, has none: its notes are not weights); without a header it is the
    fourth column. A weight scales the source's weight per entry; other columns (notes, the provenance `lrx
    lexicon export` writes) are ignored. A row without a target (a `lrx gaps` row not filled yet) is skipped
    and counted, as malformed lines are."""

    licence = "as the file's author states"
    citation = ""
    homepage = ""

    def __init__(self, *, url: str | None = None, src_lang: str = "eng", tgt_lang: str | None = None, **options):
        super().__init__(**options)
        self.location = url
        self.src_lang = src_lang
        self.tgt_lang = tgt_lang

    def pairs(self) -> list[Pair]:
        return [Pair(self.src_lang, self.tgt_lang)] if self.tgt_lang else []

    def resolve_all(self, tgt: str, src: str = "eng") -> list[tuple[Pair, bool]]:
        # A file whose languages are not configured is taken to be the pair the user asks for.
        if self.tgt_lang is None:
            normalize_language(tgt)
            return [(Pair(src, tgt), False)]
        return super().resolve_all(tgt, src)

    def url(self, pair: Pair) -> str:
        if not self.location:
            raise ValueError("the tsv source needs a file: set its `url` option (a local path or a URL)")
        if "://" in self.location:
            return self.location
        return Path(self.location).expanduser().resolve().as_uri()

    def parse(
        self, path: Path, url: str, pair: Pair | None = None, reverse: bool = False
    ) -> Iterator[Record | FormatError]:
        weight_column: int | None = 3  # without a header, the fourth column
        first = True
        for number, line in enumerate(read_lines(path), 1):
            if not line.strip() or line.startswith("#"):
                continue
            columns = line.split("\t")
            if first:
                first = False
                if columns[0].strip().lower() in HEADER_START:
                    names = [name.strip().lower() for name in columns]
                    weight_column = names.index("weight") if "weight" in names else None
                    continue
            if len(columns) < 2:
                yield FormatError(path, number, "no tab between source and target")
            elif len(line) > MAX_LINE_CHARS:
                yield FormatError(path, number, f"line longer than {MAX_LINE_CHARS} characters")
            elif not columns[0].strip() or not columns[1].strip():
                yield FormatError(path, number, "empty source or target")
            else:
                pos = (columns[2].strip() or None) if len(columns) > 2 else None
                if weight_column is not None and len(columns) > weight_column and columns[weight_column].strip():
                    try:
                        weight = float(columns[weight_column])
                    except ValueError:
                        yield FormatError(path, number, f"weight {columns[weight_column]!r} is not a number")
                        continue
                    yield number, columns[0], columns[1], pos, weight
                else:
                    yield number, columns[0], columns[1], pos
