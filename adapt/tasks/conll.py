"""NER data in two-column CoNLL (`token TAG` a line, a blank line between sentences): CoNLL-2003, MasakhaNER.

Also the pieces the other block formats (CoNLL-U, xSID) share: splitting a file into blank-line separated blocks
with their exact text, the `Original` record that lets a writer give an unchanged sentence back byte for byte,
and joining written blocks so that they stay separated whatever the source of each.

`-DOCSTART-` lines (CoNLL-2003's document boundaries) are not sentences: such a line goes into the next
sentence's `meta["docstart"]` (the line as read, e.g. `-DOCSTART- O` or `-DOCSTART- -X- -X- O`), so that a
synthesized copy of the sentence still starts a document when written. Whatever column count it has, it is
not held to the two-column rule.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass

from lrx.adapt.tasks.base import TaggingTask
from lrx.adapt.tasks.base import register_task

from lrx.core.errors import FormatError
from lrx.core.sentence import Sentence

FORMAT = "ner"
DOCSTART = "-DOCSTART-"
# the tag forms accepted in NER data and xSID slots; a span opened by I- (no B- before it) is allowed
BIO_TAG = re.compile(r"O|[BI]-\S+")


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive non-blank lines of a file: (1-based line number, line without its terminator) each, and
    the span [start, end) of the file's text it owns: its lines, the blank lines after it (the separator),
    and for the file's first block the blank lines before it."""

    lines: list[tuple[int, str]]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Original:
    """A reader's record of a sentence: its exact text in the file, and what was read from it.

    A writer uses `text` only when the sentence is still what was read (same format, tokens, labels and
    meta); anything else, a synthesized sentence above all, is written from its fields.
    """

    format: str
    text: str
    tokens: tuple[str, ...]
    labels: tuple[str, ...]
    meta: tuple[tuple[str, str], ...]
    space_after: tuple[bool, ...] = ()

    @classmethod
    def of(
        cls,
        fmt: str,
        text: str,
        tokens: list[str],
        labels: list[str],
        meta: dict[str, str],
        space_after: list[bool] | None = None,
    ) -> Original:
        return cls(fmt, text, tuple(tokens), tuple(labels), tuple(meta.items()), tuple(space_after or ()))

    def unchanged(self, sentence: Sentence, fmt: str) -> bool:
        return (
            self.format == fmt
            and self.tokens == tuple(sentence.tokens)
            and self.labels == tuple(sentence.labels)
            and self.meta == tuple(sentence.meta.items())
            and self.space_after == tuple(sentence.space_after)
        )


def original_text(sentence: Sentence, fmt: str) -> str | None:
    """The sentence's text as read, if it may be written back as is (see `Original`)."""
    original = sentence.original
    if isinstance(original, Original) and original.unchanged(sentence, fmt):
        return original.text
    return None


def iter_blocks(text: str, first_line: int = 1) -> Iterator[Block]:
    """Split `text` into blocks of non-blank lines (a whitespace-only line is blank). Only "\\n" ends a line
    (a "\\r" before it is dropped from the line's content); the blocks' spans cover the whole text once
    there is a block, so joining them gives the text back."""
    lines: list[tuple[int, str]] = []
    number = first_line - 1
    pos = block_start = 0
    separated = False  # a blank line has followed the current block's lines
    size = len(text)
    while pos < size:
        newline = text.find("\n", pos)
        end = size if newline < 0 else newline + 1
        line = text[pos : end if newline < 0 else newline]
        if line.endswith("\r"):
            line = line[:-1]
        number += 1
        if line.strip():
            if separated:
                yield Block(lines, block_start, pos)
                lines, block_start, separated = [], pos, False
            lines.append((number, line))
        elif lines:
            separated = True
        pos = end
    if lines:
        yield Block(lines, block_start, size)


def close_block(chunk: str) -> str:
    """`chunk` ending in a line terminator and a blank line, so that the next block written stays apart."""
    if not chunk.endswith("\n"):
        chunk += "\n"
    body = chunk[:-1]
    if body[body.rfind("\n") + 1 :].strip():
        chunk += "\n"
    return chunk


def join_blocks(chunks: Iterable[str]) -> Iterator[str]:
    """The chunks in order, each but the last closed by a blank line (a last sentence read from a file without
    a final blank line may be followed by others when written)."""
    previous: str | None = None
    for chunk in chunks:
        if previous is not None:
            yield close_block(previous)
        previous = chunk
    if previous is not None:
        yield previous


def serialize_with(
    sentences: Iterable[Sentence], fmt: str, written: Callable[[Sentence], Iterable[str]]
) -> Iterator[str]:
    """A file's text in chunks: each sentence as read when it is unchanged (`original_text`), else as
    `written` writes it (any number of chunks); chunks closed by blank lines (`join_blocks`). The one writer
    loop of the block formats (NER, CoNLL-U, xSID), which differ only in `written`."""

    def chunks() -> Iterator[str]:
        for sentence in sentences:
            raw = original_text(sentence, fmt)
            if raw is not None:
                yield raw
            else:
                yield from written(sentence)

    return join_blocks(chunks())


def check_field(value: str, what: str, sentence: Sentence, *, spaces: bool) -> None:
    """Refuse a value the format cannot hold: empty, a line break or tab, or (with `spaces` False) any
    whitespace, which would split it on reading."""
    bad = not value or "\n" in value or "\r" in value or "\t" in value
    if not spaces:
        bad = bad or value.split() != [value]
    if bad:
        raise ValueError(f"{sentence.where or 'sentence'}: cannot write {what} {value!r} in this format")


def parse(text: str, path: str, first_line: int = 1) -> list[Sentence]:
    """The sentences of a two-column CoNLL NER file; a line with other than two whitespace-separated columns
    or a tag that is not O, B-TYPE or I-TYPE is a `FormatError` naming file and line."""
    sentences: list[Sentence] = []
    pending_doc: str | None = None  # a -DOCSTART- block waiting for its sentence
    pending_start: int | None = None
    for block in iter_blocks(text, first_line):
        tokens: list[str] = []
        labels: list[str] = []
        docstart = pending_doc
        first = 0  # the line of the first token
        for number, line in block.lines:
            fields = line.split()
            if fields[0] == DOCSTART:
                if tokens:
                    raise FormatError(path, number, f"{DOCSTART} inside a sentence (no blank line before it)")
                docstart = line.strip()
                continue
            if len(fields) != 2:
                raise FormatError(path, number, f"expected 2 columns (token and tag), found {len(fields)}")
            token, tag = fields
            if not BIO_TAG.fullmatch(tag):
                raise FormatError(path, number, f"tag {tag!r} is not O, B-TYPE or I-TYPE")
            if not tokens:
                first = number
            tokens.append(token)
            labels.append(tag)
        start = block.start if pending_start is None else pending_start
        if not tokens:  # only -DOCSTART-: it belongs to the sentence that follows
            pending_doc, pending_start = docstart, start
            continue
        meta = {"docstart": docstart} if docstart is not None else {}
        raw = text[start : block.end]
        sentences.append(
            Sentence(tokens, labels, meta, f"{path}:{first}", Original.of(FORMAT, raw, tokens, labels, meta))
        )
        pending_doc = pending_start = None
    if pending_start is not None and sentences:  # a -DOCSTART- at the very end: kept with the last sentence
        last = sentences[-1]
        last.original = dataclasses.replace(last.original, text=last.original.text + text[pending_start:])
    return sentences


def serialize(sentences: Iterable[Sentence]) -> Iterator[str]:
    """The file's text in chunks. A sentence without tokens has no form in this format and is left out
    (its -DOCSTART-, if any, is still written)."""
    return serialize_with(sentences, FORMAT, _written)


def _written(sentence: Sentence) -> Iterator[str]:
    """A sentence not as read, written from its tokens, labels and meta."""
    docstart = sentence.meta.get("docstart")
    if docstart is not None:
        if docstart.split()[:1] != [DOCSTART] or "\n" in docstart or "\r" in docstart:
            raise ValueError(f"{sentence.where or 'sentence'}: meta docstart {docstart!r} is not a {DOCSTART} line")
        yield docstart + "\n\n"
    if not sentence.tokens:
        return
    if not sentence.labels:
        raise ValueError(f"{sentence.where or 'sentence'}: NER data needs a tag for every token")
    lines = []
    for token, tag in zip(sentence.tokens, sentence.labels, strict=True):
        check_field(token, "token", sentence, spaces=False)
        if token == DOCSTART:
            raise ValueError(f"{sentence.where or 'sentence'}: a {DOCSTART} token would read as a boundary")
        if not BIO_TAG.fullmatch(tag):
            raise ValueError(f"{sentence.where or 'sentence'}: tag {tag!r} is not O, B-TYPE or I-TYPE")
        lines.append(f"{token} {tag}\n")
    lines.append("\n")
    yield "".join(lines)


# the task this format is the file format of (lrx.adapt.tasks.base)
TASK = register_task(TaggingTask("ner", parse, serialize, label_scheme="bio", metrics=("entity_f1",)))
