"""Sentences as model input and model output as word labels.

Words arrive pre-split (`Sentence.tokens`); a word's label sits on its first sub-token, the others and the
words cut off by `max_length` are ignored by the loss (-100). Batches are bucketed by length (sorted within
pools of 50 batches, the batch order shuffled), because on CPU the cost is mostly padding otherwise.

Here: the (fast) tokenizer, sub-token encoding (`_encode_words`), label targets, the label list checks and the
fallback label, length-bucketed batches (`_batches`), padding into tensors (`_collate`), and per-sub-token
predictions back to one label per word (`_word_predictions`).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from lrx.core.sentence import Sentence

if TYPE_CHECKING:
    import torch

OUTSIDE = "O"
# a word label that the loss ignores (self-training leaves the words it is unsure of unlabelled this way)
IGNORED = "<ignored>"
_POOL_BATCHES = 50  # length-sorting pool, in batches: enough to cut padding, small enough to keep batches mixed


def _load_tokenizer(model_dir: Path) -> Any:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError(f"{model_dir}: word alignment needs a fast (tokenizers-backed) tokenizer")
    return tokenizer


@dataclass
class _Example:
    """One sentence as model input: sub-token ids, and per word its first sub-token position (None: no
    sub-token, because the word was cut off by max_length or is empty)."""

    input_ids: list[int]
    first: list[int | None]
    targets: list[int]  # per sub-token: a label id or -100
    intent: int = -100
    # distillation: sub-token position -> a teacher's label distribution (the position has no hard target)
    soft: dict[int, list[float]] | None = None


def _max_length(tokenizer: Any, requested: int) -> int:
    """`requested`, but no more than the model's positions (the tokenizer's `model_max_length`, where it is
    set; unset it is a huge sentinel): a longer input would index past the position embeddings."""
    limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(limit, int) and 0 < limit < 1_000_000:
        return min(requested, limit)
    return requested


def _encode_words(tokenizer: Any, sentences: Sequence[Sentence], max_length: int) -> list[_Example]:
    """Sub-tokenise pre-split words, truncating to `max_length` (special tokens included)."""
    max_length = _max_length(tokenizer, max_length)
    examples: list[_Example] = []
    chunk = 512
    for start in range(0, len(sentences), chunk):
        part = sentences[start : start + chunk]
        words = [s.tokens if s.tokens else [""] for s in part]  # an empty sentence still gets [CLS] [SEP]
        encoded = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length)
        for j, sentence in enumerate(part):
            first: list[int | None] = [None] * len(sentence.tokens)
            for position, word in enumerate(encoded.word_ids(j)):
                if word is not None and word < len(first) and first[word] is None:
                    first[word] = position
            ids = list(encoded["input_ids"][j])
            examples.append(_Example(ids, first, [-100] * len(ids)))
    return examples


def _label_ids(sentence: Sentence, index: dict[str, int], what: str) -> list[int]:
    if not sentence.labeled:
        raise ValueError(f"{sentence.where or 'a sentence'}: training needs labels, this sentence has none")
    try:
        return [-100 if label == IGNORED else index[label] for label in sentence.labels]
    except KeyError as exc:
        raise ValueError(f"{sentence.where or 'a sentence'}: {what} {exc.args[0]!r} is not in the label list") from None


def _set_targets(examples: list[_Example], sentences: Sequence[Sentence], index: dict[str, int], what: str) -> None:
    for example, sentence in zip(examples, sentences, strict=True):
        for word, label in enumerate(_label_ids(sentence, index, what)):
            position = example.first[word]
            if position is not None and label != -100:
                example.targets[position] = label


def _batches(lengths: Sequence[int], batch_size: int, rng: random.Random | None) -> list[list[int]]:
    """Index batches of similar lengths. With `rng`: shuffled, sorted within pools, batch order shuffled;
    without: everything sorted (prediction, where only speed matters)."""
    order = list(range(len(lengths)))
    pool = len(order)
    if rng is not None:
        rng.shuffle(order)
        pool = batch_size * _POOL_BATCHES
    batches: list[list[int]] = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches.extend(chunk[k : k + batch_size] for k in range(0, len(chunk), batch_size))
    if rng is not None:
        rng.shuffle(batches)
    return batches


def _collate(examples: Sequence[_Example], pad_id: int, device: torch.device) -> dict[str, torch.Tensor]:
    import torch

    width = max(len(e.input_ids) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    targets = torch.full((len(examples), width), -100, dtype=torch.long)
    for row, example in enumerate(examples):
        n = len(example.input_ids)
        ids[row, :n] = torch.tensor(example.input_ids)
        mask[row, :n] = 1
        targets[row, :n] = torch.tensor(example.targets)
    intents = torch.tensor([e.intent for e in examples], dtype=torch.long)
    batch = {"input_ids": ids, "attention_mask": mask, "targets": targets, "intents": intents}
    return {key: value.to(device) for key, value in batch.items()}


def _fallback_label(labels: Sequence[str], counts: Counter[str]) -> str:
    """The label of a word the model never sees: O for a BIO label set (a cut-off word is most likely outside
    any entity, and O cannot start a broken span), else the most frequent training label."""
    if OUTSIDE in labels:
        return OUTSIDE
    if counts:
        return max(labels, key=lambda label: counts[label])  # ties: the first in label order
    return labels[0]


def _check_labels(labels: Sequence[str], what: str) -> list[str]:
    labels = list(labels)
    if not labels:
        raise ValueError(f"{what}: an empty label list")
    if len(set(labels)) != len(labels):
        raise ValueError(f"{what}: duplicate labels in {labels}")
    return labels


def _word_predictions(
    examples: Sequence[_Example], logits_rows: Sequence[Any], id2label: Sequence[str], fallback: str
) -> list[list[str]]:
    out: list[list[str]] = []
    for example, row in zip(examples, logits_rows, strict=True):
        out.append([fallback if position is None else id2label[int(row[position])] for position in example.first])
    return out
