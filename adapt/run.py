"""`lrx-run`: the Hydra app. Composes `conf/` (typed by adapt/config.py), runs the configured stages.

The stages (lexicon, synthesize, vocab, mlm, train, distill, evaluate) live in `adapt.pipeline`, which says
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
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig
from omegaconf import OmegaConf

import adapt.config  # noqa: F401  (registers the typed schema that conf/config.yaml names)
from adapt.pipeline import STAGES
from adapt.pipeline import RunResult
from adapt.pipeline import run_pipeline

__all__ = ["STAGES", "main", "run"]


def run_dir() -> Path:
    """The job's output directory under Hydra (`hydra.run.dir`, or a sweep's job directory); else the cwd."""
    return Path(HydraConfig.get().runtime.output_dir) if HydraConfig.initialized() else Path.cwd()


def run(cfg: DictConfig) -> RunResult:
    """Validate the config and run its stages in the run directory; the stage results (`result["lexicon"]`)."""
    print(OmegaConf.to_yaml(cfg, resolve=True))
    return run_pipeline(cfg, run_dir())


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> float:
    result = run(cfg)
    if result.metrics_path.is_file() and not math.isnan(result.metric):
        print(f"metrics: {result.metrics_path} (mean score {result.metric:.2f})")
    ran, skipped = ", ".join(result.ran) or "nothing", ", ".join(result.skipped) or "nothing"
    print(f"run directory: {result.run_dir} (ran: {ran}; skipped: {skipped})")
    return result.metric


if __name__ == "__main__":
    main()
