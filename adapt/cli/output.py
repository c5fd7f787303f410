"""How the CLI prints a flat record: one JSON object for scripts, or an aligned key/value table for people."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


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
