"""The saved layout: every training function reads a model directory and writes one (`save_pretrained`
layout), so stages chain by paths.

Beside the weights each directory gets `lrx.json`: what was trained (labels, the fallback label for words the
model never sees, the max length), the settings and the run's figures. A joint intent + slot model keeps its
heads in `heads.safetensors` (see `lrx.adapt.training.joint`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    import torch

SIDECAR = "lrx.json"
HEADS_FILE = "heads.safetensors"


def _save_pretrained(model: torch.nn.Module, tokenizer: Any, out_dir: Path, sidecar: dict[str, Any]) -> None:
    """The model and tokenizer (`save_pretrained` layout) and `lrx.json` into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    _write_sidecar(out_dir, sidecar)


def _write_sidecar(out_dir: Path, content: dict[str, Any]) -> None:
    path = out_dir / SIDECAR
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _read_sidecar(model_dir: Path) -> dict[str, Any]:
    path = Path(model_dir) / SIDECAR
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))
