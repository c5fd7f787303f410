"""Word-by-word synthesis (`lrx.lexicons.synthesis`) on real lexicons and real task data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lrx.adapt.tasks import read_task
from lrx.lexicons.lexicon import Entry
from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.loading import load_lexicon
from lrx.lexicons.synthesis import PATHS
from lrx.lexicons.synthesis import SynthesisOptions
from lrx.lexicons.synthesis import Synthesizer

from lrx.core.sentence import Sentence

CONLL = "raw.githubusercontent.com/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391/data"


@pytest.fixture(scope="module")
def ewe(mirror_env_module) -> Lexicon:
    return load_lexicon("gatitos", "ee")


@pytest.fixture(scope="module")
def swahili(mirror_env_module) -> Lexicon:
    return load_lexicon("freedict", "sw")


@pytest.fixture(scope="module")
def conll_dev(mirror_dir: Path) -> list[Sentence]:
    return read_task("ner", mirror_dir / CONLL / "conll_2003_en/dev.txt")


def _one(synthesizer: Synthesizer, tokens: list[str], labels: list[str] | None = None) -> Sentence:
    (out,) = synthesizer.translate(Sentence(tokens, labels or []))
    return out


def test_multiword_entries_win_over_single_words(ewe):
    # GATITOS en_ee.tsv has "a lot of" -> "geɖe"
    synthesizer = Synthesizer(ewe, SynthesisOptions(choice="frequent"))
    out = _one(synthesizer, ["a", "lot", "of", "dog"], ["O", "O", "O", "B-X"])
    assert out.tokens == ["geɖe", "avu"]
    assert out.labels == ["O", "B-X"]
    assert synthesizer.stats.paths["multiword"] == 3 and synthesizer.stats.paths["exact"] == 1
    plain = Synthesizer(ewe, SynthesisOptions(choice="frequent", multiword=False))
    assert _one(plain, ["a", "lot", "of", "dog"]).tokens[-1] == "avu"
    assert plain.stats.paths["multiword"] == 0


def test_case_folding_and_keeping_the_capital(ewe):
    synthesizer = Synthesizer(ewe, SynthesisOptions(choice="frequent"))
    out = _one(synthesizer, ["Dog", "walk"])
    assert out.tokens == ["Avu", "zɔ̃"]
    assert synthesizer.stats.paths["casefold"] == 1
    strict = Synthesizer(ewe, SynthesisOptions(choice="frequent", casefold=False))
    assert _one(strict, ["Dog"]).tokens == ["Dog"]
    assert strict.stats.paths["unknown"] == 1


def test_lemma_match_through_an_analyser(ewe):
    def analyse(word: str) -> list[tuple[str, str]]:
        return [("dog", "N;PL")] if word == "dogs" else []

    bare = Synthesizer(ewe, SynthesisOptions(choice="frequent"), analyse=analyse)
    assert _one(bare, ["dogs"]).tokens == ["avu"]
    assert bare.stats.paths["lemma"] == 1

    def inflect(lemma: str, feats: str) -> str | None:
        return lemma + "wo" if feats == "N;PL" else None  # Ewe marks the plural with -wo

    inflected = Synthesizer(ewe, SynthesisOptions(choice="frequent"), analyse=analyse, inflect=inflect)
    assert _one(inflected, ["dogs"]).tokens == ["avuwo"]
    assert inflected.stats.paths["inflected"] == 1 and inflected.stats.inflected == 1
    off = Synthesizer(ewe, SynthesisOptions(choice="frequent", lemma=False), analyse=analyse, inflect=inflect)
    assert _one(off, ["dogs"]).tokens == ["dogs"]


def test_label_projection_keeps_bio_spans_well_formed():
    lexicon = Lexicon("en", "xx", [Entry("new york", "nu yok"), Entry("john", "jon"), Entry("city", "siti ya")])
    synthesizer = Synthesizer(lexicon, SynthesisOptions(choice="frequent"))
    out = _one(synthesizer, ["John", "in", "New", "York", "city"], ["B-PER", "O", "B-LOC", "I-LOC", "O"])
    # one token -> two: B then I; two tokens -> two: the span's first label spread; O spread as O
    assert out.tokens == ["Jon", "in", "Nu", "yok", "siti", "ya"]
    assert out.labels == ["B-PER", "O", "B-LOC", "I-LOC", "O", "O"]
    # a dropped unknown B- token hands its B- to the next kept token of its span
    drop = Synthesizer(lexicon, SynthesisOptions(choice="frequent", unknown="drop"))
    out = _one(drop, ["Mary", "john", "city"], ["B-PER", "I-PER", "O"])
    assert out.tokens == ["jon", "siti", "ya"] and out.labels == ["B-PER", "O", "O"]
    entities = Synthesizer(lexicon, SynthesisOptions(choice="frequent", unknown="entities"))
    out = _one(entities, ["Mary", "saw", "john"], ["B-PER", "O", "B-PER"])
    assert out.tokens == ["Mary", "jon"] and out.labels == ["B-PER", "B-PER"]


def test_keeping_entities_copies_names_and_stops_multiword_matches_at_them(ewe, conll_dev):
    entries = [Entry("new york", "nu yok"), Entry("new", "yeye"), Entry("union", "kadodo"), Entry("european", "eropa")]
    lexicon = Lexicon("en", "xx", [*entries, Entry("in", "le")])
    tokens, labels = ["in", "New", "York", "European", "Union", "new"], ["O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "O"]
    translated = _one(Synthesizer(lexicon, SynthesisOptions(choice="frequent")), tokens, labels)
    assert translated.tokens == ["le", "Nu", "yok", "Eropa", "Kadodo", "yeye"]
    kept = Synthesizer(lexicon, SynthesisOptions(choice="frequent", entities="keep"))
    out = _one(kept, tokens, labels)
    assert out.tokens == ["le", "New", "York", "European", "Union", "yeye"] and out.labels == labels
    # "in New" must not become a multiword match reaching into the name
    lexicon = Lexicon("en", "xx", [*entries, Entry("in", "le"), Entry("in new", "le yeye")])
    out = _one(Synthesizer(lexicon, SynthesisOptions(choice="frequent", entities="keep")), tokens, labels)
    assert out.tokens[:2] == ["le", "New"]
    assert kept.stats.paths["entity"] == 4 and kept.stats.replaced == 2

    # on real data: every entity token of CoNLL dev survives unchanged, in place, with its label
    synthesizer = Synthesizer(ewe, SynthesisOptions(entities="keep", seed=3))
    for sentence in conll_dev[:300]:
        (pseudo,) = synthesizer.translate(sentence)
        names = [(t, label) for t, label in zip(sentence.tokens, sentence.labels, strict=True) if label != "O"]
        assert [(t, label) for t, label in zip(pseudo.tokens, pseudo.labels, strict=True) if label != "O"] == names
    stats = synthesizer.stats
    assert stats.paths["entity"] == sum(label != "O" for s in conll_dev[:300] for label in s.labels) > 300
    assert sum(stats.paths[p] for p in PATHS) == stats.tokens_in


def test_pos_tags_follow_the_head_of_a_multiword_span():
    lexicon = Lexicon("en", "xx", [Entry("ice cream", "ayisi"), Entry("look after", "kpɔ ta")])
    synthesizer = Synthesizer(lexicon, SynthesisOptions(choice="frequent"), label_scheme="tag")
    out = _one(synthesizer, ["look", "after", "ice", "cream"], ["VERB", "ADP", "NOUN", "NOUN"])
    assert out.tokens == ["kpɔ", "ta", "ayisi"]
    assert out.labels == ["VERB", "VERB", "NOUN"]


def test_weighted_choice_follows_the_weights_and_is_reproducible(swahili):
    translations = swahili.lookup("go")
    assert len(translations) >= 2
    total = sum(t.weight for t in translations)
    sentences = [Sentence(["go"]) for _ in range(4000)]
    first = [s.tokens[0] for s in Synthesizer(swahili, SynthesisOptions(seed=7)).translate_all(sentences)]
    again = [s.tokens[0] for s in Synthesizer(swahili, SynthesisOptions(seed=7)).translate_all(sentences)]
    other = [s.tokens[0] for s in Synthesizer(swahili, SynthesisOptions(seed=8)).translate_all(sentences)]
    assert first == again and first != other
    counts = Counter(first)
    for t in translations:
        assert abs(counts[t.tgt] / len(first) - t.weight / total) < 0.04, (t, counts)
    frequent = Synthesizer(swahili, SynthesisOptions(choice="frequent")).translate(Sentence(["go"]))
    assert frequent[0].tokens == [translations[0].tgt]


def test_all_variants_gives_distinct_sentences(swahili):
    synthesizer = Synthesizer(swahili, SynthesisOptions(choice="all", max_variants=3))
    out = synthesizer.translate(Sentence(["go", "book"], ["O", "O"]))
    assert 2 <= len(out) <= 3
    assert len({tuple(s.tokens) for s in out}) == len(out)
    assert {s.tokens[0] for s in out} <= {t.tgt for t in swahili.lookup("go")}


def test_min_replaced_filters_and_stats_add_up(ewe, conll_dev):
    sample = conll_dev[:300]
    synthesizer = Synthesizer(ewe, SynthesisOptions(min_replaced=3))
    out = list(synthesizer.translate_all(sample))
    stats = synthesizer.stats
    assert stats.sentences_in == len(sample) and stats.sentences == len(out)
    assert stats.filtered == len(sample) - len(out) > 0
    assert stats.tokens_in == sum(len(s.tokens) for s in sample)
    assert sum(stats.paths[p] for p in PATHS) == stats.tokens_in
    assert stats.tokens_out == sum(len(s.tokens) for s in out)
    assert 0.2 < stats.replaced_ratio < 0.9
    assert sum(stats.as_dict()["sentence_replaced_ratio"]["histogram_by_tenths"]) == len(sample)
    for s in out:
        assert len(s.tokens) == len(s.labels)
        for previous, label in zip(["O", *s.labels], s.labels, strict=False):
            if label.startswith("I-"):  # every I- continues a span of its own type
                assert previous[2:] == label[2:], s


def test_per_sentence_replaced_ratio_matches_an_independent_count(ewe, conll_dev):
    sample = conll_dev[:300]
    exact_only = SynthesisOptions(multiword=False, casefold=False, lemma=False)
    synthesizer = Synthesizer(ewe, exact_only)
    list(synthesizer.translate_all(sample))
    ratios = [sum(bool(ewe.lookup(t, casefold=False)) for t in s.tokens) / len(s.tokens) for s in sample]
    per_sentence = synthesizer.stats.as_dict()["sentence_replaced_ratio"]
    assert per_sentence["mean"] == pytest.approx(sum(ratios) / len(ratios), abs=1e-4)
    assert per_sentence["histogram_by_tenths"] == [sum(int(10 * r) == k for r in ratios) for k in range(11)]


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="choice"):
        SynthesisOptions(choice="random")
    with pytest.raises(ValueError, match="unknown"):
        SynthesisOptions(unknown="copy")
    with pytest.raises(ValueError, match="entities"):
        SynthesisOptions(entities="drop")
    with pytest.raises(ValueError, match="label_scheme"):
        Synthesizer(Lexicon("en", "xx", []), label_scheme="spans")  # the task's scheme, not an option


def test_the_options_are_one_dataclass_that_omegaconf_types_and_merges():
    """`method.synthesis` of lrx-run is typed with SynthesisOptions itself: YAML merges into it, and
    `OmegaConf.to_object` gives the options back (checked on the way)."""
    from omegaconf import OmegaConf

    node = OmegaConf.merge(OmegaConf.structured(SynthesisOptions), {"entities": "keep", "morphology": False})
    options = OmegaConf.to_object(node)
    assert options == SynthesisOptions(entities="keep", morphology=False)
    with pytest.raises(ValueError, match="choice"):
        OmegaConf.to_object(OmegaConf.merge(node, {"choice": "random"}))
