"""`lrx lexicon induce` end to end: the KJV and the Ewe New Testament by URL (through the mirror), the lexicon it
writes loaded back by `lrx lexicon stats` alone and merged with GATITOS."""

from __future__ import annotations

import json

from lrx.adapt.cli.main import main

EWE_NT = (
    "https://raw.githubusercontent.com/christos-c/bible-corpus/44e5fca1bfb369a5da2ee23ebc6f421c88489c5c/"
    "bibles/Ewe-NT.xml"
)
KEYS = ["tgt", "verses", "entries", "src_words", "seconds"]
SMALL = ["--max-verses", "200", "--iterations", "0.3"]


def test_induce_prints_the_five_keys_and_writes_a_tsv_the_tsv_source_loads(mirror_env, tmp_path, capsys):
    kjv = mirror_env.parent / "derived/bible/English-KJV.tsv"
    out = tmp_path / "ee.tsv"
    argv = ["lexicon", "induce", "--src-text", str(kjv), "--tgt-text", EWE_NT, "--tgt", "ewe", "-o", str(out)]
    assert main([*argv, "--books", "MAT", "MRK", *SMALL, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert list(record) == KEYS
    assert record["tgt"] == "ee" and record["verses"] == 200 and record["entries"] > record["src_words"] > 100
    assert "jesus\tyesu\t\t" in out.read_text(encoding="utf-8")

    assert main(["lexicon", "stats", "--source", "tsv", "--set", f"url={out}", "--tgt", "ee", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["entries"], stats["src_words"], stats["skipped_lines"]) == (record["entries"], record["src_words"], 0)
    merge = ["--source", "gatitos,tsv", "--set", f"tsv.url={out}", "--tgt", "ee", "--json"]
    assert main(["lexicon", "stats", *merge]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert merged["source"] == "gatitos+tsv" and record["entries"] < merged["entries"] < 3990 + record["entries"]


def test_induce_on_texts_without_shared_verse_ids_is_one_error_line(mirror_env, tmp_path, capsys):
    kjv = mirror_env.parent / "derived/bible/English-KJV.tsv"
    renumbered = tmp_path / "ewe.tsv"
    renumbered.write_text("MAT.1.1\tAgbalẽ si me Yesu Kristo ƒe dzidzimeviwo le.\n", encoding="utf-8")
    argv = ["lexicon", "induce", "--src-text", str(kjv), "--tgt-text", str(renumbered), "--tgt", "ee"]
    assert main([*argv, "-o", str(tmp_path / "out.tsv"), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert "no verse ids in common" in captured.err and "'MAT.1.1'" in captured.err
    assert not (tmp_path / "out.tsv").exists()
