"""Language codes for `lrx validate`: a file's languages parsed strictly (`parse_language`), close valid codes
for a mistyped one (`suggest_languages`), and whether two codes name the same language (through `langcodes`)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from lrx.core.languages import UnknownLanguageError
from lrx.core.languages import parse_language_code

# langcodes distance below this: the same language for our purposes (`sw` vs `swh` is 0, `sw` vs `swc` 4)
SAME_LANGUAGE_DISTANCE = 10


# -- languages -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    """A language as a file names it: the code as written, its ISO 639-3 code, its expected script."""

    code: str
    iso3: str
    script: str | None
    name: str


def parse_language(code: str) -> Language | None:
    """The language of `code` (ISO 639-1/3 or BCP-47 with a script), or None if it is not a valid code. Parsed
    as everywhere else in lrx (lrx.core.languages), but stricter: `_` is not a separator in a file name or
    header (BCP-47 has `-`), and `und`, `zxx`, `mul`, `mis` name no language a lexicon can be in."""
    if "_" in code:
        return None
    try:
        lang = parse_language_code(code)
    except UnknownLanguageError:
        return None
    if lang.language in ("und", "zxx", "mul", "mis"):
        return None
    script = lang.script or lang.maximize().script
    return Language(code, lang.to_alpha3(), script, lang.display_name())


def suggest_languages(code: str, limit: int = 3) -> list[str]:
    """Close valid codes for a mistyped one, most spoken first (`swz` -> `swh`...), or the code of a language
    name (`swahili` -> `sw`), each as `code (Name)`."""
    import langcodes

    text = code.strip()
    found: list[str] = []
    with contextlib.suppress(LookupError, ValueError):
        found.append(str(langcodes.find(text)))
    lower = text.lower()
    letters = "abcdefghijklmnopqrstuvwxyz"
    candidates = {lower[:i] + c + lower[i + 1 :] for i in range(len(lower)) for c in letters}
    candidates |= {lower[:i] + c + lower[i:] for i in range(len(lower) + 1) for c in letters}
    candidates |= {lower[:i] + lower[i + 1 :] for i in range(len(lower))}
    candidates |= {lower[:i] + lower[i + 1] + lower[i] + lower[i + 2 :] for i in range(len(lower) - 1)}
    ranked: list[tuple[int, str]] = []
    for candidate in candidates:
        if not (2 <= len(candidate) <= 3) or not candidate.isalpha() or not candidate.isascii():
            continue
        lang = langcodes.Language.get(candidate)
        if not lang.is_valid() or lang.language in ("und", "zxx", "mul", "mis"):
            continue
        try:
            population = lang.speaking_population()
        except (LookupError, ValueError):
            population = 0
        if population > 0:
            ranked.append((-population, candidate))
    found.extend(candidate for _, candidate in sorted(ranked))
    unique = list(dict.fromkeys(c for c in found if c.lower() != lower))[:limit]
    return [f"{c} ({langcodes.Language.get(c).display_name()})" for c in unique]


def _same_language(a: str, b: str) -> bool:
    import langcodes

    try:
        return langcodes.tag_distance(a, b) < SAME_LANGUAGE_DISTANCE
    except (ValueError, LookupError):
        return False
