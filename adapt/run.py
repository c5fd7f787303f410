"""`lrx-run`: the Hydra app. Composes `conf/`, prints the config, runs the configured stages.

Only the `lexicon` stage exists yet: it instantiates `conf/lexicon/<name>.yaml`, loads the lexicon for
`src`-`tgt` and writes `lexicon_stats.json` into the run directory.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.utils import instantiate
from omegaconf import DictConfig
from omegaconf import OmegaConf

log = logging.getLogger(__name__)


def run(cfg: DictConfig) -> dict:
    """Run the configured stages; returns the stage results (also written to the run directory)."""
    import lexicons.sources  # noqa: F401  (registers the sources that the configs name)

    print(OmegaConf.to_yaml(cfg, resolve=True))
    out_dir = Path(HydraConfig.get().runtime.output_dir) if HydraConfig.initialized() else Path.cwd()
    results: dict = {}
    if "lexicon" in cfg.stages:
        source = instantiate(cfg.lexicon, _convert_="all")
        lexicon = source.load(cfg.tgt, cfg.src)
        results["lexicon"] = lexicon.stats()
        (out_dir / "lexicon_stats.json").write_text(json.dumps(results["lexicon"], ensure_ascii=False) + "\n")
        log.info("lexicon %s", json.dumps(results["lexicon"], ensure_ascii=False))
    return results


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
