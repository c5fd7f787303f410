"""xSID (cross-lingual slot and intent detection): comment lines, then `index<TAB>token<TAB>intent<TAB>slot`.

Comments are `# key = value` (`text`, `intent`, `id`, `text-en`) or `# key: value` (`slots`, and `text-de`,
`text-it` in the dialect files); they go into `meta` in the file's order. Labels are the BIO slot tags. The
intent is a sentence-level field: `meta["intent"]`, which every token line must repeat (a line that does not
is a `FormatError`, so a sentence never has two intents; de-muc.valid.conll of xSID 0.7 has two such lines,
1001 and 2056, and is refused). Token indices must run 1, 2, 3...; a token may be
empty (the Chinese files have a few).

A sentence not as read is written with `# text = ` made anew from the tokens joined by spaces, its other
comments as they are, and without the English files' `# slots:` comment: that is character spans of the
original annotation, which often disagrees with the BIO column (of the 89 en.valid sentences with such a
comment whose text is their tokens joined by spaces, only 26 have the spans of their BIO tags), so it cannot
be recomputed from the labels and would be wrong for new text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Iterator

from lrx.adapt.tasks.base import IntentSlotTask
from lrx.adapt.tasks.base import register_task
from lrx.adapt.tasks.conll import BIO_TAG
from lrx.adapt.tasks.conll import Original
from lrx.adapt.tasks.conll import check_field
from lrx.adapt.tasks.conll import iter_blocks
from lrx.adapt.tasks.conll import serialize_with

from lrx.core.errors import FormatError
from lrx.core.sentence import Sentence

FORMAT = "xsid"
COLUMNS = 4
# keys written `# key: value`; all others `# key = value`
COLON_KEYS = frozenset({"slots", "text-de", "text-it"})
_KEY = re.compile(r"[^\s=:]+")
_COMMENT = re.compile(r"#\s*([^\s=:]+)\s*([=:])\s?(.*)")


def parse(text: str, path: str, first_line: int = 1) -> list[Sentence]:
    """The sentences of an xSID file; a wrong column count, an index out of sequence, a token line whose
    intent is not the sentence's or a slot that is not O, B-TYPE or I-TYPE is a `FormatError`."""
    sentences: list[Sentence] = []
    for block in iter_blocks(text, first_line):
        tokens: list[str] = []
        labels: list[str] = []
        meta: dict[str, str] = {}
        for number, line in block.lines:
            if line.startswith("#"):
                match = _COMMENT.fullmatch(line)
                if match:
                    meta[match[1]] = match[3]
                else:  # free text: kept whole as a key without value
                    meta[line[1:].strip()] = ""
                continue
            columns = line.split("\t")
            if len(columns) != COLUMNS:
                raise FormatError(
                    path,
                    number,
                    f"expected {COLUMNS} tab-separated columns (index, token, intent, slot), found {len(columns)}",
                )
            index, token, intent, slot = columns
            if index != str(len(tokens) + 1):
                raise FormatError(path, number, f"token index {index!r} where {len(tokens) + 1} was expected")
            if "intent" not in meta:
                raise FormatError(path, number, "token line before the sentence's `# intent = ` comment")
            if intent != meta["intent"]:
                raise FormatError(path, number, f"intent {intent!r} is not the sentence's intent {meta['intent']!r}")
            if not BIO_TAG.fullmatch(slot):
                raise FormatError(path, number, f"slot {slot!r} is not O, B-TYPE or I-TYPE")
            tokens.append(token)
            labels.append(slot)
        raw = text[block.start : block.end]
        where = f"{path}:{block.lines[0][0]}"
        sentences.append(Sentence(tokens, labels, meta, where, Original.of(FORMAT, raw, tokens, labels, meta)))
    return sentences


def serialize(sentences: Iterable[Sentence]) -> Iterator[str]:
    """The file's text in chunks (see the module's docstring for a sentence not as read)."""
    return serialize_with(sentences, FORMAT, _written)


def _written(sentence: Sentence) -> Iterator[str]:
    """A sentence not as read, written from its tokens, labels and meta."""
    where = sentence.where or "sentence"
    intent = sentence.meta.get("intent")
    if not intent:
        raise ValueError(f"{where}: an xSID sentence needs meta['intent']")
    check_field(intent, "intent", sentence, spaces=True)
    if sentence.tokens and not sentence.labels:
        raise ValueError(f"{where}: xSID data needs a slot tag for every token")
    meta = dict(sentence.meta)
    text = " ".join(sentence.tokens)
    if "text" not in meta:
        meta = {"text": text, **meta}
    lines = []
    for key, value in meta.items():
        if key == "slots":
            continue
        if key == "text":
            value = text
        if "\n" in key + value or "\r" in key + value:
            raise ValueError(f"{where}: cannot write the comment {key!r} = {value!r} in xSID")
        if _KEY.fullmatch(key):
            separator = ":" if key in COLON_KEYS else " ="
            lines.append(f"# {key}{separator} {value}\n" if value else f"# {key}{separator}\n")
        elif not value and not _COMMENT.fullmatch(f"# {key}"):  # a free-text comment, as read
            lines.append(f"# {key}\n")
        else:
            raise ValueError(f"{where}: cannot write the comment {key!r} = {value!r} in xSID")
    for index, (token, slot) in enumerate(zip(sentence.tokens, sentence.labels, strict=True), 1):
        if token:  # an empty token is what some files have
            check_field(token, "token", sentence, spaces=True)
        if not BIO_TAG.fullmatch(slot):
            raise ValueError(f"{where}: slot {slot!r} is not O, B-TYPE or I-TYPE")
        lines.append(f"{index}\t{token}\t{intent}\t{slot}\n")
    lines.append("\n")
    yield "".join(lines)


# the task this format is the file format of (lrx.adapt.tasks.base)
TASK = register_task(
    IntentSlotTask(
        "xsid",
        parse,
        serialize,
        label_scheme="bio",
        metrics=("intent_accuracy", "slot_f1"),
        source_text_key="text-en",
        dropped_on_translation=("slots",),
    )
)
