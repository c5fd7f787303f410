"""`lrx validate --fix`: the safe, mechanical fixes of a contributed file (`fix_text`), applied in place by
`fix_file`."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

from lrx.lexicons.validate_checks import _load_schema
from lrx.lexicons.validate_checks import detect_kind
from lrx.morphology.contributed import LEXICON_COLUMNS
from lrx.morphology.contributed import PARADIGM_COLUMNS
from lrx.morphology.features import DUPLICATE_TAG
from lrx.morphology.features import Schema

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
