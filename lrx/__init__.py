"""lrx: low-resource language expansion.

The public API, for notebooks and scripts (each name is imported on first use, so `import lrx` is instant and
needs neither torch nor Hydra):

    import lrx
    lexicon = lrx.load_lexicon("gatitos", tgt="ee")           # a Lexicon: lexicon.lookup("water"), len(lexicon)
    pseudo = lrx.synthesize(["The dog sleeps ."], tgt="ee")   # list[Sentence]: word-by-word pseudo data
    rows = lrx.run("model=tiny", "compare_with=[]")           # an lrx-run job in this process: metrics.json rows

The packages: `lrx.core` (errors, fetch, Sentence, language codes), `lrx.morphology`, `lrx.lexicons`,
`lrx.adapt` (encoders, training, the `lrx-run` pipeline, the CLI) and `lrx.conf` (the Hydra configs).
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version
from typing import TYPE_CHECKING
from typing import Any

try:
    __version__: str = _distribution_version("lrx")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

# public name -> the module that defines it
_EXPORTS = {
    "load_lexicon": "lrx.api",
    "synthesize": "lrx.api",
    "run": "lrx.api",
    "Lexicon": "lrx.lexicons.lexicon",
    "Sentence": "lrx.core.sentence",
    "LrxError": "lrx.core.errors",
}

__all__ = ["Lexicon", "LrxError", "Sentence", "__version__", "load_lexicon", "run", "synthesize"]

if TYPE_CHECKING:
    from lrx.api import load_lexicon
    from lrx.api import run
    from lrx.api import synthesize
    from lrx.core.errors import LrxError
    from lrx.core.sentence import Sentence
    from lrx.lexicons.lexicon import Lexicon


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lrx' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
