"""How the CLI prints a flat record (one JSON object for scripts, or an aligned key/value table for people), and
checks the files it will write before it does any work."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrx.core.errors import LrxError


def print_record(record: Mapping[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(record, ensure_ascii=False))
        return
    width = max(len(key) for key in record)
    for key, value in record.items():
        print(f"{key:<{width}}  {_plain(value)}")


def _plain(value: Any) -> str:
    """Lists and mappings on one line for the human-readable table."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
    return str(value)


def writable_file(name: str | Path) -> Path:
    """`name` as a path that a command can write, checked before any work is done: one clear error naming the
    file and the problem (its folder is missing, or is not writable, or the name is a directory)."""
    path = Path(name).expanduser()
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise LrxError(f"{name}: is a directory, not a file to write")
    if not parent.is_dir():
        raise LrxError(f"{name}: cannot write it: no directory {parent}")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise LrxError(f"{name}: cannot write it: permission denied")
    return path


def writable_dir(name: str | Path) -> Path:
    """`name` as a directory a command can create or write into (its nearest existing ancestor writable)."""
    path = Path(name).expanduser()
    if path.exists() and not path.is_dir():
        raise LrxError(f"{name}: is a file, not a directory")
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise LrxError(f"{name}: cannot write it: permission denied in {existing}")
    return path
