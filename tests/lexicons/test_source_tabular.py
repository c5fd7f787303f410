"""GATITOS, MUSE and TSV sources on the real mirror files; the GATITOS checks run over every one of its files."""

from __future__ import annotations

import unicodedata

import pytest
from lrx.lexicons.loading import load_lexicon
from lrx.lexicons.sources.base import load_source
from lrx.lexicons.sources.gatitos import LANGUAGES as GATITOS_LANGUAGES

from lrx.core.errors import FormatError
from lrx.core.languages import UnknownLanguageError


@pytest.mark.parametrize("code", GATITOS_LANGUAGES)
def test_every_gatitos_file_loads_clean(mirror_env, code):
    lexicon = load_source("gatitos").load(code)
    stats = lexicon.stats()
    # ~4,000 English segments per language (GATITOS README), more lines where several translations are given
    assert 3_600 <= stats["src_words"] <= 4_100
    assert stats["entries"] >= stats["src_words"]
    assert lexicon.skipped_lines == (1 if code == "arn" else 0)
    for entry in lexicon:
        assert entry.src and entry.tgt and entry.src == entry.src.strip() and entry.tgt == entry.tgt.strip()
        assert unicodedata.is_normalized("NFC", entry.tgt)
        assert "(" not in entry.tgt and "[" not in entry.tgt
        assert entry.url.endswith(f"/en_{code}.tsv") and entry.line >= 1


def test_gatitos_ewe_translations_and_provenance(mirror_env):
    lexicon = load_lexicon("gatitos", "ewe")
    assert (lexicon.src_lang, lexicon.tgt_lang) == ("en", "ee")
    assert [t.tgt for t in lexicon.lookup("abandon")] == ["gble ɖi"]
    [entry] = [e for e in lexicon if e.src == "abandon"]
    assert entry.line == 2 and entry.source == "gatitos"


def test_gatitos_malformed_line_counted_or_strict_error(mirror_env):
    lenient = load_source("gatitos").load("arn")
    assert lenient.skipped_lines == 1
    with pytest.raises(FormatError, match=r"en_arn\.tsv:3235: no tab"):
        load_source("gatitos", strict=True).load("arn")


def test_gatitos_uncovered_language_error(mirror_env):
    with pytest.raises(UnknownLanguageError, match="not covered by source 'gatitos'"):
        load_source("gatitos").load("swh")


def test_muse_tagalog(mirror_env):
    lexicon = load_lexicon("muse", "tl")
    stats = lexicon.stats()
    assert stats["tgt"] == "tl" and stats["entries"] > 30_000 and stats["multiword"] == 0
    assert {t.tgt for t in lexicon.lookup("the")} >= {"ang", "mga"}


def test_muse_space_separated_lines(mirror_env, tmp_path):
    (tmp_path / "en-tl.txt").write_text("dog\taso\ncat pusa\nbroken\n", encoding="utf-8")
    source = load_source(
        "muse", url_template=(tmp_path / "{src}-{tgt}.txt").as_uri().replace("%7B", "{").replace("%7D", "}")
    )
    loaded = source.load("tl")
    assert [(e.src, e.tgt, e.line) for e in loaded] == [("dog", "aso", 1), ("cat", "pusa", 2)]
    assert loaded.skipped_lines == 1


def test_tsv_source_columns_comments_and_errors(mirror_env, tmp_path):
    path = tmp_path / "eng-ewe.tsv"
    path.write_text(
        "src\ttgt\tpos\tweight\n# a linguist's note\ndog\tavu\tNOUN\t2\nrun\tƒu du\tVERB\nbad line\ncat\tdadi\t\tx\n",
        encoding="utf-8",
    )
    lexicon = load_lexicon("tsv", "ewe", options={"tsv": {"url": str(path)}})
    assert [(e.src, e.tgt, e.pos, e.weight, e.line) for e in lexicon] == [
        ("dog", "avu", "NOUN", 2.0, 3),
        ("run", "ƒu du", "VERB", 1.0, 4),
    ]
    assert lexicon.skipped_lines == 2
    with pytest.raises(FormatError, match=r"eng-ewe\.tsv:5: no tab"):
        load_lexicon("tsv", "ewe", options={"tsv": {"url": str(path), "strict": True}})


def test_tsv_source_reads_a_contributed_lexicon_by_its_header(mirror_env, tmp_path):
    # the layout of data/lexicons/ (and of `lrx gaps` files): comments first, then `source target pos note`;
    # the note is not a weight, and a row not filled yet is skipped
    path = tmp_path / "eng-ewe-gaps.tsv"
    path.write_text(
        "# Source: a test\n# Licence: CC0-1.0\nsource\ttarget\tpos\tnote\n"
        "percent\tgbãdeɖe\t\t52 tokens\nminister\tdɔnunɔla\tNOUN\t37 tokens; e.g. ...\nvs.\t\t\t63 tokens\n",
        encoding="utf-8",
    )
    lexicon = load_lexicon("tsv", "ewe", options={"tsv": {"url": str(path)}})
    assert [(e.src, e.tgt, e.pos, e.weight, e.line) for e in lexicon] == [
        ("percent", "gbãdeɖe", None, 1.0, 4),
        ("minister", "dɔnunɔla", "NOUN", 1.0, 5),
    ]
    assert lexicon.skipped_lines == 1


def test_tsv_source_without_a_file_says_so(mirror_env):
    with pytest.raises(ValueError, match="needs a file"):
        load_lexicon("tsv", "ewe")
