"""UniMorph feature bundles: parse, validate against the UniMorph schema, canonicalise.

A bundle is what the third column of a UniMorph file holds. Two schemes occur in real data:

* flat (UniMorph 1-3): `V;PST;3;SG`, `N;IN+ALL;PL` (`+` joins the parts of one composite value, e.g. the
  illative IN+ALL or the recent past PST+RCT), `N;NOM/ACC` (`/`: a syncretic "either" value);
* hierarchical (UniMorph 4 `.args` files, SIGMORPHON 2023): `V;PRS;NOM(1,SG);ACC(3,PL,BANTU8)`, where
  `HEAD(...)` groups the features of one argument (here: agreement with the nominative and accusative
  arguments). Inside a group SIGMORPHON 2023 separates with `,`, the `.args` files with `;`
  (`N;GEN(SG;DEF)`), and groups nest (`N;NOM(SG;PSS(2,PL))`).

Grammar (recursive descent, below)::

    bundle  := item (';' item)*
    item    := tag | tag '(' members ')'
    members := item ((',' | ';') item)*
    tag     := atom (('+' | '/') atom)*

Validation uses the UniMorph schema file `tags.yaml` of unimorph/um-canonicalize (dimension -> allowed
values, and the canonical order of dimensions), fetched through a fetch function the caller injects
(`morphology` imports nothing from `lexicons`). Per atom:

* known: listed in the schema (case-sensitive);
* aliased: a documented older spelling of a schema value, rewritten to the schema's spelling and counted
  (`ValidationReport.aliased`): `BANTU3`/`BANT3` -> `BANT03` (um-canonicalize CHANGES.md: noun classes
  are zero-padded), `ARGAC3S` -> `AC3S` (UniMorph 3 data writes argument-marking values with an `ARG`
  prefix that the yaml drops), and a wrongly-cased value whose upper case is in the schema;
* supplementary (EXTRA_TAGS, two values the um-canonicalize list lacks although real data needs them):
  `LOC` (Case; in the SIGMORPHON 2020 revision of the schema, used by ben, hsb, kaz, uzb and the 2023
  san and tur data) and `PSS` (Possession; the head of a UniMorph 4 possessor group `N;NOM(SG;PSS(2,PL))`
  in the 2023 amh, fin, hun, tur data and mlt.args: the flat list only has fused values like PSS1S);
* language-specific: `LGSPEC`, `LGSPEC<n>`, `LGSPEC_<name>` (the schema leaves LGSPEC open); kept as written;
* unknown: anything else (`PRES`, `SUBJ`, `INST`, `NDEF`, `V.PTCP.PRS`, `PRIM`, `PSSB3`, ...): an error in
  strict mode, otherwise counted, kept in the bundle (after the known tags) and reported.

Conflicts. The schema does not say which dimensions take several values, so this module decides from the
data in the mirror (every co-occurrence of two values of one dimension in the 21 UniMorph languages): a flat
scope (the top level, or one argument group) may hold at most one value of Case, Number, Mood, Polarity,
Finiteness, Interrogativity, Voice, Gender and Noun Class and Part of Speech, and at most one of the core
values of Person (0-4; INCL/EXCL/PROXI/OBVI refine them), Tense (PRS/PST/FUT; the distance values IMMED,
HOD, 1DAY, RCT, RMT refine them: zul `RCT;PST`), Aspect (IPFV/PFV; bre `IPFV;HAB`), Definiteness (DEF/INDF),
Comparison (CMPR/SPRL/EQT) and Animacy (ANIM/INAN). Part of Speech allows a `V.*` subtype beside `V`
(eng `V;V.PTCP;PST`, ben `V;V.MSDR`). Other dimensions (Valency `TR;CAUS;APPL`, Politeness, Possession,
Argument Marking, ...) take several values. Two values of one exclusive set are a conflict (an error in
strict mode, else counted; `SG;PL` is a conflict, `SG/PL` or `SG+PL` is one value). A tag repeated in one
scope (`IND;IND`) is only a warning and is kept once.

Canonical form, so that equal bundles compare equal: top level = part of speech first, then the other
dimensions in the schema's `ordering` (values of one dimension in the schema's listed order), unknown tags
(alphabetical), argument groups (by head), `LGSPEC*` last (numerically). Inside a group: Person, Number,
Gender and Noun Class first (the order SIGMORPHON 2023 writes: `NOM(3,PL,BANT04)`), then the other
dimensions, unknown tags, nested groups, `LGSPEC*`, joined by `,`. Composite values are sorted by the same
ranks (`MASC+FEM`, `IN+ALL`, `PST+RCT` keep their usual order; `DU/PL` becomes `PL/DU`).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import NamedTuple

import yaml

from lrx.core.errors import FormatError

__all__ = [
    "CONFLICT",
    "DUPLICATE_TAG",
    "EMPTY_TAG",
    "EXTRA_TAGS",
    "INVALID_KINDS",
    "LGSPEC_DIMENSION",
    "SCHEMA_SHA256",
    "SCHEMA_URL",
    "SYNTAX",
    "UNKNOWN_DIMENSION",
    "UNKNOWN_TAG",
    "Argument",
    "FeatureBundle",
    "FeatureError",
    "Problem",
    "Schema",
    "ValidationReport",
    "clear_schema_cache",
    "load_schema",
    "parse_features",
]

SCHEMA_COMMIT = "eaf98b70edbb8e038050176e6eb6c39d39551287"
SCHEMA_URL = f"https://raw.githubusercontent.com/unimorph/um-canonicalize/{SCHEMA_COMMIT}/um_canonicalize/tags.yaml"
SCHEMA_SHA256 = "a3ecc86a6bc5ad64e86358ac5a25229c715f0b058d88cc5de69dd46466be9dec"
SCHEMA_MAX_BYTES = 1 << 20  # the real file is 4 KiB; anything near 1 MiB is not a tag list

LGSPEC_DIMENSION = "Language-Specific"
UNKNOWN_DIMENSION = "Unknown"
POS_DIMENSION = "Part of Speech"

# Problem kinds. INVALID_KINDS are "invalid tags" in statistics; CONFLICT is counted apart (the tags are
# valid, their combination is not); DUPLICATE_TAG is only a warning, even in strict mode.
UNKNOWN_TAG = "unknown_tag"
EMPTY_TAG = "empty_tag"
SYNTAX = "syntax"
CONFLICT = "conflict"
DUPLICATE_TAG = "duplicate_tag"
INVALID_KINDS = frozenset({UNKNOWN_TAG, EMPTY_TAG, SYNTAX})
_FATAL_KINDS = INVALID_KINDS | {CONFLICT}

# Values added to the schema file's lists (see the module docstring for why each): tag -> dimension.
EXTRA_TAGS: dict[str, str] = {"LOC": "Case", "PSS": "Possession"}

# Exclusive value sets per dimension (None: every value of the dimension); see the module docstring.
_EXCLUSIVE: dict[str, frozenset[str] | None] = {
    "Case": None,
    "Number": None,
    "Mood": None,
    "Polarity": None,
    "Finiteness": None,
    "Interrogativity": None,
    "Voice": None,
    "Gender and Noun Class": None,
    "Person": frozenset({"0", "1", "2", "3", "4"}),
    "Tense": frozenset({"PRS", "PST", "FUT"}),
    "Aspect": frozenset({"IPFV", "PFV"}),
    "Definiteness": frozenset({"DEF", "INDF"}),
    "Comparison": frozenset({"CMPR", "SPRL", "EQT"}),
    "Animacy": frozenset({"ANIM", "INAN"}),
}
# Inside an argument group these dimensions come first, in this order (then the schema's order).
_GROUP_FIRST = ("Person", "Number", "Gender and Noun Class")

_LGSPEC = re.compile(r"LGSPEC(?:(\d+)|_\w+)?")
_BANTU = re.compile(r"BANT(?:U)?0*(\d+)")
_PARSE_CACHE_LIMIT = 200_000  # distinct feature strings remembered per schema (a few thousand per language)


# -- errors and reports --------------------------------------------------------------------------------------


class FeatureError(FormatError, ValueError):
    """A feature bundle that is malformed, or has an unknown or conflicting tag; names file, line and tag (a
    `lrx.core.errors.FormatError` whose `path` is None for a bundle that came from no file)."""

    def __init__(
        self, problem: str, *, tag: str | None = None, file: str | Path | None = None, line: int | None = None
    ) -> None:
        self.tag = tag
        super().__init__(file, line, problem)

    @property
    def file(self) -> str | None:
        """The file named, as `path` (the name this error had before it was a FormatError)."""
        return self.path


class Problem(NamedTuple):
    """One finding about one bundle: `kind` (UNKNOWN_TAG, CONFLICT, ...), the `tag` concerned, a message."""

    kind: str
    tag: str
    message: str


@dataclass
class ValidationReport:
    """Counts of problems over many bundles (one count per occurrence, i.e. per line)."""

    problems: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(kind, tag) -> occurrences."""
    aliased: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(as written, canonical spelling) -> occurrences."""
    bundles: int = 0
    """Bundles checked (occurrences)."""
    tags: int = 0
    """Tag positions checked (occurrences; heads of argument groups and their members included)."""

    def add(self, parsed: _Parsed) -> None:
        self.bundles += 1
        self.tags += parsed.n_tags
        for problem in parsed.problems:
            self.problems[problem.kind, problem.tag] += 1
        for pair in parsed.aliases:
            self.aliased[pair] += 1

    def merge(self, other: ValidationReport) -> None:
        self.problems.update(other.problems)
        self.aliased.update(other.aliased)
        self.bundles += other.bundles
        self.tags += other.tags

    def count(self, kind: str | None = None) -> int:
        """Occurrences of problems of `kind` (all kinds if None)."""
        return sum(n for (k, _), n in self.problems.items() if kind is None or k == kind)

    @property
    def invalid_tags(self) -> int:
        """Occurrences of unknown or empty tags and unparseable bundles."""
        return sum(n for (k, _), n in self.problems.items() if k in INVALID_KINDS)

    @property
    def invalid_rate(self) -> float:
        """Invalid tag occurrences per tag occurrence."""
        return self.invalid_tags / self.tags if self.tags else 0.0

    def invalid_tag_counts(self) -> Counter[str]:
        """Unknown/empty/unparseable tag -> occurrences."""
        counts: Counter[str] = Counter()
        for (kind, tag), n in self.problems.items():
            if kind in INVALID_KINDS:
                counts[tag] += n
        return counts

    def kinds(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for (kind, _), n in self.problems.items():
            counts[kind] += n
        return dict(sorted(counts.items()))


# -- the schema ----------------------------------------------------------------------------------------------


class _Atom(NamedTuple):
    text: str  # canonical spelling
    dimension: str  # a schema dimension, LGSPEC_DIMENSION or UNKNOWN_DIMENSION
    rank: int  # position of the value in its dimension's list (LGSPEC: its number)


class Schema:
    """The UniMorph schema: dimensions in canonical order, and the values of each.

    Immutable once built; parses are memoised per distinct feature string (thread-safe), since a UniMorph
    file repeats a few hundred bundles over 100,000 lines.
    """

    def __init__(
        self,
        categories: Mapping[str, Iterable[str]],
        ordering: Iterable[str] = (),
        extra: Mapping[str, str] = EXTRA_TAGS,
    ) -> None:
        order = [d for d in ordering if d in categories]
        order += [d for d in categories if d not in order]  # dimensions the ordering forgot: after the rest
        self.dimensions: tuple[str, ...] = tuple(order)
        values = {d: [str(v) for v in categories[d]] for d in order}
        for tag, dimension in extra.items():
            if dimension not in values:
                raise ValueError(f"extra tag {tag!r}: the schema has no dimension {dimension!r}")
            if tag not in values[dimension]:
                values[dimension].append(tag)  # after the listed values: they rank last in their dimension
        self.values: dict[str, tuple[str, ...]] = {d: tuple(v) for d, v in values.items()}
        self._dimension_rank = {d: i for i, d in enumerate(order)}
        self._atoms: dict[str, _Atom] = {}
        for dimension, listed in self.values.items():
            for rank, value in enumerate(listed):
                # first listing wins; the um-canonicalize file lists each value once
                self._atoms.setdefault(value, _Atom(value, dimension, rank))
        self._upper = {value.upper(): atom for value, atom in self._atoms.items()}
        self._cache: dict[str, _Parsed] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: str | Path, extra: Mapping[str, str] = EXTRA_TAGS) -> Schema:
        """Read a um-canonicalize style `tags.yaml` (`categories:` dimension -> values, `ordering:`)."""
        path = Path(path)
        # BaseLoader keeps every scalar a string: safe_load would read the Case value `ON` as True (YAML 1.1
        # booleans) and an unquoted Person value as an int. utf-8-sig: the real file starts with a BOM.
        try:
            data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=yaml.BaseLoader)
        except yaml.YAMLError as error:
            raise ValueError(f"{path}: not a YAML UniMorph schema: {error}".replace("\n", " ")) from None
        if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
            raise ValueError(f"{path}: no 'categories' mapping (dimension -> list of tags)")
        categories = data["categories"]
        for dimension, values in categories.items():
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ValueError(f"{path}: dimension {dimension!r} must list tags")
        ordering = data.get("ordering") or []
        if not isinstance(ordering, list):
            raise ValueError(f"{path}: 'ordering' must be a list of dimensions")
        return cls(categories, ordering, extra)

    def dimension(self, tag: str) -> str | None:
        """The schema dimension of a value as written (aliases resolved), or None if unknown."""
        atom, _ = self._resolve(tag)
        return None if atom.dimension in (UNKNOWN_DIMENSION, LGSPEC_DIMENSION) else atom.dimension

    def __contains__(self, tag: object) -> bool:
        return isinstance(tag, str) and tag in self._atoms

    def __len__(self) -> int:
        return len(self._atoms)

    def _resolve(self, written: str) -> tuple[_Atom, bool]:
        """(atom, aliased) for one atom as written."""
        atom = self._atoms.get(written)
        if atom is not None:
            return atom, False
        match = _LGSPEC.fullmatch(written)
        if match:
            return _Atom(written, LGSPEC_DIMENSION, int(match.group(1) or 0)), False
        match = _BANTU.fullmatch(written)
        if match:
            padded = self._atoms.get(f"BANT{int(match.group(1)):02d}")
            if padded is not None:
                return padded, True
        if written.startswith("ARG"):
            marked = self._atoms.get(written[3:])
            if marked is not None and marked.dimension == "Argument Marking":
                return marked, True
        upper = self._upper.get(written.upper())
        if upper is not None:
            return upper, True
        if written.upper() != written and _LGSPEC.fullmatch(written.upper()):
            return self._resolve(written.upper())[0], True
        return _Atom(written, UNKNOWN_DIMENSION, 0), False

    def _parse(self, text: str) -> _Parsed:
        parsed = self._cache.get(text)
        if parsed is None:
            parsed = _Parser(self).parse(text)
            with self._lock:
                if len(self._cache) >= _PARSE_CACHE_LIMIT:
                    self._cache.clear()
                self._cache[text] = parsed
        return parsed

    def check(self, text: str) -> tuple[FeatureBundle | None, tuple[Problem, ...]]:
        """Lenient parse with every finding: (canonical bundle or None when unparseable, problems). What a
        validator reports line by line; `parse_features` only counts or raises the first."""
        parsed = self._parse(text)
        return parsed.bundle, parsed.problems

    def parse(self, text: str) -> FeatureBundle:
        """Strict parse: the canonical bundle, or FeatureError on any invalid, unknown or conflicting tag."""
        bundle = parse_features(text, self, strict=True)
        assert bundle is not None  # strict mode raises instead of returning None
        return bundle


_SCHEMAS: dict[tuple[str, str], Schema] = {}
_SCHEMAS_LOCK = threading.Lock()


def load_schema(fetch: Callable[..., Path], *, url: str = SCHEMA_URL, sha256: str | None = SCHEMA_SHA256) -> Schema:
    """The UniMorph schema, fetched with `fetch(url, sha256=..., max_bytes=...)` (e.g.
    `lrx.core.fetch.fetch`) and parsed once per process (the pinned content cannot change)."""
    key = (url, sha256 or "")
    with _SCHEMAS_LOCK:
        schema = _SCHEMAS.get(key)
    if schema is None:
        path = fetch(url, sha256=sha256, max_bytes=SCHEMA_MAX_BYTES)
        schema = Schema.from_file(path)
        with _SCHEMAS_LOCK:
            schema = _SCHEMAS.setdefault(key, schema)
    return schema


def clear_schema_cache() -> None:
    """Forget the schemas `load_schema` has parsed (tests; a changed pin)."""
    with _SCHEMAS_LOCK:
        _SCHEMAS.clear()


# -- bundles -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Argument:
    """A hierarchical group `HEAD(member,...)`, e.g. `NOM(1,SG)`: features of one argument of the word."""

    head: str
    members: tuple[str | Argument, ...]

    def __str__(self) -> str:
        return f"{self.head}({','.join(str(m) for m in self.members)})"

    @property
    def tags(self) -> tuple[str, ...]:
        """The flat members (nested groups left out)."""
        return tuple(m for m in self.members if isinstance(m, str))


@dataclass(frozen=True, slots=True)
class FeatureBundle:
    """A canonical UniMorph feature bundle: frozen, hashable, equal iff the canonical strings are equal.

    Build one with `parse_features` or `Schema.parse`; `str(bundle)` is the canonical string, and parsing
    it again gives an equal bundle.
    """

    items: tuple[str | Argument, ...]
    """Top-level items in canonical order: flat tags, then argument groups, LGSPEC tags last."""
    _dimensions: tuple[str, ...] = field(default=(), compare=False, repr=False)
    """Dimension of each flat top-level tag, parallel to `tags` (derived from `items`, so not compared)."""

    def __str__(self) -> str:
        return ";".join(str(item) for item in self.items)

    def __repr__(self) -> str:
        return f"FeatureBundle({str(self)!r})"

    def __contains__(self, tag: object) -> bool:
        return tag in self.items

    @property
    def tags(self) -> tuple[str, ...]:
        """Flat top-level tags in canonical order (argument groups are in `arguments`)."""
        return tuple(item for item in self.items if isinstance(item, str))

    @property
    def arguments(self) -> tuple[Argument, ...]:
        return tuple(item for item in self.items if isinstance(item, Argument))

    @property
    def pos(self) -> str | None:
        """The part of speech (`V`, `N`, `V.PTCP` when written without `V`), or None."""
        for tag, dimension in zip(self.tags, self._dimensions, strict=False):
            if dimension == POS_DIMENSION:
                return tag
        return None

    def dimensions(self) -> dict[str, tuple[str, ...]]:
        """Dimension -> flat top-level tags, in canonical order; unknown tags under UNKNOWN_DIMENSION,
        LGSPEC tags under LGSPEC_DIMENSION. Argument groups are not dimensions of the word: see
        `arguments`."""
        out: dict[str, list[str]] = {}
        for tag, dimension in zip(self.tags, self._dimensions, strict=False):
            out.setdefault(dimension, []).append(tag)
        return {dimension: tuple(tags) for dimension, tags in out.items()}


class _Parsed(NamedTuple):
    bundle: FeatureBundle | None  # None: unparseable (syntax error or empty)
    problems: tuple[Problem, ...]
    aliases: tuple[tuple[str, str], ...]
    n_tags: int


def parse_features(
    text: str,
    schema: Schema,
    *,
    strict: bool = True,
    report: ValidationReport | None = None,
    file: str | Path | None = None,
    line: int | None = None,
) -> FeatureBundle | None:
    """Parse and canonicalise a feature string such as `V;PST;3;SG` or `V;PRS;NOM(1,SG)`.

    strict: raise FeatureError (naming `file`, `line` and the tag) on the first unknown, empty or
    conflicting tag or syntax error. Lenient: record problems in `report` and return the bundle (unknown
    tags kept, duplicates dropped), or None when the string cannot be parsed at all.
    """
    parsed = schema._parse(text)
    if strict:
        for problem in parsed.problems:
            if problem.kind in _FATAL_KINDS:
                raise FeatureError(problem.message, tag=problem.tag, file=file, line=line)
    if report is not None:
        report.add(parsed)
    return parsed.bundle


# -- the parser ----------------------------------------------------------------------------------------------


class _SyntaxProblem(Exception):
    pass


class _Entry(NamedTuple):
    """One item of a scope while canonicalising: sort key, the item, its dimension."""

    key: tuple[Any, ...]
    item: str | Argument
    dimension: str
    atoms: tuple[str, ...]  # canonical atoms of a flat tag (empty for groups)


class _Parser:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.problems: list[Problem] = []
        self.aliases: list[tuple[str, str]] = []
        self.n_tags = 0

    def parse(self, text: str) -> _Parsed:
        source = text.strip()
        try:
            if not source:
                raise _SyntaxProblem("empty feature bundle")
            _check_balanced(source)
            entries = self._scope(_split(source, ";"), group=False)
            items = tuple(e.item for e in entries)
            dims = tuple(e.dimension for e in entries if isinstance(e.item, str))
            if not items:
                raise _SyntaxProblem(f"no tags in feature bundle {text!r}")
            bundle: FeatureBundle | None = FeatureBundle(items, dims)
        except _SyntaxProblem as problem:
            # an unparseable bundle is one problem, not also the unknown tags found before the error
            self.problems = [Problem(SYNTAX, text, str(problem))]
            self.aliases = []
            bundle = None
        return _Parsed(bundle, tuple(self.problems), tuple(self.aliases), max(self.n_tags, 1))

    def _scope(self, pieces: list[str], *, group: bool) -> list[_Entry]:
        entries: list[_Entry] = []
        for raw in pieces:
            piece = raw.strip()
            self.n_tags += 1
            if not piece:
                self.problems.append(Problem(EMPTY_TAG, "", "empty tag (two separators in a row, or a trailing one)"))
                continue
            entries.append(self._group(piece) if "(" in piece else self._flat(piece, group=group))
        return self._canonical(entries, group=group)

    def _group(self, piece: str) -> _Entry:
        open_at = piece.find("(")
        head_text = piece[:open_at].strip()
        if not head_text or not piece.endswith(")"):
            raise _SyntaxProblem(f"malformed argument group {piece!r} (expected HEAD(FEATURE,...))")
        inner = piece[open_at + 1 : -1]
        _check_balanced(inner, piece)
        if not inner.strip():
            raise _SyntaxProblem(f"empty argument group {piece!r}")
        head = self._flat(head_text, group=False)
        members = tuple(e.item for e in self._scope(_split(inner, ";,"), group=True))
        argument = Argument(str(head.item), members)
        # groups sort after every flat tag, by their head's rank, then by content
        return _Entry((2, head.key, str(argument)), argument, head.dimension, ())

    def _flat(self, piece: str, *, group: bool) -> _Entry:
        operators = {c for c in piece if c in "+/"}
        parts = re.split(r"[+/]", piece) if operators else [piece]
        atoms: list[_Atom] = []
        for part in parts:
            written = part.strip()
            if not written:
                self.problems.append(Problem(EMPTY_TAG, piece, f"empty part in composite tag {piece!r}"))
                continue
            atom, aliased = self.schema._resolve(written)
            if aliased:
                self.aliases.append((written, atom.text))
            if atom.dimension == UNKNOWN_DIMENSION:
                self.problems.append(Problem(UNKNOWN_TAG, written, f"unknown UniMorph tag {written!r}"))
            atoms.append(atom)
        if not atoms:
            raise _SyntaxProblem(f"no tag in {piece!r}")
        if len(operators) == 1 and all(a.dimension != UNKNOWN_DIMENSION for a in atoms):
            # one operator, all known: `+` and `/` are commutative, so sort the parts canonically
            atoms.sort(key=lambda a: self._rank(a, group=group))
        text = next(iter(operators)).join(a.text for a in atoms) if len(operators) == 1 else _rejoin(piece, atoms)
        lead = atoms[0]
        return _Entry((*self._rank(lead, group=group), text), text, lead.dimension, tuple(a.text for a in atoms))

    def _rank(self, atom: _Atom, *, group: bool) -> tuple[Any, ...]:
        if atom.dimension == LGSPEC_DIMENSION:
            return (3, atom.rank, 0)
        if atom.dimension == UNKNOWN_DIMENSION:
            return (1, 0, 0)
        rank = self.schema._dimension_rank[atom.dimension]
        if group:
            first = _GROUP_FIRST.index(atom.dimension) if atom.dimension in _GROUP_FIRST else len(_GROUP_FIRST)
            return (0, (first, rank), atom.rank)
        return (0, (rank,), atom.rank)

    def _canonical(self, entries: list[_Entry], *, group: bool) -> list[_Entry]:
        unique: dict[str, _Entry] = {}
        for entry in entries:
            text = str(entry.item)
            if text in unique:
                self.problems.append(Problem(DUPLICATE_TAG, text, f"tag {text!r} given twice"))
            else:
                unique[text] = entry
        kept = sorted(unique.values(), key=lambda e: e.key)
        self._check_conflicts(kept)
        return kept

    def _check_conflicts(self, entries: list[_Entry]) -> None:
        by_set: dict[str, list[str]] = {}
        heads: dict[str, str] = {}
        for entry in entries:
            if isinstance(entry.item, Argument):
                # two groups for one argument role (NOM(1,SG);NOM(2,PL)) contradict each other
                head = entry.item.head
                if head in heads:
                    self._conflict(heads[head], str(entry.item))
                heads[head] = str(entry.item)
                continue
            dimension = entry.dimension
            if dimension == POS_DIMENSION:
                # `V` may carry one `V.*` subtype (V;V.PTCP); anything else is one part of speech
                key = f"{dimension}:sub" if entry.item.startswith("V.") else dimension
                by_set.setdefault(key, []).append(entry.item)
                continue
            if dimension not in _EXCLUSIVE:
                continue
            exclusive = _EXCLUSIVE[dimension]
            if exclusive is None or any(a in exclusive for a in entry.atoms):
                by_set.setdefault(dimension, []).append(entry.item)
        pos = by_set.get(POS_DIMENSION, [])
        if by_set.get(f"{POS_DIMENSION}:sub") and pos and pos != ["V"]:
            self._conflict(pos[0], by_set[f"{POS_DIMENSION}:sub"][0])
        for values in by_set.values():
            for other in values[1:]:
                self._conflict(values[0], other)

    def _conflict(self, first: str, second: str) -> None:
        self.problems.append(
            Problem(CONFLICT, f"{first};{second}", f"conflicting tags {first!r} and {second!r} (one dimension)")
        )


def _split(text: str, separators: str) -> list[str]:
    """Split at depth 0 on any of `separators` (parentheses nest)."""
    pieces: list[str] = []
    depth = 0
    start = 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char in separators:
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    return pieces


def _check_balanced(text: str, context: str | None = None) -> None:
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                break
    if depth != 0:
        raise _SyntaxProblem(f"unbalanced parentheses in {context or text!r}")


def _rejoin(piece: str, atoms: list[_Atom]) -> str:
    """A composite tag mixing `+` and `/` (precedence unclear): keep the written order and operators."""
    texts: Iterator[str] = iter(a.text for a in atoms)
    out = []
    for token in re.split(r"([+/])", piece):
        out.append(token if token in "+/" and token else next(texts, token.strip()))
    return "".join(out)
