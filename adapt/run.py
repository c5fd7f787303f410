"""`lrx-run`: the Hydra app. Composes `conf/`, prints the config, runs the configured stages.

Stages (`stages=[...]`):
- `lexicon`: instantiates `conf/lexicon/<name>.yaml`, loads the lexicon for `src`-`tgt` and writes
  `lexicon_stats.json` into the run directory;
- `synthesize`: translates the English task file `synthesis.input` (a path or a URL, fetched through the
  mirror/cache) with that lexicon by `adapt.synthesize.synthesize_file`, the function behind
  `lrx synthesize`, into `pseudo.<task>` and `pseudo.<task>.stats.json` in the run directory.
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

STAGES = ("lexicon", "synthesize")


def run(cfg: DictConfig) -> dict:
    """Run the configured stages; returns the stage results (also written to the run directory)."""
    import lexicons.sources  # noqa: F401  (registers the sources that the configs name)

    print(OmegaConf.to_yaml(cfg, resolve=True))
    out_dir = Path(HydraConfig.get().runtime.output_dir) if HydraConfig.initialized() else Path.cwd()
    results: dict = {}
    unknown = set(cfg.stages) - set(STAGES)
    if unknown:
        raise ValueError(f"unknown stage(s) {', '.join(sorted(unknown))}; stages are {', '.join(STAGES)}")
    lexicon = None
    if "lexicon" in cfg.stages or "synthesize" in cfg.stages:
        source = instantiate(cfg.lexicon, _convert_="all")
        lexicon = source.load(cfg.tgt, cfg.src)
    if "lexicon" in cfg.stages:
        results["lexicon"] = lexicon.stats()
        (out_dir / "lexicon_stats.json").write_text(json.dumps(results["lexicon"], ensure_ascii=False) + "\n")
        log.info("lexicon %s", json.dumps(results["lexicon"], ensure_ascii=False))
    if "synthesize" in cfg.stages:
        from adapt.synthesize import synthesize_file
        from lexicons.fetch import fetch

        syn = cfg.synthesis
        source_path = fetch(syn.input) if "://" in syn.input else Path(syn.input)
        results["synthesize"] = synthesize_file(
            syn.task,
            source_path,
            cfg.tgt,
            [source.name],
            out_dir / f"pseudo.{syn.task}",
            src=cfg.src,
            morphology=syn.morphology,
            choice=syn.choice,
            unknown=syn.unknown,
            min_replaced=syn.min_replaced,
            seed=syn.seed,
            max_variants=syn.max_variants,
            unimorph=syn.unimorph,
            lexicon_object=lexicon,
        )
        log.info(
            "synthesize: %s sentences, replaced ratio %s",
            results["synthesize"]["sentences"],
            results["synthesize"]["replaced_ratio"],
        )
    return results


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def main(cfg: DictConfig) -> None:
    run(cfg)


if __name__ == "__main__":
    main()
