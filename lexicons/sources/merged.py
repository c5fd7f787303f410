"""Several lexicon sources as one: what `lexicon=merged` gives a run (GATITOS with a Bible-induced lexicon, a
linguist's file with FreeDict...). Each source is loaded with its own options and the lexicons are merged
(`lrx.lexicons.loading.load_lexicon`, the same merge as `lrx lexicon stats --source gatitos,bible`); a source
that does not cover the language is left out with a warning, as long as one does."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import Pair
from lrx.lexicons.sources.base import load_source
from lrx.lexicons.sources.base import register_source


@register_source("merged")
class MergedSource(LexiconSource):
    """`sources` (names of registered sources) loaded with `options[name]` and merged, entries scaled by
        `weights[name]` (default 1.0). The lexicon it loads is named by the sources' names joined by `+`, which is
    what signatures and stats show."""

    licence = "each merged source's own"
    citation = "each merged source's own"
    homepage = ""

    def __init__(
        self,
        *,
        sources: Sequence[str] = ("gatitos", "bible"),
        options: Mapping[str, Mapping[str, Any]] | None = None,
        weights: Mapping[str, float] | None = None,
        **base: Any,
    ) -> None:
        super().__init__(**base)
        if not sources:
            raise ValueError("the merged source needs at least one source name in `sources`")
        self.sources = [str(name) for name in sources]
        self.options = {name: dict(value) for name, value in (options or {}).items()}
        self.weights = {name: float(value) for name, value in (weights or {}).items()}
        unknown = (set(self.options) | set(self.weights)) - set(self.sources)
        if unknown:
            raise ValueError(f"merged source: options or weights for {sorted(unknown)}, which are not in `sources`")

    def pairs(self) -> list[Pair]:
        found: list[Pair] = []
        for name in self.sources:
            found += [pair for pair in load_source(name, **self.options.get(name, {})).pairs() if pair not in found]
        return found

    def load(self, tgt: str, src: str = "eng") -> Lexicon:
        from lrx.lexicons.loading import load_lexicon  # loading imports the sources package: not at import time

        lexicon = load_lexicon(self.sources, tgt, src, weights=self.weights or None, options=self.options)
        lexicon.name = "+".join(self.sources)  # what the synthesis signature and the stats name
        return lexicon
