"""Lexicons induced from Bibles (`lrx.lexicons.induce`, the `bible` source) on real verses: the KJV and the Ewe New
Testament of the data mirror, a few hundred verses of Matthew, eflomal at a third of its default iterations so
that each induction takes seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
from lrx.lexicons.induce import SUMMARY_KEYS
from lrx.lexicons.induce import InducedLexicon
from lrx.lexicons.induce import InductionError
from lrx.lexicons.induce import InductionSettings
from lrx.lexicons.induce import induce_lexicon
from lrx.lexicons.induce import shared_verses
from lrx.lexicons.induce import symmetrized
from lrx.lexicons.loading import load_lexicon
from lrx.lexicons.sources.base import load_source
from lrx.lexicons.verses import book_code
from lrx.lexicons.verses import is_word
from lrx.lexicons.verses import read_verses
from lrx.lexicons.verses import words

from lrx.core.errors import FormatError
from lrx.core.errors import LrxError

BIBLES = "raw.githubusercontent.com/christos-c/bible-corpus/44e5fca1bfb369a5da2ee23ebc6f421c88489c5c/bibles"
SMALL = InductionSettings(books=("MAT",), max_verses=300, iterations=0.3)


@pytest.fixture(scope="module")
def kjv(mirror_dir: Path) -> dict[str, str]:
    return read_verses(mirror_dir.parent / "derived/bible/English-KJV.tsv")


@pytest.fixture(scope="module")
def ewe(mirror_dir: Path) -> dict[str, str]:
    return read_verses(mirror_dir / BIBLES / "Ewe-NT.xml")


@pytest.fixture(scope="module")
def induced(kjv: dict[str, str], ewe: dict[str, str]) -> InducedLexicon:
    return induce_lexicon(kjv, ewe, "ee", SMALL)


def test_reads_both_bible_formats(kjv, ewe):
    assert len(kjv) == 31102 and kjv["b.GEN.1.1"].startswith("In the beginning God created")
    assert len(ewe) > 7900 and next(iter(ewe)) == "b.MAT.1.1"
    assert ewe["b.MAT.5.3"].startswith("Dzi nedzɔ mi, ame siwo da ahe")


def test_words_lowercase_and_split_punctuation_but_keep_a_glottal_apostrophe():
    assert words("«Jesus wept.» (John 11:35)") == ["«", "jesus", "wept", ".", "»", "(", "john", "11:35", ")"]
    # K'iche': the Bible's modifier-letter apostrophe (U+02BC) is a letter, GATITOS's ASCII one stays at a word's end
    assert words("Xub\u02bcij: ri' k'u'x,") == ["xub\u02bcij", ":", "ri'", "k'u'x", ","]
    assert [w for w in words("Peter, 12 men!") if is_word(w)] == ["peter", "men"]


def test_usfm_book_codes_name_the_corpus_books():
    assert [book_code(name) for name in ("mrk", "JHN", "MAT", "1jn")] == ["MAR", "JOH", "MAT", "1JO"]


@pytest.mark.extra("align")
def test_summary_has_the_five_keys_and_the_lexicon_its_shape(induced):
    summary = induced.summary()
    assert tuple(summary) == SUMMARY_KEYS
    assert summary["tgt"] == "ee" and summary["verses"] == 300 and summary["seconds"] > 0
    assert summary["src_words"] == len(induced.translations) > 200
    assert summary["entries"] == sum(len(found) for found in induced.translations.values())
    for src, found in induced.translations.items():
        assert 1 <= len(found) <= SMALL.top_k and src == src.lower() and is_word(src)
        assert all(is_word(item.tgt) and item.tgt == item.tgt.lower() for item in found)
        assert all(item.count >= SMALL.min_count for item in found)
        assert [item.weight for item in found] == sorted((item.weight for item in found), reverse=True)


@pytest.mark.extra("align")
def test_probabilities_per_english_word_sum_to_at_most_one(induced):
    for found in induced.translations.values():
        assert all(0 < item.weight <= 1 for item in found)
        assert sum(item.weight for item in found) <= 1 + 1e-9


@pytest.mark.extra("align")
def test_frequent_words_get_their_translation_first(induced):
    assert induced.translations["jesus"][0].tgt == "yesu"
    assert induced.translations["jesus"][0].weight > 0.8
    assert induced.translations["god"][0].tgt == "mawu"


@pytest.mark.extra("align")
def test_the_tsv_written_loads_through_the_tsv_source_and_merges_with_gatitos(induced, mirror_env, tmp_path):
    path = tmp_path / "eng-ewe.tsv"
    assert induced.write_tsv(path) == induced.entries
    assert path.read_text(encoding="utf-8").splitlines()[0] == "source\ttarget\tpos\tweight\tcount"
    options = {"tsv": {"url": str(path)}}
    alone = load_lexicon(["tsv"], "ee", options=options)
    assert len(alone) == induced.entries and alone.skipped_lines == 0
    best = alone.lookup("Jesus")[0]
    assert best.tgt == "yesu" and best.weight == pytest.approx(induced.translations["jesus"][0].weight, rel=1e-5)
    merged = load_lexicon(["gatitos", "tsv"], "ee", options=options)
    assert len(merged) == len(load_lexicon(["gatitos"], "ee")) + induced.entries
    # GATITOS and the Bible agree on "god": one translation, attested by both
    god = merged.lookup("god")[0]
    assert god.tgt == "mawu" and god.sources == ("gatitos", "tsv") and god.weight > 1
    assert merged.lookup("jesus")[0].sources == ("tsv",)  # a word only the Bible gives


def test_no_shared_verse_ids_is_one_clear_error(kjv):
    renumbered = {"MAT.1.1": "Agbalẽ si me Yesu Kristo ƒe dzidzimeviwo le.", "MAT.1.2": "Abraham dzi Isak."}
    with pytest.raises(InductionError) as caught:
        induce_lexicon(kjv, renumbered, "ee", SMALL)
    message = str(caught.value)
    assert "no verse ids in common" in message and "'b.GEN.1.1'" in message and "'MAT.1.1'" in message
    assert "\n" not in message


def test_books_both_texts_lack_are_an_error_naming_the_shared_ones(kjv, ewe):
    with pytest.raises(InductionError, match=r"book\(s\) GEN not in both texts; they share 1CO, .*MAT"):
        shared_verses(kjv, ewe, InductionSettings(books=("GEN",)))
    assert len(shared_verses(kjv, ewe, InductionSettings(books=("MRK",)))) == len(
        [verse for verse in ewe if verse.startswith("b.MAR.") and verse in kjv]
    )


def test_a_verse_id_twice_is_a_format_error(tmp_path):
    path = tmp_path / "bible.tsv"
    path.write_text("b.MAT.1.1\tone\nb.MAT.1.2\ttwo\nb.MAT.1.1\tagain\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"bible.tsv:3: verse 'b.MAT.1.1' appears twice"):
        read_verses(path)


def test_grow_diag_final_and_adds_neighbours_of_agreed_links_then_lone_directional_ones():
    forward = {(0, 0), (1, 1), (2, 1), (4, 4)}
    reverse = {(0, 0), (1, 1), (4, 3)}
    assert symmetrized(forward, reverse, "intersection", 5, 5) == [(0, 0), (1, 1)]
    # (2, 1) neighbours the agreed (1, 1) and aligns the unaligned source word 2; (4, 4) and (4, 3) neighbour
    # nothing agreed, and only the first of them (forward links first) finds both its words still unaligned
    assert symmetrized(forward, reverse, "grow-diag", 5, 5) == [(0, 0), (1, 1), (2, 1)]
    assert symmetrized(forward, reverse, "grow-diag-final-and", 5, 5) == [(0, 0), (1, 1), (2, 1), (4, 4)]
    assert symmetrized(forward, reverse, "union", 5, 5) == sorted(forward | reverse)


def test_bad_settings_fail_at_once():
    with pytest.raises(InductionError, match="symmetrize must be one of"):
        InductionSettings(symmetrize="diagonal")
    with pytest.raises(InductionError, match="at least 1"):
        InductionSettings(top_k=0)


BIBLE_OPTIONS = {"bible": {"books": ["MAT"], "max_verses": 200, "iterations": 0.3}}


@pytest.mark.extra("align")
def test_bible_source_induces_once_and_then_reads_its_cache(mirror_env, lrx_cache, monkeypatch):
    lexicon = load_lexicon(["bible"], "ee", options=BIBLE_OPTIONS)
    assert lexicon.name == "bible" and lexicon.tgt_lang == "ee" and len(lexicon) > 300
    assert lexicon.lookup("jesus")[0].tgt == "yesu"
    assert all(entry.url.endswith("/bibles/Ewe-NT.xml") for entry in lexicon)
    cached = list((lrx_cache / "induced").glob("eng-ewe-*.tsv"))
    assert len(cached) == 1

    def fail(*args, **kwargs):
        raise AssertionError("induced again instead of read from the cache")

    monkeypatch.setattr("lrx.lexicons.sources.bible.induce_from_files", fail)
    again = load_lexicon(["bible"], "ewe", options=BIBLE_OPTIONS)
    assert [(e.src, e.tgt, e.weight) for e in again] == [(e.src, e.tgt, e.weight) for e in lexicon]


def test_bible_source_covers_the_languages_with_a_registry_bible():
    languages = load_source("bible").languages()
    assert {"ewe", "wol", "din", "quc", "mam"} <= set(languages)


def test_bible_source_without_an_english_bible_says_which_variable_to_set(mirror_env, tmp_path, monkeypatch):
    missing = tmp_path / "KJV.tsv"
    monkeypatch.setenv("LRX_ENGLISH_BIBLE", str(missing))
    with pytest.raises(LrxError) as caught:
        load_lexicon(["bible"], "ee", options=BIBLE_OPTIONS)
    message = str(caught.value)
    assert str(missing) in message and "LRX_ENGLISH_BIBLE" in message and "\n" not in message
