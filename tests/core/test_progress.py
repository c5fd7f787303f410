"""lrx.core.progress: the log lines (counted and read back), the rich bar on a terminal console, and the choice
between them. A fake clock makes the rates and times left exact."""

from __future__ import annotations

import io
import logging
import re
import sys

import pytest
from rich.console import Console

import lrx.core.progress as progress_module
from lrx.core.progress import ENV_VAR
from lrx.core.progress import format_duration
from lrx.core.progress import progress
from lrx.core.progress import progress_mode

LINE = re.compile(
    r"^demo: step (?P<step>\d+)/50 \((?P<percent>\d+)%\), loss (?P<loss>\d+\.\d{4}), "
    r"(?P<rate>[\d,]+) tokens/s, (?P<left>\S+) left$"
)
END = re.compile(
    r"^demo: done in (?P<took>\S+), step 50/50 \(100%\), loss (?P<loss>\d+\.\d{4}), (?P<rate>[\d,]+) tokens/s$"
)


class FakeClock:
    """time.monotonic for the module under test: each step of the test moves it by one second."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(progress_module, "time", fake)
    return fake


@pytest.fixture
def logger() -> logging.Logger:
    named = logging.getLogger("lrx.tests.progress")
    named.setLevel(logging.INFO)
    return named


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def _messages(caplog: pytest.LogCaptureFixture, name: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == name and r.levelno == logging.INFO]


def test_log_mode_writes_every_tenth_with_loss_rate_and_time_left(clock, logger, caplog):
    caplog.set_level(logging.INFO, logger=logger.name)
    with progress("demo", 50, logger=logger, mode="log") as bar:
        for step in range(1, 51):
            clock.now += 1.0
            bar.advance(loss=float(step), tokens=100)
    lines = _messages(caplog, logger.name)
    assert len(lines) == 10  # every 5 steps (10% of 50) up to 45, then the end line
    periodic = [LINE.match(line) for line in lines[:-1]]
    assert all(periodic), lines
    assert [int(m["step"]) for m in periodic] == [5, 10, 15, 20, 25, 30, 35, 40, 45]
    assert [int(m["percent"]) for m in periodic] == [10, 20, 30, 40, 50, 60, 70, 80, 90]
    # the loss is the mean since the previous line: steps 1-5, then 6-10
    assert [float(m["loss"]) for m in periodic[:2]] == [3.0, 8.0]
    assert {m["rate"] for m in periodic} == {"100"}  # 100 tokens a step, a step a second
    assert periodic[0]["left"] == "45s" and periodic[1]["left"] == "40s" and periodic[-1]["left"] == "5s"
    end = END.match(lines[-1])
    assert end, lines[-1]
    assert end["took"] == "50s" and float(end["loss"]) == 48.0 and end["rate"] == "100"


def test_log_mode_other_units_metrics_and_the_time_cap(clock, logger, caplog):
    caplog.set_level(logging.INFO, logger=logger.name)
    with progress("fit", 200, unit="epoch", logger=logger, mode="log", every=3, max_seconds=100) as bar:
        for _ in range(7):
            clock.now += 10.0
            bar.advance(loss=0.5, dev=83.25, unused=None)
    lines = _messages(caplog, logger.name)
    # the rate says 197 (194) epochs x 10 s are left, the 100-second cap that 70 s (40 s) remain
    assert lines == [
        "fit: epoch 3/200 (1%), loss 0.5000, dev 83.25, 1m10s left",
        "fit: epoch 6/200 (3%), loss 0.5000, dev 83.25, 40s left",
        "fit: done in 1m10s, epoch 7/200 (3%), loss 0.5000, dev 83.25",
    ]


def test_quiet_off_and_failed_blocks_write_nothing_more(clock, logger, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG, logger=logger.name)
    logger.setLevel(logging.WARNING)
    try:
        with progress("demo", 10, logger=logger, mode="log") as bar:
            for _ in range(10):
                bar.advance(loss=1.0)
    finally:
        logger.setLevel(logging.INFO)
    assert not caplog.records  # a quiet logger drops the lines
    monkeypatch.setenv(ENV_VAR, "off")
    with progress("demo", 10, logger=logger) as bar:
        for _ in range(10):
            bar.advance(loss=1.0)
    assert not caplog.records
    monkeypatch.delenv(ENV_VAR)
    with pytest.raises(RuntimeError), progress("demo", 10, logger=logger, mode="log") as bar:
        bar.advance(3)
        raise RuntimeError("boom")
    assert not any("done" in m for m in _messages(caplog, logger.name))  # no end line for a failed block


def test_bar_mode_draws_into_a_terminal_console(logger, caplog):
    caplog.set_level(logging.INFO, logger=logger.name)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=140)
    with progress("demo bar", 50, logger=logger, console=console) as bar:  # auto: a terminal and INFO
        assert bar.mode == "bar"
        for step in range(50):
            bar.advance(loss=1.0 / (step + 1), tokens=64)
    drawn = screen.getvalue()
    assert "\x1b[" in drawn  # drawn with control codes, as on a terminal
    assert "demo bar" in drawn and "50/50" in drawn and "loss 0.0200" in drawn and "tokens/s" in drawn
    # no periodic lines in bar mode, but the end line still reaches the log (a log file keeps the record)
    lines = _messages(caplog, logger.name)
    assert len(lines) == 1 and lines[0].startswith("demo bar: done in ") and "step 50/50 (100%)" in lines[0]


def test_log_lines_written_during_the_bar_go_above_it(logger):
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=140)
    original = sys.stderr
    handler = logging.StreamHandler(original)
    logger.addHandler(handler)
    try:
        with progress("demo", 5, logger=logger, console=console) as bar:
            assert sys.stderr is not original and handler.stream is sys.stderr  # rich's proxy, for both
            logger.warning("a warning while the bar is live")
            bar.advance(5)
        stream_after = handler.stream
    finally:
        logger.removeHandler(handler)
    assert "a warning while the bar is live" in screen.getvalue()  # printed through rich, not across the bar
    assert stream_after is original and sys.stderr is original  # each has its own stream back


def test_auto_chooses_log_lines_for_anything_but_a_terminal(logger, monkeypatch):
    assert progress_mode(logger, stream=io.StringIO()) == "log"
    assert progress_mode(logger, stream=Terminal()) == "bar"
    assert progress_mode(logger, "bar", stream=io.StringIO()) == "log"  # never a bar into a file
    logger.setLevel(logging.WARNING)
    assert progress_mode(logger, stream=Terminal()) == "log"  # quiet: no bar (and the lines are dropped)
    logger.setLevel(logging.INFO)
    monkeypatch.setenv(ENV_VAR, "log")
    assert progress_mode(logger, stream=Terminal()) == "log"
    assert progress_mode(logger, "auto", stream=Terminal()) == "bar"  # the argument wins over the variable
    monkeypatch.setenv(ENV_VAR, "sideways")
    with pytest.raises(ValueError, match="bar, log, off"):
        progress_mode(logger)
    # progress() on a non-terminal stderr: log lines, and not a byte of bar on stderr
    monkeypatch.delenv(ENV_VAR)
    fake_stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", fake_stderr)
    with progress("demo", 3, logger=logger) as bar:
        assert bar.mode == "log"
        bar.advance(3)
    assert fake_stderr.getvalue() == ""


def test_format_duration():
    assert [format_duration(s) for s in (0, 44.6, 72, 3599, 7500)] == ["0s", "45s", "1m12s", "59m59s", "2h05m"]
