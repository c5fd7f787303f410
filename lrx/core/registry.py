"""What lrx knows about each language beyond its lexicons: test, dev and train sets per task, unlabelled text and
its Bible, read from the package's data file `resources.yaml` (one entry per ISO 639-3 code, URLs pinned).

A code in any form (`ee`, `ewe`, `sw`, `swh`) finds its entry through `lrx.core.languages.normalize_language`,
with a macrolanguage fallback (`swh`, individual Swahili, finds `swa`, as MasakhaNER files it), the same
normalisation the lexicon layer uses. Adding a language's data is an edit of the YAML file, not of code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import langcodes
import yaml

from lrx.core.languages import UnknownLanguageError
from lrx.core.languages import normalize_language

RESOURCES = Path(__file__).with_name("resources.yaml")

_KINDS = ("test_sets", "dev_sets", "train_sets")


@dataclass(frozen=True)
class LanguageResources:
    """One language's entry of `resources.yaml`: task -> URLs for each kind of labelled set, unlabelled text."""

    iso3: str
    test_sets: dict[str, list[str]] = field(default_factory=dict)
    dev_sets: dict[str, list[str]] = field(default_factory=dict)
    train_sets: dict[str, list[str]] = field(default_factory=dict)
    monolingual: list[str] = field(default_factory=list)
    bible: str | None = None

    def urls(self) -> list[str]:
        """Every URL of the entry, once each."""
        found = [url for kind in _KINDS for urls in getattr(self, kind).values() for url in urls]
        found += self.monolingual + ([self.bible] if self.bible else [])
        return list(dict.fromkeys(found))


@functools.lru_cache(maxsize=1)
def load_resources(path: Path = RESOURCES) -> dict[str, LanguageResources]:
    """The registry: ISO 639-3 code -> its resources. A malformed entry raises naming the file and the code."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    registry: dict[str, LanguageResources] = {}
    for code, entry in data.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: entry {code!r} is not a mapping")
        unknown = set(entry) - {*_KINDS, "monolingual", "bible"}
        if unknown:
            raise ValueError(f"{path}: entry {code!r} has unknown keys {', '.join(sorted(unknown))}")
        if normalize_language(code).iso3 != code:
            raise ValueError(f"{path}: key {code!r} is not the ISO 639-3 code {normalize_language(code).iso3!r}")
        registry[code] = LanguageResources(
            iso3=code,
            **{kind: {task: list(urls) for task, urls in (entry.get(kind) or {}).items()} for kind in _KINDS},
            monolingual=list(entry.get("monolingual") or []),
            bible=entry.get("bible"),
        )
    return registry


def registry_key(code: str) -> str | None:
    """The registry's key for `code` (any form), or None when the registry has no entry for the language.
    An invalid code raises `UnknownLanguageError`."""
    registry = load_resources()
    iso3 = normalize_language(code).iso3
    if iso3 in registry:
        return iso3
    # individual language -> its macrolanguage's entry (swh -> swa), as langcodes relates them
    tag = normalize_language(code).tag
    close = [key for key in registry if langcodes.tag_distance(tag, normalize_language(key).tag) == 0]
    return close[0] if len(close) == 1 else None


def language_resources(code: str) -> LanguageResources | None:
    """The registry entry of `code` (`ee`, `ewe`, `swh`), or None."""
    key = registry_key(code)
    return load_resources()[key] if key else None


def bible_url(code: str) -> str | None:
    """The URL of `code`'s New Testament in the Bible corpus, or None."""
    resources = language_resources(code)
    return resources.bible if resources else None


def known_codes() -> list[str]:
    """The ISO 639-3 codes the registry has an entry for."""
    return sorted(load_resources())


def describe(resources: LanguageResources) -> dict[str, Any]:
    """The entry as plain data (what `lrx languages --json` prints under its keys)."""
    return {
        "test_sets": resources.test_sets,
        "dev_sets": resources.dev_sets,
        "train_sets": resources.train_sets,
        "monolingual": resources.monolingual,
        "bible": resources.bible,
    }


__all__ = [
    "RESOURCES",
    "LanguageResources",
    "UnknownLanguageError",
    "bible_url",
    "describe",
    "known_codes",
    "language_resources",
    "load_resources",
    "registry_key",
]
