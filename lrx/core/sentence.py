"""A sentence of task data as plain data: what readers make, writers write and synthesis maps.

Nothing here knows a file format. Labels are one per token (a NER tag, a UPOS tag, a BIO slot) or empty for
unlabeled text; sentence-level fields (the xSID intent, a CoNLL-U `sent_id`, a Bible verse id) live in `meta`,
in the order the file gave them. `original` is the reader's own record of the sentence (for instance its
lines), which a writer may use to write an unchanged sentence back byte for byte; synthesis drops it, since a
translated sentence no longer matches it. `space_after` says, per token, whether a space followed it in running
text (as CoNLL-U's `SpaceAfter=No` does; the plain-text reader splits punctuation off words and records it), so
that a translation can be written back as text (`reigned ,` -> `reigned,`); empty where a format has no such
record, and tokens are then written space-separated.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any


@dataclass
class Sentence:
    tokens: list[str]
    labels: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    where: str = ""  # "file:line" of the sentence's first line, for error messages
    original: Any = field(default=None, repr=False, compare=False)
    space_after: list[bool] = field(default_factory=list)  # per token; empty: unknown (see the module docstring)

    def __post_init__(self) -> None:
        if self.labels and len(self.labels) != len(self.tokens):
            raise ValueError(f"{self.where or 'sentence'}: {len(self.tokens)} tokens but {len(self.labels)} labels")
        if self.space_after and len(self.space_after) != len(self.tokens):
            raise ValueError(
                f"{self.where or 'sentence'}: {len(self.tokens)} tokens but {len(self.space_after)} space flags"
            )

    @property
    def labeled(self) -> bool:
        return bool(self.labels)
