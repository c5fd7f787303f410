"""Parsing of the plain tab-separated lexicon formats (GATITOS, MUSE, linguists' TSV files)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lrx.core.errors import FormatError

Record = tuple[int, str, str, str | None]

# A lexicon line longer than this is not a lexicon line (a binary file, a mis-served HTML page).
MAX_LINE_CHARS = 10_000


def read_lines(path: Path) -> list[str]:
    """The file's lines, decoded as UTF-8 (a BOM is dropped); a decoding error names the file and line."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FormatError(path, line, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return text.splitlines()


def parse_two_columns(path: Path, *, space_separated: bool = False) -> Iterator[Record | FormatError]:
    """`source<TAB>target` a line. With `space_separated`, a line with no tab splits at its first space
    (MUSE ships both forms; its entries are single words, so the first space is the separator)."""
    for number, line in enumerate(read_lines(path), 1):
        if not line or line.isspace():
            continue
        src, tab, tgt = line.partition("\t")
        if not tab and space_separated:
            src, tab, tgt = line.strip().partition(" ")
        if not tab:
            yield FormatError(path, number, "no tab between source and target")
        elif "\t" in tgt:
            yield FormatError(path, number, f"expected 2 tab-separated columns, found {line.count(chr(9)) + 1}")
        elif len(line) > MAX_LINE_CHARS:
            yield FormatError(path, number, f"line longer than {MAX_LINE_CHARS} characters")
        elif not src.strip() or not tgt.strip():
            yield FormatError(path, number, "empty source or target")
        else:
            yield number, src, tgt, None


def bounded_lines(handle: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | str]]:
    """(1-based number, line bytes) per line of a big dump, holding at most `limit` bytes of a line in memory;
    a longer line comes back as (number, reason) after the rest of it has been read past and dropped."""
    number = 0
    while True:
        raw = handle.readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = handle.readline(1 << 20)
            yield number, f"line longer than {limit} bytes, skipped"
        else:
            yield number, raw
