"""Unlabeled text: plain text files (one sentence a line) and Bibles (a verse a sentence, by verse id).

Text is tokenised by `tokenize`, for lexicon look-ups: split at whitespace, then punctuation and symbols at
either end of a word split off as one token per character ("Lord," -> "Lord" ","; "(mama" -> "(" "mama").
Punctuation inside a word stays ("don't", "well-known", "U.S" + "."), and modifier letters such as the
glottal stop U+02BC are letters, so "Ab\u02bcraham" is one word; combining marks are never split from their
base. `tokenize_spaced` also says, per token, whether a space followed it (CoNLL-U's SpaceAfter), and
`detokenize` puts tokens back together by those flags, so "reigned, (this" -> "reigned" "," "(" "this" ->
"reigned, (this" (whitespace runs become single spaces). The tokeniser is our own, a loop over Unicode
categories: none of lrx's dependencies has a tokeniser that can be undone (sacrebleu's are one-way), and the
same split serves every reader of running text here (plain text, Bibles, `unlabelled.py`).

Plain text: every line is a sentence, its tokens and space flags as above; a blank line is a sentence without
tokens, so that line i of the output stays line i of the input (parallel files, line-aligned translations).
Written back, a sentence as read is written exactly as it was; any other (a translation) is its tokens joined
by its space flags, or by single spaces where it has none. Text written from tokens that came from a task file
(MasakhaNER as unlabelled text; lrx-run's own target-text files) is read back with `parse_pretokenised`, a
whitespace split, so that its tokens come back unchanged. A plain-text file holds sentences and nothing else:
lrx's signature goes beside it, not into it (`lrx.adapt.tasks.write_task`).

Bibles come as a TSV (`verse_id<TAB>text`, e.g. the derived English KJV) or as the CES XML of the
bible-corpus (`<seg id="b.MAT.5.3" type="verse">text</seg>`), read as a stream through defusedxml; verse
text is tokenised as plain text is.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from lrx.adapt.tasks.base import Task
from lrx.adapt.tasks.base import register_task
from lrx.adapt.tasks.conll import Original
from lrx.adapt.tasks.conll import check_field
from lrx.adapt.tasks.conll import original_text
from lrx.lexicons.verses import iter_verses

from lrx.core.sentence import Sentence

FORMAT = "text"


def parse(text: str, path: str, first_line: int = 1) -> list[Sentence]:
    """A sentence per line ("\\n" ends a line; a "\\r" before it is not part of any token), tokenised by
    `tokenize_spaced`."""
    return _parse_lines(text, path, first_line, tokenize_spaced)


def parse_pretokenised(text: str, path: str, first_line: int = 1) -> list[Sentence]:
    """`parse` for text whose tokens are already split, written from tokens without space flags (joined by
    spaces): split at whitespace only, so that a token with punctuation at an end (Luo's `maduong'`, a run of
    quote marks in MasakhaNER) comes back as it was written; no space flags."""
    return _parse_lines(text, path, first_line, _whitespace_split)


def _whitespace_split(line: str) -> tuple[list[str], list[bool]]:
    return line.split(), []


def _parse_lines(
    text: str, path: str, first_line: int, split: Callable[[str], tuple[list[str], list[bool]]]
) -> list[Sentence]:
    sentences: list[Sentence] = []
    pos, size = 0, len(text)
    number = first_line
    while pos < size:
        newline = text.find("\n", pos)
        end = size if newline < 0 else newline + 1
        raw = text[pos:end]
        tokens, spaces = split(raw)
        original = Original.of(FORMAT, raw, tokens, [], {}, spaces)
        sentences.append(Sentence(tokens, [], {}, f"{path}:{number}", original, spaces))
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
            raw = detokenize(sentence.tokens, sentence.space_after) + "\n"
        previous = raw
    if previous is not None:
        yield previous


@lru_cache(maxsize=4096)
def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def tokenize(text: str) -> list[str]:
    """Whitespace split, with punctuation and symbols split off the ends of words (see the module's docstring)."""
    return tokenize_spaced(text)[0]


def tokenize_spaced(text: str) -> tuple[list[str], list[bool]]:
    """`tokenize`'s tokens, and per token whether whitespace follows it before the next token (the last
    token's flag is False): what `detokenize` needs to give the text back."""
    tokens: list[str] = []
    spaces: list[bool] = []
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
        # the pieces of one whitespace-separated chunk are glued; the chunk's last piece has a space after it
        spaces.extend([False] * (len(tokens) - len(spaces) - 1))
        spaces.append(True)
    if spaces:
        spaces[-1] = False
    return tokens, spaces


def detokenize(tokens: Sequence[str], space_after: Sequence[bool] = ()) -> str:
    """The text of `tokens`: each followed by a space where its `space_after` flag says so (all but the last
    when there are no flags), the inverse of `tokenize_spaced` up to whitespace runs."""
    if not space_after:
        return " ".join(tokens)
    parts: list[str] = []
    last = len(tokens) - 1
    for index, (token, space) in enumerate(zip(tokens, space_after, strict=True)):
        parts.append(token)
        if space and index < last:
            parts.append(" ")
    return "".join(parts)


def read_bible(path: str | Path, *, xml: bool | None = None) -> list[Sentence]:
    """The verses of a Bible, in file order: tokens and space flags by `tokenize_spaced`, `meta["id"]` the
    verse id (`b.GEN.1.1`). CES XML if `xml` (by default: if the file starts with `<`), else `verse_id<TAB>text`
    lines (`lrx.lexicons.verses.iter_verses`, the one verse reader). A
    verse with no text (a few XML Bibles have one) is a sentence without tokens; a verse id seen twice is a
    `FormatError`."""
    verses = iter_verses(Path(path), xml)
    sentences = []
    for line, verse, text in verses:
        tokens, spaces = tokenize_spaced(text)
        sentences.append(Sentence(tokens, [], {"id": verse}, f"{path}:{line}", space_after=spaces))
    return sentences


def read_verses(path: str | Path) -> dict[str, str]:
    """verse id -> verse text (whitespace runs made single spaces), in file order; see `read_bible`."""
    return {verse: text for _, verse, text in iter_verses(Path(path))}


# the task this format is the file format of (lrx.adapt.tasks.base)
TASK = register_task(Task("text", parse, serialize, signature_line=False))
