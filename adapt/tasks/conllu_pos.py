"""POS data in CoNLL-U (Universal Dependencies): tokens are the syntactic words, labels their UPOS tags.

Multiword-token ranges (`1-2`) and empty nodes (`8.1`) are read and validated but are not tokens: the words
they span carry the tags. Sentence comments go into `meta` as the `conllu` package reads them
(`# sent_id = x` -> `meta["sent_id"] = "x"`; a comment without ` = `, like `# newpar`, gets the value "").

Lines are split on tabs here (the `conllu` package also splits on runs of spaces, which would cut a FORM
that contains them) and each line must have the ten columns; the fields are then checked with `conllu`'s own
field parsers, so that its complaints (a bad ID, HEAD, FEATS, DEPS or MISC) come out as a `FormatError`
naming the file and the line.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator

from conllu.exceptions import ParseException
from conllu.parser import DEFAULT_FIELD_PARSERS
from conllu.parser import DEFAULT_FIELDS
from conllu.parser import parse_comment_line
from lrx.adapt.tasks.base import TaggingTask
from lrx.adapt.tasks.base import register_task
from lrx.adapt.tasks.conll import Original
from lrx.adapt.tasks.conll import check_field
from lrx.adapt.tasks.conll import iter_blocks
from lrx.adapt.tasks.conll import serialize_with

from lrx.core.errors import FormatError
from lrx.core.sentence import Sentence

FORMAT = "pos"
COLUMNS = len(DEFAULT_FIELDS)  # ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC
# the columns conllu parses beyond plain strings (ID apart), by index
_CHECKED = [(i, name) for i, name in enumerate(DEFAULT_FIELDS) if name in DEFAULT_FIELD_PARSERS and name != "id"]
_ID_PARSER = DEFAULT_FIELD_PARSERS["id"]
# every comment kept, also those without a value (conllu drops those by default)
_METADATA_PARSERS = {"__fallback__": lambda key, value: (key, value)}


def parse(text: str, path: str, first_line: int = 1) -> list[Sentence]:
    """The sentences of a CoNLL-U file; a malformed line is a `FormatError` naming file and line."""
    sentences: list[Sentence] = []
    for block in iter_blocks(text, first_line):
        tokens: list[str] = []
        labels: list[str] = []
        meta: dict[str, str] = {}
        for number, line in block.lines:
            if line.startswith("#"):
                for key, value in parse_comment_line(line, metadata_parsers=_METADATA_PARSERS):
                    meta[key] = value or ""
                continue
            word = _word(line, path, number)
            if word is None:
                continue
            ident, form, upos = word
            if ident != len(tokens) + 1:
                raise FormatError(path, number, f"word ID {ident} where {len(tokens) + 1} was expected")
            tokens.append(form)
            labels.append(upos)
        raw = text[block.start : block.end]
        where = f"{path}:{block.lines[0][0]}"
        sentences.append(Sentence(tokens, labels, meta, where, Original.of(FORMAT, raw, tokens, labels, meta)))
    return sentences


def _word(line: str, path: str, number: int) -> tuple[int, str, str] | None:
    """(ID, FORM, UPOS) of a word line; None for a multiword token or an empty node."""
    columns = line.split("\t")
    if len(columns) != COLUMNS:
        raise FormatError(path, number, f"expected {COLUMNS} tab-separated columns, found {len(columns)}")
    try:
        ident = _ID_PARSER(columns, 0)
        for index, name in _CHECKED:
            try:
                DEFAULT_FIELD_PARSERS[name](columns, index)
            except ParseException as exc:
                raise ParseException(f"{name.upper()}: {exc}") from None
    except ParseException as exc:
        raise FormatError(path, number, f"malformed CoNLL-U line: {exc}") from None
    if ident is None:
        raise FormatError(path, number, f"malformed CoNLL-U line: ID {columns[0]!r}")
    if isinstance(ident, tuple):
        return None
    return ident, columns[1], columns[3]


def serialize(sentences: Iterable[Sentence]) -> Iterator[str]:
    """The file's text in chunks. A sentence not as read gets its comments from `meta` (`# text = ` made anew
    from the tokens joined by spaces) and word lines with ID, FORM and UPOS, `_` in the other columns."""
    return serialize_with(sentences, FORMAT, _written)


def _written(sentence: Sentence) -> Iterator[str]:
    """A sentence not as read, written from its tokens, labels and meta."""
    where = sentence.where or "sentence"
    meta = dict(sentence.meta)
    meta["text"] = " ".join(sentence.tokens)  # keeps the place of a `text` already there
    lines = []
    for key, value in meta.items():
        if "\n" in key + value or "\r" in key + value or "=" in key:
            raise ValueError(f"{where}: cannot write the comment {key!r} = {value!r} in CoNLL-U")
        lines.append(f"# {key} = {value}\n" if value else f"# {key}\n")
    labels = sentence.labels or ["_"] * len(sentence.tokens)
    for ident, (form, upos) in enumerate(zip(sentence.tokens, labels, strict=True), 1):
        check_field(form, "token", sentence, spaces=True)
        check_field(upos, "UPOS tag", sentence, spaces=False)
        lines.append(f"{ident}\t{form}\t_\t{upos}\t_\t_\t_\t_\t_\t_\n")
    lines.append("\n")
    yield "".join(lines)


# the task this format is the file format of (lrx.adapt.tasks.base)
TASK = register_task(
    TaggingTask("pos", parse, serialize, label_scheme="tag", metrics=("tag_accuracy",), source_text_key="text_en")
)
