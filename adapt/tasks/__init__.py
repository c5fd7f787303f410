"""Tasks and their data: NER (two-column CoNLL), POS (CoNLL-U), xSID and plain text, as `Sentence`s.

Each format module (`conll`, `conllu_pos`, `xsid`, `text`) registers its `Task` (`base.py`: label scheme,
metric, model head); `get_task(name)` answers for it.

`read_task` and `write_task` are the whole interface: a sentence read and written back unchanged comes out
byte for byte as it was (the readers keep each sentence's exact text in `Sentence.original`); a changed or
synthesized one is written from its tokens, labels and meta. Malformed input is a `FormatError` naming the
file and line.

Files this toolkit writes may carry a signature (what made them: version, lexicon, language pair...): as their
first line, `# lrx:...`, in the task formats, and in a sidecar `<file>.lrx.json` (`{"signature": ...}`) for
plain text, whose every line is a sentence for any consumer. Every reader skips a first line of that exact form
(plain text too: files written before the sidecar); for NER, which has no comments, only that form is
special. `read_signature` reads the signature back from either place without reading the rest.

Writing is atomic: a temp file beside the target, then `os.replace`, so a reader never sees half a file and
a failure (a sentence the format cannot hold) leaves the old file, if any, as it was.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from lrx.adapt.tasks import conll  # noqa: F401  (each task module registers its task)
from lrx.adapt.tasks import conllu_pos  # noqa: F401
from lrx.adapt.tasks import text  # noqa: F401
from lrx.adapt.tasks import xsid  # noqa: F401
from lrx.adapt.tasks.base import Task
from lrx.adapt.tasks.base import get_task
from lrx.adapt.tasks.base import register_task
from lrx.adapt.tasks.base import task_names
from lrx.adapt.tasks.text import detokenize
from lrx.adapt.tasks.text import parse_pretokenised
from lrx.adapt.tasks.text import read_bible
from lrx.adapt.tasks.text import read_verses
from lrx.adapt.tasks.text import tokenize
from lrx.adapt.tasks.text import tokenize_spaced

from lrx.core.errors import FormatError
from lrx.core.errors import LrxError
from lrx.core.sentence import Sentence

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SIDECAR_SUFFIX",
    "SIGNATURE_PREFIX",
    "TASKS",
    "Task",
    "TaskFileTooLargeError",
    "detokenize",
    "get_task",
    "read_bible",
    "read_pretokenised_text",
    "read_signature",
    "read_task",
    "read_verses",
    "register_task",
    "signature_sidecar",
    "task_names",
    "tokenize",
    "tokenize_spaced",
    "write_task",
]

# every task module registers its Task on import (above); plain text is a format only, nothing to train
TASKS = task_names()

# Task files are read whole into memory (and become many small objects): refuse what cannot be one.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
SIGNATURE_PREFIX = "# lrx:"
SIDECAR_SUFFIX = ".lrx.json"
_SIGNATURE_LINE_MAX = 64 * 1024


class TaskFileTooLargeError(LrxError):
    """A task file over the size limit of `read_task`."""


def read_task(task: str, path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Sentence]:
    """The sentences of a task file ("text": plain text, a sentence a line). A first line `# lrx:...` is
    skipped; line numbers in errors and `Sentence.where` still count it. A file over `max_bytes` is refused
    before it is read (`TaskFileTooLargeError`); a leading UTF-8 BOM is dropped (and so not written back)."""
    fmt = get_task(task)
    content, first_line = _read_content(Path(path), max_bytes)
    return fmt.parse(content, str(path), first_line)


def read_pretokenised_text(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Sentence]:
    """Plain text written from tokens without space flags (tokens joined by spaces, a sentence a line), read back
    as it was written: split at whitespace only (`text.parse_pretokenised`), not tokenised as running text is.
    What lrx-run reads its own target-text files with, whose tokens come from task files. As `read_task`
    otherwise."""
    content, first_line = _read_content(Path(path), max_bytes)
    return parse_pretokenised(content, str(path), first_line)


def _read_content(path: Path, max_bytes: int) -> tuple[str, int]:
    """A task file's text, its signature line dropped, and the number of its first line left."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)  # the size is checked on what is read: the file may be growing
    if len(data) > max_bytes:
        size = path.stat().st_size
        raise TaskFileTooLargeError(f"{path}: {max(size, len(data))} bytes, over the limit max_bytes={max_bytes}")
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FormatError(path, line, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    content = content.removeprefix("\ufeff")
    if content.startswith(SIGNATURE_PREFIX):
        newline = content.find("\n")
        return ("" if newline < 0 else content[newline + 1 :]), 2
    return content, 1


def signature_sidecar(path: str | Path) -> Path:
    """Where the signature of a plain-text file goes: `<path>.lrx.json` beside it."""
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_signature(path: str | Path) -> str | None:
    """The signature a file was written with (`lrx:...`, without the `# `): its first line, else its sidecar
    (`signature_sidecar`); None when it has neither."""
    with Path(path).open("rb") as handle:
        first = handle.readline(_SIGNATURE_LINE_MAX)
    line = first.decode("utf-8", errors="replace").removeprefix("\ufeff").rstrip("\r\n")
    if line.startswith(SIGNATURE_PREFIX):
        return line[2:]
    sidecar = signature_sidecar(path)
    if sidecar.is_file():
        found = json.loads(sidecar.read_text(encoding="utf-8")).get("signature")
        return found if isinstance(found, str) else None
    return None


def write_task(task: str, sentences: Iterable[Sentence], path: str | Path, *, signature: str | None = None) -> None:
    """Write sentences as a task file, atomically. With a `signature` (which must start `lrx:`), the first line
    is `# <signature>`, or for plain text the sidecar `<path>.lrx.json` holds it (written after the file; a
    stale one is removed when there is no signature). A sentence the format cannot hold (a token with a space
    in NER or plain text, a tag that is not BIO, an xSID sentence without an intent) is a ValueError, and
    nothing is written."""
    fmt = get_task(task)
    path = Path(path)
    header = ""
    if signature is not None:
        if not signature.startswith(SIGNATURE_PREFIX[2:]) or "\n" in signature or "\r" in signature:
            raise ValueError(f"a signature is one line starting {SIGNATURE_PREFIX[2:]!r}, not {signature!r}")
        if fmt.signature_line:
            header = f"# {signature}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:100]}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(header)
            for chunk in fmt.serialize(sentences):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())  # on disk before the rename makes it visible
        os.chmod(tmp_name, 0o644)  # mkstemp makes 0600 files
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if not fmt.signature_line:
        _write_sidecar(signature_sidecar(path), signature)


def _write_sidecar(sidecar: Path, signature: str | None) -> None:
    """The plain-text signature, atomically; none removes a sidecar left by an earlier write of the file, which
    would name what no longer made it."""
    if signature is None:
        sidecar.unlink(missing_ok=True)
        return
    tmp = sidecar.with_name(sidecar.name + f".tmp{os.getpid()}")
    tmp.write_text(json.dumps({"signature": signature}, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(sidecar)
