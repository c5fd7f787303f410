"""Load one or several named sources for a language pair into one Lexicon: what the CLI and runs call."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from lexicons.lexicon import Lexicon
from lexicons.sources.base import load_source


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
) -> Lexicon:
    """Load each named source for src -> tgt and merge them (per-source `weights`, default 1.0).

    `options` maps a source name to constructor overrides of its `conf/lexicon/<name>.yaml`.
    """
    names = parse_source_names(sources)
    if not names:
        raise ValueError("no lexicon source given")
    options = options or {}
    lexicons = [load_source(name, **dict(options.get(name, {}))).load(tgt, src) for name in names]
    if len(lexicons) == 1 and not weights:
        return lexicons[0]
    return Lexicon.merge(lexicons, weights)
