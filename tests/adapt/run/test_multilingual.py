"""One model for many languages (`languages=[...]`), and a language with no test set (adapted, not evaluated):
end to end on a tiny model and slices of the real data."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from hydra import compose
from hydra import initialize_config_dir
from lrx.adapt.report import write_report
from lrx.adapt.run.engine import marker_path
from lrx.adapt.run.engine import run_pipeline
from lrx.adapt.run.multilingual import JOINT_SUFFIX
from lrx.adapt.run.multilingual import sample_pooled
from lrx.adapt.run.multilingual import temperature_shares
from lrx.adapt.tasks import read_task

CONF = Path(__file__).resolve().parents[3] / "conf"
SMALL = ["model=tiny", "task.max_train_sentences=60", "task.max_eval_sentences=40", "model.train.max_steps=4"]
ALL_STAGES = "stages=[lexicon,synthesize,vocab,mlm,train,self_train,distill,evaluate]"


def _compose(overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose(config_name="config", overrides=overrides)


def test_temperature_shares_keep_sizes_at_one_and_flatten_as_it_grows():
    sizes = {"a": 900, "b": 100}
    assert temperature_shares(sizes, 1.0) == pytest.approx({"a": 0.9, "b": 0.1})
    flat = temperature_shares(sizes, 1000.0)
    assert flat["a"] == pytest.approx(0.5, abs=0.01)
    assert 0.5 < temperature_shares(sizes, 3.33)["a"] < 0.9


def test_pooling_resamples_each_language_to_its_share_of_the_same_total():
    data = {"a": [("a", i) for i in range(90)], "b": [("b", i) for i in range(10)]}
    pooled, counts = sample_pooled(data, 1000.0, seed=1)
    assert len(pooled) == 100 and counts == {"a": 50, "b": 50}
    # shrinking: a subset without repeats; growing: every sentence, then draws
    assert len({item for item in pooled if item[0] == "a"}) == 50
    assert {item for item in pooled if item[0] == "b"} == set(data["b"])
    assert sample_pooled(data, 1.0, seed=1)[1] == {"a": 90, "b": 10}


def test_one_model_for_two_languages_is_scored_on_each(mirror_env, tmp_path):
    run_dir = tmp_path / "joint"
    cfg = _compose(
        [*SMALL, ALL_STAGES, "languages=[ee,wo]", "task.eval_dev=true", "multilingual.temperature=1",
         "multilingual.english_share=0.5"]
    )  # fmt: skip
    result = run_pipeline(cfg, run_dir)
    # each language's data in its own sub-run, pooled in the run directory
    for code in ("ee", "wo"):
        stats = json.loads((run_dir / "languages" / code / "pseudo.ner.stats.json").read_text(encoding="utf-8"))
        assert f"pair:eng-{code}" in stats["signature"]
    pooled = read_task("ner", run_dir / "pseudo.ner")
    per_language = [read_task("ner", run_dir / "languages" / code / "pseudo.ner") for code in ("ee", "wo")]
    assert len(pooled) == sum(len(sentences) for sentences in per_language)
    assert {tuple(s.tokens) for s in pooled} == {tuple(s.tokens) for part in per_language for s in part}
    # English resampled to half of the training data (multilingual.english_share=0.5), as a per-language
    # pseudo+en model has it: every English sentence, then draws (the default, null, keeps it once)
    english = read_task("ner", run_dir / "english.ner")
    single = read_task("ner", run_dir / "languages" / "ee" / "english.ner")
    assert len(english) == len(pooled) and {tuple(s.tokens) for s in english} == {tuple(s.tokens) for s in single}
    rows = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert {(row["language"], row["test_set"]) for row in rows} == {
        ("ee", "masakhaner2/ewe/test"),
        ("ee", "masakhaner2/ewe/dev"),
        ("wo", "masakhaner2/wol/test"),
        ("wo", "masakhaner2/wol/dev"),
    }
    assert {row["method"] for row in rows} == {"lrx_trans_train_en_names" + JOINT_SUFFIX}
    assert result.metric == pytest.approx(sum(r["score"] for r in rows if r["test_set"].endswith("/test")) / 2)
    # `lrx report` over the run: the joint model's scores per language, and the data each language's sub-run made
    report = write_report(run_dir, tmp_path / "report")
    assert {table.split for table in report.tables} == {"test", "dev"}
    test_table = next(table for table in report.tables if table.split == "test")
    assert test_table.rows == ["ee", "wo"] and test_table.methods == ["lrx_trans_train_en_names" + JOINT_SUFFIX]
    data = {row.language: row for row in report.data}
    assert set(data) == {"ee", "wo"} and all(row.pseudo_sentences == 60 for row in data.values())
    stats = json.loads((run_dir / "languages" / "wo" / "pseudo.ner.stats.json").read_text(encoding="utf-8"))
    assert data["wo"].translated == stats["replaced_ratio"] and data["wo"].source == "gatitos"
    assert "## data" in report.markdown and "| wo | gatitos |" in report.markdown
    # a second run resumes: nothing is trained or scored again
    again = run_pipeline(cfg, run_dir)
    assert "train" in again.skipped and "evaluate" in again.skipped and again.metric == result.metric


def test_a_joint_run_refuses_single_language_methods(mirror_env, tmp_path):
    cfg = _compose([*SMALL, "languages=[ee,wo]", "method=pseudo_mlm"])
    with pytest.raises(ValueError, match="single-language step"):
        run_pipeline(cfg, tmp_path / "run")
    cfg = _compose([*SMALL, "languages=[ee,wo]", "multilingual.english_share=1.5"])
    with pytest.raises(ValueError, match=r"english_share must be in \(0, 1\)"):
        run_pipeline(cfg, tmp_path / "run")


def test_a_language_without_a_test_set_is_adapted_and_says_so(mirror_env, tmp_path, caplog):
    run_dir = tmp_path / "dinka"
    cfg = _compose([*SMALL, ALL_STAGES, "language=din", "method=pseudo_trans_train"])
    with caplog.at_level(logging.WARNING, logger="lrx.adapt.run.engine"):
        result = run_pipeline(cfg, run_dir)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("has no test set for task ner: every stage but evaluate runs" in w for w in warnings)
    assert "evaluate" not in result.stages and not (run_dir / "metrics.json").exists()
    assert not marker_path(run_dir, "evaluate").exists() and marker_path(run_dir, "train").exists()
    # the adapted model is the product: kept
    assert (run_dir / "model" / "config.json").is_file()
