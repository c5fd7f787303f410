"""Streaming XML for lexicon files (FreeDict TEI, Apertium .dix): one element at a time, with its line,
through defusedxml so that entity expansion and external references are refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError
from xml.etree.ElementTree import TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from lrx.core.errors import FormatError

_CHUNK = 1 << 16


def iter_xml_elements(
    path: Path, name: str, *, within: str | None = None
) -> Iterator[tuple[int, Element] | FormatError]:
    """Stream the outermost elements called `name` (namespaces dropped from all tags), each with the line
    of its start tag, without building the whole tree. With `within`, only those inside a `within` element.

    defusedxml refuses entity declarations and external references (billion laughs, XXE): that raises a
    `FormatError` at once whatever the strictness, since nothing in such a file can be trusted. Malformed
    XML yields one `FormatError` (file and line) and ends the stream: expat cannot resume after an error,
    so in lenient mode the entries before it are kept and the error counted.
    """
    collector = _Collector(name, within)
    parser = DefusedXMLParser(target=collector)
    collector.position = parser.parser
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(_CHUNK):
                parser.feed(chunk)
                yield from collector.take()
            parser.close()
        except ParseError as exc:
            yield from collector.take()
            yield FormatError(path, exc.position[0], f"malformed XML: {exc}")
            return
        except DefusedXmlException as exc:
            raise FormatError(
                path,
                parser.parser.CurrentLineNumber,
                f"refused: XML with entity declarations or external references ({exc})",
            ) from None
    yield from collector.take()


class _Collector:
    """Parser target building only the subtrees of the elements wanted; their start lines come from the
    expat parser at the moment its start-tag callback runs."""

    def __init__(self, name: str, within: str | None) -> None:
        self.name, self.within = name, within
        self.position = None  # the expat parser, set once the parser exists
        self.open: list[str] = []  # tags open outside a collected element (only tracked for `within`)
        self.builder: TreeBuilder | None = None
        self.depth = self.line = 0
        self.done: list[tuple[int, Element]] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        tag = tag.rpartition("}")[2]
        if self.builder is None:
            if tag != self.name or (self.within is not None and self.within not in self.open):
                if self.within is not None:
                    self.open.append(tag)
                return
            self.builder = TreeBuilder()
            self.line = self.position.CurrentLineNumber
        self.depth += 1
        self.builder.start(tag, {key.rpartition("}")[2]: value for key, value in attrib.items()})

    def end(self, tag: str) -> None:
        if self.builder is None:
            if self.within is not None:
                self.open.pop()
            return
        element = self.builder.end(tag.rpartition("}")[2])
        self.depth -= 1
        if self.depth == 0:
            self.done.append((self.line, element))
            self.builder = None

    def data(self, text: str) -> None:
        if self.builder is not None:
            self.builder.data(text)

    def close(self) -> None:
        return None

    def take(self) -> list[tuple[int, Element]]:
        done, self.done = self.done, []
        return done
