"""`lrx inflect train|eval|predict` on the real SIGMORPHON files: exact JSON keys, formats, URLs, errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from lrx.adapt.cli import main as cli_main

ST2023 = "raw.githubusercontent.com/sigmorphon/2023InflectionST/e7f1b325b76b41e9ead998e449b17ec1cf536a9c/part1/data"
ST2020 = "raw.githubusercontent.com/sigmorphon2020/task0-data/0d24b945ac96e08aa5a2f0080fa4de465f91b40a"


def lrx(argv: Sequence[str]) -> int:
    """`lrx ARGV` through the real entry point."""
    return cli_main.main(list(argv))


@pytest.fixture(scope="module")
def eng_model(mirror_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models") / "eng-rules"
    data = mirror_dir / ST2023
    argv = ["inflect", "train", "--train", str(data / "eng.trn"), "--dev", str(data / "eng.dev"), "--out", str(out)]
    assert lrx([*argv, "--method", "rules"]) == 0
    return out


def test_train_eval_predict(eng_model, mirror_dir, capsys):
    capsys.readouterr()
    assert (
        lrx(["inflect", "eval", "--model", str(eng_model), "--test", str(mirror_dir / ST2023 / "eng.tst"), "--json"])
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["accuracy", "n"]
    assert result["n"] == 1000 and 96.0 <= result["accuracy"] <= 100
    assert result["accuracy"] == round(result["accuracy"], 2)
    assert lrx(["inflect", "predict", "--model", str(eng_model), "--lemma", "walk", "--feats", "V;PST"]) == 0
    assert capsys.readouterr().out == "walked\n"


def test_auto_method_with_2020_files_and_json_summary(mirror_dir, tmp_path, capsys):
    family = mirror_dir / ST2020 / "DEVELOPMENT-LANGUAGES/austronesian"
    out = tmp_path / "ceb"
    argv = ["inflect", "train", "--train", str(family / "ceb.trn"), "--dev", str(family / "ceb.dev")]
    assert lrx([*argv, "--out", str(out), "--methods", "rules", "--set", "rules.stem=run", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["method"] == "auto" and summary["chosen"] == "rules" and summary["train"] > 0
    gold = mirror_dir / ST2020 / "GOLD-TEST/ceb.tst"
    assert lrx(["inflect", "eval", "--model", str(out), "--test", str(gold), "--format", "2020", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["accuracy", "n"] and result["n"] > 0 and result["accuracy"] > 50


def test_data_given_as_urls_through_the_mirror(mirror_env, eng_model, capsys):
    url = f"https://{ST2023}/eng.dev"
    capsys.readouterr()
    assert lrx(["inflect", "eval", "--model", str(eng_model), "--test", url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 1000


def test_errors_are_one_line(tmp_path, mirror_dir, capsys):
    capsys.readouterr()
    test = str(mirror_dir / ST2023 / "eng.dev")
    assert lrx(["inflect", "eval", "--model", str(tmp_path / "missing"), "--test", test]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lrx: error:") and "missing" in err and err.count("\n") == 1
    bad = tmp_path / "bad.tst"
    bad.write_text("walk\tV;PST\n", encoding="utf-8")
    assert lrx(["inflect", "train", "--train", str(bad), "--out", str(tmp_path / "m"), "--method", "rules"]) == 2
    assert f"{bad}:1:" in capsys.readouterr().err
    argv = ["inflect", "train", "--train", test, "--out", str(tmp_path / "m"), "--method", "rules"]
    assert lrx([*argv, "--set", "stem=run"]) == 2
    assert "METHOD.KEY=VALUE" in capsys.readouterr().err
