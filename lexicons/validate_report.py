"""What `lrx validate` finds: a `Finding` (severity, file, line, column, code, message) and the `Report` of one
or more files (see `lrx.lexicons.validate`)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem in one place."""

    severity: str
    file: str
    line: int
    column: int
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "code": self.code, "message": self.message}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity} [{self.code}] {self.message}"


@dataclass
class Report:
    """Findings of one or more files."""

    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        (self.errors if finding.severity == ERROR else self.warnings).append(finding)

    def extend(self, other: Report) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {"errors": [f.as_dict() for f in self.errors], "warnings": [f.as_dict() for f in self.warnings]}

    def codes(self, severity: str | None = None) -> set[str]:
        found = self.errors if severity == ERROR else self.warnings if severity == WARNING else self.all()
        return {f.code for f in found}

    def all(self) -> list[Finding]:
        return sorted([*self.errors, *self.warnings], key=lambda f: (f.file, f.line, f.column, f.severity))
