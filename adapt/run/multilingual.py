"""One model for many languages: `lrx-run languages=[ee,lg,luo,pcm,wo]` adapts ONE encoder to all of them.

The run directory holds one sub-run per language (`languages/<code>/`: the `lexicon` and `synthesize` stages of
that language alone, with its own language node and lexicon, resumable as any run), then the joint data:
the English training data once, and each language's pseudo data resampled by temperature (`multilingual.
temperature`): language l is given a share p_l proportional to n_l^(1/T) of the pooled pseudo sentences, as
multilingual pretraining balances languages (Conneau et al. 2020, XLM-R: T = 1/0.3). T = 1 keeps the natural
sizes; a large T gives every language the same share. English (for methods that train on it) is, with
`multilingual.english_share` = s, resampled to the fraction s of the training data (s = 0.5: the proportion a
per-language pseudo+en model has, 2,000 English and 2,000 pseudo sentences); null (the default, chosen on dev)
keeps English once, a sixth of the data for five languages. The joint `train` stage then runs as in any run, and
`evaluate` scores the one model on every listed language's test (and dev) sets, each entry under its language
and the method name `<method>.joint`, so that `lrx report` shows the joint model beside per-language models.

Methods with a single-language step after synthesis (MLM, vocabulary extension, self-training, distillation)
are refused with one line: their target text is one language's.
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from lrx.adapt.run.context import METRICS_FILE
from lrx.adapt.run.context import Context
from lrx.adapt.run.context import PipelineError
from lrx.adapt.run.context import digest
from lrx.adapt.run.context import marker_path
from lrx.adapt.run.context import read_markers
from lrx.adapt.run.context import write_json
from lrx.adapt.run.settings import EvaluateSettings
from lrx.adapt.run.settings import MethodShape
from omegaconf import DictConfig
from omegaconf import OmegaConf
from omegaconf import open_dict

log = logging.getLogger(__name__)

JOINT_SUFFIX = ".joint"
LANGUAGES_DIR = "languages"
_LEXICON_OVERRIDE = "override /lexicon@_global_.lexicon"


def language_config(cfg: DictConfig, code: str) -> DictConfig:
    """`cfg` for one language of a joint run: its language node (the hand-written conf/language file in any form
    of its code, else built from the catalog) and, where that node names its own lexicon source (sw: freedict),
    that source; no joint list, no compared methods."""
    from lrx.adapt.run.language_source import node_text
    from lrx.adapt.run.schema import LanguageConfig
    from lrx.adapt.run.schema import group_option

    text = node_text(code)
    if text is None:
        raise PipelineError(f"languages: lrx knows no language {code!r} (lrx languages lists them)")
    data = yaml.safe_load(text) or {}
    overrides = [item for item in data.pop("defaults", []) if isinstance(item, dict) and _LEXICON_OVERRIDE in item]
    node = OmegaConf.merge(OmegaConf.structured(LanguageConfig), data)
    single = cfg.copy()
    with open_dict(single):
        # assigned whole, not merged: the language's sets replace the first language's
        single.language = node
        if overrides:
            single.lexicon = group_option("lexicon", overrides[-1][_LEXICON_OVERRIDE])
        single.tgt = str(node.code)
        single.languages = []
        single.compare_with = []
    return single


def check_method(cfg: DictConfig) -> None:
    shape = MethodShape.of(cfg)
    if shape.needs_target_text or shape.train_on == "target":
        raise ValueError(
            f"languages=[...] (one model for many languages) takes methods that train on English and pseudo data; "
            f"{shape.name} has a single-language step (MLM, vocabulary, self-training, distillation or the "
            f"supervised ceiling)"
        )
    if cfg.multilingual.temperature <= 0:
        raise ValueError("multilingual.temperature must be > 0")
    share = cfg.multilingual.english_share
    if share is not None and not 0 < share < 1:
        raise ValueError("multilingual.english_share must be in (0, 1), or null")


def temperature_shares(sizes: dict[str, int], temperature: float) -> dict[str, float]:
    """p_l proportional to n_l^(1/T): T = 1 keeps the sizes' proportions, T -> infinity makes them equal."""
    weights = {code: n ** (1.0 / temperature) if n else 0.0 for code, n in sizes.items()}
    total = sum(weights.values())
    return {code: w / total if total else 0.0 for code, w in weights.items()}


def sample_pooled(data: dict[str, list[Any]], temperature: float, seed: int) -> tuple[list[Any], dict[str, int]]:
    """Each language's sentences resampled to its temperature share of the pooled total (a shuffled subset when
    it shrinks; all of it plus a random draw with replacement when it grows); the pool and the counts."""
    rng = random.Random(seed)
    total = sum(len(items) for items in data.values())
    shares = temperature_shares({code: len(items) for code, items in data.items()}, temperature)
    pooled: list[Any] = []
    counts: dict[str, int] = {}
    for code, items in data.items():
        chosen = resample(items, round(total * shares[code]), rng.randrange(2**31))
        counts[code] = len(chosen)
        pooled += chosen
    return pooled, counts


def resample(items: list[Any], want: int, seed: int) -> list[Any]:
    """`want` of `items`: a random subset when fewer, every item plus random draws when more."""
    rng = random.Random(seed)
    if want <= len(items):
        return rng.sample(items, want)
    return list(items) + [rng.choice(items) for _ in range(want - len(items))]


def _write_marker(run_dir: Path, stage: str, did: str, inputs: dict[str, Any], result: dict[str, Any]) -> str:
    marker_id = digest({"inputs": inputs, "result": result})
    write_json(
        marker_path(run_dir, stage),
        {
            "stage": stage,
            "id": marker_id,
            "did": did,
            "inputs": inputs,
            "settings": {},
            "outputs": [],
            "seconds": 0.0,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "result": result,
        },
    )
    return marker_id


def run_multilingual(cfg: DictConfig, run_dir: Path, run_single: Any) -> Any:
    """The joint run of `cfg.languages` in `run_dir` (see the module docstring). `run_single` is the engine's
    single-language runner (`lrx.adapt.run.engine._run`), passed in to keep the import graph one-way."""
    from lrx.adapt.run.engine import RunResult
    from lrx.adapt.run.engine import discard_weights
    from lrx.adapt.run.engine import in_sweep
    from lrx.adapt.run.engine import write_model_card
    from lrx.adapt.run.stages.evaluate import main_metric
    from lrx.adapt.run.stages.evaluate import run_evaluate
    from lrx.adapt.tasks import write_task

    check_method(cfg)
    codes = list(dict.fromkeys(str(code) for code in cfg.languages))
    singles = {code: language_config(cfg, code) for code in codes}
    requested = list(cfg.stages)
    result = RunResult(run_dir)

    # 1. each language's data, in its own resumable sub-run
    data_stages = [stage for stage in ("lexicon", "synthesize") if stage in requested or "train" in requested]
    sub_results = {}
    for code, single in singles.items():
        with open_dict(single):
            single.stages = data_stages
        sub_results[code] = run_single(single, run_dir / LANGUAGES_DIR / str(single.tgt))
    if "train" not in requested and "evaluate" not in requested:
        result.ran.append("synthesize")
        return result

    # 2. the pooled data: English once, each language's pseudo data at its temperature share
    task = str(cfg.task.name)
    contexts = {code: Context.of(single, sub_results[code].run_dir) for code, single in singles.items()}
    first = contexts[codes[0]]
    joint_cfg = singles[codes[0]].copy()
    with open_dict(joint_cfg):
        joint_cfg.stages = [stage for stage in requested if stage not in ("lexicon", "synthesize", "evaluate")]
        joint_cfg.force = bool(cfg.force)
    ctx = Context.of(joint_cfg, run_dir)
    share = cfg.multilingual.english_share
    inputs = {
        "languages": {code: read_markers(c.run_dir)["synthesize"]["id"] for code, c in contexts.items()},
        "temperature": float(cfg.multilingual.temperature),
        "seed": int(cfg.seed),
        "english_share": None if share is None else float(share),
    }
    if read_markers(run_dir).get("synthesize", {}).get("inputs") != inputs or not ctx.english_path.is_file():
        counts: dict[str, int] = {}
        english = first.english()
        if ctx.uses_pseudo:
            pseudo = {code: c.pseudo() for code, c in contexts.items()}
            pooled, counts = sample_pooled(pseudo, float(cfg.multilingual.temperature), int(cfg.seed))
            random.Random(int(cfg.seed)).shuffle(pooled)
            write_task(task, pooled, ctx.pseudo_path)
            if share is not None and "en" in ctx.shape.train_on.split("+"):
                english = resample(english, round(len(pooled) * share / (1 - share)), int(cfg.seed))
        write_task(task, english, ctx.english_path)
        counts["en"] = len(english)
        did = f"pooled {len(codes)} languages' pseudo data at temperature {cfg.multilingual.temperature}: {counts}"
        _write_marker(run_dir, "synthesize", did, inputs, {"languages": codes, "pseudo_sentences": counts})
        log.info("multilingual: %s", did)
        result.ran.append("synthesize")

    # 3. the joint model, trained as any run trains (vocab..distill stages, resumable by their markers)
    eval_settings = digest([EvaluateSettings.of(s) for s in singles.values()])
    evaluated = read_markers(run_dir).get("evaluate", {})
    scores_stale = (
        bool(cfg.force)
        or evaluated.get("inputs", {}).get("settings") != eval_settings
        or not (run_dir / METRICS_FILE).is_file()
    )
    if "evaluate" in requested and scores_stale and not (ctx.final_dir / "config.json").is_file():
        # an earlier run deleted the weights (save_model) and evaluate has to score the model again: train it again
        if "train" not in joint_cfg.stages:
            raise PipelineError(
                f"evaluate reads {ctx.final_dir.name}/, which is not in {run_dir} (a run that has evaluated deletes "
                f"the weights unless it keeps them: save_model): add train to stages"
            )
        marker_path(run_dir, "train").unlink(missing_ok=True)
    trained = run_single(joint_cfg, run_dir) if joint_cfg.stages else RunResult(run_dir)
    result.ran += trained.ran
    result.skipped += trained.skipped
    result.stages.update(trained.stages)
    if "evaluate" not in requested:
        return result

    # 4. the one model on every language's test (and dev) sets
    markers = read_markers(run_dir)
    eval_inputs = {"train": markers.get("train", {}).get("id"), "settings": eval_settings}
    marker = markers.get("evaluate")
    if marker and marker.get("inputs") == eval_inputs and (run_dir / METRICS_FILE).is_file() and not cfg.force:
        result.stages["evaluate"] = marker["result"]
        result.skipped.append("evaluate")
    else:
        rows: list[dict[str, Any]] = []
        for code, single in singles.items():
            settings = EvaluateSettings.of(single)
            if not settings.test_sets:
                log.warning("language %s has no test set for task %s: not evaluated", code, task)
                continue
            rows += run_evaluate(ctx, replace(settings, method=settings.method + JOINT_SUFFIX))[1]["metrics"]
        if not rows:
            raise PipelineError(f"none of the languages {', '.join(codes)} has a test set for task {task}")
        write_json(run_dir / METRICS_FILE, rows)
        main = main_metric([row for row in rows if not row["test_set"].endswith("/dev")])
        stage_result = {"metrics": rows, "main_metric": main}
        _write_marker(run_dir, "evaluate", f"{len(rows)} scores, mean {main:.2f}", eval_inputs, stage_result)
        result.stages["evaluate"] = stage_result
        result.ran.append("evaluate")
    result.metric = float(result.stages["evaluate"].get("main_metric", math.nan))
    discard_weights(run_dir, ctx.final_dir, cfg.save_model, sweep=in_sweep())
    write_model_card(run_dir, ctx.final_dir)  # again: now with the scores
    return result
