"""The stages of `lrx-run`, in order, each declared once: its typed settings (built from the config), what it
runs, which earlier stages' outputs it reads, what it leaves in the run directory.

- `lexicon` (`data.py`): loads the lexicon (`conf/lexicon/<name>.yaml`) for `src`-`tgt`: `lexicon_stats.json`.
- `synthesize` (`data.py`): the English training data (`synthesis.input`, by default `task.train`; the first
  `task.max_train_sentences` sentences when set) as `english.<task>`; for a method that trains on pseudo data,
  its translation by `lrx.adapt.synthesize.synthesize_file` with every synthesis option of the method as
  `pseudo.<task>` (+ `.stats.json`); for a method that needs unlabelled target text (MLM, distillation,
  vocabulary extension), pseudo-monolingual text (the same English sentences translated, those with fewer than
  3 translated words left out, as Wang et al. do) as `pseudo_text.txt`, and the language's real monolingual
  text (`language.monolingual`, capped the same way) as `monolingual.txt`.
- `vocab` (`encoder.py`, `method.vocab`): prepares the encoder and adds frequent target words of the run's
  target text to its tokenizer, with embeddings from the lexicon's English words or the words' old pieces
  (`lrx.adapt.encoders.vocab.extend_vocabulary`, settings `vocab.*`): `encoder/`.
- `mlm` (`training.py`, `method.mlm`): continues masked-LM training on the target text (`mlm/`) from
  `encoder/` (prepared here unless the vocab stage prepared it).
- `train` (`training.py`): fine-tunes on what `method.train_on` says (`en`, `pseudo`, `pseudo+en`) from the
  prepared encoder (`mlm/` after MLM, else `encoder/`, prepared here unless vocab or mlm did): `model/`. The
  encoder is built from `model.encoder` (`_target_`) by the first stage that needs it; one that learns its
  vocabulary (tiny) learns it from the English, pseudo and monolingual text of the run, never test data. With
  `model.trim` (a sentencepiece-Unigram encoder such as e5_small) the prepared encoder is trimmed to the pieces
  of that same text plus the lexicon's target words (and, for vocab, its English words) and the language's
  monolingual text, keeping every single-character piece of their characters; never on dev or test data.
- `self_train` (`training.py`, `method.self_train.rounds` > 0): the trained model labels the real unlabelled
  target text (`monolingual.txt`); the sentences whose least certain word it is sure of (`threshold`) join the
  training data and a model is trained again (from the last model or afresh: `init`), `rounds` times:
  `self_train/`, the final model unless the method distills.
- `distill` (`training.py`, `method.distill`): the teacher (self_train/ or model/, plus `method.student.teachers
  - 1` more seeds) labels the target text; a student (the same encoder, or its first `method.student.layers`
  layers) trains on those labels, or their distributions (`method.student.soft`), plus the training data:
  `student/`, the final model.
- `evaluate` (`evaluate.py`): every test set of the language for the task: `metrics.json`, a list of entries
  `{language, task, method, model, test_set, metric, score, signature, seconds}` (scores in percent).

A stage that does nothing for the method (mlm without `method.mlm`...) still leaves its marker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lrx.adapt.run.context import ENCODER
from lrx.adapt.run.context import METRICS_FILE
from lrx.adapt.run.context import MLM
from lrx.adapt.run.context import MODEL
from lrx.adapt.run.context import SELF_TRAINED
from lrx.adapt.run.context import STAGES
from lrx.adapt.run.context import STUDENT
from lrx.adapt.run.context import Context
from lrx.adapt.run.settings import DistillSettings
from lrx.adapt.run.settings import EvaluateSettings
from lrx.adapt.run.settings import LexiconSettings
from lrx.adapt.run.settings import MlmSettings
from lrx.adapt.run.settings import SelfTrainSettings
from lrx.adapt.run.settings import SynthesizeSettings
from lrx.adapt.run.settings import TrainStageSettings
from lrx.adapt.run.settings import VocabStageSettings
from lrx.adapt.run.stages.data import run_lexicon
from lrx.adapt.run.stages.data import run_synthesize
from lrx.adapt.run.stages.data import synthesize_outputs
from lrx.adapt.run.stages.encoder import run_vocab
from lrx.adapt.run.stages.evaluate import run_evaluate
from lrx.adapt.run.stages.training import run_distill
from lrx.adapt.run.stages.training import run_mlm
from lrx.adapt.run.stages.training import run_self_train
from lrx.adapt.run.stages.training import run_train
from omegaconf import DictConfig


@dataclass(frozen=True)
class Stage:
    """A stage: the settings it reads (built from the config; also what its marker records and digests), what
    it runs with them, which earlier stages' outputs it reads, what it leaves in the run directory (the last
    two may depend on the method)."""

    name: str
    settings: Callable[[DictConfig], Any]
    run: Callable[[Context, Any], tuple[str, dict[str, Any]]]
    needs: Callable[[Context], list[str]]
    outputs: Callable[[Context], list[str]]


def _mlm_outputs(ctx: Context) -> list[str]:
    if not ctx.shape.mlm:
        return []
    return [ENCODER, MLM] if ctx.encoder_stage == "mlm" else [MLM]


def _scored_stages(ctx: Context) -> list[str]:
    """The stages whose models evaluate scores: the final model's and, scored beside it, those it was made from
    (a student's teacher, a self-training run's round 0; `evaluate._scored_models`). Evaluate reads every one of
    them, so one whose weights a run deleted (save_model) is made again before evaluate runs again."""
    stages = ["train"]
    if ctx.shape.self_train:
        stages.append("self_train")
    if ctx.shape.distill:
        stages.append("distill")
    return stages


STAGE_LIST: tuple[Stage, ...] = (
    Stage("lexicon", LexiconSettings.of, run_lexicon, lambda ctx: [], lambda ctx: ["lexicon_stats.json"]),
    Stage("synthesize", SynthesizeSettings.of, run_synthesize, lambda ctx: [], synthesize_outputs),
    Stage(
        "vocab",
        VocabStageSettings.of,
        run_vocab,
        lambda ctx: ["synthesize"] if ctx.shape.vocab else [],
        lambda ctx: [ENCODER] if ctx.shape.vocab else [],
    ),
    Stage(
        "mlm",
        MlmSettings.of,
        run_mlm,
        lambda ctx: ["synthesize", "vocab"] if ctx.shape.mlm else [],
        _mlm_outputs,
    ),
    Stage(
        "train",
        TrainStageSettings.of,
        run_train,
        lambda ctx: ["synthesize", "vocab", "mlm"],
        lambda ctx: [ENCODER, MODEL] if ctx.encoder_stage == "train" else [MODEL],
    ),
    Stage(
        "self_train",
        SelfTrainSettings.of,
        run_self_train,
        lambda ctx: ["synthesize", "vocab", "mlm", "train"] if ctx.shape.self_train else [],
        lambda ctx: [SELF_TRAINED] if ctx.shape.self_train else [],
    ),
    Stage(
        "distill",
        DistillSettings.of,
        run_distill,
        lambda ctx: ["synthesize", "vocab", "mlm", "train", "self_train"] if ctx.shape.distill else [],
        lambda ctx: [STUDENT] if ctx.shape.distill else [],
    ),
    Stage(
        "evaluate",
        EvaluateSettings.of,
        run_evaluate,
        lambda ctx: (["synthesize"] if ctx.uses_pseudo else []) + _scored_stages(ctx),
        lambda ctx: [METRICS_FILE],
    ),
)
STAGE_BY_NAME = {stage.name: stage for stage in STAGE_LIST}
assert tuple(STAGE_BY_NAME) == STAGES
