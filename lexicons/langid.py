"""fastText language identification for `lrx validate`: `lid.176.ftz` (fastText's published 176-language
model), fetched through lrx's own fetch layer (sha256-pinned, cached, `LRX_MIRROR`/`LRX_OFFLINE` aware), loaded on
first use by `fasttext` (the `[langid]` extra), and its best guess for a text (`identify`)."""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import unicodedata
from typing import Any

from lrx.core.errors import FetchError
from lrx.core.fetch import fetch

log = logging.getLogger(__name__)


# fastText language identification is unreliable on short text (Swahili comes out as eo/la below ~8 words)
LANGID_MIN_WORDS = 8
LANGID_MIN_PROBABILITY = 0.9


# -- fastText language identification ------------------------------------------------------------------------


# fastText's compressed language identification model (Joulin et al. 2016; CC BY-SA 3.0), 917 kB
LANGID_MODEL_URL = "https://dl.fbaipublicfiles.com/fasttext/supported-models/lid.176.ftz"
LANGID_MODEL_SHA256 = "8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83"


def langid_model() -> Any | None:
    """fastText's `lid.176.ftz`, fetched (pinned by sha256) and loaded on first use; None when the `fasttext`
    module (the `[langid]` extra) is missing or the model cannot be fetched (the check is then skipped, with one
    warning line that says why). Kept per fetch setting: a failure offline is not remembered once a mirror is set."""
    return _langid_model_for(tuple(os.environ.get(name) for name in ("LRX_MIRROR", "LRX_CACHE", "LRX_OFFLINE")))


@functools.cache
def _langid_model_for(fetch_settings: tuple[str | None, ...]) -> Any | None:
    try:
        import fasttext
    except ImportError:
        log.warning("language identification skipped: it needs the [langid] extra (pip install 'lrx[langid]')")
        return None
    try:
        model_path = fetch(LANGID_MODEL_URL, sha256=LANGID_MODEL_SHA256, max_bytes=4 * 1024 * 1024)
    except FetchError as error:
        log.warning("language identification skipped: %s", error)
        return None
    with contextlib.redirect_stderr(io.StringIO()):  # older builds print a load_model notice
        return fasttext.load_model(str(model_path))


def _langid_labels() -> tuple[str, ...]:
    model = langid_model()
    return tuple(label.removeprefix("__label__") for label in model.get_labels()) if model is not None else ()


def identify(text: str) -> tuple[str, float] | None:
    """(language code, probability) of fastText's best guess, or None without a model."""
    model = langid_model()
    if model is None:
        return None
    clean = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)  # no newlines, no controls
    labels, probabilities = model.predict(clean, k=1)
    return labels[0].removeprefix("__label__"), min(float(probabilities[0]), 1.0)
