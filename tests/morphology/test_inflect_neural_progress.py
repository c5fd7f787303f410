"""The neural inflector's training logs its progress per epoch (lrx.core.progress in log mode), on a small slice
of real SIGMORPHON 2023 English."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from lrx.morphology.data import read_examples
from lrx.morphology.inflectors.neural import NeuralInflector

from lrx.core.progress import ENV_VAR

pytestmark = pytest.mark.extra("train")  # the neural inflector is torch

DATA = "raw.githubusercontent.com/sigmorphon/2023InflectionST/e7f1b325b76b41e9ead998e449b17ec1cf536a9c/part1/data"
TINY = {"d_model": 32, "heads": 2, "ff": 64, "layers": 1, "batch_size": 64, "threads": 1}
NEURAL = "lrx.morphology.inflectors.neural"
EPOCH = re.compile(r"^neural inflector: epoch (?P<epoch>\d+)/6 \(\d+%\), loss \d+\.\d{4}, dev [\d.]+, \S+ left$")


def test_neural_training_logs_a_line_per_epoch(mirror_dir: Path, caplog: pytest.LogCaptureFixture, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "log")  # the lines, whatever the terminal pytest runs in
    train = read_examples(mirror_dir / DATA / "eng.trn", format="2023")[:200]
    dev = read_examples(mirror_dir / DATA / "eng.dev", format="2023")[:50]
    caplog.set_level(logging.INFO, logger=NEURAL)
    model = NeuralInflector(**TINY, max_epochs=6, patience=50, hallucinate=0, hint="none").fit(train, dev)
    lines = [r.getMessage() for r in caplog.records if r.name == NEURAL and r.levelno == logging.INFO]
    epochs = [EPOCH.match(line) for line in lines[:-1]]
    assert all(epochs), lines
    assert [int(m["epoch"]) for m in epochs] == [1, 2, 3, 4, 5]  # a line an epoch; the 6th is the end line
    assert re.match(r"^neural inflector: done in \S+, epoch 6/6 \(100%\), loss \d+\.\d{4}, dev [\d.]+$", lines[-1])
    assert len(model.history) == 6
