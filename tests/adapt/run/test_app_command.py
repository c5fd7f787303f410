"""`lrx-run` as a user meets it: one start line instead of the config, one ERROR line when a stage fails (the
traceback in run.log), `--resume RUN_DIR`, and `--help` naming the app, its groups and examples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from lrx.adapt.run.app import resume_argv

SMALL = ["model=tiny", "task.max_train_sentences=60", "task.max_eval_sentences=40", "model.train.max_steps=4"]
LRX_RUN = [sys.executable, "-c", "from lrx.adapt.run.app import main; main()"]


def _lrx_run(*argv: str, mirror: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LRX_MIRROR": str(mirror), "LRX_PROGRESS": "log"}
    return subprocess.run([*LRX_RUN, *argv], capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def test_resume_argv_replays_the_runs_overrides_in_its_directory(tmp_path):
    run = tmp_path / "ee_zero_shot,seed=2"
    (run / ".hydra").mkdir(parents=True)
    overrides = ["language=ee", "seed=2", "+experiment=smoke", "hydra.run.dir=elsewhere"]
    (run / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides), encoding="utf-8")
    argv = resume_argv(["--resume", str(run), "seed=3", "force=true"])
    assert argv == ["language=ee", "+experiment=smoke", "seed=3", "force=true", f"hydra.run.dir='{run.resolve()}'"]
    assert resume_argv(["language=wo"]) == ["language=wo"]
    with pytest.raises(SystemExit, match="not a run directory"):
        resume_argv(["--resume", str(tmp_path)])
    with pytest.raises(SystemExit, match="needs the run directory"):
        resume_argv(["--resume"])


def test_a_run_prints_one_start_line_and_resumes_where_it_stopped(mirror_env, tmp_path):
    run = tmp_path / "run"
    done = _lrx_run(*SMALL, "compare_with=[]", f"hydra.run.dir={run}", mirror=mirror_env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    output = done.stdout + done.stderr
    start = [line for line in output.splitlines() if "lrx-run: ee (Ewe), task ner, model tiny" in line]
    assert len(start) == 1 and str(run) in start[0] and "seed 1" in start[0]
    assert "english_share" not in output and "max_train_sentences" not in output  # no YAML dump of the config
    assert "tagger fine-tuning: done" in output  # training progress, as log lines off a terminal
    assert (run / "run.log").is_file() and (run / ".hydra" / "config.yaml").is_file()
    assert (run / "model" / "config.json").is_file()  # a single run keeps its model
    again = _lrx_run("--resume", str(run), mirror=mirror_env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    skipped = "lexicon, synthesize, vocab, mlm, train, self_train, distill, evaluate"
    assert f"ran: nothing; skipped: {skipped}" in again.stdout


def test_a_failing_stage_is_one_error_line_and_the_traceback_is_in_run_log(mirror_env, tmp_path):
    run = tmp_path / "failing"
    argv = [*SMALL, "compare_with=[]", "task.train=/nothere/eng.train", f"hydra.run.dir={run}"]
    done = _lrx_run(*argv, mirror=mirror_env, cwd=tmp_path)
    assert done.returncode == 1
    output = done.stdout + done.stderr
    errors = [line for line in output.splitlines() if " ERROR " in line]
    assert len(errors) == 1, output[-3000:]
    assert "stage synthesize failed" in errors[0] and "/nothere/eng.train" in errors[0]
    assert str(run / "failed.json") in errors[0] and str(run / "run.log") in errors[0]
    assert "Traceback" not in output
    assert "Traceback" in (run / "run.log").read_text(encoding="utf-8")
    assert json.loads((run / "failed.json").read_text(encoding="utf-8"))["stage"] == "synthesize"


def test_help_names_the_app_its_groups_and_examples(tmp_path):
    done = subprocess.run([*LRX_RUN, "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("lrx-run: adapt a multilingual encoder")
    for text in ("--resume RUN_DIR", "Examples:", "method: ", "model: ", "xlmr_base", "lrx export"):
        assert text in done.stdout, text
