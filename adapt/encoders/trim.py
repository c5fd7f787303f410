"""Vocabulary trimming of a sentencepiece-Unigram (XLM-R style) encoder to the pieces a corpus uses.

XLM-R's 250k-piece vocabulary makes the word embeddings most of a small encoder's checkpoint (for
multilingual-e5-small, 96M of its 118M parameters). `trim_vocabulary` tokenizes the given texts, keeps every
piece that occurs plus the special and added tokens, and writes a checkpoint whose tokenizer knows only those
pieces (with their original scores) and whose embedding matrix holds only their rows.

Why it is exact on those texts: Unigram segmentation is the best-scoring path over the vocabulary's pieces.
Every piece on the best path of a given text is kept with its score and no piece is added, so that path is
still available and nothing better can appear: the best path (and so the pieces, the ids after remapping and
the hidden states) is unchanged. One more piece is kept: the lowest-scoring one, because `tokenizers` scores an
unknown character as (minimum score - 10), and the minimum must not move. Ties are broken by the lattice's
traversal order (by position and piece length), not by id, so the renumbering does not change them either.
Texts outside the corpus may segment differently (a piece they need may be gone) or fall back to `<unk>`.

Extra pieces (`keep_pieces`, e.g. `character_pieces(texts)`: every single-character piece, bare and
"▁"-prefixed, of the characters the texts use) keep the trim exact as well: any superset of the used pieces
within the original vocabulary still has the original best path as its best. They make texts outside the corpus
degrade more gracefully: a word whose pieces are gone segments into characters instead of `<unk>`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lrx.core.errors import LrxError

log = logging.getLogger(__name__)

TRIM_META_FILE = "lrx_trim.json"
_CONFIG_TOKEN_IDS = ("pad_token_id", "bos_token_id", "eos_token_id", "sep_token_id", "cls_token_id")


class TrimError(LrxError):
    """The checkpoint's tokenizer cannot be trimmed (not a Unigram model, or added tokens outside its vocab)."""


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).iterdir() if p.is_file() and p.name != TRIM_META_FILE)


def _used_ids(tokenizer: Any, texts: Iterable[str], words: bool, batch: int = 1024) -> tuple[set[int], int]:
    used: set[int] = set()
    n = 0
    chunk: list[str] = []

    def flush() -> None:
        for enc in tokenizer.encode_batch(chunk, add_special_tokens=False):
            used.update(enc.ids)
        if words:
            split = [t.split() for t in chunk]
            for enc in tokenizer.encode_batch([w for w in split if w], is_pretokenized=True, add_special_tokens=False):
                used.update(enc.ids)
        chunk.clear()

    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"trim_vocabulary: texts must be strings, got {type(text).__name__}")
        chunk.append(text)
        n += 1
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    return used, n


def _remap_post_processor(proc: Any, new_id: dict[int, int]) -> Any:
    """A copy of a serialised post-processor with every special token id remapped (TemplateProcessing,
    RobertaProcessing/BertProcessing and Sequences of them)."""
    if proc is None:
        return None
    proc = json.loads(json.dumps(proc))
    kind = proc.get("type")
    if kind == "TemplateProcessing":
        for spec in proc.get("special_tokens", {}).values():
            spec["ids"] = [new_id[i] for i in spec["ids"]]
    elif kind in ("RobertaProcessing", "BertProcessing"):
        for key in ("sep", "cls"):
            token, old = proc[key]
            proc[key] = [token, new_id[old]]
    elif kind == "Sequence":
        proc["processors"] = [_remap_post_processor(p, new_id) for p in proc.get("processors", [])]
    return proc


def character_pieces(texts: Iterable[str]) -> set[str]:
    """Every character of `texts` (NFKC-normalised too, as XLM-R's normaliser does) both bare and "▁"-prefixed:
    the single-character pieces to pass as `keep_pieces` (those not in the vocabulary are ignored there)."""
    import unicodedata

    chars: set[str] = set()
    for text in texts:
        chars.update(text)
    chars |= {n for c in chars for n in unicodedata.normalize("NFKC", c) if n}
    chars = {c for c in chars if not c.isspace()}
    return chars | {f"▁{c}" for c in chars}


def trim_vocabulary(
    model_dir: Path,
    texts: Iterable[str],
    out_dir: Path,
    *,
    words: bool = False,
    keep_pieces: Iterable[str] = (),
) -> dict[str, Any]:
    """Trim the checkpoint in `model_dir` to the pieces `texts` use and save it into `out_dir`.

    Keeps every piece the tokenizer produces for `texts` (and, with `words`, for each text split on whitespace
    and encoded as pre-split words, as token-classification training does), every piece of `keep_pieces` that
    the vocabulary has (others are ignored), all special and added tokens (first, in their original order) and
    the lowest-scoring piece; the other kept pieces follow in their original order. Writes the model and
    tokenizer (`save_pretrained`) plus `lrx_trim.json`; returns pieces and bytes before and after, how many
    pieces came from `keep_pieces` only (`kept_extra`) and the seconds taken. `out_dir` must not be `model_dir`.
    A checkpoint with a masked-LM head is refused (only the bare encoder's embeddings are trimmed).
    """
    from lrx.adapt.encoders.hf import quiet_transformers

    quiet_transformers()
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel
    from transformers import PreTrainedTokenizerFast

    start = time.perf_counter()
    model_dir, out_dir = Path(model_dir), Path(out_dir)
    if out_dir.resolve() == model_dir.resolve():
        raise TrimError(f"{model_dir}: trim into another directory (out_dir is the checkpoint itself)")
    model_config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    heads = [a for a in model_config.get("architectures") or () if a.endswith(("ForMaskedLM", "ForPreTraining"))]
    if heads:
        raise TrimError(f"{model_dir}: a {heads[0]} checkpoint; only a bare encoder (no LM head) can be trimmed")
    spec = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    model_spec = spec.get("model") or {}
    if model_spec.get("type") != "Unigram":
        raise TrimError(f"{model_dir}: tokenizer model is {model_spec.get('type')!r}, only Unigram can be trimmed")
    vocab: list[list[Any]] = model_spec["vocab"]
    n_before = len(vocab)
    added = spec.get("added_tokens") or []
    outside = [t["content"] for t in added if t["id"] >= n_before]
    if outside:
        raise TrimError(f"{model_dir}: added tokens {outside} lie outside the Unigram vocabulary")

    tokenizer = Tokenizer.from_str(json.dumps(spec))
    used, n_texts = _used_ids(tokenizer, texts, words)
    index_of = {piece[0]: i for i, piece in enumerate(vocab)}
    extra = {index_of[p] for p in keep_pieces if p in index_of} - used

    special_ids = [t["id"] for t in added]
    unk_id = model_spec.get("unk_id")
    if unk_id is not None and unk_id not in special_ids:
        special_ids.append(unk_id)
    special_ids = sorted(set(special_ids))
    lowest = min(range(n_before), key=lambda i: vocab[i][1])  # keeps the unknown-character score unchanged
    rest = sorted((used | extra | {lowest}) - set(special_ids))
    old_ids = special_ids + rest
    new_id = {old: new for new, old in enumerate(old_ids)}

    spec["model"] = {
        **model_spec,
        "vocab": [vocab[i] for i in old_ids],
        "unk_id": None if unk_id is None else new_id[unk_id],
    }
    spec["added_tokens"] = [{**t, "id": new_id[t["id"]]} for t in added]
    spec["post_processor"] = _remap_post_processor(spec.get("post_processor"), new_id)
    if spec.get("padding"):
        pad = spec["padding"]
        if pad.get("pad_id") in new_id:
            pad["pad_id"] = new_id[pad["pad_id"]]
    new_tok = Tokenizer.from_str(json.dumps(spec))

    config_path = model_dir / "tokenizer_config.json"
    tok_config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.is_file() else {}
    kwargs = {k: v for k, v in tok_config.items() if k.endswith("_token") and isinstance(v, str)}
    if "model_max_length" in tok_config:
        kwargs["model_max_length"] = tok_config["model_max_length"]
    fast = PreTrainedTokenizerFast(tokenizer_object=new_tok, **kwargs)

    model = AutoModel.from_pretrained(model_dir)
    old_emb = model.get_input_embeddings()
    if old_emb.weight.shape[0] < n_before:
        raise TrimError(f"{model_dir}: {old_emb.weight.shape[0]} embedding rows for {n_before} pieces")
    index = torch.tensor(old_ids, dtype=torch.long)
    config = model.config
    for key in _CONFIG_TOKEN_IDS:
        old = getattr(config, key, None)
        if isinstance(old, int):
            setattr(config, key, new_id.get(old))
    emb = torch.nn.Embedding(
        len(old_ids),
        old_emb.embedding_dim,
        padding_idx=getattr(config, "pad_token_id", None),
        dtype=old_emb.weight.dtype,
    )
    with torch.no_grad():
        emb.weight.copy_(old_emb.weight[index])
    model.set_input_embeddings(emb)
    config.vocab_size = len(old_ids)

    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    fast.save_pretrained(out_dir)
    bytes_before, bytes_after = _dir_bytes(model_dir), _dir_bytes(out_dir)
    result = {
        "pieces_before": n_before,
        "pieces_after": len(old_ids),
        "bytes_before": bytes_before,
        "bytes_after": bytes_after,
        "kept_extra": len(extra - set(special_ids) - {lowest}),
        "seconds": round(time.perf_counter() - start, 2),
    }
    meta = {
        "source": str(model_dir),
        "texts": n_texts,
        "words": words,
        **result,
        "embedding_rows_before": int(old_emb.weight.shape[0]),
        "id_map_size": len(new_id),
        "id_map_old": old_ids,  # new id i is old id id_map_old[i]
        "pieces_kept": [vocab[i][0] for i in old_ids],
    }
    (out_dir / TRIM_META_FILE).write_text(json.dumps(meta, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info(
        "trimmed %s: %d -> %d pieces, %.1f -> %.1f MB in %.1f s -> %s",
        model_dir,
        n_before,
        len(old_ids),
        bytes_before / 1e6,
        bytes_after / 1e6,
        meta["seconds"],
        out_dir,
    )
    return result
