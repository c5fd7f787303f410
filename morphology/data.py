"""Read and write inflection examples in the SIGMORPHON and UniMorph tab-separated layouts.

Three column orders occur in real data:

* `2020` (SIGMORPHON 2020 task 0, also 2017-2019 and 2021-2022): lemma, form, features;
* `2023` (SIGMORPHON 2023 part 1, lemma-split): lemma, features, form;
* `unimorph` (the UniMorph language repositories): lemma, form, features, with blank lines between paradigms.

`auto` looks at the first non-blank lines and picks the column whose values look like UniMorph feature
bundles (`V;PRS;NOM(3,SG)`), since forms and lemmas almost never do. Fields are read literally (no CSV
quoting, no "NA" as missing: `NA` and `nan` are real words in some languages), NFC-normalised so that the
same word typed with combining or precomposed characters compares equal, and stripped of CR from Windows
line ends.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from lrx.morphology.inflectors.base import Example

from lrx.core.errors import FormatError

FORMATS = ("auto", "2020", "2023", "unimorph")

# Which column (0-based) holds lemma, features and form in each layout.
_COLUMNS: dict[str, tuple[int, int, int]] = {
    "2020": (0, 2, 1),
    "2023": (0, 1, 2),
    "unimorph": (0, 2, 1),
}

# A UniMorph bundle: tags of upper-case ASCII letters and digits, optionally joined by `.`, `+`, `/`, `_` or
# `-` (V.PTCP, IN+ALL, NOM/ACC), separated by `;`, with `(...)` argument groups that may nest and use `,`
# inside (NOM(1,SG), ACC(SG;PSS(2,PL))); older data has `{...}` groups. Lemmas and forms fail this test
# because they contain lower-case or non-ASCII letters; the rare all-caps word (NATO) is outvoted.
_TAG = r"(?:[A-Z0-9][A-Z0-9.+/_\-]*|LGSPEC_\w+)"  # lower case only in named language-specific tags
_BUNDLE_CHARS = re.compile(r"^[A-Za-z0-9.+/_\-;,(){} ]+$")
_TAG_RE = re.compile(_TAG)
_SNIFF_LINES = 1000  # sorted files start with one paradigm; a few hundred lines may all be one capitalised lemma
_SNIFF_MAJORITY = 0.9  # a bundle column: at least this share of sniffed values look like bundles
_SNIFF_MINORITY = 0.5  # any other column: below this share, or the layout is ambiguous


class ExampleFormatError(FormatError, ValueError):
    """A malformed line in an examples file: names the file, the 1-based line and the problem (a
    `lrx.core.errors.FormatError`; a ValueError too, as callers of the readers catch that)."""


def looks_like_bundle(text: str) -> bool:
    """Whether `text` has the shape of a UniMorph feature bundle (syntax only, no schema check)."""
    if not text or not _BUNDLE_CHARS.match(text) or not re.search(r"[A-Z]", text):
        return False
    depth = 0
    for ch in text:
        depth += ch in "({"
        depth -= ch in ")}"
        if depth < 0:
            return False
    if depth:
        return False
    # every piece between separators must be a tag (this rejects `A B` and lower-case words); empty pieces
    # (`V;PST;`) are tolerated, as real UniMorph files have them
    pieces = [p for p in re.split(r"[;,(){}]", text) if p != ""]
    return bool(pieces) and all(_TAG_RE.fullmatch(p.strip()) for p in pieces)


def _split_line(raw: str) -> list[str]:
    line = raw.rstrip("\n").rstrip("\r")
    return [unicodedata.normalize("NFC", field.strip(" ")) for field in line.split("\t")]


def detect_format(lines: Iterable[str], path: str | Path = "<input>") -> str:
    """`2023` when the middle column holds the bundles, `unimorph` when the last one does (2020 and UniMorph
    share that order; `unimorph` also accepts blank lines, so it reads both)."""
    rows: list[list[str]] = []
    for raw in lines:
        if raw.strip():
            rows.append(_split_line(raw))
            if len(rows) >= _SNIFF_LINES:
                break
    if not rows:
        raise ExampleFormatError(path, 1, "no examples to detect the column layout from")
    width = len(rows[0])
    if width != 3:
        raise ExampleFormatError(path, 1, f"expected 3 tab-separated columns, found {width}")
    rows = [row for row in rows if len(row) == 3]  # a bad line is reported with its number when read
    shares = [sum(looks_like_bundle(row[col]) for row in rows) / len(rows) for col in range(3)]
    majority = [col for col in range(3) if shares[col] >= _SNIFF_MAJORITY]
    others_low = all(shares[col] < _SNIFF_MINORITY for col in range(3) if col not in majority)
    if len(majority) == 1 and others_low and majority[0] in (1, 2):
        return "2023" if majority[0] == 1 else "unimorph"
    described = ", ".join(f"column {col + 1}: {100 * share:.0f}%" for col, share in enumerate(shares))
    raise ExampleFormatError(
        path,
        1,
        f"cannot tell which column holds the feature bundles ({described} look like bundles); "
        "give the format explicitly (2020: lemma form feats, 2023: lemma feats form)",
    )


def read_examples(path: str | Path, format: str = "auto") -> list[Example]:
    """Examples of a tab-separated file. `format`: auto, 2020, 2023 or unimorph (see the module docstring).

    2020 and 2023 files must have no blank lines between examples (trailing ones are fine); unimorph files may.
    Raises ExampleFormatError (a ValueError) naming the file and line of a wrong column count or empty field.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown examples format {format!r}; one of {', '.join(FORMATS)}")
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        # newline="": keep a lone CR inside a line as data instead of letting Python split on it
        lines = handle.read().removeprefix("\ufeff").split("\n")
    if format == "auto":
        format = detect_format(lines, path)
    lemma_col, feats_col, form_col = _COLUMNS[format]
    blank_ok = format == "unimorph"
    examples: list[Example] = []
    blank_at: int | None = None
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            if blank_at is None:
                blank_at = number
            continue
        if blank_at is not None and not blank_ok:
            raise ExampleFormatError(path, blank_at, f"blank line inside a {format} file")
        blank_at = None
        fields = _split_line(raw)
        if len(fields) != 3:
            raise ExampleFormatError(path, number, f"expected 3 tab-separated columns, found {len(fields)}")
        lemma, feats, form = fields[lemma_col], fields[feats_col], fields[form_col]
        if not lemma or not feats or not form:
            raise ExampleFormatError(path, number, "empty lemma, form or features")
        examples.append(Example(lemma, feats, form))
    return examples


def write_examples(path: str | Path, examples: Iterable[Example], format: str = "2023") -> int:
    """Write examples as a tab-separated file in `format` (2020, 2023 or unimorph); returns the line count."""
    if format not in _COLUMNS:
        raise ValueError(f"cannot write format {format!r}; one of {', '.join(_COLUMNS)}")
    lemma_col, feats_col, form_col = _COLUMNS[format]
    out: list[str] = []
    for example in examples:
        row = [""] * 3
        row[lemma_col], row[feats_col], row[form_col] = example.lemma, example.feats, example.form
        if any(not field or "\t" in field or "\n" in field or "\r" in field for field in row):
            raise ValueError(f"cannot write {example!r}: empty field, or a tab or line break inside one")
        out.append("\t".join(row) + "\n")
    Path(path).write_text("".join(out), encoding="utf-8", newline="")
    return len(out)
