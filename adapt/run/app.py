"""`lrx-run`: the Hydra app. Composes `conf/` (typed by adapt/run/schema.py), runs the configured stages.

The stages (lexicon, synthesize, vocab, mlm, train, distill, evaluate) live in `lrx.adapt.run.pipeline`, which says
what each writes into the run directory, how a run resumes, and how a failure is recorded. The app returns
the run's main metric (the mean score over the language's test sets, NaN without an evaluation), so that a
sweeper that optimises (Optuna) can use it.

    LRX_MIRROR=../shared/data/mirror lrx-run                                  # NER, CoNLL-2003 -> Ewe, tiny model
    LRX_MIRROR=../shared/data/mirror lrx-run -m language=ee,wo method=zero_shot,lrx_trans_train_en
"""

from __future__ import annotations

import math
from pathlib import Path

import hydra
import lrx.adapt.run.schema  # noqa: F401  (registers the typed schema that lrx.conf/config.yaml names)
from hydra.core.hydra_config import HydraConfig
from lrx.adapt.run.pipeline import STAGES
from lrx.adapt.run.pipeline import RunResult
from lrx.adapt.run.pipeline import run_pipeline
from omegaconf import DictConfig
from omegaconf import OmegaConf

__all__ = ["STAGES", "compare", "main", "run"]

CONF = Path(__file__).resolve().parents[2] / "conf"


def run_dir() -> Path:
    """The job's output directory under Hydra (`hydra.run.dir`, or a sweep's job directory); else the cwd."""
    return Path(HydraConfig.get().runtime.output_dir) if HydraConfig.initialized() else Path.cwd()


def run(cfg: DictConfig) -> RunResult:
    """Validate the config and run its stages in the run directory; the stage results (`result["lexicon"]`)."""
    print(OmegaConf.to_yaml(cfg, resolve=True))
    return run_pipeline(cfg, run_dir())


def in_sweep() -> bool:
    """Whether this job is one of a `--multirun` sweep: there the methods are an axis of the sweep, and
    `compare_with` (meant for a single run) would train the compared methods once per job."""
    from hydra.types import RunMode

    return HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN


def with_method(cfg: DictConfig, method: str) -> DictConfig:
    """`cfg` with `conf/method/<method>.yaml` in place of its method (what `method=<method>` would compose)."""
    path = CONF / "method" / f"{method}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in (CONF / "method").glob("*.yaml")))
        raise ValueError(f"compare_with: no method {method!r} (conf/method has {known})")
    # every method file writes out all of the method's keys, so a merge replaces the method whole
    return OmegaConf.merge(cfg, {"method": OmegaConf.load(path), "compare_with": []})


def compare(cfg: DictConfig, result: RunResult) -> list[tuple[str, float]]:
    """Run each method of `compare_with` on the same language, task, model and seed, in `compare/<method>/`
    of the run directory (a pipeline run of its own: it resumes and records failure the same way); the main
    metric of every method, the run's own first. This is how the main job shows a gain in one command."""
    rows = [(str(cfg.method.name), result.metric)]
    for method in cfg.compare_with:
        other = run_pipeline(with_method(cfg, method), result.run_dir / "compare" / method)
        rows.append((method, other.metric))
    return rows


def print_comparison(rows: list[tuple[str, float]], metric: str) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"{'method':<{width}}  {metric}")
    for name, score in rows:
        print(f"{name:<{width}}  {score:.2f}")
    base = rows[-1][1] if len(rows) > 1 else math.nan
    if not math.isnan(base) and not math.isnan(rows[0][1]):
        print(f"{rows[0][0]} - {rows[-1][0]}: {rows[0][1] - base:+.2f}")


@hydra.main(version_base="1.3", config_path="../../conf", config_name="config")
def main(cfg: DictConfig) -> float:
    result = run(cfg)
    if result.metrics_path.is_file() and not math.isnan(result.metric):
        print(f"metrics: {result.metrics_path} (mean score {result.metric:.2f})")
    ran, skipped = ", ".join(result.ran) or "nothing", ", ".join(result.skipped) or "nothing"
    print(f"run directory: {result.run_dir} (ran: {ran}; skipped: {skipped})")
    if cfg.compare_with and "evaluate" in cfg.stages and not in_sweep():
        print_comparison(compare(cfg, result), str(cfg.task.metric))
    return result.metric


if __name__ == "__main__":
    main()
