"""Bible verses for lexicon induction: `verse id -> text` from a TSV or a bible-corpus CES XML file, and the word
tokenisation aligners see.

Two formats, told apart by the content (a file fetched from a URL may have lost its suffix): `verse_id<TAB>text`
lines (the derived English KJV), or the CES XML of the bible-corpus (`<seg id="b.MAT.5.3" type="verse">`),
streamed through defusedxml. Verse ids look like `b.MAT.5.3`: the book is the second dot-separated part, in the
corpus's own codes (`MAR`, `JOH`), to which `book_code` maps the USFM ones (`MRK`, `JHN`).

`words` lowercases (NFC first) and splits punctuation and symbols off both ends of each whitespace-separated
chunk, one token per character, as `lrx.adapt.tasks.text.tokenize` does for look-ups. One exception: an ASCII
apostrophe right after a letter at the end of a word stays, since Mayan orthographies write the glottal stop
with it (K'iche' "ri'", "k'u'x"; 460 of GATITOS's 4,622 K'iche' entries end with one).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from lrx.core.errors import FormatError


def read_verses(path: str | Path) -> dict[str, str]:
    """verse id -> verse text (whitespace runs made single spaces), in file order (see `iter_verses`)."""
    return {verse: text for _, verse, text in iter_verses(path)}


def iter_verses(path: str | Path, xml: bool | None = None) -> Iterator[tuple[int, str, str]]:
    """(line, verse id, text) of a Bible, in file order: CES XML if `xml` (by default: if the file starts with
    `<`), else `verse_id<TAB>text` lines. A verse id seen twice is a `FormatError` naming the file and line.
    The one verse reader: `lrx.adapt.tasks.text.read_bible` tokenises what this reads."""
    path = Path(path)
    if xml is None:
        xml = _looks_like_xml(path)
    seen: set[str] = set()
    for line, verse, text in _xml_verses(path) if xml else _tsv_verses(path):
        if verse in seen:
            raise FormatError(path, line, f"verse {verse!r} appears twice")
        seen.add(verse)
        yield line, verse, text


# USFM book codes (what most Bible tools write) -> the bible-corpus's own, where they differ
BOOK_ALIASES = {
    "SNG": "SON",
    "EZK": "EZE",
    "JOL": "JOE",
    "NAM": "NAH",
    "MRK": "MAR",
    "JHN": "JOH",
    "PHP": "PHI",
    "JAS": "JAM",
    "1JN": "1JO",
    "2JN": "2JO",
    "3JN": "3JO",
}


def book_code(name: str) -> str:
    """A book as the verse ids name it: `mrk`, `MRK` or `MAR` -> `MAR` (USFM codes are accepted)."""
    code = name.strip().upper()
    return BOOK_ALIASES.get(code, code)


def book(verse: str) -> str:
    """`b.MAT.5.3` -> `MAT` (the id itself when it has no dots)."""
    parts = verse.split(".")
    return parts[1] if len(parts) > 2 else parts[0]


@lru_cache(maxsize=4096)
def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def words(text: str) -> list[str]:
    """Lowercased tokens, punctuation split off the ends of words (see the module's docstring)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    tokens: list[str] = []
    for chunk in text.lower().split():
        start, end = 0, len(chunk)
        while start < end and _is_punctuation(chunk[start]):
            start += 1
        while end > start and _is_punctuation(chunk[end - 1]):
            if chunk[end - 1] == "'" and end - 1 > start and chunk[end - 2].isalpha():
                break  # a glottal-stop apostrophe, part of the word
            end -= 1
        tokens.extend(chunk[:start])
        if start < end:
            tokens.append(chunk[start:end])
        tokens.extend(chunk[end:])
    return tokens


def is_word(token: str) -> bool:
    """Whether a token has a letter: numbers and punctuation do not go into a lexicon."""
    return any(char.isalpha() for char in token)


def _looks_like_xml(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


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
    # imported here: importing lrx.lexicons.sources registers every source, the `bible` source among them,
    # which imports lrx.lexicons.induce, which imports this module
    from lrx.lexicons.sources.xmlstream import iter_xml_elements

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
