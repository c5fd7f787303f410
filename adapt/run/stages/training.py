"""The training stages: `mlm` (continued masked-LM on target text), `train` (fine-tuning on what the method
names), `distill` (a student on the trained model's labels of target text). The task object
(`lrx.adapt.tasks.get_task`) says which labels a model learns, which head it has and how it predicts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lrx.adapt.run.context import ENCODER
from lrx.adapt.run.context import MLM
from lrx.adapt.run.context import MODEL
from lrx.adapt.run.context import MONOLINGUAL
from lrx.adapt.run.context import PSEUDO_TEXT
from lrx.adapt.run.context import STUDENT
from lrx.adapt.run.context import Context
from lrx.adapt.run.context import PipelineError
from lrx.adapt.run.context import atomic_dir
from lrx.adapt.run.context import texts_of
from lrx.adapt.run.settings import DistillSettings
from lrx.adapt.run.settings import MlmSettings
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
    ctx: Context, train: Sequence[Sentence], labels: dict[str, list[str]], out: Path, settings: Any
) -> dict[str, Any]:
    from lrx.adapt.tasks import get_task

    if not train:
        raise PipelineError(f"no training sentences for {ctx.shape.name} (train_on={ctx.shape.train_on})")
    with atomic_dir(out) as tmp:
        return get_task(ctx.task).finetune(ctx.base_dir, train, labels, tmp, settings)


def run_train(ctx: Context, settings: TrainStageSettings) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.tasks import get_task

    encoder = prepare_encoder(ctx, settings.encoder) if settings.encoder is not None else {}
    train = ctx.training_data()
    # the label lists: the sorted union of the training data's and the English dev set's
    labels = get_task(ctx.task).label_sets([*train, *ctx.english_dev(settings.dev)])
    stats = _finetune(ctx, train, labels, ctx.path(MODEL), settings.train)
    did = f"fine-tuned on {len(train)} sentences ({settings.train_on}), {stats['steps']} steps"
    return did, {**encoder, **stats, "train_on": settings.train_on, **labels}


def run_distill(ctx: Context, settings: DistillSettings) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.tasks import get_task
    from lrx.adapt.training import SIDECAR

    if not settings.enabled:
        return "nothing: method.distill is false", {}
    target = ctx.target_text()
    if not target:
        raise PipelineError(f"distill: no target-language text in {PSEUDO_TEXT} or {MONOLINGUAL}")
    task = get_task(ctx.task)
    teacher = ctx.path(MODEL)
    labelled = task.predict(teacher, target)
    train = [*labelled, *ctx.training_data()]
    labels = task.model_label_sets(json.loads((teacher / SIDECAR).read_text(encoding="utf-8")))
    stats = _finetune(ctx, train, labels, ctx.path(STUDENT), settings.train)
    did = f"student on {len(labelled)} teacher-labelled target sentences + {len(train) - len(labelled)} training"
    return did, {**stats, "distilled_sentences": len(labelled)}
