"""The stage engine of `lrx-run`: plans which stages must run, runs them in the run directory, records each in
its marker. The stages themselves, each with its typed settings, are `lrx.adapt.run.stages`.

Resuming: each stage ends by writing `stages/<stage>.json` (what it did, the signatures of its inputs, its
seconds, a fresh id). A later run in the same directory skips a stage whose marker is there and whose inputs
are unchanged: the same config, and the same ids for the stages it reads from (a stage that runs again gets
a new id, so what depends on it runs again too). `force=true` runs every requested stage. A stage deletes its
marker before it starts and writes its outputs under temporary names, renamed into place when complete, so a
run killed in the middle of a stage redoes that stage and nothing before it. `stages=[...]` runs only those
stages, reading what earlier ones made from the run directory (an error names what is missing).

The weights, at the end of a run that evaluated (`discard_weights`): `save_model=null`, the default, keeps the
final model (`model/`, `self_train/` or `student/`: the one evaluate scored under the method's name) in a single
run (`lrx-run`, `lrx.run`, `run_pipeline` outside a sweep) and deletes the other weight directories (`encoder/`,
`mlm/`, the models it was made from, extra teachers); in a sweep (`--multirun`, Hydra's mode) it deletes them all,
as `save_model=false` does anywhere; `save_model=true` keeps them all. A language without a test set keeps its
final model whatever save_model says (unless true, which keeps everything): the model is the run's only product.
Metrics, pseudo data and markers always stay. The kept final model gets a model card, `README.md`
(`lrx.adapt.run.model_card`), written after evaluate so that it holds the scores; `lrx export` ships the directory.
A later run that needs deleted weights again (a stage after them redone, or evaluate, which reads every model it
scores) retrains: the planner reruns a requested stage whose outputs are gone when a stage that reads them has to
run. `run.json` names what the run is (language, task, method, model) for the card.

Failures: any exception writes `failed.json` (`{language, method, stage, error}`, the error a traceback; `lrx
report` shows the cell as failed) and is raised again. Hydra's launchers (joblib, submitit) catch a job's
exception in `run_job`, so the other jobs of a sweep still run; the sweep exits non-zero at the end.
"""

from __future__ import annotations

import logging
import math
import shutil
import time
import traceback
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from lrx.adapt.run.context import ENCODER
from lrx.adapt.run.context import FAILED_FILE
from lrx.adapt.run.context import METRICS_FILE
from lrx.adapt.run.context import MLM
from lrx.adapt.run.context import SELF_TRAINED
from lrx.adapt.run.context import STAGES
from lrx.adapt.run.context import WEIGHT_DIRS
from lrx.adapt.run.context import Context
from lrx.adapt.run.context import PipelineError
from lrx.adapt.run.context import digest
from lrx.adapt.run.context import marker_path
from lrx.adapt.run.context import plain
from lrx.adapt.run.context import read_markers
from lrx.adapt.run.context import write_json
from lrx.adapt.run.model_card import write_card
from lrx.adapt.run.model_card import write_run_record
from lrx.adapt.run.schema import validate
from lrx.adapt.run.stages import STAGE_BY_NAME
from omegaconf import DictConfig
from omegaconf import OmegaConf

log = logging.getLogger(__name__)

__all__ = [
    "STAGES",
    "PipelineError",
    "RunResult",
    "discard_weights",
    "in_sweep",
    "marker_path",
    "plan",
    "run_pipeline",
    "weights_to_discard",
    "write_model_card",
]


def _needs(ctx: Context, stage: str) -> list[str]:
    """The earlier stages whose outputs `stage` reads; one that makes nothing for this method (mlm without
    method.mlm) is left out, so that it neither holds up nor reruns anything."""
    return [n for n in STAGE_BY_NAME[stage].needs(ctx) if STAGE_BY_NAME[n].outputs(ctx)]


def _inputs(ctx: Context, stage: str, markers: dict[str, dict[str, Any]], settings: Any) -> dict[str, Any]:
    """The signatures a stage's result depends on: the digest of the settings it runs with and the ids of the
    stages it reads."""
    inputs: dict[str, Any] = {"settings": digest(settings)}
    for upstream in _needs(ctx, stage):
        inputs[upstream] = markers.get(upstream, {}).get("id")
    return inputs


def _missing(ctx: Context, stage: str, reader: str) -> list[str]:
    """The outputs of `stage` that `reader` reads and that are not in the run directory. Evaluate reads models,
    never the encoder they started from: a single run keeps only its final model, and evaluating it again must
    not retrain it because `encoder/` is gone."""
    missing = []
    for name in STAGE_BY_NAME[stage].outputs(ctx):
        if reader == "evaluate" and name in (ENCODER, MLM):
            continue
        path = ctx.path(name)
        ok = (path / "config.json").is_file() if name in WEIGHT_DIRS else path.is_file()
        if not ok:
            missing.append(name)
    return missing


def plan(
    ctx: Context,
    requested: Sequence[str],
    markers: dict[str, dict[str, Any]],
    settings: dict[str, Any],
    *,
    force: bool,
    save_model: bool | None = True,
) -> list[str]:
    """The requested stages that must run, in order: all of them with `force`; otherwise those without a marker,
    with changed inputs, reading from a stage that runs, or whose outputs a stage that runs reads but are gone
    (weights a finished run deleted: see `discard_weights`). A stage that is not requested but whose outputs are
    needed and missing is an error naming it (and, unless save_model=true, saying why they may be gone)."""
    todo: set[str] = set(requested) if force else set()
    changed = True
    while changed:
        changed = False
        for stage in requested:
            if stage in todo:
                continue
            marker = markers.get(stage)
            if (
                marker is None
                or marker.get("inputs") != _inputs(ctx, stage, markers, settings[stage])
                or any(up in todo for up in _needs(ctx, stage))
            ):
                todo.add(stage)
                changed = True
        for stage in sorted(todo, key=STAGES.index):
            for upstream in _needs(ctx, stage):
                if upstream in todo:
                    continue
                missing = _missing(ctx, upstream, stage)
                if not missing:
                    continue
                if upstream not in requested:
                    deleted = set(missing) & set(WEIGHT_DIRS) and save_model is not True
                    why = (
                        " (a run that has evaluated deletes the weights: all of them with save_model=false or in a "
                        "sweep, all but the final model in a single run; save_model=true keeps them)"
                        if deleted
                        else ""
                    )
                    raise PipelineError(
                        f"stage {stage} reads what stage {upstream} makes, but {', '.join(missing)} "
                        f"{'is' if len(missing) == 1 else 'are'} not in {ctx.run_dir}{why}: add {upstream} to "
                        f"stages (stages=[{','.join(sorted({*requested, upstream}, key=STAGES.index))}])"
                    )
                log.info(
                    "stage %s: its outputs (%s) are gone and %s needs them: it runs again", upstream, missing, stage
                )
                todo.add(upstream)
                changed = True
    return [stage for stage in requested if stage in todo]


@dataclass
class RunResult:
    """What a run did: each stage's result (run now or read from its marker), which stages ran and which were
    skipped, the main metric (NaN without an evaluation) and the run directory."""

    run_dir: Path
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    metric: float = math.nan

    def __getitem__(self, stage: str) -> dict[str, Any]:
        return self.stages[stage]

    def __contains__(self, stage: object) -> bool:
        return stage in self.stages

    @property
    def metrics_path(self) -> Path:
        return self.run_dir / METRICS_FILE


def _preflight(ctx: Context, todo: Sequence[str], settings: dict[str, Any]) -> None:
    """Fail in seconds, not after training: a trim that cannot be done (an encoder that learns its vocabulary
    from the run), and fetch every file the stages to run will read."""
    from lrx.core.fetch import fetch

    urls: list[str] = []
    if ctx.encoder_stage in todo:
        encoder = settings[ctx.encoder_stage].encoder
        if encoder.trim is not None:
            if encoder.encoder.learns_vocabulary:
                raise PipelineError(
                    f"model.trim=true but encoder {encoder.name!r} learns its vocabulary from the run's own text: "
                    "only a sentencepiece-Unigram encoder (e5_small, XLM-R) can be trimmed; set model.trim=false"
                )
            urls += list(encoder.trim.monolingual)
    if "synthesize" in todo:
        synthesize = settings["synthesize"]
        if "://" in synthesize.input:
            urls.append(synthesize.input)
        urls += list(synthesize.monolingual)
    if "train" in todo:
        urls.append(settings["train"].dev)
    if "evaluate" in todo:
        urls += list(settings["evaluate"].test_sets)
    for url in dict.fromkeys(urls):
        fetch(url)


def _failure_record(cfg: DictConfig, error: BaseException) -> dict[str, str | None]:
    def pick(key: str) -> str:
        try:
            value = OmegaConf.select(cfg, key, default=None, throw_on_missing=False)
        except Exception:
            value = None
        return str(value) if value not in (None, "") else "?"

    text = "".join(traceback.format_exception(error))
    stage = getattr(error, "lrx_stage", None)  # None: outside any stage (the config, the model card...)
    return {"language": pick("language.code"), "method": pick("method.name"), "stage": stage, "error": text}


def run_pipeline(cfg: DictConfig, run_dir: str | Path) -> RunResult:
    """Run `cfg.stages` in the run directory; see the module docstring. On an error, `failed.json` is written
    into the run directory and the error raised again."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        write_run_record(run_dir, cfg)  # what the run is, by name: the model card reads it
        result = _run(cfg, run_dir)
    except Exception as error:
        write_json(run_dir / FAILED_FILE, _failure_record(cfg, error))
        raise
    (run_dir / FAILED_FILE).unlink(missing_ok=True)  # an earlier attempt's
    return result


def _run(cfg: DictConfig, run_dir: Path) -> RunResult:
    if cfg.get("languages"):
        from lrx.adapt.run.multilingual import run_multilingual

        return run_multilingual(cfg, run_dir, _run)
    validate(cfg)
    requested = list(cfg.stages)
    unknown = sorted(set(requested) - set(STAGES))
    if unknown:
        raise ValueError(f"unknown stage(s) {', '.join(unknown)}; stages are {', '.join(STAGES)}")
    requested = [stage for stage in STAGES if stage in requested]  # always in pipeline order
    untestable = "evaluate" in requested and not cfg.language.test_sets.get(cfg.task.name)
    if untestable:
        # a language without a test set is still adapted: the model is the product, kept in the run directory
        requested.remove("evaluate")
        log.warning(
            "language %s has no test set for task %s: every stage but evaluate runs, and the model is kept in %s",
            cfg.language.code,
            cfg.task.name,
            run_dir,
        )
    ctx = Context.of(cfg, run_dir)
    # every stage's settings, built once from the config: what it runs with, what its marker records
    settings = {stage: STAGE_BY_NAME[stage].settings(cfg) for stage in requested}
    markers = read_markers(run_dir)
    todo = plan(ctx, requested, markers, settings, force=bool(cfg.force), save_model=cfg.save_model)
    _preflight(ctx, todo, settings)
    result = RunResult(run_dir)
    for stage in requested:
        if stage not in todo:
            marker = markers[stage]
            log.info("stage %s: done before (%s), skipped", stage, marker.get("finished"))
            result.stages[stage] = marker.get("result", {})
            result.skipped.append(stage)
            continue
        path = marker_path(run_dir, stage)
        path.unlink(missing_ok=True)  # a stage that does not finish leaves no marker
        inputs = _inputs(ctx, stage, markers, settings[stage])
        log.info("stage %s: running", stage)
        start = time.perf_counter()
        try:
            did, stage_result = STAGE_BY_NAME[stage].run(ctx, settings[stage])
        except Exception as error:
            error.lrx_stage = stage  # type: ignore[attr-defined]  (failed.json and the ERROR line name it)
            raise
        seconds = time.perf_counter() - start
        marker = {
            "stage": stage,
            "id": uuid.uuid4().hex,
            "did": did,
            "inputs": inputs,
            "settings": plain(settings[stage]),
            "outputs": STAGE_BY_NAME[stage].outputs(ctx),
            "seconds": round(seconds, 3),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "result": stage_result,
        }
        write_json(path, marker)
        markers[stage] = marker
        log.info("stage %s: %s (%.1f s)", stage, did, seconds)
        result.stages[stage] = stage_result
        result.ran.append(stage)
    if "evaluate" in result.stages:
        result.metric = float(result.stages["evaluate"].get("main_metric", math.nan))
    if "evaluate" in requested:
        discard_weights(run_dir, ctx.final_dir, cfg.save_model, sweep=in_sweep())
    elif untestable:
        # no test set: the model is the run's only product, kept whatever save_model says (true keeps the rest)
        discard_weights(run_dir, ctx.final_dir, True if cfg.save_model else None, sweep=False)
    write_model_card(run_dir, ctx.final_dir)
    return result


def in_sweep() -> bool:
    """Whether this process runs one job of a `--multirun` sweep (Hydra's mode says so, in the job's process
    under every launcher). `lrx-run` without -m, `lrx.run` (`run_in_process`) and `run_pipeline` called outside
    Hydra are single runs. (The app asks the same for `compare_with`, ignored in a sweep.)"""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    return HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN


def weights_to_discard(run_dir: Path, final_dir: Path, save_model: bool | None, *, sweep: bool) -> list[Path]:
    """The weight directories in `run_dir` that a finished run deletes: none with save_model=true; all with false,
    and with null (the default) in a sweep; with null in a single run all but `final_dir`, the model to ship.
    Beside `WEIGHT_DIRS` these are the distill stage's extra teachers (`teacher<seed>/`) and the rounds a killed
    self-training left (`self_train.round<n>/`): weights too, and nothing reads them once the run is done."""
    if save_model is True:
        return []
    keep = Path(final_dir) if save_model is None and not sweep else None
    found = [run_dir / name for name in WEIGHT_DIRS]
    found += sorted(run_dir.glob("teacher[0-9]*")) + sorted(run_dir.glob(f"{SELF_TRAINED}.round[0-9]*"))
    return [path for path in found if path.is_dir() and path != keep]


def discard_weights(run_dir: Path, final_dir: Path, save_model: bool | None, *, sweep: bool) -> list[str]:
    """Delete what `weights_to_discard` names; the names of the directories deleted."""
    deleted = weights_to_discard(Path(run_dir), Path(final_dir), save_model, sweep=sweep)
    for path in deleted:
        shutil.rmtree(path, ignore_errors=True)
    if deleted:
        setting = "null" if save_model is None else str(save_model).lower()
        why = f"save_model={setting}" + (" in a sweep" if sweep else "")
        log.info("deleted the weights %s (%s)", [path.name for path in deleted], why)
    return [path.name for path in deleted]


def write_model_card(run_dir: Path, model_dir: Path) -> Path | None:
    """The model card (`README.md`) of a kept model directory, written from the run directory; None when the run
    has no such model (weights deleted, or not trained yet). A card that cannot be written is logged, not raised:
    the run's results are on disk already, and `lrx export` writes the card again."""
    if not (Path(model_dir) / "config.json").is_file():
        return None
    try:
        return write_card(run_dir, model_dir)
    except Exception:  # see the docstring: a card must not fail a finished run
        log.warning("could not write the model card of %s", model_dir, exc_info=True)
        return None
