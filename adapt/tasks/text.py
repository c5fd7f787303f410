"""Unlabeled text: plain text files (one sentence a line) and Bibles (a verse a sentence, by verse id).

Plain text: every line is a sentence, tokens split at whitespace; a blank line is a sentence without tokens,
so that line i of the output stays line i of the input (parallel files, line-aligned translations). Written
back, a sentence is its tokens joined by single spaces; one as read is written exactly as it was.

Bibles come as a TSV (`verse_id<TAB>text`, e.g. the derived English KJV) or as the CES XML of the
bible-corpus (`<seg id="b.MAT.5.3" type="verse">text</seg>`), read as a stream through defusedxml. Verse
text is tokenised by `tokenize` for lexicon look-ups: split at whitespace, then punctuation and symbols at
either end of a word split off as one token per character ("Lord," -> "Lord" ","; "(mama" -> "(" "mama").
Punctuation inside a word stays ("don't", "well-known", "U.S" + "."), and modifier letters such as the
glottal stop U+02BC are letters, so "Ab\u02bcraham" is one word; combining marks are never split from their
base.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from lrx.adapt.tasks.base import Task
from lrx.adapt.tasks.base import register_task
from lrx.adapt.tasks.conll import Original
from lrx.adapt.tasks.conll import check_field
from lrx.adapt.tasks.conll import original_text
from lrx.lexicons.sources.xmlstream import iter_xml_elements

from lrx.core.errors import FormatError
from lrx.core.sentence import Sentence

FORMAT = "text"


def parse(text: str, path: str, first_line: int = 1) -> list[Sentence]:
    """A sentence per line ("\\n" ends a line; a "\\r" before it is not part of any token)."""
    sentences: list[Sentence] = []
    pos, size = 0, len(text)
    number = first_line
    while pos < size:
        newline = text.find("\n", pos)
        end = size if newline < 0 else newline + 1
        raw = text[pos:end]
        tokens = raw.split()
        sentences.append(Sentence(tokens, [], {}, f"{path}:{number}", Original.of(FORMAT, raw, tokens, [], {})))
        number += 1
        pos = end
    return sentences


def serialize(sentences: Iterable[Sentence]) -> Iterator[str]:
    """A line per sentence; labels and meta are not part of plain text and are not written."""
    previous: str | None = None
    for sentence in sentences:
        if previous is not None:
            yield previous if previous.endswith("\n") else previous + "\n"
        raw = original_text(sentence, FORMAT)
        if raw is None:
            for token in sentence.tokens:
                check_field(token, "token", sentence, spaces=False)
            raw = " ".join(sentence.tokens) + "\n"
        previous = raw
    if previous is not None:
        yield previous


@lru_cache(maxsize=4096)
def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def tokenize(text: str) -> list[str]:
    """Whitespace split, with punctuation and symbols split off the ends of words (see the module's docstring)."""
    tokens: list[str] = []
    for chunk in text.split():
        start, end = 0, len(chunk)
        while start < end and _is_punctuation(chunk[start]):
            start += 1
        while end > start and _is_punctuation(chunk[end - 1]):
            end -= 1
        tokens.extend(chunk[:start])
        if start < end:
            tokens.append(chunk[start:end])
        tokens.extend(chunk[end:])
    return tokens


def read_bible(path: str | Path, *, xml: bool | None = None) -> list[Sentence]:
    """The verses of a Bible, in file order: tokens by `tokenize`, `meta["id"]` the verse id (`b.GEN.1.1`).
    CES XML if `xml` (by default: a `.xml` file), else `verse_id<TAB>text` lines. A verse with no text (a
    few XML Bibles have one) is a sentence without tokens; a verse id seen twice is a `FormatError`."""
    verses = _verses(Path(path), xml)
    return [Sentence(tokenize(text), [], {"id": verse}, f"{path}:{line}") for line, verse, text in verses]


def read_verses(path: str | Path) -> dict[str, str]:
    """verse id -> verse text (whitespace runs made single spaces), in file order; see `read_bible`."""
    return {verse: text for _, verse, text in _verses(Path(path))}


def _verses(path: Path, xml: bool | None = None) -> Iterator[tuple[int, str, str]]:
    seen: set[str] = set()
    if xml is None:
        xml = path.suffix.lower() == ".xml"
    source = _xml_verses(path) if xml else _tsv_verses(path)
    for line, verse, text in source:
        if verse in seen:
            raise FormatError(path, line, f"verse {verse!r} appears twice")
        seen.add(verse)
        yield line, verse, text


def decoded_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line without its end) of a UTF-8 file, a byte-order mark dropped; bytes that are not
    UTF-8 are a FormatError naming the file and line. Read as a stream: Bibles and corpora can be large."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise FormatError(path, number, f"not UTF-8 ({exc.reason})") from None
            yield number, line.removeprefix("\ufeff") if number == 1 else line


def _tsv_verses(path: Path) -> Iterator[tuple[int, str, str]]:
    for number, line in decoded_lines(path):
        if not line.strip():
            continue
        verse, tab, text = line.partition("\t")
        if not tab or "\t" in text:
            raise FormatError(path, number, f"expected 2 tab-separated columns, found {line.count(chr(9)) + 1}")
        if not verse.strip():
            raise FormatError(path, number, "empty verse id")
        yield number, verse.strip(), " ".join(text.split())


def _xml_verses(path: Path) -> Iterator[tuple[int, str, str]]:
    for item in iter_xml_elements(path, "seg"):
        if isinstance(item, FormatError):
            raise item
        line, element = item
        if element.get("type", "verse") != "verse":
            continue
        verse = element.get("id")
        if not verse:
            raise FormatError(path, line, "a verse <seg> without an id")
        yield line, verse, " ".join("".join(element.itertext()).split())


# the task this format is the file format of (lrx.adapt.tasks.base)
TASK = register_task(Task("text", parse, serialize))
