"""The Lexicon model: lookup (exact, case-folded, longest n-gram), merge with weights, filter, TSV export."""

from __future__ import annotations

import pytest
from lrx.lexicons.lexicon import Entry
from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.loading import load_lexicon


def entries(*pairs: tuple[str, str], source: str = "test", weight: float = 1.0) -> list[Entry]:
    return [Entry(s, t, None, weight, source, "file:///x", i) for i, (s, t) in enumerate(pairs, 1)]


def test_lookup_exact_then_casefold_and_weights():
    lex = Lexicon("en", "ee", entries(("dog", "avu"), ("dog", "avu"), ("dog", "kpɔ"), ("Accra", "Gɛ")))
    best = lex.lookup("dog")
    assert [t.tgt for t in best] == ["avu", "kpɔ"]
    assert best[0].weight == 2.0 and best[0].count == 2
    assert [t.tgt for t in lex.lookup("DOG")] == ["avu", "kpɔ"]
    assert lex.lookup("DOG", casefold=False) == []
    assert [t.tgt for t in lex.lookup("accra")] == ["Gɛ"]


def test_longest_ngram_match_prefers_longer_phrase():
    lex = Lexicon("en", "ee", entries(("thank", "da"), ("thank you", "akpe"), ("thank you very much", "akpe kakaka")))
    tokens = "Thank you very much indeed".split()
    n, hits = lex.lookup_longest(tokens, 0)
    assert n == 4 and hits[0].tgt == "akpe kakaka"
    n, hits = lex.lookup_longest(tokens, 0, max_n=2)
    assert n == 2 and hits[0].tgt == "akpe"
    assert lex.lookup_longest(tokens, 4) == (0, [])
    assert lex.max_ngram == 4


def test_merge_scales_weights_per_source_and_keeps_provenance():
    a = Lexicon("en", "ee", entries(("dog", "avu"), source="a"), name="a")
    b = Lexicon("en", "ee", entries(("dog", "kpɔ"), ("cat", "dadi"), source="b"), name="b")
    merged = Lexicon.merge([a, b], {"a": 3.0, "b": 1.0})
    assert merged.name == "a+b"
    assert [(t.tgt, t.weight, t.sources) for t in merged.lookup("dog")] == [("avu", 3.0, ("a",)), ("kpɔ", 1.0, ("b",))]
    assert {e.provenance for e in merged if e.src == "cat"} == {"b:file:///x:2"}
    with pytest.raises(ValueError, match="cannot merge"):
        Lexicon.merge([a, Lexicon("en", "lg", name="c")])


def test_filter_by_weight_count_top_k_and_corpus_frequency():
    lex = Lexicon(
        "en", "ee", entries(("dog", "avu"), ("dog", "avu"), ("dog", "kpɔ"), ("dog", "x"), ("rare", "y"), ("cat", "z"))
    )
    assert {e.tgt for e in lex.filter(min_count=2)} == {"avu"}
    assert {(e.src, e.tgt) for e in lex.filter(top_k=1)} == {("dog", "avu"), ("rare", "y"), ("cat", "z")}
    assert {e.src for e in lex.filter(min_weight=1.5)} == {"dog"}
    kept = lex.filter(src_vocab={"dog": 10, "rare": 1, "cat": 5}, min_src_freq=5)
    assert {e.src for e in kept} == {"dog", "cat"}


def test_stats_counts_unique_pairs_and_multiwords():
    lex = Lexicon("en", "ee", entries(("dog", "avu"), ("dog", "avu"), ("thank you", "akpe"), ("go", "yi dzi")))
    assert lex.stats() == {
        "source": "",
        "src": "en",
        "tgt": "ee",
        "entries": 3,
        "src_words": 3,
        "tgt_words": 3,
        "multiword": 2,
        "skipped_lines": 0,
    }


def test_export_round_trips_through_the_tsv_source(mirror_env, tmp_path):
    gatitos = load_lexicon("gatitos", "ewe")
    out = tmp_path / "eng-ewe.tsv"
    assert gatitos.to_tsv(out) == len(gatitos)
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == "src\ttgt\tpos\tweight\tsource\turl\tline"
    again = load_lexicon("tsv", "ee", options={"tsv": {"url": str(out)}})
    assert [(e.src, e.tgt) for e in again] == [(e.src, e.tgt) for e in gatitos]
    assert again.stats() | {"source": "gatitos"} == gatitos.stats()
