"""`lrx languages` and `language=<any code>`: the catalog joins the lexicon sources, UniMorph and the registry;
Hydra composes a language node for any code it knows, a hand-written conf/language file winning in any form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hydra import compose
from hydra import initialize_config_dir
from hydra.errors import MissingConfigException
from lrx.adapt.cli.main import main as lrx
from lrx.adapt.languages import default_lexicon_source
from lrx.adapt.languages import language_catalog
from lrx.adapt.languages import language_info
from lrx.adapt.run import schema  # noqa: F401  (the typed schema and the language source that config.yaml names)
from lrx.adapt.run.language_source import hand_written
from lrx.lexicons.sources.gatitos import LANGUAGES as GATITOS

from lrx.core.languages import normalize_language

CONF = Path(__file__).resolve().parents[2] / "conf"
JSON_KEYS = {"code", "name", "script", "lexicons", "unimorph", "monolingual", "test_sets"}


def _compose(overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose(config_name="config", overrides=overrides)


def test_the_catalog_has_every_gatitos_language_and_what_each_has(mirror_env):
    catalog = {info.code: info for info in language_catalog()}
    assert {normalize_language(code).iso3 for code in GATITOS} <= set(catalog)
    ewe = catalog["ewe"]
    assert (ewe.name, ewe.script, ewe.tag) == ("Ewe", "Latn", "ee")
    gatitos = [lexicon for lexicon in ewe.lexicons if lexicon.source == "gatitos"]
    # the entry count is read from the mirror's copy of en_ee.tsv: its lines with a tab
    mirror_file = mirror_env / "raw.githubusercontent.com/google-research/url-nlp"
    lines = next(mirror_file.glob("*/gatitos/en_ee.tsv")).read_text(encoding="utf-8").splitlines()
    assert gatitos[0].entries == sum(1 for line in lines if "\t" in line)
    assert list(ewe.test_sets) == ["ner"] and ewe.bible and len(ewe.monolingual) == 2
    # UniMorph: Swahili's table is swc; Swahili's lexicons (FreeDict's swh) join the swa row of MasakhaNER
    swahili = catalog["swa"]
    assert swahili.unimorph == "swc" and "freedict" in swahili.lexicon_sources and "ner" in swahili.test_sets
    assert catalog["amh"].unimorph == "amh" and catalog["amh"].lexicons == []


def test_the_lexicon_a_language_is_adapted_with_follows_the_preference_order(mirror_env):
    assert default_lexicon_source(language_info("ee")) == "gatitos"
    assert default_lexicon_source(language_info("afr")) == "muse"  # no GATITOS file; MUSE before FreeDict
    assert default_lexicon_source(language_info("lin")) == "gatitos"


def test_lrx_languages_json_and_source_filter(mirror_env, capsys):
    assert lrx(["languages", "--json", "--source", "gatitos"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len({normalize_language(code).iso3 for code in GATITOS})
    assert all(set(row) >= JSON_KEYS and len(row["code"]) == 3 for row in rows)
    by_code = {row["code"]: row for row in rows}
    assert by_code["wol"]["test_sets"]["pos"][0].endswith("wo_wtb-ud-test.conllu")
    assert lrx(["languages"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("code") and "Ewe" in out and "languages;" in out.splitlines()[-1]
    assert lrx(["languages", "--source", "nosuch"]) == 2
    assert "no lexicon source 'nosuch'" in capsys.readouterr().err


def test_a_hand_written_language_file_wins_whichever_form_of_the_code(mirror_env):
    assert hand_written("ewe").name == "ee.yaml" and hand_written("swh").name == "sw.yaml"
    typed = _compose(["language=ewe"])
    assert typed.language == _compose(["language=ee"]).language
    swahili = _compose(["language=swh"])
    assert swahili.language.code == "sw" and swahili.lexicon._target_.endswith("FreeDictSource")
    # the command line's lexicon still wins over the language file's choice
    assert _compose(["language=swh", "lexicon=muse"]).lexicon._target_.endswith("MuseSource")


def test_a_language_without_a_file_is_built_from_the_catalog(mirror_env):
    dinka = _compose(["language=din"])
    assert (dinka.language.code, dinka.language.iso639_3, dinka.language.name) == ("din", "din", "Dinka")
    assert dinka.language.monolingual[0].endswith("/bibles/Dinka-NT.xml") and dinka.language.test_sets == {}
    assert dinka.tgt == "din" and dinka.lexicon._target_.endswith("GatitosSource")
    # MUSE's Afrikaans, with UD Afrikaans as its POS test set
    afrikaans = _compose(["language=afr", "task=pos"])
    assert afrikaans.lexicon._target_.endswith("MuseSource") and afrikaans.language.code == "af"
    assert afrikaans.language.test_sets.pos[0].endswith("af_afribooms-ud-test.conllu")
    with pytest.raises(MissingConfigException, match="language/xx"):
        _compose(["language=xx"])
