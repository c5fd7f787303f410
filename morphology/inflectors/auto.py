"""Pick the inflection method by dev accuracy, and answer from the training table first.

`auto` trains each candidate method (default: rules, then neural) on train, keeps the one with the best dev
accuracy (the earlier in the list on ties, so the cheaper one), and at inference returns the training form for
a (lemma, features) cell seen in training before asking the chosen model: a model can get a memorised cell
wrong, the table cannot. A method that is not registered (e.g. neural where torch is not installed) is skipped
with a warning rather than failing the whole training.

Saved as a directory: `inflector.json` (methods, choice, dev accuracies), the chosen model in `model/` and the
training table in `lookup/`, each a saved inflector of its own.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lrx.morphology.inflectors.base import Example
from lrx.morphology.inflectors.base import Inflector
from lrx.morphology.inflectors.base import inflector_class
from lrx.morphology.inflectors.base import inflector_names
from lrx.morphology.inflectors.base import load_inflector
from lrx.morphology.inflectors.base import register_inflector
from lrx.morphology.inflectors.lookup import LookupInflector

log = logging.getLogger(__name__)

DEFAULT_METHODS = ("rules", "neural")
MODEL_DIR = "model"
LOOKUP_DIR = "lookup"
HELD_OUT_FRACTION = 0.1  # of the training lemmas, set aside for choosing when no dev set is given


def split_by_lemma(
    examples: Sequence[Example], fraction: float = HELD_OUT_FRACTION, seed: int = 1
) -> tuple[list[Example], list[Example]]:
    """(train, held out) with whole lemmas held out, like the lemma-split shared-task dev sets: holding out
    single cells of a lemma seen in training would reward memorisation."""
    lemmas = sorted({e.lemma for e in examples})
    random.Random(seed).shuffle(lemmas)
    held = set(lemmas[: max(1, round(fraction * len(lemmas)))]) if len(lemmas) > 1 else set()
    return [e for e in examples if e.lemma not in held], [e for e in examples if e.lemma in held]


@register_inflector("auto")
class AutoInflector(Inflector):
    """Train several methods, keep the best on dev; training table first at inference.

    methods: candidate method names, in order of preference on ties. options: per-method constructor options,
    e.g. {"neural": {"max_minutes": 5, "seed": 2}}. seed: for the held-out split when `fit` gets no dev.
    """

    def __init__(
        self,
        methods: Sequence[str] = DEFAULT_METHODS,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        seed: int = 1,
    ) -> None:
        if not methods:
            raise ValueError("auto needs at least one candidate method")
        if "auto" in methods:
            raise ValueError("auto cannot be one of its own candidate methods")
        self.methods = list(methods)
        self.options = {name: dict(values) for name, values in (options or {}).items()}
        self.seed = seed
        self.chosen: str | None = None
        self.dev_accuracy: dict[str, float] = {}
        self.train_seconds: dict[str, float] = {}
        self.model: Inflector | None = None
        # every candidate fitted by the last `fit`, the chosen one among them (not saved: for benchmarks that
        # score each candidate on test without training it twice)
        self.candidates: dict[str, Inflector] = {}
        self.lookup = LookupInflector()

    def config(self) -> dict[str, Any]:
        return {
            "methods": self.methods,
            "options": self.options,
            "seed": self.seed,
            "chosen": self.chosen,
            "dev_accuracy": self.dev_accuracy,
            "train_seconds": self.train_seconds,
        }

    def fit(self, train: Sequence[Example], dev: Sequence[Example] | None = None) -> AutoInflector:
        if not train:
            raise ValueError("no training examples")
        self.lookup = LookupInflector().fit(train)
        fit_on: Sequence[Example] = train
        if not dev:
            fit_on, dev = split_by_lemma(train, seed=self.seed)
            held_lemmas = len({e.lemma for e in dev})
            log.warning("auto: no dev set; choosing on %d held-out examples (%d lemmas)", len(dev), held_lemmas)
        available = []
        for name in self.methods:
            if name in inflector_names():
                available.append(name)
            else:
                log.warning("auto: inflection method %r is not available (not registered); skipping it", name)
        if not available:
            raise ValueError(f"none of the methods {', '.join(self.methods)} is available")
        best: tuple[float, str, Inflector] | None = None
        self.dev_accuracy, self.train_seconds, self.candidates = {}, {}, {}
        for name in available:
            started = time.perf_counter()
            model = inflector_class(name)(**self.options.get(name, {})).fit(fit_on, dev)
            self.train_seconds[name] = round(time.perf_counter() - started, 2)
            self.candidates[name] = model
            score = model.accuracy(dev) if dev else 0.0
            self.dev_accuracy[name] = round(score, 2)
            log.info("auto: %s: dev accuracy %.2f (%.1f s)", name, score, self.train_seconds[name])
            if best is None or score > best[0]:  # strictly better: earlier methods win ties
                best = (score, name, model)
        assert best is not None
        _, self.chosen, self.model = best
        return self

    def inflect_many(self, queries: Sequence[tuple[str, str]]) -> list[str | None]:
        if self.model is None:
            raise RuntimeError("auto inflector used before fit or load")
        known = self.lookup.inflect_many(queries)
        missing = [i for i, form in enumerate(known) if form is None]
        if missing:
            guessed = self.model.inflect_many([queries[i] for i in missing])
            for i, form in zip(missing, guessed, strict=True):
                known[i] = form
        return known

    def _save(self, directory: Path) -> None:
        if self.model is None:
            raise RuntimeError("auto inflector saved before fit")
        self.model.save(directory / MODEL_DIR)
        self.lookup.save(directory / LOOKUP_DIR)

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any]) -> AutoInflector:
        inflector = cls(methods=config["methods"], options=config.get("options"), seed=config.get("seed", 1))
        inflector.chosen = config.get("chosen")
        inflector.dev_accuracy = dict(config.get("dev_accuracy", {}))
        inflector.train_seconds = dict(config.get("train_seconds", {}))
        inflector.model = load_inflector(directory / MODEL_DIR)
        lookup = load_inflector(directory / LOOKUP_DIR)
        if not isinstance(lookup, LookupInflector):
            raise ValueError(f"{directory / LOOKUP_DIR} is a {lookup.method!r} inflector, not a lookup table")
        inflector.lookup = lookup
        return inflector
