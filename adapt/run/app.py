"""`lrx-run`: the Hydra app. Composes `conf/` (typed by adapt/run/schema.py), runs the configured stages.

The stages (lexicon, synthesize, vocab, mlm, train, self_train, distill, evaluate) live in
`lrx.adapt.run.stages`, which says what each writes into the run directory; `lrx.adapt.run.engine` says how a
run resumes and how a failure is recorded. The app returns the run's main metric (the mean score over the
language's test sets, NaN without an evaluation), so that a sweeper that optimises (Optuna) can use it.

    LRX_MIRROR=../shared/data/mirror lrx-run                                  # NER, CoNLL-2003 -> Ewe, e5_small
    LRX_MIRROR=../shared/data/mirror lrx-run -m language=ee,wo method=zero_shot,lrx_trans_train_en
    lrx-run --resume outputs/2026-12-05/10-00-00_ee_lrx_trans_train_en_names      # a killed run, where it stopped

A run prints one start line (the config is in `<run dir>/.hydra/config.yaml`); a failing stage one ERROR line with
its cause and where `failed.json` and `run.log` (which keeps the traceback) are.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hydra
import lrx.adapt.run.schema  # noqa: F401  (registers the typed schema that lrx.conf/config.yaml names)
from hydra.core.hydra_config import HydraConfig
from lrx.adapt.run.context import FAILED_FILE
from lrx.adapt.run.engine import STAGES
from lrx.adapt.run.engine import RunResult
from lrx.adapt.run.engine import in_sweep
from lrx.adapt.run.engine import run_pipeline
from lrx.adapt.tasks import get_task
from omegaconf import DictConfig
from omegaconf import OmegaConf

from lrx.core.extras import missing_extra

__all__ = ["STAGES", "compare", "main", "run"]

log = logging.getLogger(__name__)
RUN_LOG = "run.log"  # hydra.job_logging's file handler in conf/config.yaml

CONF = Path(__file__).resolve().parents[2] / "conf"


def run_dir() -> Path:
    """The job's output directory under Hydra (`hydra.run.dir`, or a sweep's job directory); else the cwd."""
    return Path(HydraConfig.get().runtime.output_dir) if HydraConfig.initialized() else Path.cwd()


def run(cfg: DictConfig) -> RunResult:
    """Validate the config and run its stages in the run directory; the stage results (`result["lexicon"]`)."""
    log.info(start_line(cfg, run_dir()))
    return run_pipeline(cfg, run_dir())


def start_line(cfg: DictConfig, directory: Path) -> str:
    """What a run is, in one line: its directory, language(s), task, model, method and seed (the whole config is
    in `.hydra/config.yaml`, which Hydra writes before the job starts)."""
    languages = [str(code) for code in cfg.get("languages") or []]
    language = ",".join(languages) if languages else f"{cfg.language.code} ({cfg.language.name})"
    model = str(OmegaConf.select(cfg, "model.name_or_path", default="?"))
    return (
        f"lrx-run: {language}, task {cfg.task.name}, model {model}, method {cfg.method.name}, seed {cfg.seed} "
        f"-> {directory} (config: {directory / '.hydra' / 'config.yaml'})"
    )


def failure_line(error: BaseException, directory: Path) -> str:
    """A failed run in one line: the stage, the cause (the exception's last line) and where the details are."""
    stage = getattr(error, "lrx_stage", None)
    extra = missing_extra(error) if isinstance(error, ModuleNotFoundError) else None
    cause = str(extra) if extra is not None else (f"{type(error).__name__}: {error}".splitlines() or ["?"])[0]
    where = f"stage {stage} failed" if stage else "the run failed"
    return (
        f"{where}: {cause} (details: {directory / FAILED_FILE}; traceback: {directory / RUN_LOG}; "
        f"after a fix, resume with: lrx-run --resume {directory})"
    )


def method_config(method: str) -> DictConfig:
    """`conf/method/<method>.yaml` composed through its defaults list (a method states only what differs from
    the method it builds on), as `method=<method>` would compose it."""
    from lrx.adapt.run.schema import group_option

    if not (CONF / "method" / f"{method}.yaml").is_file():
        known = ", ".join(sorted(p.stem for p in (CONF / "method").glob("*.yaml")))
        raise ValueError(f"compare_with: no method {method!r} (conf/method has {known})")
    return group_option("method", method)


def with_method(cfg: DictConfig, method: str) -> DictConfig:
    """`cfg` with `conf/method/<method>.yaml` in place of its method (what `method=<method>` would compose)."""
    # a composed method holds every key of the method schema, so the merge replaces the method whole
    # the compared runs are references: they keep no weights unless the run asked for all weights (save_model=true)
    keep = bool(cfg.get("save_model"))
    return OmegaConf.merge(cfg, {"method": method_config(method), "compare_with": [], "save_model": keep})


def compare(cfg: DictConfig, result: RunResult) -> list[tuple[str, float]]:
    """Run each method of `compare_with` on the same language, task, model and seed, in `compare/<method>/`
    of the run directory (a pipeline run of its own: it resumes and records failure the same way); the main
    metric of every method, the run's own first. This is how the main job shows a gain in one command."""
    others = zip(cfg.compare_with, run_compared(cfg, result), strict=True)
    return [(str(cfg.method.name), result.metric), *((str(method), other.metric) for method, other in others)]


def run_compared(cfg: DictConfig, result: RunResult) -> list[RunResult]:
    """Each method of `compare_with`, run in `compare/<method>/` of the run directory (what `compare` and
    `run_in_process` both run)."""
    return [run_pipeline(with_method(cfg, method), result.run_dir / "compare" / method) for method in cfg.compare_with]


def print_comparison(rows: list[tuple[str, float]], metric: str) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"{'method':<{width}}  {metric}")
    for name, score in rows:
        print(f"{name:<{width}}  {score:.2f}")
    base = rows[-1][1] if len(rows) > 1 else math.nan
    if not math.isnan(base) and not math.isnan(rows[0][1]):
        print(f"{rows[0][0]} - {rows[-1][0]}: {rows[0][1] - base:+.2f}")


def _read_metrics(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else []


def run_in_process(overrides: Sequence[str]) -> list[dict[str, Any]]:
    """One `lrx-run` job in this process (what `lrx.run` calls): the packaged config composed with `overrides`
    through Hydra's compose API, the job run as the app runs it (`compare_with` too), metrics.json's entries
    of the run and of its compared methods returned, the run's own first."""
    from hydra import compose
    from hydra import initialize_config_module
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import open_dict
    from omegaconf import read_write

    GlobalHydra.instance().clear()  # an earlier run, or a test's compose, may have left one behind
    with initialize_config_module(config_module="lrx.conf", version_base="1.3"):
        config = compose(config_name="config", overrides=list(overrides), return_hydra_config=True)
        # as Hydra's run_job: ${hydra:...} resolves, and the job's output directory is recorded
        HydraConfig.instance().set_config(config)
        run_dir = Path(str(config.hydra.run.dir)).absolute()
        with read_write(config.hydra.runtime):
            config.hydra.runtime.output_dir = str(run_dir)
        HydraConfig.instance().set_config(config)
        cfg = copy.deepcopy(config)  # the job's config without the hydra node, as Hydra's run_job passes it
        with read_write(cfg), open_dict(cfg):
            del cfg["hydra"]
        try:
            result = run_pipeline(cfg, run_dir)
            rows = _read_metrics(result.metrics_path)
            if "evaluate" in result.stages:
                for other in run_compared(cfg, result):
                    rows += _read_metrics(other.metrics_path)
        finally:
            HydraConfig.instance().cfg = None
    GlobalHydra.instance().clear()
    return rows


@hydra.main(version_base="1.3", config_path="../../conf", config_name="config")
def hydra_main(cfg: DictConfig) -> float:
    try:
        return job(cfg)
    except Exception as error:
        directory = run_dir()
        with (directory / RUN_LOG).open("a", encoding="utf-8") as run_log:
            run_log.write("".join(traceback.format_exception(error)))
        log.error(failure_line(error, directory))
        if in_sweep():
            raise  # the launcher records the job as failed and runs the others; the sweep exits non-zero at the end
        raise SystemExit(1) from None  # one line, not Hydra's traceback


def job(cfg: DictConfig) -> float:
    """One `lrx-run` job: the run, its summary lines, and `compare_with`'s methods beside it (single runs)."""
    result = run(cfg)
    if result.metrics_path.is_file() and not math.isnan(result.metric):
        print(f"metrics: {result.metrics_path} (mean score {result.metric:.2f})")
    ran, skipped = ", ".join(result.ran) or "nothing", ", ".join(result.skipped) or "nothing"
    print(f"run directory: {result.run_dir} (ran: {ran}; skipped: {skipped})")
    if cfg.compare_with and "evaluate" in result.stages and not in_sweep():
        print_comparison(compare(cfg, result), get_task(str(cfg.task.name)).metric)
    return result.metric


def resume_argv(argv: Sequence[str]) -> list[str]:
    """`--resume RUN_DIR [overrides...]` -> the run's own overrides (`RUN_DIR/.hydra/overrides.yaml`), then the
    ones given now, then `hydra.run.dir=RUN_DIR`: the same job in the same directory, which skips every stage whose
    marker says it is done. Anything else is returned as it is."""
    if not argv or argv[0] != "--resume":
        return list(argv)
    if len(argv) < 2:
        raise SystemExit("lrx-run: error: --resume needs the run directory: lrx-run --resume RUN_DIR")
    directory = Path(argv[1])
    overrides_file = directory / ".hydra" / "overrides.yaml"
    if not overrides_file.is_file():
        raise SystemExit(f"lrx-run: error: {directory}: not a run directory (no .hydra/overrides.yaml)")
    import yaml

    previous = [str(item) for item in yaml.safe_load(overrides_file.read_text(encoding="utf-8")) or []]
    given = {_override_key(item) for item in argv[2:]}  # what is given again replaces the run's own value
    previous = [item for item in previous if _override_key(item) not in given | {"hydra.run.dir"}]
    quoted = str(directory.resolve()).replace("\\", "\\\\").replace("'", "\\'")  # sweep job dirs hold , and =
    return [*previous, *argv[2:], f"hydra.run.dir='{quoted}'"]


def _override_key(override: str) -> str:
    """`+experiment=smoke` -> `experiment`; `model.train.lr=1e-4` -> `model.train.lr`."""
    return override.partition("=")[0].lstrip("+~")


def main() -> None:
    """The `lrx-run` command: Hydra's app, plus `--resume RUN_DIR`."""
    sys.argv = [sys.argv[0], *resume_argv(sys.argv[1:])]
    hydra_main()


if __name__ == "__main__":
    main()
