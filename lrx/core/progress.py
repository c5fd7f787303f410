"""Progress of long work (training loops, conversions): a rich progress bar on a terminal, INFO log lines elsewhere.

    with progress("tagger", total_steps, logger=log) as bar:
        for step in ...:
            bar.advance(loss=float(loss), tokens=batch_tokens)

The display is chosen per call (`progress_mode`): the `mode` argument if given, else the environment variable
`LRX_PROGRESS` (`bar`, `log`, `off`; `auto` or unset for the default), else auto: a bar when stderr is a
terminal and the logger is enabled for INFO, log lines otherwise. A bar is never drawn into something that is not
a terminal (a file, a pipe, CI, a sweep's log), even when asked for: that falls back to log lines, so logs stay
free of control codes. Log mode writes one INFO line about every 10% of the total and one at the end:

    tagger: step 50/250 (20%), loss 0.8123, 1,234 tokens/s, 1m12s left
    tagger: done in 6m01s, step 250/250 (100%), loss 0.4127, 1,230 tokens/s

The end line is logged in bar mode too, so that a log file keeps a record of the run. `off` writes nothing (the
non-main ranks of a data-parallel run use it: one process speaks for all).

Dependencies: rich and the standard library only (lrx.core is installed without torch).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from typing import IO
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.progress import TaskID

ENV_VAR = "LRX_PROGRESS"
MODES = ("auto", "bar", "log", "off")


def progress_mode(logger: logging.Logger, mode: str | None = None, *, stream: IO[str] | None = None) -> str:
    """The display a `progress` call gets: "bar", "log" or "off".

    `mode` (or, when None, `$LRX_PROGRESS`; unset means "auto") is one of `MODES`. "auto" is a bar when `stream`
    (default: stderr) is a terminal and `logger` is enabled for INFO, else log lines (which a quiet logger then
    drops). "bar" on a stream that is not a terminal is log lines: a bar's control codes would litter a file.
    """
    return _choose(logger, mode, _is_terminal(stream if stream is not None else sys.stderr))


def _choose(logger: logging.Logger, mode: str | None, terminal: bool) -> str:
    chosen = (mode if mode is not None else os.environ.get(ENV_VAR, "")).strip().lower() or "auto"
    if chosen not in MODES:
        raise ValueError(f"progress mode must be one of {', '.join(MODES)}, not {chosen!r} (from ${ENV_VAR}?)")
    if chosen in ("log", "off"):
        return chosen
    if chosen == "bar":
        return "bar" if terminal else "log"
    return "bar" if terminal and logger.isEnabledFor(logging.INFO) else "log"


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


def format_duration(seconds: float) -> str:
    """45s, 1m12s, 2h05m."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class ProgressTracker:
    """What `progress` yields: call `advance` once per unit of work done."""

    def __init__(
        self,
        description: str,
        total: int,
        *,
        unit: str,
        logger: logging.Logger,
        every: int,
        mode: str,
        max_seconds: float | None = None,
        bar: Progress | None = None,
    ) -> None:
        self.description = description
        self.total = max(0, int(total))
        self.unit = unit
        self.every = max(1, int(every))
        self.mode = mode
        self.completed = 0
        self._logger = logger
        self._max_seconds = max_seconds
        self._bar = bar
        self._task: TaskID | None = bar.add_task(description, total=self.total or None, status="") if bar else None
        self._started = time.monotonic()
        self._tokens = 0.0
        self._latest: dict[str, float] = {}
        # the loss shown in a log line is the mean since the previous line: one step's loss is too noisy to read
        self._loss_sum = 0.0
        self._loss_count = 0
        self._next_line = self.every

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def advance(self, n: int = 1, **metrics: float | None) -> None:
        """`n` more units done. Metrics: `loss` (shown as the latest in the bar, the mean since the last line in
        the log), `tokens` (this advance's count: summed into tokens/s), any other name (shown as its latest
        value, e.g. dev=0.83). None values are ignored."""
        self.completed += n
        for name, value in metrics.items():
            if value is None:
                continue
            if name == "tokens":
                self._tokens += value
                continue
            if name == "loss":
                self._loss_sum += value
                self._loss_count += 1
            self._latest[name] = value
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=n, status=self._metrics_text(latest_loss=True))
        if self.completed >= self._next_line and self.completed < self.total:
            # the line at the total itself is the end line, written by `finish`
            if self.mode == "log":
                self._logger.info("%s", self.line())
            self._next_line = (self.completed // self.every + 1) * self.every
            self._loss_sum, self._loss_count = 0.0, 0

    def seconds_left(self) -> float | None:
        """The estimated time to the total at the rate so far, capped by what remains of `max_seconds`; None
        before the first unit."""
        if self.completed <= 0 or self.total <= 0:
            return None
        elapsed = self.elapsed
        left = elapsed / self.completed * max(0, self.total - self.completed)
        if self._max_seconds is not None:
            left = min(left, max(0.0, self._max_seconds - elapsed))
        return left

    def line(self, *, done: bool = False) -> str:
        """The log line for the state now: "<description>: step 50/250 (20%), loss 0.8123, 1,234 tokens/s, 1m12s
        left"; with `done`, "<description>: done in 6m01s, step 250/250 (100%), ..." (no time left)."""
        percent = f" ({100 * self.completed // self.total}%)" if self.total else ""
        parts = [f"{self.unit} {self.completed:,}/{self.total:,}{percent}"]
        metrics = self._metrics_text(latest_loss=False)
        if metrics:
            parts.append(metrics)
        if done:
            return f"{self.description}: done in {format_duration(self.elapsed)}, " + ", ".join(parts)
        left = self.seconds_left()
        if left is not None:
            parts.append(f"{format_duration(left)} left")
        return f"{self.description}: " + ", ".join(parts)

    def _metrics_text(self, *, latest_loss: bool) -> str:
        parts = []
        for name, value in self._latest.items():
            if name == "loss" and not latest_loss and self._loss_count:
                value = self._loss_sum / self._loss_count
            parts.append(f"{name} {_number(name, value)}")
        if self._tokens:
            elapsed = self.elapsed
            if elapsed > 0:
                parts.append(f"{self._tokens / elapsed:,.0f} tokens/s")
        return ", ".join(parts)

    def finish(self) -> None:
        """Write the end line (log and bar modes); `progress` calls this when its block ends without an error."""
        if self.mode != "off":
            self._logger.info("%s", self.line(done=True))


def _number(name: str, value: float) -> str:
    """The loss with four decimals (as the line's example has it), other figures with four significant digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4f}" if name == "loss" else f"{value:.4g}"


@contextlib.contextmanager
def progress(
    description: str,
    total: int,
    *,
    unit: str = "step",
    logger: logging.Logger,
    every: int | None = None,
    mode: str | None = None,
    max_seconds: float | None = None,
    console: Console | None = None,
) -> Iterator[ProgressTracker]:
    """Show the progress of `total` units of work named `description`: a bar or INFO lines on `logger` (see the
    module's docstring for which). `every`: units between log lines (default about 10% of `total`, at least 1).
    `mode`: "auto", "bar", "log" or "off" (None: `$LRX_PROGRESS`, else auto). `max_seconds`: a wall-clock cap
    on the work; the time left shown never exceeds what remains of it. `console`: draw the bar on this rich
    console (default: one on stderr); whether it is a terminal then decides between bar and log lines.

    Leaving the block early (a loop that stops before `total`) is fine: the end line says how far it got.
    """
    if every is None:
        every = max(1, round(total / 10))
    # a console given by the caller (built with force_terminal, say) answers for itself; otherwise stderr's own
    # isatty decides, not rich's Console.is_terminal, which also says yes under FORCE_COLOR (set by CI systems)
    terminal = console.is_terminal if console is not None else _is_terminal(sys.stderr)
    chosen = _choose(logger, mode, terminal)
    if chosen != "bar":
        tracker = ProgressTracker(
            description, total, unit=unit, logger=logger, every=every, mode=chosen, max_seconds=max_seconds
        )
        yield tracker
        tracker.finish()
        return
    # rich only here: log mode, what sweeps and CI get, does without its import time (~50 ms)
    from rich.console import Console
    from rich.progress import BarColumn
    from rich.progress import MofNCompleteColumn
    from rich.progress import Progress
    from rich.progress import TextColumn
    from rich.progress import TimeElapsedColumn
    from rich.progress import TimeRemainingColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[status]}"),
        console=console if console is not None else Console(stderr=True),
        transient=False,
    )
    tracker = ProgressTracker(
        description, total, unit=unit, logger=logger, every=every, mode="bar", max_seconds=max_seconds, bar=bar
    )
    before = (sys.stdout, sys.stderr)
    bar.start()
    restore = _route_log_handlers_through_bar(logger, before)
    try:
        yield tracker
    finally:
        restore()
        bar.stop()
    tracker.finish()


def _route_log_handlers_through_bar(logger: logging.Logger, before: tuple[Any, Any]) -> Callable[[], None]:
    """While a bar is live, rich has replaced sys.stdout and sys.stderr by proxies that print above the bar, but
    a logging.StreamHandler keeps the stream it was given when it was made, and its lines would tear the bar:
    point the handlers of `logger` and its ancestors that write to the replaced streams (`before`: sys.stdout
    and sys.stderr as they were before the bar started) at the proxies. Returns what puts them back."""
    proxies = {id(old): new for old, new in zip(before, (sys.stdout, sys.stderr), strict=True) if old is not new}
    moved: list[tuple[logging.StreamHandler[Any], Any]] = []
    current: logging.Logger | None = logger
    while current is not None:
        for handler in current.handlers:
            if isinstance(handler, logging.StreamHandler) and id(handler.stream) in proxies:
                moved.append((handler, handler.setStream(proxies[id(handler.stream)])))
        current = current.parent if current.propagate else None

    def restore() -> None:
        for handler, stream in moved:
            handler.setStream(stream)

    return restore
