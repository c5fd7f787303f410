"""Each stage's typed settings: everything it reads from the config, and nothing else.

A stage receives its settings object and reads the config through it alone; the stage's marker records the
same object and its digest decides whether a finished stage must run again. What a stage reads and what its
marker records are therefore one thing and cannot drift apart. Where the schema's own dataclass is what a
component takes (`TrainSettings`, `VocabSettings`, the encoder built from its `_target_`), the settings hold
that object as `OmegaConf.to_object` builds it from the composed config, not a copy made field by field.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from omegaconf import DictConfig
from omegaconf import OmegaConf

# Wang et al.'s threshold for pseudo-monolingual text: a sentence with fewer translated words says little
PSEUDO_TEXT_MIN_REPLACED = 3


def _plain(node: Any) -> Any:
    return OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node


def _object(node: Any) -> Any:
    """The schema dataclass instance of a typed node (`OmegaConf.to_object`)."""
    return OmegaConf.to_object(node)


@dataclass(frozen=True)
class MethodShape:
    """Which stages a method uses, from `method.*`: the structure of a run, read by the planner."""

    name: str
    train_on: str  # en | pseudo | pseudo+en
    mlm: bool
    distill: bool
    vocab: bool
    self_train: bool = False

    @property
    def uses_pseudo(self) -> bool:
        """Whether the method trains on pseudo (translated, labelled) data."""
        return "pseudo" in self.train_on.split("+")

    @property
    def needs_target_text(self) -> bool:
        """Whether the method reads unlabelled target text (MLM, self-training, distillation, vocabulary
        extension)."""
        return self.mlm or self.distill or self.vocab or self.self_train

    @property
    def encoder_stage(self) -> str:
        """The stage that prepares `encoder/`: vocab when the method extends the vocabulary (the encoder the
        later stages read is the extended one), else the first stage that reads it (mlm, else train)."""
        if self.vocab:
            return "vocab"
        return "mlm" if self.mlm else "train"

    @classmethod
    def of(cls, cfg: DictConfig) -> MethodShape:
        m = cfg.method
        return cls(
            str(m.name), str(m.train_on), bool(m.mlm), bool(m.distill), bool(m.vocab), int(m.self_train.rounds) > 0
        )


@dataclass(frozen=True)
class LexiconSettings:
    """The lexicon source's node (`_target_` and its options) and the pair it is loaded for."""

    source: dict[str, Any]
    src: str
    tgt: str

    @classmethod
    def of(cls, cfg: DictConfig) -> LexiconSettings:
        return cls(_plain(cfg.lexicon), str(cfg.src), str(cfg.tgt))


@dataclass(frozen=True)
class SynthesizeSettings:
    """The English training data (`task.train`, capped), the lexicon, and how it is translated: the method's
    `SynthesisOptions` (`method.synthesis`) and the target's UniMorph table."""

    lexicon: LexiconSettings
    task: str
    input: str
    max_sentences: int | None
    options: Any  # lrx.lexicons.synthesis.SynthesisOptions, as the schema types method.synthesis
    unimorph: str | None
    pseudo: bool
    target_text: bool
    monolingual: tuple[str, ...]

    @classmethod
    def of(cls, cfg: DictConfig) -> SynthesizeSettings:
        shape = MethodShape.of(cfg)
        return cls(
            lexicon=LexiconSettings.of(cfg),
            task=str(cfg.task.name),
            input=str(cfg.task.train),
            max_sentences=cfg.task.max_train_sentences,
            options=_object(cfg.method.synthesis),
            unimorph=cfg.language.unimorph,
            pseudo=shape.uses_pseudo,
            target_text=shape.needs_target_text,
            monolingual=tuple(cfg.language.monolingual) if shape.needs_target_text else (),
        )


@dataclass(frozen=True)
class TrimSettings:
    """What a trimmed vocabulary keeps (`model.trim`): the lexicon's words (its English words too when the vocab
    stage initialises added words from them) and the language's monolingual text."""

    lexicon: LexiconSettings
    english_words: bool
    monolingual: tuple[str, ...]


@dataclass(frozen=True)
class EncoderSettings:
    """The encoder to prepare: the object its `model.encoder` node builds (`_target_`), its name in reports,
    the longest input, the seed of a randomly initialised one, and the trim (None: untrimmed)."""

    encoder: Any
    name: str
    max_length: int
    seed: int
    trim: TrimSettings | None

    @classmethod
    def of(cls, cfg: DictConfig) -> EncoderSettings:
        model = cfg.model
        trim = None
        if model.trim:
            trim = TrimSettings(LexiconSettings.of(cfg), bool(cfg.method.vocab), tuple(cfg.language.monolingual))
        return cls(_instantiate(model.encoder), str(model.name_or_path), int(model.max_length), int(cfg.seed), trim)


def _instantiate(node: Any) -> Any:
    from hydra.utils import instantiate

    return instantiate(node, _convert_="all")


def train_settings(cfg: DictConfig) -> Any:
    """`model.train` as the `lrx.adapt.training.TrainSettings` the schema types it with."""
    return _object(cfg.model.train)


@dataclass(frozen=True)
class VocabStageSettings:
    """The vocab stage (`method.vocab`): the encoder it extends, `vocab.*`, the lexicon that initialises the
    added words. Without method.vocab none of them (the marker of a stage that does nothing)."""

    enabled: bool
    encoder: EncoderSettings | None = None
    vocab: Any = None  # lrx.adapt.encoders.vocab.VocabSettings
    lexicon: LexiconSettings | None = None

    @classmethod
    def of(cls, cfg: DictConfig) -> VocabStageSettings:
        if not cfg.method.vocab:
            return cls(False)
        return cls(True, EncoderSettings.of(cfg), _object(cfg.vocab), LexiconSettings.of(cfg))


@dataclass(frozen=True)
class MlmSettings:
    """Continued masked-LM training (`method.mlm`): the encoder when this stage prepares it, the training
    settings with the MLM learning rate, and the new head's warm-up."""

    enabled: bool
    encoder: EncoderSettings | None = None
    train: Any = None  # TrainSettings
    head_warmup_steps: int = 0

    @classmethod
    def of(cls, cfg: DictConfig) -> MlmSettings:
        if not cfg.method.mlm:
            return cls(False)
        shape = MethodShape.of(cfg)
        train = train_settings(cfg)
        if cfg.method.mlm_lr is not None:
            train = replace(train, lr=float(cfg.method.mlm_lr))
        encoder = EncoderSettings.of(cfg) if shape.encoder_stage == "mlm" else None
        return cls(True, encoder, train, int(cfg.method.mlm_head_warmup_steps))


@dataclass(frozen=True)
class TrainStageSettings:
    """Fine-tuning: the encoder when this stage prepares it, the training settings, the English dev set (its
    labels join the label list), what the method trains on."""

    encoder: EncoderSettings | None
    train: Any  # TrainSettings
    dev: str
    train_on: str
    # the encoder fine-tuning starts from depends on these (the stages before it): recorded for the reader
    mlm: bool
    model: str
    # the language's labelled training files (language.train_sets), read only when train_on is `target`
    target_train: tuple[str, ...] = ()

    @classmethod
    def of(cls, cfg: DictConfig) -> TrainStageSettings:
        shape = MethodShape.of(cfg)
        encoder = EncoderSettings.of(cfg) if shape.encoder_stage == "train" else None
        target = tuple(cfg.language.train_sets.get(str(cfg.task.name), [])) if shape.train_on == "target" else ()
        return cls(
            encoder,
            train_settings(cfg),
            str(cfg.task.dev),
            shape.train_on,
            shape.mlm,
            str(cfg.model.name_or_path),
            target,
        )


@dataclass(frozen=True)
class SelfTrainSettings:
    """Self-training (`method.self_train`, on when rounds > 0): how, and the training settings of every round;
    what the train stage trained on (a round trains on that plus its confident labels)."""

    enabled: bool
    rounds: int = 0
    selection: str = "class"
    keep: float = 0.5
    threshold: float = 0.0
    init: str = "teacher"
    text: str = "monolingual"
    max_sentences: int | None = None
    train: Any = None  # TrainSettings
    train_on: str = ""
    target_train: tuple[str, ...] = ()

    @classmethod
    def of(cls, cfg: DictConfig) -> SelfTrainSettings:
        node = cfg.method.self_train
        if int(node.rounds) <= 0:
            return cls(False)
        stage = TrainStageSettings.of(cfg)
        return cls(
            True,
            int(node.rounds),
            str(node.selection),
            float(node.keep),
            float(node.threshold),
            str(node.init),
            str(node.text),
            node.max_sentences,
            train_settings(cfg),
            stage.train_on,
            stage.target_train,
        )


@dataclass(frozen=True)
class DistillSettings:
    """Distillation (`method.distill`): the student's training settings and shape (`method.student`)."""

    enabled: bool
    train: Any = None  # TrainSettings
    train_on: str = ""
    soft: bool = False
    layers: int | None = None
    teachers: int = 1
    self_train: bool = False  # the teacher is self_train/'s model (else model/)
    target_train: tuple[str, ...] = ()
    text: str = "target"
    init: str = "encoder"

    @classmethod
    def of(cls, cfg: DictConfig) -> DistillSettings:
        if not cfg.method.distill:
            return cls(False)
        student = cfg.method.student
        return cls(
            True,
            train_settings(cfg),
            str(cfg.method.train_on),
            bool(student.soft),
            student.layers,
            int(student.teachers),
            MethodShape.of(cfg).self_train,
            TrainStageSettings.of(cfg).target_train,
            str(student.text),
            str(student.init),
        )


@dataclass(frozen=True)
class EvaluateSettings:
    """The language's test sets for the task and how they are scored and recorded."""

    test_sets: tuple[str, ...]
    max_sentences: int | None
    entity_types: tuple[str, ...]
    language: str
    method: str
    model: str
    # the signature of a run without pseudo data names these
    src: str
    tgt: str
    seed: int
    # task.eval_dev: the language's dev sets too (entries named .../dev), for choosing on dev in the same runs
    dev_sets: tuple[str, ...] = ()

    @classmethod
    def of(cls, cfg: DictConfig) -> EvaluateSettings:
        task = cfg.task
        return cls(
            test_sets=tuple(cfg.language.test_sets.get(str(task.name), [])),
            max_sentences=task.max_eval_sentences,
            entity_types=tuple(task.entity_types),
            language=str(cfg.language.code),
            method=str(cfg.method.name),
            model=str(cfg.model.name_or_path),
            src=str(cfg.src),
            tgt=str(cfg.tgt),
            seed=int(cfg.seed),
            dev_sets=tuple(cfg.language.dev_sets.get(str(task.name), [])) if task.eval_dev else (),
        )
