"""Plain text that reads like text: punctuation split off for look-ups and glued back on output (`tokenize_spaced`,
`detokenize`, the synthesizer's space flags), and lrx's signature beside a text file, not in it."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from lrx.adapt.synthesize import synthesize_file
from lrx.adapt.tasks import detokenize
from lrx.adapt.tasks import read_signature
from lrx.adapt.tasks import read_task
from lrx.adapt.tasks import read_verses
from lrx.adapt.tasks import signature_sidecar
from lrx.adapt.tasks import tokenize
from lrx.adapt.tasks import tokenize_spaced
from lrx.adapt.tasks import write_task
from lrx.lexicons.lexicon import Entry
from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.synthesis import SynthesisOptions
from lrx.lexicons.synthesis import Synthesizer

from lrx.core.sentence import Sentence

KJV = "derived/bible/English-KJV.tsv"
ESTHER_1_1 = (
    "Now it came to pass in the days of Ahasuerus, (this is Ahasuerus which reigned, from India even unto "
    "Ethiopia, over an hundred and seven and twenty provinces:)"
)
SIGNATURE = "lrx:0.1|task:text|lex:gatitos|pair:eng-ee"


def test_every_kjv_verse_round_trips(mirror_dir: Path) -> None:
    verses = read_verses(mirror_dir.parent / KJV)
    assert verses["b.EST.1.1"] == ESTHER_1_1
    tokens, spaces = tokenize_spaced(ESTHER_1_1)
    assert tokens[9:14] == ["Ahasuerus", ",", "(", "this", "is"]
    assert spaces[9:14] == [False, True, False, True, True]
    assert tokens[-3:] == ["provinces", ":", ")"] and spaces[-3:] == [False, False, False]
    glued = 0
    for text in verses.values():
        tokens, spaces = tokenize_spaced(text)
        assert tokens == tokenize(text)
        assert detokenize(tokens, spaces) == text
        glued += spaces.count(False) - 1
    assert glued > 100_000  # the KJV's punctuation: every one of these was part of a whitespace token before


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_detokenize_undoes_tokenize_up_to_whitespace_runs(text: str) -> None:
    tokens, spaces = tokenize_spaced(text)
    assert detokenize(tokens, spaces) == " ".join(text.split())
    assert len(spaces) == len(tokens) and not (spaces and spaces[-1])


def test_translated_text_keeps_its_punctuation_and_has_no_signature_line(mirror_env: Path, tmp_path: Path) -> None:
    verses = read_verses(mirror_env.parent / KJV)
    lines = [verses["b.GEN.1.3"], verses["b.GEN.1.4"], ESTHER_1_1]
    source = tmp_path / "en.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "ee.txt"
    options = SynthesisOptions(choice="frequent", morphology=False)
    stats = synthesize_file("text", source, "ee", "gatitos", out, options)
    written = out.read_text(encoding="utf-8").split("\n")
    assert written[-1] == "" and len(written) == len(lines) + 1  # a line per verse, and nothing else
    assert not any(line.startswith("#") for line in written)
    genesis_3, genesis_4, esther = written[:3]
    # GATITOS: said -> gblɔ, light -> kekeli, good -> enyo, province -> nutoga (by its lemma): words that carried
    # punctuation ("said," "light:" "good:" "provinces:)") are looked up, and the punctuation is glued back on
    assert genesis_3.startswith("Kple Mawu gblɔ, ") and "kekeli: " in genesis_3 and genesis_3.endswith(" kekeli.")
    assert "enyo: " in genesis_4 and "kekeli," in genesis_4
    assert esther.endswith(" nutoga:)") and "Ahasuerus, (" in esther
    assert not any(word in " ".join(written) for word in ("said,", "light:", "good:", "provinces"))
    # the signature: in the stats and the sidecar, which read_signature reads
    sidecar = json.loads(signature_sidecar(out).read_text(encoding="utf-8"))
    saved = json.loads(out.with_name("ee.txt.stats.json").read_text(encoding="utf-8"))
    assert sidecar["signature"] == saved["signature"] == stats["signature"] == read_signature(out)
    assert stats["signature"].startswith("lrx:0.1|task:text|lex:gatitos|pair:eng-ee")
    assert read_task("text", out)[0].tokens[:3] == ["Kple", "Mawu", "gblɔ"]


def _lexicon() -> Lexicon:
    pairs = [("reigned", "ɖu fia"), ("king", "fia"), ("king", "fiagã"), ("a lot of", "geɖe"), ("this", "esia")]
    return Lexicon("en", "ee", [Entry(src, tgt, source="test") for src, tgt in pairs], name="test")


def _text(synthesizer: Synthesizer, text: str) -> list[str]:
    tokens, spaces = tokenize_spaced(text)
    return [detokenize(s.tokens, s.space_after) for s in synthesizer.translate(Sentence(tokens, space_after=spaces))]


def test_spacing_through_multiword_translations_spans_and_dropped_tokens() -> None:
    plain = {"lemma": False, "morphology": False, "choice": "frequent"}
    text = "the king reigned, (a lot of) years: (this)"
    # a two-word translation takes the comma of the word it translates; a three-word span its closing bracket
    assert _text(Synthesizer(_lexicon(), SynthesisOptions(**plain)), text) == ["the fia ɖu fia, (geɖe) years: (esia)"]
    # dropped words (punctuation is unknown too, and goes with them): the words around them stay apart
    dropped = Synthesizer(_lexicon(), SynthesisOptions(**plain, unknown="drop"))
    assert _text(dropped, text) == ["fia ɖu fia geɖe esia"]
    assert _text(dropped, "the days, the king") == ["fia"]
    # with the punctuation kept (a lexicon that lists it), what was glued stays glued, what was apart stays apart
    punctuation = _lexicon()
    punctuation.extend(Entry(mark, mark, source="test") for mark in "(),:")
    dropped = Synthesizer(punctuation, SynthesisOptions(**plain, unknown="drop"))
    assert _text(dropped, "the king (years) reigned, years: king") == ["fia () ɖu fia, : fia"]
    # the several-variants path (choice=all) spaces the same way
    variants = Synthesizer(_lexicon(), SynthesisOptions(**{**plain, "choice": "all"}))
    assert _text(variants, "king, reigned.") == ["fia, ɖu fia.", "fiagã, ɖu fia."]
    # sentences without space flags (task data) come out without them
    (out,) = Synthesizer(_lexicon(), SynthesisOptions(**plain)).translate(Sentence(["king", ","]))
    assert out.tokens == ["fia", ","] and out.space_after == []


def test_plain_text_signature_goes_to_a_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    tokens, spaces = tokenize_spaced("reigned, (this")
    sentences = [Sentence(tokens, space_after=spaces)]
    write_task("text", sentences, path, signature=SIGNATURE)
    assert path.read_text(encoding="utf-8") == "reigned, (this\n"
    assert read_signature(path) == SIGNATURE
    assert json.loads(signature_sidecar(path).read_text(encoding="utf-8")) == {"signature": SIGNATURE}
    write_task("text", sentences, path)  # rewritten without one: the old signature no longer describes it
    assert not signature_sidecar(path).exists() and read_signature(path) is None
    # a text file written before the sidecar: its signature line is still skipped and read
    path.write_text(f"# {SIGNATURE}\nreigned, (this\n", encoding="utf-8")
    (sentence,) = read_task("text", path)
    assert sentence.tokens == ["reigned", ",", "(", "this"] and sentence.where.endswith(":2")
    assert read_signature(path) == SIGNATURE
