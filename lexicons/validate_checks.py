"""The checks of `lrx validate` (see `lrx.lexicons.validate` for the codes): a file's kind and decoding, its
languages (from its name or `--lang`), its metadata and header, each row, and each field (`_Checker`: script,
lookalikes, language identification, UniMorph tags)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import regex
from lrx.lexicons.langid import LANGID_MIN_PROBABILITY
from lrx.lexicons.langid import LANGID_MIN_WORDS
from lrx.lexicons.langid import _langid_labels
from lrx.lexicons.langid import identify
from lrx.lexicons.validate_languages import Language
from lrx.lexicons.validate_languages import _same_language
from lrx.lexicons.validate_languages import parse_language
from lrx.lexicons.validate_languages import suggest_languages
from lrx.lexicons.validate_report import ERROR
from lrx.lexicons.validate_report import WARNING
from lrx.lexicons.validate_report import Finding
from lrx.lexicons.validate_report import Report
from lrx.lexicons.validate_scripts import CYRILLIC_LOOKALIKES
from lrx.lexicons.validate_scripts import ENGLISH_EXTRA_LETTERS
from lrx.lexicons.validate_scripts import LATIN_LOOKALIKES
from lrx.lexicons.validate_scripts import _describe
from lrx.lexicons.validate_scripts import _script_pattern
from lrx.lexicons.validate_scripts import script_of
from lrx.morphology.contributed import KIND_DIRS
from lrx.morphology.contributed import LEXICON_COLUMNS
from lrx.morphology.contributed import METADATA_KEYS
from lrx.morphology.contributed import PARADIGM_COLUMNS
from lrx.morphology.contributed import ContributedText
from lrx.morphology.contributed import Row
from lrx.morphology.contributed import languages_from_name
from lrx.morphology.features import CONFLICT
from lrx.morphology.features import DUPLICATE_TAG
from lrx.morphology.features import Schema

_BRACKETED = regex.compile(r"[(\[{][^)\]}]*[)\]}]")
# a metadata value that starts so is still to be written (`lrx gaps` writes such to-do files)
PLACEHOLDER = "TODO"


# -- the validator -------------------------------------------------------------------------------------------


class _Checker:
    def __init__(
        self,
        label: str,
        kind: str,
        src: Language | None,
        tgt: Language | None,
        schema: Schema | None,
        langid: bool,
        report: Report,
    ) -> None:
        self.label = label
        self.kind = kind
        self.src = src
        self.tgt = tgt
        self.schema = schema
        self.langid = langid
        self.report = report
        self.columns: tuple[str, ...] = ()  # the header's column names, once read

    def error(self, line: int, column: int, code: str, message: str) -> None:
        self.report.add(Finding(ERROR, self.label, line, column, code, message))

    def warn(self, line: int, column: int, code: str, message: str) -> None:
        self.report.add(Finding(WARNING, self.label, line, column, code, message))

    # per field

    def text_field(self, row: Row, column: int, text: str, lang: Language | None, name: str) -> None:
        """Checks of one word or phrase (a source, target, lemma or form) in language `lang`."""
        line = row.line
        if not unicodedata.is_normalized("NFC", text):
            self.warn(line, column, "not-nfc", f"{name} {text!r} is in decomposed form (NFD); --fix composes it (NFC)")
        note = _BRACKETED.search(text)
        if note:
            self.warn(
                line,
                column,
                "bracket-note",
                f"{name} {text!r} contains the note {note.group()!r}: put notes in the note column, not in the word",
            )
        confusable = self.confusables(row, column, text, lang, name)
        if lang is not None and lang.script:
            pattern = _script_pattern(lang.script)
            if pattern is not None:
                for position, char in enumerate(text, 1):
                    if char in confusable or not unicodedata.category(char).startswith("L") or pattern.match(char):
                        continue
                    self.warn(
                        line,
                        column,
                        "script-mismatch",
                        f"{name} {text!r}: character {position}, {_describe(char)}, is {script_of(char)} script, "
                        f"but {lang.name} is written in {lang.script}",
                    )
                    break  # one per field: the rest of a wrong-script word says the same
        if self.langid and lang is not None and len(text.split()) >= LANGID_MIN_WORDS:
            self.language_of(row, column, text, lang, name)

    def confusables(self, row: Row, column: int, text: str, lang: Language | None, name: str) -> set[str]:
        script = lang.script if lang is not None else "Latn"
        table = CYRILLIC_LOOKALIKES if script == "Cyrl" else LATIN_LOOKALIKES if script == "Latn" else {}
        base = _script_pattern(script or "Latn")
        found: set[str] = set()
        for word in text.split():
            # a lookalike only confuses inside a word of the expected script (a whole Greek word is not one)
            if not any(base is not None and base.match(c) and c not in table for c in word) and "\u0261" not in word:
                continue
            for char in word:
                if char in table and char not in found:
                    found.add(char)
                    self.warn(
                        row.line,
                        column,
                        "confusable",
                        f"{name} {text!r} contains {_describe(char)}, which looks like {table[char]!r}: "
                        f"type {table[char]!r} instead",
                    )
        return found

    def language_of(self, row: Row, column: int, text: str, lang: Language, name: str) -> None:
        labels = _langid_labels()
        if not any(_same_language(label, lang.code) for label in labels):
            return  # the model does not know this language: its guesses say nothing
        guess = identify(text)
        if guess is None:
            return
        label, probability = guess
        if probability >= LANGID_MIN_PROBABILITY and not _same_language(label, lang.code):
            found = parse_language(label)
            self.warn(
                row.line,
                column,
                "wrong-language",
                f"{name} {text!r} looks like {found.name if found else label} ({probability:.0%} sure), "
                f"not {lang.name}",
            )

    def english_source(self, row: Row, column: int, text: str) -> None:
        odd = [c for c in text if unicodedata.category(c).startswith("L") and not c.isascii()]
        odd = [c for c in odd if c not in ENGLISH_EXTRA_LETTERS]
        if odd:
            self.warn(
                row.line,
                column,
                "source-not-english",
                f"source {text!r} does not look English (it has {_describe(odd[0])}): are the columns swapped?",
            )

    def features(self, row: Row, column: int, text: str) -> str | None:
        """Check a feature bundle; its canonical spelling, or None when it has errors."""
        if self.schema is None:
            return None
        bundle, problems = self.schema.check(text)
        bad = False
        for problem in problems:
            if problem.kind == DUPLICATE_TAG:
                self.warn(row.line, column, "duplicate-tag", f"features {text!r}: {problem.message}")
            elif problem.kind == CONFLICT:
                bad = True
                self.error(row.line, column, "conflicting-tags", f"features {text!r}: {problem.message}")
            else:
                bad = True
                hint = ""
                if problem.tag and problem.tag.upper() != problem.tag:
                    hint = " (tags are written in capitals)"
                self.error(
                    row.line,
                    column,
                    "unknown-tag",
                    f"features {text!r}: {problem.message}{hint}; see https://unimorph.github.io/schema/",
                )
        if bundle is None or bad:
            return None
        canonical = str(bundle)
        if canonical != text:
            self.warn(
                row.line, column, "tag-order", f"features {text!r} are canonically written {canonical!r}; --fix does it"
            )
        return canonical


def detect_kind(path: Path, lines: list[str]) -> str:
    """lexicon or paradigm: from the folder (`data/lexicons`, `data/paradigms`), else from the header."""
    for kind, folder in KIND_DIRS.items():
        if path.parent.name == folder:
            return kind
    for text in lines:
        if text.strip() and not text.lstrip().startswith("#"):
            first = text.split("\t")[0].strip().lower().removeprefix("\ufeff")
            return "paradigm" if first == PARADIGM_COLUMNS[0] else "lexicon"
    return "lexicon"


def _decode(data: bytes, checker: _Checker) -> list[str]:
    """Lines of `data`, each decoded on its own so one bad byte costs one line; bad lines come back empty."""
    lines: list[str] = []
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            column = raw.count(b"\t", 0, error.start) + 1
            byte = raw[error.start]
            checker.error(
                number,
                column,
                "not-utf8",
                f"byte 0x{byte:02X} at byte {error.start + 1} of the line is not UTF-8 ({error.reason}); "
                "save the file as UTF-8 (it may be Latin-1 or Windows-1252)",
            )
            lines.append("")
    return lines


def _file_languages(
    path: Path, kind: str, lang: str | None, checker: _Checker
) -> tuple[Language | None, Language | None]:
    named = languages_from_name(path, kind)
    codes: list[tuple[str, str]] = []
    if lang is not None:
        src_code = named.src if named is not None and named.src else "eng"
        codes = [("target" if kind == "lexicon" else "language", lang)]
        if kind == "lexicon":
            codes.insert(0, ("source", src_code))
    elif named is None:
        shape = "<src>-<tgt>[-<variant>].tsv" if kind == "lexicon" else "<iso>.tsv"
        checker.error(0, 0, "bad-filename", f"the file name should be {shape} (or give --lang)")
        return None, None
    else:
        codes = [("source", named.src or ""), ("target", named.tgt)] if kind == "lexicon" else [("language", named.tgt)]
    found: list[Language | None] = []
    for role, code in codes:
        language = parse_language(code)
        if language is None:
            close = suggest_languages(code.split("-")[0])
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            checker.error(0, 0, "unknown-language", f"{role} language {code!r} is not an ISO 639-3 code{hint}")
        elif len(code.split("-")[0]) != 3:
            checker.warn(
                0, 0, "not-iso639-3", f"{role} language {code!r}: name languages by ISO 639-3 ({language.iso3!r})"
            )
        found.append(language)
    return (found[0], found[1]) if kind == "lexicon" else (None, found[0])


def _check_metadata(parsed: ContributedText, checker: _Checker) -> None:
    for key in METADATA_KEYS:
        value = parsed.metadata.get(key)
        if not value:
            checker.error(
                parsed.metadata_lines.get(key, 1),
                0,
                "missing-metadata",
                f"the comment block at the top needs a line '# {key}: ...'"
                + (" with a value" if key in parsed.metadata else ""),
            )
        elif value.upper().startswith(PLACEHOLDER):
            checker.warn(
                parsed.metadata_lines[key], 0, "placeholder", f"'# {key}:' still holds a placeholder: {value!r}"
            )


def _check_header(parsed: ContributedText, expected: tuple[str, ...], kind: str, checker: _Checker) -> int:
    """The number of columns rows may have (the header's)."""
    written = "<TAB>".join(expected if kind == "paradigm" else ("source", "target", "[pos]", "[note]"))
    if parsed.header is None:
        line = parsed.rows[0].line if parsed.rows else 1
        checker.error(line, 0, "missing-header", f"the header line is missing: write {written} above the rows")
        return len(parsed.rows[0].fields) if parsed.rows and kind == "lexicon" else len(expected)
    header = parsed.header
    checker.columns = tuple(header)
    allowed = [list(expected[:n]) for n in range(2, len(expected) + 1)] if kind == "lexicon" else [list(expected)]
    if kind == "lexicon":
        # pos and note are each optional: `source target note` is as good as `source target pos note`
        allowed.append(["source", "target", "note"])
    if header not in allowed:
        checker.error(parsed.header_line, 0, "bad-header", f"header {'<TAB>'.join(header)!r}: expected {written}")
    return len(header)


def _check_row(row: Row, kind: str, width: int, checker: _Checker) -> tuple[str, ...] | None:
    """Check one data row; its normalised fields for duplicate detection, or None if it is malformed."""
    fields = row.fields
    minimum = 2 if kind == "lexicon" else 3
    if not (minimum <= len(fields) <= max(width, minimum)):
        checker.error(
            row.line,
            width + 1 if len(fields) > width else len(fields) + 1,
            "column-count",
            f"{len(fields)} tab-separated columns, expected "
            + (str(width) if kind == "paradigm" or width <= minimum else f"{minimum} to {width}")
            + (" (a tab inside a word, or spaces instead of a tab?)" if len(fields) != width else ""),
        )
        return None
    names = checker.columns or (LEXICON_COLUMNS if kind == "lexicon" else PARADIGM_COLUMNS)
    names = (*names, *(f"column {n}" for n in range(len(names) + 1, len(fields) + 1)))
    required = 2 if kind == "lexicon" else 3
    normalised: list[str] = []
    ok = True
    for index, raw in enumerate(fields):
        column = index + 1
        text = raw.strip()
        if raw != text:
            checker.warn(row.line, column, "whitespace", f"{names[index]} {raw!r} has spaces around it; --fix trims")
        if not text:
            if kind == "lexicon" and index == 1 and fields[0].strip():
                # a source still to translate (a to-do list, such as `lrx gaps` writes): nothing of it is used
                checker.warn(row.line, column, "untranslated", f"{fields[0].strip()!r} has no target yet: left out")
            elif index < required:
                checker.error(row.line, column, "empty-field", f"the {names[index]} is empty")
                ok = False
            normalised.append("")
            continue
        if kind == "lexicon" and index < 2:
            lang = checker.src if index == 0 else checker.tgt
            checker.text_field(row, column, text, lang, names[index])
            if index == 0 and checker.src is not None and checker.src.iso3 == "eng":
                checker.english_source(row, column, text)
        elif kind == "paradigm" and index < 2:
            checker.text_field(row, column, text, checker.tgt, names[index])
        elif kind == "paradigm":
            canonical = checker.features(row, column, text)
            if canonical is None and checker.schema is not None:
                ok = False
            text = canonical or text
        normalised.append(unicodedata.normalize("NFC", text))
    return tuple(normalised) if ok else None


def _load_schema(fetch: Callable[..., Path] | None) -> tuple[Schema | None, str | None]:
    from lrx.morphology.features import load_schema

    from lrx.core.errors import LrxError

    if fetch is None:
        from lrx.core.fetch import fetch
    try:
        return load_schema(fetch), None
    except (LrxError, OSError, ValueError) as error:
        return None, f"the UniMorph schema could not be loaded ({error})"
