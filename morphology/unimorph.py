"""UniMorph inflection tables: pinned files per language, a robust reader, and a paradigm index.

A UniMorph file has one inflected form a line, `lemma<TAB>form<TAB>FEATS` (SIGMORPHON 2023 swaps the last
two columns: pass `columns=SIGMORPHON_2023_COLUMNS`). The reader:

* reads bytes line by line (only `\\n` ends a line; a trailing `\\r` is dropped, so CRLF files read the
  same), decodes UTF-8 (a BOM on the first line is dropped), strips each field, NFC-normalises lemma and form;
* keeps every form as written: `nan`, `NA`, `null`, `"` are words, not missing values or quotes, and
  multi-word forms (gle `a ghreadóga`, est `ei olnud`) are one form;
* skips blank lines (paradigms are separated by them in several files) and counts them;
* treats a line without exactly three fields, or with an empty field, as malformed: an error naming file
  and line in strict mode, else skipped and counted;
* parses FEATS with `lrx.morphology.features` (validated against the UniMorph schema; unknown or conflicting
  tags are errors in strict mode, else counted and kept);
* reads at most `max_bytes` per file.

Which files load (`UNIMORPH_REPOS`): every language's inflection tables by default. `kaz` has two
(`kaz`, 357 noun forms from Wikipedia, and `kaz.noun.tsv`, 28k noun forms from Wiktionary) and `uzb` has
two (`uzb` nouns, `uzb_verbs` verbs): different sources and parts of speech, so both are loaded. The `.args`
files (bre, fao, gle, mlt, sme) are the UniMorph 4 re-tagging of the same tables with hierarchical
argument features (`V;IND;PRS;NOM(1,SG)` for `V;IND;PRS;1;SG`). They are not loaded by default, because the
flat tags are what most UniMorph data, tools and the SIGMORPHON 2020 tasks use, and loading both would count
every form twice under two spellings of its features. `include_args=True` loads each `.args` file *instead
of* the file it re-tags (languages without one are unchanged). `.sm` (the SIGMORPHON 2020 extracts from
textbooks) and `.gloss` (English glosses) files are not inflection tables of the repository's main data and
are ignored.

The fetch function is injected (`fetch(url, sha256=..., max_bytes=...) -> Path`, e.g.
`lrx.core.fetch.fetch`): `morphology` imports nothing from `lexicons`. Every file is pinned by commit and
sha256, so a cached or mirrored copy is verified before it is parsed.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import NamedTuple

from lrx.morphology.codes import UNIMORPH_ALIASES
from lrx.morphology.codes import language_key
from lrx.morphology.contributed import paradigm_files
from lrx.morphology.contributed import read_paradigm_file
from lrx.morphology.features import FeatureBundle
from lrx.morphology.features import Schema
from lrx.morphology.features import ValidationReport
from lrx.morphology.features import load_schema
from lrx.morphology.features import parse_features

from lrx.core.errors import FormatError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SIGMORPHON_2023_COLUMNS",
    "UNIMORPH_COLUMNS",
    "UNIMORPH_LANGUAGES",
    "UNIMORPH_REPOS",
    "Analysis",
    "Paradigms",
    "UniMorphFile",
    "UniMorphFormatError",
    "UniMorphRepo",
    "UnknownUniMorphLanguageError",
    "load_paradigms",
    "load_unimorph",
    "read_unimorph_file",
    "resolve_language",
]

DEFAULT_MAX_BYTES = 256 << 20
"""Per file. The largest pinned file is 4 MB; all of UniMorph's biggest tables stay under 256 MiB."""

UNIMORPH_COLUMNS = ("lemma", "form", "features")
SIGMORPHON_2023_COLUMNS = ("lemma", "features", "form")

BASE_URL = "https://raw.githubusercontent.com/unimorph"


class UniMorphFormatError(FormatError, ValueError):
    """A malformed line (line 0: the whole file) of a UniMorph table: names the file, the 1-based line and the
    problem (a `lrx.core.errors.FormatError`, and a ValueError as before)."""


class UnknownUniMorphLanguageError(ValueError):
    """A language code that names none of the pinned UniMorph languages."""


# -- pinned files --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UniMorphFile:
    """One pinned file of a language repository. `retags`: for a `.args` file, the file it re-tags."""

    name: str
    sha256: str
    size: int
    retags: str | None = None


@dataclass(frozen=True)
class UniMorphRepo:
    """`github.com/unimorph/<iso>` at a pinned commit."""

    iso: str
    name: str
    commit: str
    files: tuple[UniMorphFile, ...]

    def url(self, file: UniMorphFile | str) -> str:
        name = file.name if isinstance(file, UniMorphFile) else file
        return f"{BASE_URL}/{self.iso}/{self.commit}/{name}"

    def selected(self, *, include_args: bool = False) -> list[UniMorphFile]:
        """The files to load: main tables, or with `include_args` each `.args` in place of what it re-tags."""
        if not include_args:
            return [f for f in self.files if f.retags is None]
        replaced = {f.retags for f in self.files if f.retags}
        return [f for f in self.files if f.name not in replaced]

    @property
    def has_args(self) -> bool:
        return any(f.retags for f in self.files)


def _repo(iso: str, name: str, commit: str, *files: tuple[str, str, int] | tuple[str, str, int, str]) -> UniMorphRepo:
    return UniMorphRepo(iso, name, commit, tuple(UniMorphFile(*f) for f in files))


# sha256 and size computed from the mirror (a byte copy of github.com/unimorph/<iso> at these commits).
UNIMORPH_REPOS: dict[str, UniMorphRepo] = {
    r.iso: r
    for r in (
        _repo(
            "amh",
            "Amharic",
            "02db5a185339f6d7a3440f05a4f1d1ca0131881a",
            ("amh", "42014c1c3066495613a5cd1bc7375e4cb3572b779d80f1dc5508d99c753e267f", 1763293),
        ),
        _repo(
            "ben",
            "Bengali",
            "55a44fa60e9b7a3a5ff7acbed66b07571ceefa79",
            ("ben", "b0f1e2d005bce183dfcc2a570de1ce3d4d9a17feafa6c222b3f72b3e6ff894b2", 251991),
        ),
        _repo(
            "bre",
            "Breton",
            "219a0713592f96672944cb8f6eb08eb81bb5a785",
            ("bre", "0c972479ee89e93fa49e14ac2ccf408d25bac26ea6f414e33ccce3bc2d1d8435", 82159),
            ("bre.args", "e2621605cf333154cc7a677b9a7635399436f8876c7cd16981e84cd0162ba897", 93580, "bre"),
        ),
        _repo(
            "cym",
            "Welsh",
            "275293a135d0398fd8ab8b412db93b36c94394ff",
            ("cym", "9f0ea78662a71898d70e5940b0f1030a25a018a0fd44ac282ba1f791c758e75c", 374501),
        ),
        _repo(
            "eng",
            "English",
            "2766660f5c8ffb6a0cd25698b2fdd625d6cec7ec",
            ("eng", "9ec3a3a2570d964036d0af7868be662a9472965cc92ebf7a18867b61108d51c5", 3285529),
        ),
        _repo(
            "est",
            "Estonian",
            "38a9801791566a829dbf84214e1ada92eb8f9e37",
            ("est", "602b778567b4607514ee380152fe8a6ccd70dbc15190339f7f5a6d9a710b899f", 1397385),
        ),
        _repo(
            "fao",
            "Faroese",
            "d9fdec4c652480fbac78e01b353c5a14edb7b743",
            ("fao", "8c5282080aa840158c2073c9b9a658374ed3c96e28c7c0e42ef94ebbb039ca23", 1450065),
            ("fao.args", "731076bf2a4f75e07f4714c2fc71fe3d3e87a66fc6a044a7cfffa2de37100ee5", 1515840, "fao"),
        ),
        _repo(
            "gle",
            "Irish",
            "efdca3ead351c804224b97336c3bcef8c78b6015",
            ("gle", "88b9c0dee797fc16a20486ff300b70f94770847406364f473a03e86cc30173cb", 3853188),
            ("gle.args", "a4b8cbc06dead528cee7cf759a464ec5bf666b039a291f464ea0f800a7bf5ba8", 4037889, "gle"),
        ),
        _repo(
            "hsb",
            "Upper Sorbian",
            "059a2f7f66234745971a84e7b1e9fc6c8dcfd6ee",
            ("hsb", "a62d4ac203560350420509c97d51272e4396ea7609c7f996f8664f09e4162426", 11494),
        ),
        _repo(
            "ind",
            "Indonesian",
            "4663cf3b8127fb85cb7e8a0c1a4f07e96103fe34",
            ("ind", "77c709f98b581a80051d0e18aa899e0d84d70436223054efa09831d71cdc2ac6", 832127),
        ),
        _repo(
            "kaz",
            "Kazakh",
            "91885d96011368d91397033f4a8f8b0f9c2b60a0",
            ("kaz", "2474e66a4a112528c6b2cbeed498a75c87c4de5f36da276143e8fa90aa5a7488", 14228),
            ("kaz.noun.tsv", "6ba352297a03423fdd21b3a1875d230c0f3c4153d5e33d1e5dcd37980efc0579", 1290564),
        ),
        _repo(
            "lug",
            "Luganda",
            "5bb5dc567e071e2e3111d5eb29bf438244a9b0e1",
            ("lug", "9d9c9d8c397cbb67882bccc0680b4507ee3948db04ca5a10f70c19f842e7f9eb", 153726),
        ),
        _repo(
            "mlt",
            "Maltese",
            "0b76287c6ebf9e61e093208bf3ad9f1592334c7e",
            ("mlt", "1d46d8f620cdf65c1d67893f819f3839f3bf466f24c289b10be98d2f788db388", 124584),
            ("mlt.args", "0d79a971ed529409f9b4b353688a673938e9bc246906627883eaaf75fa92a465", 63389, "mlt"),
        ),
        _repo(
            "nav",
            "Navajo",
            "7ca00e86d03bbd3aaedd5291c53b3813ef521832",
            ("nav", "3d0493e97430295757826bd72170e8ad241d9f116977387795b65e8ab93b0920", 511556),
        ),
        _repo(
            "nya",
            "Chichewa",
            "4f7699bfac803b3422e79bac1f317352547b8c3b",
            ("nya", "6a2dcc0a67fc6fde71b5b84864a6b6614c7129dcf9c55d33b7c07cd5cef2bd40", 124710),
        ),
        _repo(
            "sme",
            "Northern Sami",
            "4220e287245f7be827d3a3ac4a82db5eec45fd7f",
            ("sme", "e1f59ff6621557a89f91d8401a7397450e12a193414c30fa1912d688adff4096", 2050015),
            ("sme.args", "1e7f14f3d59a6c7d410538ed4cdea32b259a5d4d5c383f0dcef17c85540fbb89", 2305117, "sme"),
        ),
        _repo(
            "sot",
            "Southern Sotho",
            "e523f2c896a0de10f0ef19c67e8239f9c7c04cfd",
            ("sot", "016bf4e23be113a0d52581736cfae87358f06f30a5e8a10fcdc171023ac8c784", 12640),
        ),
        _repo(
            "swc",
            "Swahili",
            "02a2bdec0e5cb0dc93b6ef11db4d54a82c34b224",
            ("swc", "fed7a61f279f5f1db3216cf33aa72cea9cb16fdf175d884508c187e03ef4a924", 414624),
        ),
        _repo(
            "tgl",
            "Tagalog",
            "799d79de338d1370ebfbeabb9823a0e8f86a2b6a",
            ("tgl", "84bcc773fde9430d9c8f9d10c72cd4ebca6410eac0eb8408accf0fd6b49e840b", 84917),
        ),
        _repo(
            "uzb",
            "Uzbek",
            "0d06920a2aaf8dfb58b4a5492355e8f6425d2e51",
            ("uzb", "bd31a9361cbf0a7016d1925793a4dfcc6775d36b7a7218d4c60d9e979cdd65dd", 41921),
            ("uzb_verbs", "6ba66de9d7d44d6450480331337af8b700f6bf81fc53d467727304e7bfde8d9a", 1853796),
        ),
        _repo(
            "zul",
            "Zulu",
            "cc7adc828d0ee63b282a44a105b11689ec5951da",
            ("zul", "3762e371326fc74a1a7c513a38fd86eef00b1c14ca48148e119910c4b1e18450", 1581402),
        ),
    )
}
UNIMORPH_LANGUAGES: tuple[str, ...] = tuple(sorted(UNIMORPH_REPOS))

_ALIASES = UNIMORPH_ALIASES


def resolve_language(code: str) -> str:
    """The UniMorph repository code for an ISO 639-1/3 or BCP-47 code (`en`, `eng`, `sw`, `swh`, `ga`)."""
    text = code.strip()
    key = text.lower()
    if key in UNIMORPH_REPOS:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        import langcodes  # a dependency of lrx; imported here so loading a table by its ISO code needs nothing

        alpha3 = langcodes.Language.get(text).to_alpha3()
    except (ValueError, LookupError, AttributeError):
        alpha3 = None
    if alpha3 is not None:
        alpha3 = _ALIASES.get(alpha3, alpha3)
        if alpha3 in UNIMORPH_REPOS:
            return alpha3
    close = difflib.get_close_matches(key, UNIMORPH_LANGUAGES, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownUniMorphLanguageError(
        f"no pinned UniMorph data for language {code!r}{hint} (have: {', '.join(UNIMORPH_LANGUAGES)})"
    )


# -- the index -----------------------------------------------------------------------------------------------


class Analysis(NamedTuple):
    """One reading of a form: its lemma and feature bundle."""

    lemma: str
    features: FeatureBundle


class Paradigms:
    """Inflection tables: lemma -> {bundle -> [forms]}, and form -> [(lemma, bundle)] for analysis.

    Forms of one cell keep file order, without repeats. Built by `read_unimorph_file` / `load_unimorph`.
    """

    def __init__(self, schema: Schema, *, lang: str | None = None) -> None:
        self.schema = schema
        self.lang = lang
        self.files: list[str] = []
        self.report = ValidationReport()
        self.skipped: Counter[str] = Counter()  # reason -> lines
        self.lines = 0
        self.blank_lines = 0
        self.duplicate_entries = 0
        self._table: dict[str, dict[FeatureBundle, list[str]]] = {}
        self._analyses: dict[str, list[Analysis]] = {}
        self._folded: dict[str, list[Analysis]] | None = None
        self._entries = 0

    # -- building

    def add(self, lemma: str, features: FeatureBundle, form: str) -> bool:
        """Add one entry; False if it was already there (a repeated line)."""
        cells = self._table.setdefault(lemma, {})
        forms = cells.setdefault(features, [])
        if form in forms:
            self.duplicate_entries += 1
            return False
        forms.append(form)
        self._analyses.setdefault(form, []).append(Analysis(lemma, features))
        self._folded = None
        self._entries += 1
        return True

    # -- queries

    def __len__(self) -> int:
        """Entries: distinct (lemma, bundle, form)."""
        return self._entries

    def __contains__(self, lemma: object) -> bool:
        return lemma in self._table

    @property
    def lemmas(self) -> list[str]:
        return list(self._table)

    def paradigm(self, lemma: str) -> Mapping[FeatureBundle, tuple[str, ...]]:
        """The table of one lemma: bundle -> forms (empty if the lemma is unknown)."""
        return {bundle: tuple(forms) for bundle, forms in self._table.get(_nfc(lemma), {}).items()}

    def forms(self, lemma: str, features: FeatureBundle | str) -> list[str]:
        """Forms of `lemma` for a bundle (a FeatureBundle, or a string in any tag order)."""
        # a string is parsed leniently, like the reader: a cell whose bundle has an unknown tag is still found
        bundle = (
            features if isinstance(features, FeatureBundle) else parse_features(features, self.schema, strict=False)
        )
        if bundle is None:
            self.schema.parse(str(features))  # unparseable: raise the FeatureError that says why
            return []
        return list(self._table.get(_nfc(lemma), {}).get(bundle, ()))

    def analyse(self, form: str, *, ignore_case: bool = False) -> list[Analysis]:
        """Every (lemma, bundle) whose table contains `form` (exact match after NFC; `ignore_case`:
        compare casefolded)."""
        key = _nfc(form)
        if not ignore_case:
            return list(self._analyses.get(key, ()))
        if self._folded is None:
            folded: dict[str, list[Analysis]] = {}
            for text, analyses in self._analyses.items():
                folded.setdefault(text.casefold(), []).extend(analyses)
            self._folded = folded
        return list(self._folded.get(key.casefold(), ()))

    def entries(self) -> Iterator[tuple[str, FeatureBundle, str]]:
        """(lemma, bundle, form) in file order of lemmas."""
        for lemma, cells in self._table.items():
            for bundle, forms in cells.items():
                for form in forms:
                    yield lemma, bundle, form

    def main_forms(self) -> Iterator[tuple[str, FeatureBundle, str]]:
        """(lemma, bundle, form) with one form per cell. Where a cell lists several, the one most like the
        lemma's forms in the neighbouring cells (bundles one tag added, removed or replaced away): the
        Wiktionary-derived Swahili table lists the subjunctive `asome` before `alisoma` under the past
        V;FIN;IND;PST;3;SG;LGSPEC1, and the plural `walisoma` and perfect `amesoma` single out `alisoma`.
        Ties keep file order. For training an inflector that must give one answer per cell."""
        for lemma, cells in self._table.items():
            tags: dict[FeatureBundle, frozenset[str]] | None = None
            for bundle, forms in cells.items():
                if len(forms) == 1:
                    yield lemma, bundle, forms[0]
                    continue
                if tags is None:
                    tags = {b: frozenset(str(b).split(";")) for b in cells}
                mine = tags[bundle]
                neighbours = [cells[b] for b in cells if b != bundle and len(mine ^ tags[b]) <= 2]

                def distance(form: str, neighbours: list[list[str]] = neighbours) -> int:
                    return sum(min(_edit_distance(form, other) for other in cell) for cell in neighbours)

                yield lemma, bundle, min(forms, key=distance)

    def feature_bundles(self) -> Counter[FeatureBundle]:
        """Bundle -> number of (lemma, bundle) cells that use it."""
        return Counter(bundle for cells in self._table.values() for bundle in cells)

    def stats(self) -> dict[str, Any]:
        """Counts for reports and `lrx unimorph stats` (JSON-serialisable)."""
        bundles = self.feature_bundles()
        report = self.report
        return {
            "lang": self.lang,
            "files": list(self.files),
            "lines": self.lines,
            "entries": self._entries,
            "lemmas": len(self._table),
            "forms": len(self._analyses),
            "feature_bundles": len(bundles),
            "cells": sum(bundles.values()),
            "multiword_forms": sum(1 for form in self._analyses if " " in form),
            "invalid_tags": report.invalid_tags,
            "invalid_tag_rate": round(report.invalid_rate, 6),
            "conflicts": report.count("conflict"),
            "aliased_tags": sum(report.aliased.values()),
            "duplicate_entries": self.duplicate_entries,
            "skipped_lines": sum(self.skipped.values()),
            "blank_lines": self.blank_lines,
            "skipped": dict(sorted(self.skipped.items())),
            "problems": report.kinds(),
            "top_invalid_tags": dict(report.invalid_tag_counts().most_common(10)),
        }


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions of one character each)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


# -- reading -------------------------------------------------------------------------------------------------


def read_unimorph_file(
    path: str | Path,
    schema: Schema,
    *,
    strict: bool = False,
    columns: tuple[str, str, str] = UNIMORPH_COLUMNS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    into: Paradigms | None = None,
    name: str | None = None,
) -> Paradigms:
    """Read one table into `into` (or a new Paradigms). `columns` names the three columns: `lemma`, `form`,
    `features` in some order. strict: the first malformed line or invalid tag raises (UniMorphFormatError,
    FeatureError), naming the file (`name`, default the path) and the line; otherwise they are counted."""
    if sorted(columns) != sorted(UNIMORPH_COLUMNS):
        raise ValueError(f"columns must order {UNIMORPH_COLUMNS}, got {columns!r}")
    path = Path(path)
    label = name or str(path)
    paradigms = into if into is not None else Paradigms(schema)
    size = path.stat().st_size
    if size > max_bytes:
        raise UniMorphFormatError(label, 0, f"{size} bytes, more than max_bytes={max_bytes}")
    i_lemma, i_form, i_feats = (columns.index(c) for c in UNIMORPH_COLUMNS)
    report = paradigms.report
    read = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            read += len(raw)
            if read > max_bytes:  # the file grew while we read it
                raise UniMorphFormatError(label, number, f"more than max_bytes={max_bytes}")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                _bad(paradigms, label, number, "encoding", f"not UTF-8 ({error.reason})", strict)
                continue
            if number == 1:
                text = text.removeprefix("\ufeff")
            text = text.rstrip("\r\n")
            if not text.strip():
                paradigms.blank_lines += 1
                continue
            paradigms.lines += 1
            fields = text.split("\t")
            if len(fields) != 3:
                _bad(paradigms, label, number, "columns", f"{len(fields)} tab-separated fields, expected 3", strict)
                continue
            lemma, form, feats = (fields[i].strip() for i in (i_lemma, i_form, i_feats))
            if not lemma or not form or not feats:
                empty = ", ".join(c for c, v in zip(UNIMORPH_COLUMNS, (lemma, form, feats), strict=True) if not v)
                _bad(paradigms, label, number, "empty_field", f"empty {empty}", strict)
                continue
            bundle = parse_features(feats, schema, strict=strict, report=report, file=label, line=number)
            if bundle is None:  # unparseable (lenient mode; strict raised above)
                paradigms.skipped["features"] += 1
                continue
            paradigms.add(_nfc(lemma), bundle, _nfc(form))
    paradigms.files.append(name or path.name)
    return paradigms


def _bad(paradigms: Paradigms, label: str, line: int, reason: str, problem: str, strict: bool) -> None:
    if strict:
        raise UniMorphFormatError(label, line, problem)
    paradigms.skipped[reason] += 1


def load_unimorph(
    lang: str,
    fetch: Callable[..., Path],
    *,
    strict: bool = False,
    include_args: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Paradigms:
    """The pinned UniMorph tables of `lang` (ISO 639-1/3 or BCP-47), fetched with `fetch` (e.g.
    `lrx.core.fetch.fetch`) and read into one Paradigms. `include_args`: read each UniMorph 4 `.args`
    re-tag in place of the file it re-tags (see the module docstring)."""
    repo = UNIMORPH_REPOS[resolve_language(lang)]
    schema = load_schema(fetch)
    paradigms = Paradigms(schema, lang=repo.iso)
    for file in repo.selected(include_args=include_args):
        url = repo.url(file)
        path = fetch(url, sha256=file.sha256, max_bytes=max_bytes)
        read_unimorph_file(path, schema, strict=strict, max_bytes=max_bytes, into=paradigms, name=url)
    paradigms.files = [f.name for f in repo.selected(include_args=include_args)]
    return paradigms


def load_paradigms(
    lang: str,
    fetch: Callable[..., Path],
    *,
    strict: bool = False,
    include_args: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    data: Path | None = None,
) -> Paradigms:
    """Every inflection table lrx has for `lang`: the pinned UniMorph tables (`load_unimorph`) merged with
    the contributed files `data/paradigms/<iso>.tsv` of that language (`lrx.morphology.contributed`), or the
    contributed files alone where UniMorph has no table. Raises UnknownUniMorphLanguageError when neither
    exists. `data`: another data directory (default `lrx.morphology.contributed.data_dir()`)."""
    contributed = paradigm_files(lang, data)
    try:
        paradigms = load_unimorph(lang, fetch, strict=strict, include_args=include_args, max_bytes=max_bytes)
    except UnknownUniMorphLanguageError:
        if not contributed:
            raise
        key = language_key(lang)
        paradigms = Paradigms(load_schema(fetch), lang=key[0] if key else lang)
    for path in contributed:
        read_paradigm_file(path, paradigms.schema, paradigms)
    return paradigms
