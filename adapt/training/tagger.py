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
) -> dict[str, Any]:
    """Fine-tune a token tagger (NER BIO tags, UPOS) on `train` and save it into `out_dir`.

    `AutoModelForTokenClassification` over the encoder, a fresh classifier (an old one of another size is
    replaced); the label list goes into the config (`id2label`). Returns the run's figures: steps, seconds,
    tokens_per_s (real sub-tokens, padding not counted), train_sentences, first_loss and final_loss (means
    over the first and last 10 steps), stopped_early.
    """
    from transformers import AutoModelForTokenClassification

    labels = _check_labels(labels, "finetune_tagger")
    device = _start(settings)
    encoder_dir, out_dir = Path(encoder_dir), Path(out_dir)
    tokenizer = _load_tokenizer(encoder_dir)
    index = {label: i for i, label in enumerate(labels)}
    sentences = [s for s in train if s.tokens]
    examples = _encode_words(tokenizer, sentences, settings.max_length)
    _set_targets(examples, sentences, index, "label")
    model = AutoModelForTokenClassification.from_pretrained(
        encoder_dir,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id=index,
        ignore_mismatched_sizes=True,
    ).to(device)
    frozen = [model.get_input_embeddings().weight] if settings.freeze_embeddings else []

    def loss_of(net: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        logits = net(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        return _token_loss(logits, batch["targets"])

    stats = _optimise(model, examples, loss_of, lambda b: _collate(b, tokenizer.pad_token_id, device), settings, frozen)
    counts = Counter(label for s in sentences for label in s.labels)

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
    with torch.no_grad():
        for indices in _batches([len(e.input_ids) for e in examples], batch_size, None):
            batch = _collate([examples[i] for i in indices], tokenizer.pad_token_id, device)
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            best = logits.argmax(-1).cpu()
            for row, i in enumerate(indices):
                rows[i] = best[row].tolist()
    return _word_predictions(examples, rows, id2label, fallback)


def distill_labels(teacher_dir: Path, sentences: Sequence[Sentence]) -> list[Sentence]:
    """Copies of `sentences` labelled with the teacher's predictions (its own labels, if any, replaced):
    pseudo data whose label projection is unreliable can be relabelled by a model trained on the source."""
    predicted = predict_tags(teacher_dir, sentences)
    return [
        Sentence(tokens=list(s.tokens), labels=labels, meta=dict(s.meta), where=s.where)
        for s, labels in zip(sentences, predicted, strict=True)
    ]
