"""Errors that name what went wrong and where: a URL, or a file and a line."""

from __future__ import annotations

from pathlib import Path


class LrxError(Exception):
    """Base class of lrx's own errors; the CLI prints these as one line instead of a traceback."""


class FetchError(LrxError):
    """A URL could not be fetched or verified: offline and not cached, HTTP error, size or sha256 mismatch."""


class FormatError(LrxError):
    """Malformed input: names the file, the 1-based line and the problem."""

    def __init__(self, path: str | Path, line: int, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        super().__init__(f"{self.path}:{line}: {problem}")


class UnknownNameError(LrxError, KeyError):
    """An unknown registry name (source, language); the message lists close matches."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""
