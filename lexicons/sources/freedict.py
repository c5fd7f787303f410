"""FreeDict: ~150 free bilingual dictionaries in TEI P5 XML, one `<src>-<tgt>.tei` file per direction.

Two encodings occur. Newer dictionaries put each equivalent in `entry/sense/cit[@type="trans"]/quote`;
older imports (eng-swh, swh-eng) put a comma-separated list of equivalents in `entry/sense/def`. Some
files mix both (kha-eng), and there a `def` beside the quotes is an explanation, not a translation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from xml.etree.ElementTree import Element

from lrx.lexicons.cleaning import strip_notes
from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import Pair
from lrx.lexicons.sources.base import register_source
from lrx.lexicons.sources.tabular import Record
from lrx.lexicons.sources.xmlstream import iter_xml_elements

from lrx.core.errors import FormatError

# The fd-dictionaries commit the data mirror holds; every URL of checksums/freedict.sha256 pins it.
COMMIT = "c4ec720264bdcc2e34ce604d9308f5948ae7b7b7"

# The pairs in the data mirror. FreeDict has ~150 more: pass `pairs=[...]` (pins only cover these).
DEFAULT_PAIRS = ("eng-swh", "swh-eng", "kha-eng", "kur-eng", "eng-gle", "gle-eng", "eng-afr", "afr-eng")

# The rule for old-style `def`s with no `cit` beside them: the def is a list of equivalents separated by
# commas or semicolons ("worship, revere, adore"), each one a translation. An alternative of more than
# MAX_DEF_WORDS words (bracketed notes not counted) explains rather than translates ("the one referred to
# previously or close to the hearer" in swh-eng) and is dropped; a def containing a sentence break
# ("...of the Khasi Alphabet. It is a sign of a Vowel...") is prose and dropped whole, since splitting
# it at commas would keep short fragments of the explanation. swh-eng's real equivalents have at most
# 4 words ("the day before yesterday"); its explanations 10.
MAX_DEF_WORDS = 5
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")

# Headword clean-up the generic cleaning does not do: a label before the form ("better: Ekjakor",
# "or: Ïakjakor" in kha-eng) and a stem in angle brackets ("hêlan <hêl>" in kur-eng).
_ORTH_LABEL = re.compile(r"^\w+:\s+")
_ANGLE_NOTE = re.compile(r"\s*<[^<>]*>")

_TRANSLATION_CITS = frozenset({"trans", "translation"})

# Bytes handed to expat at a time: entries come out of the parser as each chunk is parsed.


@register_source("freedict")
class FreeDictSource(LexiconSource):
    """FreeDict TEI dictionaries; `pairs` lists the `src-tgt` files (ISO 639-3 codes) to offer.

    After a parse, `skipped` counts what was left out on purpose, by reason: `explanation` (a def that
    explains), `gloss` (a def beside translation quotes), `example` (example sentences), `no_translation`
    (entries with nothing usable, e.g. swh-eng's generated plural entries, which only point at the
    singular). Malformed entries are `FormatError`s instead (counted in `Lexicon.skipped_lines`)."""

    licence = "GPL-2.0-or-later (per dictionary: see each file's teiHeader/availability)"
    citation = (
        "FreeDict contributors. FreeDict: free bilingual dictionaries, https://freedict.org/ "
        "(each dictionary credits its authors in its TEI header)"
    )
    homepage = "https://freedict.org/"
    default_url_template = (
        f"https://raw.githubusercontent.com/freedict/fd-dictionaries/{COMMIT}/{{src}}-{{tgt}}/{{src}}-{{tgt}}.tei"
    )

    def __init__(
        self,
        *,
        pairs: Sequence[str] = DEFAULT_PAIRS,
        checksums: Mapping[str, str] | str = "freedict.sha256",
        both_directions: bool = True,
        **options,
    ) -> None:
        super().__init__(checksums=checksums, both_directions=both_directions, **options)
        self._pairs = [Pair.parse(name) for name in pairs]

    def pairs(self) -> list[Pair]:
        return list(self._pairs)

    def parse(
        self, path: Path, url: str, pair: Pair | None = None, reverse: bool = False
    ) -> Iterator[Record | FormatError]:
        for item in iter_xml_elements(path, "entry"):
            if isinstance(item, FormatError):
                yield item
            else:
                yield from self._entry_records(path, *item)

    def _entry_records(self, path: Path, line: int, entry: Element) -> Iterator[Record | FormatError]:
        headwords = [word for word in map(_headword, entry.iterfind("form//orth")) if word]
        if not headwords:
            yield FormatError(path, line, "<entry> has no <form>/<orth> headword")
            return
        found = False
        for pos, translations in self._senses(entry, _pos(entry)):
            for translation in translations:
                found = True
                for headword in headwords:
                    yield line, headword, translation, pos
        if not found:
            self._skip("no_translation")

    def _senses(self, node: Element, pos: str | None) -> Iterator[tuple[str | None, list[str]]]:
        """(POS, translations) for `node` (the entry itself, which may hold a bare `def`) and each of its
        senses and sub-senses; a sense's own `gramGrp/pos` overrides the entry's."""
        quotes = [
            text
            for cit in node.iterfind("cit")
            if cit.get("type") in _TRANSLATION_CITS
            for text in (_text(quote) for quote in cit.iterfind("quote"))
            if text
        ]
        # Example sentences with their translations are usage, not lexicon entries.
        self._skip("example", sum(1 for cit in node.iterfind("cit") if cit.get("type") == "example"))
        defs = [_text(d, skip="note") for d in node.iterfind("def")]
        if quotes:
            self._skip("gloss", len(defs))
            yield pos, quotes
        else:
            for text in defs:
                kept, dropped = _def_alternatives(text)
                self._skip("explanation", dropped)
                yield pos, kept
        for sense in node.iterfind("sense"):
            yield from self._senses(sense, _pos(sense) or pos)

    def _skip(self, reason: str, count: int = 1) -> None:
        if count:  # a Counter would otherwise list reasons with 0
            self.skipped[reason] += count


def _text(element: Element, *, skip: str | None = None) -> str:
    """The element's text with whitespace collapsed, leaving out the content (not the tail) of `skip`
    children: a def's `<note type="num">sg.</note>` is a label, not part of the equivalent."""
    parts = [element.text or ""]
    for child in element:
        if child.tag != skip:
            parts.append(_text(child, skip=skip))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _headword(orth: Element) -> str:
    text = _ANGLE_NOTE.sub("", _ORTH_LABEL.sub("", _text(orth)))
    return text.strip()


def _pos(node: Element) -> str | None:
    pos = node.find("gramGrp/pos")
    return (_text(pos) or None) if pos is not None else None


def _def_alternatives(text: str) -> tuple[list[str], int]:
    """The translations in an old-style def, and how many alternatives were dropped as explanations."""
    if not text:
        return [], 0
    if _SENTENCE_BREAK.search(text):
        return [], 1
    parts = _split_top_level(text)
    kept = [part for part in parts if len(strip_notes(part).split()) <= MAX_DEF_WORDS]
    return kept, len(parts) - len(kept)


def _split_top_level(text: str) -> list[str]:
    """Split at commas and semicolons outside brackets: "fish (salted, dried)" stays one alternative."""
    parts: list[str] = []
    depth = start = 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char in ",;" and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]
