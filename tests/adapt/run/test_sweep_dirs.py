"""Sweep job directories: unique by construction, `<lang>_<method>` while only the language and method vary, and
the other swept keys after it (adapt/run/naming.py, `hydra.sweep.subdir` in conf/config.yaml). Real multiruns
of `lrx-run` in a subprocess, on the data mirror."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from lrx.adapt.run.naming import job_dir
from lrx.adapt.tasks import read_signature


def _sweep(cwd: Path, *overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lrx.adapt.run.app", "-m", *overrides],
        capture_output=True, text=True, env=os.environ.copy(), cwd=cwd, timeout=400,
    )  # fmt: skip


def _jobs(sweep: Path) -> list[str]:
    return sorted(p.name for p in sweep.iterdir() if p.is_dir() and not p.name.startswith("."))


def _values(node: Any, key: str) -> list[Any]:
    """Every value stored under `key` anywhere in a JSON document."""
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == key] + [x for v in node.values() for x in _values(v, key)]
    if isinstance(node, list):
        return [x for item in node for x in _values(item, key)]
    return []


def test_a_seed_sweep_gets_one_directory_per_seed(mirror_env, tmp_path):
    sweep = tmp_path / "sweep"
    # model=tiny and the size cap are the same for both jobs: they stay out of the names
    done = _sweep(tmp_path, "model=tiny", "seed=1,2", "stages=[lexicon,synthesize]", "language=ee",
                  "task.max_train_sentences=50", f"hydra.sweep.dir={sweep}")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    jobs = _jobs(sweep)
    assert jobs == ["ee_lrx_trans_train_en_names,seed=1", "ee_lrx_trans_train_en_names,seed=2"]
    for seed, job in zip((1, 2), jobs, strict=True):
        assert (sweep / job / "english.ner").is_file()
        assert f"|seed:{seed}" in read_signature(sweep / job / "pseudo.ner")
        marker = json.loads((sweep / job / "stages" / "synthesize.json").read_text(encoding="utf-8"))
        assert set(_values(marker, "seed")) == {seed}
    assert (sweep / jobs[0] / "pseudo.ner").read_bytes() != (sweep / jobs[1] / "pseudo.ner").read_bytes()


def test_a_language_and_method_sweep_keeps_lang_method_names(mirror_env, tmp_path):
    sweep = tmp_path / "sweep"
    done = _sweep(tmp_path, "language=ee,wo", "method=zero_shot,lrx_trans_train_en", "stages=[lexicon]",
                  "model=tiny", f"hydra.sweep.dir={sweep}")  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert _jobs(sweep) == ["ee_lrx_trans_train_en", "ee_zero_shot", "wo_lrx_trans_train_en", "wo_zero_shot"]
    assert json.loads((sweep / "wo_zero_shot" / "lexicon_stats.json").read_text())["tgt"] == "wo"


def test_job_dir_names_are_path_safe():
    assert job_dir("ee_zero_shot", "") == job_dir("ee_zero_shot", None) == "ee_zero_shot"
    assert job_dir("ee_zero_shot", "model.train.lr=0.001,seed=2") == "ee_zero_shot,model.train.lr=0.001,seed=2"
    # a list value or a path cannot nest or break the directory name
    assert job_dir("ee_zero_shot", "task.entity_types=[PER,LOC],task.train=/data/en.conll") == (
        "ee_zero_shot,task.entity_types=PER,LOC,task.train=-data-en.conll"
    )
