"""Language codes: ISO 639-1/3 and BCP-47 in, each source's own codes matched."""

from __future__ import annotations

import pytest
from lrx.lexicons.sources.gatitos import LANGUAGES as GATITOS

from lrx.core.languages import UnknownLanguageError
from lrx.core.languages import match_language
from lrx.core.languages import normalize_language


@pytest.mark.parametrize(
    ("code", "tag", "iso3"),
    [("ewe", "ee", "ewe"), ("ee", "ee", "ewe"), ("bam", "bm", "bam"), ("bm", "bm", "bam"), ("swh", "swh", "swh"),
     ("tl", "tl", "tgl"), ("tgl", "tl", "tgl"), ("fil", "fil", "fil"), ("en_US", "en-US", "eng")],
)  # fmt: skip
def test_normalize(code, tag, iso3):
    lang = normalize_language(code)
    assert (lang.tag, lang.iso3) == (tag, iso3)


@pytest.mark.parametrize("code", ["xyz", "", "not a code", "e"])
def test_invalid_codes_raise(code):
    with pytest.raises(UnknownLanguageError):
        normalize_language(code)


def test_match_against_gatitos_codes():
    assert match_language("ewe", GATITOS) == "ee"
    assert match_language("bam", GATITOS) == "bm"  # the plain tag wins over bm-Nkoo
    assert match_language("bm-Nkoo", GATITOS) == "bm-Nkoo"
    assert match_language("apd", GATITOS) == "apd-SD"  # the only variety of Sudanese Arabic
    assert match_language("lug", GATITOS) == "lg"


def test_macrolanguage_and_individual_language_match():
    assert match_language("swh", ["sw", "zu"]) == "sw"
    assert match_language("sw", ["swh", "zu"]) == "swh"
    assert match_language("tgl", ["tl", "fil"]) == "tl"


def test_uncovered_language_lists_close_matches():
    with pytest.raises(UnknownLanguageError, match=r"not covered by source 'gatitos'.*close matches: .*ee"):
        match_language("eee", GATITOS, source="gatitos")
