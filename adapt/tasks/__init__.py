"""Tasks and their data: NER (two-column CoNLL), POS (CoNLL-U), xSID and plain text, as `Sentence`s.

Each format module (`conll`, `conllu_pos`, `xsid`, `text`) registers its `Task` (`base.py`: label scheme,
metric, model head); `get_task(name)` answers for it.

`read_task` and `write_task` are the whole interface: a sentence read and written back unchanged comes out
byte for byte as it was (the readers keep each sentence's exact text in `Sentence.original`); a changed or
synthesized one is written from its tokens, labels and meta. Malformed input is a `FormatError` naming the
file and line.

Files this toolkit writes may carry a signature as their first line, `# lrx:...` (what made them: version,
lexicon, language pair...). Every reader skips that line; for NER and plain text, which have no comments,
only that exact first-line form is special. `read_signature` reads it back without reading the rest.

Writing is atomic: a temp file beside the target, then `os.replace`, so a reader never sees half a file and
a failure (a sentence the format cannot hold) leaves the old file, if any, as it was.
"""

from __future__ import annotations

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
from lrx.adapt.tasks.text import read_bible
from lrx.adapt.tasks.text import read_verses
from lrx.adapt.tasks.text import tokenize

from lrx.core.errors import FormatError
from lrx.core.errors import LrxError
from lrx.core.sentence import Sentence

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SIGNATURE_PREFIX",
    "TASKS",
    "Task",
    "TaskFileTooLargeError",
    "get_task",
    "read_bible",
    "read_signature",
    "read_task",
    "read_verses",
    "register_task",
    "task_names",
    "tokenize",
    "write_task",
]

# every task module registers its Task on import (above); plain text is a format only, nothing to train
TASKS = task_names()

# Task files are read whole into memory (and become many small objects): refuse what cannot be one.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
SIGNATURE_PREFIX = "# lrx:"
_SIGNATURE_LINE_MAX = 64 * 1024


class TaskFileTooLargeError(LrxError):
    """A task file over the size limit of `read_task`."""


def read_task(task: str, path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Sentence]:
    """The sentences of a task file ("text": plain text, a sentence a line). A first line `# lrx:...` is
    skipped; line numbers in errors and `Sentence.where` still count it. A file over `max_bytes` is refused
    before it is read (`TaskFileTooLargeError`); a leading UTF-8 BOM is dropped (and so not written back)."""
    fmt = get_task(task)
    path = Path(path)
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
    first_line = 1
    if content.startswith(SIGNATURE_PREFIX):
        newline = content.find("\n")
        content = "" if newline < 0 else content[newline + 1 :]
        first_line = 2
    return fmt.parse(content, str(path), first_line)


def read_signature(path: str | Path) -> str | None:
    """The signature a file was written with (`lrx:...`, without the `# `), or None when it has none."""
    with Path(path).open("rb") as handle:
        first = handle.readline(_SIGNATURE_LINE_MAX)
    line = first.decode("utf-8", errors="replace").removeprefix("\ufeff").rstrip("\r\n")
    if line.startswith(SIGNATURE_PREFIX):
        return line[2:]
    return None


def write_task(task: str, sentences: Iterable[Sentence], path: str | Path, *, signature: str | None = None) -> None:
    """Write sentences as a task file, atomically. With a `signature` (which must start `lrx:`), the first line
    is `# <signature>`. A sentence the format cannot hold (a token with a space in NER or plain text, a tag
    that is not BIO, an xSID sentence without an intent) is a ValueError, and nothing is written."""
    fmt = get_task(task)
    path = Path(path)
    header = ""
    if signature is not None:
        if not signature.startswith(SIGNATURE_PREFIX[2:]) or "\n" in signature or "\r" in signature:
            raise ValueError(f"a signature is one line starting {SIGNATURE_PREFIX[2:]!r}, not {signature!r}")
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
