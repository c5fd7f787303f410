"""What every module that touches Hugging Face needs, and nothing else: whether the hub may be contacted, and
quieting transformers' per-load reports (lrx logs what it builds, trains and saves itself)."""

from __future__ import annotations

import os

_TRUE = frozenset({"1", "on", "yes", "true"})


def hub_offline() -> bool:
    """Whether the Hugging Face hub must not be contacted (`HF_HUB_OFFLINE` set to a true value, as the hub
    library reads it)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


def quiet_transformers() -> None:
    """transformers prints a load report for every freshly initialised head and a progress bar per saved
    shard: noise in a sweep's logs (lrx logs what it builds, trains and where it saves)."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
