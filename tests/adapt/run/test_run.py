"""The Hydra app composes the real `conf/` with overrides and runs its stage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hydra import compose
from hydra import initialize_config_dir
from lrx.adapt.run.app import run

CONF = Path(__file__).resolve().parents[3] / "conf"


def test_compose_real_config_with_overrides(mirror_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose(
            config_name="config", overrides=["tgt=lug", "lexicon=gatitos", "lexicon.weight=2.0", "stages=[lexicon]"]
        )
    assert cfg.lexicon._target_ == "lrx.lexicons.sources.gatitos.GatitosSource"
    results = run(cfg)
    assert results["lexicon"]["tgt"] == "lg" and results["lexicon"]["entries"] > 3_900
    assert json.loads((tmp_path / "lexicon_stats.json").read_text()) == results["lexicon"]


def test_lrx_run_writes_a_run_directory(mirror_env, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "lrx.adapt.run.app", "tgt=ee", "stages=[lexicon]", f"hydra.run.dir={tmp_path / 'run'}"],
        capture_output=True, text=True, env=os.environ.copy(), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    run_dir = tmp_path / "run"
    assert (run_dir / ".hydra" / "config.yaml").is_file()
    assert json.loads((run_dir / "lexicon_stats.json").read_text())["entries"] == 3990


def test_lrx_run_trains_with_two_data_parallel_processes(mirror_env, tmp_path):
    """`model.train.processes=2`: only the training stage runs in two ranks (gloo on CPU, spawned by torchrun's
    launcher); Hydra, the run directory and the other stages stay in this one process."""
    run_dir = tmp_path / "run"
    overrides = ["model=tiny", "compare_with=[]", "task.max_train_sentences=200", "model.train.processes=2"]
    done = subprocess.run(
        [sys.executable, "-m", "lrx.adapt.run.app", *overrides, "model.train.threads=1", f"hydra.run.dir={run_dir}"],
        capture_output=True, text=True, env=os.environ.copy(), cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    train = json.loads((run_dir / "stages" / "train.json").read_text(encoding="utf-8"))
    assert train["result"]["processes"] == 2 and train["result"]["final_loss"] < train["result"]["first_loss"]
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics[0]["test_set"] == "masakhaner2/ewe/test" and 0 <= metrics[0]["score"] <= 100
