"""PanLex: translations between any two language varieties, read from a PanLex database snapshot (CSV).

Format implemented: the "PanLex snapshot" CSV dump `panlex-YYYYMMDD-csv.zip`, as published at
https://db.panlex.org/panlex-{snapshot}-csv.zip and listed at https://panlex.org/snapshot/ (default: the
2019-09-01 snapshot; data model: https://dev.panlex.org/data-model/ and
https://dev.panlex.org/database-design/). The zip holds one directory `panlex-YYYYMMDD-csv/` with one
comma-separated, double-quote-quoted UTF-8 CSV per table, each with a header row. The columns this
loader reads (others are ignored, so newer snapshots that add columns still load):

- `langvar.csv`: `id`, `lang_code` (ISO 639-3), `var_code` (integer), optionally `uid`. A variety's uid is
  `<lang_code>-<var_code as 3 digits>`, e.g. `eng-000`; the 2019 dump stores the uid only as an expression
  (`uid_expr`), so it is derived from `lang_code` and `var_code` unless a `uid` column is present.
- `expr.csv`: `id`, `langvar`, `txt` (the expression; `txt_degr` is ignored).
- `denotation.csv`: `meaning`, `expr`. Two expressions translate each other when they denote the same
  meaning; a meaning belongs to one source (dictionary), so it is one attestation.
- `meaning.csv`: `id`, `source` (read only when weighting by sources).

The snapshot may be given as the zip (members are read in place with `zipfile`, never extracted; member
names that are absolute or contain `..` are ignored) or as a directory holding the CSVs (directly or in
one sub-directory). The JSON snapshot, PanLex Lite (SQLite) and per-language TSV derivatives are not read.

The real dump is ~1.3 GB zipped and ~5.4 GB of CSV, so nothing is loaded whole: every table is streamed
line by line with a bound on line length, and only the rows of the two requested varieties are kept.
The smaller, non-English side (the "anchor") is collected first, then the translations of its meanings:

1. `langvar.csv`: the ids of the two varieties.
2. `expr.csv`: the anchor variety's expressions.
3. `denotation.csv`: the meanings of those expressions.
4. `denotation.csv` again: the other expressions denoting those meanings.
5. `expr.csv` again: which of those belong to the other variety, and their text.
6. `meaning.csv` (only with `weight_by="sources"`): the source of each of those meanings.

Memory thus stays proportional to the anchor language's share of PanLex, not to English's (millions of
expressions and tens of millions of denotations), at the price of reading two tables twice.

A translation (after cleaning) gets one `Entry` whose weight is the source weight times the number of
distinct meanings (default) or distinct sources attesting it. Its provenance line is the line in
`denotation.csv` of the first anchor-side denotation attesting it. PanLex word classes live in a separate
table of class expressions and are not read, so `pos` is None.
"""

from __future__ import annotations

import csv
import io
import operator
import re
import zipfile
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import ExitStack
from contextlib import contextmanager
from pathlib import Path
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import IO
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from lrx.lexicons.cleaning import clean_pair
from lrx.lexicons.lexicon import Entry
from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import Pair
from lrx.lexicons.sources.base import register_source
from lrx.lexicons.sources.tabular import bounded_lines

from lrx.core.errors import FormatError
from lrx.core.fetch import fetch
from lrx.core.languages import UnknownLanguageError
from lrx.core.languages import normalize_language

DEFAULT_TARGETS = ("ewe", "lin", "swh", "yor", "hau", "wol", "lug")
NO_VARIETIES: Mapping[str, str] = MappingProxyType({})  # every language: its `<code>-000` variety
# Snapshots were published as https://db.panlex.org/panlex-YYYYMMDD-csv.zip; 20190901 is the latest one
# with a public archived copy and a recorded checksum.
DEFAULT_SNAPSHOT = "20190901"
DEFAULT_URL_TEMPLATE = "https://db.panlex.org/panlex-{snapshot}-csv.zip"
# The zipped 2019 snapshot is 1.27 GB, above the fetcher's 1 GiB default.
DEFAULT_MAX_BYTES = 2 << 30
# PanLex rows are short (ids and one expression); a longer line is corrupt, not data. Kept below the csv
# module's default field limit (131072 characters) so that limit can never be the one that trips.
DEFAULT_MAX_LINE_BYTES = 64 << 10
WEIGHT_BY = ("meanings", "sources")

_UID = re.compile(r"[a-z]{3}-\d{3}")
_ENGLISH = "eng"


@register_source("panlex")
class PanLexSource(LexiconSource):
    """PanLex snapshot: eng-000 (or any variety) to any variety, joined through shared meanings."""

    licence = "CC0-1.0"
    citation = (
        "David Kamholz, Jonathan Pool and Susan M. Colowick. 2014. PanLex: Building a Resource for "
        "Panlingual Lexical Translation. In Proceedings of the Ninth International Conference on Language "
        "Resources and Evaluation (LREC'14), pages 3145-3150, Reykjavik, Iceland. ELRA."
    )
    homepage = "https://panlex.org/"
    default_url_template = DEFAULT_URL_TEMPLATE

    def __init__(
        self,
        *,
        snapshot: str = DEFAULT_SNAPSHOT,
        targets: Sequence[str] | None = DEFAULT_TARGETS,
        any_target: bool = True,
        varieties: Mapping[str, str] | None = NO_VARIETIES,
        weight_by: str = "meanings",
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        **options: Any,
    ) -> None:
        """`snapshot`: the dump's date (`{snapshot}` in the URL template). `targets`: ISO 639-3 codes that
        `pairs()`/`languages()` list (PanLex covers thousands; a dump cannot be listed without reading it).
        `any_target`: also load languages outside `targets`. `varieties`: ISO 639-3 code -> PanLex uid
        for languages whose wanted variety is not `<code>-000`. `weight_by`: count distinct "meanings" or
        distinct "sources" attesting a translation."""
        super().__init__(max_bytes=max_bytes, **options)
        if weight_by not in WEIGHT_BY:
            raise ValueError(f"weight_by must be one of {', '.join(WEIGHT_BY)}, not {weight_by!r}")
        self.snapshot = snapshot
        self.targets = list(DEFAULT_TARGETS if targets is None else targets)
        self.any_target = any_target
        self.varieties = dict(varieties or {})
        for code, uid in self.varieties.items():
            if not _UID.fullmatch(uid):
                raise ValueError(f"PanLex variety for {code!r} must look like 'xxx-000', not {uid!r}")
        self.weight_by = weight_by
        self.max_line_bytes = max_line_bytes

    # -- languages -------------------------------------------------------------------------------------------

    def pairs(self) -> list[Pair]:
        return [Pair(_ENGLISH, code) for code in self.targets]

    def url(self, pair: Pair) -> str:
        # One snapshot holds every pair: the template names the snapshot (its date); {src}/{tgt} may
        # still appear, for a mirror that splits the dump per pair.
        return self.url_template.format(src=pair.src, tgt=pair.tgt, snapshot=self.snapshot)

    def resolve_all(self, tgt: str, src: str = _ENGLISH) -> list[tuple[Pair, bool]]:
        """Like the base class, but (with `any_target`) any valid language outside `targets` resolves to
        its ISO 639-3 code: the snapshot covers far more languages than a configured list."""
        try:
            return super().resolve_all(tgt, src)
        except UnknownLanguageError:
            if not self.any_target:
                raise
            return [(Pair(normalize_language(src).iso3, normalize_language(tgt).iso3), False)]

    def variety(self, code: str) -> str:
        """The PanLex uid for one of this source's own (ISO 639-3) codes, or a uid given as is."""
        if _UID.fullmatch(code):
            return code
        return self.varieties.get(code, f"{code}-000")

    # -- loading ---------------------------------------------------------------------------------------------

    def load(self, tgt: str, src: str = _ENGLISH) -> Lexicon:
        """Join `src` and `tgt` through shared meanings. Either may be a language code or a PanLex uid
        (`ewe-001`) naming a variety other than the language's default one."""
        # A uid's language part picks the pair (and checks the language); the uid then picks the variety.
        pair, swap = self.resolve(_language_part(tgt), _language_part(src))
        own_src, own_tgt = (pair.tgt, pair.src) if swap else (pair.src, pair.tgt)
        src_uid = src if _UID.fullmatch(src) else self.variety(own_src)
        tgt_uid = tgt if _UID.fullmatch(tgt) else self.variety(own_tgt)
        url = self.url(pair)
        lexicon = Lexicon(
            normalize_language(_language_part(src)).tag, normalize_language(_language_part(tgt)).tag, name=self.name
        )
        with _open_snapshot(url, self) as dump:
            lexicon.entries = self._weighted_entries(dump, url, src_uid, tgt_uid, lexicon)
        return lexicon

    def parse(
        self, path: Path, url: str, pair: Pair | None = None, reverse: bool = False
    ) -> Iterator[tuple[int, str, str, str | None] | FormatError]:
        """Raw `(line, src, tgt, None)` attestations (one per meaning) for `pair` (own codes or uids) in
        the snapshot at `path`. Unlike single-pair sources the pair is required: a dump holds them all."""
        if pair is None:
            raise ValueError("a PanLex snapshot holds every language pair: pass pair=Pair(src, tgt)")
        with _Snapshot(path) as dump:
            for record in self._attestations(dump, self.variety(pair.src), self.variety(pair.tgt)):
                yield record if isinstance(record, FormatError) else (*record[:3], None)

    def _weighted_entries(self, dump: _Snapshot, url: str, src_uid: str, tgt_uid: str, lexicon: Lexicon) -> list[Entry]:
        """The base class's record handling (strict: raise; else count and skip; `clean_pair`), except
        that attestations of one cleaned pair become one entry weighted by how many distinct meanings
        or sources attest it, instead of one entry per record."""
        found: dict[tuple[str, str], tuple[int, set[str]]] = {}
        for record in self._attestations(dump, src_uid, tgt_uid):
            if isinstance(record, FormatError):
                if self.strict:
                    raise record
                lexicon.skipped_lines += 1
                continue
            line, src, tgt, key = record
            for pair in clean_pair(src, tgt, self.cleaning):
                found.setdefault(pair, (line, set()))[1].add(key)
        return [
            Entry(src, tgt, None, self.weight * len(keys), self.name, url, line)
            for (src, tgt), (line, keys) in found.items()
        ]

    def _attestations(
        self, dump: _Snapshot, src_uid: str, tgt_uid: str
    ) -> Iterator[tuple[int, str, str, str] | FormatError]:
        """(denotation line, src text, tgt text, meaning or source key) per meaning shared by expressions
        of the two varieties, or a FormatError per malformed row. A table read twice reports its
        malformed rows on the first read only."""
        # Anchor on the non-English side: it is the small one in the intended use (eng -> low-resource).
        anchor_is_src = tgt_uid.startswith(_ENGLISH + "-") and not src_uid.startswith(_ENGLISH + "-")
        anchor_uid, other_uid = (src_uid, tgt_uid) if anchor_is_src else (tgt_uid, src_uid)
        limit = self.max_line_bytes

        # 1. the two varieties' langvar ids
        ids: dict[str, str] = {}
        yield from self._variety_ids(dump, (anchor_uid, other_uid), ids)
        anchor_lv, other_lv = ids[anchor_uid], ids[other_uid]

        # 2. the anchor variety's expressions
        anchor_expr: dict[str, str] = {}
        for record in dump.rows("expr", ("id", "langvar", "txt"), limit):
            if isinstance(record, FormatError):
                yield record
                continue
            line, (expr, langvar, txt) = record
            if langvar == anchor_lv:
                if expr.isdigit():
                    anchor_expr[expr] = txt
                else:
                    yield FormatError(dump.name("expr"), line, f"expression id {expr!r} is not an integer")

        # 3. the meanings they denote, with the denotation line for provenance
        by_meaning: dict[str, list[tuple[str, int]]] = {}
        for record in dump.rows("denotation", ("meaning", "expr"), limit):
            if isinstance(record, FormatError):
                yield record
                continue
            line, (meaning, expr) = record
            if expr in anchor_expr:
                if meaning.isdigit():
                    by_meaning.setdefault(meaning, []).append((expr, line))
                else:
                    yield FormatError(dump.name("denotation"), line, f"meaning id {meaning!r} is not an integer")

        # 4. every other expression denoting one of those meanings (of any variety: filtered in pass 5)
        others: dict[str, list[str]] = {}
        for record in dump.rows("denotation", ("meaning", "expr"), limit):
            if not isinstance(record, FormatError):  # errors were reported in pass 3
                _, (meaning, expr) = record
                if meaning in by_meaning and expr not in anchor_expr:
                    others.setdefault(meaning, []).append(expr)
        wanted = {expr for exprs in others.values() for expr in exprs}

        # 5. those of the other variety, with their text
        other_expr: dict[str, str] = {}
        for record in dump.rows("expr", ("id", "langvar", "txt"), limit):
            if not isinstance(record, FormatError):  # errors were reported in pass 2
                _, (expr, langvar, txt) = record
                if langvar == other_lv and expr in wanted:
                    other_expr[expr] = txt
        del wanted

        # 6. the source of each meaning, when sources rather than meanings are counted
        source_of: dict[str, str] = {}
        if self.weight_by == "sources":
            for record in dump.rows("meaning", ("id", "source"), limit):
                if isinstance(record, FormatError):
                    yield record
                    continue
                _, (meaning, source) = record
                if meaning in by_meaning:
                    source_of[meaning] = source

        for meaning, anchors in by_meaning.items():
            if self.weight_by == "sources":
                # A meaning missing from meaning.csv still attests once, as a source of its own.
                key = f"source:{source_of[meaning]}" if meaning in source_of else f"meaning:{meaning}"
            else:
                key = meaning
            texts = dict.fromkeys(other_expr[e] for e in others.get(meaning, ()) if e in other_expr)
            seen: set[tuple[str, str]] = set()  # a meaning listing an expression twice attests once
            for expr, line in anchors:
                for other_txt in texts:
                    pair = (anchor_expr[expr], other_txt) if anchor_is_src else (other_txt, anchor_expr[expr])
                    if pair not in seen:
                        seen.add(pair)
                        yield line, pair[0], pair[1], key

    def _variety_ids(self, dump: _Snapshot, uids: Sequence[str], ids: dict[str, str]) -> Iterator[FormatError]:
        """Pass 1: fill `ids` (uid -> langvar id) for `uids`, yielding malformed rows. A uid the snapshot
        lacks raises, naming the varieties it does have for that language."""
        known: dict[str, list[str]] = {uid[:3]: [] for uid in uids}
        for record in dump.rows("langvar", ("id", "lang_code", "var_code"), self.max_line_bytes, ("uid",)):
            if isinstance(record, FormatError):
                yield record
                continue
            line, (lv, lang, var, uid) = record
            if not _UID.fullmatch(uid):
                try:
                    uid = f"{lang}-{int(var):03d}"
                except ValueError:
                    yield FormatError(dump.name("langvar"), line, f"var_code {var!r} is not an integer")
                    continue
            if uid[:3] in known:
                known[uid[:3]].append(uid)
            if uid in uids:
                ids[uid] = lv
        for uid in uids:
            if uid not in ids:
                have = sorted(known[uid[:3]])
                hint = f"; its varieties there: {', '.join(have)}" if have else ""
                raise UnknownLanguageError(f"PanLex snapshot has no language variety {uid!r} (langvar.csv){hint}")


def _language_part(code: str) -> str:
    """`ewe-001` -> `ewe`; any other code unchanged."""
    return code[:3] if _UID.fullmatch(code) else code


# -- reading a snapshot ----------------------------------------------------------------------------------------


@contextmanager
def _open_snapshot(url: str, source: PanLexSource) -> Iterator[_Snapshot]:
    """The snapshot at `url`: a local directory as is (fetching is for files), anything else fetched."""
    directory = _local_directory(url)
    path = directory or fetch(url, sha256=source.checksums.get(url), max_bytes=source.max_bytes)
    with _Snapshot(path) as dump:
        yield dump


def _local_directory(url: str) -> Path | None:
    if not url.startswith("file://"):
        return None
    path = Path(url2pathname(urlsplit(url).path))
    return path if path.is_dir() else None


def safe_member_name(name: str) -> bool:
    """Whether a zip member name stays inside the archive's root: relative, no `..`, no drive or backslash.
    Such names are never extracted here, but an unsafe one is also never trusted as a table."""
    if not name or name.startswith("/") or "\\" in name or ":" in name:
        return False
    return ".." not in PurePosixPath(name).parts


class _Snapshot:
    """The CSV tables of a snapshot directory or zip, opened as byte streams without extracting."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._stack = ExitStack()
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}

    def __enter__(self) -> _Snapshot:
        if self.path.is_dir():
            return self
        try:
            self._zip = self._stack.enter_context(zipfile.ZipFile(self.path))
        except (zipfile.BadZipFile, OSError) as exc:
            raise FormatError(self.path, 0, f"not a PanLex snapshot zip or directory: {exc}") from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def name(self, table: str) -> str:
        """How errors name a table: its file, or `<zip>/<member>`."""
        if self._zip is None:
            return str(self._file(table))
        return f"{self.path}/{self._member(table)}"

    def _file(self, table: str) -> Path:
        wanted = f"{table}.csv"
        for candidate in [self.path / wanted, *sorted(self.path.glob(f"*/{wanted}"))]:
            if candidate.is_file():
                return candidate
        raise FormatError(self.path / wanted, 0, f"PanLex table {wanted} not found in {self.path}")

    def _member(self, table: str) -> str:
        if table in self._members:
            return self._members[table]
        assert self._zip is not None
        wanted = f"{table}.csv"
        names = [info.filename for info in self._zip.infolist() if not info.is_dir()]
        matches = [n for n in names if PurePosixPath(n).name == wanted]
        safe = [n for n in matches if safe_member_name(n)]
        if not safe:
            unsafe = f" (ignored unsafe member names: {', '.join(matches)})" if matches else ""
            raise FormatError(f"{self.path}/{wanted}", 0, f"PanLex table {wanted} not found in the zip{unsafe}")
        # The snapshot layout is `panlex-YYYYMMDD-csv/<table>.csv`: prefer the shallowest; two at the
        # same depth would make the choice arbitrary.
        depth = min(n.count("/") for n in safe)
        shallowest = [n for n in safe if n.count("/") == depth]
        if len(shallowest) > 1:
            raise FormatError(f"{self.path}/{wanted}", 0, f"ambiguous table: {', '.join(shallowest)}")
        self._members[table] = shallowest[0]
        return shallowest[0]

    @contextmanager
    def _open(self, table: str) -> Iterator[IO[bytes]]:
        if self._zip is None:
            with self._file(table).open("rb", buffering=1 << 20) as handle:
                yield handle
        else:
            # BufferedReader gives C-speed readline over the decompressing member stream.
            with self._zip.open(self._member(table)) as member, io.BufferedReader(member, 1 << 20) as handle:
                yield handle

    def rows(
        self, table: str, columns: Sequence[str], max_line_bytes: int, optional: Sequence[str] = ()
    ) -> Iterator[tuple[int, tuple[str, ...]] | FormatError]:
        """(line, values of `columns` then `optional`) per data row, or a FormatError for a row that is
        too long, not UTF-8, not CSV or too short. An optional column absent from the header reads as ''.
        A missing table or required column raises: then the whole table is unusable, not one row."""
        name = self.name(table)
        with self._open(table) as handle:
            bad: dict[int, str] = {}
            # strict: an unclosed quote or text after a closing quote is an error, not a silently
            # merged or truncated row (the snapshot is well-formed CSV exported from PostgreSQL).
            reader = csv.reader(_bounded_lines(handle, max_line_bytes, bad), strict=True)
            header = next(reader, None)
            if header is None or 1 in bad:
                raise FormatError(name, 1, bad.get(1, "empty table, expected a header row"))
            header = [h.strip().lstrip("\ufeff") for h in header]
            missing = [c for c in columns if c not in header]
            if missing:
                raise FormatError(name, 1, f"missing column(s) {', '.join(missing)}; header: {','.join(header)}")
            needed = max(header.index(c) for c in columns) + 1
            # Hot loop over tens of millions of rows: a C itemgetter, plus '' for absent optional columns.
            pick = operator.itemgetter(*(header.index(c) for c in columns))
            extra = [header.index(c) if c in header else None for c in optional]
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    yield FormatError(name, reader.line_num, f"malformed CSV: {exc}")
                    continue
                line = reader.line_num
                if line in bad:
                    yield FormatError(name, line, bad.pop(line))
                elif not row:
                    continue
                elif len(row) < needed:
                    yield FormatError(name, line, f"expected {len(header)} fields, got {len(row)}")
                else:
                    values = pick(row)
                    if len(columns) == 1:
                        values = (values,)
                    if extra:
                        values += tuple(row[i] if i is not None and i < len(row) else "" for i in extra)
                    yield line, values


def _bounded_lines(handle: IO[bytes], limit: int, bad: dict[int, str]) -> Iterator[str]:
    """Decoded lines of `handle` for the csv reader, at most `limit` bytes of any one line in memory. A longer
    or undecodable line is replaced by an empty one (which csv reads as no row) and its 1-based number
    recorded in `bad` with the reason, so the caller can report it where csv reports line numbers."""
    for number, raw in bounded_lines(handle, limit):
        if isinstance(raw, str):
            bad[number] = raw
            yield "\n"
            continue
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad[number] = f"invalid UTF-8 at byte {exc.start}: {exc.reason}"
            yield "\n"
