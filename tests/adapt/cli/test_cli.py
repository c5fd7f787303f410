"""`lrx lexicon ...` commands: exact JSON keys, errors as one line naming the problem."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lrx.adapt.cli.main import main
from lrx.lexicons.loading import load_lexicon

STATS_KEYS = ["source", "src", "tgt", "entries", "src_words", "tgt_words", "multiword", "skipped_lines"]


def test_stats_json_has_exactly_the_documented_keys(mirror_env, capsys):
    assert main(["lexicon", "stats", "--source", "gatitos", "--tgt", "ee", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert list(stats) == STATS_KEYS
    assert stats["source"] == "gatitos" and stats["tgt"] == "ee" and stats["entries"] == 3990


def test_stats_merges_comma_separated_sources(mirror_env, capsys):
    assert main(["lexicon", "stats", "--source", "gatitos,gatitos", "--tgt", "ee", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["entries"] == 3990


def test_stats_set_override_and_strict(mirror_env, capsys):
    assert main(["lexicon", "stats", "--source", "gatitos", "--tgt", "arn", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped_lines"] == 1
    assert main(["lexicon", "stats", "--source", "gatitos", "--tgt", "arn", "--strict"]) == 2
    assert "en_arn.tsv:3235" in capsys.readouterr().err
    assert main(["lexicon", "stats", "--source", "gatitos", "--tgt", "arn", "--set", "strict=true"]) == 2


def test_export_writes_tsv(mirror_env, tmp_path, capsys):
    out = tmp_path / "ee.tsv"
    assert main(["lexicon", "export", "--source", "gatitos", "--tgt", "ewe", "-o", str(out), "--no-provenance"]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "src\ttgt\tpos\tweight" and len(lines) == 3991
    assert "abandon\tgble ɖi\t\t1" in lines


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--source", "gatitoz", "--tgt", "ee"], "unknown lexicon source 'gatitoz'; did you mean gatitos"),
        (["--source", "gatitos", "--tgt", "xyz"], "'xyz' is not a known"),
        (["--source", "gatitos", "--tgt", "swh"], "not covered by source 'gatitos'"),
    ],
)
def test_errors_are_one_line(mirror_env, capsys, argv, message):
    assert main(["lexicon", "stats", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_sources_lists_names_languages_and_licences(capsys):
    assert main(["lexicon", "sources", "--json"]) == 0
    listed = {info["name"]: info for info in json.loads(capsys.readouterr().out)}
    assert listed["gatitos"]["licence"] == "CC-BY-4.0" and len(listed["gatitos"]["languages"]) == 173
    assert listed["muse"]["licence"] == "CC-BY-NC-4.0" and "tl" in listed["muse"]["languages"]


def test_installed_console_script(mirror_env):
    # the script sits beside the interpreter running the tests (a venv's bin/), or on PATH
    beside = Path(sys.executable).parent / "lrx"
    lrx = str(beside) if beside.is_file() else shutil.which("lrx")
    assert lrx, "the lrx console script is not installed"
    done = subprocess.run(
        [lrx, "lexicon", "stats", "--source", "muse", "--tgt", "tl", "--json"],
        capture_output=True, text=True, env=os.environ.copy(), check=True,
    )  # fmt: skip
    assert json.loads(done.stdout)["tgt"] == "tl"


def test_merging_leaves_out_a_source_that_does_not_cover_the_language(mirror_env, capsys, caplog):
    assert main(["lexicon", "stats", "--source", "gatitos,freedict,apertium", "--tgt", "ln", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["source"] == "gatitos+apertium"
    assert any("freedict: left out" in record.getMessage() for record in caplog.records)
    gatitos_only = load_lexicon("gatitos", "ln").stats()["entries"]
    assert stats["entries"] > gatitos_only + 1_000  # Apertium adds ~1,700 pairs, few shared with GATITOS
    assert main(["lexicon", "stats", "--source", "freedict", "--tgt", "ln"]) == 2
    assert "not covered by source 'freedict'" in capsys.readouterr().err


def test_weights_scale_each_source(mirror_env, tmp_path, capsys):
    out = tmp_path / "ln.tsv"
    argv = [
        "lexicon",
        "export",
        "--source",
        "gatitos,apertium",
        "--tgt",
        "ln",
        "--weights",
        "gatitos=3",
        "-o",
        str(out),
    ]
    assert main(argv) == 0
    weights = {line.split("\t")[4]: float(line.split("\t")[3]) for line in out.read_text().splitlines()[1:]}
    assert weights == {"gatitos": 3.0, "apertium": 1.0}
    assert main([*argv[:-2], "--weights", "muse=2", "-o", str(out)]) == 2
    assert "--weights expects NAME=NUMBER" in capsys.readouterr().err
