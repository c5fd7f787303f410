"""MUSE ground-truth bilingual dictionaries (Conneau, Lample et al., 2018)."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path

from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import Pair
from lrx.lexicons.sources.base import register_source
from lrx.lexicons.sources.tabular import Record
from lrx.lexicons.sources.tabular import parse_two_columns

from lrx.core.errors import FormatError

# Languages MUSE pairs with English (both en-xx and xx-en files exist for each).
LANGUAGES = (
    "af ar bg bn bs ca cs da de el es et fa fi fr he hi hr hu id it ja ko lt lv mk ms nl no pl pt ro ru "
    "sk sl sq sv ta th tl tr uk vi zh"
).split()


@register_source("muse")
class MuseSource(LexiconSource):
    """`en-xx.txt`: `english<TAB>target` (or separated by a space), one pair a line, single words."""

    licence = "CC-BY-NC-4.0"
    citation = "Conneau, Lample, Ranzato, Denoyer, Jégou (2018). Word Translation Without Parallel Data. ICLR 2018"
    homepage = "https://github.com/facebookresearch/MUSE"
    default_url_template = "https://dl.fbaipublicfiles.com/arrival/dictionaries/{src}-{tgt}.txt"

    def __init__(self, *, languages: Sequence[str] = LANGUAGES, **options) -> None:
        super().__init__(**options)
        self._languages = list(languages)

    def pairs(self) -> list[Pair]:
        return [Pair("en", code) for code in self._languages] + [Pair(code, "en") for code in self._languages]

    def parse(
        self, path: Path, url: str, pair: Pair | None = None, reverse: bool = False
    ) -> Iterator[Record | FormatError]:
        return parse_two_columns(path, space_separated=True)
