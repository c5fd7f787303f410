"""How the UniMorph tables name languages: ISO 639-3 codes, a few aliases, and the key a paradigm file's
language is matched by. Below both `lrx.morphology.unimorph` (which resolves a request to its table) and
`lrx.morphology.contributed` (which finds the contributed paradigm files of a language), so that the two
share one alias table without importing each other."""

from __future__ import annotations

# Codes langcodes does not map onto the repository's name: UniMorph files Swahili under `swc` (which is
# really Congo Swahili), and langcodes turns `tl`/`tgl` into Filipino.
UNIMORPH_ALIASES = {"swa": "swc", "swh": "swc", "sw": "swc", "fil": "tgl", "uzn": "uzb", "ekk": "est"}


def language_key(code: str) -> tuple[str, str | None] | None:
    """(ISO 639-3 code as the UniMorph tables name it, script or None) for matching paradigm files to a
    request; None for a code that is not a language."""
    import langcodes  # a dependency of lrx, imported here to keep `import lrx.morphology` light

    try:
        lang = langcodes.Language.get(code.strip().replace("_", "-"))
    except (ValueError, LookupError, AttributeError):
        return None
    if not lang.language or not lang.is_valid():
        return None
    alpha3 = lang.to_alpha3()
    script = lang.script
    if script and script == langcodes.Language.get(lang.language).maximize().script:
        script = None  # the language's usual script, written out: the same as not writing it
    return UNIMORPH_ALIASES.get(alpha3, alpha3), script
