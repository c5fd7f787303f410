"""The training table itself: the form seen in training for (lemma, features), else no answer.

Useful alone to score how much of a test set is memorised, and inside `auto`, where an attested form must win
over any model's guess. Bundles are compared by `bundle_key` (tag order does not matter).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lrx.morphology.inflectors.base import Example
from lrx.morphology.inflectors.base import Inflector
from lrx.morphology.inflectors.base import register_inflector
from lrx.morphology.inflectors.rules import bundle_key

TABLE_FILE = "table.json"


@register_inflector("lookup")
class LookupInflector(Inflector):
    def __init__(self) -> None:
        self.table: dict[tuple[str, str], str] = {}

    def fit(self, train: Sequence[Example], dev: Sequence[Example] | None = None) -> LookupInflector:
        # Variant forms of one cell (e.g. dreamed/dreamt): keep the most frequent, the first seen on ties,
        # so the answer does not depend on hash order.
        counts: dict[tuple[str, str], Counter[str]] = {}
        for example in train:
            counts.setdefault((example.lemma, bundle_key(example.feats)), Counter())[example.form] += 1
        self.table = {cell: forms.most_common(1)[0][0] for cell, forms in counts.items()}
        return self

    def inflect_many(self, queries: Sequence[tuple[str, str]]) -> list[str | None]:
        return [self.table.get((lemma, bundle_key(feats))) for lemma, feats in queries]

    def __len__(self) -> int:
        return len(self.table)

    def _save(self, directory: Path) -> None:
        rows = [[lemma, feats, form] for (lemma, feats), form in self.table.items()]
        (directory / TABLE_FILE).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any]) -> LookupInflector:
        inflector = cls()
        rows = json.loads((directory / TABLE_FILE).read_text(encoding="utf-8"))
        inflector.table = {(lemma, feats): form for lemma, feats, form in rows}
        return inflector
