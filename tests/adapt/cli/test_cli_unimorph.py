"""`lrx unimorph stats`: through a parser built here, handled the way `lrx.adapt.cli.main.main` handles commands."""

from __future__ import annotations

import argparse
import json
import sys

import pytest
from lrx.adapt.cli.unimorph import add_unimorph_commands

from lrx.core.errors import LrxError

KEYS = {"lang", "lemmas", "forms", "feature_bundles", "invalid_tags", "entries", "skipped_lines", "files"}


def run(argv: list[str]) -> int:
    """What `lrx` does: parse, call the handler, print an expected error as one line and return 2."""
    parser = argparse.ArgumentParser(prog="lrx")
    add_unimorph_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (LrxError, ValueError) as exc:
        print(f"lrx: error: {exc}", file=sys.stderr)
        return 2


def test_stats_json_is_one_object(mirror_env, capsys):
    assert run(["unimorph", "stats", "--lang", "eng", "--json"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    stats = json.loads(out)
    assert set(stats) >= KEYS
    assert stats["lang"] == "eng" and stats["files"] == ["eng"]
    assert (stats["lemmas"], stats["forms"], stats["feature_bundles"], stats["invalid_tags"]) == (22765, 91867, 5, 0)


def test_aliases_and_args(mirror_env, capsys):
    assert run(["unimorph", "stats", "--lang", "sw", "--json"]) == 0
    swc = json.loads(capsys.readouterr().out)
    assert swc["lang"] == "swc" and swc["invalid_tags"] == 4488 and swc["conflicts"] == 1632
    assert run(["unimorph", "stats", "--lang", "ga", "--args", "--json"]) == 0
    gle = json.loads(capsys.readouterr().out)
    assert gle["files"] == ["gle.args"] and gle["invalid_tags"] == 299 and gle["lemmas"] == 7464


def test_stats_table(mirror_env, capsys):
    assert run(["unimorph", "stats", "--lang", "kaz"]) == 0
    lines = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert lines["lang"] == "kaz" and lines["files"] == "kaz, kaz.noun.tsv"
    assert lines["top_invalid_tags"] == "INST=3045, LSSPEC1=1477, LSSPEC2=1477"
    assert lines["skipped"] == "-" and lines["lemmas"] == "1651"


def test_strict_error_is_one_line_naming_file_line_and_tag(mirror_env, capsys):
    assert run(["unimorph", "stats", "--lang", "swc", "--strict"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unimorph/swc/02a2bdec0e5cb0dc93b6ef11db4d54a82c34b224/swc:2: unknown UniMorph tag 'SUBJ'" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lang", "fra"], "no pinned UniMorph data for language 'fra'"),
        (["--lang", "zull"], "did you mean zul"),
    ],
)
def test_errors_are_one_line(mirror_env, capsys, argv, message):
    assert run(["unimorph", "stats", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_fetch_error_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("LRX_OFFLINE", "1")  # empty private cache, no mirror: nothing can be read
    assert run(["unimorph", "stats", "--lang", "nya", "--json"]) == 2
    err = capsys.readouterr().err
    assert "LRX_OFFLINE is set" in err and err.count("\n") == 1
