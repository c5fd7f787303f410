"""Lexicon gaps (`lrx.lexicons.gaps`) on real lexicons and the real CoNLL-2003 data: what is untranslated, the
ranking, the coverage a filled file gives, and a generated file that `lrx validate` accepts unfilled and passes
cleanly once filled."""

from __future__ import annotations

from pathlib import Path

import pytest
from lrx.adapt.synthesize import english_analyzer
from lrx.adapt.tasks import read_task
from lrx.lexicons.gaps import GapsFileInfo
from lrx.lexicons.gaps import fill_targets
from lrx.lexicons.gaps import find_gaps
from lrx.lexicons.gaps import measure_coverage
from lrx.lexicons.gaps import with_targets
from lrx.lexicons.gaps import write_gaps_file
from lrx.lexicons.lexicon import Entry
from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.loading import load_lexicon
from lrx.lexicons.synthesis import SynthesisOptions
from lrx.lexicons.synthesis import Synthesizer
from lrx.lexicons.validate import validate_file

from lrx.core.sentence import Sentence

CONLL = "raw.githubusercontent.com/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391/data"


@pytest.fixture(scope="module")
def ewe(mirror_env_module) -> Lexicon:
    return load_lexicon("gatitos", "ee")


@pytest.fixture(scope="module")
def analyzer(mirror_env_module):
    return english_analyzer()


@pytest.fixture(scope="module")
def conll(mirror_dir: Path) -> list[Sentence]:
    return read_task("ner", mirror_dir / CONLL / "conll_2003_en/dev.txt")[:400]


def test_word_gaps_are_what_synthesis_leaves_untranslated(ewe, analyzer, conll):
    options = SynthesisOptions(entities="keep")
    report = find_gaps(conll, ewe, options, analyzer=analyzer, max_words=1, top=50)
    # independent counts: words are the tokens with a letter that are not names; translated, what the
    # synthesizer's own statistics count as replaced (none of this data's translated tokens lacks a letter)
    words = sum(
        1
        for s in conll
        for t, tag in zip(s.tokens, s.labels, strict=True)
        if tag == "O" and any(c.isalpha() for c in t)
    )
    synthesizer = Synthesizer(
        ewe, options, analyse=lambda w: [(a.lemma, a.feats) for a in analyzer.analyse(w, ewe.has)]
    )
    for sentence in conll:
        synthesizer.translate(sentence)
    assert (report.coverage.words, report.coverage.translated) == (words, synthesizer.stats.replaced)
    untranslated = report.coverage.words - report.coverage.translated
    assert sum(gap.tokens for gap in report.gaps) == untranslated > 0  # every untranslated word, in one gap
    # no name is a gap: with entities kept, what is labelled PER/LOC/ORG is copied
    assert all(gap.in_entity == 0 for gap in report.gaps)
    # ranked by tokens, then entity contexts
    keys = [(-gap.tokens, -gap.entity_context) for gap in report.gaps]
    assert keys == sorted(keys)
    # a lemma gathers its forms, and filling the lemma translates all of them: the coverage if filled is the
    # coverage plus the top gaps' tokens
    assert any(len(gap.forms) > 1 for gap in report.gaps[:50])
    assert report.filled.translated == report.coverage.translated + sum(gap.tokens for gap in report.gaps[:50])
    # translating names word by word makes them gaps too, counted as inside an entity
    translated = find_gaps(conll, ewe, SynthesisOptions(entities="translate"), analyzer=analyzer, max_words=1)
    assert translated.coverage.words > report.coverage.words and any(gap.in_entity for gap in translated.gaps)


def test_phrases_are_collocations_of_their_untranslated_words():
    known = ("to", "the", "report", "said", "a")
    lexicon = Lexicon("en", "ee", [Entry(w, w.upper(), source="test") for w in known], name="test")
    lexicon.add(Entry("in the end", "IN-THE-END", source="test"))  # a three-word entry: phrases of 3 are tried
    texts = ["the barter deals said"] * 3 + ["according to the report"] * 3
    texts += ["the chairman of the report", "a report of the", "of a report"] * 2
    sentences = [Sentence(text.split(), ["O"] * len(text.split())) for text in texts]
    report = find_gaps(sentences, lexicon, SynthesisOptions(), max_words=3, min_count=2)
    sources = [gap.source for gap in report.gaps]
    # "barter deals" translates two untranslated words at once, wherever they occur: it replaces them; "the
    # barter deals" adds only a translated word to it
    assert "barter deals" in sources and not {"barter", "deals", "the barter deals"} & set(sources)
    phrase = report.gaps[sources.index("barter deals")]
    assert (phrase.words, phrase.occurrences, phrase.tokens) == (2, 3, 6)
    # "according to" has one untranslated word: the word's row does as much; "chairman of" holds few of the
    # untranslated "of": not a collocation
    assert "according" in sources and "according to" not in sources
    assert "chairman of" not in sources and {"chairman", "of"} <= set(sources)
    assert sources[0] == "barter deals" and sources[1] == "of"  # 6 tokens each, then alphabetical
    # filling every row translates every word
    everything = find_gaps(sentences, lexicon, SynthesisOptions(), max_words=3, min_count=2, top=len(sources))
    assert everything.filled.translated == everything.coverage.words > everything.coverage.translated


def test_a_generated_file_validates_unfilled_and_cleanly_once_filled(mirror_env, analyzer, conll, tmp_path):
    # Swahili: the gaps of FreeDict's eng-swh file alone, filled from its swh-eng file read backwards
    eng_swh = load_lexicon("freedict", "sw", options={"freedict": {"both_directions": False}})
    swh_eng = load_lexicon("freedict", "sw", options={"freedict": {"pairs": ["swh-eng"]}})
    options = SynthesisOptions(entities="keep")
    report = find_gaps(conll, eng_swh, options, analyzer=analyzer, top=100)
    top = report.gaps[:100]
    info = GapsFileInfo(
        "eng", "swh", "English", "Swahili", "freedict", "CoNLL-2003 dev", "lrx gaps ...", report.coverage,
        report.filled, len(top),
    )  # fmt: skip
    path = tmp_path / "lexicons" / "eng-swh-gaps.tsv"
    write_gaps_file(path, top, info)
    unfilled = validate_file(path)
    assert not unfilled.errors
    assert unfilled.codes("warning") == {"untranslated", "placeholder"}
    assert sum(1 for w in unfilled.warnings if w.code == "untranslated") == 100

    # a linguist's work, done here by the second dictionary: targets in, unknown rows out, TODO lines written
    targets = fill_targets(top, swh_eng)
    assert 10 < len(targets) < 100
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if line.startswith("# Source:"):
            line = "# Source: FreeDict swh-eng, read backwards"
        elif line.startswith("# Licence:"):
            line = "# Licence: GPL-2.0-or-later"
        elif line.startswith("# Contributor:"):
            line = "# Contributor: lrx tests"
        elif len(fields) == 4 and fields[0] != "source":
            if fields[0] not in targets:
                continue
            line = "\t".join([fields[0], targets[fields[0]], fields[2], fields[3]])
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    filled = validate_file(path)
    assert (filled.codes("error"), filled.codes("warning")) == (set(), set())

    # the filled file is a contributed lexicon like any other, and it adds what the gaps said it would
    contributed = load_lexicon("contrib", "sw", options={"contrib": {"data": str(tmp_path)}})
    assert len({e.src for e in contributed}) == len(targets)
    before = measure_coverage(conll, eng_swh, options, analyzer=analyzer)
    after = measure_coverage(conll, Lexicon.merge([eng_swh, contributed]), options, analyzer=analyzer)
    assert before.translated == report.coverage.translated
    expected = measure_coverage(conll, with_targets(eng_swh, targets), options, analyzer=analyzer)
    assert after.translated == expected.translated > before.translated
