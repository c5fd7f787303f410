"""Cleaning of raw lexicon pairs: NFC, translator notes, alternatives, junk."""

from __future__ import annotations

import unicodedata

from lrx.lexicons.cleaning import CleaningOptions
from lrx.lexicons.cleaning import clean_pair


def test_notes_in_brackets_are_stripped():
    assert clean_pair("pike", "pike (verb)") == [("pike", "pike")]
    assert clean_pair("fish", "tɔmelã [dial.] {rare}") == [("fish", "tɔmelã")]
    # an opening bracket never closed runs to the end (GATITOS en_ar-MA has such lines)
    assert clean_pair("meal", "ܐܪܓܡܘܣ ( ar ga mus") == [("meal", "ܐܪܓܡܘܣ")]
    assert clean_pair("x", "(only a note)") == []


def test_alternatives_split_after_short_sources_only():
    assert clean_pair("mission", "qalaama, farmo; hawl") == [
        ("mission", "qalaama"),
        ("mission", "farmo"),
        ("mission", "hawl"),
    ]
    sentence = "hello how are you doing"
    assert clean_pair(sentence, "halo, puhaba") == [(sentence, "halo, puhaba")]
    assert clean_pair("a, b", "c") == [("a", "c"), ("b", "c")]
    assert clean_pair("mission", "a, b", CleaningOptions(split_alternatives=False)) == [("mission", "a, b")]


def test_nfc_and_whitespace():
    decomposed = unicodedata.normalize("NFD", "ɖevi é")
    [(src, tgt)] = clean_pair(" child ", decomposed + "  ")
    assert src == "child" and tgt == "ɖevi é" and unicodedata.is_normalized("NFC", tgt)


def test_identical_pairs_dropped_only_when_asked():
    assert clean_pair("Accra", "accra") == [("Accra", "accra")]
    assert clean_pair("Accra", "accra", CleaningOptions(drop_identical=True)) == []


def test_lookalike_letters_are_folded_into_the_letter_real_text_uses(mirror_env):
    """GATITOS's Ewe writes the open o as U+1D10 (small capital open o) in hundreds of targets; MasakhaNER's
    Ewe, like Ewe orthography, writes U+0254. Cleaning folds it, so that `say` -> gblɔ can match real text."""
    from lrx.lexicons.sources.base import load_source

    folded = load_source("gatitos").load("ee")
    kept = load_source("gatitos", cleaning={"fold_lookalikes": False}).load("ee")
    assert not any("\u1d10" in e.tgt for e in folded.entries)
    with_small_capital = [e for e in kept.entries if "\u1d10" in e.tgt]
    assert len(with_small_capital) == 297  # entries (384 occurrences of the letter in the file)
    assert ("say", "gbl\u0254") in {(e.src, e.tgt) for e in folded.entries}
    assert clean_pair("say", "gbl\u1d10", CleaningOptions(fold_lookalikes=False)) == [("say", "gbl\u1d10")]
