"""`lrx report`: a sweep directory of metrics.json / failed.json files -> Markdown table, report.md and a PNG."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lrx.adapt.cli.main import main
from lrx.adapt.report import RunCost
from lrx.adapt.report import Table
from lrx.adapt.report import Training
from lrx.adapt.report import build_tables
from lrx.adapt.report import costs_markdown
from lrx.adapt.report import draw_chart
from lrx.adapt.report import gather
from lrx.adapt.report import metric_words
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIGNATURE = "lrx:0.1|task:ner|lex:gatitos|pair:eng-{lang}|morph:on|choice:weighted|unk:keep|min:0|seed:1"
TEST_SETS = {"ee": "masakhaner2.0/ewe/test.txt", "lg": "masakhaner2.0/lug/test.txt"}
# entity F1 (percent) per language and method; lg x lrx_trans_train_en failed
SCORES = {
    ("ee", "zero_shot"): 42.1,
    ("ee", "pseudo_trans_train"): 48.3,
    ("ee", "lrx_trans_train_en"): 51.2,
    ("lg", "zero_shot"): 55.5,
    ("lg", "pseudo_trans_train"): 58.9,
}
FAILED = ("lg", "lrx_trans_train_en")


def _entry(language: str, method: str, score: object, /, **changes: object) -> dict:
    entry = {
        "language": language,
        "task": "ner",
        "method": method,
        "model": "e5_small",
        "test_set": TEST_SETS[language],
        "metric": "entity_f1",
        "score": score,
        "signature": SIGNATURE.format(lang=language),
        "seconds": 812.5,
    }
    entry.update(changes)
    return entry


def _job(sweep: Path, language: str, method: str) -> Path:
    """A job directory as Hydra leaves it (named by language and method, with its .hydra/ inside)."""
    run = sweep / f"{language}_{method}"
    (run / ".hydra").mkdir(parents=True, exist_ok=True)
    (run / ".hydra" / "overrides.yaml").write_text(f"- language={language}\n- method={method}\n", encoding="utf-8")
    return run


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    """2 languages x 3 methods: five jobs with metrics.json, one with failed.json."""
    root = tmp_path / "multirun" / "masakhaner_gatitos" / "2026-01-01_10-00-00"
    for (language, method), score in SCORES.items():
        metrics = [_entry(language, method, score)]
        (_job(root, language, method) / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    failed = {
        "language": FAILED[0],
        "method": FAILED[1],
        "error": "Traceback (most recent call last):\n  File ...\nRuntimeError: CUDA out of memory",
    }
    (_job(root, *FAILED) / "failed.json").write_text(json.dumps(failed), encoding="utf-8")
    return root


def _table_rows(markdown: str) -> dict[str, list[str]]:
    """Markdown table lines -> {first cell: other cells}, leaving out the tables of paired differences (each
    follows its score table, after a line "Difference to ...", until the next section)."""
    rows: dict[str, list[str]] = {}
    paired = False
    for line in markdown.splitlines():
        if line.startswith("Difference to "):
            paired = True
        elif line.startswith("## "):
            paired = False
        elif line.startswith("| ") and not line.startswith("|---") and not paired:
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


def test_report_table_mean_row_markdown_file_and_png(sweep, capsys):
    assert main(["report", str(sweep)]) == 0
    captured = capsys.readouterr()
    rows = _table_rows(captured.out)
    assert rows["language"] == ["zero_shot", "pseudo_trans_train", "lrx_trans_train_en"]
    assert rows["ee"] == ["42.1", "48.3", "51.2"]
    assert rows["lg"] == ["55.5", "58.9", "failed"]
    # means over the languages with a score; where that is not every language, it says so
    assert rows["**mean**"] == ["48.8", "53.6", "51.2 (1/2)"]
    assert "## ner · entity_f1 · e5_small" in captured.out
    assert "lg / lrx_trans_train_en: RuntimeError: CUDA out of memory" in captured.out
    assert "5 results from 5 runs, 1 failed" in captured.out
    assert (sweep / "report.md").read_text(encoding="utf-8") == captured.out
    png = sweep / "report.png"
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 5_000
    assert "report.png" in captured.err


def test_report_json_into_another_directory(sweep, tmp_path, capsys):
    out = tmp_path / "report-out"
    assert main(["report", str(sweep), "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    (table,) = printed["tables"]
    assert (table["task"], table["metric"], table["model"]) == ("ner", "entity_f1", "e5_small")
    assert table["rows"] == ["ee", "lg"]
    assert table["scores"]["ee"] == {"zero_shot": 42.1, "pseudo_trans_train": 48.3, "lrx_trans_train_en": 51.2}
    assert table["scores"]["lg"]["lrx_trans_train_en"] == "failed"
    assert table["mean"]["zero_shot"]["score"] == pytest.approx(48.8)
    assert table["mean"]["lrx_trans_train_en"] == {"score": pytest.approx(51.2), "n": 1}
    assert printed["failed"][0]["language"] == "lg" and printed["results"] == 5
    assert (out / "report.md").is_file() and (out / "report.png").read_bytes()[:8] == PNG_MAGIC
    assert not (sweep / "report.md").exists()


def test_several_test_sets_tasks_and_fractions(tmp_path, capsys):
    """A language with two test sets gets a row per set; another metric gets its own table and chart."""
    root = tmp_path / "sweep"
    entries = [
        _entry("ee", "zero_shot", 0.4213, test_set="a"),
        _entry("ee", "zero_shot", 0.5, test_set="b"),
        _entry("ee", "zero_shot", 0.9, task="pos", metric="tag_accuracy"),
    ]
    (_job(root, "ee", "zero_shot") / "metrics.json").write_text(json.dumps(entries), encoding="utf-8")
    assert main(["report", str(root)]) == 0
    rows = _table_rows(capsys.readouterr().out)
    assert rows["ee [a]"] == ["0.421"] and rows["ee [b]"] == ["0.500"]
    assert rows["ee"] == ["0.900"]
    assert sorted(p.name for p in root.glob("*.png")) == [
        "report-ner-entity_f1-e5_small.png",
        "report-pos-tag_accuracy-e5_small.png",
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('[{"language": "ee",', "not valid JSON"),
        ('{"language": "ee"}', "expected a list"),
        ('[{"language": "ee", "method": "zero_shot"}]', "entry 0: missing 'task'"),
        (json.dumps([_entry("ee", "zero_shot", "high")]), "'score' must be a finite number"),
        (json.dumps([_entry("ee", "zero_shot", 1.0, language="")]), "'language' must be a non-empty string"),
    ],
    ids=["truncated", "not-a-list", "missing-keys", "score-not-a-number", "empty-language"],
)
def test_malformed_metrics_file_is_an_error_naming_it(sweep, capsys, content, problem):
    bad = _job(sweep, "wo", "zero_shot") / "metrics.json"
    bad.write_text(content, encoding="utf-8")
    assert main(["report", str(sweep)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and problem in err
    assert not (sweep / "report.md").exists()


def test_malformed_failed_file_names_it(sweep, capsys):
    bad = _job(sweep, "wo", "zero_shot") / "failed.json"
    bad.write_text('{"language": "wo"}', encoding="utf-8")
    assert main(["report", str(sweep)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "missing 'method', 'error'" in err


def test_two_results_for_one_cell_name_both_files(sweep, capsys):
    again = _job(sweep / "rerun", "ee", "zero_shot") / "metrics.json"
    again.write_text(json.dumps([_entry("ee", "zero_shot", 40.0)]), encoding="utf-8")
    assert main(["report", str(sweep)]) == 2
    err = capsys.readouterr().err
    assert str(again) in err and str(sweep / "ee_zero_shot" / "metrics.json") in err


def test_a_directory_without_results_is_an_error(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "no metrics.json or failed.json" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_training_cost_from_stage_markers(sweep, tmp_path, capsys):
    """A job's stage markers give the cost table: each training's steps, seconds and tokens/s (a new MLM head's
    warm-up as its own training); a stage that trained nothing is left out; a malformed marker names its file."""
    stages = sweep / "ee_zero_shot" / "stages"
    stages.mkdir()
    marker = {"stage": "train", "result": {"steps": 250, "seconds": 150.0, "tokens_per_s": 600.0}}
    (stages / "train.json").write_text(json.dumps(marker), encoding="utf-8")
    (stages / "mlm.json").write_text(json.dumps({"stage": "mlm", "result": {}}), encoding="utf-8")
    mlm = sweep / "ee_pseudo_trans_train" / "stages"
    mlm.mkdir()
    warm = {"steps": 250, "seconds": 300.0, "tokens_per_s": 680.0}
    result = {"steps": 250, "seconds": 600.0, "tokens_per_s": 400.0, "head_warmup": warm}
    (mlm / "mlm.json").write_text(json.dumps({"stage": "mlm", "result": result}), encoding="utf-8")
    (mlm / "train.json").write_text(json.dumps(marker), encoding="utf-8")
    assert main(["report", str(sweep), "--json"]) == 0
    costs = {(c["language"], c["method"]): c for c in json.loads(capsys.readouterr().out)["costs"]}
    assert set(costs) == {("ee", "zero_shot"), ("ee", "pseudo_trans_train")}  # the others have no markers
    assert costs["ee", "zero_shot"]["training_seconds"] == 150.0 and costs["ee", "zero_shot"]["job_seconds"] == 812.5
    names = [t["name"] for t in costs["ee", "pseudo_trans_train"]["trainings"]]
    assert names == ["mlm head", "mlm", "train"] and costs["ee", "pseudo_trans_train"]["training_seconds"] == 1050.0
    rows = _table_rows((sweep / "report.md").read_text(encoding="utf-8"))
    assert rows["ee / pseudo_trans_train"] == [
        "48.3", "812", "1,050", "680 / 400 / 600", "mlm head (250 steps) + mlm (250 steps) + train (250 steps)",
    ]  # fmt: skip
    (stages / "train.json").write_text(json.dumps({"stage": "train", "result": {"steps": 3}}), encoding="utf-8")
    assert main(["report", str(sweep)]) == 2
    assert "ee_zero_shot/stages/train.json: result: missing 'seconds', 'tokens_per_s'" in capsys.readouterr().err


def test_seeds_make_one_cell_with_its_spread_and_a_paired_difference(tmp_path, capsys):
    """Three seeds per cell: the cell is their mean ± sample std, and each method's difference to the baseline
    is taken seed by seed (so a seed that is hard for both does not count against the method)."""
    root = tmp_path / "sweep"
    scores = {
        ("ee", "zero_shot"): [50.0, 40.0, 45.0],
        ("ee", "self_train_en"): [56.0, 44.0, 53.0],
        ("lg", "zero_shot"): [30.0, 34.0, 32.0],
        ("lg", "self_train_en"): [31.0, 36.0, 32.0],
    }
    for (language, method), values in scores.items():
        for seed, score in enumerate(values, 1):
            run = root / f"{language}_{method},seed={seed}"
            run.mkdir(parents=True)
            entry = _entry(language, method, score, seed=seed)
            (run / "metrics.json").write_text(json.dumps([entry]), encoding="utf-8")
    assert main(["report", str(root), "--json"]) == 0
    (table,) = json.loads(capsys.readouterr().out)["tables"]
    assert table["scores"]["ee"] == {"zero_shot": 45.0, "self_train_en": pytest.approx(51.0)}
    assert table["std"]["ee"]["zero_shot"] == pytest.approx(5.0) and table["seeds"]["ee"]["zero_shot"] == 3
    assert table["baseline"] == "zero_shot"
    paired = table["paired_difference"]
    # ee: differences 6, 4, 8 -> mean 6, std 2; lg: 1, 2, 0 -> 1, 1; the mean row: per seed 3.5, 3, 4
    assert paired["ee"]["self_train_en"] == {"mean": pytest.approx(6.0), "std": pytest.approx(2.0), "pairs": 3}
    assert paired["lg"]["self_train_en"] == {"mean": pytest.approx(1.0), "std": pytest.approx(1.0), "pairs": 3}
    assert paired["mean"]["self_train_en"]["mean"] == pytest.approx(3.5)
    assert paired["mean"]["self_train_en"]["std"] == pytest.approx(0.5)
    assert main(["report", str(root)]) == 0
    markdown = capsys.readouterr().out
    assert "| ee | 45.0 ± 5.0 (3) | 51.0 ± 6.2 (3) |" in markdown
    assert "| ee | +6.0 ± 2.0 (3) |" in markdown
    # another baseline on request: a self-training run's own round 0
    assert main(["report", str(root), "--json", "--baseline", "self_train_en"]) == 0
    (table,) = json.loads(capsys.readouterr().out)["tables"]
    assert table["paired_difference"]["ee"]["zero_shot"]["mean"] == pytest.approx(-6.0)


def test_dev_entries_make_their_own_table_and_chart(tmp_path, capsys):
    root = tmp_path / "sweep"
    for method, (test, dev) in {"zero_shot": (40.0, 45.0), "self_train": (44.0, 50.0)}.items():
        run = _job(root, "ee", method)
        entries = [
            _entry("ee", method, test, test_set="masakhaner2/ewe/test"),
            _entry("ee", method, dev, test_set="masakhaner2/ewe/dev"),
        ]
        (run / "metrics.json").write_text(json.dumps(entries), encoding="utf-8")
    assert main(["report", str(root), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    test_table, dev_table = out["tables"]
    assert (test_table["split"], dev_table["split"]) == ("test", "dev")
    assert test_table["scores"] == {"ee": {"zero_shot": 40.0, "self_train": 44.0}}
    assert dev_table["scores"] == {"ee": {"zero_shot": 45.0, "self_train": 50.0}}
    assert sorted(Path(f).name for f in out["files"]) == ["report-dev.png", "report.md", "report.png"]


def _tables(root: Path) -> list[Table]:
    return build_tables(*gather(root))


def _chart(table: Table) -> dict:
    """What a reader sees on `draw_chart(table)`: axis titles, groups, value labels, the reference line's
    segments (y, from x, to x) and the error bars (their count), legend entries."""
    import matplotlib.pyplot as plt

    fig = draw_chart(table)
    try:
        assert isinstance(fig, Figure)
        (ax,) = fig.axes
        reference = [c for c in ax.collections if c.get_label().endswith("(reference)")]
        errorbars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        return {
            "ylabel": ax.get_ylabel(),
            "xlabel": ax.get_xlabel(),
            "groups": [t.get_text() for t in ax.get_xticklabels()],
            "texts": [t.get_text().strip() for t in ax.texts],
            "reference": [
                (round(seg[0][1], 2), round(seg[0][0], 2), round(seg[1][0], 2))
                for c in reference
                for seg in c.get_segments()
            ],
            "reference_labels": [c.get_label() for c in reference],
            "errorbars": sum(len(c.lines[2][0].get_segments()) for c in errorbars),
            "legend": [t.get_text() for legend in fig.legends for t in legend.get_texts()],
        }
    finally:
        plt.close(fig)


def test_chart_labels_bars_and_draws_the_zero_shot_reference_per_language(sweep):
    """The fixture sweep (one seed): a value label per bar (one decimal), "failed" where a job failed, a mean
    over fewer languages says so; a dashed zero_shot line across each group, the mean's at zero_shot's mean."""
    (table,) = _tables(sweep)
    chart = _chart(table)
    assert chart["ylabel"] == "entity F1 (%)"
    assert chart["groups"] == ["ee", "lg", "mean"]
    assert sorted(chart["texts"]) == sorted(
        ["42.1", "48.3", "51.2", "55.5", "58.9", "failed", "48.8", "53.6", "51.2\n(1/2)"]
    )
    assert chart["reference_labels"] == ["zero_shot (reference)"]
    # one segment per group, spanning the group (x = group index ± 0.45), at zero_shot's score there
    assert chart["reference"] == [(42.1, -0.45, 0.45), (55.5, 0.55, 1.45), (48.8, 1.55, 2.45)]
    assert chart["errorbars"] == 0 and chart["xlabel"] == ""  # one seed per cell: no spread to show
    assert chart["legend"] == ["zero_shot", "zero_shot (reference)", "pseudo_trans_train", "lrx_trans_train_en"]


def test_chart_without_zero_shot_has_no_reference_and_one_language_no_mean(tmp_path):
    root = tmp_path / "sweep"
    for method, score in {"pseudo_trans_train": 61.25, "lrx_trans_train_en": 70.0}.items():
        entry = _entry("ee", method, score, task="pos", metric="tag_accuracy")
        (_job(root, "ee", method) / "metrics.json").write_text(json.dumps([entry]), encoding="utf-8")
    (table,) = _tables(root)
    chart = _chart(table)
    assert chart["groups"] == ["ee"]  # a "mean" of one language would repeat it
    assert sorted(chart["texts"]) == ["61.2", "70.0"]
    assert chart["reference"] == [] and chart["reference_labels"] == []
    assert chart["ylabel"] == "tag accuracy (%)"
    assert chart["legend"] == ["pseudo_trans_train", "lrx_trans_train_en"]


def test_chart_error_bars_over_seeds(tmp_path):
    """Three seeds per cell: an error bar (std over seeds) on every language's bar, none on the mean's; the
    caption says what they are; the value label is the mean over seeds."""
    root = tmp_path / "sweep"
    scores = {
        ("ee", "zero_shot"): [50.0, 40.0, 45.0],
        ("ee", "self_train"): [56.0, 44.0, 53.0],
        ("lg", "zero_shot"): [30.0, 34.0, 32.0],
        ("lg", "self_train"): [31.0, 36.0, 32.0],
    }
    for (language, method), values in scores.items():
        for seed, score in enumerate(values, 1):
            run = root / f"{language}_{method},seed={seed}"
            run.mkdir(parents=True)
            (run / "metrics.json").write_text(json.dumps([_entry(language, method, score, seed=seed)]), "utf-8")
    (table,) = _tables(root)
    chart = _chart(table)
    assert chart["errorbars"] == 4
    assert chart["xlabel"] == "bars: mean over seeds, error bars: ± std over 3 seeds"
    assert "45.0" in chart["texts"] and "51.0" in chart["texts"]
    assert chart["reference"][0] == (45.0, -0.45, 0.45)


def test_chart_of_fractions_keeps_three_decimals_and_no_percent(tmp_path):
    """Entries written as fractions (before scores were in percent) are not called percent."""
    root = tmp_path / "sweep"
    for language, score in {"ee": 0.4213, "lg": 0.5}.items():
        entry = _entry(language, "zero_shot", score)
        (_job(root, language, "zero_shot") / "metrics.json").write_text(json.dumps([entry]), encoding="utf-8")
    (table,) = _tables(root)
    chart = _chart(table)
    assert chart["ylabel"] == "entity F1"
    assert sorted(chart["texts"]) == ["0.421", "0.461", "0.500"]


@pytest.mark.parametrize(
    ("metric", "words"),
    [
        ("entity_f1", "entity F1"),
        ("tag_accuracy", "tag accuracy"),
        ("intent_accuracy", "intent accuracy"),
        ("slot_f1", "slot F1"),
        ("chrf_f1_score", "chrf F1 score"),
    ],
)
def test_metric_words(metric, words):
    assert metric_words(metric) == words


def test_cost_table_numbers_alike_right_aligned():
    """Seconds, steps and tokens/s whole with thousands separators; every score with the table's decimals."""
    source = Path("sweep/run")
    costs = [
        RunCost(
            "ee",
            "pseudo_mlm",
            (55.3, 0.9),
            12345.6,
            (Training("mlm", 2500, 9876.5, 12345.67), Training("train", 250, 150.4, 600.0)),
            source,
        ),
        RunCost("wo", "zero_shot", (35.51,), None, (), source),
    ]
    lines = costs_markdown(costs).splitlines()
    assert lines[1] == "|---|---:|---:|---:|---:|---|"
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert cells[0] == [
        "ee / pseudo_mlm", "55.3 / 0.9", "12,346", "10,027", "12,346 / 600", "mlm (2,500 steps) + train (250 steps)",
    ]  # fmt: skip
    assert cells[1] == ["wo / zero_shot", "35.5", "-", "0", "-", "-"]
