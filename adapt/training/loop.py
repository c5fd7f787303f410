"""The optimisation loop every training function runs (`_optimise`), and the token-level loss.

Plain torch loops rather than the Hugging Face Trainer: the runs here are small, on CPU more often than not,
and a loop of forty lines is easier to make exactly reproducible (every run seeds `random`, numpy and torch
from `TrainSettings.seed`) and to bound in steps and wall-clock minutes than the Trainer's machinery.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from lrx.adapt.training.examples import _batches
from lrx.adapt.training.examples import _Example
from lrx.adapt.training.parallel import _world
from lrx.adapt.training.settings import TrainSettings

from lrx.core.progress import progress

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

_LOSS_WINDOW = 10  # first_loss / final_loss are means over this many steps: one step's loss is noisy


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
    description: str = "training",
) -> dict[str, Any]:
    """The one loop: AdamW (no decay on biases and norms), linear warm-up and decay, gradient clipping at 1,
    length-bucketed batches, stopping at the step budget or the wall-clock cap. `loss_of(net, batch)` must call
    `net`, which is the model itself or, under data parallelism, its DistributedDataParallel wrapper (whose
    forward is what synchronises the gradients). `description` names the run in its progress bar or lines."""
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
    # one process speaks for all: the figures it shows are already summed over the ranks
    shown = progress(
        description,
        total,
        logger=log,
        mode="off" if rank else None,
        max_seconds=settings.max_minutes * 60 if settings.max_minutes > 0 else None,
    )
    with shown as bar:
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
                late = float(time.monotonic() > deadline)
                figures = [float(loss.detach()), float(batch["attention_mask"].sum()), late]
                if world > 1:
                    summed = torch.tensor(figures, dtype=torch.float64, device=loss.device)
                    torch.distributed.all_reduce(summed)
                    figures = [summed[0].item() / world, summed[1].item(), summed[2].item()]
                losses.append(figures[0])
                tokens += int(figures[1])
                bar.advance(loss=figures[0], tokens=int(figures[1]))
                if len(losses) >= total:
                    break
                if figures[2] > 0:
                    stopped_early = True
                    cap = settings.max_minutes
                    log.warning("training stopped at the %s-minute cap after %d steps", cap, len(losses))
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
