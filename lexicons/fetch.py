"""URL -> verified local path. TEMPORARY STUB: being replaced by the full implementation."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from lexicons.errors import FetchError

DEFAULT_MAX_BYTES = 1 << 30


def fetch(url: str, *, sha256: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Return a local path holding the verified content of `url`."""
    mirror = os.environ.get("LRX_MIRROR")
    parts = urlsplit(url)
    if url.startswith("file://"):
        return Path(parts.path)
    if mirror and not mirror.startswith("http"):
        path = Path(mirror) / parts.netloc / parts.path.lstrip("/")
        if path.is_file():
            return path
    raise FetchError(f"cannot fetch {url}")
