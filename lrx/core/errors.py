"""Errors that name what went wrong and where: a URL, or a file and a line; and an unknown registry name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class LrxError(Exception):
    """Base class of lrx's own errors; the CLI prints these as one line instead of a traceback."""


class FetchError(LrxError):
    """A URL could not be fetched or verified: offline and not cached, HTTP error, size or sha256 mismatch."""


class FormatError(LrxError):
    """Malformed input: names the file, the 1-based line and the problem, as `path:line: problem`.

    The one file:line error of lrx: every reader's own error (UniMorph tables, examples, paradigm files,
    feature bundles) subclasses it. `line` 0 or None means the file as a whole (`path: problem`); `path`
    None means input that is not a file, e.g. a feature string typed by hand (`line N: problem`, or just
    the problem).
    """

    def __init__(self, path: str | Path | None, line: int | None, problem: str) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.problem = problem
        super().__init__(f"{self.where()}{problem}")

    def where(self) -> str:
        """`path:line: `, `path: `, `line N: ` or nothing: the prefix of the message."""
        if self.path is not None:
            return f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"line {self.line}: " if self.line else ""


class UnknownNameError(LrxError, KeyError):
    """An unknown registry name (lexicon source, inflection method, task); the message lists close matches,
    or every known name when none is close. Build one with `UnknownNameError.among`."""

    def __init__(self, message: str, name: str | None = None, known: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.name = name
        self.known = sorted(known)

    @classmethod
    def among(cls, kind: str, name: str, known: Iterable[str]) -> UnknownNameError:
        """`unknown <kind> 'name'; did you mean a, b?` (difflib's close matches) or `...; known: a, b, c`."""
        known = sorted(known)
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.4)
        hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(known) or 'none'}"
        return cls(f"unknown {kind} {name!r}; {hint}", name, known)

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""
