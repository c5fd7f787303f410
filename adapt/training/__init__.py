"""Training loops: token tagging (NER, POS), joint intent + slots (xSID), continued masked LM, distillation.

Plain torch loops rather than the Hugging Face Trainer: the runs here are small, on CPU more often than not,
and a loop of forty lines is easier to make exactly reproducible (every run seeds `random`, numpy and torch
from `TrainSettings.seed`) and to bound in steps and wall-clock minutes than the Trainer's machinery.

Every function reads a model directory and writes one (`save_pretrained` layout), so stages chain by paths.
Words arrive pre-split (`Sentence.tokens`); a word's label sits on its first sub-token, the others and the
words cut off by `max_length` are ignored by the loss (-100). Batches are bucketed by length (sorted within
pools of 50 batches, the batch order shuffled), because on CPU the cost is mostly padding otherwise.

Beside the weights each directory gets `lrx.json`: what was trained (labels, the fallback label for words the
model never sees, the max length), the settings and the run's figures.

Data parallel: with `TrainSettings.processes` > 1 a training function runs itself in that many processes,
started by torchrun's own launcher (`torch.distributed.launcher.elastic_launch`, standalone rendezvous on
127.0.0.1), one GPU each where there are GPUs (NCCL), else CPU processes sharing the cores (gloo). The model is
wrapped in `DistributedDataParallel`; every rank draws the same shuffled batch list and takes every
`processes`-th batch, so one step sees `processes` batches; rank 0 alone writes the model. Only the training
function runs in the workers: the Hydra run, its directory and every other stage stay in one process, which is
why the pipeline does not ask users to start `lrx-run` itself under torchrun. A script that does run under
torchrun (WORLD_SIZE set) gets the same behaviour: the functions join the existing ranks instead of launching.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from lrx.core.errors import LrxError
from lrx.core.sentence import Sentence

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

SIDECAR = "lrx.json"
HEADS_FILE = "heads.safetensors"
OUTSIDE = "O"
_POOL_BATCHES = 50  # length-sorting pool, in batches: enough to cut padding, small enough to keep batches mixed
_LOSS_WINDOW = 10  # first_loss / final_loss are means over this many steps: one step's loss is noisy


class DataParallelError(LrxError):
    """A data-parallel training process failed; the message is that process's own error."""


@dataclass
class TrainSettings:
    """How to train; the same settings for every loop. `epochs` may be fractional; `max_steps` and
    `max_minutes` cap a run (0: no cap), whichever comes first; `threads` 0 means all cores. With
    `freeze_embeddings` the word embeddings are not trained (nor an LM head tied to them): most of a
    multilingual encoder's parameters are its vocabulary, and freezing them makes a CPU step ~1.5x faster."""

    epochs: float = 2.0
    batch_size: int = 16
    lr: float = 5e-5
    max_length: int = 128
    seed: int = 1
    threads: int = 0
    max_steps: int = 0
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    freeze_embeddings: bool = False
    max_minutes: float = 0
    processes: int = 1  # data-parallel processes: one per GPU, or CPU processes sharing the cores (gloo)


# ---------------------------------------------------------------------------------------------------------------
# shared machinery


def _world() -> tuple[int, int]:
    """(rank, world size) of this process: (0, 1) outside a process group."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _is_main() -> bool:
    return _world()[0] == 0


def _start(settings: TrainSettings) -> torch.device:
    """Seed everything and set the thread count; the device is CUDA when there is one (this rank's GPU under
    data parallelism). CPU ranks share the cores: each gets its share unless `threads` says otherwise."""
    import numpy as np
    import torch
    from lrx.adapt.encoders.hf import quiet_transformers

    quiet_transformers()
    random.seed(settings.seed)
    np.random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    local_ranks = int(os.environ.get("LOCAL_WORLD_SIZE", "1")) if _world()[1] > 1 else 1
    torch.set_num_threads(settings.threads or max(1, (os.cpu_count() or 1) // local_ranks))
    if torch.cuda.is_available():
        index = int(os.environ.get("LOCAL_RANK", "0")) if _world()[1] > 1 else 0
        torch.cuda.set_device(index)
        return torch.device("cuda", index)
    return torch.device("cpu")


def _launched_world() -> int:
    """WORLD_SIZE as torchrun (or our own launch) set it for this process; 1 when not launched so."""
    return int(os.environ.get("WORLD_SIZE", "1") or 1)


def _launch(function: str, processes: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run the training function named `function` in `processes` ranks with torchrun's launcher and return rank
    0's result. The function travels by name: the workers import this module afresh (spawn)."""
    import uuid

    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig
    from torch.distributed.launcher.api import elastic_launch

    # what torchrun --standalone does: a c10d rendezvous on a free local port, one node, no restarts (a rank
    # that fails fails the run, with its traceback, instead of silently retraining)
    config = LaunchConfig(
        min_nodes=1,
        max_nodes=1,
        nproc_per_node=processes,
        run_id=str(uuid.uuid4()),
        rdzv_backend="c10d",
        rdzv_endpoint="127.0.0.1:0",
        max_restarts=0,
        start_method="spawn",
    )
    log.info("%s: %d data-parallel processes", function, processes)
    try:
        results = elastic_launch(config, _rank_entry)(function, args, kwargs)
    except ChildFailedError as failed:
        rank, failure = failed.get_first_failure()
        # the worker's own exception as the launcher recorded it ({"message": "ValueError: ...", ...}), not the
        # launcher's summary of exit codes
        message = failure.message
        if isinstance(message, dict):
            message = message.get("message", message)
        raise DataParallelError(f"{function} failed in rank {rank} of {processes}: {message}") from None
    return results[0]


def _rank_entry(function: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return globals()[function](*args, **kwargs)


def _data_parallel(train: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Make a training function (one with a `settings: TrainSettings` argument) data parallel: launched in
    `settings.processes` ranks, or, inside ranks already launched (WORLD_SIZE > 1), joined to their process
    group (created here if the caller has not, and taken down again after)."""

    @functools.wraps(train)
    def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
        import torch
        import torch.distributed as dist

        if _launched_world() > 1:
            created = not dist.is_initialized()
            if created:
                dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
            try:
                return train(*args, **kwargs)
            finally:
                if created:
                    dist.destroy_process_group()
        settings = kwargs.get("settings") or next(a for a in args if isinstance(a, TrainSettings))
        if settings.processes > 1:
            return _launch(train.__name__, settings.processes, args, kwargs)
        return train(*args, **kwargs)

    return run


def _save_on_main(save: Callable[[], None]) -> None:
    """Rank 0 writes (DDP keeps every rank's weights equal); the others wait until it has, so that nothing
    reads a half-written directory when the ranks return."""
    if _is_main():
        save()
    _barrier()


def _device() -> torch.device:
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _barrier() -> None:
    import torch.distributed as dist

    if _world()[1] > 1:
        dist.barrier()


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
        return [index[label] for label in sentence.labels]
    except KeyError as exc:
        raise ValueError(f"{sentence.where or 'a sentence'}: {what} {exc.args[0]!r} is not in the label list") from None


def _set_targets(examples: list[_Example], sentences: Sequence[Sentence], index: dict[str, int], what: str) -> None:
    for example, sentence in zip(examples, sentences, strict=True):
        for word, label in enumerate(_label_ids(sentence, index, what)):
            position = example.first[word]
            if position is not None:
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


def _token_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy over labelled positions; 0 (not NaN) for a batch without any."""
    import torch

    if not bool((targets != -100).any()):
        return logits.sum() * 0.0
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def _optimise(
    model: torch.nn.Module,
    examples: Sequence[_Example],
    loss_of: Callable[[torch.nn.Module, dict[str, torch.Tensor]], torch.Tensor],
    collate: Callable[[Sequence[_Example]], dict[str, torch.Tensor]],
    settings: TrainSettings,
    frozen: Sequence[torch.nn.Parameter] = (),
) -> dict[str, Any]:
    """The one loop: AdamW (no decay on biases and norms), linear warm-up and decay, gradient clipping at 1,
    length-bucketed batches, stopping at the step budget or the wall-clock cap. `loss_of(net, batch)` must call
    `net`, which is the model itself or, under data parallelism, its DistributedDataParallel wrapper (whose
    forward is what synchronises the gradients)."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    if not examples:
        raise ValueError("no training examples")
    if settings.batch_size < 1 or settings.epochs <= 0:
        raise ValueError(f"batch_size must be >= 1 and epochs > 0, not {settings.batch_size} and {settings.epochs}")
    for parameter in frozen:
        parameter.requires_grad_(False)
    rank, world = _world()
    net: torch.nn.Module = model
    if world > 1:
        device = next(model.parameters()).device
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
        # the wrapper has made every rank's weights rank 0's; from here on each rank draws its own dropout and
        # masking noise
        torch.manual_seed(settings.seed + rank)
    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    groups = [
        {"params": [p for _, p in trainable if p.ndim >= 2], "weight_decay": settings.weight_decay},
        {"params": [p for _, p in trainable if p.ndim < 2], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=settings.lr)
    # a step takes one batch per rank: an epoch is len(batches) // world steps
    per_epoch = max(1, math.ceil(len(examples) / settings.batch_size) // world)
    total = max(1, math.ceil(settings.epochs * per_epoch))
    if settings.max_steps > 0:
        total = min(total, settings.max_steps)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(settings.warmup_ratio * total), total)
    rng = random.Random(settings.seed)  # the same on every rank: all ranks draw the same batch list
    lengths = [len(e.input_ids) for e in examples]
    deadline = time.monotonic() + settings.max_minutes * 60 if settings.max_minutes > 0 else math.inf
    losses: list[float] = []
    tokens = 0
    stopped_early = False
    model.train()
    started = time.perf_counter()
    while len(losses) < total and not stopped_early:
        batches = _batches(lengths, settings.batch_size, rng)
        for step in range(max(1, len(batches) // world)):
            batch = collate([examples[i] for i in batches[(step * world + rank) % len(batches)]])
            loss = loss_of(net, batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            # [loss, tokens, past the deadline], summed over ranks in one collective: every rank records the
            # mean loss and stops at the same step (a rank that stopped alone would hang the others)
            figures = [float(loss.detach()), float(batch["attention_mask"].sum()), float(time.monotonic() > deadline)]
            if world > 1:
                summed = torch.tensor(figures, dtype=torch.float64, device=loss.device)
                torch.distributed.all_reduce(summed)
                figures = [summed[0].item() / world, summed[1].item(), summed[2].item()]
            losses.append(figures[0])
            tokens += int(figures[1])
            if len(losses) >= total:
                break
            if figures[2] > 0:
                stopped_early = True
                log.warning("training stopped at the %s-minute cap after %d steps", settings.max_minutes, len(losses))
                break
    seconds = time.perf_counter() - started
    model.eval()
    if world > 1:
        _check_ranks_agree(trainable)
    window = min(_LOSS_WINDOW, len(losses))
    return {
        "steps": len(losses),
        "seconds": round(seconds, 3),
        "tokens_per_s": round(tokens / seconds, 1) if seconds > 0 else 0.0,
        "train_sentences": len(examples),
        "processes": world,
        "first_loss": sum(losses[:window]) / window,
        "final_loss": sum(losses[-window:]) / window,
        "stopped_early": stopped_early,
    }


def _check_ranks_agree(trainable: Sequence[tuple[str, torch.nn.Parameter]]) -> None:
    """Every rank must end with the same weights (rank 0 alone saves them): compare a checksum across ranks. A
    forward that bypassed the DDP wrapper would train each rank on its own batches and fail here, not silently."""
    import torch
    import torch.distributed as dist

    with torch.no_grad():  # on the parameters' device: gloo gathers CPU tensors, NCCL CUDA ones
        mine = torch.stack([p.detach().double().sum() for _, p in trainable]).sum().reshape(1)
    everyone = [torch.zeros_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(everyone, mine)
    checksums = [float(t) for t in everyone]
    if len(set(checksums)) > 1:
        raise RuntimeError(f"data-parallel ranks ended with different weights (checksums {checksums})")


def _save_pretrained(model: torch.nn.Module, tokenizer: Any, out_dir: Path, sidecar: dict[str, Any]) -> None:
    """The model and tokenizer (`save_pretrained` layout) and `lrx.json` into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    _write_sidecar(out_dir, sidecar)


def _write_sidecar(out_dir: Path, content: dict[str, Any]) -> None:
    path = out_dir / SIDECAR
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _read_sidecar(model_dir: Path) -> dict[str, Any]:
    path = Path(model_dir) / SIDECAR
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


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


# ---------------------------------------------------------------------------------------------------------------
# token tagging


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


# ---------------------------------------------------------------------------------------------------------------
# joint intent detection and slot filling


_JOINT_HEADS = ("intent", "slot")


@functools.cache
def _joint_class() -> type:
    """The joint model's class, made on first use so that importing this module does not import torch."""
    import torch

    class JointIntentSlots(torch.nn.Module):
        """The encoder, an intent head on the first token ([CLS] / <s>) and a slot head on every token. A module
        with a forward (not a ModuleDict) because DistributedDataParallel synchronises through forward."""

        def __init__(self, encoder: torch.nn.Module, n_intents: int, n_slots: int) -> None:
            super().__init__()
            hidden = encoder.config.hidden_size
            self.encoder = encoder
            self.intent = torch.nn.Linear(hidden, n_intents)
            self.slot = torch.nn.Linear(hidden, n_slots)
            self.dropout = getattr(encoder.config, "hidden_dropout_prob", 0.1)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            states = torch.nn.functional.dropout(states, p=self.dropout, training=self.training)
            return self.intent(states[:, 0]), self.slot(states)

    return JointIntentSlots


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

    stats = _optimise(model, examples, loss_of, lambda b: _collate(b, tokenizer.pad_token_id, device), settings, frozen)
    counts = Counter(label for s in sentences for label in s.labels)

    def save() -> None:
        _save_joint(model, tokenizer, out_dir)
        sidecar = {
            "kind": "intent_slots",
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
    from safetensors.torch import load_file

    model_dir = Path(model_dir)
    sidecar = _read_sidecar(model_dir)
    if sidecar.get("kind") != "intent_slots":
        raise ValueError(f"{model_dir}: not a joint intent + slot model (no {SIDECAR} of kind intent_slots)")
    intents, slot_labels = sidecar["intents"], sidecar["slot_labels"]
    device = _device()
    tokenizer = _load_tokenizer(model_dir)
    model = _joint_model(model_dir, len(intents), len(slot_labels))
    heads = load_file(str(model_dir / HEADS_FILE))
    for name in _JOINT_HEADS:
        prefix = name + "."
        head = {key.removeprefix(prefix): value for key, value in heads.items() if key.startswith(prefix)}
        getattr(model, name).load_state_dict(head)
    model.to(device).eval()
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


# ---------------------------------------------------------------------------------------------------------------
# continued masked-LM training


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
        warmup = _optimise(masked_lm, examples, loss_of, collate, alone, encoder)
        for parameter in encoder:
            parameter.requires_grad_(True)
        log.info("masked-LM head warmed up alone: loss %.2f -> %.2f", warmup["first_loss"], warmup["final_loss"])
    elif head_warmup_steps > 0:
        log.info("%s has its own masked-LM head: no warm-up", encoder_dir)
    stats = _optimise(masked_lm, examples, loss_of, collate, settings, frozen)
    stats["new_lm_head"] = new_head
    if warmup is not None:
        stats["head_warmup"] = warmup

    sidecar = {"kind": "mlm", "max_length": settings.max_length, "settings": asdict(settings), "stats": stats}
    _save_on_main(lambda: _save_pretrained(model, tokenizer, out_dir, sidecar))
    return stats
