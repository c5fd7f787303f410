"""Encoders, training loops and scores on real data: CoNLL-2003 English, UD English EWT, xSID, MasakhaNER.

The models are tiny random BERTs (`build_tiny_encoder`, 64 hidden, 2 layers) trained from scratch in a few
seconds on one thread, so the thresholds are far below what a pretrained encoder reaches; each is set well
under the figure measured here and well above the trivial baseline the test computes (all-O, the majority
tag, the majority intent), so a broken alignment or loop fails them.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
import torch
import transformers
from lrx.adapt.encoders.prepare import ModelNotFoundError
from lrx.adapt.encoders.prepare import build_tiny_encoder
from lrx.adapt.encoders.prepare import prepare_encoder
from lrx.adapt.evaluation import entity_f1
from lrx.adapt.evaluation import intent_accuracy
from lrx.adapt.evaluation import slot_f1
from lrx.adapt.evaluation import tag_accuracy
from lrx.adapt.tasks import read_task
from lrx.adapt.training import TrainSettings
from lrx.adapt.training import continue_mlm
from lrx.adapt.training import distill_labels
from lrx.adapt.training import finetune_intent_slots
from lrx.adapt.training import finetune_tagger
from lrx.adapt.training import predict_intent_slots
from lrx.adapt.training import predict_tags

from lrx.core.sentence import Sentence

GITHUB = "raw.githubusercontent.com"
NER_ROOT = f"{GITHUB}/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391"
CONLL_EN = f"{NER_ROOT}/data/conll_2003_en"
EWE = f"{NER_ROOT}/MasakhaNER2.0/data/ewe"
EWT = f"{GITHUB}/UniversalDependencies/UD_English-EWT/15d613d8447b3478787d4c278730a1e48a945efb"
XSID = f"{GITHUB}/mainlp/xsid/761d926c3f2e9f6bea13192d2f39cec1d04d9777/data/xSID-0.7"
NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
# fast enough for a test, and well trained for a model this size (measured: dev F1 ~52)
NER_SETTINGS = TrainSettings(epochs=6, batch_size=16, lr=2e-3, max_length=128, seed=1, threads=1)


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def conll(mirror_dir: Path) -> tuple[list[Sentence], list[Sentence]]:
    return read_task("ner", mirror_dir / CONLL_EN / "train.txt"), read_task("ner", mirror_dir / CONLL_EN / "dev.txt")


@pytest.fixture(scope="module")
def ewe_train(mirror_dir: Path) -> list[Sentence]:
    return read_task("ner", mirror_dir / EWE / "train.txt")


@pytest.fixture(scope="module")
def encoder(conll, ewe_train, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny encoder whose vocabulary is learned from 2000 CoNLL sentences and 100 Ewe ones (diacritics)."""
    torch.set_num_threads(1)
    texts = [" ".join(s.tokens) for s in conll[0][:2000] + ewe_train[:100]]
    return build_tiny_encoder(texts, tmp_path_factory.mktemp("tiny-encoder"))


@pytest.fixture(scope="module")
def ner_model(conll, encoder, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("ner-model")
    stats = finetune_tagger(encoder, conll[0][:1500], NER_LABELS, out, NER_SETTINGS)
    return out, stats


# ---------------------------------------------------------------------------------------------------------------
# encoders


def test_tiny_encoder_tokenizer_round_trips_words_and_keeps_diacritics(encoder, conll, ewe_train):
    tokenizer = transformers.AutoTokenizer.from_pretrained(encoder)
    assert len(tokenizer) <= 4000
    assert tokenizer.convert_ids_to_tokens([0, 1, 2, 3, 4]) == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    words = {w for s in conll[0][:300] + ewe_train[:100] for w in s.tokens}
    accented = {w for w in words if any(not c.isascii() for c in w)}
    assert len(accented) > 20  # the Ewe sentences bring their diacritics and its letters (ɖ ŋ ɔ ɛ ...)
    for word in sorted(words):
        ids = tokenizer(word, add_special_tokens=False)["input_ids"]
        assert tokenizer.unk_token_id not in ids, word
        pieces = tokenizer.convert_ids_to_tokens(ids)
        assert pieces[0] + "".join(p.removeprefix("##") for p in pieces[1:]) == word
    # cased, accents kept: "Ɖe" and "ɖe" are different pieces of text
    assert tokenizer.tokenize("Lomé") != tokenizer.tokenize("Lome")
    encoded = tokenizer("EU rejects German call", return_tensors="pt")
    assert encoded["input_ids"][0, 0] == tokenizer.cls_token_id
    assert encoded["input_ids"][0, -1] == tokenizer.sep_token_id


def test_tiny_encoder_saves_loads_and_is_seeded(encoder, conll, tmp_path):
    model = transformers.AutoModel.from_pretrained(encoder)
    assert (model.config.hidden_size, model.config.num_hidden_layers) == (64, 2)
    with torch.no_grad():
        out = model(**transformers.AutoTokenizer.from_pretrained(encoder)("EU rejects", return_tensors="pt"))
    assert out.last_hidden_state.shape[-1] == 64
    texts = [" ".join(s.tokens) for s in conll[0][:200]]
    first = build_tiny_encoder(texts, tmp_path / "a", vocab_size=500)
    second = build_tiny_encoder(texts, tmp_path / "b", vocab_size=500)
    other = build_tiny_encoder(texts, tmp_path / "c", vocab_size=500, seed=2)
    weights = [transformers.AutoModel.from_pretrained(p).state_dict() for p in (first, second, other)]
    name = "embeddings.word_embeddings.weight"
    assert torch.equal(weights[0][name], weights[1][name])
    assert not torch.equal(weights[0][name], weights[2][name])
    for name in ("tokenizer.json", "model.safetensors"):  # same texts and seed: the same files
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_prepare_encoder_tiny_local_and_missing(encoder, conll, tmp_path, monkeypatch):
    texts = [" ".join(s.tokens) for s in conll[0][:100]]
    tiny = prepare_encoder("tiny", tmp_path / "tiny", texts=texts, vocab_size=300, layers=1)
    assert transformers.AutoConfig.from_pretrained(tiny).num_hidden_layers == 1
    with pytest.raises(ValueError, match="texts"):
        prepare_encoder("tiny", tmp_path / "t2")
    copied = prepare_encoder(str(encoder), tmp_path / "copy")
    assert (copied / "config.json").is_file() and (copied / "tokenizer.json").is_file()
    tokenizers = [transformers.AutoTokenizer.from_pretrained(path) for path in (copied, encoder)]
    assert tokenizers[0].tokenize("Lomé Ɖe") == tokenizers[1].tokenize("Lomé Ɖe")
    with pytest.raises(TypeError, match="tiny"):
        prepare_encoder(str(encoder), tmp_path / "x", vocab_size=10)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFoundError, match="HF_HUB_OFFLINE"):
        prepare_encoder("lrx-test/no-such-encoder", tmp_path / "none")
    with pytest.raises(ModelNotFoundError, match="not a directory"):
        prepare_encoder(str(tmp_path / "missing" / "dir"), tmp_path / "none")


# ---------------------------------------------------------------------------------------------------------------
# NER


def test_ner_tagger_beats_all_o_on_english_dev(ner_model, conll):
    model_dir, stats = ner_model
    dev = conll[1][:300]
    gold = [s.labels for s in dev]
    assert entity_f1(gold, [["O"] * len(g) for g in gold]) == 0.0
    pred = predict_tags(model_dir, dev)
    assert [len(p) for p in pred] == [len(s.tokens) for s in dev]
    f1 = entity_f1(gold, pred)
    print(f"tiny NER: dev F1 {f1:.1f}, {stats['tokens_per_s']:.0f} tokens/s, {stats['seconds']:.1f} s")
    assert f1 > 30.0
    assert stats["steps"] == math.ceil(NER_SETTINGS.epochs * math.ceil(1500 / NER_SETTINGS.batch_size))
    assert stats["train_sentences"] == 1500 and stats["tokens_per_s"] > 0
    assert stats["final_loss"] < stats["first_loss"] / 4
    config = transformers.AutoConfig.from_pretrained(model_dir)
    assert [config.id2label[i] for i in range(len(NER_LABELS))] == NER_LABELS


def test_predictions_cover_every_word_of_long_and_empty_sentences(ner_model, conll):
    model_dir, _ = ner_model
    words = [w for s in conll[1][:40] for w in s.tokens][:400]  # far more than 128 sub-tokens
    long = Sentence(words)
    short = conll[1][0]
    pred = predict_tags(model_dir, [short, long, Sentence([]), Sentence(["", "Germany"])])
    assert [len(p) for p in pred] == [len(short.tokens), 400, 0, 2]
    assert pred[1][300:] == ["O"] * 100  # cut off at max_length: the fallback label of a BIO set
    assert pred[0] == predict_tags(model_dir, [short])[0]  # batching with a long neighbour changes nothing
    assert pred[3][0] == "O"  # an empty word has no sub-token
    assert set(pred[1][:100]) <= set(NER_LABELS) and set(pred[1][:100]) != {"O"}
    # a max_length past the model's 256 positions is clamped to them rather than crashing
    assert len(predict_tags(model_dir, [long], max_length=10_000)[0]) == 400


def test_distill_labels_copies_with_teacher_labels(ner_model, conll):
    model_dir, _ = ner_model
    originals = conll[1][:20]
    before = [(list(s.tokens), list(s.labels)) for s in originals]
    distilled = distill_labels(model_dir, originals)
    assert [(list(s.tokens), list(s.labels)) for s in originals] == before
    assert [s.labels for s in distilled] == predict_tags(model_dir, originals)
    assert all(d.tokens == s.tokens and d.tokens is not s.tokens for d, s in zip(distilled, originals, strict=True))


def test_same_seed_same_predictions(encoder, conll, tmp_path):
    train, dev = conll[0][:300], conll[1][:50]
    settings = TrainSettings(epochs=1, batch_size=16, lr=2e-3, seed=7, threads=1, max_steps=15)
    runs = []
    for name in ("a", "b"):
        stats = finetune_tagger(encoder, train, NER_LABELS, tmp_path / name, settings)
        runs.append((stats["final_loss"], predict_tags(tmp_path / name, dev)))
    assert runs[0] == runs[1]
    assert (tmp_path / "a" / "model.safetensors").read_bytes() == (tmp_path / "b" / "model.safetensors").read_bytes()


def test_frozen_embeddings_and_time_cap(encoder, conll, tmp_path):
    train = conll[0][:200]
    frozen = TrainSettings(lr=2e-3, threads=1, max_steps=5, freeze_embeddings=True)
    assert finetune_tagger(encoder, train, NER_LABELS, tmp_path / "frozen", frozen)["steps"] == 5
    name = "embeddings.word_embeddings.weight"
    before = transformers.AutoModel.from_pretrained(encoder).state_dict()[name]
    model = transformers.AutoModelForTokenClassification.from_pretrained(tmp_path / "frozen")
    assert torch.equal(model.bert.state_dict()[name], before)
    assert not torch.equal(model.bert.state_dict()["embeddings.LayerNorm.weight"], torch.ones(64))
    capped = TrainSettings(epochs=50, threads=1, max_minutes=1e-9)
    stats = finetune_tagger(encoder, train, NER_LABELS, tmp_path / "capped", capped)
    assert stats["steps"] == 1 and stats["stopped_early"] is True


def test_tagger_rejects_unknown_labels(encoder, tmp_path):
    with pytest.raises(ValueError, match="B-MISC"):
        finetune_tagger(encoder, [Sentence(["Paris"], ["B-MISC"], where="x:1")], NER_LABELS, tmp_path, NER_SETTINGS)


# ---------------------------------------------------------------------------------------------------------------
# POS


def test_pos_tagger_beats_majority_tag(mirror_dir, tmp_path):
    sentences = read_task("pos", mirror_dir / EWT / "en_ewt-ud-dev.conllu")
    train, test = sentences[:1200], sentences[-300:]
    encoder = build_tiny_encoder([" ".join(s.tokens) for s in train], tmp_path / "encoder", vocab_size=3000)
    labels = sorted({label for s in train for label in s.labels})
    gold = [s.labels for s in test]
    majority = Counter(label for s in train for label in s.labels).most_common(1)[0][0]
    baseline = tag_accuracy(gold, [[majority] * len(g) for g in gold])
    settings = TrainSettings(epochs=6, batch_size=16, lr=2e-3, seed=1, threads=1)
    stats = finetune_tagger(encoder, train, labels, tmp_path / "pos", settings)
    accuracy = tag_accuracy(gold, predict_tags(tmp_path / "pos", test))
    print(f"tiny POS: accuracy {accuracy:.1f} (majority {baseline:.1f}), {stats['tokens_per_s']:.0f} tokens/s")
    assert accuracy > baseline + 30


# ---------------------------------------------------------------------------------------------------------------
# xSID


def test_joint_intent_slots_beat_majority_intent(mirror_dir, conll, tmp_path):
    train = read_task("xsid", mirror_dir / XSID / "en.valid.conll")
    test = read_task("xsid", mirror_dir / XSID / "en.test.conll")[:300]
    texts = [" ".join(s.tokens) for s in train] + [" ".join(s.tokens) for s in conll[0][:1000]]
    encoder = build_tiny_encoder(texts, tmp_path / "encoder", vocab_size=3000)
    intents = sorted({s.meta["intent"] for s in train})
    slots = sorted({label for s in train for label in s.labels})
    settings = TrainSettings(epochs=15, batch_size=16, lr=2e-3, seed=1, threads=1)
    stats = finetune_intent_slots(encoder, train, intents, slots, tmp_path / "xsid", settings)
    assert {p.name for p in (tmp_path / "xsid").iterdir()} >= {"config.json", "model.safetensors", "heads.safetensors"}
    assert not list((tmp_path / "xsid").glob("*.bin")) and not list((tmp_path / "xsid").glob("*.pt"))
    predicted_intents, predicted_slots = predict_intent_slots(tmp_path / "xsid", test)
    gold_intents = [s.meta["intent"] for s in test]
    majority = Counter(s.meta["intent"] for s in train).most_common(1)[0][0]
    baseline = intent_accuracy(gold_intents, [majority] * len(test))
    accuracy = intent_accuracy(gold_intents, predicted_intents)
    f1 = slot_f1([s.labels for s in test], predicted_slots)
    print(f"tiny xSID: intent {accuracy:.1f} (majority {baseline:.1f}), slot F1 {f1:.1f}, {stats['seconds']:.1f} s")
    assert [len(p) for p in predicted_slots] == [len(s.tokens) for s in test]
    assert accuracy > baseline + 20
    assert f1 > 0


# ---------------------------------------------------------------------------------------------------------------
# continued masked LM


def test_continue_mlm_lowers_loss_and_loads_as_tagger(encoder, conll, tmp_path):
    texts = [" ".join(s.tokens) for s in conll[0][2000:2400]]
    settings = TrainSettings(epochs=3, batch_size=16, lr=2e-3, seed=1, threads=1)
    stats = continue_mlm(encoder, texts, tmp_path / "mlm", settings)
    print(
        f"tiny MLM: loss {stats['first_loss']:.2f} -> {stats['final_loss']:.2f}, {stats['tokens_per_s']:.0f} tokens/s"
    )
    assert stats["new_lm_head"] is True  # the tiny encoder is a bare BertModel
    assert stats["final_loss"] < stats["first_loss"] - 0.5  # measured over seeds 1-5: 1.3 to 1.7 lower
    tagger = transformers.AutoModelForTokenClassification.from_pretrained(tmp_path / "mlm", num_labels=3)
    before = transformers.AutoModel.from_pretrained(encoder).state_dict()["encoder.layer.0.attention.self.query.weight"]
    after = tagger.bert.encoder.layer[0].attention.self.query.weight
    assert not torch.equal(before, after)  # the trained encoder, not the original, was loaded
    again = continue_mlm(tmp_path / "mlm", texts[:50], tmp_path / "mlm2", TrainSettings(max_steps=2, threads=1))
    assert again["new_lm_head"] is False and again["steps"] == 2


def test_mlm_head_warmup_trains_the_new_head_alone_first(encoder, conll, tmp_path, monkeypatch):
    """A new (random) masked-LM head is trained alone, the encoder frozen, before both train together; a
    checkpoint that has its own head skips the warm-up."""
    import lrx.adapt.training.mlm as training

    trained_in_each_phase: list[set[str]] = []
    optimise = training._optimise

    def recording(model, *args, **kwargs):
        result = optimise(model, *args, **kwargs)  # `frozen` is applied inside: read what stayed trainable
        trained_in_each_phase.append({name for name, p in model.named_parameters() if p.requires_grad})
        return result

    monkeypatch.setattr(training, "_optimise", recording)
    texts = [" ".join(s.tokens) for s in conll[0][2000:2400]]
    settings = TrainSettings(epochs=3, batch_size=16, lr=3e-2, seed=1, threads=1, max_steps=5)
    stats = continue_mlm(encoder, texts, tmp_path / "mlm", settings, head_warmup_steps=30)
    warmup = stats["head_warmup"]
    assert warmup["steps"] == 30 and stats["steps"] == 5
    assert warmup["final_loss"] < warmup["first_loss"] - 0.1  # the head alone learns (measured: 0.27 lower)
    head_only, joint = trained_in_each_phase
    assert head_only and all(not name.startswith("model.bert.") for name in head_only)
    assert any(name.startswith("model.bert.encoder.") for name in joint) and head_only < joint
    before = transformers.AutoModel.from_pretrained(encoder).state_dict()["encoder.layer.0.attention.self.query.weight"]
    after = transformers.AutoModel.from_pretrained(tmp_path / "mlm").state_dict()[
        "encoder.layer.0.attention.self.query.weight"
    ]
    assert not torch.equal(before, after)  # the joint phase did train the encoder
    again = continue_mlm(
        tmp_path / "mlm", texts[:50], tmp_path / "mlm2", TrainSettings(max_steps=2, threads=1), head_warmup_steps=5
    )
    assert "head_warmup" not in again and len(trained_in_each_phase) == 3
    with pytest.raises(ValueError, match="head_warmup_steps"):
        continue_mlm(encoder, texts, tmp_path / "bad", settings, head_warmup_steps=-1)


# ---------------------------------------------------------------------------------------------------------------
# evaluation


def test_scores_on_hand_computed_cases():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    pred = [["B-PER", "I-PER", "O", "O"], ["B-ORG", "B-LOC"]]
    # 2 right of 3 predicted and 3 gold: P = R = F1 = 2/3
    assert entity_f1(gold, pred) == pytest.approx(200 / 3)
    assert entity_f1(gold, gold) == 100.0
    # a type left out counts in neither gold nor prediction
    assert entity_f1(gold, pred, types=("PER", "ORG")) == 100.0
    assert entity_f1([["B-DATE", "I-DATE", "B-PER"]], [["O", "O", "B-PER"]]) == 100.0
    assert entity_f1([["B-DATE", "I-DATE", "B-PER"]], [["O", "O", "B-PER"]], types=None) == pytest.approx(200 / 3)
    assert tag_accuracy([["NOUN", "VERB"], ["DET", "NOUN"]], [["NOUN", "NOUN"], ["DET", "NOUN"]]) == 75.0
    assert intent_accuracy(["a", "b", "a", "c"], ["a", "a", "a", "c"]) == 75.0
    assert slot_f1([["B-time", "I-time", "O"]], [["B-time", "O", "O"]]) == 0.0
    assert slot_f1([["B-time", "I-time", "B-place"]], [["B-time", "I-time", "O"]]) == pytest.approx(200 / 3)
    with pytest.raises(ValueError, match="sentence 1"):
        entity_f1(gold, [pred[0], ["O"]])
    with pytest.raises(ValueError, match="sentence 0"):
        tag_accuracy([["NOUN"]], [["NOUN", "VERB"]])
    with pytest.raises(ValueError, match="2 gold"):
        slot_f1(gold, pred[:1])
    with pytest.raises(ValueError, match="intents"):
        intent_accuracy(["a"], [])


def test_scores_on_real_files(conll, mirror_dir):
    dev = [s.labels for s in conll[1]]
    assert entity_f1(dev, dev) == 100.0
    ewe = [s.labels for s in read_task("ner", mirror_dir / EWE / "dev.txt")]
    assert any(label.endswith("-DATE") for labels in ewe for label in labels)
    without_date = [[("O" if label.endswith("-DATE") else label) for label in labels] for labels in ewe]
    assert entity_f1(ewe, without_date) == 100.0
    assert entity_f1(ewe, without_date, types=None) < 100.0
    assert entity_f1(ewe, ewe, types=None) == 100.0


def test_masked_lm_loss_from_masked_positions_only_equals_the_librarys(encoder, conll):
    """The loss `continue_mlm` trains on scores only the masked positions; it must equal the library's."""
    from lrx.adapt.training.mlm import _masked_only_lm
    from transformers import AutoModelForMaskedLM

    model = AutoModelForMaskedLM.from_pretrained(encoder).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(encoder)
    batch = tokenizer([" ".join(s.tokens) for s in conll[0][:8]], padding=True, return_tensors="pt")
    labels = torch.full_like(batch["input_ids"], -100)
    generator = torch.Generator().manual_seed(0)
    chosen = (torch.rand(labels.shape, generator=generator) < 0.3) & (batch["attention_mask"] == 1)
    labels[chosen] = batch["input_ids"][chosen]
    with torch.no_grad():
        ours = _masked_only_lm(model)(batch["input_ids"], batch["attention_mask"], labels)
        library = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels).loss
    assert int(chosen.sum()) > 10 and float(ours) == pytest.approx(float(library), rel=1e-5)
