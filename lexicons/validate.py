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
`duplicate-tag`, `not-iso639-3`, `schema-unavailable`, `untranslated` (a lexicon row with a source and no
target yet: a to-do row, as `lrx gaps` writes them; it is left out of the lexicon), `placeholder` (a metadata
value still starting `TODO`).

`fix_text` applies only mechanical fixes (NFC, trimming fields and line ends, canonical tag order, dropping
rows identical to an earlier one) and is idempotent: fixing a fixed file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lrx.lexicons.langid import LANGID_MIN_PROBABILITY as LANGID_MIN_PROBABILITY
from lrx.lexicons.langid import LANGID_MIN_WORDS as LANGID_MIN_WORDS
from lrx.lexicons.langid import identify as identify
from lrx.lexicons.langid import langid_model as langid_model
from lrx.lexicons.validate_checks import _check_header
from lrx.lexicons.validate_checks import _check_metadata
from lrx.lexicons.validate_checks import _check_row
from lrx.lexicons.validate_checks import _Checker
from lrx.lexicons.validate_checks import _decode
from lrx.lexicons.validate_checks import _file_languages
from lrx.lexicons.validate_checks import _load_schema
from lrx.lexicons.validate_checks import detect_kind as detect_kind
from lrx.lexicons.validate_fix import fix_file as fix_file
from lrx.lexicons.validate_fix import fix_text as fix_text
from lrx.lexicons.validate_languages import SAME_LANGUAGE_DISTANCE as SAME_LANGUAGE_DISTANCE
from lrx.lexicons.validate_languages import Language as Language
from lrx.lexicons.validate_languages import parse_language as parse_language
from lrx.lexicons.validate_languages import suggest_languages as suggest_languages
from lrx.lexicons.validate_report import ERROR as ERROR
from lrx.lexicons.validate_report import WARNING as WARNING
from lrx.lexicons.validate_report import Finding as Finding
from lrx.lexicons.validate_report import Report as Report
from lrx.lexicons.validate_scripts import CYRILLIC_LOOKALIKES as CYRILLIC_LOOKALIKES
from lrx.lexicons.validate_scripts import ENGLISH_EXTRA_LETTERS as ENGLISH_EXTRA_LETTERS
from lrx.lexicons.validate_scripts import LATIN_LOOKALIKES as LATIN_LOOKALIKES
from lrx.lexicons.validate_scripts import NAMED_SCRIPTS as NAMED_SCRIPTS
from lrx.lexicons.validate_scripts import script_of as script_of
from lrx.morphology.contributed import KINDS
from lrx.morphology.contributed import LEXICON_COLUMNS
from lrx.morphology.contributed import PARADIGM_COLUMNS
from lrx.morphology.contributed import split_contributed
from lrx.morphology.features import Schema


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


def validate_file(
    path: str | Path,
    *,
    kind: str | None = None,
    lang: str | None = None,
    schema: Schema | None = None,
    fetch: Callable[..., Path] | None = None,
    langid: bool = True,
    label: str | None = None,
) -> Report:
    """Validate one file (see `validate_text`). The UniMorph schema for a paradigm is `schema`, else loaded
    with `fetch` (default `lrx.core.fetch.fetch`); if it cannot be fetched, tags are reported unchecked. Findings
    name the file as `label` (the URL it was fetched from), else as its path."""
    path = Path(path)
    data = path.read_bytes()
    schema_error = None
    if schema is None and (kind == "paradigm" or (kind is None and _looks_like_paradigm(path, data))):
        schema, schema_error = _load_schema(fetch)
    return validate_text(
        data,
        label or str(path),
        path=path,
        kind=kind,
        lang=lang,
        schema=schema,
        schema_error=schema_error,
        langid=langid,
    )


def _looks_like_paradigm(path: Path, data: bytes) -> bool:
    return detect_kind(path, data.decode("utf-8", errors="replace").split("\n")) == "paradigm"
