"""Scripts and characters for `lrx validate`: the ISO 15924 script of a letter (the `regex` module's Unicode
script properties), lookalike tables (IPA, Cyrillic, Greek and Latin confusables), and the extra letters
English words may carry."""

from __future__ import annotations

import functools
import unicodedata

import regex

# Letters English words may carry besides a-z (loanwords: café, naïve, jalapeño, façade, Zoë)
ENGLISH_EXTRA_LETTERS = frozenset("éèêëáàâäíìîïóòôöúùûüçñæœÉÈÊËÁÀÂÄÍÌÎÏÓÒÔÖÚÙÛÜÇÑÆŒ")

# Characters that look like a Latin letter but are not one (or are IPA), and the letter meant. Lookalikes are
# the point of these tables, hence the noqa (ruff's own ambiguous-character check).
LATIN_LOOKALIKES: dict[str, str] = {
    "\u0261": "g",  # LATIN SMALL LETTER SCRIPT G: the IPA symbol, typed from IPA keyboards
    **dict(zip("аеорсухіјѕԁһӏАВЕКМНОРСТХІЈЅ", "aeopcyxijsdhlABEKMHOPCTXIJS", strict=True)),  # Cyrillic  # noqa: RUF001
    **dict(zip("οανικρΑΒΕΖΗΙΚΜΝΟΡΤΧΥ", "oavikpABEZHIKMNOPTXY", strict=True)),  # Greek
}
# Latin letters inside Cyrillic words, and the Cyrillic letter meant.
CYRILLIC_LOOKALIKES: dict[str, str] = dict(zip("aeopcyxAEKMHOPCTX", "аеорсухАЕКМНОРСТХ", strict=True))  # noqa: RUF001

# Scripts named in messages, tried in this order (an ISO 15924 code the `regex` module knows).
NAMED_SCRIPTS = (
    "Latn Cyrl Grek Arab Ethi Nkoo Hebr Deva Beng Taml Telu Thai Armn Geor Hang Hira Kana Hani Tfng Vaii Adlm"
).split()


# -- scripts and characters ----------------------------------------------------------------------------------


@functools.cache
def _script_pattern(script: str) -> regex.Pattern[str] | None:
    try:
        # script extensions: a letter shared by several scripts (Devanagari danda...) counts for each
        return regex.compile(rf"\p{{scx={script}}}")
    except regex.error:
        return None


def script_of(char: str) -> str:
    """An ISO 15924 code for a letter from NAMED_SCRIPTS, else the first word of its Unicode name."""
    for script in NAMED_SCRIPTS:
        pattern = _script_pattern(script)
        if pattern is not None and pattern.match(char):
            return script
    return unicodedata.name(char, "unknown").split(" ")[0].title()


def _describe(char: str) -> str:
    return f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')})"
