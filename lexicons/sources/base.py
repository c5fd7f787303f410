"""Lexicon sources: a registry of loaders chosen by name, and the base class they share.

A source knows its URL template, licence and citation, which language pairs it offers (in its own codes),
and how to parse one downloaded file into `Entry` objects. Everything else (language matching, fetching,
cleaning, strict vs. lenient handling of bad lines) lives here once.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections import Counter
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any
from typing import ClassVar

from lrx.lexicons.cleaning import DEFAULT_CLEANING
from lrx.lexicons.cleaning import CleaningOptions
from lrx.lexicons.cleaning import clean_pair
from lrx.lexicons.lexicon import Entry
from lrx.lexicons.lexicon import Lexicon

from lrx.core.errors import FormatError
from lrx.core.errors import UnknownNameError
from lrx.core.fetch import fetch
from lrx.core.languages import UnknownLanguageError
from lrx.core.languages import match_language
from lrx.core.languages import normalize_language

_REGISTRY: dict[str, type[LexiconSource]] = {}

NO_CHECKSUMS: Mapping[str, str] = MappingProxyType({})

# Per downloaded file, unless a source says otherwise: lexicon files are a few MB at most (this bounds what a
# wrong URL can make us parse); PanLex's zip and Wiktionary's dump raise it.
DEFAULT_MAX_BYTES = 256 << 20


def register_source(name: str):
    """Class decorator: make a `LexiconSource` subclass loadable by `name`. Registering a name twice fails."""

    def decorate(cls: type[LexiconSource]) -> type[LexiconSource]:
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ValueError(
                f"lexicon source {name!r} registered twice: {_REGISTRY[name].__qualname__} and {cls.__qualname__}"
            )
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def source_names() -> list[str]:
    return sorted(_REGISTRY)


def source_class(name: str) -> type[LexiconSource]:
    """The source registered as `name`; UnknownNameError (a KeyError) with close matches otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownNameError.among("lexicon source", name, _REGISTRY) from None


def load_source(name: str, **overrides: Any) -> LexiconSource:
    """Source `name` with its class's own defaults (`LexiconSource.defaults()`), `overrides` merged in (a
    mapping such as `cleaning` is merged key by key, anything else replaced). `conf/lexicon/<name>.yaml` is
    the Hydra view of the same defaults (tests/test_registry.py keeps the two equal); this reads no config."""
    cls = source_class(name)
    return cls(**merge_options(cls.defaults(), overrides))


def merge_options(defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`defaults` updated with `overrides`, merging mappings recursively (as OmegaConf.merge does). A dotted key
    reaches into a mapping: `{"cleaning.strip_notes": False}` (what `--set cleaning.strip_notes=false` gives)."""
    merged = dict(defaults)
    for key, value in overrides.items():
        head, dot, rest = key.partition(".")
        if dot and key not in merged and isinstance(merged.get(head), Mapping):
            key, value = head, {rest: value}
        base = merged.get(key)
        if isinstance(base, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_options(base, value)
        else:
            merged[key] = value
    return merged


def _plain(value: Any) -> Any:
    """A default as a config file writes it: dataclasses and mappings as dicts, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class Pair:
    """A directed language pair in a source's own codes, and the file that holds it."""

    src: str
    tgt: str

    @classmethod
    def parse(cls, name: str) -> Pair:
        """`"eng-swh"` -> Pair("eng", "swh"), as FreeDict and Apertium name their pairs."""
        src, dash, tgt = name.strip().partition("-")
        if not dash or not src or not tgt or "-" in tgt:
            raise ValueError(f"language pair {name!r} is not of the form 'src-tgt' (e.g. 'eng-swh')")
        return cls(src, tgt)


class LexiconSource:
    """Base class: subclasses set the class attributes and implement `pairs` and `parse`."""

    name: ClassVar[str] = ""
    licence: ClassVar[str] = ""
    citation: ClassVar[str] = ""
    homepage: ClassVar[str] = ""
    default_url_template: ClassVar[str] = ""

    def __init__(
        self,
        *,
        url_template: str | None = None,
        weight: float = 1.0,
        strict: bool = False,
        cleaning: CleaningOptions | Mapping[str, Any] | None = DEFAULT_CLEANING,
        checksums: Mapping[str, str] | str | None = NO_CHECKSUMS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        both_directions: bool = False,
    ) -> None:
        """The options every source has; a subclass adds its own as keyword arguments with their defaults and
        passes the rest on (`**options`), overriding a default here by naming it (`max_bytes=...`).
        `url_template` None is the class's `default_url_template`; `checksums` is `{url: sha256}` or the name
        of a file in `lexicons/sources/checksums/`."""
        self.url_template = url_template or self.default_url_template
        self.weight = weight
        self.strict = strict
        self.cleaning = cleaning if isinstance(cleaning, CleaningOptions) else CleaningOptions(**(cleaning or {}))
        self.checksums = read_checksums(checksums) if isinstance(checksums, str) else dict(checksums or {})
        self.max_bytes = max_bytes
        # read both the src-tgt and the tgt-src file where a source has both (FreeDict: eng-swh and swh-eng)
        self.both_directions = both_directions
        # entries a parser leaves out on purpose, by reason (FreeDict explanations, Apertium direction
        # restrictions...): not malformed input, so not `skipped_lines`; reset by each `load`
        self.skipped: Counter[str] = Counter()

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Every constructor option of this source with its default, in plain types (dicts, lists): the
        keyword arguments of this class's `__init__` and, through its `**options`, of its bases' (the most
        derived default wins). What `load_source(name)` constructs, and what `conf/lexicon/<name>.yaml`
        repeats for Hydra."""
        found: dict[str, Any] = {}
        for klass in cls.__mro__:
            init = klass.__dict__.get("__init__")
            if init is None:
                continue
            parameters = list(inspect.signature(init).parameters.values())
            for parameter in parameters:
                if parameter.kind is parameter.KEYWORD_ONLY and parameter.default is not parameter.empty:
                    found.setdefault(parameter.name, _plain(parameter.default))
            if klass is LexiconSource or not any(p.kind is p.VAR_KEYWORD for p in parameters):
                break
        if found.get("url_template") is None:
            found["url_template"] = cls.default_url_template
        return found

    # -- what subclasses provide -------------------------------------------------------------------------

    def pairs(self) -> list[Pair]:
        """Directed pairs this source offers, in its own language codes."""
        raise NotImplementedError

    def url(self, pair: Pair) -> str:
        return self.url_template.format(src=pair.src, tgt=pair.tgt)

    def parse(
        self, path: Path, url: str, pair: Pair | None = None, reverse: bool = False
    ) -> Iterator[tuple[int, str, str, str | None] | FormatError]:
        """Yield `(line, src_phrase, tgt_phrase, pos[, weight])` for each raw pair in the file, in the file's
        own src -> tgt order, or a `FormatError` for a malformed record (the base class raises it in strict
        mode, else counts and skips it). `pair` is the pair the file was fetched for; `reverse` says it is
        read tgt -> src (the base class swaps the columns; sources with direction-restricted entries, such
        as Apertium, use it to drop the entries that do not apply)."""
        raise NotImplementedError

    # -- shared machinery ----------------------------------------------------------------------------------

    def languages(self, src: str = "eng") -> list[str]:
        """Codes (the source's own) of the languages paired with `src`, in either direction."""
        found: list[str] = []
        for pair in self.pairs():
            for a, b in ((pair.src, pair.tgt), (pair.tgt, pair.src)):
                if _same_language(a, src) and b not in found:
                    found.append(b)
        return found

    def resolve(self, tgt: str, src: str = "eng") -> tuple[Pair, bool]:
        """The pair to load for src -> tgt, and whether its columns must be swapped (a tgt-src file)."""
        return self.resolve_all(tgt, src)[0]

    def resolve_all(self, tgt: str, src: str = "eng") -> list[tuple[Pair, bool]]:
        """Every file to read for src -> tgt, as (pair, swapped): the src-tgt file if there is one, else the
        tgt-src file read backwards; with `both_directions`, both when both exist."""
        pairs = self.pairs()
        forward = {p.tgt: p for p in pairs if _same_language(p.src, src)}
        backward = {p.src: p for p in pairs if _same_language(p.tgt, src)}
        if not forward and not backward:
            raise UnknownLanguageError(f"source {self.name!r} has no lexicons with source language {src!r}")
        found: list[tuple[Pair, bool]] = []
        for table, swapped in ((forward, False), (backward, True)):
            if table:
                try:
                    found.append((table[match_language(tgt, table, source=self.name)], swapped))
                except UnknownLanguageError:
                    continue
        if not found:
            # matching against all codes at once gives the most useful message (close matches, ambiguity)
            match_language(tgt, list(dict.fromkeys([*forward, *backward])), source=self.name)
            raise UnknownLanguageError(f"language {tgt!r} is not covered by source {self.name!r}")
        return found if self.both_directions else found[:1]

    def load(self, tgt: str, src: str = "eng") -> Lexicon:
        """Fetch and parse the src -> tgt lexicon; languages may be ISO 639-3 or BCP-47."""
        lexicon = Lexicon(normalize_language(src).tag, normalize_language(tgt).tag, name=self.name)
        self.skipped = Counter()
        for pair, swap in self.resolve_all(tgt, src):
            url = self.url(pair)
            path = fetch(url, sha256=self.checksums.get(url), max_bytes=self.max_bytes)
            lexicon.extend(self._entries(self.parse(path, url, pair, swap), url, swap, lexicon))
        lexicon.dropped = dict(self.skipped)
        return lexicon

    def _entries(
        self, records: Iterable[tuple | FormatError], url: str, swap: bool, lexicon: Lexicon
    ) -> Iterable[Entry]:
        """Clean parsed records into entries: strict mode raises a record's FormatError, lenient counts it."""
        name, weight, options = self.name, self.weight, self.cleaning
        for record in records:
            if isinstance(record, FormatError):
                if self.strict:
                    raise record
                lexicon.skipped_lines += 1
                continue
            line, src, tgt, pos = record[:4]
            # An optional fifth field is the record's own weight (a TSV column, PanLex attestations).
            entry_weight = weight * record[4] if len(record) > 4 else weight
            if swap:
                src, tgt = tgt, src
            for clean_src, clean_tgt in clean_pair(src, tgt, options):
                yield Entry(clean_src, clean_tgt, pos, entry_weight, name, url, line)

    def describe(self) -> dict[str, Any]:
        """What `lrx lexicon sources` prints for this source."""
        return {
            "name": self.name,
            "languages": self.languages(),
            "licence": self.licence,
            "citation": self.citation,
            "homepage": self.homepage,
            "url_template": self.url_template,
        }


def read_checksums(name: str) -> dict[str, str]:
    """sha256 pins from a `sha256sum`-style file (`<hex>  <url>` a line): a path, or a file name in the
    package's `lexicons/sources/checksums/` folder."""
    path = Path(name)
    if not path.is_file():
        path = Path(str(files("lrx.lexicons.sources") / "checksums" / name))
    pins: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, _, url = line.partition("  ")
        if len(digest) != 64 or not url:
            raise FormatError(path, number, "expected '<sha256 hex>  <url>'")
        pins[url.strip()] = digest.lower()
    return pins


@functools.lru_cache(maxsize=65536)
def _same_language(own: str, code: str) -> bool:
    try:
        return match_language(code, [own]) == own
    except UnknownLanguageError:
        return False
