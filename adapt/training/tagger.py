"""Token tagging (NER BIO tags, UPOS): fine-tuning a tagger, predicting one label per word with it, and
relabelling sentences by a teacher tagger (distillation)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from lrx.adapt.training.examples import OUTSIDE
from lrx.adapt.training.examples import _batches
from lrx.adapt.training.examples import _check_labels
from lrx.adapt.training.examples import _collate
from lrx.adapt.training.examples import _encode_words
from lrx.adapt.training.examples import _fallback_label
from lrx.adapt.training.examples import _load_tokenizer
from lrx.adapt.training.examples import _set_targets
from lrx.adapt.training.examples import _word_predictions
from lrx.adapt.training.loop import _optimise
from lrx.adapt.training.loop import _token_loss
from lrx.adapt.training.parallel import _data_parallel
from lrx.adapt.training.parallel import _device
from lrx.adapt.training.parallel import _save_on_main
from lrx.adapt.training.parallel import _start
from lrx.adapt.training.saving import _read_sidecar
from lrx.adapt.training.saving import _save_pretrained
from lrx.adapt.training.settings import TrainSettings

from lrx.core.sentence import Sentence

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)


@_data_parallel
def finetune_tagger(
    encoder_dir: Path,
    train: Sequence[Sentence],
    labels: Sequence[str],
    out_dir: Path,
    settings: TrainSettings,
    soft: Sequence[Sequence[Sequence[float] | None] | None] | None = None,
    num_layers: int | None = None,
) -> dict[str, Any]:
    """Fine-tune a token tagger (NER BIO tags, UPOS) on `train` and save it into `out_dir`.

    `AutoModelForTokenClassification` over the encoder, a fresh classifier (an old one of another size is
    replaced); the label list goes into the config (`id2label`). Returns the run's figures: steps, seconds,
    tokens_per_s (real sub-tokens, padding not counted), train_sentences, first_loss and final_loss (means
    over the first and last 10 steps), stopped_early.

    `soft` (distillation), parallel to `train`: per sentence None (learn its labels) or, per word, a teacher's
    probability for each of `labels` (None for a word the teacher did not see): the loss on those words is
    the cross-entropy with the teacher's distribution (KL up to a constant), and the sentence's hard labels are
    not used. `num_layers` keeps only the encoder's first layers (a smaller, faster student).
    """
    from transformers import AutoModelForTokenClassification

    labels = _check_labels(labels, "finetune_tagger")
    device = _start(settings)
    encoder_dir, out_dir = Path(encoder_dir), Path(out_dir)
    tokenizer = _load_tokenizer(encoder_dir)
    index = {label: i for i, label in enumerate(labels)}
    sentences = [s for s in train if s.tokens]
    if soft is not None and len(soft) != len(train):
        raise ValueError(f"finetune_tagger: {len(soft)} soft-label rows for {len(train)} sentences")
    kept = [i for i, s in enumerate(train) if s.tokens]
    soft_rows = [soft[i] for i in kept] if soft is not None else [None] * len(sentences)
    examples = _encode_words(tokenizer, sentences, settings.max_length)
    hard = [s for s, row in zip(sentences, soft_rows, strict=True) if row is None]
    _set_targets([e for e, row in zip(examples, soft_rows, strict=True) if row is None], hard, index, "label")
    for example, row in zip(examples, soft_rows, strict=True):
        if row is not None:
            example.soft = {p: list(d) for p, d in zip(example.first, row, strict=True) if p is not None and d}
    model = AutoModelForTokenClassification.from_pretrained(
        encoder_dir,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id=index,
        ignore_mismatched_sizes=True,
    ).to(device)
    if num_layers:
        _keep_layers(model, num_layers)
    frozen = [model.get_input_embeddings().weight] if settings.freeze_embeddings else []

    def loss_of(net: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        logits = net(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        if "soft" not in batch:
            return _token_loss(logits, batch["targets"])
        return _mixed_loss(logits, batch["targets"], batch["soft"], batch["soft_mask"])

    def collate(batch: Sequence[Any]) -> dict[str, torch.Tensor]:
        return _collate_soft(batch, tokenizer.pad_token_id, device, len(labels))

    stats = _optimise(
        model,
        examples,
        loss_of,
        collate if soft is not None else (lambda b: _collate(b, tokenizer.pad_token_id, device)),
        settings,
        frozen,
        description="tagger distillation" if soft is not None else "tagger fine-tuning",
    )
    counts = Counter(label for s in hard for label in s.labels)

    sidecar = {
        "kind": "tagger",
        "labels": labels,
        "fallback": _fallback_label(labels, counts),
        "max_length": settings.max_length,
        "settings": asdict(settings),
        "stats": stats,
    }
    _save_on_main(lambda: _save_pretrained(model, tokenizer, out_dir, sidecar))
    log.info(
        "tagger: %d steps, %.1f s, %.0f tokens/s -> %s",
        stats["steps"],
        stats["seconds"],
        stats["tokens_per_s"],
        out_dir,
    )
    return stats


def _keep_layers(model: Any, num_layers: int) -> None:
    """Keep the encoder's first `num_layers` transformer layers (BERT, XLM-R and their kin keep them in
    `<base>.encoder.layer`); the saved config says so, so the smaller model loads as itself."""
    import torch

    layers = model.base_model.encoder.layer
    if not 0 < num_layers <= len(layers):
        raise ValueError(f"num_layers must be between 1 and the encoder's {len(layers)} layers, not {num_layers}")
    model.base_model.encoder.layer = torch.nn.ModuleList(list(layers)[:num_layers])
    model.config.num_hidden_layers = num_layers


def _collate_soft(examples: Sequence[Any], pad_id: int, device: torch.device, num_labels: int) -> dict[str, Any]:
    """`_collate` plus the teachers' distributions: `soft` (batch, width, labels) and `soft_mask` (batch, width)."""
    import torch

    batch = _collate(examples, pad_id, device)
    width = batch["input_ids"].shape[1]
    soft = torch.zeros((len(examples), width, num_labels))
    mask = torch.zeros((len(examples), width))
    for row, example in enumerate(examples):
        for position, distribution in (example.soft or {}).items():
            soft[row, position] = torch.tensor(distribution)
            mask[row, position] = 1.0
    batch["soft"], batch["soft_mask"] = soft.to(device), mask.to(device)
    return batch


def _mixed_loss(
    logits: torch.Tensor, targets: torch.Tensor, soft: torch.Tensor, soft_mask: torch.Tensor
) -> torch.Tensor:
    """The mean over every labelled position of the batch: cross-entropy with the hard label where there is
    one, with the teacher's distribution where there is that."""
    import torch

    log_probs = torch.log_softmax(logits.float(), -1)
    hard_mask = targets != -100
    hard = -log_probs.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1) * hard_mask
    distilled = -(soft * log_probs).sum(-1) * soft_mask
    count = hard_mask.sum() + soft_mask.sum()
    if float(count) == 0:
        return logits.sum() * 0.0
    return (hard.sum() + distilled.sum()) / count


def predict_tags(
    model_dir: Path,
    sentences: Sequence[Sentence],
    *,
    batch_size: int = 32,
    max_length: int | None = None,
) -> list[list[str]]:
    """One label per word for every word of every sentence.

    Words the model does not see (cut off at `max_length`, by default the length it was trained with, or
    empty strings that have no sub-token) get the fallback label: "O" for a BIO label set, else the most
    frequent training label (recorded in `lrx.json`; for a directory without one, "O" or the first label).
    """
    return [labels for labels, _ in predict_tag_distributions(model_dir, sentences, batch_size, max_length)]


def predict_tag_distributions(
    model_dir: Path,
    sentences: Sequence[Sentence],
    batch_size: int = 32,
    max_length: int | None = None,
) -> list[tuple[list[str], list[list[float]] | None]]:
    """Per sentence: one label per word (as `predict_tags`) and, per word, the model's probability for each
    label of its `id2label` order (a word the model does not see gets None in place of its row; the list is
    None for a sentence with no word seen). Self-training filters on these; distillation learns from them."""
    import torch
    from transformers import AutoModelForTokenClassification

    model_dir = Path(model_dir)
    device = _device()
    sidecar = _read_sidecar(model_dir)
    tokenizer = _load_tokenizer(model_dir)
    model = AutoModelForTokenClassification.from_pretrained(model_dir).to(device).eval()
    id2label = [model.config.id2label[i] for i in range(model.config.num_labels)]
    fallback = sidecar.get("fallback") or (OUTSIDE if OUTSIDE in id2label else id2label[0])
    examples = _encode_words(tokenizer, sentences, max_length or sidecar.get("max_length") or 128)
    rows: list[Any] = [None] * len(examples)
    probabilities: list[Any] = [None] * len(examples)
    with torch.no_grad():
        for indices in _batches([len(e.input_ids) for e in examples], batch_size, None):
            batch = _collate([examples[i] for i in indices], tokenizer.pad_token_id, device)
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits.float()
            probs = logits.softmax(-1).cpu()
            best = logits.argmax(-1).cpu()
            for row, i in enumerate(indices):
                rows[i] = best[row].tolist()
                firsts = examples[i].first
                probabilities[i] = [None if p is None else probs[row, p].tolist() for p in firsts]
    labels = _word_predictions(examples, rows, id2label, fallback)
    return [
        (words, dist if any(d is not None for d in dist) else None)
        for words, dist in zip(labels, probabilities, strict=True)
    ]


def label_confidence(distributions: Sequence[list[float] | None]) -> float:
    """A labelled sentence's confidence: the top-label probability of its least certain word (words the model
    did not see are not counted; a sentence with none seen has confidence 0). The minimum, not the mean,
    because one wrong word breaks an entity span, and a long sentence of sure O's must not hide it."""
    seen = [max(d) for d in distributions if d is not None]
    return min(seen) if seen else 0.0


def distill_labels(teacher_dir: Path, sentences: Sequence[Sentence]) -> list[Sentence]:
    """Copies of `sentences` labelled with the teacher's predictions (its own labels, if any, replaced):
    pseudo data whose label projection is unreliable can be relabelled by a model trained on the source."""
    predicted = predict_tags(teacher_dir, sentences)
    return [
        Sentence(tokens=list(s.tokens), labels=labels, meta=dict(s.meta), where=s.where)
        for s, labels in zip(sentences, predicted, strict=True)
    ]
