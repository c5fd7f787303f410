"""Data parallel: with `TrainSettings.processes` > 1 a training function runs itself in that many processes,
started by torchrun's own launcher (`torch.distributed.launcher.elastic_launch`, standalone rendezvous on
127.0.0.1), one GPU each where there are GPUs (NCCL), else CPU processes sharing the cores (gloo). The model is
wrapped in `DistributedDataParallel`; every rank draws the same shuffled batch list and takes every
`processes`-th batch, so one step sees `processes` batches; rank 0 alone writes the model. Only the training
function runs in the workers: the Hydra run, its directory and every other stage stay in one process, which is
why the pipeline does not ask users to start `lrx-run` itself under torchrun. A script that does run under
torchrun (WORLD_SIZE set) gets the same behaviour: the functions join the existing ranks instead of launching.

Here: the launcher (`_data_parallel`, the decorator of every training function, and `_launch`), this process's
rank and device, seeding (`_start`), and rank 0's saving (`_save_on_main`). The per-step synchronisation is in
`lrx.adapt.training.loop`.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import random
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from lrx.adapt.training.settings import DataParallelError
from lrx.adapt.training.settings import TrainSettings

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)


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


def _launch(module: str, function: str, processes: int, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Run the training function `function` of the module `module` in `processes` ranks with torchrun's launcher
    and return rank 0's result. The function travels by name (its module's and its own): the workers import that
    module afresh (spawn)."""
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
        results = elastic_launch(config, _rank_entry)(module, function, args, kwargs)
    except ChildFailedError as failed:
        rank, failure = failed.get_first_failure()
        # the worker's own exception as the launcher recorded it ({"message": "ValueError: ...", ...}), not the
        # launcher's summary of exit codes
        message = failure.message
        if isinstance(message, dict):
            message = message.get("message", message)
        raise DataParallelError(f"{function} failed in rank {rank} of {processes}: {message}") from None
    return results[0]


def _rank_entry(module: str, function: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A worker's entry: the training function (its `_data_parallel` wrapper, which sees WORLD_SIZE and joins
    the ranks) looked up by module and name, as `_launch` sent it."""
    return getattr(importlib.import_module(module), function)(*args, **kwargs)


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
            return _launch(train.__module__, train.__name__, settings.processes, args, kwargs)
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
