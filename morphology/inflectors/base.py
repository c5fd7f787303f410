"""What every inflector is: fit on (lemma, features, form) examples, inflect, save to and load from a directory.

A saved inflector is a directory with `inflector.json` (`{"method": NAME, ...}`) plus whatever the method needs
(rules as JSON, neural weights as safetensors). Nothing is pickled, so a downloaded model cannot run code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import ClassVar
from typing import NamedTuple

from lrx.core.errors import UnknownNameError


class Example(NamedTuple):
    """One inflection: `lemma` + UniMorph feature bundle (canonical string) -> `form`."""

    lemma: str
    feats: str
    form: str


CONFIG_FILE = "inflector.json"

_REGISTRY: dict[str, type[Inflector]] = {}


def register_inflector(name: str) -> Callable[[type[Inflector]], type[Inflector]]:
    """Class decorator: make an inflector method available by `name`; registering a name twice fails."""

    def decorate(cls: type[Inflector]) -> type[Inflector]:
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ValueError(f"inflector {name!r} registered twice: {_REGISTRY[name].__qualname__}, {cls.__qualname__}")
        cls.method = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def inflector_class(name: str) -> type[Inflector]:
    """The inflector registered as `name`; UnknownNameError (a KeyError) with close matches otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownNameError.among("inflection method", name, _REGISTRY) from None


def inflector_names() -> list[str]:
    return sorted(_REGISTRY)


class Inflector:
    """Base class. Subclasses implement `fit`, `inflect_many`, `_save` and `_load`."""

    method: ClassVar[str] = ""

    def fit(self, train: Sequence[Example], dev: Sequence[Example] | None = None) -> Inflector:
        raise NotImplementedError

    def inflect_many(self, queries: Sequence[tuple[str, str]]) -> list[str | None]:
        """Forms for (lemma, feats) queries; None where this inflector has no answer."""
        raise NotImplementedError

    def inflect(self, lemma: str, feats: str) -> str | None:
        return self.inflect_many([(lemma, feats)])[0]

    def accuracy(self, examples: Sequence[Example]) -> float:
        """Exact-match accuracy in percent, as the SIGMORPHON shared tasks score it."""
        if not examples:
            return 0.0
        predicted = self.inflect_many([(e.lemma, e.feats) for e in examples])
        return 100.0 * sum(p == e.form for p, e in zip(predicted, examples, strict=True)) / len(examples)

    # -- persistence ---------------------------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        """JSON-serialisable settings written to `inflector.json` beside `method`."""
        return {}

    def settled_config(self) -> dict[str, Any]:
        """Constructor options that reproduce the choices `fit` made on dev (an "auto" setting replaced by
        what it chose), for fitting the same kind of model again where there is no dev set."""
        return {}

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self._save(directory)
        (directory / CONFIG_FILE).write_text(
            json.dumps({"method": self.method, **self.config()}, ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
        return directory

    def _save(self, directory: Path) -> None:
        raise NotImplementedError

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any]) -> Inflector:
        raise NotImplementedError


def load_inflector(directory: str | Path) -> Inflector:
    """Load a directory written by `Inflector.save`, dispatching on its recorded method."""
    directory = Path(directory)
    path = directory / CONFIG_FILE
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{directory} is not a saved inflector (no {CONFIG_FILE})") from None
    if not isinstance(config, dict) or "method" not in config:
        raise ValueError(f"{path}: no 'method' recorded")
    return inflector_class(config["method"])._load(directory, config)
