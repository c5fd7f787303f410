"""Structured configs of `lrx-run`: the schema that `conf/` is checked against, one dataclass per axis.

`conf/` stays plain YAML, one file per option (`conf/language/ee.yaml`, `conf/method/zero_shot.yaml`, ...), so
that a linguist adds a language without touching Python. These dataclasses say what each file must hold:
types are checked when Hydra merges a file into its schema, and `???` (MISSING) marks what has no sensible
default (a language's code, a task's training file), so a forgotten key fails at the start of a run, naming
the key, rather than hours later in the middle of a sweep.

The schema reaches Hydra through the ConfigStore: importing this module registers it (`register_configs`);
`adapt/run/app.py` imports it, and `conf/config.yaml` names it as `schema@_here_: config`, so every run is typed
and checked. A YAML file that stands on its own writes out every schema field, so it reads complete; one built
on another through its defaults list (conf/method/*.yaml, conf/model/hf.yaml) states only what differs (a test
checks both). The dataclass defaults here only document the usual values.

The choices (strings rather than enums, because `pseudo+en` is not a Python identifier; the task names are
the task registry's, `lrx.adapt.tasks`) are checked by `validate`, which the engine calls once per run before
any stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hydra.core.config_store import ConfigStore

# the components' own settings classes are the schema of their nodes: `model.train` is the TrainSettings the
# training loops take, `vocab` the VocabSettings of the vocab stage (both plain dataclasses, no heavy imports)
from lrx.adapt.encoders.vocab import MODEL_TYPES as VOCAB_MODEL_TYPES
from lrx.adapt.encoders.vocab import VocabSettings
from lrx.adapt.run.language_source import register_language_source
from lrx.adapt.run.naming import register_resolver
from lrx.adapt.tasks import task_names
from lrx.adapt.training.settings import TrainSettings
from lrx.lexicons.synthesis import SynthesisOptions
from omegaconf import II
from omegaconf import MISSING
from omegaconf import DictConfig
from omegaconf import OmegaConf

# target: the language's own labelled training data (language.train_sets), the supervised ceiling only
TRAIN_ON = ("en", "pseudo", "pseudo+en", "target")
SELF_TRAIN_INIT = ("teacher", "encoder")
SELF_TRAIN_TEXT = ("monolingual", "target")
SELF_TRAIN_SELECTION = ("class", "sentence")


@dataclass
class LanguageConfig:
    """A target language and everything about it that is data: codes, UniMorph table, test and unlabelled text."""

    # the code the lexicons are asked for (`tgt`), BCP-47 as GATITOS spells it: ee, lg, luo, pcm, wo, sw
    code: str = MISSING
    name: str = MISSING
    iso639_3: str = MISSING
    script: str = "Latn"
    # UniMorph table (ISO 639-3 as UniMorph names it, e.g. swc for Swahili) for morphology-aware synthesis;
    # null: none exists, and target lemmas stay uninflected
    unimorph: str | None = None
    # task name -> URLs of the target-language test (dev) files; a task missing here cannot be evaluated
    test_sets: dict[str, list[str]] = field(default_factory=dict)
    dev_sets: dict[str, list[str]] = field(default_factory=dict)
    # unlabelled target-language text for self-training, MLM, distillation and vocabulary extension: files or
    # URLs of Bibles (CES XML, verse TSV), plain text or task files whose labels are never read (the format is
    # detected from the content: adapt/tasks/unlabelled.py); read in this order
    monolingual: list[str] = field(default_factory=list)
    # task name -> URLs of labelled target-language training files: read by the supervised ceiling alone
    # (method.train_on=target, conf/method/supervised.yaml), never by a transfer method
    train_sets: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class TaskConfig:
    """A labelled task: the English data the model learns from and how target-language output is scored."""

    name: str = MISSING  # ner | pos | xsid: also the reader in lrx.adapt.tasks
    train: str = MISSING  # URL of the English training file
    dev: str = MISSING  # URL of the English dev file (model selection before transfer)
    # entity types scored (NER); others in the gold data read as O. Empty: every label counts
    entity_types: list[str] = field(default_factory=list)
    # caps for smoke runs (first N sentences); null: everything
    max_train_sentences: int | None = None
    max_eval_sentences: int | None = None
    # also score the language's dev sets (language.dev_sets) in the evaluate stage, as `<set>/dev` entries:
    # choices are made on those, from the same runs whose test scores are reported once at the end
    eval_dev: bool = False


@dataclass
class ModelConfig:
    """The encoder: `encoder` builds it (`_target_`: `lrx.adapt.encoders.TinyEncoder`, `E5SmallEncoder`,
    `PretrainedEncoder`), `name_or_path` names it in metrics and reports, `train` says how it is trained."""

    name_or_path: str = MISSING
    encoder: Any = MISSING
    max_length: int = 128
    # trim a sentencepiece-Unigram vocabulary (XLM-R's 250k pieces) to the pieces of the run's training text
    # and lexicon target words plus their single characters (adapt/encoders/trim.py; exact on that text). Not for
    # an encoder that learns its vocabulary from the run (tiny)
    trim: bool = False
    # max_steps and max_minutes: 0 is no cap; processes: data-parallel training processes (one per GPU;
    # adapt/training/parallel.py)
    train: TrainSettings = field(default_factory=TrainSettings)


# how a method makes pseudo data: the options of `lrx synthesize`, defined once, in lrx.lexicons.synthesis (a
# plain dataclass). The method files set them (conf/method/zero_shot.yaml holds every key, `morphology:
# ${morphology.enabled}` and `seed: ${seed}` among them); the synthesize stage gets the options back with
# OmegaConf.to_object(cfg.method.synthesis). The old name stays an alias
MethodSynthesisConfig = SynthesisOptions


@dataclass
class SelfTrainConfig:
    """Self-training (the self_train stage, adapt/run/stages/training.py): the trained model labels the
    unlabelled target text, the sentences it is sure of join the training data, a model is trained again;
    `rounds` times (0: off), each round's model labelling for the next."""

    rounds: int = 0
    # class: per predicted class (entity type, or O; a POS tag), the `keep` fraction of its words the model is
    # surest of keep their labels and the others are left out of the loss (class-balanced, as in Zou et al.
    # 2018: one calibration-free rule for every language and class, and the few sure entity words are not
    # drowned by sure O's); sentence: whole sentences whose least certain word's probability is >= `threshold`
    selection: str = "class"
    keep: float = 0.5
    threshold: float = 0.9
    # encoder: each round starts afresh from the encoder fine-tuning started from (the textbook student: its
    # gain is the data's, not more steps'); teacher: each round continues from the previous round's model
    init: str = "encoder"
    # monolingual: the real unlabelled text (language.monolingual); target: the pseudo-monolingual text too
    text: str = "monolingual"
    # unlabelled sentences labelled per round, the first ones (null: all that the run holds)
    max_sentences: int | None = None


@dataclass
class StudentConfig:
    """The distill stage's student (`method.distill`): what it learns from and how large it is."""

    # learn the teachers' label distributions (cross-entropy to their mean distribution, i.e. KL) rather than
    # their argmax labels
    soft: bool = False
    # keep only the encoder's first N layers (null: all): a smaller, faster model to ship
    layers: int | None = None
    # the teacher ensemble: the run's model plus teachers - 1 more, trained as the train stage trains (same data
    # and settings) with seeds seed+1, seed+2, ...; their distributions are averaged
    teachers: int = 1
    # the unlabelled text the teachers label: target (the pseudo-monolingual text and the real monolingual text,
    # Wang et al.'s label distillation) or monolingual (the real text only)
    text: str = "target"
    # encoder: the student starts from the encoder; teacher: from the (first) teacher
    init: str = "encoder"


@dataclass
class MethodConfig:
    """An adaptation method: what the classifier is trained on and which extra steps run."""

    name: str = MISSING
    train_on: str = MISSING  # en | pseudo | pseudo+en
    synthesis: SynthesisOptions = field(default_factory=SynthesisOptions)
    mlm: bool = False  # continue masked-LM training on pseudo monolingual text before fine-tuning
    # a checkpoint without a masked-LM head (e5) gets a random one: train it alone, the encoder frozen, for this
    # many steps first, so that its random gradients do not reach the encoder (0: no warm-up)
    mlm_head_warmup_steps: int = 0
    mlm_lr: float | None = None  # the masked-LM learning rate; null: model.train.lr
    distill: bool = False  # a teacher labels target monolingual text; a student trains on its labels
    student: StudentConfig = field(default_factory=StudentConfig)
    self_train: SelfTrainConfig = field(default_factory=SelfTrainConfig)
    vocab: bool = False  # add frequent target words to the tokenizer (the vocab stage; `vocab.*` says how)


@dataclass
class MorphologyConfig:
    """Morphology-aware synthesis on or off (languages without a UniMorph table are never inflected)."""

    enabled: bool = MISSING


@dataclass
class MultilingualConfig:
    """How a joint run (`languages=[...]`) pools its languages' pseudo data."""

    # language l gets a share of the pooled pseudo sentences proportional to n_l^(1/temperature): 1 keeps the
    # sizes, larger flattens them; XLM-R's alpha = 0.3 is temperature 1/0.3
    temperature: float = 3.33
    # the share of English in the training data (methods that train on English and pseudo data): English is
    # resampled to it (0.5: what a per-language pseudo+en model has). null: English once, 1/(n+1) of the data for
    # n languages of equal size; chosen on the MasakhaNER dev sets (seed 1, 250 steps, five languages: English once
    # 48.1 mean F1, 0.5 34.4): more pseudo data per step beats the per-language ratio
    english_share: float | None = None


@dataclass
class Config:
    """The whole of `lrx-run`'s config (the `hydra` section aside, which Hydra adds)."""

    language: LanguageConfig = MISSING
    task: TaskConfig = MISSING
    model: ModelConfig = MISSING
    method: MethodConfig = MISSING
    morphology: MorphologyConfig = MISSING
    # a lexicon source's options, instantiated with hydra.utils.instantiate (each source has its own keys)
    lexicon: Any = MISSING
    src: str = "eng"
    tgt: str = II("language.code")
    stages: list[str] = field(default_factory=lambda: ["lexicon"])
    force: bool = False  # redo a stage whose output is already in the run directory
    # keep the weights in the run directory (hundreds of MB each): null keeps the final model in a single run and
    # none in a sweep (-m); true keeps every weight directory, false none (lrx.adapt.run.engine.discard_weights)
    save_model: bool | None = None
    seed: int = 1
    # other methods run on the same language, task, model and seed, in compare/<method>/ of the run directory,
    # and printed beside the run's own score (the main job compares with zero_shot); sweeps leave it empty
    compare_with: list[str] = field(default_factory=list)
    # the vocab stage (method.vocab): which target words join the encoder's tokenizer (adapt/encoders/vocab.py)
    vocab: VocabSettings = field(default_factory=VocabSettings)
    # one model for many languages (adapt/run/multilingual.py): a non-empty list adapts ONE encoder to all of
    # them, each language's data from its own language node; `language` is then only the first's fallback
    languages: list[str] = field(default_factory=list)
    multilingual: MultilingualConfig = field(default_factory=lambda: MultilingualConfig())


# (group, name) -> schema; `schema/config` is the one conf/config.yaml names, the per-axis ones are for a
# YAML file that wants its own group's schema as a base (`defaults: [/schema/language@_here_, _self_]`)
SCHEMAS: dict[str, type] = {
    "config": Config,
    "language": LanguageConfig,
    "task": TaskConfig,
    "model": ModelConfig,
    "method": MethodConfig,
    "morphology": MorphologyConfig,
}


def register_configs() -> None:
    """Put the schemas in Hydra's ConfigStore (group `schema`); storing twice replaces, so this is idempotent."""
    cs = ConfigStore.instance()
    for name, node in SCHEMAS.items():
        cs.store(group="schema", name=name, node=node)
    register_resolver()  # ${lrx_job_dir:...}, the sweep job directories of conf/config.yaml


def group_option(group: str, name: str) -> DictConfig:
    """`conf/<group>/<name>.yaml` composed as `<group>=<name>` composes it, through its defaults list (inside a
    running Hydra app or not): what `compare_with` runs a method with, and a joint run each language's lexicon."""
    from hydra import compose
    from hydra import initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():
        return compose(config_name=f"{group}/{name}")[group]
    with initialize_config_module(config_module="lrx.conf", version_base="1.3"):
        return compose(config_name=f"{group}/{name}")[group]


def _choice(value: Any, allowed: tuple[str, ...], key: str) -> None:
    if value not in allowed:
        raise ValueError(f"{key} must be one of {', '.join(allowed)}, not {value!r}")


def validate(cfg: DictConfig) -> None:
    """Check the choices that the types cannot: raise ValueError naming the key. Call once per run, before
    any stage, so that a sweep with one bad combination fails in seconds rather than after training."""
    _choice(cfg.task.name, task_names(trainable=True), "task.name")
    _choice(cfg.method.train_on, TRAIN_ON, "method.train_on")
    try:  # SynthesisOptions checks its own values (choice, unknown, entities, min_replaced, max_variants)
        OmegaConf.to_object(cfg.method.synthesis)
    except ValueError as error:
        raise ValueError(f"method.synthesis.{error}") from None
    self_train = cfg.method.self_train
    _choice(self_train.init, SELF_TRAIN_INIT, "method.self_train.init")
    _choice(self_train.text, SELF_TRAIN_TEXT, "method.self_train.text")
    _choice(self_train.selection, SELF_TRAIN_SELECTION, "method.self_train.selection")
    if self_train.rounds < 0 or not 0.0 <= self_train.threshold <= 1.0 or not 0.0 < self_train.keep <= 1.0:
        raise ValueError(
            "method.self_train.rounds must be >= 0, method.self_train.threshold in [0, 1] and "
            "method.self_train.keep in (0, 1]"
        )
    _choice(cfg.method.student.text, SELF_TRAIN_TEXT, "method.student.text")
    _choice(cfg.method.student.init, SELF_TRAIN_INIT, "method.student.init")
    if cfg.method.student.teachers < 1:
        raise ValueError("method.student.teachers must be >= 1")
    student = cfg.method.student
    if (self_train.rounds or student.soft or student.layers or student.teachers > 1) and cfg.task.name == "xsid":
        raise ValueError(
            "self-training and method.student (soft labels, fewer layers, teacher ensembles) work on the tagging "
            "tasks (ner, pos), whose models give per-word label probabilities; xsid's joint model does not yet"
        )
    if cfg.method.train_on == "target" and not cfg.language.train_sets.get(cfg.task.name):
        raise ValueError(
            f"method.train_on=target (the supervised ceiling) needs language.train_sets.{cfg.task.name}; "
            f"language {cfg.language.code} has none"
        )
    _choice(cfg.vocab.model_type, VOCAB_MODEL_TYPES, "vocab.model_type")
    if cfg.vocab.pieces < 0 or cfg.vocab.vocab_size < 1 or cfg.vocab.min_frequency < 1:
        raise ValueError("vocab.pieces must be >= 0, vocab.vocab_size and vocab.min_frequency >= 1")


register_configs()
register_language_source()  # `language=<any code>` (adapt/run/language_source.py; also on its own import)
