"""The stages of `lrx-run`, in order: lexicon, synthesize, vocab, mlm, train, distill, evaluate.

One run is one language x task x model x method; everything it makes goes into its run directory:

- `lexicon`: loads the lexicon (`conf/lexicon/<name>.yaml`) for `src`-`tgt`: `lexicon_stats.json`.
- `synthesize`: the English training data (`synthesis.input`, by default `task.train`; the first
  `task.max_train_sentences` sentences when set) as `english.<task>`; for a method that trains on pseudo data,
  its translation by `lrx.adapt.synthesize.synthesize_file` with every synthesis option of the method (matching
  paths, choice, unknown words, morphology) as `pseudo.<task>` (+ `.stats.json`); for a method that needs
  unlabelled target text (MLM, distillation), pseudo-monolingual text (the same English sentences translated,
  those with fewer than 3 translated words left out, as Wang et al. do) as `pseudo_text.txt`, and the
  language's real monolingual text (its Bibles, `language.monolingual`; the first `task.max_train_sentences`
  verses when set) as `monolingual.txt`. A method that extends the vocabulary needs that text too.
- `vocab` (`method.vocab`): prepares the encoder and adds frequent target words of the run's target text (pseudo
  data, pseudo-monolingual and monolingual text) to its tokenizer, with embeddings from the lexicon's English
  words or the words' old pieces (`lrx.adapt.encoders.vocab.extend_vocabulary`, settings `vocab.*`): `encoder/`.
- `mlm` (`method.mlm`): continues masked-LM training on the target text (`mlm/`) from `encoder/` (prepared
  here unless the vocab stage prepared it).
- `train`: fine-tunes on what `method.train_on` says (`en`, `pseudo`, `pseudo+en`) from the prepared encoder
  (`mlm/` after MLM, else `encoder/`, prepared here unless vocab or mlm did): `model/`. The encoder is prepared
  by the first stage that needs it (`Context.encoder_stage`): vocab, else mlm, else train. A tiny encoder's
  vocabulary is trained on the English, pseudo and monolingual text of the run, never on test data. With
  `model.trim` (a sentencepiece-Unigram encoder such as e5_small) the prepared encoder is trimmed
  (`lrx.adapt.encoders.trim.trim_vocabulary`) to the pieces of that same text plus the lexicon's target words (and, for
  vocab, its English words, which initialise the added words), keeping every single-character piece of their
  characters, and the language's monolingual text (its Bibles) whatever the method, so that test words keep
  their pretrained pieces; before anything trains on it or the vocab stage extends it; never on dev or test data. The
  stage's result records the trim (pieces, bytes, seconds).
- `distill` (`method.distill`): the trained model labels the target text; a student (from the same encoder)
  trains on those labels plus the training data: `student/`, the final model.
- `evaluate`: every test set of the language for the task: `metrics.json`, a list of entries
  `{language, task, method, model, test_set, metric, score, signature, seconds}` (scores in percent), the
  format `lrx report` reads.

A stage that does nothing for the method (mlm without `method.mlm`...) still leaves its marker.

Resuming: each stage ends by writing `stages/<stage>.json` (what it did, the signatures of its inputs, its
seconds, a fresh id). A later run in the same directory skips a stage whose marker is there and whose inputs
are unchanged: the same config, and the same ids for the stages it reads from (a stage that runs again gets
a new id, so what depends on it runs again too). `force=true` runs every requested stage. A stage deletes its
marker before it starts and writes its outputs under temporary names, renamed into place when complete, so a
run killed in the middle of a stage redoes that stage and nothing before it. `stages=[...]` runs only those
stages, reading what earlier ones made from the run directory (an error names what is missing).

`save_model=false` deletes the weights (`encoder/`, `mlm/`, `model/`, `student/`) at the end of a run that
evaluated; metrics, pseudo data and markers stay. A later run that needs them again (a stage after them
redone) retrains: the planner reruns a requested stage whose outputs are gone when a stage that reads them
has to run.

Failures: any exception writes `failed.json` (`{language, method, error}`, the error a traceback; `lrx
report` shows the cell as failed) and is raised again. Hydra's launchers (joblib, submitit) catch a job's
exception in `run_job`, so the other jobs of a sweep still run; the sweep exits non-zero at the end.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import time
import traceback
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from lrx.adapt.run.schema import (
    validate,  # importing lrx.adapt.run.schema registers the schema lrx.conf/config.yaml names
)
from omegaconf import DictConfig
from omegaconf import OmegaConf

from lrx.core.errors import LrxError
from lrx.core.sentence import Sentence

log = logging.getLogger(__name__)

STAGES = ("lexicon", "synthesize", "vocab", "mlm", "train", "distill", "evaluate")
MARKERS = "stages"
METRICS_FILE = "metrics.json"
FAILED_FILE = "failed.json"
# Wang et al.'s threshold for pseudo-monolingual text: a sentence with fewer translated words says little
PSEUDO_TEXT_MIN_REPLACED = 3
ENCODER, MLM, MODEL, STUDENT = "encoder", "mlm", "model", "student"
WEIGHT_DIRS = (ENCODER, MLM, MODEL, STUDENT)
PSEUDO_TEXT = "pseudo_text.txt"
MONOLINGUAL = "monolingual.txt"
_TINY_TRIM = (
    "model.trim=true but encoder 'tiny' builds a WordPiece vocabulary from the run's own text: only a "
    "sentencepiece-Unigram encoder (e5_small, XLM-R) can be trimmed; set model.trim=false"
)


class PipelineError(LrxError):
    """A run that cannot go on: an unknown stage, an earlier stage's output missing, a stage not built yet."""


# ---------------------------------------------------------------------------------------------------------------
# small helpers


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _plain(node: Any) -> Any:
    return OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (a temp file beside it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


@contextmanager
def atomic_dir(final: Path) -> Iterator[Path]:
    """A temporary directory beside `final` that replaces `final` when the block ends without an error (and is
    removed when it does not): a model directory is either complete or absent."""
    tmp = final.with_name(f".{final.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)  # left by a run that was killed
    try:
        yield tmp
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def short_test_set_name(url: str) -> str:
    """A short name for a test file's URL: `masakhaner2/ewe/test`, `ud/wolof-wtb/test`, `xsid/de-st/test`."""
    path = url.split("://", 1)[-1]
    if found := re.search(r"MasakhaNER2\.0/data/([^/]+)/([^/.]+)\.\w+$", path):
        return f"masakhaner2/{found[1]}/{found[2]}"
    if found := re.search(r"UD_([^/]+)/(?:[^/]+/)*[^/]*?-ud-([^/.]+)\.conllu$", path):
        return f"ud/{found[1].lower()}/{found[2]}"
    if found := re.search(r"xSID-[^/]+/([^/]+)\.([^/.]+)\.conll$", path):
        return f"xsid/{found[1]}/{found[2]}"
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[-2:]).rsplit(".", 1)[0] if parts else url


def train_settings(cfg: DictConfig) -> Any:
    """`model.train.*` (and `model.max_length`) as `lrx.adapt.training.TrainSettings`."""
    from lrx.adapt.training import TrainSettings

    t = cfg.model.train
    return TrainSettings(
        epochs=float(t.epochs),
        batch_size=int(t.batch_size),
        lr=float(t.lr),
        max_length=int(cfg.model.max_length),
        seed=int(t.seed),
        threads=int(t.threads),
        max_steps=int(t.max_steps or 0),
        max_minutes=float(t.max_minutes or 0),
        freeze_embeddings=bool(t.freeze_embeddings),
        processes=int(t.processes),
    )


def _texts(sentences: Sequence[Sentence]) -> list[str]:
    return [" ".join(s.tokens) for s in sentences if s.tokens]


# ---------------------------------------------------------------------------------------------------------------
# the run's context: config, directory, what earlier stages left


@dataclass
class Context:
    cfg: DictConfig
    run_dir: Path
    _lexicon: Any = None
    _source: Any = None
    _cache: dict[str, Any] = field(default_factory=dict)

    @property
    def task(self) -> str:
        return str(self.cfg.task.name)

    @property
    def method(self) -> DictConfig:
        return self.cfg.method

    def path(self, name: str) -> Path:
        return self.run_dir / name

    @property
    def english_path(self) -> Path:
        return self.path(f"english.{self.task}")

    @property
    def pseudo_path(self) -> Path:
        return self.path(f"pseudo.{self.task}")

    @property
    def uses_pseudo(self) -> bool:
        """Whether the method trains on pseudo (translated, labelled) data."""
        return "pseudo" in str(self.method.train_on).split("+")

    @property
    def needs_target_text(self) -> bool:
        """Whether the method reads unlabelled target text (MLM, distillation, vocabulary extension)."""
        return bool(self.method.mlm or self.method.distill or self.method.vocab)

    @property
    def encoder_stage(self) -> str:
        """The stage that prepares `encoder/`: vocab when the method extends the vocabulary (the encoder the
        later stages read is the extended one), else the first stage that reads it (mlm, else train)."""
        if self.method.vocab:
            return "vocab"
        return "mlm" if self.method.mlm else "train"

    @property
    def base_dir(self) -> Path:
        """The encoder fine-tuning starts from: after MLM its output, else the prepared encoder."""
        return self.path(MLM if self.method.mlm else ENCODER)

    @property
    def final_dir(self) -> Path:
        return self.path(STUDENT if self.method.distill else MODEL)

    def lexicon(self) -> tuple[Any, Any]:
        """(source, lexicon), loaded once per run."""
        if self._lexicon is None:
            import lrx.lexicons.sources  # noqa: F401  (registers the sources that the configs name)
            from hydra.utils import instantiate

            self._source = instantiate(self.cfg.lexicon, _convert_="all")
            self._lexicon = self._source.load(self.cfg.tgt, self.cfg.src)
        return self._source, self._lexicon

    def read(self, task: str, name: str) -> list[Sentence]:
        """A task file of the run directory, read once per run."""
        from lrx.adapt.tasks import read_task

        key = f"{task}:{name}"
        if key not in self._cache:
            self._cache[key] = read_task(task, self.path(name))
        return self._cache[key]

    def english(self) -> list[Sentence]:
        return self.read(self.task, self.english_path.name)

    def bible_verses(self) -> list[Sentence]:
        """Every verse of the language's monolingual texts (`language.monolingual`), read once per run."""
        from lrx.adapt.tasks import read_bible

        from lrx.core.fetch import fetch

        if "bible" not in self._cache:
            urls = self.cfg.language.monolingual
            self._cache["bible"] = [
                Sentence(v.tokens, [], {}) for url in urls for v in read_bible(fetch(url)) if v.tokens
            ]
        return self._cache["bible"]

    def pseudo(self) -> list[Sentence]:
        return self.read(self.task, self.pseudo_path.name)

    def target_text(self) -> list[Sentence]:
        """Unlabelled target-language text: pseudo-monolingual, then real monolingual (if any)."""
        return [s for name in (PSEUDO_TEXT, MONOLINGUAL) for s in self.read("text", name) if s.tokens]

    def training_data(self) -> list[Sentence]:
        """The labelled data `method.train_on` names: English, pseudo, or both (the trainer shuffles)."""
        parts = str(self.method.train_on).split("+")
        data: list[Sentence] = []
        if "pseudo" in parts:
            data += self.pseudo()
        if "en" in parts:
            data += self.english()
        return data

    def english_dev(self) -> list[Sentence]:
        from lrx.adapt.tasks import read_task

        from lrx.core.fetch import fetch

        if "dev" not in self._cache:
            self._cache["dev"] = read_task(self.task, fetch(self.cfg.task.dev))
        return self._cache["dev"]

    def cap(self, sentences: list[Sentence], key: str) -> list[Sentence]:
        limit = self.cfg.task.get(key)
        return sentences[:limit] if limit else sentences


# ---------------------------------------------------------------------------------------------------------------
# the stages


@dataclass(frozen=True)
class Stage:
    """A stage: what it runs, which earlier stages' outputs it reads, what config it depends on, what it
    leaves in the run directory (all of these may depend on the method)."""

    name: str
    run: Callable[[Context], tuple[str, dict[str, Any]]]
    needs: Callable[[Context], list[str]]
    config: Callable[[Context], dict[str, Any]]
    outputs: Callable[[Context], list[str]]


def _lexicon_config(ctx: Context) -> dict[str, Any]:
    return {"lexicon": _plain(ctx.cfg.lexicon), "src": ctx.cfg.src, "tgt": ctx.cfg.tgt}


def run_lexicon(ctx: Context) -> tuple[str, dict[str, Any]]:
    _, lexicon = ctx.lexicon()
    stats = lexicon.stats()
    write_json(ctx.path("lexicon_stats.json"), stats)
    log.info("lexicon %s", json.dumps(stats, ensure_ascii=False))
    return f"loaded the lexicon: {stats.get('entries')} entries", stats


def _synthesis_options(ctx: Context) -> dict[str, Any]:
    """Every option of `synthesize_file` that the config sets (`synthesis.*`, and the method's matching paths)."""
    syn, method = ctx.cfg.synthesis, ctx.method.synthesis
    return {
        "src": ctx.cfg.src,
        "morphology": bool(syn.morphology),
        "choice": syn.choice,
        "unknown": syn.unknown,
        "min_replaced": int(syn.min_replaced),
        "seed": int(syn.seed),
        "max_variants": int(syn.max_variants),
        "unimorph": syn.unimorph,
        "multiword": bool(method.multiword),
        "casefold": bool(method.casefold),
        "lemma": bool(method.lemma),
        "entities": str(method.entities),
    }


def _synthesize_config(ctx: Context) -> dict[str, Any]:
    return {
        **_lexicon_config(ctx),
        "task": ctx.task,
        "input": ctx.cfg.synthesis.input,
        "max_train_sentences": ctx.cfg.task.max_train_sentences,
        "options": _synthesis_options(ctx),
        "pseudo": ctx.uses_pseudo,
        "target_text": ctx.needs_target_text,
        "monolingual": list(ctx.cfg.language.monolingual) if ctx.needs_target_text else [],
    }


def _synthesize_outputs(ctx: Context) -> list[str]:
    outputs = [ctx.english_path.name]
    if ctx.uses_pseudo:
        outputs.append(ctx.pseudo_path.name)
    if ctx.needs_target_text:
        outputs += [PSEUDO_TEXT, MONOLINGUAL]
    return outputs


def run_synthesize(ctx: Context) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.synthesize import synthesize_file
    from lrx.adapt.tasks import read_task
    from lrx.adapt.tasks import write_task

    from lrx.core.fetch import fetch

    task = ctx.task
    source = ctx.cfg.synthesis.input
    english = ctx.cap(read_task(task, fetch(source) if "://" in source else Path(source)), "max_train_sentences")
    write_task(task, english, ctx.english_path)
    ctx._cache.pop(f"{task}:{ctx.english_path.name}", None)
    result: dict[str, Any] = {"english_sentences": len(english)}
    did = [f"{len(english)} English sentences"]
    options = _synthesis_options(ctx)
    names: list[str] = []
    lexicon = None
    if ctx.uses_pseudo or ctx.needs_target_text:
        lex_source, lexicon = ctx.lexicon()
        names = [lex_source.name]
    if ctx.uses_pseudo:
        stats = synthesize_file(
            task, ctx.english_path, ctx.cfg.tgt, names, ctx.pseudo_path, lexicon_object=lexicon, **options
        )
        ctx._cache.pop(f"{task}:{ctx.pseudo_path.name}", None)
        result.update(stats)
        did.append(f"{stats['sentences']} pseudo sentences ({stats['signature']})")
        log.info("synthesize: %s sentences, replaced ratio %s", stats["sentences"], stats["replaced_ratio"])
    if ctx.needs_target_text:
        english_text = ctx.path(f".english_text.tmp{os.getpid()}")
        try:
            write_task("text", [Sentence(list(s.tokens), [], {}) for s in english if s.tokens], english_text)
            text_options = {**options, "min_replaced": PSEUDO_TEXT_MIN_REPLACED}
            stats = synthesize_file(
                "text", english_text, ctx.cfg.tgt, names, ctx.path(PSEUDO_TEXT), lexicon_object=lexicon, **text_options
            )
        finally:
            english_text.unlink(missing_ok=True)
        verses = ctx.cap(ctx.bible_verses(), "max_train_sentences")
        write_task("text", verses, ctx.path(MONOLINGUAL))
        for name in (PSEUDO_TEXT, MONOLINGUAL):
            ctx._cache.pop(f"text:{name}", None)
        result["pseudo_text"] = {"sentences": stats["sentences"], "signature": stats["signature"]}
        result["monolingual_sentences"] = len(verses)
        did.append(f"{stats['sentences']} pseudo-monolingual sentences, {len(verses)} monolingual")
    if not (ctx.uses_pseudo or ctx.needs_target_text):
        did.append(f"no pseudo data: {ctx.method.name} trains on English and needs no target text")
    return "; ".join(did), result


def _model_config(ctx: Context) -> dict[str, Any]:
    return {"model": _plain(ctx.cfg.model), "seed": ctx.cfg.seed}


def _mlm_config(ctx: Context) -> dict[str, Any]:
    return {
        **_model_config(ctx),
        "mlm_head_warmup_steps": int(ctx.method.mlm_head_warmup_steps),
        "mlm_lr": ctx.method.mlm_lr,
    }


def _vocab_settings(ctx: Context) -> Any:
    from lrx.adapt.encoders.vocab import VocabSettings

    v = ctx.cfg.vocab
    return VocabSettings(
        pieces=int(v.pieces),
        model_type=str(v.model_type),
        vocab_size=int(v.vocab_size),
        min_frequency=int(v.min_frequency),
        seed=int(v.seed),
    )


def _vocab_config(ctx: Context) -> dict[str, Any]:
    """What the extended encoder depends on: the encoder (not the fine-tuning settings), the vocab settings and
    the lexicon that initialises embeddings. Without method.vocab just that (the marker of a stage that did
    nothing)."""
    if not ctx.method.vocab:
        return {"vocab": False}
    model = ctx.cfg.model
    encoder = {
        "name_or_path": model.name_or_path,
        "tiny": _plain(model.tiny),
        "max_length": model.max_length,
        "trim": bool(model.get("trim", False)),
    }
    return {
        "vocab": True,
        "encoder": encoder,
        "seed": ctx.cfg.seed,
        "settings": _plain(ctx.cfg.vocab),
        **_lexicon_config(ctx),
    }


def run_vocab(ctx: Context) -> tuple[str, dict[str, Any]]:
    """Prepare the encoder, then extend its vocabulary with target words (adapt/encoders/vocab.py) into `encoder/`."""
    from lrx.adapt.encoders.vocab import extend_vocabulary

    if not ctx.method.vocab:
        return "nothing: method.vocab is false", {}
    pseudo = _texts(ctx.pseudo()) if ctx.uses_pseudo else []
    target = _texts(ctx.target_text())
    texts = pseudo + target
    if not texts:
        raise PipelineError(f"vocab: no target-language text in {ctx.pseudo_path.name}, {PSEUDO_TEXT} or {MONOLINGUAL}")
    english = {word for s in ctx.english() for word in s.tokens}
    _, lexicon = ctx.lexicon()
    base = ctx.path(f".{ENCODER}.base")
    try:
        encoder = _prepare_encoder(ctx, base)
        with atomic_dir(ctx.path(ENCODER)) as tmp:
            stats = extend_vocabulary(
                base,
                tmp,
                texts,
                lexicon=lexicon,
                exclude=english,
                measure=pseudo or None,
                settings=_vocab_settings(ctx),
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    before, after = stats["tokens_per_word"]["before"], stats["tokens_per_word"]["after"]
    on = "pseudo data" if pseudo else "target text"
    did = (
        f"added {stats['added']} target words ({stats['init']['lexicon']} initialised from the lexicon); "
        f"tokens per word on the {on} {before:.3f} -> {after:.3f}"
    )
    return did, {**encoder, **stats, "measured_on": on}


def _run_texts(ctx: Context) -> list[str]:
    """The run's own text, which a tiny vocabulary is learned from and a trimmed one keeps: the English training
    sentences, the pseudo data (when the method trains on it) and the target text (when it reads any). Never
    dev or test data."""
    texts = _texts(ctx.english())
    if ctx.uses_pseudo:
        texts += _texts(ctx.pseudo())
    if ctx.needs_target_text:
        texts += _texts(ctx.target_text())
    return texts


def trim_texts(ctx: Context) -> list[str]:
    """What a trimmed vocabulary keeps the pieces of: the run's text (`_run_texts`), then the lexicon's target
    phrases (words the model meets in target-language test data keep their pieces) and, when the vocab stage
    extends the trimmed encoder, the lexicon's English phrases (they initialise the added words' embeddings).
    Never dev or test data."""
    _, lexicon = ctx.lexicon()
    entries = list(lexicon or ())
    texts = _run_texts(ctx)
    texts += sorted({e.tgt for e in entries if e.tgt and not e.tgt.isspace()})
    if ctx.method.vocab:
        texts += sorted({e.src for e in entries if e.src and not e.src.isspace()})
    # the language's real text (all of its Bibles, whatever the method): without it a trimmed encoder splits the
    # target words of the test data into pieces the pretrained model never used for them. Measured on the
    # MasakhaNER dev sets: 40.5% (Ewe) and 42.7% (Wolof) of words keep their pretrained segmentation when
    # trimming on English + lexicon only, 87.7% and 93.8% with the New Testament added
    return texts + _texts(ctx.bible_verses())


def trim_encoder(ctx: Context, source: Path, out: Path) -> dict[str, Any]:
    """Trim the prepared encoder in `source` into `out` (`model.trim`): the pieces of `trim_texts` as pre-split
    words, plus every single-character piece of their characters (an unseen test word then falls back to
    characters rather than `<unk>`)."""
    from lrx.adapt.encoders.trim import TrimError
    from lrx.adapt.encoders.trim import character_pieces
    from lrx.adapt.encoders.trim import trim_vocabulary

    texts = trim_texts(ctx)
    try:
        stats = trim_vocabulary(source, texts, out, words=True, keep_pieces=character_pieces(texts))
    except TrimError as exc:
        raise PipelineError(f"model.trim: encoder {ctx.cfg.model.name_or_path!r} cannot be trimmed: {exc}") from exc
    return {**stats, "texts": len(texts)}


def _prepare_encoder(ctx: Context, out: Path | None = None) -> dict[str, Any]:
    """The configured encoder in `out` (default `encoder/`); a tiny one's vocabulary from the run's own text (no
    test data); with `model.trim` trimmed to the run's text and lexicon (`trim_encoder`) before it lands there."""
    from lrx.adapt.encoders.prepare import prepare_encoder

    model = ctx.cfg.model
    trim = bool(model.get("trim", False))  # a tiny encoder cannot be: _preflight has refused the run
    texts: list[str] | None = None
    options: dict[str, Any] = {}
    if model.name_or_path == "tiny":
        texts = _run_texts(ctx)
        tiny = model.tiny
        options = {
            "vocab_size": int(tiny.vocab_size),
            "hidden": int(tiny.hidden_size),
            "layers": int(tiny.num_hidden_layers),
            "heads": int(tiny.num_attention_heads),
            "intermediate": int(tiny.intermediate_size),
            "max_position": max(256, int(model.max_length)),
            "seed": int(ctx.cfg.seed),
        }
    final = out or ctx.path(ENCODER)
    result: dict[str, Any] = {
        "encoder": str(model.name_or_path),
        "vocabulary_texts": None if texts is None else len(texts),
    }
    with atomic_dir(final) as tmp:
        if not trim:
            prepare_encoder(str(model.name_or_path), tmp, texts=texts, **options)
            return result
        untrimmed = final.with_name(f".{final.name}.untrimmed")
        shutil.rmtree(untrimmed, ignore_errors=True)  # left by a run that was killed
        try:
            prepare_encoder(str(model.name_or_path), untrimmed, texts=texts, **options)
            result["trim"] = trim_encoder(ctx, untrimmed, tmp)
        finally:
            shutil.rmtree(untrimmed, ignore_errors=True)
    trim_stats = result["trim"]
    log.info(
        "encoder %s trimmed: %d -> %d pieces, %.1f -> %.1f MB (%.1f s)",
        model.name_or_path,
        trim_stats["pieces_before"],
        trim_stats["pieces_after"],
        trim_stats["bytes_before"] / 1e6,
        trim_stats["bytes_after"] / 1e6,
        trim_stats["seconds"],
    )
    return result


def run_mlm(ctx: Context) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.training import continue_mlm

    if not ctx.method.mlm:
        return "nothing: method.mlm is false", {}
    encoder = _prepare_encoder(ctx) if ctx.encoder_stage == "mlm" else {}
    texts = _texts(ctx.target_text())
    if not texts:
        raise PipelineError(f"mlm: no target-language text in {PSEUDO_TEXT} or {MONOLINGUAL}")
    with atomic_dir(ctx.path(MLM)) as tmp:
        settings = train_settings(ctx.cfg)
        if ctx.method.mlm_lr is not None:
            settings = replace(settings, lr=float(ctx.method.mlm_lr))
        warmup = int(ctx.method.mlm_head_warmup_steps)
        stats = continue_mlm(ctx.path(ENCODER), texts, tmp, settings, head_warmup_steps=warmup)
    return f"masked-LM training on {len(texts)} target sentences, {stats['steps']} steps", {**encoder, **stats}


def _labels(ctx: Context, train: Sequence[Sentence]) -> dict[str, list[str]]:
    """The label lists: the sorted union of the training data's and the English dev set's."""
    dev = ctx.english_dev()
    labels = sorted({label for s in [*train, *dev] for label in s.labels})
    if ctx.task != "xsid":
        return {"labels": labels}
    intents = sorted({str(s.meta["intent"]) for s in [*train, *dev] if s.meta.get("intent") is not None})
    return {"intents": intents, "slot_labels": labels}


def _finetune(ctx: Context, base: Path, train: Sequence[Sentence], labels: dict[str, list[str]], out: Path) -> dict:
    from lrx.adapt.training import finetune_intent_slots
    from lrx.adapt.training import finetune_tagger

    settings = train_settings(ctx.cfg)
    if not train:
        raise PipelineError(f"no training sentences for {ctx.method.name} (train_on={ctx.method.train_on})")
    with atomic_dir(out) as tmp:
        if ctx.task == "xsid":
            return finetune_intent_slots(base, train, labels["intents"], labels["slot_labels"], tmp, settings)
        return finetune_tagger(base, train, labels["labels"], tmp, settings)


def run_train(ctx: Context) -> tuple[str, dict[str, Any]]:
    encoder = _prepare_encoder(ctx) if ctx.encoder_stage == "train" else {}
    train = ctx.training_data()
    labels = _labels(ctx, train)
    stats = _finetune(ctx, ctx.base_dir, train, labels, ctx.path(MODEL))
    did = f"fine-tuned on {len(train)} sentences ({ctx.method.train_on}), {stats['steps']} steps"
    return did, {**encoder, **stats, "train_on": str(ctx.method.train_on), **labels}


def _teacher_labels(ctx: Context) -> dict[str, list[str]]:
    sidecar = json.loads((ctx.path(MODEL) / "lrx.json").read_text(encoding="utf-8"))
    if ctx.task == "xsid":
        return {"intents": sidecar["intents"], "slot_labels": sidecar["slot_labels"]}
    return {"labels": sidecar["labels"]}


def run_distill(ctx: Context) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.training import distill_labels
    from lrx.adapt.training import predict_intent_slots

    if not ctx.method.distill:
        return "nothing: method.distill is false", {}
    target = ctx.target_text()
    if not target:
        raise PipelineError(f"distill: no target-language text in {PSEUDO_TEXT} or {MONOLINGUAL}")
    teacher = ctx.path(MODEL)
    if ctx.task == "xsid":
        intents, slots = predict_intent_slots(teacher, target)
        labelled = [
            Sentence(list(s.tokens), labels, {"intent": intent}, s.where)
            for s, intent, labels in zip(target, intents, slots, strict=True)
        ]
    else:
        labelled = distill_labels(teacher, target)
    train = [*labelled, *ctx.training_data()]
    stats = _finetune(ctx, ctx.base_dir, train, _teacher_labels(ctx), ctx.path(STUDENT))
    did = f"student on {len(labelled)} teacher-labelled target sentences + {len(train) - len(labelled)} training"
    return did, {**stats, "distilled_sentences": len(labelled)}


def _signature(ctx: Context) -> str:
    """The pseudo data's signature, or (no pseudo data) one naming the run's pair and method."""
    from lrx.adapt.synthesize import lrx_version
    from lrx.adapt.tasks import read_signature

    if ctx.uses_pseudo and ctx.pseudo_path.is_file():
        found = read_signature(ctx.pseudo_path)
        if found:
            return found
    cfg = ctx.cfg
    return f"lrx:{lrx_version()}|task:{ctx.task}|pair:{cfg.src}-{cfg.tgt}|seed:{cfg.seed}|method:{ctx.method.name}"


def _evaluate_config(ctx: Context) -> dict[str, Any]:
    task = ctx.cfg.task
    return {
        "test_sets": list(ctx.cfg.language.test_sets.get(ctx.task, [])),
        "max_eval_sentences": task.max_eval_sentences,
        "entity_types": list(task.entity_types),
        "metric": task.metric,
        "language": ctx.cfg.language.code,
        "method": ctx.method.name,
        "model": ctx.cfg.model.name_or_path,
    }


def _score(ctx: Context, model_dir: Path, gold: list[Sentence]) -> list[tuple[str, float]]:
    from lrx.adapt.evaluation import entity_f1
    from lrx.adapt.evaluation import intent_accuracy
    from lrx.adapt.evaluation import slot_f1
    from lrx.adapt.evaluation import tag_accuracy
    from lrx.adapt.training import predict_intent_slots
    from lrx.adapt.training import predict_tags

    gold_labels = [list(s.labels) for s in gold]
    if ctx.task == "xsid":
        intents, slots = predict_intent_slots(model_dir, gold)
        gold_intents = [str(s.meta.get("intent")) for s in gold]
        return [("intent_accuracy", intent_accuracy(gold_intents, intents)), ("slot_f1", slot_f1(gold_labels, slots))]
    predicted = predict_tags(model_dir, gold)
    if ctx.task == "pos":
        return [("tag_accuracy", tag_accuracy(gold_labels, predicted))]
    types = list(ctx.cfg.task.entity_types) or None
    return [("entity_f1", entity_f1(gold_labels, predicted, types=types))]


def run_evaluate(ctx: Context) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.tasks import read_task

    from lrx.core.fetch import fetch

    cfg = ctx.cfg
    model_dir = ctx.final_dir
    signature = _signature(ctx)
    rows: list[dict[str, Any]] = []
    for url in cfg.language.test_sets.get(ctx.task, []):
        start = time.perf_counter()
        gold = ctx.cap([s for s in read_task(ctx.task, fetch(url)) if s.tokens], "max_eval_sentences")
        scores = _score(ctx, model_dir, gold)
        seconds = time.perf_counter() - start
        for metric, score in scores:
            rows.append(
                {
                    "language": str(cfg.language.code),
                    "task": ctx.task,
                    "method": str(ctx.method.name),
                    "model": str(cfg.model.name_or_path),
                    "test_set": short_test_set_name(url),
                    "metric": metric,
                    "score": round(float(score), 4),
                    "signature": signature,
                    "seconds": seconds / len(scores),
                }
            )
            log.info("evaluate: %s %s = %.2f (%d sentences)", short_test_set_name(url), metric, score, len(gold))
    if not rows:
        raise PipelineError(f"language {cfg.language.code} has no test set for task {ctx.task}")
    # the job's compute (every stage's seconds, from the markers), shared among its entries so that the total
    # `lrx report` adds up is the job's
    earlier = sum(float(m.get("seconds", 0)) for m in _markers(ctx.run_dir).values() if m.get("stage") != "evaluate")
    for row in rows:
        row["seconds"] = round(row["seconds"] + earlier / len(rows), 3)
    write_json(ctx.path(METRICS_FILE), rows)
    main = main_metric(rows)
    return f"{len(rows)} scores, mean {main:.2f}", {"metrics": rows, "main_metric": main}


def main_metric(rows: Sequence[dict[str, Any]]) -> float:
    """The number a sweeper optimises: the mean score over the test sets (over both of xSID's metrics)."""
    scores = [float(r["score"]) for r in rows]
    return sum(scores) / len(scores) if scores else math.nan


def _none(ctx: Context) -> list[str]:
    return []


def _mlm_outputs(ctx: Context) -> list[str]:
    if not ctx.method.mlm:
        return []
    return [ENCODER, MLM] if ctx.encoder_stage == "mlm" else [MLM]


STAGE_LIST: tuple[Stage, ...] = (
    Stage("lexicon", run_lexicon, _none, _lexicon_config, lambda ctx: ["lexicon_stats.json"]),
    Stage("synthesize", run_synthesize, _none, _synthesize_config, _synthesize_outputs),
    Stage(
        "vocab",
        run_vocab,
        lambda ctx: ["synthesize"] if ctx.method.vocab else [],
        _vocab_config,
        lambda ctx: [ENCODER] if ctx.method.vocab else [],
    ),
    Stage(
        "mlm",
        run_mlm,
        lambda ctx: ["synthesize", "vocab"] if ctx.method.mlm else [],
        lambda ctx: {"mlm": bool(ctx.method.mlm), **(_mlm_config(ctx) if ctx.method.mlm else {})},
        _mlm_outputs,
    ),
    Stage(
        "train",
        run_train,
        lambda ctx: ["synthesize", "vocab", "mlm"],
        lambda ctx: {
            **_model_config(ctx),
            "task": ctx.task,
            "dev": ctx.cfg.task.dev,
            "train_on": str(ctx.method.train_on),
            "mlm": bool(ctx.method.mlm),
        },
        lambda ctx: [ENCODER, MODEL] if ctx.encoder_stage == "train" else [MODEL],
    ),
    Stage(
        "distill",
        run_distill,
        lambda ctx: ["synthesize", "vocab", "mlm", "train"] if ctx.method.distill else [],
        lambda ctx: {"distill": bool(ctx.method.distill), **(_model_config(ctx) if ctx.method.distill else {})},
        lambda ctx: [STUDENT] if ctx.method.distill else [],
    ),
    Stage(
        "evaluate",
        run_evaluate,
        lambda ctx: (["synthesize"] if ctx.uses_pseudo else []) + ["distill" if ctx.method.distill else "train"],
        _evaluate_config,
        lambda ctx: [METRICS_FILE],
    ),
)
STAGE_BY_NAME = {stage.name: stage for stage in STAGE_LIST}
assert tuple(STAGE_BY_NAME) == STAGES


# ---------------------------------------------------------------------------------------------------------------
# markers and planning


def marker_path(run_dir: Path, stage: str) -> Path:
    return run_dir / MARKERS / f"{stage}.json"


def _markers(run_dir: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for stage in STAGES:
        path = marker_path(run_dir, stage)
        if path.is_file():
            try:
                found[stage] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                log.warning("%s: unreadable marker, the stage runs again", path)
    return found


def _needs(ctx: Context, stage: str) -> list[str]:
    """The earlier stages whose outputs `stage` reads; one that makes nothing for this method (mlm without
    method.mlm) is left out, so that it neither holds up nor reruns anything."""
    return [n for n in STAGE_BY_NAME[stage].needs(ctx) if STAGE_BY_NAME[n].outputs(ctx)]


def _inputs(ctx: Context, stage: str, markers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The signatures a stage's result depends on: its config's digest and the ids of the stages it reads."""
    inputs: dict[str, Any] = {"config": _digest(STAGE_BY_NAME[stage].config(ctx))}
    for upstream in _needs(ctx, stage):
        inputs[upstream] = markers.get(upstream, {}).get("id")
    return inputs


def _missing(ctx: Context, stage: str) -> list[str]:
    missing = []
    for name in STAGE_BY_NAME[stage].outputs(ctx):
        path = ctx.path(name)
        ok = (path / "config.json").is_file() if name in WEIGHT_DIRS else path.is_file()
        if not ok:
            missing.append(name)
    return missing


def plan(ctx: Context, requested: Sequence[str], markers: dict[str, dict[str, Any]], *, force: bool) -> list[str]:
    """The requested stages that must run, in order: all of them with `force`; otherwise those without a marker,
    with changed inputs, reading from a stage that runs, or whose outputs a stage that runs reads but are gone
    (weights deleted by save_model=false). A stage that is not requested but whose outputs are needed and
    missing is an error naming it."""
    todo: set[str] = set(requested) if force else set()
    changed = True
    while changed:
        changed = False
        for stage in requested:
            if stage in todo:
                continue
            marker = markers.get(stage)
            if (
                marker is None
                or marker.get("inputs") != _inputs(ctx, stage, markers)
                or any(up in todo for up in _needs(ctx, stage))
            ):
                todo.add(stage)
                changed = True
        for stage in sorted(todo, key=STAGES.index):
            for upstream in _needs(ctx, stage):
                if upstream in todo:
                    continue
                missing = _missing(ctx, upstream)
                if not missing:
                    continue
                if upstream not in requested:
                    deleted = set(missing) & set(WEIGHT_DIRS) and not ctx.cfg.save_model
                    why = " (save_model=false deletes the weights once a run has evaluated)" if deleted else ""
                    raise PipelineError(
                        f"stage {stage} reads what stage {upstream} makes, but {', '.join(missing)} "
                        f"{'is' if len(missing) == 1 else 'are'} not in {ctx.run_dir}{why}: add {upstream} to "
                        f"stages (stages=[{','.join(sorted({*requested, upstream}, key=STAGES.index))}])"
                    )
                log.info(
                    "stage %s: its outputs (%s) are gone and %s needs them: it runs again", upstream, missing, stage
                )
                todo.add(upstream)
                changed = True
    return [stage for stage in requested if stage in todo]


# ---------------------------------------------------------------------------------------------------------------
# a run


@dataclass
class RunResult:
    """What a run did: each stage's result (run now or read from its marker), which stages ran and which were
    skipped, the main metric (NaN without an evaluation) and the run directory."""

    run_dir: Path
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    metric: float = math.nan

    def __getitem__(self, stage: str) -> dict[str, Any]:
        return self.stages[stage]

    def __contains__(self, stage: object) -> bool:
        return stage in self.stages

    @property
    def metrics_path(self) -> Path:
        return self.run_dir / METRICS_FILE


def _preflight(ctx: Context, todo: Sequence[str]) -> None:
    """Fail in seconds, not after training: a trim that cannot be done (a tiny encoder), and fetch every file
    the stages to run will read."""
    from lrx.core.fetch import fetch

    cfg = ctx.cfg
    if ctx.encoder_stage in todo and cfg.model.get("trim", False) and cfg.model.name_or_path == "tiny":
        raise PipelineError(_TINY_TRIM)
    urls: list[str] = []
    if "synthesize" in todo:
        if "://" in cfg.synthesis.input:
            urls.append(cfg.synthesis.input)
        if ctx.needs_target_text:
            urls += list(cfg.language.monolingual)
    if ctx.encoder_stage in todo and cfg.model.get("trim", False):
        urls += list(cfg.language.monolingual)
    if "train" in todo:
        urls.append(cfg.task.dev)
    if "evaluate" in todo:
        urls += list(cfg.language.test_sets.get(ctx.task, []))
    for url in urls:
        fetch(url)


def _failure_record(cfg: DictConfig, error: BaseException) -> dict[str, str]:
    def pick(key: str) -> str:
        try:
            value = OmegaConf.select(cfg, key, default=None, throw_on_missing=False)
        except Exception:
            value = None
        return str(value) if value not in (None, "") else "?"

    text = "".join(traceback.format_exception(error))
    return {"language": pick("language.code"), "method": pick("method.name"), "error": text}


def run_pipeline(cfg: DictConfig, run_dir: str | Path) -> RunResult:
    """Run `cfg.stages` in the run directory; see the module docstring. On an error, `failed.json` is written
    into the run directory and the error raised again."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        result = _run(cfg, run_dir)
    except Exception as error:
        write_json(run_dir / FAILED_FILE, _failure_record(cfg, error))
        log.error("run failed (%s): %s", run_dir / FAILED_FILE, error)
        raise
    (run_dir / FAILED_FILE).unlink(missing_ok=True)  # an earlier attempt's
    return result


def _run(cfg: DictConfig, run_dir: Path) -> RunResult:
    validate(cfg)
    if cfg.synthesis.task != cfg.task.name:
        raise ValueError(
            f"synthesis.task is {cfg.synthesis.task} but task.name is {cfg.task.name}: the pipeline synthesizes, "
            f"trains and evaluates one task (choose it with task={cfg.synthesis.task})"
        )
    requested = list(cfg.stages)
    unknown = sorted(set(requested) - set(STAGES))
    if unknown:
        raise ValueError(f"unknown stage(s) {', '.join(unknown)}; stages are {', '.join(STAGES)}")
    requested = [stage for stage in STAGES if stage in requested]  # always in pipeline order
    ctx = Context(cfg, run_dir)
    markers = _markers(run_dir)
    todo = plan(ctx, requested, markers, force=bool(cfg.force))
    _preflight(ctx, todo)
    result = RunResult(run_dir)
    for stage in requested:
        if stage not in todo:
            marker = markers[stage]
            log.info("stage %s: done before (%s), skipped", stage, marker.get("finished"))
            result.stages[stage] = marker.get("result", {})
            result.skipped.append(stage)
            continue
        path = marker_path(run_dir, stage)
        path.unlink(missing_ok=True)  # a stage that does not finish leaves no marker
        inputs = _inputs(ctx, stage, markers)
        log.info("stage %s: running", stage)
        start = time.perf_counter()
        did, stage_result = STAGE_BY_NAME[stage].run(ctx)
        seconds = time.perf_counter() - start
        marker = {
            "stage": stage,
            "id": uuid.uuid4().hex,
            "did": did,
            "inputs": inputs,
            "config": STAGE_BY_NAME[stage].config(ctx),
            "outputs": STAGE_BY_NAME[stage].outputs(ctx),
            "seconds": round(seconds, 3),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "result": stage_result,
        }
        write_json(path, marker)
        markers[stage] = marker
        log.info("stage %s: %s (%.1f s)", stage, did, seconds)
        result.stages[stage] = stage_result
        result.ran.append(stage)
    if "evaluate" in result.stages:
        result.metric = float(result.stages["evaluate"].get("main_metric", math.nan))
    if "evaluate" in requested and not cfg.save_model:
        for name in WEIGHT_DIRS:
            shutil.rmtree(run_dir / name, ignore_errors=True)
    return result
