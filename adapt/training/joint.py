"""Joint intent detection and slot filling (xSID): the model (the encoder and two linear heads), its
fine-tuning, saving (the encoder's `save_pretrained` layout plus `heads.safetensors`) and prediction.

A saved model loads through one class, `JointIntentSlotModel` (a `torch.nn.Module`, made on first use so that
importing this module does not import torch):

    from lrx.adapt.training.joint import JointIntentSlotModel
    from transformers import AutoTokenizer

    model = JointIntentSlotModel.from_pretrained(model_dir)  # eval mode
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    intent_logits, slot_logits = model(**tokenizer(["wake me up at 7"], return_tensors="pt"))
    model.intents[int(intent_logits.argmax(-1)[0])]  # and model.slot_labels per sub-token of slot_logits
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

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
from lrx.adapt.training.saving import HEADS_FILE
from lrx.adapt.training.saving import SIDECAR
from lrx.adapt.training.saving import _read_sidecar
from lrx.adapt.training.saving import _write_sidecar
from lrx.adapt.training.settings import TrainSettings

from lrx.core.sentence import Sentence

if TYPE_CHECKING:
    import torch


_JOINT_HEADS = ("intent", "slot")
JOINT_KIND = "intent_slots"  # lrx.json's `kind` for a joint model


def __getattr__(name: str) -> Any:
    # `JointIntentSlotModel` is made on first use: the class derives from torch.nn.Module
    if name == "JointIntentSlotModel":
        return _joint_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _joint_class() -> type:
    """The joint model's class, made on first use so that importing this module does not import torch."""
    import torch

    class JointIntentSlotModel(torch.nn.Module):
        """The encoder, an intent head on the first token ([CLS] / <s>) and a slot head on every token. A module
        with a forward (not a ModuleDict) because DistributedDataParallel synchronises through forward.
        `from_pretrained(model_dir)` loads a saved one; its `intents` and `slot_labels` name the columns of the
        two logits."""

        def __init__(
            self,
            encoder: torch.nn.Module,
            n_intents: int,
            n_slots: int,
            intents: Sequence[str] = (),
            slot_labels: Sequence[str] = (),
        ) -> None:
            super().__init__()
            hidden = encoder.config.hidden_size
            self.encoder = encoder
            self.intent = torch.nn.Linear(hidden, n_intents)
            self.slot = torch.nn.Linear(hidden, n_slots)
            self.dropout = getattr(encoder.config, "hidden_dropout_prob", 0.1)
            self.intents = list(intents)
            self.slot_labels = list(slot_labels)

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor | None = None,
            token_type_ids: torch.Tensor | None = None,
        ) -> tuple[torch.Tensor, torch.Tensor]:
            """(intent logits (batch, intents), slot logits (batch, sub-tokens, slot labels)). `token_type_ids` is
            taken so that a tokenizer's whole output can be passed (`model(**tokenizer(...))`)."""
            states = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            states = torch.nn.functional.dropout(states, p=self.dropout, training=self.training)
            return self.intent(states[:, 0]), self.slot(states)

        @classmethod
        def from_pretrained(cls, model_dir: str | Path, **encoder_options: Any) -> JointIntentSlotModel:
            """The model saved in `model_dir` by `finetune_intent_slots` (the encoder, `heads.safetensors` and the
            label lists of `lrx.json`), on the CPU in eval mode. `encoder_options` go to the encoder's
            `AutoModel.from_pretrained` (`attn_implementation="eager"` for an ONNX export)."""
            from safetensors.torch import load_file
            from transformers import AutoModel

            model_dir = Path(model_dir)
            sidecar = _read_sidecar(model_dir)
            if sidecar.get("kind") != JOINT_KIND or not (model_dir / HEADS_FILE).is_file():
                raise ValueError(
                    f"{model_dir}: not a joint intent + slot model (no {SIDECAR} of kind {JOINT_KIND} and {HEADS_FILE})"
                )
            intents, slot_labels = sidecar["intents"], sidecar["slot_labels"]
            encoder = AutoModel.from_pretrained(model_dir, add_pooling_layer=False, **encoder_options)
            model = cls(encoder, len(intents), len(slot_labels), intents, slot_labels)
            heads = load_file(str(model_dir / HEADS_FILE))
            for name in _JOINT_HEADS:
                prefix = name + "."
                head = {key.removeprefix(prefix): value for key, value in heads.items() if key.startswith(prefix)}
                getattr(model, name).load_state_dict(head)
            return model.eval()

    JointIntentSlotModel.__module__ = __name__
    JointIntentSlotModel.__qualname__ = "JointIntentSlotModel"
    return JointIntentSlotModel


def _joint_model(encoder_dir: Path, n_intents: int, n_slots: int) -> torch.nn.Module:
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(encoder_dir, add_pooling_layer=False)
    return _joint_class()(encoder, n_intents, n_slots)


@_data_parallel
def finetune_intent_slots(
    encoder_dir: Path,
    train: Sequence[Sentence],
    intents: Sequence[str],
    slot_labels: Sequence[str],
    out_dir: Path,
    settings: TrainSettings,
) -> dict[str, Any]:
    """Fine-tune a joint xSID model: the encoder, a linear intent head on the first token and a linear slot
    head on each word's first sub-token, trained on the sum of both cross-entropies. The intent is
    `Sentence.meta["intent"]`. Saved as the encoder (`save_pretrained`), the heads in `heads.safetensors` and
    the label lists in `lrx.json` (no pickles). Returns the same figures as `finetune_tagger`."""
    import torch

    intents = _check_labels(intents, "finetune_intent_slots intents")
    slot_labels = _check_labels(slot_labels, "finetune_intent_slots slot labels")
    device = _start(settings)
    encoder_dir, out_dir = Path(encoder_dir), Path(out_dir)
    tokenizer = _load_tokenizer(encoder_dir)
    intent_index = {intent: i for i, intent in enumerate(intents)}
    slot_index = {label: i for i, label in enumerate(slot_labels)}
    sentences = [s for s in train if s.tokens]
    examples = _encode_words(tokenizer, sentences, settings.max_length)
    _set_targets(examples, sentences, slot_index, "slot label")
    for example, sentence in zip(examples, sentences, strict=True):
        intent = sentence.meta.get("intent")
        if intent not in intent_index:
            raise ValueError(f"{sentence.where or 'a sentence'}: intent {intent!r} is not in the intent list")
        example.intent = intent_index[intent]
    model = _joint_model(encoder_dir, len(intents), len(slot_labels)).to(device)
    frozen = [model.encoder.get_input_embeddings().weight] if settings.freeze_embeddings else []

    def loss_of(net: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        intent_logits, slot_logits = net(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
        intent_loss = torch.nn.functional.cross_entropy(intent_logits, batch["intents"])
        return intent_loss + _token_loss(slot_logits, batch["targets"])

    def collate(part: Sequence[Any]) -> dict[str, torch.Tensor]:
        return _collate(part, tokenizer.pad_token_id, device)

    stats = _optimise(model, examples, loss_of, collate, settings, frozen, description="intent + slots fine-tuning")
    counts = Counter(label for s in sentences for label in s.labels)

    def save() -> None:
        _save_joint(model, tokenizer, out_dir)
        sidecar = {
            "kind": JOINT_KIND,
            "intents": intents,
            "slot_labels": slot_labels,
            "fallback": _fallback_label(slot_labels, counts),
            "max_length": settings.max_length,
            "settings": asdict(settings),
            "stats": stats,
        }
        _write_sidecar(out_dir, sidecar)

    _save_on_main(save)
    return stats


def _save_joint(model: torch.nn.Module, tokenizer: Any, out_dir: Path) -> None:
    from safetensors.torch import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    heads = {
        f"{name}.{key}": value.detach().cpu().contiguous()
        for name in _JOINT_HEADS
        for key, value in getattr(model, name).state_dict().items()
    }
    save_file(heads, str(out_dir / HEADS_FILE))


def predict_intent_slots(
    model_dir: Path,
    sentences: Sequence[Sentence],
    *,
    batch_size: int = 32,
    max_length: int | None = None,
) -> tuple[list[str], list[list[str]]]:
    """The intent of each sentence and a slot label for each word (words the model does not see get the
    fallback label, as in `predict_tags`)."""
    import torch

    model_dir = Path(model_dir)
    model = _joint_class().from_pretrained(model_dir)
    sidecar = _read_sidecar(model_dir)
    intents, slot_labels = model.intents, model.slot_labels
    device = _device()
    tokenizer = _load_tokenizer(model_dir)
    model.to(device)
    examples = _encode_words(tokenizer, sentences, max_length or sidecar.get("max_length") or 128)
    predicted_intents: list[str] = [""] * len(examples)
    rows: list[Any] = [None] * len(examples)
    with torch.no_grad():
        for indices in _batches([len(e.input_ids) for e in examples], batch_size, None):
            batch = _collate([examples[i] for i in indices], tokenizer.pad_token_id, device)
            intent_logits, slot_logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
            best_intents = intent_logits.argmax(-1).cpu().tolist()
            best_slots = slot_logits.argmax(-1).cpu()
            for row, i in enumerate(indices):
                predicted_intents[i] = intents[best_intents[row]]
                rows[i] = best_slots[row].tolist()
    return predicted_intents, _word_predictions(examples, rows, slot_labels, sidecar["fallback"])
