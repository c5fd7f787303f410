"""Bible: a lexicon induced from the English Bible and the target language's New Testament (`lrx.lexicons.induce`).

The target Bible is the language's entry in `lrx.core.registry` (the bible-corpus's CES XML, fetched and cached
like any download), or the `bible` option (a path or URL, for a language the registry lacks a Bible for). The
English side is a local `verse_id<TAB>text` file: the `english` option, else `$LRX_ENGLISH_BIBLE`, else the KJV
beside the data mirror (`$LRX_MIRROR/../derived/bible/English-KJV.tsv`). Induction takes half a minute for a
New Testament, so its result is cached under the fetch cache (`<cache>/induced/`), keyed by both texts' sha256
and the induction settings: computed once, then read like a TSV file. Each entry's weight is its p(t|e).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path

from lrx.lexicons.induce import InductionSettings
from lrx.lexicons.induce import induce_from_files
from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import Pair
from lrx.lexicons.sources.base import register_source
from lrx.lexicons.sources.tabular import Record
from lrx.lexicons.sources.tsv import TsvSource

from lrx.core.errors import FormatError
from lrx.core.errors import LrxError
from lrx.core.fetch import FetchSettings
from lrx.core.fetch import fetch
from lrx.core.languages import normalize_language
from lrx.core.registry import bible_url
from lrx.core.registry import known_codes

log = logging.getLogger(__name__)

ENGLISH_VARIABLE = "LRX_ENGLISH_BIBLE"
KJV_BESIDE_MIRROR = ("..", "derived", "bible", "English-KJV.tsv")


@register_source("bible")
class BibleSource(LexiconSource):
    """Word alignment (eflomal) of the English Bible with the language's New Testament, counted into p(t|e)."""

    licence = "as the Bibles' (bible-corpus: CC0; King James Version: public domain)"
    citation = (
        "Östling & Tiedemann (2016), Efficient word alignment with Markov Chain Monte Carlo, PBML 106; "
        "Christodoulopoulos & Steedman (2015), A massively parallel corpus: the Bible in 100 languages, LRE 49"
    )
    homepage = "https://github.com/robertostling/eflomal"

    def __init__(
        self,
        *,
        english: str | None = None,
        bible: str | None = None,
        books: Sequence[str] = (),
        max_verses: int = 0,
        symmetrize: str = InductionSettings.symmetrize,
        score: str = InductionSettings.score,
        top_k: int = InductionSettings.top_k,
        min_count: int = InductionSettings.min_count,
        iterations: float = InductionSettings.iterations,
        **options,
    ) -> None:
        super().__init__(**options)
        self.english = english
        self.bible = bible
        self.settings = InductionSettings(
            symmetrize=symmetrize,
            score=score,
            top_k=top_k,
            min_count=min_count,
            books=tuple(books),
            max_verses=max_verses,
            iterations=iterations,
        )

    def pairs(self) -> list[Pair]:
        return [Pair("eng", code) for code in known_codes() if bible_url(code)]

    def resolve_all(self, tgt: str, src: str = "eng") -> list[tuple[Pair, bool]]:
        # a Bible given by the `bible` option is taken to be the language asked for
        if self.bible:
            normalize_language(tgt)
            return [(Pair(src, tgt), False)]
        return super().resolve_all(tgt, src)

    def url(self, pair: Pair) -> str:
        if self.bible:
            return self.bible
        found = bible_url(pair.tgt)
        if found is None:  # resolve_all only offers languages with a Bible; a registry edited meanwhile
            raise LrxError(f"the registry has no Bible for {pair.tgt!r}; set the bible source's `bible` option")
        return found

    def english_path(self) -> Path:
        """The English Bible: the `english` option, `$LRX_ENGLISH_BIBLE`, or the KJV beside `$LRX_MIRROR`; one
        that is missing raises one line naming the path and the variable to set."""
        location = self.english or os.environ.get(ENGLISH_VARIABLE)
        if not location:
            mirror = os.environ.get("LRX_MIRROR", "")
            if not mirror or "://" in mirror:
                raise LrxError(
                    f"the bible source needs an English Bible (verse_id<TAB>text): set {ENGLISH_VARIABLE} to its path"
                )
            location = str(Path(mirror, *KJV_BESIDE_MIRROR).resolve())
        if "://" in location:
            return fetch(location)
        path = Path(location).expanduser()
        if not path.is_file():
            raise LrxError(
                f"the English Bible {path} does not exist: set {ENGLISH_VARIABLE} to a verse_id<TAB>text file"
            )
        return path

    def parse(
        self, path: Path, url: str, pair: Pair | None = None, reverse: bool = False
    ) -> Iterator[Record | FormatError]:
        english = self.english_path()
        tgt = pair.tgt if pair is not None else "und"
        digest = hashlib.sha256()
        for part in (_sha256(english), _sha256(path), self.settings.key()):
            digest.update(part.encode("utf-8"))
        cached = FetchSettings.from_env().cache_dir / "induced" / f"eng-{tgt}-{digest.hexdigest()[:20]}.tsv"
        if not cached.is_file():
            log.info("bible: inducing eng-%s from %s and %s (cached as %s)", tgt, english, url, cached)
            induced = induce_from_files(english, path, tgt, self.settings)
            induced.write_tsv(cached)
            log.info("bible: %s", induced.summary())
        return TsvSource().parse(cached, url)

    def describe(self) -> dict[str, object]:
        info = super().describe()
        info["url_template"] = f"the registry's Bible of {{tgt}}, aligned with ${ENGLISH_VARIABLE} (or the KJV)"
        return info


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
