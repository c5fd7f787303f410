"""Training loops report their progress: a tiny tagger, its distillation and continued masked-LM training, run on
real CoNLL sentences, log the progress lines of lrx.core.progress (log mode, as in a sweep or CI)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import torch
from lrx.adapt.encoders.prepare import build_tiny_encoder
from lrx.adapt.tasks import read_task
from lrx.adapt.training import TrainSettings
from lrx.adapt.training import continue_mlm
from lrx.adapt.training import finetune_tagger

from lrx.core.progress import ENV_VAR

NER_ROOT = "raw.githubusercontent.com/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391"
CONLL_EN = f"{NER_ROOT}/data/conll_2003_en"
LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
LOOP = "lrx.adapt.training.loop"
STEP = re.compile(
    r"^(?P<what>[^:]+): step (?P<step>\d+)/(?P<total>\d+) \(\d+%\), loss \d+\.\d{4}, [\d,]+ tokens/s, \S+ left$"
)


@pytest.fixture(autouse=True)
def _log_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # the lines, whatever the terminal pytest runs in
    monkeypatch.setenv(ENV_VAR, "log")
    torch.set_num_threads(1)


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOOP and r.levelno == logging.INFO]


def test_tiny_training_runs_log_their_progress(mirror_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    train = read_task("ner", mirror_dir / CONLL_EN / "train.txt")[:200]
    encoder = build_tiny_encoder([" ".join(s.tokens) for s in train], tmp_path / "tiny", vocab_size=500, layers=1)
    caplog.set_level(logging.INFO, logger=LOOP)
    settings = TrainSettings(batch_size=8, lr=2e-3, seed=1, threads=1, max_steps=20)
    stats = finetune_tagger(encoder, train, LABELS, tmp_path / "tagger", settings)
    lines = _lines(caplog)
    steps = [STEP.match(line) for line in lines[:-1]]
    assert all(steps), lines
    assert {m["what"] for m in steps} == {"tagger fine-tuning"}
    assert [int(m["step"]) for m in steps] == [2, 4, 6, 8, 10, 12, 14, 16, 18]  # every 10% of 20 steps
    assert {m["total"] for m in steps} == {"20"}
    assert lines[-1].startswith("tagger fine-tuning: done in ") and "step 20/20 (100%)" in lines[-1]
    assert stats["steps"] == 20

    # distillation (soft labels) names itself; a short run still logs its end
    caplog.clear()
    soft = [[[1.0 / len(LABELS)] * len(LABELS) for _ in s.tokens] for s in train[:40]]
    short = TrainSettings(batch_size=8, seed=1, threads=1, max_steps=4)
    finetune_tagger(encoder, train[:40], LABELS, tmp_path / "student", short, soft=soft)
    lines = _lines(caplog)
    assert len(lines) == 4 and all(line.startswith("tagger distillation: ") for line in lines)

    # continued masked-LM training: the new head's warm-up, then the joint run
    caplog.clear()
    continue_mlm(encoder, [" ".join(s.tokens) for s in train[:40]], tmp_path / "mlm", short, head_warmup_steps=2)
    lines = _lines(caplog)
    ended = [line.split(":")[0] for line in lines if "done in" in line]
    assert ended == ["masked-LM head warm-up", "masked-LM training"]
    assert any(STEP.match(line) and line.startswith("masked-LM training: step 1/4") for line in lines)
