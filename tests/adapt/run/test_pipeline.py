"""`lrx-run` end to end: every stage on a tiny model and slices of the real data (CoNLL-2003 English ->
MasakhaNER 2.0), resuming, sweeps through the joblib and submitit launchers, a failing job, `lrx report`."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hydra import compose
from hydra import initialize_config_dir
from lrx.adapt import synthesize as synthesize_module
from lrx.adapt.cli.main import main as lrx
from lrx.adapt.report import RESULT_KEYS
from lrx.adapt.run.engine import STAGES
from lrx.adapt.run.engine import PipelineError
from lrx.adapt.run.engine import marker_path
from lrx.adapt.run.engine import run_pipeline
from lrx.adapt.run.stages.evaluate import short_test_set_name
from lrx.adapt.tasks import read_signature

CONF = Path(__file__).resolve().parents[3] / "conf"
# small enough for seconds per job on a CPU: 200 English sentences, 100 test sentences, a few steps
SMALL = ["model=tiny", "task.max_train_sentences=200", "task.max_eval_sentences=100", "model.train.max_steps=8"]
MASAKHANER = "https://raw.githubusercontent.com/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391"


def _compose(overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose(config_name="config", overrides=overrides)


def _markers(run_dir: Path) -> dict[str, dict]:
    return {stage: json.loads(marker_path(run_dir, stage).read_text(encoding="utf-8")) for stage in STAGES}


def _ids(run_dir: Path) -> dict[str, str]:
    return {stage: marker["id"] for stage, marker in _markers(run_dir).items()}


def _sweep(cwd: Path, *overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lrx.adapt.run.app", "-m", *SMALL, *overrides],
        capture_output=True, text=True, env=os.environ.copy(), cwd=cwd, timeout=400,
    )  # fmt: skip


def _report_rows(capsys: pytest.CaptureFixture, sweep: Path) -> dict[str, list[str]]:
    """`lrx report SWEEP`'s Markdown table: language -> its cells, the header row under "language"."""
    assert lrx(["report", str(sweep)]) == 0
    rows = {}
    paired = False  # the table of differences to the baseline follows the scores, until the next section
    scores = True  # the data section's table has language rows of its own
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("Difference to "):
            paired = True
        elif line.startswith("## "):
            paired = False
            scores = line != "## data"
        elif line.startswith("| ") and not line.startswith("| **mean**") and not paired and scores:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def test_short_test_set_names():
    assert short_test_set_name(f"{MASAKHANER}/MasakhaNER2.0/data/ewe/test.txt") == "masakhaner2/ewe/test"
    ud = "https://raw.githubusercontent.com/UniversalDependencies/UD_Wolof-WTB/575a3ab6/wo_wtb-ud-test.conllu"
    assert short_test_set_name(ud) == "ud/wolof-wtb/test"
    xsid = "https://raw.githubusercontent.com/mainlp/xsid/761d926c/data/xSID-0.7/de-st.test.conll"
    assert short_test_set_name(xsid) == "xsid/de-st/test"


def test_a_run_writes_metrics_and_markers_then_skips_forces_and_resumes(mirror_env, tmp_path):
    run_dir = tmp_path / "run"
    cfg = _compose(SMALL)
    start = time.perf_counter()
    first = run_pipeline(cfg, run_dir)
    first_seconds = time.perf_counter() - start
    assert first.ran == list(STAGES) and first.skipped == []

    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert len(metrics) == len(cfg.language.test_sets.ner) == 1  # one entry per test set
    entry = metrics[0]
    assert tuple(entry) == (*RESULT_KEYS, "seed", "sentences_per_s") and entry["seed"] == 1
    assert {k: entry[k] for k in ("language", "task", "method", "model", "test_set", "metric")} == {
        "language": "ee",
        "task": "ner",
        "method": "lrx_trans_train_en_names",
        "model": "tiny",
        "test_set": "masakhaner2/ewe/test",
        "metric": "entity_f1",
    }
    assert 0.0 <= entry["score"] <= 100.0 and entry["seconds"] > 0
    assert entry["signature"] == read_signature(run_dir / "pseudo.ner")
    assert entry["signature"].startswith("lrx:0.1|task:ner|lex:gatitos|pair:eng-ee|morph:on|choice:weighted")
    assert first.metric == pytest.approx(entry["score"])
    assert first["synthesize"]["sentences"] == first["synthesize"]["english_sentences"] == 200

    markers = _markers(run_dir)
    for stage, marker in markers.items():
        assert marker["stage"] == stage and marker["seconds"] >= 0 and marker["did"] and marker["inputs"]["settings"]
    assert markers["mlm"]["did"] == "nothing: method.mlm is false"
    # a stage names the ids of the stages it reads from
    assert markers["train"]["inputs"]["synthesize"] == markers["synthesize"]["id"]
    assert markers["evaluate"]["inputs"]["train"] == markers["train"]["id"]
    # nothing to self-train or distill: they depend on nothing
    assert "train" not in markers["distill"]["inputs"] and "train" not in markers["self_train"]["inputs"]
    # save_model=null in a single run: the final model stays (with its card), the encoder it started from goes
    assert (run_dir / "model" / "config.json").is_file() and (run_dir / "model" / "README.md").is_file()
    assert not (run_dir / "encoder").exists()
    assert (run_dir / "english.ner").is_file() and (run_dir / "lexicon_stats.json").is_file()
    assert not list(run_dir.glob(".*tmp*"))

    # the same run again: every stage is done, none runs
    ids = _ids(run_dir)
    start = time.perf_counter()
    second = run_pipeline(cfg, run_dir)
    assert time.perf_counter() - start < first_seconds / 2
    assert second.ran == [] and second.skipped == list(STAGES)
    assert _ids(run_dir) == ids and second.metric == first.metric
    assert second["synthesize"]["sentences"] == 200  # results come from the markers

    # force=true: every stage again, each with a new id
    forced = run_pipeline(_compose([*SMALL, "force=true"]), run_dir)
    assert forced.ran == list(STAGES)
    assert all(_ids(run_dir)[stage] != ids[stage] for stage in STAGES)

    # resume: a run killed while training leaves no train marker; train, and evaluate (which reads its model),
    # run again, nothing else. save_model=true keeps the weights this time
    ids = _ids(run_dir)
    marker_path(run_dir, "train").unlink()
    resumed = run_pipeline(_compose([*SMALL, "save_model=true"]), run_dir)
    assert resumed.ran == ["train", "evaluate"]
    after = _ids(run_dir)
    assert {s: after[s] for s in STAGES if s not in resumed.ran} == {s: ids[s] for s in STAGES if s not in resumed.ran}
    assert (run_dir / "model" / "config.json").is_file() and (run_dir / "model" / "lrx.json").is_file()
    assert not (run_dir / "failed.json").exists()

    # changed inputs: another seed changes synthesis, hence everything that reads it
    reseeded = run_pipeline(_compose([*SMALL, "seed=2"]), run_dir)
    assert reseeded.ran == ["synthesize", "train", "evaluate"]


def test_one_stage_reads_earlier_outputs_or_says_what_is_missing(mirror_env, tmp_path):
    run_dir = tmp_path / "run"
    missing = r"stage train reads what stage synthesize makes.*add synthesize to stages \(stages=\[synthesize,train\]\)"
    with pytest.raises(PipelineError, match=missing):
        run_pipeline(_compose([*SMALL, "stages=[train]"]), run_dir)
    failed = json.loads((run_dir / "failed.json").read_text(encoding="utf-8"))
    assert (failed["language"], failed["method"]) == ("ee", "lrx_trans_train_en_names")
    assert "PipelineError" in failed["error"] and not (run_dir / "stages").exists()

    assert run_pipeline(_compose([*SMALL, "stages=[synthesize]"]), run_dir).ran == ["synthesize"]
    assert not (run_dir / "lexicon_stats.json").exists() and (run_dir / "pseudo.ner").is_file()
    trained = run_pipeline(_compose([*SMALL, "stages=[train]", "save_model=false"]), run_dir)
    assert trained.ran == ["train"] and trained["train"]["train_sentences"] == 400  # pseudo + English
    assert (run_dir / "model" / "config.json").is_file()  # kept: the run did not evaluate
    assert not (run_dir / "failed.json").exists()  # the earlier attempt's record goes with a success


def test_lrx_vocab_extends_the_encoder_that_training_then_fine_tunes(mirror_env, tmp_path):
    # a tiny vocabulary (800 pieces) learned from the run's text, so that some Ewe words are still split
    overrides = [*SMALL, "method=lrx_vocab", "model.encoder.vocab_size=800", "vocab.min_frequency=2", "save_model=true"]
    run_dir = tmp_path / "run"
    result = run_pipeline(_compose(overrides), run_dir)
    assert result.ran == list(STAGES)
    (entry,) = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert (entry["method"], entry["model"]) == ("lrx_vocab", "tiny") and 0.0 <= entry["score"] <= 100.0
    # the vocabulary needs the target text: pseudo-monolingual and the Ewe New Testament
    assert result["synthesize"]["monolingual_sentences"] == 200 and (run_dir / "pseudo_text.txt").is_file()
    vocab = result["vocab"]
    assert vocab["added"] > 50 and vocab["vocabulary_after"] == vocab["vocabulary_before"] + vocab["added"]
    assert vocab["init"]["lexicon"] > 0 and vocab["init"]["subwords"] > 0
    assert vocab["tokens_per_word"]["after"] < vocab["tokens_per_word"]["before"]  # measured: 1.960 -> 1.928
    assert vocab["measured_on"] == "pseudo data" and vocab["encoder"] == "tiny"
    markers = _markers(run_dir)
    assert "tokens per word on the pseudo data" in markers["vocab"]["did"]
    assert markers["vocab"]["outputs"] == ["encoder"] and markers["train"]["outputs"] == ["model"]
    # vocab prepared the encoder; train read it (and its marker names the vocab stage) without preparing one
    assert markers["train"]["inputs"]["vocab"] == markers["vocab"]["id"] and "encoder" not in result["train"]
    assert json.loads((run_dir / "encoder" / "config.json").read_text())["vocab_size"] == vocab["vocabulary_after"]
    assert json.loads((run_dir / "model" / "config.json").read_text())["vocab_size"] == vocab["vocabulary_after"]
    assert not list(run_dir.glob(".*"))  # no base encoder or temporary directory left behind

    # resuming: nothing again; a vocab setting changes the vocab stage and what reads it, not synthesis
    assert run_pipeline(_compose(overrides), run_dir).ran == []
    fewer = run_pipeline(_compose([*overrides, "vocab.pieces=10"]), run_dir)
    assert fewer.ran == ["vocab", "train", "evaluate"] and fewer["vocab"]["added"] == 10
    # save_model=false deleted the weights: training again needs the vocab stage, and says so
    run_pipeline(_compose([*overrides, "vocab.pieces=10", "save_model=false"]), run_dir)
    with pytest.raises(PipelineError, match=r"stage train reads what stage vocab makes.*stages=\[vocab,train\]"):
        run_pipeline(_compose([*overrides, "vocab.pieces=10", "stages=[train]", "model.train.max_steps=9"]), run_dir)


def test_wang_and_lrx_synthesis_options_reach_synthesize_file(mirror_env, tmp_path, monkeypatch):
    calls: dict[str, dict] = {}
    real = synthesize_module.synthesize_file

    def spy(task, input_path, tgt, lexicon, out, options=None, **kwargs):
        calls[Path(out).parent.name] = dataclasses.asdict(options)
        return real(task, input_path, tgt, lexicon, out, options, **kwargs)

    monkeypatch.setattr(synthesize_module, "synthesize_file", spy)
    stats = {}
    for method in ("pseudo_trans_train", "lrx_trans_train"):
        # Luganda has a UniMorph table: lrx's synthesis inflects, Wang et al.'s does not
        cfg = _compose([*SMALL, f"method={method}", "language=lg", "stages=[synthesize]"])
        stats[method] = run_pipeline(cfg, tmp_path / method)["synthesize"]
    wang, lrx_options = calls["pseudo_trans_train"], calls["lrx_trans_train"]
    assert (wang["multiword"], wang["casefold"], wang["lemma"], wang["morphology"]) == (False, True, False, False)
    assert (lrx_options["multiword"], lrx_options["lemma"], lrx_options["morphology"]) == (True, True, True)
    assert wang["choice"] == lrx_options["choice"] == "weighted" and wang["unknown"] == "keep"
    assert stats["pseudo_trans_train"]["signature"] == (
        "lrx:0.1|task:ner|lex:gatitos|pair:eng-lg|morph:off|mw:off|lemma:off|choice:weighted|unk:keep|min:0|seed:1"
    )
    assert stats["lrx_trans_train"]["signature"] == (
        "lrx:0.1|task:ner|lex:gatitos|pair:eng-lg|morph:on|choice:weighted|unk:keep|min:0|seed:1"
    )
    paths = {method: s["paths"] for method, s in stats.items()}
    assert paths["pseudo_trans_train"]["multiword"] == paths["pseudo_trans_train"]["lemma"] == 0
    assert paths["pseudo_trans_train"]["inflected"] == 0
    assert paths["lrx_trans_train"]["lemma"] + paths["lrx_trans_train"]["inflected"] > 0
    assert stats["lrx_trans_train"]["replaced"] > stats["pseudo_trans_train"]["replaced"]


@pytest.mark.parametrize("launcher", ["joblib", "submitit_local"])
def test_a_sweep_of_two_languages_and_two_methods_and_its_report(mirror_env, tmp_path, capsys, launcher):
    sweep = tmp_path / "sweep"
    overrides = [f"hydra/launcher={launcher}", "language=ee,wo", "method=zero_shot,pseudo_trans_train"]
    if launcher == "joblib":
        overrides.append("hydra.launcher.n_jobs=2")
    done = _sweep(tmp_path, *overrides, f"hydra.sweep.dir={sweep}")
    assert done.returncode == 0, done.stderr[-3000:]
    jobs = sorted(p.name for p in sweep.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert jobs == ["ee_pseudo_trans_train", "ee_zero_shot", "wo_pseudo_trans_train", "wo_zero_shot"]
    for job in jobs:
        language, method = job.split("_", 1)
        (entry,) = json.loads((sweep / job / "metrics.json").read_text(encoding="utf-8"))
        assert (entry["language"], entry["method"], entry["model"]) == (language, method, "tiny")
        assert (sweep / job / "stages" / "evaluate.json").is_file()
    rows = _report_rows(capsys, sweep)
    assert rows["language"] == ["zero_shot", "pseudo_trans_train"]
    for language in ("ee", "wo"):
        assert len(rows[language]) == 2 and all(cell.replace(".", "").isdigit() for cell in rows[language])
    # the training cost of each job, read from its stage markers: one training of the 8-step budget
    assert rows["run"] == ["score", "job s", "training s", "tokens/s", "trainings"]
    for job in jobs:
        language, method = job.split("_", 1)
        score, _, _, speed, trainings = rows[f"{language} / {method}"]
        assert score == rows[language][rows["language"].index(method)]
        assert trainings == "train (8 steps)" and float(speed.replace(",", "")) > 0
    assert lrx(["report", str(sweep), "--json"]) == 0
    for cost in json.loads(capsys.readouterr().out)["costs"]:  # the table rounds tiny runs' seconds to 0
        assert 0 < cost["training_seconds"] <= cost["job_seconds"]


def test_a_failing_job_leaves_failed_json_and_the_others_finish(mirror_env, tmp_path, capsys):
    # a language file, found through an extra config directory, whose test set is not in the mirror
    extra = tmp_path / "conf" / "language"
    extra.mkdir(parents=True)
    broken = yaml.safe_load((CONF / "language" / "wo.yaml").read_text(encoding="utf-8"))
    broken["test_sets"]["ner"] = [f"{MASAKHANER}/MasakhaNER2.0/data/wol/no-such-file.txt"]
    (extra / "wo_missing.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    sweep = tmp_path / "sweep"
    done = _sweep(
        tmp_path,
        "hydra/launcher=local",
        f"hydra.searchpath=[file://{tmp_path / 'conf'}]",
        "language=ee,wo_missing",
        "method=zero_shot",
        f"hydra.sweep.dir={sweep}",
    )
    # Hydra raises the job's error once every job of the sweep has run: the exit status says a job failed
    assert done.returncode != 0 and "no-such-file.txt" in done.stderr
    assert (sweep / "ee_zero_shot" / "metrics.json").is_file()
    failed = json.loads((sweep / "wo_zero_shot" / "failed.json").read_text(encoding="utf-8"))
    assert (failed["language"], failed["method"]) == ("wo", "zero_shot")
    assert "FetchError" in failed["error"] and "not in the mirror" in failed["error"]
    assert not (sweep / "wo_zero_shot" / "metrics.json").exists()
    assert not (sweep / "wo_zero_shot" / "stages").exists()  # it failed before training, in seconds
    rows = _report_rows(capsys, sweep)
    assert rows["wo"] == ["failed"] and rows["ee"][0].replace(".", "").isdigit()


def test_mlm_and_distillation_on_pseudo_and_bible_text(mirror_env, tmp_path):
    # pseudo_mlm with distillation on top: every stage does something
    run_dir = tmp_path / "run"
    result = run_pipeline(_compose([*SMALL, "method=pseudo_mlm", "method.distill=true"]), run_dir)
    assert result.ran == list(STAGES)
    synthesized = result["synthesize"]
    # pseudo-monolingual text keeps the sentences with at least 3 translated words; Ewe has its New Testament
    assert 0 < synthesized["pseudo_text"]["sentences"] < 200 and "min:3" in synthesized["pseudo_text"]["signature"]
    assert synthesized["monolingual_sentences"] == 200  # capped by task.max_train_sentences, as the English
    assert result["mlm"]["steps"] == 8 and result["mlm"]["new_lm_head"] is True  # a bare tiny BERT: a new head
    assert result["distill"]["distilled_sentences"] == synthesized["pseudo_text"]["sentences"] + 200
    markers = _markers(run_dir)
    assert markers["train"]["inputs"]["mlm"] == markers["mlm"]["id"]
    assert markers["evaluate"]["inputs"]["distill"] == markers["distill"]["id"]
    # the student, then its teacher under its own name
    entry, teacher = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert entry["method"] == "pseudo_mlm" and entry["signature"] == read_signature(run_dir / "pseudo.ner")
    assert teacher["method"] == "pseudo_mlm.teacher" and teacher["test_set"] == entry["test_set"]
    # a single run keeps its final model, the student, and none of the models it was made from
    assert (run_dir / "student" / "config.json").is_file()
    for name in ("encoder", "mlm", "model"):
        assert not (run_dir / name).exists()


def test_the_main_job_compares_with_zero_shot_in_one_command(mirror_env, tmp_path):
    """`lrx-run` with no arguments but the size caps: its own method and zero-shot side by side."""
    done = subprocess.run(
        [sys.executable, "-m", "lrx.adapt.run.app", *SMALL, f"hydra.run.dir={tmp_path / 'run'}"],
        capture_output=True, text=True, env=os.environ.copy(), cwd=tmp_path, timeout=400,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    own = json.loads((tmp_path / "run" / "metrics.json").read_text(encoding="utf-8"))
    other = json.loads((tmp_path / "run" / "compare" / "zero_shot" / "metrics.json").read_text(encoding="utf-8"))
    assert own[0]["method"] == "lrx_trans_train_en_names" and other[0]["method"] == "zero_shot"
    assert own[0]["test_set"] == other[0]["test_set"] == "masakhaner2/ewe/test"
    lines = done.stdout.splitlines()
    assert any(line.startswith("lrx_trans_train_en_names - zero_shot: ") for line in lines), done.stdout[-2000:]
    assert any(line.split() == ["zero_shot", f"{other[0]['score']:.2f}"] for line in lines)


def test_a_run_killed_during_training_resumes_at_training(mirror_env, tmp_path):
    """A real kill: SIGKILL while the train stage fine-tunes; the rerun skips what was finished."""
    run_dir = tmp_path / "run"
    # the same command twice (a resumed run is the same run); enough epochs to be caught while training
    argv = [sys.executable, "-m", "lrx.adapt.run.app", *SMALL, "model.train.max_steps=0", "model.train.epochs=60",
            "compare_with=[]", f"hydra.run.dir={run_dir}"]  # fmt: skip
    process = subprocess.Popen(argv, cwd=tmp_path, env=os.environ.copy(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        # the train stage prepares `encoder/` and then fine-tunes for seconds: kill it then
        while not (run_dir / "encoder").exists():
            assert process.poll() is None, "the run ended before training started"
            assert time.monotonic() < deadline
            time.sleep(0.2)
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert not marker_path(run_dir, "train").exists() and not (run_dir / "metrics.json").exists()
    finished = {stage: json.loads(marker_path(run_dir, stage).read_text())["id"] for stage in STAGES[:4]}
    done = subprocess.run(argv, capture_output=True, text=True, env=os.environ.copy(), cwd=tmp_path, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "skipped: lexicon, synthesize, vocab, mlm" in done.stdout
    assert {stage: json.loads(marker_path(run_dir, stage).read_text())["id"] for stage in STAGES[:4]} == finished
    assert json.loads((run_dir / "metrics.json").read_text())[0]["metric"] == "entity_f1"


def test_an_optuna_sweep_optimises_the_returned_metric(mirror_env, tmp_path):
    sweep = tmp_path / "optuna"
    done = _sweep(
        tmp_path, "hydra/sweeper=optuna", "hydra.sweeper.n_trials=2", "hydra.sweeper.direction=maximize",
        "model.train.lr=interval(1e-4,3e-3)", "compare_with=[]", f"hydra.sweep.dir={sweep}",
        "hydra.sweep.subdir=${hydra:job.num}",  # trials share language and method: one directory each
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    scores = [json.loads((sweep / str(n) / "metrics.json").read_text())[0]["score"] for n in range(2)]
    result = yaml.safe_load((sweep / "optimization_results.yaml").read_text())
    assert result["best_value"] == pytest.approx(max(scores))
    assert 1e-4 <= result["best_params"]["model.train.lr"] <= 3e-3
