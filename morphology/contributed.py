"""Contributed data files under `data/`: their shared layout, where they live, and the paradigm reader.

Linguists contribute two kinds of tab-separated UTF-8 files (CONTRIBUTING.md describes them for people):

* lexicons, `data/lexicons/<src>-<tgt>[-<variant>].tsv`, header `source<TAB>target[<TAB>pos][<TAB>note]`
  (read by `lrx.lexicons.contributed`, which may import this module; this one imports nothing from `lexicons`);
* paradigms, `data/paradigms/<iso>[-<Script>].tsv`, UniMorph's three columns, header
  `lemma<TAB>form<TAB>features`.

Both start with a comment block (`# Source: ...`, `# Licence: ...`, `# Contributor: ...`, `# Date: ...`),
then the header line, then one row a line. Blank lines are allowed (UniMorph separates paradigms with them);
a line starting with `#` is a comment anywhere. `split_contributed` does that split once for the reader,
the lexicon source and the validator, so they can never disagree about which line is which.

Paradigm lookup (`paradigm_files`): the language in the file name is compared with the requested one by its
ISO 639-3 code, mapped through the same aliases as the UniMorph tables (`lrx.morphology.codes`: `swh`,
`sw`, `swa` all mean the `swc` table), so `data/paradigms/swh.tsv` is found for `sw`, `swh` and `swc`.
`lrx.morphology.unimorph.load_paradigms` merges those files into the pinned UniMorph table of the language,
or uses them alone where UniMorph has none.

The data directory is `<repo>/data` (beside the packages), or `$LRX_DATA` when set (tests, a private copy).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from lrx.morphology.codes import language_key
from lrx.morphology.data import ExampleFormatError
from lrx.morphology.features import Schema
from lrx.morphology.features import parse_features

METADATA_KEYS = ("Source", "Licence", "Contributor", "Date")
# American spelling accepted as the same key: contributors should not fail on it
METADATA_ALIASES = {"license": "Licence", "licence": "Licence"}
LEXICON_COLUMNS = ("source", "target", "pos", "note")
PARADIGM_COLUMNS = ("lemma", "form", "features")
KINDS = ("lexicon", "paradigm")
KIND_DIRS = {"lexicon": "lexicons", "paradigm": "paradigms"}

DATA_ENV = "LRX_DATA"


def data_dir() -> Path:
    """The contributed-data directory: `$LRX_DATA`, else `data/` at the repository root (read per call)."""
    override = os.environ.get(DATA_ENV)
    return Path(override).expanduser() if override else Path(__file__).resolve().parents[1] / "data"


def contributed_files(kind: str, root: Path | None = None) -> list[Path]:
    """Every `.tsv` file of `kind` (lexicon or paradigm) under the data directory, sorted by name."""
    folder = (root or data_dir()) / KIND_DIRS[kind]
    return sorted(folder.glob("*.tsv")) if folder.is_dir() else []


# -- the shared layout ---------------------------------------------------------------------------------------


@dataclass
class Row:
    """One data line: its 1-based number and its tab-separated fields as written (not stripped)."""

    line: int
    fields: list[str]


@dataclass
class ContributedText:
    """A contributed file split into its parts. `header` is None when the first data line is not a header."""

    metadata: dict[str, str] = field(default_factory=dict)
    metadata_lines: dict[str, int] = field(default_factory=dict)
    header: list[str] | None = None
    header_line: int = 0
    rows: list[Row] = field(default_factory=list)


def split_contributed(lines: list[str], expected: tuple[str, ...]) -> ContributedText:
    """Split decoded lines (no line ends) into metadata, header and rows. A first data line whose first field
    is `expected[0]` (case-insensitive) is the header; otherwise it is a row and `header` stays None."""
    parsed = ContributedText()
    in_block = True
    for number, text in enumerate(lines, 1):
        if number == 1:
            text = text.lstrip("\ufeff")
        text = text.removesuffix("\r")
        if not text.strip():
            continue
        if text.lstrip().startswith("#"):
            key, colon, value = text.lstrip().lstrip("#").strip().partition(":")
            key = METADATA_ALIASES.get(key.strip().lower(), key.strip().title())
            # only the leading comment block carries metadata: a later `# Source:` is an ordinary comment
            if in_block and colon and key in METADATA_KEYS and key not in parsed.metadata:
                parsed.metadata[key] = value.strip()
                parsed.metadata_lines[key] = number
            continue
        in_block = False
        fields = text.split("\t")
        if parsed.header is None and not parsed.rows and fields[0].strip().lower() == expected[0]:
            parsed.header = [f.strip().lower() for f in fields]
            parsed.header_line = number
            continue
        parsed.rows.append(Row(number, fields))
    return parsed


def read_contributed(path: Path, expected: tuple[str, ...]) -> ContributedText:
    """Decode a contributed file strictly (UTF-8; the validator reports bad bytes) and split it."""
    return split_contributed(path.read_bytes().decode("utf-8").split("\n"), expected)


# -- language names in file names ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FileLanguages:
    """What a file name says: the languages (codes as written, script suffix included) and a variant."""

    src: str | None
    tgt: str
    variant: str | None = None


def _is_script(part: str) -> bool:
    # ISO 15924: four letters, written title-case (`Nkoo`, `Latn`)
    return len(part) == 4 and part.isalpha() and part.isascii() and part[0].isupper() and part[1:].islower()


def languages_from_name(path: Path, kind: str) -> FileLanguages | None:
    """`eng-swh.tsv` -> (eng, swh); `eng-bam-Nkoo-mali.tsv` -> (eng, bam-Nkoo, variant mali); `swh.tsv` or
    `bam-Nkoo.tsv` for a paradigm. None if the name does not have that shape."""
    parts = path.stem.split("-")
    if not all(parts):
        return None
    codes: list[str] = []
    while parts and len(codes) < (2 if kind == "lexicon" else 1):
        code = parts.pop(0)
        if parts and _is_script(parts[0]):
            code += "-" + parts.pop(0)
        codes.append(code)
    if len(codes) < (2 if kind == "lexicon" else 1) or (kind == "paradigm" and parts):
        return None
    variant = "-".join(parts) or None
    return FileLanguages(codes[0], codes[1], variant) if kind == "lexicon" else FileLanguages(None, codes[0])


# -- paradigms -----------------------------------------------------------------------------------------------


def paradigm_files(lang: str, root: Path | None = None) -> list[Path]:
    """Contributed paradigm files for language `lang` (any ISO 639-1/3 or BCP-47 spelling)."""
    wanted = language_key(lang)
    if wanted is None:
        return []
    found = []
    for path in contributed_files("paradigm", root):
        named = languages_from_name(path, "paradigm")
        if named is not None and language_key(named.tgt) == wanted:
            found.append(path)
    return found


class ParadigmFileError(ExampleFormatError):
    """A contributed paradigm file that cannot be used: names the file, the 1-based line and the problem (a
    paradigm file is an examples file in the UniMorph layout, with a comment block and a header)."""


def read_paradigm_rows(path: Path) -> Iterator[tuple[int, str, str, str]]:
    """(line, lemma, form, features) of a contributed paradigm file, stripped and NFC-normalised. Raises
    ParadigmFileError on bytes that are not UTF-8 or a row without exactly three non-empty fields."""
    try:
        parsed = read_contributed(path, PARADIGM_COLUMNS)
    except UnicodeDecodeError as error:
        raise ParadigmFileError(path, 0, f"not UTF-8 ({error.reason})") from None
    for row in parsed.rows:
        fields = [unicodedata.normalize("NFC", f.strip()) for f in row.fields]
        if len(fields) != 3 or not all(fields):
            raise ParadigmFileError(path, row.line, "expected three non-empty fields: lemma, form, features")
        yield row.line, fields[0], fields[1], fields[2]


def read_paradigm_file(path: Path, schema: Schema, into) -> None:
    """Add a contributed paradigm file to `into` (a `lrx.morphology.unimorph.Paradigms`). Tags are checked
    strictly: a contributed file is validated before it is merged, so an invalid tag here is an error (a
    FeatureError naming file and line), not a silently counted slip as in the UniMorph tables."""
    for line, lemma, form, feats in read_paradigm_rows(path):
        bundle = parse_features(feats, schema, strict=True, report=into.report, file=path, line=line)
        assert bundle is not None  # strict parsing raises instead
        into.lines += 1
        into.add(lemma, bundle, form)
    into.files.append(str(path.name))
