"""`lrx gaps` end to end: real lexicons, the real CoNLL-2003 data by URL (through the mirror), the file it writes
read back by `lrx validate`."""

from __future__ import annotations

import json

from lrx.adapt.cli.main import main
from lrx.lexicons.contributed import read_lexicon_rows

CONLL_DEV = (
    "https://raw.githubusercontent.com/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391/"
    "data/conll_2003_en/dev.txt"
)
KEYS = [
    "sentences", "tokens", "words", "translated", "coverage", "gaps", "phrases", "top", "top_tokens",
    "coverage_if_filled", "translated_if_filled", "output",
]  # fmt: skip


def test_gaps_writes_a_todo_lexicon_that_validate_accepts(mirror_env, tmp_path, capsys):
    out = tmp_path / "eng-ewe-gaps.tsv"
    argv = ["gaps", "--tgt", "ee", "--lexicon", "gatitos", "--task", "ner", "--input", CONLL_DEV]
    assert main([*argv, "--max-sentences", "300", "-n", "40", "-o", str(out), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert list(record) == KEYS
    assert record["sentences"] == 300 and record["top"] == 40 and record["output"] == str(out)
    assert 0 < record["coverage"] < record["coverage_if_filled"] < 1
    # the rows' own counts add up to what filling them all translates, but for a word also inside a listed
    # phrase ("l" and "l pct gb" in the sports tables), whose shared occurrences both rows count
    gained = record["translated_if_filled"] - record["translated"]
    assert 0.95 * record["top_tokens"] <= gained <= record["top_tokens"]
    text = out.read_text(encoding="utf-8")
    assert "# Languages: English (eng) -> Ewe (ewe)" in text and "--max-sentences 300" in text
    rows = [line.split("\t") for line in text.splitlines() if not line.startswith("#")]
    assert rows[0] == ["source", "target", "pos", "note"] and len(rows) == 41
    assert all(len(row) == 4 and row[0] and not row[1] and row[3].endswith('"') for row in rows[1:])
    # unfilled: warnings only (rows to translate, TODO lines), so it passes unless warnings count
    assert main(["validate", str(out)]) == 0
    assert main(["validate", "--strict", str(out)]) == 1
    assert not list(read_lexicon_rows(out))  # nothing of it is a translation yet


def test_fill_from_a_second_lexicon(mirror_env, tmp_path, capsys):
    # Swahili: FreeDict's eng-swh file alone, its gaps filled from the swh-eng file read backwards
    out = tmp_path / "eng-swa-gaps.tsv"
    argv = ["gaps", "--tgt", "sw", "--lexicon", "freedict", "--set", "freedict.both_directions=false"]
    argv += ["--task", "ner", "--input", CONLL_DEV, "--max-sentences", "300", "-n", "60", "-o", str(out)]
    assert main([*argv, "--fill-from", "freedict", "--fill-set", "pairs=[swh-eng]", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["filled_from"] == "freedict" and 0 < record["filled_rows"] < 60
    assert record["coverage"] < record["coverage_filled"] <= record["coverage_if_filled"]
    filled = list(read_lexicon_rows(out))
    assert len(filled) == record["filled_rows"]
    assert main(["validate", "--json", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not report["errors"]
    # the rows the second lexicon could not fill are still to do; the comment block needs nothing more
    assert {w["code"] for w in report["warnings"]} == {"untranslated"}
    assert sum(w["code"] == "untranslated" for w in report["warnings"]) == 60 - record["filled_rows"]
