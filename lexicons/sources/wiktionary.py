"""Wiktionary translation tables, from the kaikki.org wiktextract JSONL extraction of the English Wiktionary.

Format implemented: wiktextract's JSON Lines output as distributed by kaikki.org (format description:
https://kaikki.org/dictionary/rawdata.html and https://github.com/tatuylonen/wiktextract#format-of-the-extracted-word-entries).
The default URL is the English-headword file
https://kaikki.org/dictionary/English/kaikki.org-dictionary-English.jsonl; the all-languages raw dump
https://kaikki.org/dictionary/raw-wiktextract-data.jsonl.gz (~20 GB uncompressed) reads the same way,
its non-English headwords being skipped. Either may be gzip-compressed (detected by its magic bytes).

One JSON object per line, one per word and part of speech. The fields read here:

- `word` (headword), `pos` (e.g. "noun"), `lang_code`/`lang` (the headword's language; only English
  headwords are read, since English Wiktionary's translation tables sit on English entries);
- `translations`: a list of objects with `word` (the translation), `code` (older extractions) or
  `lang_code` (newer ones) with the Wiktionary language code (ISO 639-1, ISO 639-3 or a Wiktionary-only
  code like `roa-opt`), `lang` (English language name), and optional `sense`, `roman`, `tags`, `note`,
  `alt`. Newer extractions may also put the list under each `senses[*].translations`; both are read.

Translations without a `word` (a `note` such as "please add this translation") are skipped silently. A
translation is in the requested language when its code denotes it (`lrx.core.languages.match_language`,
so `ee`/`ewe` and `sw`/`swh` agree); when the code is missing or not a valid language code, its `lang`
name is looked up instead ("Ewe" -> `ee`).

The file is streamed line by line. A line longer than `max_line_bytes` (default 10 MiB) is skipped
without being held in memory and reported like a malformed line (`FormatError`: raised in strict mode,
counted otherwise), as is a line that is not valid UTF-8 JSON or whose translations are not objects.
Lines that do not contain the text `"translations"` cannot contribute and are skipped without being
parsed (most of a 20 GB dump), so a malformed line among those is not noticed.

Each translation becomes one entry (line = the JSON line); the same translation listed twice for the
same sense of a headword counts once, while the same translation for different senses or parts of
speech counts once per sense, so a translation's summed weight grows with the senses it covers.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from typing import Any

import langcodes
from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import Pair
from lrx.lexicons.sources.base import register_source
from lrx.lexicons.sources.tabular import bounded_lines

from lrx.core.errors import FormatError
from lrx.core.languages import UnknownLanguageError
from lrx.core.languages import match_language
from lrx.core.languages import normalize_language

DEFAULT_TARGETS = ("ee", "ln", "sw", "yo", "ha", "wo", "lg")
# kaikki.org names each per-language file after the headwords' language: {src_name} is "English" here.
DEFAULT_URL_TEMPLATE = "https://kaikki.org/dictionary/{src_name}/kaikki.org-dictionary-{src_name}.jsonl"
# The English file is a few GB and grows with every Wiktionary dump; the raw dump is ~20 GB.
DEFAULT_MAX_BYTES = 32 << 30
# A guard against runaway lines (a corrupt or newline-less file), far above an entry with translation
# tables into hundreds of languages.
DEFAULT_MAX_LINE_BYTES = 10 << 20
_ENGLISH = "en"
_MARKER = b'"translations"'
_GZIP_MAGIC = b"\x1f\x8b"

Record = tuple[int, str, str, str | None]


@register_source("wiktionary")
class WiktionarySource(LexiconSource):
    """English Wiktionary translation tables (kaikki.org wiktextract JSONL): English -> any language."""

    # Wiktionary text is dual-licensed; reusers may follow either licence (kaikki.org redistributes
    # the extraction under the same terms).
    licence = "CC-BY-SA-4.0 OR GFDL-1.3-or-later"
    citation = (
        "Tatu Ylonen. 2022. Wiktextract: Wiktionary as Machine-Readable Structured Data. In Proceedings "
        "of the Thirteenth Language Resources and Evaluation Conference (LREC 2022), pages 1317-1325, "
        "Marseille, France. European Language Resources Association."
    )
    homepage = "https://kaikki.org/dictionary/English/"
    default_url_template = DEFAULT_URL_TEMPLATE

    def __init__(
        self,
        *,
        targets: Sequence[str] | None = DEFAULT_TARGETS,
        any_target: bool = True,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        max_bytes: int = DEFAULT_MAX_BYTES,
        **options: Any,
    ) -> None:
        """`targets`: Wiktionary codes that `pairs()`/`languages()` list (the file covers thousands of
        languages; listing them would mean reading it). `any_target`: also load languages not listed."""
        super().__init__(max_bytes=max_bytes, **options)
        self.targets = list(DEFAULT_TARGETS if targets is None else targets)
        self.any_target = any_target
        self.max_line_bytes = max_line_bytes

    # -- languages -------------------------------------------------------------------------------------------

    def pairs(self) -> list[Pair]:
        return [Pair(_ENGLISH, code) for code in self.targets]

    def url(self, pair: Pair) -> str:
        # {src_name}: the English name kaikki.org uses for the headwords' language ("English").
        return self.url_template.format(src=pair.src, tgt=pair.tgt, src_name=normalize_language(pair.src).name)

    def resolve_all(self, tgt: str, src: str = "eng") -> list[tuple[Pair, bool]]:
        """Like the base class, but (with `any_target`) a valid language outside `targets` paired with
        English resolves too: every language with translations is in the one file."""
        try:
            return super().resolve_all(tgt, src)
        except UnknownLanguageError:
            if not self.any_target:
                raise
            english_src, english_tgt = _is_english(src), _is_english(tgt)
            if english_src and not english_tgt:
                return [(Pair(_ENGLISH, normalize_language(tgt).tag), False)]
            if english_tgt and not english_src:
                return [(Pair(_ENGLISH, normalize_language(src).tag), True)]
            raise

    def parse(
        self, path: Path, url: str, pair: Pair | None = None, reverse: bool = False
    ) -> Iterator[Record | FormatError]:
        """`(line, english headword, translation, pos)` for each translation into `pair.tgt`, or a
        FormatError per malformed line. The pair is required: one file holds every language."""
        if pair is None:
            raise ValueError("the Wiktionary file holds every language: pass pair=Pair('en', target)")
        wanted = _language_matcher(pair.tgt)
        with _open_lines(path) as handle:
            for number, raw in bounded_lines(handle, self.max_line_bytes):
                if isinstance(raw, str):
                    yield FormatError(path, number, raw)
                elif _MARKER in raw:  # cheap test first: most lines have no translations at all
                    yield from _translations(path, number, raw, wanted)


def _translations(
    path: Path, number: int, raw: bytes, wanted: Callable[[Any, Any], bool]
) -> Iterator[Record | FormatError]:
    """The wanted translations of one JSON line (an English headword), or one FormatError."""
    try:
        entry = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError, and UnicodeDecodeError for bytes that are not UTF-8
        yield FormatError(path, number, f"invalid JSON: {exc}")
        return
    if not isinstance(entry, dict):
        yield FormatError(path, number, f"expected a JSON object, got {type(entry).__name__}")
        return
    word = entry.get("word")
    if not isinstance(word, str) or not word.strip() or not _english_entry(entry):
        return  # redirects, non-English headwords (in the raw dump) and the like carry no translations here
    pos = entry.get("pos") if isinstance(entry.get("pos"), str) else None
    lists = [entry.get("translations")]
    senses = entry.get("senses")
    if isinstance(senses, list):
        lists += [sense.get("translations") for sense in senses if isinstance(sense, dict)]
    seen: set[tuple[Any, str]] = set()
    found: list[Record] = []
    for translations in lists:
        if translations is None:
            continue
        if not isinstance(translations, list) or not all(isinstance(t, dict) for t in translations):
            yield FormatError(path, number, "translations must be a list of objects")
            return
        for t in translations:
            target = t.get("word")
            if not isinstance(target, str) or not target.strip():
                continue  # a note ("please add this translation"), not a translation
            if not wanted(t.get("lang_code") or t.get("code"), t.get("lang")):
                continue
            key = (t.get("sense"), target)
            if key not in seen:  # the same table reached twice (top level and a sense) counts once
                seen.add(key)
                found.append((number, word, target, pos))
    yield from found


def _english_entry(entry: dict[str, Any]) -> bool:
    code = entry.get("lang_code")
    if isinstance(code, str) and code:
        return code == _ENGLISH
    return entry.get("lang", "English") == "English"  # the English-only file may omit the language


def _is_english(code: str) -> bool:
    try:
        return normalize_language(code).tag == _ENGLISH
    except UnknownLanguageError:
        return False


def _language_matcher(own: str) -> Callable[[Any, Any], bool]:
    """A cached test of whether a translation's (code, language name) denotes the language `own`.
    There are a few thousand distinct codes in Wiktionary but millions of translations."""
    cache: dict[tuple[Any, Any], bool] = {}

    def decide(code: Any, name: Any) -> bool:
        if isinstance(code, str) and code.strip():
            try:
                return match_language(code, [own]) == own
            except UnknownLanguageError:
                pass  # a Wiktionary-only code (`roa-opt`, `sgn-...`): try the name
        if isinstance(name, str) and name.strip():
            try:
                return match_language(langcodes.find(name).to_tag(), [own]) == own
            except (LookupError, ValueError):  # UnknownLanguageError is a ValueError
                return False
        return False

    def wanted(code: Any, name: Any) -> bool:
        key = (code, name)
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = decide(code, name)
        return hit

    return wanted


@contextmanager
def _open_lines(path: Path) -> Iterator[IO[bytes]]:
    """The file as bytes, gunzipped on the fly when it starts with the gzip magic (not trusting names:
    a cache may store `x.jsonl.gz` under another name)."""
    with Path(path).open("rb") as probe:
        compressed = probe.read(2) == _GZIP_MAGIC
    if compressed:
        with gzip.open(path, "rb") as handle:
            yield handle
    else:
        with Path(path).open("rb", buffering=1 << 20) as handle:
            yield handle
