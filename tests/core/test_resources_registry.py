"""The registry of test sets and texts (lrx/core/resources.yaml): every URL is a real file of the data mirror,
every key an ISO 639-3 code, and any form of a language's code finds its entry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lrx.core.registry import RESOURCES
from lrx.core.registry import bible_url
from lrx.core.registry import known_codes
from lrx.core.registry import language_resources
from lrx.core.registry import load_resources
from lrx.core.registry import registry_key

MIRROR = Path(__file__).resolve().parents[2].parent / "shared/data/mirror"
URLS = sorted({url for entry in load_resources().values() for url in entry.urls()})


@pytest.mark.parametrize("url", URLS)
def test_every_url_of_the_registry_is_a_file_of_the_mirror(url):
    assert url.startswith("https://")
    path = MIRROR / url.removeprefix("https://")
    assert path.is_file(), f"{url} is not in the data mirror ({path})"
    assert path.stat().st_size > 0


def test_keys_are_iso_639_3_and_entries_hold_what_the_collections_have():
    codes = known_codes()
    assert all(len(code) == 3 and code.islower() for code in codes)
    assert len(codes) == len(yaml.safe_load(RESOURCES.read_text(encoding="utf-8")))
    # MasakhaNER 2.0: 15 languages with test sets, 5 with train splits (also the first unlabelled text)
    ner = [code for code in codes if "ner" in load_resources()[code].test_sets]
    assert len(ner) == 15
    ewe = load_resources()["ewe"]
    assert ewe.train_sets["ner"][0].endswith("MasakhaNER2.0/data/ewe/train.txt")
    assert ewe.monolingual[0] == ewe.train_sets["ner"][0] and ewe.monolingual[1] == ewe.bible
    # every Bible of the corpus, xSID's Bavarian dialect sets together, UD's Latvian dev-only treebank
    assert len([code for code in codes if load_resources()[code].bible]) == 11
    assert len(load_resources()["bar"].test_sets["xsid"]) == 3
    assert "pos" in load_resources()["lav"].dev_sets and "pos" not in load_resources()["lav"].test_sets


@pytest.mark.parametrize(
    ("typed", "key"),
    [("ee", "ewe"), ("ewe", "ewe"), ("wo", "wol"), ("sw", "swa"), ("swh", "swa"), ("lv", "lav"), ("kab", "kab")],
)
def test_any_form_of_a_code_finds_its_entry(typed, key):
    assert registry_key(typed) == key
    assert language_resources(typed).iso3 == key


def test_a_language_without_data_has_no_entry_and_a_bible_is_found_by_code():
    assert registry_key("fr") is None and language_resources("aa") is None and bible_url("aa") is None
    assert bible_url("quc").endswith("/bibles/K'iche'-NT.xml")
    assert bible_url("din").endswith("/bibles/Dinka-NT.xml")


def test_a_malformed_registry_names_the_file_and_the_entry(tmp_path):
    bad = tmp_path / "resources.yaml"
    bad.write_text("ee:\n  test_sets: {ner: [x]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"resources.yaml: key 'ee' is not the ISO 639-3 code 'ewe'"):
        load_resources.__wrapped__(bad)
    bad.write_text("ewe:\n  tests: {ner: [x]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"entry 'ewe' has unknown keys tests"):
        load_resources.__wrapped__(bad)
