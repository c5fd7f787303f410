"""The task registry: one object per task, owning its file format, label scheme, metric and model head.

The pipeline's stages and the synthesis ask the task object instead of branching on the task's name: which
labels a model learns (`label_sets`), how it is fine-tuned and how it predicts (`finetune`, `predict`, the
model head), what its score is (`score`), where a translated sentence keeps its English text
(`record_source_text`). Adding a task is one module that defines its format (`parse`, `serialize`) and
registers a `Task` for it, plus one `conf/task/<name>.yaml`.

Training and scoring import torch, transformers and seqeval only when called, so reading the registry (the CLI,
synthesis) stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from lrx.core.errors import UnknownNameError
from lrx.core.sentence import Sentence

if TYPE_CHECKING:
    from lrx.adapt.training import TrainSettings

Parse = Callable[[str, str, int], list[Sentence]]
Serialize = Callable[[Iterable[Sentence]], Iterator[str]]

_REGISTRY: dict[str, Task] = {}


@dataclass(frozen=True)
class Task:
    """A file format and, for a task a model learns, its labels, head and metric. The base class is a format
    only (plain text): it reads and writes, and has nothing to train or score."""

    name: str
    parse: Parse
    serialize: Serialize
    # bio: spans (NER tags, xSID slots), labels spread B-/I- over a translation; tag: one label per token (POS);
    # none: unlabelled text
    label_scheme: str = "none"
    # the metric names `score` returns, in order (what `lrx report` tabulates)
    metrics: tuple[str, ...] = ()
    # the meta key under which a translated sentence keeps its English text (the writer rebuilds `text`)
    source_text_key: str | None = None
    # meta keys that no longer hold once a sentence is translated (xSID's slot offsets into the English text)
    dropped_on_translation: tuple[str, ...] = ()
    # whether lrx's signature is the file's first line (`# lrx:...`); plain text holds sentences only, and its
    # signature goes to a sidecar file (lrx.adapt.tasks.write_task)
    signature_line: bool = True

    @property
    def trainable(self) -> bool:
        return bool(self.metrics)

    @property
    def metric(self) -> str:
        """The metrics' name as `task.metric` and the comparison table show it: `intent_accuracy+slot_f1`."""
        return "+".join(self.metrics)

    def record_source_text(self, meta: dict[str, str]) -> None:
        """Keep the English sentence under the format's own key in a translation's meta; drop what no longer
        holds."""
        english = meta.get("text")
        for key in self.dropped_on_translation:
            meta.pop(key, None)
        if self.source_text_key is not None and english is not None:
            meta.setdefault(self.source_text_key, english)

    def label_sets(self, sentences: Sequence[Sentence]) -> dict[str, list[str]]:
        """The label inventories a model of this task learns, from `sentences`: `{"labels": [...]}`."""
        return {"labels": sorted({label for s in sentences for label in s.labels})}

    def model_label_sets(self, sidecar: dict[str, Any]) -> dict[str, list[str]]:
        """The label inventories a trained model was saved with (its `lrx.json` sidecar)."""
        return {"labels": list(sidecar["labels"])}

    def finetune(
        self, base: Path, train: Sequence[Sentence], labels: dict[str, list[str]], out: Path, settings: TrainSettings
    ) -> dict[str, Any]:
        raise NotImplementedError(f"task {self.name} has no model to train")

    def predict(self, model_dir: Path, sentences: Sequence[Sentence]) -> list[Sentence]:
        """Copies of `sentences` labelled by the model in `model_dir`."""
        raise NotImplementedError(f"task {self.name} has no model to predict with")

    def score(
        self, gold: Sequence[Sentence], predicted: Sequence[Sentence], *, entity_types: Sequence[str] = ()
    ) -> list[tuple[str, float]]:
        """(metric, score in percent) for each of `metrics`."""
        raise NotImplementedError(f"task {self.name} has no metric")


@dataclass(frozen=True)
class TaggingTask(Task):
    """One label per token from a token-classification head (NER, POS)."""

    def finetune(
        self, base: Path, train: Sequence[Sentence], labels: dict[str, list[str]], out: Path, settings: TrainSettings
    ) -> dict[str, Any]:
        from lrx.adapt.training import finetune_tagger

        return finetune_tagger(base, train, labels["labels"], out, settings)

    def predict(self, model_dir: Path, sentences: Sequence[Sentence]) -> list[Sentence]:
        from lrx.adapt.training import distill_labels

        return distill_labels(model_dir, sentences)

    def score(
        self, gold: Sequence[Sentence], predicted: Sequence[Sentence], *, entity_types: Sequence[str] = ()
    ) -> list[tuple[str, float]]:
        from lrx.adapt.evaluation import entity_f1
        from lrx.adapt.evaluation import tag_accuracy

        gold_labels = [list(s.labels) for s in gold]
        predicted_labels = [list(s.labels) for s in predicted]
        if self.metrics == ("entity_f1",):
            return [("entity_f1", entity_f1(gold_labels, predicted_labels, types=list(entity_types) or None))]
        if self.metrics == ("tag_accuracy",):
            return [("tag_accuracy", tag_accuracy(gold_labels, predicted_labels))]
        raise NotImplementedError(f"task {self.name}: no scorer for {self.metric}")


@dataclass(frozen=True)
class IntentSlotTask(Task):
    """An intent per sentence and BIO slots per token, from one encoder with two heads (xSID)."""

    def label_sets(self, sentences: Sequence[Sentence]) -> dict[str, list[str]]:
        intents = sorted({str(s.meta["intent"]) for s in sentences if s.meta.get("intent") is not None})
        return {"intents": intents, "slot_labels": super().label_sets(sentences)["labels"]}

    def model_label_sets(self, sidecar: dict[str, Any]) -> dict[str, list[str]]:
        return {"intents": list(sidecar["intents"]), "slot_labels": list(sidecar["slot_labels"])}

    def finetune(
        self, base: Path, train: Sequence[Sentence], labels: dict[str, list[str]], out: Path, settings: TrainSettings
    ) -> dict[str, Any]:
        from lrx.adapt.training import finetune_intent_slots

        return finetune_intent_slots(base, train, labels["intents"], labels["slot_labels"], out, settings)

    def predict(self, model_dir: Path, sentences: Sequence[Sentence]) -> list[Sentence]:
        from lrx.adapt.training import predict_intent_slots

        intents, slots = predict_intent_slots(model_dir, sentences)
        return [
            Sentence(list(s.tokens), labels, {"intent": intent}, s.where)
            for s, intent, labels in zip(sentences, intents, slots, strict=True)
        ]

    def score(
        self, gold: Sequence[Sentence], predicted: Sequence[Sentence], *, entity_types: Sequence[str] = ()
    ) -> list[tuple[str, float]]:
        from lrx.adapt.evaluation import intent_accuracy
        from lrx.adapt.evaluation import slot_f1

        gold_intents = [str(s.meta.get("intent")) for s in gold]
        predicted_intents = [str(s.meta.get("intent")) for s in predicted]
        gold_slots = [list(s.labels) for s in gold]
        predicted_slots = [list(s.labels) for s in predicted]
        return [
            ("intent_accuracy", intent_accuracy(gold_intents, predicted_intents)),
            ("slot_f1", slot_f1(gold_slots, predicted_slots)),
        ]


def register_task(task: Task) -> Task:
    """Add `task` to the registry under its name (a second registration of a name replaces the first)."""
    _REGISTRY[task.name] = task
    return task


def get_task(name: str) -> Task:
    """The registered task called `name`; an unknown name is an `UnknownNameError` listing the known ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownNameError(f"unknown task {name!r}; one of {', '.join(_REGISTRY)}") from None


def task_names(*, trainable: bool | None = None) -> tuple[str, ...]:
    """The registered tasks' names (only those a model learns with `trainable=True`)."""
    return tuple(n for n, t in _REGISTRY.items() if trainable is None or t.trainable == trainable)
