"""Unlabelled target-language text from whatever a language has: `read_unlabelled(path)`.

`language.monolingual` lists files (or URLs) of any of these formats, told apart by their content, not their
name, so that an entry can be a bare URL:

- `bible-xml`: the CES XML of the bible-corpus (`<seg id="b.MAT.5.3">`), a verse a sentence;
- `verse-tsv`: `verse_id<TAB>text` lines (the derived English KJV), a verse a sentence;
- `ner`: two-column CoNLL (MasakhaNER: `token TAG`), a sentence per block;
- `pos`: CoNLL-U (Universal Dependencies), a sentence per block, its syntactic words;
- `xsid`: xSID (`index<TAB>token<TAB>intent<TAB>slot`), a sentence per block;
- `text`: anything else, a sentence per line, split as verses are (`tokenize_spaced`).

Only the tokens (and, for running text, their space flags) are kept: a task file's labels, intents and
comments are dropped by the reader, so a labelled split (MasakhaNER train) can serve as in-domain unlabelled
text without its labels reaching any model. For the CoNLL formats the tokens are taken from the token column
alone; the label columns are never parsed.
"""

from __future__ import annotations

import re
from pathlib import Path

from lrx.adapt.tasks.text import read_bible
from lrx.adapt.tasks.text import tokenize_spaced
from lrx.lexicons.verses import decoded_lines

from lrx.core.errors import FormatError
from lrx.core.sentence import Sentence

FORMATS = ("bible-xml", "verse-tsv", "ner", "pos", "xsid", "text")
_SAMPLE_LINES = 200  # enough lines to see comments, blocks and a few sentences of any of the formats
_BIO = re.compile(r"(O|[BIES]-\S+)")
_VERSE_ID = re.compile(r"[A-Za-z0-9]+(\.[A-Za-z0-9]+){2,}")
_CONLLU_ID = re.compile(r"\d+(-\d+|\.\d+)?")


def _sample(path: Path) -> list[str]:
    lines: list[str] = []
    for _, line in decoded_lines(path):
        lines.append(line)
        if len(lines) >= _SAMPLE_LINES:
            break
    return lines


def detect_format(path: str | Path) -> str:
    """Which of `FORMATS` the file at `path` is, from its first lines (see the module's docstring)."""
    lines = _sample(Path(path))
    if lines and lines[0].startswith("# lrx:"):  # a file lrx wrote: its signature line is not content
        lines = lines[1:]
    head = "\n".join(lines).lstrip()
    if head.startswith("<?xml") or "<cesDoc" in head or re.search(r"<seg\s+id=", head):
        return "bible-xml"
    content = [line for line in lines if line.strip()]
    rows = [line for line in content if not line.startswith("#")]
    if not rows:
        return "text"
    comments = [line for line in content if line.startswith("#")]
    tabbed = [line.split("\t") for line in rows]
    if all(len(fields) == 10 and _CONLLU_ID.fullmatch(fields[0]) for fields in tabbed):
        return "pos"
    if any(re.match(r"#\s*intent\s*[=:]", c) for c in comments) and all(
        len(fields) == 4 and fields[0].isdigit() for fields in tabbed
    ):
        return "xsid"
    if all(len(fields) == 2 and _VERSE_ID.fullmatch(fields[0]) for fields in tabbed):
        return "verse-tsv"
    columns = [line.split() for line in rows]
    blank_separated = len(content) < len(lines) or len(lines) < _SAMPLE_LINES
    if blank_separated and all(len(c) >= 2 and _BIO.fullmatch(c[-1]) for c in columns):
        return "ner"
    return "text"


def _token_column(
    path: Path, column: int, *, split_tabs: bool, comments: bool, skip_ids: bool = False
) -> list[Sentence]:
    """Blocks of token lines: the `column`-th field of every line (never the others), a sentence a block.
    With `comments`, lines starting with # are comments (CoNLL-U, xSID); in NER CoNLL "#" is a token, and only
    lrx's signature line on line 1 is skipped."""
    sentences: list[Sentence] = []
    tokens: list[str] = []
    start = 0
    for number, line in decoded_lines(path):
        if not line.strip():
            if tokens:
                sentences.append(Sentence(tokens, [], {}, f"{path}:{start}"))
            tokens = []
            continue
        if (comments and line.startswith("#")) or (number == 1 and line.startswith("# lrx:")):
            continue
        fields = line.split("\t") if split_tabs else line.split()
        if skip_ids and not fields[0].isdigit():  # CoNLL-U multiword ranges and empty nodes are not words
            continue
        if len(fields) <= column:
            raise FormatError(path, number, f"expected at least {column + 1} columns, found {len(fields)}")
        if not tokens:
            start = number
        tokens.append(fields[column])
    if tokens:
        sentences.append(Sentence(tokens, [], {}, f"{path}:{start}"))
    return sentences


def read_unlabelled(path: str | Path, fmt: str | None = None) -> list[Sentence]:
    """The sentences of an unlabelled-text file of any of `FORMATS` (detected unless `fmt` is given), as
    Sentences with tokens only: no labels, no meta. Sentences without tokens are left out."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt in ("bible-xml", "verse-tsv"):
        bible = read_bible(path, xml=fmt == "bible-xml")
        sentences = [Sentence(s.tokens, [], {}, s.where, space_after=s.space_after) for s in bible]
    elif fmt == "ner":
        sentences = _token_column(path, 0, split_tabs=False, comments=False)
    elif fmt == "pos":
        sentences = _token_column(path, 1, split_tabs=True, comments=True, skip_ids=True)
    elif fmt == "xsid":
        sentences = _token_column(path, 1, split_tabs=True, comments=True)
    elif fmt == "text":
        sentences = []
        for number, line in decoded_lines(path):
            if not (number == 1 and line.startswith("# lrx:")):
                tokens, spaces = tokenize_spaced(line)
                sentences.append(Sentence(tokens, [], {}, f"{path}:{number}", space_after=spaces))
    else:
        raise ValueError(f"unknown unlabelled-text format {fmt!r}; one of {', '.join(FORMATS)}")
    return [s for s in sentences if s.tokens]
