"""How to train (`TrainSettings`, the same settings for every loop), and the error a failed data-parallel
process raises."""

from __future__ import annotations

from dataclasses import dataclass

from lrx.core.errors import LrxError


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
