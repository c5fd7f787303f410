"""The training stages: `mlm` (continued masked-LM on target text), `train` (fine-tuning on what the method
names), `self_train` (rounds of the model labelling real target text, its confident sentences joining the
training data), `distill` (a student, possibly smaller, on one or more teachers' labels or label distributions
of target text). The task object (`lrx.adapt.tasks.get_task`) says which labels a model learns, which head it
has and how it predicts."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lrx.adapt.run.context import ENCODER
from lrx.adapt.run.context import MLM
from lrx.adapt.run.context import MODEL
from lrx.adapt.run.context import MONOLINGUAL
from lrx.adapt.run.context import PSEUDO_TEXT
from lrx.adapt.run.context import SELF_TRAINED
from lrx.adapt.run.context import STUDENT
from lrx.adapt.run.context import Context
from lrx.adapt.run.context import PipelineError
from lrx.adapt.run.context import atomic_dir
from lrx.adapt.run.context import texts_of
from lrx.adapt.run.settings import DistillSettings
from lrx.adapt.run.settings import MlmSettings
from lrx.adapt.run.settings import SelfTrainSettings
from lrx.adapt.run.settings import TrainStageSettings
from lrx.adapt.run.stages.encoder import prepare_encoder

from lrx.core.sentence import Sentence


def run_mlm(ctx: Context, settings: MlmSettings) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.training import continue_mlm

    if not settings.enabled:
        return "nothing: method.mlm is false", {}
    encoder = prepare_encoder(ctx, settings.encoder) if settings.encoder is not None else {}
    texts = texts_of(ctx.target_text())
    if not texts:
        raise PipelineError(f"mlm: no target-language text in {PSEUDO_TEXT} or {MONOLINGUAL}")
    with atomic_dir(ctx.path(MLM)) as tmp:
        stats = continue_mlm(
            ctx.path(ENCODER), texts, tmp, settings.train, head_warmup_steps=settings.head_warmup_steps
        )
    return f"masked-LM training on {len(texts)} target sentences, {stats['steps']} steps", {**encoder, **stats}


def _finetune(
    ctx: Context,
    train: Sequence[Sentence],
    labels: dict[str, list[str]],
    out: Path,
    settings: Any,
    base: Path | None = None,
    **student: Any,
) -> dict[str, Any]:
    from lrx.adapt.tasks import get_task

    if not train:
        raise PipelineError(f"no training sentences for {ctx.shape.name} (train_on={ctx.shape.train_on})")
    with atomic_dir(out) as tmp:
        if student:  # soft labels or fewer layers: the tagger's own options (validate allows them for tagging)
            from lrx.adapt.training import finetune_tagger

            return finetune_tagger(base or ctx.base_dir, train, labels["labels"], tmp, settings, **student)
        return get_task(ctx.task).finetune(base or ctx.base_dir, train, labels, tmp, settings)


def run_train(ctx: Context, settings: TrainStageSettings) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.tasks import get_task

    encoder = prepare_encoder(ctx, settings.encoder) if settings.encoder is not None else {}
    train = ctx.training_data(settings.target_train)
    # the label lists: the sorted union of the training data's and the English dev set's
    labels = get_task(ctx.task).label_sets([*train, *ctx.english_dev(settings.dev)])
    stats = _finetune(ctx, train, labels, ctx.path(MODEL), settings.train)
    did = f"fine-tuned on {len(train)} sentences ({settings.train_on}), {stats['steps']} steps"
    return did, {**encoder, **stats, "train_on": settings.train_on, **labels}


def _unlabelled(ctx: Context, text: str, limit: int | None) -> list[Sentence]:
    """The unlabelled target text a self-training round labels: the real monolingual text, or (`target`) the
    pseudo-monolingual text too."""
    sentences = ctx.target_text() if text == "target" else ctx.read("text", MONOLINGUAL)
    return [s for s in sentences if s.tokens][: limit or None]


def _label_class(label: str) -> str:
    """A BIO label's entity type (B-PER and I-PER are one class); any other label is its own class."""
    return label[2:] if label[:2] in ("B-", "I-") else label


def select_confident(
    sentences: Sequence[Sentence],
    predicted: Sequence[tuple[list[str], list[list[float]] | None]],
    settings: SelfTrainSettings,
) -> list[Sentence]:
    """The model's labels of `sentences` that self-training learns from (see `method.self_train.selection`):
    whole sentences above the threshold, or per class the surest `keep` fraction of words, the others
    labelled IGNORED (left out of the loss). Sentences with no word kept are left out."""
    from lrx.adapt.training import IGNORED
    from lrx.adapt.training import label_confidence

    pairs = [(s, words, dist) for s, (words, dist) in zip(sentences, predicted, strict=True) if dist is not None]
    if settings.selection == "sentence":
        return [
            Sentence(list(s.tokens), words, {}, s.where)
            for s, words, dist in pairs
            if label_confidence(dist) >= settings.threshold
        ]
    by_class: dict[str, list[float]] = {}
    for _, words, dist in pairs:
        for label, row in zip(words, dist, strict=True):
            if row is not None:
                by_class.setdefault(_label_class(label), []).append(max(row))
    cutoffs = {}
    for label, values in by_class.items():
        values.sort(reverse=True)
        cutoffs[label] = values[max(0, math.ceil(settings.keep * len(values)) - 1)]
    kept = []
    for s, words, dist in pairs:
        labels = [
            label if row is not None and max(row) >= cutoffs[_label_class(label)] else IGNORED
            for label, row in zip(words, dist, strict=True)
        ]
        if any(label != IGNORED for label in labels):
            kept.append(Sentence(list(s.tokens), labels, {}, s.where))
    return kept


def run_self_train(ctx: Context, settings: SelfTrainSettings) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.training import IGNORED
    from lrx.adapt.training import OUTSIDE
    from lrx.adapt.training import SIDECAR
    from lrx.adapt.training import predict_tag_distributions

    if not settings.enabled:
        return "nothing: method.self_train.rounds is 0", {}
    unlabelled = _unlabelled(ctx, settings.text, settings.max_sentences)
    if not unlabelled:
        raise PipelineError(f"self_train: no unlabelled target text in {MONOLINGUAL} (language.monolingual)")
    teacher = ctx.path(MODEL)
    labels = json.loads((teacher / SIDECAR).read_text(encoding="utf-8"))
    label_sets = {"labels": list(labels["labels"])}
    training = ctx.training_data(settings.target_train)
    rounds: list[dict[str, Any]] = []
    for round_number in range(1, settings.rounds + 1):
        predicted = predict_tag_distributions(teacher, unlabelled)
        kept = select_confident(unlabelled, predicted, settings)
        base = teacher if settings.init == "teacher" else ctx.base_dir
        out = ctx.path(SELF_TRAINED if round_number == settings.rounds else f"{SELF_TRAINED}.round{round_number}")
        stats = _finetune(ctx, [*kept, *training], label_sets, out, settings.train, base=base)
        words = Counter(label for s in kept for label in s.labels)
        rounds.append(
            {
                "round": round_number,
                "labelled": len(unlabelled),
                "kept": len(kept),
                "kept_words": sum(n for label, n in words.items() if label != IGNORED),
                "kept_label_words": sum(n for label, n in words.items() if label not in (IGNORED, OUTSIDE)),
                "ignored_words": words[IGNORED],
                **stats,
            }
        )
        if teacher != ctx.path(MODEL):
            shutil.rmtree(teacher, ignore_errors=True)  # an intermediate round's model: the next one replaces it
        teacher = out
    last = rounds[-1]
    rule = f"confidence >= {settings.threshold}" if settings.selection == "sentence" else f"keep {settings.keep}"
    did = (
        f"{settings.rounds} round(s) of self-training: the last kept {last['kept']} of {last['labelled']} target "
        f"sentences ({last['kept_words']} labelled words, {last['kept_label_words']} not O; {rule}) + "
        f"{len(training)} training, {last['steps']} steps"
    )
    return did, {**last, "rounds": rounds}


def _teachers(ctx: Context, settings: DistillSettings, labels: dict[str, list[str]]) -> list[Path]:
    """The teacher ensemble: the run's model (self-trained, if the method self-trains) and `teachers - 1`
    more, trained as the train stage trains with the next seeds (kept in teacher<seed>/, reused on resume)."""
    from dataclasses import replace

    teachers = [ctx.teacher_dir]
    for k in range(1, settings.teachers):
        out = ctx.path(f"teacher{settings.train.seed + k}")
        if not (out / "config.json").is_file():
            train = ctx.training_data(settings.target_train)
            _finetune(ctx, train, labels, out, replace(settings.train, seed=settings.train.seed + k))
        teachers.append(out)
    return teachers


def run_distill(ctx: Context, settings: DistillSettings) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.tasks import get_task
    from lrx.adapt.training import SIDECAR
    from lrx.adapt.training import predict_tag_distributions

    if not settings.enabled:
        return "nothing: method.distill is false", {}
    target = _unlabelled(ctx, settings.text, None)
    if not target:
        raise PipelineError(f"distill: no target-language text in {PSEUDO_TEXT} or {MONOLINGUAL}")
    task = get_task(ctx.task)
    labels = task.model_label_sets(json.loads((ctx.teacher_dir / SIDECAR).read_text(encoding="utf-8")))
    training = ctx.training_data(settings.target_train)
    teachers = _teachers(ctx, settings, labels)
    student: dict[str, Any] = {"num_layers": settings.layers} if settings.layers else {}
    if settings.soft or len(teachers) > 1:
        mean = _mean_distributions([predict_tag_distributions(t, target) for t in teachers])
    if settings.soft:
        seen = [(s, row) for s, row in zip(target, mean, strict=True) if row is not None]
        labelled = [Sentence(list(s.tokens), [], {}, s.where) for s, _ in seen]
        student["soft"] = [*(row for _, row in seen), *([None] * len(training))]
    elif len(teachers) > 1:
        names = labels["labels"]
        labelled = [
            Sentence(list(s.tokens), [_argmax_label(d, names) for d in row or [None] * len(s.tokens)], {}, s.where)
            for s, row in zip(target, mean, strict=True)
        ]
    else:
        labelled = task.predict(ctx.teacher_dir, target)
    train = [*labelled, *training]
    base = ctx.teacher_dir if settings.init == "teacher" else None
    stats = _finetune(ctx, train, labels, ctx.path(STUDENT), settings.train, base=base, **student)
    kind = "label distributions" if settings.soft else "labels"
    did = (
        f"student{f' ({settings.layers} layers)' if settings.layers else ''} on {len(teachers)} teacher(s)' {kind} "
        f"of {len(labelled)} target sentences + {len(training)} training"
    )
    return did, {**stats, "distilled_sentences": len(labelled), "teachers": len(teachers)}


def _mean_distributions(
    predictions: Sequence[Sequence[tuple[list[str], list[list[float]] | None]]],
) -> list[list[list[float] | None] | None]:
    """Per sentence, per word: the teachers' mean label distribution (None where no teacher saw the word)."""
    rows: list[list[list[float] | None] | None] = []
    for per_teacher in zip(*predictions, strict=True):
        dists = [d for _, d in per_teacher if d is not None]
        if not dists:
            rows.append(None)
            continue
        words: list[list[float] | None] = []
        for word_dists in zip(*dists, strict=True):
            seen = [w for w in word_dists if w is not None]
            words.append([sum(v) / len(seen) for v in zip(*seen, strict=True)] if seen else None)
        rows.append(words)
    return rows


def _argmax_label(distribution: list[float] | None, names: Sequence[str]) -> str:
    if distribution is None:
        return "O" if "O" in names else names[0]
    return names[max(range(len(distribution)), key=distribution.__getitem__)]
