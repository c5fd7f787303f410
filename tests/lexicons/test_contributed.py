"""Contributed data under data/: every file validates, the README table is current, the `contrib` lexicon
source and the paradigm lookup pick files up with no code change, and a synthesis run uses them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lrx.adapt.cli.main import main
from lrx.adapt.synthesize import load_target_morphology
from lrx.adapt.tasks import read_task
from lrx.lexicons.contributed import readme_text
from lrx.lexicons.loading import load_lexicon
from lrx.lexicons.validate import validate_file
from lrx.morphology.contributed import data_dir
from lrx.morphology.contributed import languages_from_name
from lrx.morphology.contributed import paradigm_files
from lrx.morphology.features import FeatureError
from lrx.morphology.features import load_schema
from lrx.morphology.unimorph import UnknownUniMorphLanguageError
from lrx.morphology.unimorph import load_paradigms
from lrx.morphology.unimorph import load_unimorph

from lrx.core.errors import FormatError
from lrx.core.fetch import fetch
from lrx.core.languages import UnknownLanguageError

DATA = Path(__file__).resolve().parents[2] / "data"
DATA_FILES = sorted([*DATA.glob("lexicons/*.tsv"), *DATA.glob("paradigms/*.tsv")])
CONLL = (
    "raw.githubusercontent.com/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391/"
    "data/conll_2003_en/dev.txt"
)
HEAD = "# Source: written for this test\n# Licence: CC0-1.0\n# Contributor: lrx tests\n# Date: 2026-11-25\n"


def test_the_seed_files_are_there():
    assert {p.relative_to(DATA).as_posix() for p in DATA_FILES} >= {"lexicons/eng-swh.tsv", "paradigms/swh.tsv"}
    assert data_dir() == DATA


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.relative_to(DATA).as_posix())
def test_every_contributed_file_validates_without_errors(path, mirror_env):
    report = validate_file(path, schema=load_schema(fetch))
    assert report.errors == [], "\n".join(map(str, report.errors))
    assert report.warnings == [], "\n".join(map(str, report.warnings))


def test_data_readme_is_current():
    committed = (DATA / "README.md").read_text(encoding="utf-8")
    assert committed == readme_text(DATA), (
        "data/README.md is stale: run python -m lrx.lexicons.contributed --write-readme"
    )
    for path in DATA_FILES:
        assert f"`{path.relative_to(DATA).as_posix()}`" in committed


def test_file_names_give_languages():
    assert languages_from_name(Path("eng-swh.tsv"), "lexicon") == languages_from_name(Path("eng-swh.tsv"), "lexicon")
    named = languages_from_name(Path("eng-bam-Nkoo-mali.tsv"), "lexicon")
    assert (named.src, named.tgt, named.variant) == ("eng", "bam-Nkoo", "mali")
    assert languages_from_name(Path("bam-Nkoo.tsv"), "paradigm").tgt == "bam-Nkoo"
    assert languages_from_name(Path("eng.tsv"), "lexicon") is None


# -- the contrib lexicon source ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["swh", "sw", "swa"])
def test_contrib_source_loads_the_seed_lexicon(code):
    lexicon = load_lexicon("contrib", code)
    assert len(lexicon) >= 60
    assert [t.tgt for t in lexicon.lookup("water")] == ["maji"]
    entry = next(e for e in lexicon.entries if e.src == "read")
    assert entry.pos == "VERB" and entry.url.endswith("data/lexicons/eng-swh.tsv") and entry.line > 6


def test_contrib_source_reads_every_variant_and_refuses_a_broken_file(tmp_path, monkeypatch):
    folder = tmp_path / "lexicons"
    folder.mkdir()
    (folder / "eng-ewe.tsv").write_text(HEAD + "source\ttarget\nwater\ttsi\n", encoding="utf-8")
    (folder / "eng-ewe-togo.tsv").write_text(HEAD + "source\ttarget\nhouse\txɔ\n", encoding="utf-8")
    monkeypatch.setenv("LRX_DATA", str(tmp_path))
    lexicon = load_lexicon("contrib", "ee")
    assert {e.src: e.tgt for e in lexicon.entries} == {"water": "tsi", "house": "xɔ"}
    with pytest.raises(UnknownLanguageError):
        load_lexicon("contrib", "swh")  # this data directory has no Swahili
    # a row without a target is a to-do (what `lrx gaps` writes for a linguist to fill): left out, not an error
    (folder / "eng-ewe-togo.tsv").write_text(HEAD + "source\ttarget\nhouse\t\nroof\tgbagbɔ\n", encoding="utf-8")
    assert {e.src: e.tgt for e in load_lexicon("contrib", "ewe").entries} == {"water": "tsi", "roof": "gbagbɔ"}
    (folder / "eng-ewe-togo.tsv").write_text(HEAD + "source\ttarget\nhouse\txɔ\textra\tcolumns\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"eng-ewe-togo\.tsv:6"):
        load_lexicon("contrib", "ewe")


# -- contributed paradigms -----------------------------------------------------------------------------------


def test_paradigms_merge_with_the_unimorph_table(mirror_env):
    assert [p.name for p in paradigm_files("sw")] == ["swh.tsv"] == [p.name for p in paradigm_files("swc")]
    unimorph = load_unimorph("swc", fetch)
    merged = load_paradigms("sw", fetch)
    assert merged.lang == "swc" and merged.files[-1] == "swh.tsv"
    assert len(merged) > len(unimorph)
    assert "pika" not in unimorph and merged.forms("pika", "V;FIN;IND;PST;3;SG;LGSPEC1") == ["alipika"]
    assert "kusoma" in merged.forms("soma", "V;NFIN")


def test_paradigms_alone_where_unimorph_has_none(tmp_path, monkeypatch, mirror_env):
    folder = tmp_path / "paradigms"
    folder.mkdir()
    (folder / "ewe.tsv").write_text(HEAD + "lemma\tform\tfeatures\nyi\tyi\tV;NFIN\n", encoding="utf-8")
    monkeypatch.setenv("LRX_DATA", str(tmp_path))
    paradigms = load_paradigms("ee", fetch)
    assert paradigms.lang == "ewe" and paradigms.forms("yi", "V;NFIN") == ["yi"]
    with pytest.raises(UnknownUniMorphLanguageError):
        load_paradigms("wol", fetch)
    (folder / "ewe.tsv").write_text(HEAD + "lemma\tform\tfeatures\nyi\tyi\tV;NFINITE\n", encoding="utf-8")
    with pytest.raises(FeatureError, match=r"ewe\.tsv:6"):
        load_paradigms("ewe", fetch)


# -- end to end: a synthesis run on real English CoNLL-2003 data --------------------------------------------


def test_synthesis_with_the_contributed_lexicon(mirror_env, tmp_path, capsys):
    blocks = (mirror_env / CONLL).read_text(encoding="utf-8").split("\n\n")[:300]
    source = tmp_path / "en.conll"
    source.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    out = tmp_path / "swh.conll"
    argv = ["synthesize", "--task", "ner", "--input", str(source), "--tgt", "swh", "--lexicon", "contrib"]
    assert main([*argv, "--out", str(out), "--morphology", "off", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["replaced_ratio"] > 0
    english = read_task("ner", source)
    pseudo = read_task("ner", out)
    translated = {
        (e_tok.lower(), p_tok)
        for e, p in zip(english, pseudo, strict=True)
        if len(e.tokens) == len(p.tokens)
        for e_tok, p_tok in zip(e.tokens, p.tokens, strict=True)
        if e_tok != p_tok
    }
    # every changed token is a seed translation (cased like the English token; lemma matches: years -> mwaka)
    seed_targets = {e.tgt for e in load_lexicon("contrib", "swh").entries}
    assert translated and {target.lower() for _, target in translated} <= seed_targets
    assert {("and", "na"), ("two", "mbili"), ("years", "mwaka")} <= translated


def test_synthesis_inflects_with_the_contributed_paradigms(mirror_env, tmp_path, capsys):
    source = tmp_path / "en.conll"
    source.write_text("She O\ncooked O\nfood O\n", encoding="utf-8")
    out = tmp_path / "swh.conll"
    argv = ["synthesize", "--task", "ner", "--input", str(source), "--tgt", "swh", "--lexicon", "contrib"]
    assert main([*argv, "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["inflected"] == 1
    # cook -> pika (seed lexicon), V;PST -> the class-1 3rd singular past, found in data/paradigms/swh.tsv
    # (UniMorph's Swahili table has no `pika`)
    assert read_task("ner", out)[0].tokens[1:] == ["alipika", "chakula"]
    assert load_target_morphology("swh").language == "swc"
