"""The neural inflector on real SIGMORPHON 2023 data, kept small so the suite stays fast."""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path

import lrx.morphology.inflectors  # noqa: F401  (registers the methods)
import pytest
from lrx.morphology.data import read_examples
from lrx.morphology.inflectors.base import load_inflector
from lrx.morphology.inflectors.neural import NeuralInflector
from lrx.morphology.inflectors.neural import bundle_key
from lrx.morphology.inflectors.neural import characters
from lrx.morphology.inflectors.neural import feature_symbols
from lrx.morphology.inflectors.neural import hallucinate

pytestmark = pytest.mark.extra("train")  # the neural inflector is torch

DATA = "raw.githubusercontent.com/sigmorphon/2023InflectionST/e7f1b325b76b41e9ead998e449b17ec1cf536a9c/part1/data"
TINY = {"d_model": 64, "heads": 2, "ff": 128, "layers": 1, "batch_size": 64}


@pytest.fixture(scope="module")
def english(mirror_dir: Path):
    data = mirror_dir / DATA
    return read_examples(data / "eng.trn", format="2023")[:800], read_examples(data / "eng.dev", format="2023")[:300]


@pytest.fixture(scope="module")
def trained(english) -> NeuralInflector:
    train, dev = english
    # bounded by epochs, not the clock, so that a busy machine does not change what is learned
    return NeuralInflector(**TINY, max_epochs=50, patience=50, max_minutes=10, hallucinate=0).fit(train, dev)


def test_symbols_and_characters():
    assert feature_symbols("V;PRS;NOM(1,SG);ACC(3,PL,BANTU8)") == [
        "V", "PRS", "NOM(1", "NOM(SG", "ACC(3", "ACC(PL", "ACC(BANTU8",
    ]  # fmt: skip
    assert characters("e\u0301ta") == ["é", "t", "a"]  # NFC first
    assert characters("ṅ̃a") == ["ṅ̃", "a"]  # a combining mark stays with its base


def test_hallucination_replaces_the_shared_stem_in_both(english):
    train, _ = english
    invented = hallucinate(train, 200, random.Random(3))
    assert len(invented) == 200
    real = {(e.lemma, e.form) for e in train}
    assert sum((e.lemma, e.form) in real for e in invented) < 10
    bundles = {e.feats for e in train}
    for e in invented:
        assert e.feats in bundles
        if e.form.startswith(e.lemma[:3]) and len(e.lemma) > 4:  # regular suffixing: the stem is shared
            assert e.form[:3] == e.lemma[:3]


def test_learns_english_inflection_with_rule_hints(trained, english):
    _, dev = english
    accuracy = trained.accuracy(dev)
    assert accuracy > 75.0, trained.history  # a tiny model, 50 short epochs; the hint alone gets ~93


def test_selective_correction_is_at_least_as_good_as_hint_or_network_on_dev(trained, english):
    _, dev = english
    assert trained.settings.select and trained.hint_model is not None
    combined = trained.accuracy(dev)
    margin, trained.margin = trained.margin, None
    try:
        network = trained.accuracy(dev)
    finally:
        trained.margin = margin
    hint = trained.hint_model.accuracy(dev)
    # the margin is tuned on this dev set, so the combination cannot lose to either side there
    assert combined >= max(hint, network) - 1e-9, (combined, hint, network, margin)


def test_teacher_forced_accuracy_equals_greedy_decoding(trained, english):
    _, dev = english
    seen = [e for e in dev if bundle_key(e.feats) in trained.seen_bundles]
    hints = trained._hints([(e.lemma, e.feats) for e in seen])
    forced = trained._forced_accuracy(seen, hints)
    greedy = trained._greedy([(e.lemma, e.feats, h) for e, h in zip(seen, hints, strict=True)])
    decoded = 100.0 * sum(g == e.form for g, e in zip(greedy, seen, strict=True)) / len(seen)
    # equal in exact arithmetic; training-time scoring runs in bf16 where the CPU has it, decoding in fp32,
    # so a near-tie may flip on an item or two
    assert abs(forced - decoded) <= 100.0 * 3 / len(seen)


def test_save_and_load_round_trip_without_pickle(trained, english, tmp_path):
    _, dev = english
    trained.save(tmp_path / "model")
    files = {p.name for p in (tmp_path / "model").rglob("*") if p.is_file()}
    assert {"inflector.json", "vocab.json", "model.safetensors"} <= files
    assert not any(name.endswith((".pt", ".pkl", ".bin")) for name in files)
    loaded = load_inflector(tmp_path / "model")
    assert loaded.margin == trained.margin
    queries = [(e.lemma, e.feats) for e in dev[:100]]
    assert loaded.inflect_many(queries) == trained.inflect_many(queries)


def test_beam_search_agrees_with_greedy_on_confident_items(trained, english):
    _, dev = english
    queries = [(e.lemma, e.feats) for e in dev[:20]]
    greedy = trained.inflect_many(queries)
    trained.settings.beam = 4
    try:
        beam = trained.inflect_many(queries)
    finally:
        trained.settings.beam = 1
    assert sum(g == b for g, b in zip(greedy, beam, strict=True)) >= 16


def test_wall_clock_budget_is_respected(english):
    train, dev = english
    start = time.monotonic()
    model = NeuralInflector(**TINY, max_minutes=0.05, hint="none", hallucinate=0).fit(train, dev)
    assert time.monotonic() - start < 20
    assert model.hint_model is None and model.history


def test_a_model_saved_on_the_cpu_reloads_there_and_predicts_the_same(english, tmp_path):
    train, dev = english
    model = NeuralInflector(**TINY, device="cpu", max_epochs=4, patience=50, hallucinate=0, hint="none")
    model.fit(train[:300], dev[:50])
    assert model.device.type == "cpu" and next(model.model.parameters()).device.type == "cpu"
    model.save(tmp_path / "model")
    saved = json.loads((tmp_path / "model" / "inflector.json").read_text("utf-8"))["settings"]
    # bf16 is decided where the model runs, so a saved None stays None for the machine that loads it
    assert saved["device"] == "cpu" and saved["bf16"] is None
    queries = [(e.lemma, e.feats) for e in dev[:100]]
    loaded = load_inflector(tmp_path / "model")
    assert loaded.device.type == "cpu"
    assert loaded.inflect_many(queries) == model.inflect_many(queries)


def test_a_model_saved_with_device_cuda_loads_on_a_machine_without_one(english, tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("there is a GPU here: the model would load on it")
    train, dev = english
    model = NeuralInflector(**TINY, max_epochs=2, patience=50, hallucinate=0, hint="none").fit(train[:200], dev[:50])
    model.save(tmp_path / "model")
    # what a GPU-trained model's directory holds: the setting says cuda, the weights are CPU tensors (as saved)
    path = tmp_path / "model" / "inflector.json"
    config = json.loads(path.read_text("utf-8"))
    config["settings"]["device"] = "cuda"
    path.write_text(json.dumps(config), "utf-8")
    loaded = load_inflector(tmp_path / "model")
    assert loaded.device.type == "cpu"
    queries = [(e.lemma, e.feats) for e in dev[:50]]
    assert loaded.inflect_many(queries) == model.inflect_many(queries)


def test_device_cuda_without_cuda_is_a_one_line_value_error():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("there is a GPU here")
    with pytest.raises(ValueError, match=r"^neural inflector setting device='cuda': .*no CUDA GPU") as raised:
        NeuralInflector(device="cuda")
    assert "\n" not in str(raised.value)
    with pytest.raises(ValueError, match=r"^neural inflector setting device='gpu': must be one of auto, cpu, cuda$"):
        NeuralInflector(device="gpu")


def test_default_budget_is_ten_minutes_for_the_whole_fit():
    assert NeuralInflector().settings.max_minutes == 10.0


def test_the_budget_covers_the_rules_hints_and_the_margin_search(english):
    train, dev = english
    start = time.monotonic()
    model = NeuralInflector(**TINY, max_minutes=0.1, hallucinate=0).fit(train, dev)
    # 6 s of budget; the slack is for the one batch and dev pass that always run, on a busy machine
    assert time.monotonic() - start < 20
    assert model.hint_model is not None and model.history and model.margin is not None


def test_a_margin_search_out_of_time_keeps_the_hint(trained, english):
    _, dev = english
    hints = trained._hints([(e.lemma, e.feats) for e in dev])
    assert trained._tune_margin(dev, hints, deadline=time.monotonic() - 1) == math.inf
    # with time, the search over shuffled batches chooses what the fit chose
    assert trained._tune_margin(dev, hints) == trained.margin
