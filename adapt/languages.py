"""Every language lrx can work on, and what it has: lexicon sources, a UniMorph table, unlabelled text, test sets.

The catalog joins three registries, each owned by its layer: the lexicon sources' own language lists
(`lrx.lexicons.sources`), the pinned UniMorph tables (`lrx.morphology.unimorph`) and the data file of test sets
and texts (`lrx.core.registry`). One row per ISO 639-3 code; a source's own codes (`bm`, `bm-Nkoo`) stay visible
under it. `lrx languages` prints it; `language_node` turns one row into the `language` node of `lrx-run`, which is
how `lrx-run language=<code>` works without a file in `conf/language/`.
"""

from __future__ import annotations

import functools
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import langcodes
from lrx.lexicons.sources.base import load_source
from lrx.lexicons.sources.base import source_names
from lrx.morphology.unimorph import UNIMORPH_LANGUAGES
from lrx.morphology.unimorph import UnknownUniMorphLanguageError
from lrx.morphology.unimorph import resolve_language as unimorph_language

from lrx.core.fetch import local_copy
from lrx.core.languages import UnknownLanguageError
from lrx.core.languages import match_language
from lrx.core.languages import normalize_language
from lrx.core.registry import describe
from lrx.core.registry import language_resources
from lrx.core.registry import load_resources
from lrx.core.registry import registry_key

# The lexicon source a language built from the registry is adapted with: the first of these that covers it.
# GATITOS first (human translations of the words task data needs most, and the measured default); then the
# other human-made dictionaries; `bible` (induced from a New Testament) before the two whose data is a
# multi-GB dump the user must provide (Wiktionary's kaikki.org extraction, a PanLex snapshot).
LEXICON_PREFERENCE = ("gatitos", "muse", "freedict", "apertium", "contrib", "bible", "wiktionary", "panlex")

# Sources whose files are `english<TAB>target` lines: their entry count is the number of such lines, read from
# a copy already on this machine (the mirror or the cache); for the others it is unknown until loaded.
_COUNTED_BY_LINES = frozenset({"gatitos", "muse"})
# sources made of other sources: listing them would repeat their parts under another name
_COMPOSITE = frozenset({"merged"})


@dataclass
class LexiconAvailability:
    """One source's lexicon for a language: the source, its own code for the language, entries when known."""

    source: str
    code: str
    entries: int | None = None


@dataclass
class LanguageInfo:
    """One row of `lrx languages`."""

    code: str
    name: str
    script: str | None
    tag: str
    lexicons: list[LexiconAvailability] = field(default_factory=list)
    unimorph: str | None = None
    monolingual: list[str] = field(default_factory=list)
    test_sets: dict[str, list[str]] = field(default_factory=dict)
    dev_sets: dict[str, list[str]] = field(default_factory=dict)
    train_sets: dict[str, list[str]] = field(default_factory=dict)
    bible: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def lexicon_sources(self) -> list[str]:
        return list(dict.fromkeys(lexicon.source for lexicon in self.lexicons))


def _name_and_script(tag: str) -> tuple[str, str | None]:
    language = langcodes.Language.get(tag)
    return language.display_name(), language.maximize().script


@functools.lru_cache(maxsize=1)
def _source_codes() -> dict[str, list[tuple[str, str]]]:
    """ISO 639-3 -> [(source, the source's own code)] over every registered lexicon source's English pairs."""
    found: dict[str, list[tuple[str, str]]] = {}
    for name in source_names():
        if name in _COMPOSITE:
            continue
        for own in load_source(name).languages("eng"):
            try:
                # a registry entry filed under the macrolanguage takes its individual languages (swh -> swa)
                iso3 = registry_key(own) or normalize_language(own).iso3
            except UnknownLanguageError:
                continue
            found.setdefault(iso3, []).append((name, own))
    return found


def _count_entries(source: str, code: str) -> int | None:
    if source not in _COUNTED_BY_LINES:
        return None
    loaded = load_source(source)
    pair = loaded.resolve(code)[0]
    path = local_copy(loaded.url(pair))  # listing never downloads
    if path is None:
        return None
    with path.open(encoding="utf-8", errors="replace") as lines:
        return sum(1 for line in lines if "\t" in line)


@functools.lru_cache(maxsize=1)
def language_catalog() -> tuple[LanguageInfo, ...]:
    """Every language any registry knows, sorted by ISO 639-3 code (English, the source side, left out)."""
    unimorph = {normalize_language(code).iso3 for code in UNIMORPH_LANGUAGES}
    codes = (set(_source_codes()) | set(load_resources()) | unimorph) - {"eng"}
    return tuple(language_info(code) for code in sorted(codes))


def language_info(code: str) -> LanguageInfo:
    """The catalog row of `code` (any form: `ee`, `ewe`, `swh`); an unknown code raises `UnknownLanguageError`."""
    normal = normalize_language(registry_key(code) or code)
    name, script = _name_and_script(normal.tag)
    resources = language_resources(code)
    try:
        table: str | None = unimorph_language(normal.iso3)
    except UnknownUniMorphLanguageError:
        table = None
    covering = _source_codes().get(normal.iso3, [])
    lexicons = [LexiconAvailability(source, own, _count_entries(source, own)) for source, own in covering]
    info = LanguageInfo(code=normal.iso3, name=name, script=script, tag=normal.tag, lexicons=lexicons, unimorph=table)
    if resources is not None:
        for key, value in describe(resources).items():
            setattr(info, key, value)
    return info


def filter_by_source(catalog: tuple[LanguageInfo, ...], source: str) -> list[LanguageInfo]:
    """The rows with a lexicon from `source` (`lrx languages --source gatitos`); an unknown name raises."""
    if source not in source_names():
        raise ValueError(f"no lexicon source {source!r} (have: {', '.join(source_names())})")
    return [info for info in catalog if source in info.lexicon_sources]


def default_lexicon_source(info: LanguageInfo) -> str | None:
    """The lexicon source a run for this language uses unless told otherwise (LEXICON_PREFERENCE)."""
    have = set(info.lexicon_sources)
    return next((name for name in LEXICON_PREFERENCE if name in have), None)


def language_node(code: str) -> dict[str, Any]:
    """The `language` node of `lrx-run` for `code`, built from the catalog (what a conf/language file holds),
    with `lexicon`: the source it is adapted with (None when no source covers it)."""
    info = language_info(code)
    # the code lexicons are asked for: the source's own code where the chosen source has one (GATITOS' `ee`),
    # else the shortest BCP-47 tag
    source = default_lexicon_source(info)
    owns = [lexicon.code for lexicon in info.lexicons if lexicon.source == source]
    # the typed code's script and region choose among a source's variants (bm-Nkoo, not bm; bam finds bm)
    own = match_language(code, owns, source=source or "") if owns else info.tag
    return {
        "code": own,
        "name": info.name,
        "iso639_3": info.code,
        "script": info.script or "Latn",
        "unimorph": info.unimorph,
        "test_sets": info.test_sets,
        "dev_sets": info.dev_sets,
        "monolingual": info.monolingual,
        "train_sets": info.train_sets,
        "lexicon": source,
    }


__all__ = [
    "LEXICON_PREFERENCE",
    "LanguageInfo",
    "LexiconAvailability",
    "default_lexicon_source",
    "filter_by_source",
    "language_catalog",
    "language_info",
    "language_node",
]
