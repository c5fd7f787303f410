"""`model.trim` in `lrx-run`: a sentencepiece-Unigram encoder trimmed to the run's text before training, on
slices of the real data (CoNLL-2003 English -> MasakhaNER 2.0 Ewe).

The encoder is a small random BERT with an XLM-R-style Unigram tokenizer (Metaspace, `<s> ... </s>`) learned
here from real English and Ewe text, Ewe test sentences included, as a pretrained multilingual vocabulary
would have seen them: so the check that the trimmed vocabulary drops what only the test data uses means
something. e5_small (the same kind of tokenizer, 250k pieces) is trimmed the same way (tests/test_trim.py,
benchmarks/training_speed.py); converting it takes a minute, too slow for these tests.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hydra import compose
from hydra import initialize_config_dir
from lrx.adapt.encoders.e5 import xlmr_unigram_tokenizer
from lrx.adapt.encoders.trim import TRIM_META_FILE
from lrx.adapt.encoders.trim import TrimError
from lrx.adapt.encoders.trim import character_pieces
from lrx.adapt.encoders.trim import trim_vocabulary
from lrx.adapt.run.context import Context
from lrx.adapt.run.engine import STAGES
from lrx.adapt.run.engine import PipelineError
from lrx.adapt.run.engine import marker_path
from lrx.adapt.run.engine import run_pipeline
from lrx.adapt.run.settings import EncoderSettings
from lrx.adapt.run.stages.encoder import trim_texts
from lrx.adapt.tasks import read_task

CONF = Path(__file__).resolve().parents[3] / "conf"
NER = "raw.githubusercontent.com/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391"
SMALL = ["task.max_train_sentences=200", "task.max_eval_sentences=100", "model.train.max_steps=8"]
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]


def _compose(overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose(config_name="config", overrides=overrides)


def _sentences(mirror: Path, rel: str, n: int | None = None) -> list[list[str]]:
    found = [list(s.tokens) for s in read_task("ner", mirror / NER / rel) if s.tokens]
    return found[:n] if n else found


def build_unigram_encoder(texts: list[str], out_dir: Path, *, vocab_size: int = 6000) -> Path:
    """A random 2-layer BERT with an XLM-R-style Unigram tokenizer (adapt/encoders/e5.py's builder, the one e5 gets)
    over pieces learned from `texts`, saved as a bare encoder (BertModel)."""
    import torch
    from tokenizers import Tokenizer
    from tokenizers import normalizers
    from tokenizers import pre_tokenizers
    from tokenizers import trainers
    from tokenizers.models import Unigram
    from transformers import BertConfig
    from transformers import BertModel

    learner = Tokenizer(Unigram())
    learner.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")]
    )
    learner.normalizer = normalizers.NFKC()
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=SPECIALS, unk_token="<unk>", show_progress=False
    )
    learner.train_from_iterator(texts, trainer=trainer)
    vocab = [(piece, float(score)) for piece, score in json.loads(learner.to_str())["model"]["vocab"]]
    assert [piece for piece, _ in vocab[:5]] == SPECIALS
    fast = xlmr_unigram_tokenizer(vocab, normalizers.NFKC(), unk_id=3, max_length=256)
    tok = fast.backend_tokenizer
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        max_position_embeddings=256,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        model = BertModel(config, add_pooling_layer=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    fast.save_pretrained(out_dir)
    return out_dir


@pytest.fixture(scope="module")
def test_words(mirror_dir) -> set[str]:
    """Every word of the Ewe test and dev sets: what trimming must never look at."""
    ewe = [
        *_sentences(mirror_dir, "MasakhaNER2.0/data/ewe/test.txt"),
        *_sentences(mirror_dir, "MasakhaNER2.0/data/ewe/dev.txt"),
    ]
    return {w for s in ewe for w in s}


@pytest.fixture(scope="module")
def unigram_dir(mirror_dir, tmp_path_factory) -> Path:
    """The 'pretrained' encoder: its vocabulary has seen English and all of MasakhaNER Ewe, test set included."""
    rels = ["data/conll_2003_en/train.txt", "MasakhaNER2.0/data/ewe/train.txt"]
    texts = [" ".join(s) for rel in rels for s in _sentences(mirror_dir, rel, 3000)]
    for rel in ("MasakhaNER2.0/data/ewe/dev.txt", "MasakhaNER2.0/data/ewe/test.txt"):
        texts += [" ".join(s) for s in _sentences(mirror_dir, rel)]
    return build_unigram_encoder(texts, tmp_path_factory.mktemp("unigram") / "encoder")


def _vocab(model_dir: Path) -> list[str]:
    spec = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    return [piece for piece, _ in spec["model"]["vocab"]]


def _rows(model_dir: Path) -> int:
    from safetensors import safe_open

    (path,) = model_dir.glob("*.safetensors")
    with safe_open(str(path), "pt") as f:
        names = list(f.keys())  # a safetensors handle is not iterable
        (name,) = [k for k in names if k.endswith("word_embeddings.weight")]
        return f.get_slice(name).get_shape()[0]


def test_keep_pieces_keep_the_trim_exact_and_unseen_words_in_characters(unigram_dir, mirror_dir, tmp_path):
    from transformers import AutoTokenizer

    texts = [" ".join(s) for s in _sentences(mirror_dir, "data/conll_2003_en/dev.txt", 200)]
    plain = trim_vocabulary(unigram_dir, texts, tmp_path / "plain", words=True)
    kept = trim_vocabulary(unigram_dir, texts, tmp_path / "chars", words=True, keep_pieces=character_pieces(texts))
    assert kept["pieces_before"] == plain["pieces_before"] == len(_vocab(unigram_dir))
    assert plain["pieces_after"] < kept["pieces_after"] < kept["pieces_before"]
    assert kept["kept_extra"] == kept["pieces_after"] - plain["pieces_after"] > 0 and kept["seconds"] >= 0
    vocab = set(_vocab(tmp_path / "chars"))
    original = set(_vocab(unigram_dir))
    chars = {c for t in texts for c in t if not c.isspace()}
    assert {c for c in chars if c in original} <= vocab
    assert {f"▁{c}" for c in chars if f"▁{c}" in original} <= vocab
    # exact: the same pieces for every text, whole or as pre-split words
    old = AutoTokenizer.from_pretrained(unigram_dir)
    for new_dir in (tmp_path / "plain", tmp_path / "chars"):
        new = AutoTokenizer.from_pretrained(new_dir)
        for a, b in zip(old(texts)["input_ids"], new(texts)["input_ids"], strict=True):
            assert old.convert_ids_to_tokens(a) == new.convert_ids_to_tokens(b)
    # a word the texts never use: characters with keep_pieces, <unk> (some of it) without
    unseen = "Kwazulu-Natalzzq"
    assert unseen not in " ".join(texts)
    with_chars = AutoTokenizer.from_pretrained(tmp_path / "chars")
    without = AutoTokenizer.from_pretrained(tmp_path / "plain")
    assert with_chars.unk_token_id not in with_chars(unseen)["input_ids"]
    assert without.unk_token_id in without(unseen)["input_ids"]


def test_trim_refuses_its_own_directory_and_a_masked_lm_head(unigram_dir, tmp_path):
    with pytest.raises(TrimError, match="another directory"):
        trim_vocabulary(unigram_dir, ["a b"], unigram_dir)
    from transformers import BertForMaskedLM

    mlm_dir = tmp_path / "mlm"
    BertForMaskedLM.from_pretrained(unigram_dir).save_pretrained(mlm_dir)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (mlm_dir / name).write_bytes((unigram_dir / name).read_bytes())
    with pytest.raises(TrimError, match="BertForMaskedLM checkpoint"):
        trim_vocabulary(mlm_dir, ["a b"], tmp_path / "out")


def test_a_trimmed_run_trains_and_evaluates_and_never_sees_test_words(mirror_env, unigram_dir, test_words, tmp_path):
    run_dir = tmp_path / "run"
    overrides = [
        *SMALL,
        "model=hf",
        f"model.name_or_path={unigram_dir}",
        "model.train.threads=1",
        "model.trim=true",
        "save_model=true",
    ]
    cfg = _compose(overrides)
    result = run_pipeline(cfg, run_dir)
    assert result.ran == list(STAGES)
    (entry,) = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert 0.0 <= entry["score"] <= 100.0 and entry["test_set"] == "masakhaner2/ewe/test"

    # the train stage prepared the encoder and trimmed it, in place of the untrimmed one; its marker says so
    trim = result["train"]["trim"]
    before = len(_vocab(unigram_dir))
    assert trim["pieces_before"] == before and trim["pieces_after"] < before
    assert trim["bytes_after"] < trim["bytes_before"] and trim["seconds"] >= 0 and trim["texts"] > 400
    marker = json.loads(marker_path(run_dir, "train").read_text(encoding="utf-8"))
    assert marker["result"]["trim"] == trim and marker["settings"]["encoder"]["trim"] is not None
    encoder, model = run_dir / "encoder", run_dir / "model"
    assert (encoder / TRIM_META_FILE).is_file() and not list(run_dir.glob(".*"))
    assert json.loads((encoder / "config.json").read_text())["vocab_size"] == trim["pieces_after"]
    assert _rows(unigram_dir) == before and _rows(encoder) == _rows(model) == trim["pieces_after"]

    # what was trimmed on: the run's English, pseudo data, lexicon target words and Ewe Bible, no test sentence
    texts = trim_texts(Context.of(cfg, run_dir), EncoderSettings.of(cfg).trim)
    assert len(texts) == trim["texts"]
    ewe_test = {" ".join(s) for s in _sentences(mirror_env, "MasakhaNER2.0/data/ewe/test.txt") if len(s) > 3}
    assert len(ewe_test) > 100 and not ewe_test & set(texts)
    # a test-set word the 'pretrained' vocabulary has as one piece "▁word", which only a word starting with it
    # could use, and no word of the run's text starts with it: that piece is gone
    seen = sorted({w for t in texts for w in t.split()})
    original, trimmed = set(_vocab(unigram_dir)), set(_vocab(encoder))
    candidates = {w for w in test_words if len(w) > 1 and f"▁{w}" in original}
    # a word inside another ("(1994)") may use the piece too, and the tokenizer sees NFKC text (the Ewe Bible
    # writes "wolé" decomposed): substrings of the normalised text count
    run_text = unicodedata.normalize("NFKC", "\n".join(seen))
    test_only = {f"▁{w}" for w in candidates if w not in run_text}
    assert len(test_only) > 20
    assert not test_only & trimmed
    # ... while every character of the run's text keeps its piece
    assert {c for c in character_pieces(texts) if c in original} <= trimmed

    # model.trim is part of the stage's config: turning it off redoes train (and evaluate), not synthesis
    untrimmed = run_pipeline(_compose([*overrides[:-2], "model.trim=false", "save_model=true"]), run_dir)
    assert untrimmed.ran == ["train", "evaluate"] and "trim" not in untrimmed["train"]
    assert _rows(run_dir / "encoder") == before and not (run_dir / "encoder" / TRIM_META_FILE).exists()


def test_trim_comes_before_vocabulary_extension(mirror_env, unigram_dir, tmp_path):
    overrides = [
        *SMALL,
        "model=hf",
        f"model.name_or_path={unigram_dir}",
        "model.train.threads=1",
        "model.trim=true",
        "method=lrx_vocab",
        "vocab.min_frequency=2",
        "save_model=true",
        "stages=[lexicon,synthesize,vocab,train]",
    ]
    run_dir = tmp_path / "run"
    result = run_pipeline(_compose(overrides), run_dir)
    vocab = result["vocab"]
    trim = vocab["trim"]
    assert trim["pieces_after"] < trim["pieces_before"]
    assert vocab["vocabulary_before"] == trim["pieces_after"] and vocab["added"] > 0
    assert vocab["vocabulary_after"] == trim["pieces_after"] + vocab["added"]
    assert _rows(run_dir / "encoder") == _rows(run_dir / "model") == vocab["vocabulary_after"]
    assert "trim" not in result["train"] and not list(run_dir.glob(".*"))
    # the vocab stage's config names the trim: off, the vocab stage and what reads it run again
    again = run_pipeline(_compose([*overrides, "model.trim=false"]), run_dir)
    assert again.ran == ["vocab", "train"] and "trim" not in again["vocab"]


def test_trimming_a_tiny_encoder_fails_before_any_stage(mirror_env, tmp_path):
    run_dir = tmp_path / "run"
    with pytest.raises(PipelineError, match=r"model.trim=true but encoder 'tiny'.*Unigram"):
        run_pipeline(_compose([*SMALL, "model=tiny", "model.trim=true"]), run_dir)
    assert not (run_dir / "stages").exists()
    assert "model.trim" in json.loads((run_dir / "failed.json").read_text(encoding="utf-8"))["error"]


def test_e5_small_trimmed_fine_tunes(mirror_env, tmp_path):
    run_dir = tmp_path / "run"
    overrides = [*SMALL, "model=e5_small", "model.train.batch_size=8", "model.train.max_steps=4", "save_model=true"]
    assert _compose(overrides).model.trim is False  # conf/model/e5_small.yaml: opt-in (it costs zero-shot F1)
    cfg = _compose([*overrides, "model.trim=true"])
    result = run_pipeline(cfg, run_dir)
    assert result.ran == list(STAGES)
    trim = result["train"]["trim"]
    assert trim["pieces_before"] == 250002 and trim["pieces_after"] < 10000
    assert trim["bytes_after"] < 0.3 * trim["bytes_before"]
    assert _rows(run_dir / "encoder") == _rows(run_dir / "model") == trim["pieces_after"]
    (entry,) = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert entry["model"] == "e5_small" and 0.0 <= entry["score"] <= 100.0
