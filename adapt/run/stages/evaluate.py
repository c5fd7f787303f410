"""The `evaluate` stage: the final model on every test set of the language for the task (and, with
`task.eval_dev`, its dev sets), scored as the task says (`lrx.adapt.tasks.get_task(...).score`), written as
`metrics.json`, the format `lrx report` reads. A self-training run also scores the model it started from
(`model/`, round 0) under the method name `<method>.round0`, and a distilling run its teacher as
`<method>.teacher`: what the step added, from one job. With a pretrained encoder that starting model is trained
exactly as the base method's own run trains it (same data, seed and settings: self_train_en.round0 scores as
zero_shot does); an encoder that learns its vocabulary from the run's text (tiny) differs, because the run's
text includes the unlabelled target text. Each entry records the prediction speed (`sentences_per_s`)."""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lrx.adapt.run.context import METRICS_FILE
from lrx.adapt.run.context import MODEL
from lrx.adapt.run.context import Context
from lrx.adapt.run.context import PipelineError
from lrx.adapt.run.context import cap
from lrx.adapt.run.context import read_markers
from lrx.adapt.run.context import write_json
from lrx.adapt.run.settings import EvaluateSettings

log = logging.getLogger(__name__)

# the method name under which a self-training run's starting model (round 0) is scored
ROUND0_SUFFIX = ".round0"
# and the one under which a distilled student's teacher is
TEACHER_SUFFIX = ".teacher"


def short_test_set_name(url: str) -> str:
    """A short name for a test file's URL: `masakhaner2/ewe/test`, `ud/wolof-wtb/test`, `xsid/de-st/test`."""
    path = url.split("://", 1)[-1]
    if found := re.search(r"MasakhaNER2\.0/data/([^/]+)/([^/.]+)\.\w+$", path):
        return f"masakhaner2/{found[1]}/{found[2]}"
    if found := re.search(r"UD_([^/]+)/(?:[^/]+/)*[^/]*?-ud-([^/.]+)\.conllu$", path):
        return f"ud/{found[1].lower()}/{found[2]}"
    if found := re.search(r"xSID-[^/]+/([^/]+)\.([^/.]+)\.conll$", path):
        return f"xsid/{found[1]}/{found[2]}"
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[-2:]).rsplit(".", 1)[0] if parts else url


def _signature(ctx: Context, settings: EvaluateSettings) -> str:
    """The pseudo data's signature, or (no pseudo data) one naming the run's pair and method."""
    from lrx.adapt.synthesize import lrx_version
    from lrx.adapt.tasks import read_signature

    if ctx.uses_pseudo and ctx.pseudo_path.is_file():
        found = read_signature(ctx.pseudo_path)
        if found:
            return found
    s = settings
    return f"lrx:{lrx_version()}|task:{ctx.task}|pair:{s.src}-{s.tgt}|seed:{s.seed}|method:{s.method}"


def main_metric(rows: Sequence[dict[str, Any]]) -> float:
    """The number a sweeper optimises: the mean score over the test sets (over both of xSID's metrics)."""
    scores = [float(r["score"]) for r in rows]
    return sum(scores) / len(scores) if scores else math.nan


def _scored_models(ctx: Context, method: str) -> list[tuple[str, Path]]:
    """(method name in metrics.json, model directory): the final model, then the models it was made from
    where the method has them: a distilled student's teacher (`<method>.teacher`) and a self-training run's
    starting model (`<method>.round0`)."""
    models = [(method, ctx.final_dir)]
    if ctx.shape.distill:
        models.append((f"{method}{TEACHER_SUFFIX}", ctx.teacher_dir))
    if ctx.shape.self_train:
        models.append((f"{method}{ROUND0_SUFFIX}", ctx.path(MODEL)))
    return models


def run_evaluate(ctx: Context, settings: EvaluateSettings) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.tasks import get_task
    from lrx.adapt.tasks import read_task

    from lrx.core.fetch import fetch

    task = get_task(ctx.task)
    signature = _signature(ctx, settings)
    models = _scored_models(ctx, settings.method)
    rows: list[dict[str, Any]] = []
    for url in (*settings.test_sets, *settings.dev_sets):
        gold = cap([s for s in read_task(ctx.task, fetch(url)) if s.tokens], settings.max_sentences)
        for method, model_dir in models:
            start = time.perf_counter()
            predicted = task.predict(model_dir, gold)
            predict_seconds = time.perf_counter() - start
            scores = task.score(gold, predicted, entity_types=settings.entity_types)
            seconds = time.perf_counter() - start
            for metric, score in scores:
                rows.append(
                    {
                        "language": settings.language,
                        "task": ctx.task,
                        "method": method,
                        "model": settings.model,
                        "test_set": short_test_set_name(url),
                        "metric": metric,
                        "score": round(float(score), 4),
                        "signature": signature,
                        "seconds": seconds / len(scores),
                        "seed": settings.seed,
                        # inference speed on this machine (model loading included), for comparing a student
                        # with its teacher
                        "sentences_per_s": round(len(gold) / predict_seconds, 2) if predict_seconds > 0 else None,
                    }
                )
                log.info(
                    "evaluate: %s %s %s = %.2f (%d sentences)",
                    method,
                    short_test_set_name(url),
                    metric,
                    score,
                    len(gold),
                )
    if not rows:
        raise PipelineError(f"language {settings.language} has no test set for task {ctx.task}")
    # the job's compute (every stage's seconds, from the markers), shared among its entries so that the total
    # `lrx report` adds up is the job's
    earlier = sum(
        float(m.get("seconds", 0)) for m in read_markers(ctx.run_dir).values() if m.get("stage") != "evaluate"
    )
    for row in rows:
        row["seconds"] = round(row["seconds"] + earlier / len(rows), 3)
    write_json(ctx.path(METRICS_FILE), rows)
    main = main_metric([r for r in rows if r["method"] == settings.method and not r["test_set"].endswith("/dev")])
    return f"{len(rows)} scores, mean {main:.2f}", {"metrics": rows, "main_metric": main}
