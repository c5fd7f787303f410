"""Continued masked-LM training of an encoder on target-language text (BERT's masking, the loss computed
on the masked positions only, a new LM head warmed up alone first)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from lrx.adapt.training.examples import _collate
from lrx.adapt.training.examples import _Example
from lrx.adapt.training.examples import _load_tokenizer
from lrx.adapt.training.examples import _max_length
from lrx.adapt.training.loop import _optimise
from lrx.adapt.training.parallel import _data_parallel
from lrx.adapt.training.parallel import _save_on_main
from lrx.adapt.training.parallel import _start
from lrx.adapt.training.saving import _save_pretrained
from lrx.adapt.training.settings import TrainSettings

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)


def _mask_tokens(
    batch: dict[str, torch.Tensor], special: torch.Tensor, mask_id: int, vocab_size: int, probability: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's masking: `probability` of the real tokens are predicted; of those 80% become the mask token,
    10% a random token, 10% stay. At least one token per batch is masked (a batch of none has no loss)."""
    import torch

    ids = batch["input_ids"]
    candidates = (batch["attention_mask"] == 1) & ~special
    chosen = (torch.rand(ids.shape, device=ids.device) < probability) & candidates
    if not bool(chosen.any()) and bool(candidates.any()):
        flat = candidates.flatten().nonzero().flatten()
        chosen.view(-1)[flat[torch.randint(len(flat), (1,)).item()]] = True
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))
    inputs = ids.clone()
    draw = torch.rand(ids.shape, device=ids.device)
    inputs[chosen & (draw < 0.8)] = mask_id
    randomised = chosen & (draw >= 0.8) & (draw < 0.9)
    inputs[randomised] = torch.randint(vocab_size, ids.shape, device=ids.device)[randomised]
    return inputs, labels


def _masked_only_lm(model: torch.nn.Module) -> torch.nn.Module:
    """`model` (a ...ForMaskedLM) as a module whose forward returns the masked-LM loss computed from the masked
    positions only. The library's forward scores every position against the whole vocabulary before the loss
    discards all but the ~15% masked ones: with a 250k-piece vocabulary that projection is most of a CPU step.
    The loss is the same (mean cross-entropy over the masked positions). Architectures whose head is not
    `cls` (BERT) or `lm_head` (RoBERTa, XLM-R) keep the library's forward."""
    import torch

    base = getattr(model, model.base_model_prefix, None)
    head = getattr(model, "cls", None) or getattr(model, "lm_head", None)

    class MaskedLMLoss(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
            if base is None or head is None:
                return self.model(input_ids=input_ids, attention_mask=attention_mask, labels=labels).loss
            states = base(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            chosen = labels != -100
            if not bool(chosen.any()):  # nothing to predict (a batch of specials only): 0, not NaN
                return states.sum() * 0.0
            logits = head(states[chosen])
            return torch.nn.functional.cross_entropy(logits.float(), labels[chosen])

    return MaskedLMLoss()


@_data_parallel
def continue_mlm(
    encoder_dir: Path,
    texts: Sequence[str],
    out_dir: Path,
    settings: TrainSettings,
    *,
    mask_probability: float = 0.15,
    head_warmup_steps: int = 0,
) -> dict[str, Any]:
    """Continue masked-LM training of the encoder on `texts` (target-language text) and save it to `out_dir`.

    A checkpoint without an LM head (a bare `BertModel`, e5) gets a randomly initialised one (tied to the word
    embeddings where the architecture ties them); that is logged and reported as `new_lm_head`. Such a head
    is then trained alone for `head_warmup_steps` steps, the encoder frozen, before the encoder trains with it:
    trained jointly from the start, the random head's gradients wreck a pretrained encoder (e5 on Ewe: NER F1
    55 -> 0). The saved directory loads as a token classifier or a bare encoder for the next stage. Returns the
    figures of `finetune_tagger` plus new_lm_head and, after a warm-up, `head_warmup` (its own figures).
    """
    from transformers import AutoModelForMaskedLM

    if not 0 < mask_probability < 1:
        raise ValueError(f"mask_probability must be in (0, 1), not {mask_probability}")
    if head_warmup_steps < 0:
        raise ValueError(f"head_warmup_steps must be >= 0, not {head_warmup_steps}")
    device = _start(settings)
    encoder_dir, out_dir = Path(encoder_dir), Path(out_dir)
    tokenizer = _load_tokenizer(encoder_dir)
    if tokenizer.mask_token_id is None:
        raise ValueError(f"{encoder_dir}: the tokenizer has no mask token")
    texts = [text for text in texts if text and not text.isspace()]
    max_length = _max_length(tokenizer, settings.max_length)
    encoded = tokenizer(texts, truncation=True, max_length=max_length, return_special_tokens_mask=True)
    pairs = zip(encoded["input_ids"], encoded["special_tokens_mask"], strict=True)
    examples = [_Example(list(ids), [], list(special)) for ids, special in pairs]
    model, info = AutoModelForMaskedLM.from_pretrained(encoder_dir, output_loading_info=True)
    model.to(device)
    encoder_prefix = model.base_model_prefix + "."
    new_head = any(not key.startswith(encoder_prefix) for key in info.get("missing_keys", ()))
    if new_head:
        log.warning("%s has no masked-LM head: training a randomly initialised one", encoder_dir)
    vocab_size = min(len(tokenizer), model.get_output_embeddings().weight.shape[0])
    frozen = [model.get_input_embeddings().weight] if settings.freeze_embeddings else []

    def collate(part: Sequence[_Example]) -> dict[str, torch.Tensor]:
        batch = _collate(part, tokenizer.pad_token_id, device)
        batch["special"] = batch.pop("targets") == 1  # the special-token mask travelled in `targets`
        return batch

    def loss_of(net: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        inputs, labels = _mask_tokens(batch, batch["special"], tokenizer.mask_token_id, vocab_size, mask_probability)
        return net(input_ids=inputs, attention_mask=batch["attention_mask"], labels=labels)

    masked_lm = _masked_only_lm(model)
    warmup: dict[str, Any] | None = None
    if new_head and head_warmup_steps > 0:
        encoder = [p for p in model.base_model.parameters() if p.requires_grad]
        alone = replace(settings, max_steps=head_warmup_steps, epochs=max(settings.epochs, head_warmup_steps))
        warmup = _optimise(masked_lm, examples, loss_of, collate, alone, encoder, description="masked-LM head warm-up")
        for parameter in encoder:
            parameter.requires_grad_(True)
        log.info("masked-LM head warmed up alone: loss %.2f -> %.2f", warmup["first_loss"], warmup["final_loss"])
    elif head_warmup_steps > 0:
        log.info("%s has its own masked-LM head: no warm-up", encoder_dir)
    stats = _optimise(masked_lm, examples, loss_of, collate, settings, frozen, description="masked-LM training")
    stats["new_lm_head"] = new_head
    if warmup is not None:
        stats["head_warmup"] = warmup

    sidecar = {"kind": "mlm", "max_length": settings.max_length, "settings": asdict(settings), "stats": stats}
    _save_on_main(lambda: _save_pretrained(model, tokenizer, out_dir, sidecar))
    return stats
