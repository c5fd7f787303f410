"""Structured configs of `lrx-run`: the schema that `conf/` is checked against, one dataclass per axis.

`conf/` stays plain YAML, one file per option (`conf/language/ee.yaml`, `conf/method/zero_shot.yaml`, ...), so
that a linguist adds a language without touching Python. These dataclasses say what each file must hold:
types are checked when Hydra merges a file into its schema, and `???` (MISSING) marks what has no sensible
default (a language's code, a task's training file), so a forgotten key fails at the start of a run, naming
the key, rather than hours later in the middle of a sweep.

The schema reaches Hydra through the ConfigStore: importing this module registers it (`register_configs`);
`adapt/run/app.py` imports it, and `conf/config.yaml` names it as `schema@_here_: config`, so every run is typed
and checked. Every schema field is still written out in each YAML file (a test checks that), so a file reads
complete on its own; the dataclass defaults here only document the usual values.

The choices (strings rather than enums, because `pseudo+en` and `intent_accuracy+slot_f1` are not Python
identifiers) are checked by `validate`, for adapt/run/app.py to call once per run before any stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import II
from omegaconf import MISSING
from omegaconf import DictConfig

TASK_NAMES = ("ner", "pos", "xsid")
# the metric each task is scored with; `intent_accuracy+slot_f1` reports both numbers for xSID
TASK_METRICS = {"ner": "entity_f1", "pos": "tag_accuracy", "xsid": "intent_accuracy+slot_f1"}
LABEL_SCHEMES = ("bio", "tag")
TRAIN_ON = ("en", "pseudo", "pseudo+en")
# as in lrx.lexicons.synthesis (CHOICES, UNKNOWN); repeated so that reading the schema imports nothing heavy
SYNTHESIS_CHOICES = ("weighted", "frequent", "all")
SYNTHESIS_UNKNOWN = ("keep", "drop", "entities")
INFLECTOR_METHODS = ("rules", "neural", "auto")
# as in lrx.adapt.encoders.vocab.MODEL_TYPES: the sentencepiece model types that propose words for the vocab stage
VOCAB_MODEL_TYPES = ("unigram", "bpe")


@dataclass
class LanguageConfig:
    """A target language and everything about it that is data: codes, lexicons, test and unlabelled text."""

    # the code the lexicons are asked for (`tgt`), BCP-47 as GATITOS spells it: ee, lg, luo, pcm, wo, sw
    code: str = MISSING
    name: str = MISSING
    iso639_3: str = MISSING
    script: str = "Latn"
    # lexicon sources (conf/lexicon/<name>.yaml) that cover the language; the first is the one to use
    lexicons: list[str] = MISSING
    # UniMorph table (ISO 639-3 as UniMorph names it, e.g. swc for Swahili) for morphology-aware synthesis;
    # null: none exists, and target lemmas stay uninflected
    unimorph: str | None = None
    # task name -> URLs of the target-language test (dev) files; a task missing here cannot be evaluated
    test_sets: dict[str, list[str]] = field(default_factory=dict)
    dev_sets: dict[str, list[str]] = field(default_factory=dict)
    # unlabelled target-language text (Bible New Testaments) for MLM and label distillation
    monolingual: list[str] = field(default_factory=list)


@dataclass
class TaskConfig:
    """A labelled task: the English data the model learns from and how target-language output is scored."""

    name: str = MISSING  # ner | pos | xsid: also the reader in lrx.adapt.tasks
    train: str = MISSING  # URL of the English training file
    dev: str = MISSING  # URL of the English dev file (model selection before transfer)
    label_scheme: str = MISSING  # bio (spans: NER tags, xSID slots) | tag (one label per token: POS)
    metric: str = MISSING  # entity_f1 | tag_accuracy | intent_accuracy+slot_f1
    # entity types scored (NER); others in the gold data read as O. Empty: every label counts
    entity_types: list[str] = field(default_factory=list)
    # caps for smoke runs (first N sentences); null: everything
    max_train_sentences: int | None = None
    max_eval_sentences: int | None = None


@dataclass
class TinyModelConfig:
    """Sizes of a randomly initialised BERT, for smoke tests that must finish in a minute on a CPU."""

    hidden_size: int = 64
    num_hidden_layers: int = 2
    num_attention_heads: int = 2
    intermediate_size: int = 128
    vocab_size: int = 8000


@dataclass
class TrainConfig:
    """Fine-tuning (and MLM) settings; the budgets (steps, minutes) stop whichever comes first."""

    epochs: int = 3
    batch_size: int = 32
    lr: float = 5e-5
    seed: int = II("seed")
    # torch CPU threads; 0: torch's default (all cores). Set 1 when a launcher runs jobs side by side
    threads: int = 0
    max_steps: int | None = None
    max_minutes: float | None = None
    # keep the input embeddings fixed: the target words the encoder never saw keep their pretrained vectors
    freeze_embeddings: bool = False
    # data-parallel training processes (adapt/training/__init__.py): one per GPU; on a CPU, gloo processes sharing the
    # cores (useful to test a multi-GPU setup, not faster)
    processes: int = 1


@dataclass
class ModelConfig:
    """The encoder: a name or path that `transformers` loads, or `tiny` with `tiny` sizes set."""

    name_or_path: str = MISSING
    tiny: TinyModelConfig | None = None
    max_length: int = 128
    # trim a sentencepiece-Unigram vocabulary (XLM-R's 250k pieces) to the pieces of the run's training text
    # and lexicon target words plus their single characters (adapt/encoders/trim.py; exact on that text). Not for tiny
    trim: bool = False
    train: TrainConfig = field(default_factory=TrainConfig)


@dataclass
class MethodSynthesisConfig:
    """How a method makes pseudo data: the options of `lrx synthesize` (lrx.lexicons.synthesis.SynthesisOptions)."""

    choice: str = "weighted"
    unknown: str = "keep"
    multiword: bool = True  # longest multiword lexicon entry first
    casefold: bool = True  # then the lower-cased token
    lemma: bool = True  # then the English lemma (dogs -> dog)
    # named entities: translate them word by word (Wang et al.) or keep them as they are
    entities: str = "translate"
    morphology: bool = II("morphology.enabled")  # inflect lemma matches back; a method may force it off
    min_replaced: int = 0
    max_variants: int = 4


@dataclass
class MethodConfig:
    """An adaptation method: what the classifier is trained on and which extra steps run."""

    name: str = MISSING
    train_on: str = MISSING  # en | pseudo | pseudo+en
    synthesis: MethodSynthesisConfig = field(default_factory=MethodSynthesisConfig)
    mlm: bool = False  # continue masked-LM training on pseudo monolingual text before fine-tuning
    # a checkpoint without a masked-LM head (e5) gets a random one: train it alone, the encoder frozen, for this
    # many steps first, so that its random gradients do not reach the encoder (0: no warm-up)
    mlm_head_warmup_steps: int = 0
    mlm_lr: float | None = None  # the masked-LM learning rate; null: model.train.lr
    distill: bool = False  # a teacher labels target monolingual text; a student trains on its labels
    vocab: bool = False  # add frequent target words to the tokenizer (the vocab stage; `vocab.*` says how)


@dataclass
class InflectorConfig:
    """The target-language inflector fitted on the language's UniMorph table."""

    method: str = "rules"  # rules | neural | auto (lrx.morphology.inflectors)
    max_minutes: float = 5.0  # neural training budget
    # a feature bundle seen with fewer lemmas than this is treated as a tagging slip, not a paradigm cell
    min_bundle_count: int = 3


@dataclass
class MorphologyConfig:
    """Morphology-aware synthesis on or off (languages without a UniMorph table are never inflected)."""

    enabled: bool = MISSING
    inflector: InflectorConfig = field(default_factory=InflectorConfig)


@dataclass
class SynthesisConfig:
    """The `synthesize` stage's options as adapt/run/app.py reads them: derived from the axes above."""

    task: str = II("task.name")
    input: str = II("task.train")
    morphology: bool = II("method.synthesis.morphology")
    choice: str = II("method.synthesis.choice")
    unknown: str = II("method.synthesis.unknown")
    min_replaced: int = II("method.synthesis.min_replaced")
    max_variants: int = II("method.synthesis.max_variants")
    seed: int = II("seed")
    unimorph: str | None = II("language.unimorph")


@dataclass
class VocabConfig:
    """The `vocab` stage (`method.vocab`): which target words join the encoder's tokenizer (adapt/encoders/vocab.py)."""

    pieces: int = 2000  # at most this many new tokens
    # the sentencepiece model trained on the run's target text whose whole-word pieces are the candidates
    model_type: str = "unigram"  # unigram | bpe
    vocab_size: int = 8000  # its vocabulary size (an upper bound: a small text gets fewer pieces)
    min_frequency: int = 3  # a word must occur this often in the target text to be added
    seed: int = II("seed")


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
    save_model: bool = False  # keep the fine-tuned weights in the run directory (hundreds of MB each)
    seed: int = 1
    # other methods run on the same language, task, model and seed, in compare/<method>/ of the run directory,
    # and printed beside the run's own score (the main job compares with zero_shot); sweeps leave it empty
    compare_with: list[str] = field(default_factory=list)
    synthesis: SynthesisConfig = field(default_factory=SynthesisConfig)
    vocab: VocabConfig = field(default_factory=VocabConfig)


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


def _choice(value: Any, allowed: tuple[str, ...], key: str) -> None:
    if value not in allowed:
        raise ValueError(f"{key} must be one of {', '.join(allowed)}, not {value!r}")


def validate(cfg: DictConfig) -> None:
    """Check the choices that the types cannot: raise ValueError naming the key. Call once per run, before
    any stage, so that a sweep with one bad combination fails in seconds rather than after training."""
    _choice(cfg.task.name, TASK_NAMES, "task.name")
    _choice(cfg.task.label_scheme, LABEL_SCHEMES, "task.label_scheme")
    if cfg.task.metric != TASK_METRICS[cfg.task.name]:
        raise ValueError(f"task.metric for {cfg.task.name} is {TASK_METRICS[cfg.task.name]}, not {cfg.task.metric!r}")
    _choice(cfg.method.train_on, TRAIN_ON, "method.train_on")
    _choice(cfg.method.synthesis.choice, SYNTHESIS_CHOICES, "method.synthesis.choice")
    _choice(cfg.method.synthesis.unknown, SYNTHESIS_UNKNOWN, "method.synthesis.unknown")
    _choice(cfg.morphology.inflector.method, INFLECTOR_METHODS, "morphology.inflector.method")
    _choice(cfg.vocab.model_type, VOCAB_MODEL_TYPES, "vocab.model_type")
    if cfg.vocab.pieces < 0 or cfg.vocab.vocab_size < 1 or cfg.vocab.min_frequency < 1:
        raise ValueError("vocab.pieces must be >= 0, vocab.vocab_size and vocab.min_frequency >= 1")
    if cfg.model.name_or_path == "tiny" and cfg.model.tiny is None:
        raise ValueError("model.name_or_path is tiny but model.tiny (its sizes) is null")
    if "evaluate" in cfg.stages and not cfg.language.test_sets.get(cfg.task.name):
        raise ValueError(
            f"language {cfg.language.code} has no test set for task {cfg.task.name} "
            f"(language.test_sets has {', '.join(cfg.language.test_sets) or 'none'})"
        )


register_configs()
