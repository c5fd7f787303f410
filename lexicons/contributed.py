"""Contributed lexicons under `data/lexicons/`, and the `data/README.md` table of everything under `data/`.

The file layout (comment block, header, rows) is shared with contributed paradigms and lives in
`lrx.morphology.contributed`; this module reads lexicon rows and describes files. Regenerate the table after
adding or changing a file::

    python -m lrx.lexicons.contributed --write-readme

A test regenerates it in memory and fails when the committed `data/README.md` differs.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lrx.morphology.contributed import KINDS
from lrx.morphology.contributed import LEXICON_COLUMNS
from lrx.morphology.contributed import PARADIGM_COLUMNS
from lrx.morphology.contributed import contributed_files
from lrx.morphology.contributed import data_dir
from lrx.morphology.contributed import languages_from_name
from lrx.morphology.contributed import read_contributed


@dataclass(frozen=True)
class LexiconRow:
    """One row of a contributed lexicon: stripped, NFC-normalised; pos and note None when absent."""

    line: int
    source: str
    target: str
    pos: str | None
    note: str | None


def read_lexicon_rows(path: Path) -> Iterator[LexiconRow]:
    """The rows of a contributed lexicon (validate it first: malformed rows are skipped here, not reported)."""
    parsed = read_contributed(path, LEXICON_COLUMNS)
    columns = parsed.header or list(LEXICON_COLUMNS)
    for row in parsed.rows:
        fields = {
            name: unicodedata.normalize("NFC", value.strip()) for name, value in zip(columns, row.fields, strict=False)
        }
        if fields.get("source") and fields.get("target"):
            yield LexiconRow(
                row.line, fields["source"], fields["target"], fields.get("pos") or None, fields.get("note")
            )


@dataclass(frozen=True)
class FileSummary:
    """What the data/README.md table says about one file."""

    path: str
    kind: str
    languages: str
    rows: int
    licence: str
    contributor: str


def summarise(path: Path, kind: str, root: Path) -> FileSummary:
    expected = LEXICON_COLUMNS if kind == "lexicon" else PARADIGM_COLUMNS
    try:
        parsed = read_contributed(path, expected)
    except UnicodeDecodeError:
        return FileSummary(path.relative_to(root).as_posix(), kind, "?", 0, "?", "? (not UTF-8)")
    named = languages_from_name(path, kind)
    if named is None:
        languages = "?"
    else:
        languages = f"{named.src} -> {named.tgt}" if kind == "lexicon" else named.tgt
        if named.variant:
            languages += f" ({named.variant})"
    return FileSummary(
        path.relative_to(root).as_posix(),
        kind,
        languages,
        len(parsed.rows),
        parsed.metadata.get("Licence", "?"),
        parsed.metadata.get("Contributor", "?"),
    )


def readme_text(root: Path | None = None) -> str:
    """The generated `data/README.md`: one table row per contributed file."""
    root = root or data_dir()
    lines = [
        "# Contributed data",
        "",
        "Lexicons (`lexicons/<src>-<tgt>[-<variant>].tsv`) and inflection tables (`paradigms/<iso>.tsv`) written",
        "or gathered by contributors. Every file here is a lexicon source (`--lexicon contrib`) or an inflection",
        "table for its language, with no code change. How to add one: `CONTRIBUTING.md` at the repository root.",
        "",
        "This file is generated: run `python -m lrx.lexicons.contributed --write-readme` after changing `data/`",
        "(a test fails while it is stale).",
        "",
        "| file | kind | languages | rows | licence | contributor |",
        "|---|---|---|---:|---|---|",
    ]
    for kind in KINDS:
        for path in contributed_files(kind, root):
            s = summarise(path, kind, root)
            cells = [f"`{s.path}`", s.kind, s.languages, str(s.rows), s.licence, s.contributor]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lrx.lexicons.contributed", description=__doc__.split("\n")[0])
    parser.add_argument("--write-readme", action="store_true", help="write data/README.md")
    parser.add_argument("--check-readme", action="store_true", help="exit 1 if data/README.md is stale")
    args = parser.parse_args(argv)
    target = data_dir() / "README.md"
    text = readme_text()
    if args.write_readme:
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}", file=sys.stderr)
        return 0
    if args.check_readme:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"{target} is stale: run python -m lrx.lexicons.contributed --write-readme", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
