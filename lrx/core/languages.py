"""Language codes: normalise what users type (ISO 639-1/3, BCP-47) and match it to a source's own codes.

Every source names languages its own way: GATITOS uses BCP-47 with script and region subtags (`bm-Nkoo`,
`apd-SD`), MUSE two-letter codes, FreeDict and Apertium ISO 639-3 (`swh`, `lin`). `langcodes` does the
normalisation (`ewe` -> `ee`, `tl` -> `fil`) and knows macrolanguages (`swh` is an individual language of
`sw`), so a user can say `swh` and still get GATITOS' `sw` lexicon.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass

import langcodes


class UnknownLanguageError(ValueError):
    """A language code that is not valid, or that a source does not cover."""


@dataclass(frozen=True)
class LanguageCode:
    """A normalised language: the shortest BCP-47 tag, its ISO 639-3 code and an English name."""

    tag: str
    iso3: str
    name: str

    def __str__(self) -> str:
        return self.tag


@functools.lru_cache(maxsize=4096)
def parse_language_code(code: str) -> langcodes.Language:
    """`code` (ISO 639-1/3, BCP-47; `_` read as `-`) as a `langcodes.Language`, or `UnknownLanguageError`.
    Tagalog stays Tagalog (CLDR would make it Filipino)."""
    raw = code.strip().replace("_", "-")
    if not raw:
        raise UnknownLanguageError("empty language code")
    try:
        lang = langcodes.Language.get(raw)
    except (langcodes.tag_parser.LanguageTagError, ValueError) as exc:
        raise UnknownLanguageError(f"{code!r} is not a language code: {exc}") from None
    if not lang.language or not lang.is_valid():
        raise UnknownLanguageError(f"{code!r} is not a known ISO 639 / BCP-47 language code")
    if lang.language == "fil" and raw.split("-")[0].lower() in _TAGALOG:
        # CLDR aliases Tagalog to Filipino; ISO 639-3 keeps them apart (tgl, fil), and so do UniMorph
        # (tgl), UD (tl) and MUSE (tl): keep Tagalog.
        lang = lang.update_dict({"language": "tl"})
    return lang


@functools.lru_cache(maxsize=4096)
def normalize_language(code: str) -> LanguageCode:
    """Normalise `code` (ISO 639-1, ISO 639-3 or BCP-47) or raise `UnknownLanguageError`."""
    lang = parse_language_code(code)
    return LanguageCode(tag=lang.to_tag(), iso3=lang.to_alpha3(), name=lang.display_name())


def match_language(code: str, available: Iterable[str], *, source: str = "") -> str:
    """Return the member of `available` (a source's own codes) that `code` denotes.

    Preference: same normalised tag; then same language with no extra script/region subtags on the
    source side (`bm` over `bm-Nkoo` when the user says `bam`); then a macrolanguage match at
    `langcodes` distance 0 (`swh` <-> `sw`). An unknown or uncovered code raises with close matches.
    """
    wanted = normalize_language(code)
    wanted_lang = parse_language_code(code)
    available = list(available)
    normalized: dict[str, langcodes.Language] = {}
    for own in available:
        try:
            normalized[own] = parse_language_code(own)
        except UnknownLanguageError:
            continue

    exact = [own for own, lang in normalized.items() if lang.to_tag() == wanted.tag]
    if exact:
        return exact[0]
    same_language = [own for own, lang in normalized.items() if lang.language == wanted_lang.language]
    plain = [own for own in same_language if not normalized[own].script and not normalized[own].territory]
    if len(plain) == 1:
        return plain[0]
    if len(same_language) == 1 and not (wanted_lang.script or wanted_lang.territory):
        return same_language[0]
    if len(same_language) > 1:
        raise UnknownLanguageError(
            f"{code!r} is ambiguous for {source or 'this source'}: say one of {', '.join(sorted(same_language))}"
        )
    macro = [
        own
        for own, lang in normalized.items()
        if not lang.script
        and not lang.territory
        and lang.language != "tl"
        and langcodes.tag_distance(wanted.tag, lang.to_tag()) == 0
    ]
    if len(macro) == 1:
        return macro[0]
    raise UnknownLanguageError(_not_covered_message(code, wanted, available, source))


def _not_covered_message(code: str, wanted: LanguageCode, available: list[str], source: str) -> str:
    close = difflib.get_close_matches(code, available, n=5, cutoff=0.5)
    by_name = [
        own
        for own in available
        if own not in close and _display_name(own).lower().startswith(wanted.name.split(" ")[0].lower())
    ]
    hints = close + by_name[:3]
    where = f"source {source!r}" if source else "this source"
    hint = f"; close matches: {', '.join(hints)}" if hints else ""
    return f"language {code!r} ({wanted.name}) is not covered by {where} ({len(available)} languages){hint}"


def _display_name(code: str) -> str:
    try:
        return normalize_language(code).name
    except UnknownLanguageError:
        return code


_TAGALOG = frozenset({"tl", "tgl"})
