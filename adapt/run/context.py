"""What every stage shares: the run directory's names, atomic writes, and the `Context` of one run.

A `Context` knows where things are (the run directory) and the run's shape (which stages the method uses:
pseudo data, target text, MLM, distillation, vocabulary extension). It reads no other setting: what a stage
reads from the config comes to it as its typed settings (`lrx.adapt.run.settings`), which are also what its
marker records, so the two cannot drift apart. Files a stage reads from earlier stages are read once per run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from dataclasses import is_dataclass
from pathlib import Path
from typing import Any

from lrx.adapt.run.settings import LexiconSettings
from lrx.adapt.run.settings import MethodShape
from omegaconf import DictConfig

from lrx.core.errors import LrxError
from lrx.core.sentence import Sentence

log = logging.getLogger(__name__)

MARKERS = "stages"
METRICS_FILE = "metrics.json"
FAILED_FILE = "failed.json"
ENCODER, MLM, MODEL, SELF_TRAINED, STUDENT = "encoder", "mlm", "model", "self_train", "student"
WEIGHT_DIRS = (ENCODER, MLM, MODEL, SELF_TRAINED, STUDENT)
PSEUDO_TEXT = "pseudo_text.txt"
MONOLINGUAL = "monolingual.txt"


class PipelineError(LrxError):
    """A run that cannot go on: an unknown stage, an earlier stage's output missing, a stage not built yet."""


def plain(value: Any) -> Any:
    """Settings as JSON-able data: dataclasses as dicts, tuples as lists."""
    return json.loads(json.dumps(asdict(value) if is_dataclass(value) else value, default=str))


def digest(value: Any) -> str:
    text = json.dumps(plain(value), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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


STAGES = ("lexicon", "synthesize", "vocab", "mlm", "train", "self_train", "distill", "evaluate")


def marker_path(run_dir: Path, stage: str) -> Path:
    return run_dir / MARKERS / f"{stage}.json"


def read_markers(run_dir: Path) -> dict[str, dict[str, Any]]:
    """The markers of the stages that finished in `run_dir` (an unreadable one counts as absent)."""
    found = {}
    for stage in STAGES:
        path = marker_path(run_dir, stage)
        if path.is_file():
            try:
                found[stage] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                log.warning("%s: unreadable marker, the stage runs again", path)
    return found


def texts_of(sentences: Sequence[Sentence]) -> list[str]:
    return [" ".join(s.tokens) for s in sentences if s.tokens]


def cap(sentences: list[Sentence], limit: int | None) -> list[Sentence]:
    """The first `limit` sentences (all of them when `limit` is None or 0)."""
    return sentences[:limit] if limit else sentences


@dataclass
class Context:
    """One run: its directory, its task and shape, and what earlier stages left there (read once)."""

    run_dir: Path
    task: str
    shape: MethodShape
    _lexicon: Any = None
    _source: Any = None
    _cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, cfg: DictConfig, run_dir: Path) -> Context:
        """The context of a run of `cfg` in `run_dir`."""
        return cls(Path(run_dir), str(cfg.task.name), MethodShape.of(cfg))

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
        return self.shape.uses_pseudo

    @property
    def needs_target_text(self) -> bool:
        return self.shape.needs_target_text

    @property
    def encoder_stage(self) -> str:
        return self.shape.encoder_stage

    @property
    def base_dir(self) -> Path:
        """The encoder fine-tuning starts from: after MLM its output, else the prepared encoder."""
        return self.path(MLM if self.shape.mlm else ENCODER)

    @property
    def final_dir(self) -> Path:
        return self.path(STUDENT) if self.shape.distill else self.teacher_dir

    @property
    def teacher_dir(self) -> Path:
        """The model before distillation: self-training's last round, else the fine-tuned model."""
        return self.path(SELF_TRAINED if self.shape.self_train else MODEL)

    def lexicon(self, settings: LexiconSettings) -> tuple[Any, Any]:
        """(source, lexicon), loaded once per run."""
        if self._lexicon is None:
            import lrx.lexicons.sources  # noqa: F401  (registers the sources that the configs name)
            from hydra.utils import instantiate

            self._source = instantiate(settings.source, _convert_="all")
            self._lexicon = self._source.load(settings.tgt, settings.src)
        return self._source, self._lexicon

    def read(self, task: str, name: str) -> list[Sentence]:
        """A task file of the run directory, read once per run."""
        from lrx.adapt.tasks import read_pretokenised_text
        from lrx.adapt.tasks import read_task

        key = f"{task}:{name}"
        if key not in self._cache:
            # the run's text files are written from task tokens (MasakhaNER's, the English data's): read back at
            # whitespace, as written, not re-tokenised as running text is
            path = self.path(name)
            self._cache[key] = read_pretokenised_text(path) if task == "text" else read_task(task, path)
        return self._cache[key]

    def forget(self, task: str, name: str) -> None:
        """Drop a file's cached sentences (a stage has just rewritten it)."""
        self._cache.pop(f"{task}:{name}", None)

    def english(self) -> list[Sentence]:
        return self.read(self.task, self.english_path.name)

    def pseudo(self) -> list[Sentence]:
        return self.read(self.task, self.pseudo_path.name)

    def monolingual_text(self, urls: Sequence[str]) -> list[Sentence]:
        """Every sentence of the language's unlabelled texts (`language.monolingual`: Bibles, plain text, task
        files whose labels are dropped, the format detected per file), in the listed order, read once per run."""
        from lrx.adapt.tasks.unlabelled import read_unlabelled

        from lrx.core.fetch import fetch

        if "monolingual" not in self._cache:
            self._cache["monolingual"] = [s for url in urls for s in read_unlabelled(fetch(url))]
        return self._cache["monolingual"]

    def target_text(self) -> list[Sentence]:
        """Unlabelled target-language text: pseudo-monolingual, then real monolingual (if any)."""
        return [s for name in (PSEUDO_TEXT, MONOLINGUAL) for s in self.read("text", name) if s.tokens]

    def training_data(self, target_train: Sequence[str] = ()) -> list[Sentence]:
        """The labelled data `method.train_on` names: English, pseudo, or both (the trainer shuffles); for
        `target` (the supervised ceiling), the language's labelled training files `target_train`."""
        if self.shape.train_on == "target":
            return self.target_gold(target_train)
        data: list[Sentence] = []
        if self.shape.uses_pseudo:
            data += self.pseudo()
        if "en" in self.shape.train_on.split("+"):
            data += self.english()
        return data

    def target_gold(self, urls: Sequence[str]) -> list[Sentence]:
        """The language's labelled training files (`language.train_sets`), read once per run."""
        from lrx.adapt.tasks import read_task

        from lrx.core.fetch import fetch

        if "target_gold" not in self._cache:
            self._cache["target_gold"] = [s for url in urls for s in read_task(self.task, fetch(url)) if s.tokens]
        return self._cache["target_gold"]

    def english_dev(self, url: str) -> list[Sentence]:
        from lrx.adapt.tasks import read_task

        from lrx.core.fetch import fetch

        if "dev" not in self._cache:
            self._cache["dev"] = read_task(self.task, fetch(url))
        return self._cache["dev"]
