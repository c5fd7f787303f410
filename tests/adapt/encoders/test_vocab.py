"""Vocabulary extension (adapt/encoders/vocab.py) on real data: a tiny encoder whose WordPiece vocabulary is learned
from CoNLL-2003 English and a little Ewe pseudo text (CoNLL-2003 translated through the GATITOS English-Ewe lexicon),
extended with the Ewe words of more pseudo text and of the Ewe New Testament, as the pipeline's vocab stage
does; tokens per word measured on held-out pseudo sentences, embeddings checked against independent sums."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sentencepiece as spm
import torch
import transformers
from lrx.adapt.encoders.prepare import build_tiny_encoder
from lrx.adapt.encoders.vocab import LEXICON
from lrx.adapt.encoders.vocab import SIDECAR
from lrx.adapt.encoders.vocab import SUBWORDS
from lrx.adapt.encoders.vocab import VocabSettings
from lrx.adapt.encoders.vocab import extend_vocabulary
from lrx.adapt.encoders.vocab import tokens_per_word
from lrx.adapt.encoders.vocab import train_sentencepiece
from lrx.adapt.encoders.vocab import word_counts
from lrx.adapt.synthesize import synthesize_file
from lrx.adapt.tasks import read_bible
from lrx.adapt.tasks import read_task
from lrx.lexicons.loading import load_lexicon
from lrx.lexicons.synthesis import SynthesisOptions

from lrx.core.sentence import Sentence

GITHUB = "raw.githubusercontent.com"
CONLL_TRAIN = (
    f"{GITHUB}/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391/data/conll_2003_en/train.txt"
)
EWE_NT = f"{GITHUB}/christos-c/bible-corpus/44e5fca1bfb369a5da2ee23ebc6f421c88489c5c/bibles/Ewe-NT.xml"
SENTENCES, ENCODER_EWE, EXTEND, HELD_OUT, VERSES = 2200, 100, 1600, 400, 2000
SETTINGS = VocabSettings(pieces=2000, min_frequency=2, seed=1)


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


def _texts(sentences: list[Sentence]) -> list[str]:
    return [" ".join(s.tokens) for s in sentences if s.tokens]


@pytest.fixture(scope="module")
def lexicon(mirror_env_module: Path):
    return load_lexicon("gatitos", "ee")


@pytest.fixture(scope="module")
def data(mirror_dir: Path, lexicon, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Sentence]]:
    """English CoNLL-2003 training sentences, their Ewe pseudo translations (sentence for sentence), and
    verses of the Ewe New Testament."""
    english = read_task("ner", mirror_dir / CONLL_TRAIN)[:SENTENCES]
    tmp = tmp_path_factory.mktemp("pseudo")
    source = tmp / "en.ner"
    blocks = (mirror_dir / CONLL_TRAIN).read_text(encoding="utf-8").split("\n\n")
    source.write_text("\n\n".join(blocks[: SENTENCES + 1]) + "\n", encoding="utf-8")  # (a -DOCSTART- block)
    options = SynthesisOptions(morphology=False)
    synthesize_file("ner", source, "ee", "gatitos", tmp / "ee.ner", options, lexicon_object=lexicon)
    pseudo = [s for s in read_task("ner", tmp / "ee.ner") if s.tokens]
    assert len(pseudo) >= ENCODER_EWE + EXTEND + HELD_OUT
    bible = read_bible(mirror_dir / EWE_NT)[:VERSES]
    return {"english": english, "pseudo": pseudo, "bible": bible}


@pytest.fixture(scope="module")
def encoder(data, tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts = _texts(data["english"]) + _texts(data["pseudo"][:ENCODER_EWE])
    return build_tiny_encoder(texts, tmp_path_factory.mktemp("tiny"), vocab_size=4000)


@pytest.fixture(scope="module")
def extended(data, encoder, lexicon, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("extended")
    text = _texts(data["pseudo"][ENCODER_EWE : ENCODER_EWE + EXTEND]) + _texts(data["bible"])
    english = {w for s in data["english"] for w in s.tokens}
    stats = extend_vocabulary(encoder, out, text, lexicon=lexicon, exclude=english, settings=SETTINGS)
    return out, stats


def _added(extended_dir: Path) -> list[dict]:
    return json.loads((extended_dir / SIDECAR).read_text(encoding="utf-8"))["words"]


def _ids(tokenizer, words: list[str]) -> list[list[int]]:
    return tokenizer([[w] for w in words], is_split_into_words=True, add_special_tokens=False)["input_ids"]


def _embeddings(model_dir: Path) -> torch.Tensor:
    return transformers.AutoModel.from_pretrained(model_dir).get_input_embeddings().weight.detach()


def test_tokens_per_word_drop_on_held_out_pseudo_sentences(data, encoder, extended):
    out, stats = extended
    old = transformers.AutoTokenizer.from_pretrained(encoder)
    new = transformers.AutoTokenizer.from_pretrained(out)
    added = _added(out)
    assert stats["added"] == len(added) == len(new) - len(old) > 500  # measured: 975
    assert stats["init"][LEXICON] > 100 and stats["init"][SUBWORDS] > 100  # measured: 366, 609
    assert stats["init"][LEXICON] + stats["init"][SUBWORDS] == stats["added"]
    # each added word: split (or unknown) before, one token now, an id past the old vocabulary, never an English word
    english = {w for s in data["english"] for w in s.tokens}
    words = [a["word"] for a in added]
    assert all(len(ids) > 1 or ids == [old.unk_token_id] for ids in _ids(old, words))  # (unknown: a new letter)
    assert [ids[0] for ids in _ids(new, words)] == [a["id"] for a in added]
    assert all(len(ids) == 1 for ids in _ids(new, words)) and min(a["id"] for a in added) == len(old)
    assert not english & set(words)

    held_out = data["pseudo"][-HELD_OUT:]
    counts = word_counts(_texts(held_out))
    before, after = tokens_per_word(old, counts), tokens_per_word(new, counts)
    assert after < before - 0.1  # measured: 1.89 -> 1.74 (all words, English ones copied by unknown=keep too)
    target = word_counts([w for s in held_out for w in s.tokens if w not in english])
    assert tokens_per_word(new, target) < tokens_per_word(old, target) - 0.2  # measured: 2.12 -> 1.80
    assert stats["tokens_per_word"]["after"] < stats["tokens_per_word"]["before"]

    # a word that is not added is cut as before, even one that contains an added word ("aɖaŋu" in "aɖaŋuwo")
    others = sorted(w for w in counts if w not in set(words) and all(c.isalnum() for c in w))
    assert _ids(new, others) == _ids(old, others)
    assert any(w in other for w in words for other in others if len(w) > 3)  # there were such words
    # as a string, in context, the same: the added word is one token, its neighbours as before
    word = next(w for w in words if len(w) > 3)
    text = f"The {word} of {word}s"
    assert new.tokenize(text) == ["The", word, "of", *old.tokenize(f"{word}s")]


def test_a_lexicon_initialised_embedding_is_the_mean_of_its_english_words(encoder, extended, lexicon):
    out, _ = extended
    old_tokenizer = transformers.AutoTokenizer.from_pretrained(encoder)
    old, new = _embeddings(encoder), _embeddings(out)
    checked = 0
    for added in _added(out):
        if added["init"] != LEXICON:
            continue
        # independently: the English sides of the entries whose target is the word, each looked up again
        english = sorted({e.src for e in lexicon if e.tgt == added["word"]})
        if not english:
            continue  # matched case-folded only
        for phrase in english:
            assert added["word"] in {t.tgt for t in lexicon.lookup(phrase, casefold=False)}
        vectors = []
        for phrase in english:
            ids = old_tokenizer(phrase, add_special_tokens=False)["input_ids"]
            if old_tokenizer.unk_token_id not in ids:
                vectors.append(old[ids].mean(dim=0))
        assert added["english"] == [
            p for p in english if old_tokenizer.unk_token_id not in old_tokenizer(p)["input_ids"]
        ]
        expected = torch.stack(vectors).mean(dim=0)
        assert torch.allclose(new[added["id"]], expected, atol=1e-6)
        assert not torch.allclose(new[added["id"]], old[_ids(old_tokenizer, [added["word"]])[0]].mean(dim=0))
        checked += 1
        if checked == 20:
            break
    assert checked == 20


def test_a_subword_initialised_embedding_is_the_mean_of_its_old_pieces(encoder, extended):
    out, _ = extended
    old_tokenizer = transformers.AutoTokenizer.from_pretrained(encoder)
    old, new = _embeddings(encoder), _embeddings(out)
    subword = [a for a in _added(out) if a["init"] == SUBWORDS][:20]
    assert len(subword) == 20
    for added in subword:
        (ids,) = _ids(old_tokenizer, [added["word"]])
        assert old_tokenizer.convert_ids_to_tokens(ids) == added["old_pieces"] and len(ids) > 1
        assert torch.allclose(new[added["id"]], old[ids].mean(dim=0), atol=1e-6)
    # the old rows are untouched
    assert torch.equal(new[: old.shape[0]], old)


def test_outputs_on_text_without_new_tokens_are_unchanged(data, encoder, extended):
    out, _ = extended
    old_tokenizer = transformers.AutoTokenizer.from_pretrained(encoder)
    new_tokenizer = transformers.AutoTokenizer.from_pretrained(out)
    old_model = transformers.AutoModel.from_pretrained(encoder).eval()
    new_model = transformers.AutoModel.from_pretrained(out).eval()
    assert new_model.config.vocab_size == len(new_tokenizer) > old_model.config.vocab_size
    words = [s.tokens for s in data["english"][-16:]]
    old_batch = old_tokenizer(words, is_split_into_words=True, padding=True, return_tensors="pt")
    new_batch = new_tokenizer(words, is_split_into_words=True, padding=True, return_tensors="pt")
    assert torch.equal(old_batch["input_ids"], new_batch["input_ids"])
    assert int(new_batch["input_ids"].max()) < len(old_tokenizer)  # no new token in this text
    with torch.no_grad():
        before = old_model(**old_batch).last_hidden_state
        after = new_model(**new_batch).last_hidden_state
    assert torch.allclose(before, after, atol=1e-6)


def test_the_sentencepiece_model_is_deterministic_and_keeps_frequent_words_whole(data):
    text = _texts(data["pseudo"][:500])
    first, second = train_sentencepiece(text, SETTINGS), train_sentencepiece(text, SETTINGS)
    assert first.serialized_model_proto() == second.serialized_model_proto()
    pieces = {first.id_to_piece(i) for i in range(first.get_piece_size())}
    assert "▁ɖe" in pieces or "▁ƒe" in pieces  # frequent Ewe words are whole pieces
    with pytest.raises(ValueError, match="model_type"):
        VocabSettings(model_type="char")


@pytest.mark.parametrize("tied", [True, False], ids=["tied", "untied"])
def test_a_sentencepiece_tokenizer_and_a_masked_lm_head(data, lexicon, tmp_path, tied):
    """An XLM-R style encoder (sentencepiece unigram vocabulary, "▁" word starts; multilingual e5 is one) with
    a masked-LM head: added words carry no "▁", their neighbours are cut as before, and the head's new rows
    (bias; decoder, when untied) follow the same recipe as the input embeddings. It saves and loads again."""
    english = _texts(data["english"][:1500])
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(english), model_writer=proto, model_type="unigram", vocab_size=1500,
        num_threads=1, minloglevel=2, bos_id=-1, eos_id=-1, unk_id=0,
    )  # fmt: skip
    sp = spm.SentencePieceProcessor(model_proto=proto.getvalue())
    specials = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    vocab = specials + [(sp.id_to_piece(i), sp.get_score(i)) for i in range(1, sp.get_piece_size())] + [("<mask>", 0.0)]
    tokenizer = transformers.XLMRobertaTokenizer(vocab=vocab)
    config = transformers.XLMRobertaConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=130, tie_word_embeddings=tied,
    )  # fmt: skip
    torch.manual_seed(1)
    model = transformers.XLMRobertaForMaskedLM(config)
    with torch.no_grad():
        model.lm_head.decoder.bias.normal_()  # the bias the head adds (tied: the same as lm_head.bias)
    source, out = tmp_path / "xlmr", tmp_path / "extended"
    model.save_pretrained(source)
    tokenizer.save_pretrained(source)

    text = _texts(data["pseudo"][:1600])
    english_words = {w for s in data["english"] for w in s.tokens}
    stats = extend_vocabulary(source, out, text, lexicon=lexicon, exclude=english_words, settings=SETTINGS)
    assert stats["added"] > 100 and stats["tokens_per_word"]["after"] < stats["tokens_per_word"]["before"] - 0.2
    new_tokenizer = transformers.AutoTokenizer.from_pretrained(out)
    added = _added(out)
    word = next(a["word"] for a in added if len(a["word"]) > 3)

    def entry_id(word: str) -> int:
        return next(a["id"] for a in added if a["word"] == word)

    assert tokenizer.tokenize(word)[0].startswith("▁") and len(tokenizer.tokenize(word)) > 1
    assert new_tokenizer.tokenize(f"The {word} and") == [*tokenizer.tokenize("The"), word, *tokenizer.tokenize("and")]
    assert new_tokenizer([["The", word]], is_split_into_words=True, add_special_tokens=False)["input_ids"] == [
        [*tokenizer("The", add_special_tokens=False)["input_ids"], entry_id(word)]
    ]
    longer = next(f"{word}{end}" for end in ("wo", "a", "xq") if f"{word}{end}" not in {a["word"] for a in added})
    assert new_tokenizer.tokenize(f"The {longer}") == tokenizer.tokenize(f"The {longer}")  # not matched inside

    extended_model = transformers.XLMRobertaForMaskedLM.from_pretrained(out)
    head, bias = model.lm_head.decoder.weight.detach(), model.lm_head.decoder.bias.detach()
    new_head, new_bias = extended_model.lm_head.decoder.weight.detach(), extended_model.lm_head.decoder.bias.detach()
    assert new_head.shape[0] == len(new_tokenizer) and torch.equal(new_bias[: len(bias)], bias)
    for entry in [a for a in added if a["init"] == SUBWORDS][:5]:
        ids = tokenizer.convert_tokens_to_ids(entry["old_pieces"])
        assert torch.allclose(new_head[entry["id"]], head[ids].mean(dim=0), atol=1e-6)
        assert torch.allclose(new_bias[entry["id"]], bias[ids].mean(), atol=1e-6)
    embeddings = extended_model.get_input_embeddings().weight.detach()
    assert torch.equal(embeddings, new_head) is tied
    # English text (no added word): the same ids, and the same scores for every old token
    batch = tokenizer([s.tokens for s in data["english"][-8:]], is_split_into_words=True, padding=True)
    assert new_tokenizer([s.tokens for s in data["english"][-8:]], is_split_into_words=True, padding=True) == batch
    inputs = {k: torch.tensor(v) for k, v in batch.items()}
    with torch.no_grad():
        before, after = model.eval()(**inputs).logits, extended_model.eval()(**inputs).logits
    assert after.shape[-1] == len(new_tokenizer) and torch.allclose(before, after[..., : len(tokenizer)], atol=1e-5)
