"""`lrx report`: a sweep's results as a table of languages x methods, in Markdown and as a bar chart.

A sweep (`lrx-run -m ...`) leaves one directory per job. A job that finished writes `metrics.json`, a list of
entries `{"language", "task", "method", "model", "test_set", "metric", "score", "signature", "seconds"}`;
one that failed writes `failed.json`, `{"language", "method", "error"}`. This module reads every such file
under a directory, however deep (a sweep's jobs, or several sweeps), and makes one table per (task, metric,
model): rows are languages, columns methods, with a mean row, so that methods are compared on the same
languages at a glance. A failed job shows as "failed" in its cell rather than vanishing, since a method
whose hard languages crashed would otherwise look better on average than it is.

Every file is checked as it is read: a malformed one is an error naming it (a report quietly missing a
result is worse than none). Two results for the same cell are an error too: which to keep is not ours to
guess (point the report at one sweep, or delete the stale run).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from lexicons.errors import LrxError

METRICS_FILE = "metrics.json"
FAILED_FILE = "failed.json"
RESULT_KEYS = ("language", "task", "method", "model", "test_set", "metric", "score", "signature", "seconds")
FAILED_KEYS = ("language", "method", "error")
# column order: the baseline first, then the lexicon methods roughly by how much they add; others after
METHOD_ORDER = (
    "zero_shot",
    "pseudo_trans_train",
    "pseudo_trans_train+en",
    "lrx_trans_train",
    "lrx_trans_train_en",
    "lrx_trans_train_en_names",
    "pseudo_mlm",
    "label_distill",
)
FAILED = "failed"


class ReportError(LrxError):
    """No results to report, or a results file that cannot be read: names the file."""


@dataclass(frozen=True)
class Result:
    """One score: a job's metric on one test set."""

    language: str
    task: str
    method: str
    model: str
    test_set: str
    metric: str
    score: float
    signature: str
    seconds: float | None
    source: Path


@dataclass(frozen=True)
class Failure:
    """A job that stopped with an error."""

    language: str
    method: str
    error: str
    source: Path


@dataclass
class Table:
    """Scores of one (task, metric, model): rows x methods, a cell a score, FAILED, or None (not run)."""

    task: str
    metric: str
    model: str
    rows: list[str]
    methods: list[str]
    cells: dict[tuple[str, str], float | str | None]
    # method -> (mean over the rows that have a score, rows with a score)
    means: dict[str, tuple[float | None, int]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.task} · {self.metric} · {self.model}"

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "metric": self.metric,
            "model": self.model,
            "rows": self.rows,
            "methods": self.methods,
            "scores": {row: {m: self.cells[row, m] for m in self.methods} for row in self.rows},
            "mean": {m: {"score": self.means[m][0], "n": self.means[m][1]} for m in self.methods},
        }


@dataclass
class Report:
    """What `write_report` made: the tables, the Markdown text and the files written."""

    tables: list[Table]
    failures: list[Failure]
    markdown: str
    files: list[Path]
    results: int


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ReportError(f"{path}: not UTF-8 text ({error.reason})") from None
    except json.JSONDecodeError as error:
        raise ReportError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from None
    except OSError as error:
        raise ReportError(f"{path}: cannot read ({error.strerror})") from None


def _text(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ReportError(f"{where}: {key!r} must be a non-empty string, not {value!r}")
    return value


def _number(value: Any, where: str, key: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ReportError(f"{where}: {key!r} must be a finite number, not {value!r}")
    return float(value)


def read_metrics(path: Path) -> list[Result]:
    """The entries of one metrics.json; ReportError naming the file (and entry) if it is malformed."""
    data = _load_json(path)
    if not isinstance(data, list):
        raise ReportError(f"{path}: expected a list of result entries, got {type(data).__name__}")
    results = []
    for i, entry in enumerate(data):
        where = f"{path}: entry {i}"
        if not isinstance(entry, dict):
            raise ReportError(f"{where}: expected an object, got {type(entry).__name__}")
        missing = [key for key in RESULT_KEYS if key not in entry]
        if missing:
            raise ReportError(f"{where}: missing {', '.join(repr(k) for k in missing)}")
        signature = entry["signature"]
        if not isinstance(signature, str):
            raise ReportError(f"{where}: 'signature' must be a string, not {signature!r}")
        results.append(
            Result(
                language=_text(entry["language"], where, "language"),
                task=_text(entry["task"], where, "task"),
                method=_text(entry["method"], where, "method"),
                model=_text(entry["model"], where, "model"),
                test_set=_text(entry["test_set"], where, "test_set"),
                metric=_text(entry["metric"], where, "metric"),
                score=_number(entry["score"], where, "score"),  # type: ignore[arg-type]
                signature=signature,
                seconds=_number(entry["seconds"], where, "seconds", optional=True),
                source=path,
            )
        )
    return results


def read_failed(path: Path) -> Failure:
    """One failed.json; ReportError naming the file if it is malformed."""
    data = _load_json(path)
    if not isinstance(data, dict):
        raise ReportError(f"{path}: expected an object, got {type(data).__name__}")
    missing = [key for key in FAILED_KEYS if key not in data]
    if missing:
        raise ReportError(f"{path}: missing {', '.join(repr(k) for k in missing)}")
    error = data["error"]
    if not isinstance(error, str):
        raise ReportError(f"{path}: 'error' must be a string, not {error!r}")
    where = str(path)
    return Failure(_text(data["language"], where, "language"), _text(data["method"], where, "method"), error, path)


def gather(directory: str | Path) -> tuple[list[Result], list[Failure]]:
    """Every result and failure under `directory`, in path order (so reports are reproducible)."""
    root = Path(directory)
    if not root.is_dir():
        raise ReportError(f"{root}: not a directory")
    results = [r for path in sorted(root.rglob(METRICS_FILE)) if path.is_file() for r in read_metrics(path)]
    failures = [read_failed(path) for path in sorted(root.rglob(FAILED_FILE)) if path.is_file()]
    if not results and not failures:
        raise ReportError(f"{root}: no {METRICS_FILE} or {FAILED_FILE} under it (is it a sweep directory?)")
    return results, failures


def _method_key(method: str) -> tuple[int, str]:
    return (METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER), method)


def build_tables(results: Sequence[Result], failures: Sequence[Failure]) -> list[Table]:
    """One table per (task, metric, model). A language with several test sets in a table gets a row per test
    set (`ee [test_set]`); a failure fills its (language, method) cells in every table with FAILED."""
    groups: dict[tuple[str, str, str], list[Result]] = {}
    for result in results:
        groups.setdefault((result.task, result.metric, result.model), []).append(result)
    if not groups and failures:
        groups[("no results", "-", "-")] = []  # every job failed: still a table that says so
    tables = []
    for (task, metric, model), members in sorted(groups.items()):
        seen: dict[tuple[str, str, str], Result] = {}
        for result in members:
            key = (result.language, result.test_set, result.method)
            if key in seen:
                raise ReportError(
                    f"two results for {result.language} / {result.method} / {result.test_set} ({task}, {metric}, "
                    f"{model}): {seen[key].source} and {result.source}; report on one sweep at a time"
                )
            seen[key] = result
        test_sets: dict[str, set[str]] = {}
        for result in members:
            test_sets.setdefault(result.language, set()).add(result.test_set)

        def row_name(language: str, test_set: str, sets: dict[str, set[str]] = test_sets) -> str:
            return language if len(sets[language]) == 1 else f"{language} [{test_set}]"

        cells: dict[tuple[str, str], float | str | None] = {}
        for result in members:
            cells[row_name(result.language, result.test_set), result.method] = result.score
        rows = {row_name(r.language, r.test_set): r.language for r in members}
        for failure in failures:
            language_rows = [row for row, language in rows.items() if language == failure.language]
            if not language_rows:
                rows[failure.language] = failure.language
                language_rows = [failure.language]
            for row in language_rows:
                cells.setdefault((row, failure.method), FAILED)
        methods = sorted({method for _, method in cells}, key=_method_key)
        row_list = sorted(rows)
        full = {(row, m): cells.get((row, m)) for row in row_list for m in methods}
        table = Table(task, metric, model, row_list, methods, full)
        for method in methods:
            scores = [v for row in row_list if isinstance(v := full[row, method], float)]
            table.means[method] = (sum(scores) / len(scores) if scores else None, len(scores))
        tables.append(table)
    return tables


def _format(value: float, percent: bool) -> str:
    return f"{value:.1f}" if percent else f"{value:.3f}"


def _is_percent(table: Table) -> bool:
    """Scores above 1 mean the table is in percent (one decimal); otherwise fractions (three)."""
    return any(isinstance(v, float) and abs(v) > 1.0 for v in table.cells.values())


def table_markdown(table: Table) -> str:
    """The table as GitHub Markdown; the mean row says over how many languages when that is not all of them."""
    percent = _is_percent(table)
    lines = [
        "| language | " + " | ".join(table.methods) + " |",
        "|---|" + "---:|" * len(table.methods),
    ]
    for row in table.rows:
        cells = []
        for method in table.methods:
            value = table.cells[row, method]
            cells.append("-" if value is None else value if isinstance(value, str) else _format(value, percent))
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    means = []
    for method in table.methods:
        mean, n = table.means[method]
        if mean is None:
            means.append("-")
        else:
            means.append(_format(mean, percent) + ("" if n == len(table.rows) else f" ({n}/{len(table.rows)})"))
    lines.append("| **mean** | " + " | ".join(means) + " |")
    return "\n".join(lines)


def render_markdown(tables: Sequence[Table], failures: Sequence[Failure], results: Sequence[Result]) -> str:
    """The whole report.md: a section per table, then the failed jobs with their errors."""
    parts = ["# lrx report", ""]
    seconds = sum(r.seconds for r in results if r.seconds is not None)
    runs = len({r.source for r in results})
    parts.append(
        f"{len(results)} results from {runs} runs, {len(failures)} failed; {seconds / 3600:.2f} h of compute recorded."
    )
    for table in tables:
        parts += ["", f"## {table.title}", "", table_markdown(table)]
    if failures:
        parts += ["", "## failed jobs", ""]
        for failure in failures:
            # a traceback's last line is the exception and its message
            last = failure.error.strip().splitlines()[-1] if failure.error.strip() else "(no message)"
            parts.append(f"- {failure.language} / {failure.method}: {last} (`{failure.source}`)")
    return "\n".join(parts) + "\n"


def write_chart(table: Table, path: Path) -> Path:
    """Grouped bars: a group per language (and the mean), a bar per method. Failed cells are marked, and a
    mean over fewer than all languages says so above its bar (it is not comparable with the others)."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on a cluster node or in CI
    import matplotlib.pyplot as plt

    groups = [*table.rows, "mean"]
    n = len(table.methods)
    width = 0.8 / max(n, 1)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.55 * len(groups) * max(n, 2)), 4.8))
    try:
        for j, method in enumerate(table.methods):
            xs, heights = [], []
            for i, row in enumerate(groups):
                x = i - 0.4 + width * (j + 0.5)
                value = table.means[method][0] if row == "mean" else table.cells[row, method]
                if isinstance(value, float):
                    xs.append(x)
                    heights.append(value)
                elif value == FAILED:
                    ax.text(x, 0, FAILED, rotation=90, ha="center", va="bottom", fontsize=7, color="firebrick")
                if row == "mean" and value is not None and 0 < table.means[method][1] < len(table.rows):
                    label = f"n={table.means[method][1]}/{len(table.rows)}"
                    ax.text(x, value, label, ha="center", va="bottom", fontsize=7)
            ax.bar(xs, heights, width, label=method)
        ax.set_xticks(range(len(groups)), groups)
        ax.set_ylabel(table.metric)
        ax.set_title(table.title)
        ax.grid(axis="y", alpha=0.3)
        # below the axes: inside, the legend hides the tallest bars
        ax.legend(fontsize=8, ncols=min(n, 3), loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)
    return path


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", text).strip("_") or "x"


def write_report(directory: str | Path, out: str | Path | None = None) -> Report:
    """Gather `directory`, write report.md and the chart(s) into `out` (default: `directory`)."""
    results, failures = gather(directory)
    tables = build_tables(results, failures)
    markdown = render_markdown(tables, failures, results)
    out_dir = Path(out) if out is not None else Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = [out_dir / "report.md"]
    files[0].write_text(markdown, encoding="utf-8")
    for table in tables:
        name = "report.png"
        if len(tables) > 1:
            name = f"report-{_slug(table.task)}-{_slug(table.metric)}-{_slug(table.model)}.png"
        files.append(write_chart(table, out_dir / name))
    return Report(tables, failures, markdown, files, len(results))


def report_json(report: Report) -> dict[str, Any]:
    """What `lrx report --json` prints."""
    return {
        "tables": [table.to_json() for table in report.tables],
        "failed": [
            {"language": f.language, "method": f.method, "error": f.error, "file": str(f.source)}
            for f in report.failures
        ],
        "results": report.results,
        "files": [str(path) for path in report.files],
    }
