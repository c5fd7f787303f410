"""`lrx report`: a sweep's results as a table of languages x methods, in Markdown and as a bar chart.

A sweep (`lrx-run -m ...`) leaves one directory per job. A job that finished writes `metrics.json`, a list of
entries `{"language", "task", "method", "model", "test_set", "metric", "score", "signature", "seconds"}`;
one that failed writes `failed.json`, `{"language", "method", "error"}`. This module reads every such file
under a directory, however deep (a sweep's jobs, or several sweeps), and makes one table per (task, metric,
model): rows are languages, columns methods, with a mean row, so that methods are compared on the same
languages at a glance. A failed job shows as "failed" in its cell rather than vanishing, since a method
whose hard languages crashed would otherwise look better on average than it is.

A job run by the pipeline also leaves its stage markers (`stages/<stage>.json`): the report adds a table of
what each job's training cost, from the markers of the training stages (mlm, train, self_train, distill): the job's
seconds, the trainings' own seconds and their tokens per second (what a reader needs to compare methods whose
budgets are the same in steps but not in time).

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
from typing import TYPE_CHECKING
from typing import Any

from lrx.adapt.report_data import DataRow
from lrx.adapt.report_data import data_markdown
from lrx.adapt.report_data import read_data_rows

from lrx.core.errors import LrxError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

METRICS_FILE = "metrics.json"
FAILED_FILE = "failed.json"
RESULT_KEYS = ("language", "task", "method", "model", "test_set", "metric", "score", "signature", "seconds")
FAILED_KEYS = ("language", "method", "error")
# the method every other is compared with, seed by seed (`lrx report --baseline`)
BASELINE = "zero_shot"
# column order: the baseline first, then the lexicon methods roughly by how much they add; others after
METHOD_ORDER = (
    "zero_shot",
    "pseudo_trans_train",
    "pseudo_trans_train+en",
    "lrx_trans_train",
    "lrx_trans_train_en",
    "lrx_trans_train_en_names",
    "cs_trans_train_en",
    "pseudo_mlm",
    "label_distill",
    "self_train_en.round0",
    "self_train_en",
    "self_train.round0",
    "self_train",
    "supervised",
)
FAILED = "failed"
# the chart's y-axis title per metric (lrx.adapt.tasks: each task's `metrics`); scores are in percent
METRIC_WORDS = {
    "entity_f1": "entity F1",
    "slot_f1": "slot F1",
    "tag_accuracy": "tag accuracy",
    "intent_accuracy": "intent accuracy",
}


# the stages that train a model, in pipeline order; their markers' results carry seconds and tokens_per_s
TRAINING_STAGES = ("mlm", "train", "self_train", "distill")
STAGES_DIR = "stages"
# the legend entry of the chart's dashed line at the baseline's score
REFERENCE_LABEL = "{baseline} (reference)"


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
    # the run's seed (entries written before seeds were recorded have none: one seed per cell)
    seed: int | None = None


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
    # "test", or "dev" for the dev-set entries (`<set>/dev`, task.eval_dev): choices are read from dev tables
    split: str = "test"
    # method -> (mean over the rows that have a score, rows with a score)
    means: dict[str, tuple[float | None, int]] = field(default_factory=dict)
    # (row, method) -> (standard deviation over seeds, seeds): a cell is the mean over its seeds
    spread: dict[tuple[str, str], tuple[float, int]] = field(default_factory=dict)
    # the method the others are compared with, paired by seed: (row, method) -> (mean of the per-seed
    # differences method - baseline, their standard deviation, pairs); the "mean" row averages the rows
    baseline: str | None = None
    paired: dict[tuple[str, str], tuple[float, float, int]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        title = f"{self.task} · {self.metric} · {self.model}"
        return title + " · dev sets" if self.split == "dev" else title

    def to_json(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "metric": self.metric,
            "model": self.model,
            "split": self.split,
            "rows": self.rows,
            "methods": self.methods,
            "scores": {row: {m: self.cells[row, m] for m in self.methods} for row in self.rows},
            "std": {row: {m: self.spread.get((row, m), (None, 0))[0] for m in self.methods} for row in self.rows},
            "seeds": {row: {m: self.spread.get((row, m), (None, 0))[1] for m in self.methods} for row in self.rows},
            "mean": {m: {"score": self.means[m][0], "n": self.means[m][1]} for m in self.methods},
            "baseline": self.baseline,
            "paired_difference": {
                row: {
                    m: {"mean": d[0], "std": d[1], "pairs": d[2]}
                    for m in self.methods
                    if (d := self.paired.get((row, m))) is not None
                }
                for row in [*self.rows, "mean"]
            },
        }


@dataclass(frozen=True)
class Training:
    """One training of a job, from its stage marker: `mlm head` is a new masked-LM head's warm-up alone."""

    name: str
    steps: int
    seconds: float
    tokens_per_s: float


@dataclass(frozen=True)
class RunCost:
    """What one job's training cost: its score(s), its whole time and each of its trainings."""

    language: str
    method: str
    scores: tuple[float, ...]
    job_seconds: float | None
    trainings: tuple[Training, ...]
    source: Path

    @property
    def training_seconds(self) -> float:
        return sum(t.seconds for t in self.trainings)

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "method": self.method,
            "scores": list(self.scores),
            "job_seconds": self.job_seconds,
            "training_seconds": round(self.training_seconds, 3),
            "trainings": [
                {"name": t.name, "steps": t.steps, "seconds": t.seconds, "tokens_per_s": t.tokens_per_s}
                for t in self.trainings
            ],
            "run": str(self.source),
        }


@dataclass
class Report:
    """What `write_report` made: the tables, the Markdown text and the files written."""

    tables: list[Table]
    failures: list[Failure]
    markdown: str
    files: list[Path]
    results: int
    costs: list[RunCost] = field(default_factory=list)
    data: list[DataRow] = field(default_factory=list)


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
                seed=_seed(entry.get("seed"), where),
            )
        )
    return results


def _seed(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ReportError(f"{where}: 'seed' must be an integer, not {value!r}")
    return value


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
    if not results and not failures and not any(root.rglob("stages/lexicon.json")):
        raise ReportError(f"{root}: no {METRICS_FILE} or {FAILED_FILE} under it (is it a sweep directory?)")
    return results, failures


def _training(marker: Path, name: str, figures: Any) -> Training:
    where = f"{marker}: result"
    if not isinstance(figures, dict):
        raise ReportError(f"{where}: expected an object, got {type(figures).__name__}")
    missing = [key for key in ("steps", "seconds", "tokens_per_s") if key not in figures]
    if missing:
        raise ReportError(f"{where}: missing {', '.join(repr(k) for k in missing)}")
    return Training(
        name,
        int(_number(figures["steps"], where, "steps")),  # type: ignore[arg-type]
        _number(figures["seconds"], where, "seconds"),  # type: ignore[arg-type]
        _number(figures["tokens_per_s"], where, "tokens_per_s"),  # type: ignore[arg-type]
    )


def read_costs(results: Sequence[Result]) -> list[RunCost]:
    """The training cost of every job that has results and stage markers beside its metrics.json (a stage that
    trained nothing, `mlm` for a method without MLM, has no figures and is left out), in path order."""
    runs: dict[Path, list[Result]] = {}
    for result in results:
        runs.setdefault(result.source, []).append(result)
    costs = []
    for source, members in sorted(runs.items()):
        stages = source.parent / STAGES_DIR
        if not stages.is_dir():
            continue
        trainings: list[Training] = []
        for stage in TRAINING_STAGES:
            marker = stages / f"{stage}.json"
            if not marker.is_file():
                continue
            data = _load_json(marker)
            figures = data.get("result") if isinstance(data, dict) else None
            if not isinstance(figures, dict):
                raise ReportError(f"{marker}: expected an object with a 'result' object")
            if "head_warmup" in figures:
                trainings.append(_training(marker, f"{stage} head", figures["head_warmup"]))
            if "steps" in figures:  # a stage that trained; one that did nothing has an empty result
                trainings.append(_training(marker, stage, figures))
        first = members[0]
        job_seconds = first.seconds
        scores = tuple(r.score for r in members)
        costs.append(RunCost(first.language, first.method, scores, job_seconds, tuple(trainings), source.parent))
    return sorted(costs, key=lambda c: (c.language, _method_key(c.method)))


def _count(value: float) -> str:
    """A count or a rate, whole, with thousands separators: seconds, steps and tokens/s alike."""
    return f"{value:,.0f}"


def costs_markdown(costs: Sequence[RunCost]) -> str:
    """The training-cost table: a row per job. Every number of a kind has the same format (scores with the
    decimals of the score tables, seconds, steps and tokens/s whole with thousands separators), and the number
    columns are right-aligned, so that a column reads as a column."""
    # one choice for the whole table (not per score): a 0.9 beside a 45.0 must not switch to three decimals
    percent = any(abs(s) > 1.0 for cost in costs for s in cost.scores)
    lines = [
        "| run | score | job s | training s | tokens/s | trainings |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for cost in costs:
        scores = " / ".join(_format(s, percent) for s in cost.scores)
        job = "-" if cost.job_seconds is None else _count(cost.job_seconds)
        speeds = " / ".join(_count(t.tokens_per_s) for t in cost.trainings) or "-"
        names = " + ".join(f"{t.name} ({_count(t.steps)} steps)" for t in cost.trainings) or "-"
        training = _count(cost.training_seconds)
        lines.append(f"| {cost.language} / {cost.method} | {scores} | {job} | {training} | {speeds} | {names} |")
    return "\n".join(lines)


def _method_key(method: str) -> tuple[int, str]:
    return (METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER), method)


def _std(values: Sequence[float]) -> float:
    """The sample standard deviation (n - 1); 0 for a single value."""
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def build_tables(results: Sequence[Result], failures: Sequence[Failure], baseline: str = BASELINE) -> list[Table]:
    """One table per (task, metric, model), and a second for dev-set entries (`<set>/dev`). A language with
    several test sets in a table gets a row per test
    set (`ee [test_set]`); a failure fills its (language, method) cells in every table with FAILED. Runs of
    one cell with different seeds are one cell: their mean, with the standard deviation and the number of seeds
    in `spread`; each method is compared with `baseline` seed by seed (`paired`), where the table has it."""
    groups: dict[tuple[str, str, str, str], list[Result]] = {}
    for result in results:
        split = "dev" if result.test_set.endswith("/dev") else "test"
        groups.setdefault((result.task, result.metric, result.model, split), []).append(result)
    if not groups and failures:
        groups[("no results", "-", "-", "test")] = []  # every job failed: still a table that says so
    tables = []
    # the test tables first, then the dev tables
    for (task, metric, model, split), members in sorted(groups.items(), key=lambda kv: (kv[0][3] == "dev", kv[0])):
        seen: dict[tuple[str, str, str, int | None], Result] = {}
        for result in members:
            key = (result.language, result.test_set, result.method, result.seed)
            if key in seen:
                seed = "" if result.seed is None else f", seed {result.seed}"
                raise ReportError(
                    f"two results for {result.language} / {result.method} / {result.test_set}{seed} ({task}, "
                    f"{metric}, {model}): {seen[key].source} and {result.source}; report on one sweep at a time"
                )
            seen[key] = result
        test_sets: dict[str, set[str]] = {}
        for result in members:
            test_sets.setdefault(result.language, set()).add(result.test_set)

        def row_name(language: str, test_set: str, sets: dict[str, set[str]] = test_sets) -> str:
            return language if len(sets[language]) == 1 else f"{language} [{test_set}]"

        by_seed: dict[tuple[str, str], dict[int | None, float]] = {}
        for result in members:
            by_seed.setdefault((row_name(result.language, result.test_set), result.method), {})[result.seed] = (
                result.score
            )
        cells: dict[tuple[str, str], float | str | None] = {}
        spread: dict[tuple[str, str], tuple[float, int]] = {}
        for key, scores in by_seed.items():
            values = list(scores.values())
            cells[key] = sum(values) / len(values)
            spread[key] = (_std(values), len(values))
        rows = {row_name(r.language, r.test_set): r.language for r in members}
        for failure in failures if split == "test" else ():
            language_rows = [row for row, language in rows.items() if language == failure.language]
            if not language_rows:
                rows[failure.language] = failure.language
                language_rows = [failure.language]
            for row in language_rows:
                cells.setdefault((row, failure.method), FAILED)
        methods = sorted({method for _, method in cells}, key=_method_key)
        row_list = sorted(rows)
        full = {(row, m): cells.get((row, m)) for row in row_list for m in methods}
        table = Table(task, metric, model, row_list, methods, full, split=split, spread=spread)
        for method in methods:
            scores = [v for row in row_list if isinstance(v := full[row, method], float)]
            table.means[method] = (sum(scores) / len(scores) if scores else None, len(scores))
        if baseline in methods:
            table.baseline = baseline
            _pair(table, by_seed, baseline)
        tables.append(table)
    return tables


def _pair(table: Table, by_seed: dict[tuple[str, str], dict[int | None, float]], baseline: str) -> None:
    """Each method minus the baseline, seed by seed, per row; and over the rows, per seed, the mean of the
    rows' differences (the rows where both have that seed)."""
    for method in table.methods:
        if method == baseline:
            continue
        per_seed_rows: dict[int | None, list[float]] = {}
        for row in table.rows:
            mine, base = by_seed.get((row, method), {}), by_seed.get((row, baseline), {})
            diffs = [mine[seed] - base[seed] for seed in sorted(mine, key=str) if seed in base]
            if diffs:
                table.paired[row, method] = (sum(diffs) / len(diffs), _std(diffs), len(diffs))
            for seed in mine:
                if seed in base:
                    per_seed_rows.setdefault(seed, []).append(mine[seed] - base[seed])
        complete = [sum(d) / len(d) for d in per_seed_rows.values() if len(d) == len(table.rows)]
        if complete:
            table.paired["mean", method] = (sum(complete) / len(complete), _std(complete), len(complete))


def _format(value: float, percent: bool) -> str:
    return f"{value:.1f}" if percent else f"{value:.3f}"


def _is_percent(table: Table) -> bool:
    """Scores above 1 mean the table is in percent (one decimal); otherwise fractions (three)."""
    return any(isinstance(v, float) and abs(v) > 1.0 for v in table.cells.values())


def _cell(table: Table, row: str, method: str, percent: bool) -> str:
    value = table.cells[row, method]
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    std, seeds = table.spread.get((row, method), (0.0, 1))
    return _format(value, percent) + (f" ± {_format(std, percent)} ({seeds})" if seeds > 1 else "")


def paired_markdown(table: Table) -> str:
    """Each method minus the baseline, paired by seed: mean ± std of the per-seed differences (pairs)."""
    percent = _is_percent(table)
    methods = [m for m in table.methods if m != table.baseline]
    lines = ["| language | " + " | ".join(methods) + " |", "|---|" + "---:|" * len(methods)]
    for row in [*table.rows, "mean"]:
        cells = []
        for method in methods:
            found = table.paired.get((row, method))
            if found is None:
                cells.append("-")
            else:
                diff, std, pairs = found
                cells.append(f"{diff:+.{1 if percent else 3}f} ± {_format(std, percent)} ({pairs})")
        lines.append(f"| {'**mean**' if row == 'mean' else row} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table_markdown(table: Table) -> str:
    """The table as GitHub Markdown; the mean row says over how many languages when that is not all of them.
    A cell over several seeds reads `mean ± std (seeds)`."""
    percent = _is_percent(table)
    lines = [
        "| language | " + " | ".join(table.methods) + " |",
        "|---|" + "---:|" * len(table.methods),
    ]
    for row in table.rows:
        cells = [_cell(table, row, method, percent) for method in table.methods]
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


def render_markdown(
    tables: Sequence[Table],
    failures: Sequence[Failure],
    results: Sequence[Result],
    costs: Sequence[RunCost] = (),
    data: Sequence[DataRow] = (),
) -> str:
    """The whole report.md: a section per table, the training cost per job, then the failed jobs."""
    parts = ["# lrx report", ""]
    seconds = sum(r.seconds for r in results if r.seconds is not None)
    runs = len({r.source for r in results})
    parts.append(
        f"{len(results)} results from {runs} runs, {len(failures)} failed; {seconds / 3600:.2f} h of compute recorded."
    )
    for table in tables:
        parts += ["", f"## {table.title}", "", table_markdown(table)]
        if table.baseline is not None and len(table.methods) > 1:
            parts += [
                "",
                f"Difference to {table.baseline}, paired by seed (mean ± std of the per-seed differences, pairs):",
                "",
                paired_markdown(table),
            ]
    if data:
        parts += [
            "",
            "## data",
            "",
            "Per job: the lexicon (entries after cleaning), the English training data and its pseudo translation "
            "(translated %: English tokens replaced by a translation; unknown %: tokens the lexicon had no entry "
            "for), and the seconds the lexicon and synthesize stages took.",
            "",
            data_markdown(list(data)),
        ]
    if costs:
        parts += [
            "",
            "## training cost",
            "",
            "Job s: the whole job; training s: its trainings' own seconds; tokens/s: real sub-tokens per second of"
            " each training, in order.",
            "",
            costs_markdown(costs),
        ]
    if failures:
        parts += ["", "## failed jobs", ""]
        for failure in failures:
            # a traceback's last line is the exception and its message
            last = failure.error.strip().splitlines()[-1] if failure.error.strip() else "(no message)"
            parts.append(f"- {failure.language} / {failure.method}: {last} (`{failure.source}`)")
    return "\n".join(parts) + "\n"


def metric_words(metric: str) -> str:
    """A metric's name for a reader: `entity_f1` -> "entity F1"; one this module does not know is spelled out
    from its name (underscores to spaces, f1 -> F1)."""
    if metric in METRIC_WORDS:
        return METRIC_WORDS[metric]
    return " ".join("F1" if word.lower() == "f1" else word for word in metric.split("_"))


def _seed_note(table: Table) -> str | None:
    """What the error bars are, for the caption; None when no cell has more than one seed."""
    counts = sorted({seeds for _, seeds in table.spread.values() if seeds > 1})
    if not counts:
        return None
    seeds = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    return f"bars: mean over seeds, error bars: ± std over {seeds} seeds"


def draw_chart(table: Table) -> Figure:
    """Grouped bars: a group per language (and the mean, when there are several languages), a bar per method,
    each labelled with its score. Where the table has a baseline (zero_shot), its bar is grey and a dashed line
    at its score runs across the group: a method's gain or loss is then the gap between its bar's top and the
    line, while the bars keep the absolute level (a gain at 30 F1 and one at 60 do not mean the same; bars of
    the difference alone would hide that, and the paired table already has the differences). A cell over
    several seeds has an error bar (std over seeds); failed cells are marked, and a mean over fewer than all
    languages says over how many (it is not comparable with the others). The caller closes the figure."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on a cluster node or in CI
    import matplotlib.pyplot as plt

    percent = _is_percent(table)
    # a mean of one language is that language again: a second, identical group would only mislead
    groups = [*table.rows, "mean"] if len(table.rows) > 1 else list(table.rows)
    n = len(table.methods)
    width = 0.8 / max(n, 1)
    # tab10 without its grey, which is the baseline's: a method keeps its colour in every chart of a report
    palette = [c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 7]
    others = [m for m in table.methods if m != table.baseline]
    # about half an inch a bar; a small chart is widened for its title and legend by wider gaps, not wider bars
    group_inches = 0.55 * max(n, 2) + 0.3
    fig_inches = max(5.0, len(groups) * group_inches + 1.2)
    span = max(len(groups) + 0.1, (fig_inches - 1.2) / group_inches)
    fig, ax = plt.subplots(figsize=(fig_inches, 5.0), layout="constrained")
    tops: list[float] = []
    errors_x: list[float] = []
    errors_y: list[float] = []
    errors_std: list[float] = []
    for j, method in enumerate(table.methods):
        xs, heights = [], []
        for i, row in enumerate(groups):
            x = i - 0.4 + width * (j + 0.5)
            value = table.means[method][0] if row == "mean" else table.cells[row, method]
            if value == FAILED:
                ax.text(x, 0, f" {FAILED}", rotation=90, ha="center", va="bottom", fontsize=7, color="firebrick")
            if not isinstance(value, float):
                continue
            xs.append(x)
            heights.append(value)
            std, seeds = (0.0, 1) if row == "mean" else table.spread.get((row, method), (0.0, 1))
            if seeds > 1:
                errors_x.append(x)
                errors_y.append(value)
                errors_std.append(std)
            label = _format(value, percent)
            scored, rows = table.means[method][1], len(table.rows)
            if row == "mean" and scored < rows:
                label += f"\n({scored}/{rows})"
            top = value + (std if seeds > 1 else 0.0)
            tops.append(top)
            # on white, above the reference line: a label at the line's height stays legible
            ax.annotate(
                label,
                (x, top),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                zorder=4,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
            )
        colour = "0.72" if method == table.baseline else palette[others.index(method) % len(palette)]
        ax.bar(xs, heights, width, label=method, color=colour)
    if errors_x:
        ax.errorbar(errors_x, errors_y, yerr=errors_std, fmt="none", ecolor="0.2", elinewidth=1, capsize=2)
    if table.baseline is not None:
        spans = []
        for i, row in enumerate(groups):
            value = table.means[table.baseline][0] if row == "mean" else table.cells[row, table.baseline]
            if isinstance(value, float):
                spans.append((value, i - 0.45, i + 0.45))
        if spans:
            ys, starts, ends = zip(*spans, strict=True)
            label = REFERENCE_LABEL.format(baseline=table.baseline)
            ax.hlines(ys, starts, ends, colors="0.25", linestyles="--", linewidth=1, label=label, zorder=3)
    ax.set_xticks(range(len(groups)), groups)
    middle = (len(groups) - 1) / 2
    ax.set_xlim(middle - span / 2, middle + span / 2)
    if groups[-1] == "mean":  # the mean is not one more language: set apart
        ax.axvline(len(groups) - 1.5, color="0.8", linewidth=0.8)
        ax.get_xticklabels()[-1].set_fontweight("bold")
    if tops and min(tops) >= 0:
        ax.set_ylim(0, max(tops) * 1.15 or 1.0)  # room above the tallest bar for its label
    ax.set_ylabel(metric_words(table.metric) + (" (%)" if percent else ""))
    note = _seed_note(table)
    if note:
        ax.set_xlabel(note, fontsize=8, color="0.3")
    ax.set_title(table.title)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    # below the axes: inside, the legend hides the tallest bars
    handles, labels = ax.get_legend_handles_labels()
    reference = REFERENCE_LABEL.format(baseline=table.baseline)
    if table.baseline in labels and reference in labels:  # the reference line right after its bar
        order = [labels.index(table.baseline), labels.index(reference)]
        order += [i for i in range(len(labels)) if i not in order]
        handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    fig.legend(handles, labels, fontsize=8, ncols=min(len(labels), 4), loc="outside lower center", frameon=False)
    return fig


def write_chart(table: Table, path: Path) -> Path:
    """`draw_chart(table)` as a PNG at `path`."""
    import matplotlib.pyplot as plt

    fig = draw_chart(table)
    try:
        fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)
    return path


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", text).strip("_") or "x"


def write_report(directory: str | Path, out: str | Path | None = None, baseline: str = BASELINE) -> Report:
    """Gather `directory`, write report.md and the chart(s) into `out` (default: `directory`); every method
    is compared with `baseline`, seed by seed, where the sweep has it."""
    results, failures = gather(directory)
    tables = build_tables(results, failures, baseline)
    costs = read_costs(results)
    data = read_data_rows(directory)
    markdown = render_markdown(tables, failures, results, costs, data)
    out_dir = Path(out) if out is not None else Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = [out_dir / "report.md"]
    files[0].write_text(markdown, encoding="utf-8")
    several = len({(t.task, t.metric, t.model) for t in tables}) > 1
    for table in tables:
        name = "report"
        if several:
            name += f"-{_slug(table.task)}-{_slug(table.metric)}-{_slug(table.model)}"
        name += "-dev.png" if table.split == "dev" else ".png"
        files.append(write_chart(table, out_dir / name))
    return Report(tables, failures, markdown, files, len(results), costs, data)


def report_json(report: Report) -> dict[str, Any]:
    """What `lrx report --json` prints."""
    return {
        "tables": [table.to_json() for table in report.tables],
        "failed": [
            {"language": f.language, "method": f.method, "error": f.error, "file": str(f.source)}
            for f in report.failures
        ],
        "results": report.results,
        "costs": [cost.to_json() for cost in report.costs],
        "data": [row.to_json() for row in report.data],
        "files": [str(path) for path in report.files],
    }
