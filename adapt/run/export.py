"""Shipping a run's kept model (`lrx export`): as a self-contained Hugging Face directory, or as ONNX checked against
PyTorch.

- `export_hf`: a copy of the run's final model directory (weights, tokenizer, config, `lrx.json`), every file a
  real file (no symlinks), with the model card (`lrx.adapt.run.model_card`) written afresh from the run directory.
- `export_onnx`: the model traced to `model.onnx` by `torch.onnx.export` (the TorchScript exporter: it needs no
  package beyond onnx), beside the tokenizer, config, `lrx.json` and the card; then ONNX Runtime and PyTorch run
  the run's dev sentences (the language's dev set, else the first sentences of the run's pseudo data, else of its
  English data) and the largest absolute difference of their logits is recorded in `onnx_check.json`.

onnx and onnxruntime are the `[export]` extra, imported only here, when an ONNX export runs.
"""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrx.adapt.run.model_card import CARD_FILE
from lrx.adapt.run.model_card import ONNX_CHECK_FILE as CHECK_FILE
from lrx.adapt.run.model_card import ONNX_FILE
from lrx.adapt.run.model_card import card_text
from lrx.adapt.run.model_card import final_model_dir
from lrx.adapt.run.model_card import summarize

from lrx.core.errors import LrxError

FORMATS = ("hf", "onnx")
ONNX_OPSET = 17
# fp32 logits of the same graph agree to ~1e-6 (measured 2.4e-7 on the tiny model); 1e-4 leaves room for a deeper
# encoder's accumulated rounding while still catching a wrong graph (which differs by whole units)
DEFAULT_TOLERANCE = 1e-4
CHECK_SENTENCES = 64
MISSING_EXTRA = "lrx export --format onnx needs the [export] extra: pip install 'lrx[export]'"
# the weights a Hugging Face directory holds: left out of an ONNX export, whose graph holds them
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack")


@dataclass(frozen=True)
class OnnxCheck:
    """ONNX Runtime against PyTorch on the same sentences: the largest absolute difference of any output."""

    max_abs_diff: float
    tolerance: float
    sentences: int
    source: str  # where the sentences came from: a dev set's URL, or a file of the run directory
    outputs: tuple[str, ...]
    opset: int
    versions: dict[str, str]

    @property
    def passed(self) -> bool:
        return self.max_abs_diff <= self.tolerance

    def record(self) -> dict[str, Any]:
        return {**asdict(self), "outputs": list(self.outputs), "passed": self.passed}

    def line(self) -> str:
        verdict = "ok" if self.passed else "MISMATCH"
        return (
            f"onnx check: max abs diff {self.max_abs_diff:.2e} (tolerance {self.tolerance:.0e}) over "
            f"{self.sentences} sentences of {self.source}: {verdict}"
        )


def kept_model(run_dir: str | Path) -> Path:
    """The run's final model directory, or one clear LrxError: no such run directory, or no model kept in it."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise LrxError(f"{run_dir}: no such run directory")
    model = final_model_dir(run_dir)
    if model is None:
        raise LrxError(
            f"{run_dir}: no kept model (model/, self_train/ or student/): a sweep deletes its weights unless "
            "save_model=true; run it again with save_model=true to keep them"
        )
    return model


@contextmanager
def _fresh_dir(out_dir: Path, model_dir: Path) -> Iterator[Path]:
    """`out_dir`, created empty, for the block that fills it (removed again when the block fails); an LrxError
    when it holds files already or lies inside the model."""
    out_dir = out_dir.expanduser()
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise LrxError(f"{out_dir}: exists and is not an empty directory; export into a new one")
    if out_dir.resolve().is_relative_to(model_dir.resolve()):
        raise LrxError(f"{out_dir}: is inside the model directory {model_dir}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LrxError(f"{out_dir}: cannot create it: {error.strerror or error}") from None
    try:
        yield out_dir
    except BaseException:
        shutil.rmtree(out_dir, ignore_errors=True)  # no half-made export: it was empty (or absent) before
        raise


def _copy_files(model_dir: Path, out_dir: Path, *, weights: bool) -> list[str]:
    """The model directory's files into `out_dir` as real files (a symlink's target copied), hidden files and the
    old card left out (the card is written afresh); without `weights`, the weight files too."""
    copied = []
    for item in sorted(model_dir.iterdir()):
        if item.name.startswith(".") or item.name == CARD_FILE:
            continue
        if not weights and item.name.endswith(_WEIGHT_SUFFIXES):
            continue
        if item.is_dir():
            shutil.copytree(item, out_dir / item.name, symlinks=False)
        else:
            shutil.copyfile(item, out_dir / item.name)  # follows a symlink: the copy is the content
        copied.append(item.name)
    return copied


def export_hf(run_dir: str | Path, out_dir: str | Path) -> Path:
    """A self-contained Hugging Face directory of the run's kept model in `out_dir` (see the module docstring);
    `out_dir`."""
    run_dir = Path(run_dir)
    model_dir = kept_model(run_dir)
    with _fresh_dir(Path(out_dir), model_dir) as out:
        _copy_files(model_dir, out, weights=True)
        (out / CARD_FILE).write_text(card_text(summarize(run_dir, model_dir)), encoding="utf-8")
    return out


def _import_onnx() -> tuple[Any, Any]:
    try:  # the [export] extra: onnx, onnxruntime and (through [train]) torch and transformers
        import onnx
        import onnxruntime
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        raise LrxError(MISSING_EXTRA) from None
    return onnx, onnxruntime


def check_sentences(run_dir: Path, limit: int = CHECK_SENTENCES) -> tuple[list[list[str]], str]:
    """The words of up to `limit` sentences to compare ONNX with PyTorch on, and where they come from: the
    language's dev set for the run's task (the evaluate marker's, else the language's own node), else the run's
    pseudo data, else its English data."""
    import yaml
    from lrx.adapt.run.language_source import node_text
    from lrx.adapt.tasks import read_task

    from lrx.core.fetch import fetch

    summary = summarize(run_dir)
    task = summary.task
    # the dev sets the run scored (task.eval_dev), then those of its (first) language's node
    urls = [url for short, url in summary.test_sets.items() if short.endswith("/dev")]
    for code, _ in summary.languages[:1]:
        urls += (yaml.safe_load(node_text(code) or "") or {}).get("dev_sets", {}).get(task, [])
    for url in dict.fromkeys(urls):
        try:
            sentences = [s.tokens for s in read_task(task, fetch(url)) if s.tokens][:limit]
        except (LrxError, OSError, ValueError):  # offline and not cached, or unreadable: the run's own data next
            continue
        if sentences:
            return [list(words) for words in sentences], url
    for name in (f"pseudo.{task}", f"english.{task}"):
        path = run_dir / name
        if path.is_file():
            sentences = [s.tokens for s in read_task(task, path) if s.tokens][:limit]
            if sentences:
                return [list(words) for words in sentences], name
    raise LrxError(f"{run_dir}: no sentences to check the ONNX model on (no dev set, pseudo.{task} or english.{task})")


def _torch_model(model_dir: Path, kind: str) -> tuple[Any, tuple[str, ...]]:
    """The model as a module taking (input_ids, attention_mask) and returning its logits, with eager attention
    (the exporter traces plain operations), and the names of its outputs."""
    import torch

    if kind == "intent_slots":
        from lrx.adapt.training.joint import JointIntentSlotModel

        joint = JointIntentSlotModel.from_pretrained(model_dir, attn_implementation="eager")
        return joint, ("intent_logits", "slot_logits")
    from transformers import AutoModelForTokenClassification

    tagger = AutoModelForTokenClassification.from_pretrained(model_dir, attn_implementation="eager").eval()

    class Logits(torch.nn.Module):
        """The tagger with a plain tensor out (a ModelOutput does not trace to named ONNX outputs)."""

        def __init__(self) -> None:
            super().__init__()
            self.tagger = tagger

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.tagger(input_ids=input_ids, attention_mask=attention_mask).logits

    return Logits().eval(), ("logits",)


def _batches(tokenizer: Any, sentences: Sequence[list[str]], max_length: int, size: int = 16) -> list[dict[str, Any]]:
    return [
        tokenizer(
            list(sentences[start : start + size]),
            is_split_into_words=True,
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
        )
        for start in range(0, len(sentences), size)
    ]


def _trace(module: Any, example: tuple[Any, Any], path: Path, outputs: Sequence[str]) -> None:
    """`module` traced on `example` into `path`, batch and length dynamic."""
    import torch

    axes: dict[str, dict[int, str]] = {name: {0: "batch", 1: "sequence"} for name in ("input_ids", "attention_mask")}
    axes.update({name: {0: "batch"} if name == "intent_logits" else {0: "batch", 1: "sequence"} for name in outputs})
    with torch.no_grad(), warnings.catch_warnings():
        # the tracer's notes on transformers' mask code (a shape check traced as a constant, which it is for every
        # input: the mask is as long as the ids) and on advanced indexing: expected, and the check measures the
        # graph on real inputs anyway. The TorchScript exporter is torch's legacy one, chosen on purpose: it needs
        # no onnxscript
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message="Exporting aten::index operator", category=UserWarning)
        warnings.filterwarnings("ignore", message=".*legacy TorchScript-based ONNX", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message="The feature will be removed", category=DeprecationWarning)
        torch.onnx.export(
            module,
            example,
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=list(outputs),
            dynamic_axes=axes,
            opset_version=ONNX_OPSET,
            dynamo=False,
        )


def _max_abs_diff(module: Any, session: Any, batches: Sequence[Any], outputs: Sequence[str]) -> float:
    """The largest absolute difference between PyTorch's and ONNX Runtime's outputs over `batches`."""
    import numpy as np
    import torch

    worst = 0.0
    with torch.no_grad():
        for batch in batches:
            ids, mask = batch["input_ids"], batch["attention_mask"]
            expected = module(ids, mask)
            expected = expected if isinstance(expected, tuple) else (expected,)
            got = session.run(list(outputs), {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
            for want, have in zip(expected, got, strict=True):
                worst = max(worst, float(np.abs(want.numpy() - have).max()))
    return worst


def export_onnx(
    run_dir: str | Path, out_dir: str | Path, *, tolerance: float = DEFAULT_TOLERANCE, limit: int = CHECK_SENTENCES
) -> OnnxCheck:
    """The run's kept model as `out_dir/model.onnx` with its tokenizer, config, `lrx.json` and card, checked
    against PyTorch on the run's dev sentences (see the module docstring); the check, also in `onnx_check.json`.
    Inputs `input_ids` and `attention_mask` (batch x sub-tokens, int64); outputs `logits` (a tagger) or
    `intent_logits` and `slot_logits` (a joint intent + slot model)."""
    onnx, onnxruntime = _import_onnx()
    import torch
    from lrx.adapt.encoders.hf import quiet_transformers
    from transformers import AutoTokenizer

    quiet_transformers()
    run_dir = Path(run_dir)
    model_dir = kept_model(run_dir)
    sentences, source = check_sentences(run_dir, limit)
    summary = summarize(run_dir, model_dir)
    sidecar_path = model_dir / "lrx.json"
    sidecar = json.loads(sidecar_path.read_text(encoding="utf-8")) if sidecar_path.is_file() else {}
    module, outputs = _torch_model(model_dir, summary.kind)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    batches = _batches(tokenizer, sentences, int(sidecar.get("max_length") or 128))
    with _fresh_dir(Path(out_dir), model_dir) as out:
        _trace(module, (batches[0]["input_ids"][:2], batches[0]["attention_mask"][:2]), out / ONNX_FILE, outputs)
        onnx.checker.check_model(str(out / ONNX_FILE))
        session = onnxruntime.InferenceSession(str(out / ONNX_FILE), providers=["CPUExecutionProvider"])
        worst = _max_abs_diff(module, session, batches, outputs)
        versions = {"torch": torch.__version__, "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__}
        check = OnnxCheck(worst, tolerance, len(sentences), source, tuple(outputs), ONNX_OPSET, versions)
        _copy_files(model_dir, out, weights=False)
        (out / CHECK_FILE).write_text(json.dumps(check.record(), indent=2) + "\n", encoding="utf-8")
        (out / CARD_FILE).write_text(card_text(summary, onnx=check.record()), encoding="utf-8")
    return check


def export_model(run_dir: str | Path, out_dir: str | Path, fmt: str = "hf") -> OnnxCheck | Path:
    """`export_hf` or `export_onnx` by `fmt` ("hf" or "onnx")."""
    if fmt not in FORMATS:
        raise LrxError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "onnx":
        _import_onnx()  # before any work: a missing extra is one line, not a half-made directory
        return export_onnx(run_dir, out_dir)
    return export_hf(run_dir, out_dir)


__all__ = ["FORMATS", "OnnxCheck", "check_sentences", "export_hf", "export_model", "export_onnx", "kept_model"]
