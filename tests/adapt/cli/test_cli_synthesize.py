"""`lrx synthesize` and `synthesize_file` end to end: real lexicons, real task files, real UniMorph tables."""

from __future__ import annotations

import json
from pathlib import Path

import conllu
import pytest
from hydra import compose
from hydra import initialize_config_dir
from lrx.adapt.cli.main import main
from lrx.adapt.run.app import run
from lrx.adapt.synthesize import load_target_morphology
from lrx.adapt.synthesize import synthesize_many
from lrx.adapt.tasks import read_signature
from lrx.adapt.tasks import read_task
from lrx.lexicons.synthesis import SynthesisOptions
from lrx.morphology.unimorph import load_unimorph

from lrx.core.fetch import fetch

RAW = "raw.githubusercontent.com"
CONLL = f"{RAW}/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391/data/conll_2003_en/dev.txt"
JSON_KEYS = ["sentences", "tokens_in", "tokens_out", "replaced_ratio", "inflected", "seconds", "tokens_per_s"]
CONF = Path(__file__).resolve().parents[3] / "conf"


def _first(mirror_dir: Path, pattern: str) -> Path:
    found = sorted(mirror_dir.glob(pattern))
    assert found, pattern
    return found[0]


def _ner_sample(mirror_dir: Path, tmp_path: Path, sentences: int = 200) -> Path:
    """The first sentences of the real CoNLL-2003 English dev set."""
    blocks = (mirror_dir / CONLL).read_text(encoding="utf-8").split("\n\n")[:sentences]
    path = tmp_path / "en.conll"
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


def test_ner_json_keys_signature_and_round_trip(mirror_env, tmp_path, capsys):
    source = _ner_sample(mirror_env, tmp_path)
    out = tmp_path / "ee.conll"
    argv = ["synthesize", "--task", "ner", "--input", str(source), "--tgt", "ee", "--lexicon", "gatitos"]
    assert main([*argv, "--out", str(out), "--json", "--morphology", "off", "--seed", "3"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert list(stats) == JSON_KEYS
    english = read_task("ner", source)
    pseudo = read_task("ner", out)
    assert stats["sentences"] == len(pseudo) == len(english)
    assert stats["tokens_in"] == sum(len(s.tokens) for s in english)
    assert stats["tokens_out"] == sum(len(s.tokens) for s in pseudo)
    assert stats["inflected"] == 0 and 0.2 < stats["replaced_ratio"] < 0.9
    expected = "lrx:0.1|task:ner|lex:gatitos|pair:eng-ee|morph:off|choice:weighted|unk:keep|ent:keep|min:0|seed:3"
    assert read_signature(out) == expected
    saved = json.loads(out.with_name("ee.conll.stats.json").read_text(encoding="utf-8"))
    assert saved["signature"] == read_signature(out) and saved["sentences"] == stats["sentences"]
    # entity labels survive: the same entity types, in the same sentences
    for e, p in zip(english, pseudo, strict=True):
        assert {label[2:] for label in e.labels if label != "O"} == {label[2:] for label in p.labels if label != "O"}
    # the same seed gives the same file
    again = tmp_path / "again.conll"
    assert main([*argv, "--out", str(again), "--morphology", "off", "--seed", "3"]) == 0
    assert again.read_bytes() == out.read_bytes()


def test_swahili_morphology_inflects_through_the_unimorph_table(mirror_env, tmp_path, capsys):
    source = tmp_path / "en.conll"
    source.write_text("She O\nwalked O\nhome O\n\nThe O\nchildren O\nread O\nbooks O\n", encoding="utf-8")
    out = tmp_path / "sw.conll"
    argv = ["synthesize", "--task", "ner", "--input", str(source), "--tgt", "sw", "--lexicon", "freedict"]
    assert main([*argv, "--unimorph", "swc", "--out", str(out), "--choice", "frequent", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["inflected"] == 1
    first = read_task("ner", out)[0]
    # walk -> tembea (FreeDict), V;PST -> the class-1 3rd singular past: the a-li- prefixes of Swahili
    assert first.tokens[1] == "alitembea"
    full = json.loads(out.with_name("sw.conll.stats.json").read_text(encoding="utf-8"))
    assert full["paths"]["inflected"] == 1 and full["inflector"] == "unimorph:swc:rules"
    assert full["feature_map"]["V;PST"] is not None and full["feature_map"]["N;PL"] is None


def test_main_forms_pick_the_form_consistent_with_the_paradigm(mirror_env):
    paradigms = load_unimorph("swc", fetch)
    cell = "V;FIN;IND;PST;3;SG;LGSPEC1"
    assert paradigms.forms("soma", cell) == ["asome", "alisoma"]  # the table's order: the subjunctive first
    chosen = {(lemma, str(b)): form for lemma, b, form in paradigms.main_forms()}
    assert chosen[("soma", "V;FIN;IND;SG;3;PST;LGSPEC1")] == "alisoma"
    assert len(chosen) == sum(1 for cells in map(paradigms.paradigm, paradigms.lemmas) for _ in cells)


def test_target_morphology_is_cached_and_a_damaged_cache_refitted(mirror_env, lrx_cache):
    first = load_target_morphology("sw")
    assert first is not None and first.language == "swc"
    saved = next((lrx_cache / "inflectors").iterdir())
    (saved / "rules.json").write_text("{not json", encoding="utf-8")
    again = load_target_morphology("sw")
    assert again("tembea", "V;PST") == first("tembea", "V;PST") == "alitembea"
    assert load_target_morphology("ee") is None  # no UniMorph table for Ewe


def test_pos_and_xsid_keep_their_formats(mirror_env, tmp_path, capsys):
    pud = _first(mirror_env, f"{RAW}/UniversalDependencies/UD_English-PUD/*/en_pud-ud-test.conllu")
    out = tmp_path / "wo.conllu"
    argv = ["synthesize", "--task", "pos", "--input", str(pud), "--tgt", "wo", "--lexicon", "gatitos"]
    assert main([*argv, "--out", str(out), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    parsed = conllu.parse(out.read_text(encoding="utf-8"))
    assert len(parsed) == stats["sentences"] == 1000
    assert all(s.metadata["text_en"] and s.metadata["text"] != s.metadata["text_en"] for s in parsed[:50])
    english = read_task("pos", pud)
    pseudo = read_task("pos", out)
    assert {tag for s in pseudo for tag in s.labels} <= {tag for s in english for tag in s.labels}

    xsid = _first(mirror_env, f"{RAW}/mainlp/xsid/*/data/xSID-0.7/en.valid.conll")
    out = tmp_path / "ee.xsid"
    argv = ["synthesize", "--task", "xsid", "--input", str(xsid), "--tgt", "ee", "--lexicon", "gatitos"]
    assert main([*argv, "--out", str(out), "--json"]) == 0
    english = read_task("xsid", xsid)
    pseudo = read_task("xsid", out)
    assert [s.meta["intent"] for s in pseudo] == [s.meta["intent"] for s in english]
    assert all("slots" not in s.meta and s.meta["text-en"] for s in pseudo)


def test_pseudo_monolingual_text_with_min_replaced(mirror_env, tmp_path, capsys):
    kjv = mirror_env.parent / "derived/bible/English-KJV.tsv"
    lines = [line.split("\t", 1)[1] for line in kjv.read_text(encoding="utf-8").splitlines()[23145:23645]]
    source = tmp_path / "en.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "ee.txt"
    argv = ["synthesize", "--task", "text", "--input", str(source), "--tgt", "ee", "--lexicon", "gatitos"]
    assert main([*argv, "--out", str(out), "--min-replaced", "8", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    kept = read_task("text", out)
    assert 0 < stats["sentences"] == len(kept) < len(lines)


def test_malformed_input_is_one_line_naming_file_and_line(mirror_env, tmp_path, capsys):
    bad = tmp_path / "bad.conll"
    bad.write_text("Peter B-PER\nwalked O extra\n", encoding="utf-8")
    argv = ["synthesize", "--task", "ner", "--input", str(bad), "--tgt", "ee", "--lexicon", "gatitos"]
    assert main([*argv, "--out", str(tmp_path / "out.conll")]) == 2
    assert f"{bad}:2" in capsys.readouterr().err
    assert not (tmp_path / "out.conll").exists()


def test_hydra_synthesize_stage_calls_the_same_function(mirror_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = _ner_sample(mirror_env, tmp_path, sentences=50)
    overrides = ["tgt=ee", "stages=[synthesize]", f"task.train={source}", "method.synthesis.morphology=false"]
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose(config_name="config", overrides=overrides)
    results = run(cfg)
    assert results["synthesize"]["sentences"] == 50
    assert read_signature(tmp_path / "pseudo.ner").startswith("lrx:0.1|task:ner|lex:gatitos|pair:eng-ee|morph:off")


def test_unknown_stage_is_refused(mirror_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose(config_name="config", overrides=["stages=[synthesise]"])
    with pytest.raises(ValueError, match="unknown stage"):
        run(cfg)


def test_many_languages_in_a_pool_and_one_failure_does_not_stop_the_others(mirror_env, tmp_path):
    source = _ner_sample(mirror_env, tmp_path, sentences=40)
    results = synthesize_many(
        "ner", source, ["ee", "qqq", "wo"], "gatitos", tmp_path / "out", SynthesisOptions(morphology=False), workers=2
    )
    assert list(results) == ["ee", "qqq", "wo"]
    assert "error" in results["qqq"] and "qqq" in results["qqq"]["error"]
    for lang in ("ee", "wo"):
        assert results[lang]["sentences"] == 40
        assert read_signature(tmp_path / "out" / f"{lang}.ner").startswith(
            f"lrx:0.1|task:ner|lex:gatitos|pair:eng-{lang}"
        )
    assert not (tmp_path / "out" / "qqq.ner").exists()
