"""Load one or several named sources for a language pair into one Lexicon: what the CLI and runs call."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.sources.base import load_source

from lrx.core.languages import UnknownLanguageError

log = logging.getLogger(__name__)


def parse_source_names(names: str | Sequence[str]) -> list[str]:
    """`"gatitos,muse"` or `["gatitos", "muse"]` -> `["gatitos", "muse"]`, without duplicates."""
    items = names.split(",") if isinstance(names, str) else list(names)
    return list(dict.fromkeys(name.strip() for name in items if name.strip()))


def load_lexicon(
    sources: str | Sequence[str],
    tgt: str,
    src: str = "eng",
    *,
    weights: Mapping[str, float] | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    skip_uncovered: bool = True,
) -> Lexicon:
    """Load each named source for src -> tgt and merge them (per-source `weights`, default 1.0).

    `options` maps a source name to overrides of its class's defaults (`load_source`). When several
    sources are named, one that does not cover the language is left out with a warning (`skip_uncovered`),
    as long as at least one does; a single named source that does not cover it is an error.
    """
    names = parse_source_names(sources)
    if not names:
        raise ValueError("no lexicon source given")
    options = options or {}
    lexicons: list[Lexicon] = []
    uncovered: list[str] = []
    for name in names:
        source = load_source(name, **dict(options.get(name, {})))
        try:
            lexicons.append(source.load(tgt, src))
        except UnknownLanguageError as error:
            if len(names) == 1 or not skip_uncovered:
                raise
            uncovered.append(name)
            log.warning("%s: left out: %s", name, error)
    if not lexicons:
        raise UnknownLanguageError(f"none of the sources {', '.join(names)} covers {src}-{tgt}")
    if len(lexicons) == 1 and not weights and not uncovered:
        return lexicons[0]
    return Lexicon.merge(lexicons, weights)
