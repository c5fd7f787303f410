"""kaikki.org wiktextract JSONL loader, on small files written here (plain and gzip)."""

from __future__ import annotations

import gzip
import json
import unicodedata
from pathlib import Path

import pytest
from lrx.lexicons.sources.base import Pair
from lrx.lexicons.sources.base import load_source
from lrx.lexicons.sources.base import source_class
from lrx.lexicons.sources.wiktionary import WiktionarySource

from lrx.core.errors import FormatError
from lrx.core.languages import UnknownLanguageError

AFE_NFC = "afé"
AFE_NFD = unicodedata.normalize("NFD", AFE_NFC)

ENTRIES: list[dict | str] = [
    # 1: older layout: `code`, translations at the top level, one per sense
    {
        "word": "water",
        "pos": "noun",
        "lang": "English",
        "lang_code": "en",
        "senses": [{"glosses": ["clear liquid"]}],
        "translations": [
            {"lang": "Ewe", "code": "ee", "word": "tsi", "sense": "clear liquid"},
            {"lang": "Ewe", "code": "ee", "word": "tsi", "sense": "clear liquid"},  # listed twice: counts once
            {"lang": "Ewe", "code": "ee", "word": "tsi", "sense": "body of water", "tags": ["noun"]},
            {"lang": "Ewe", "code": "ee", "note": "please add this translation if you can"},  # no word
            {"lang": "Swahili", "code": "sw", "word": "maji", "roman": "maji"},
            {"lang": "Yoruba", "code": "yo", "word": "omi"},
        ],
    },
    # 2: newer layout: `lang_code`, translations nested in senses; decomposed Unicode
    {
        "word": "house",
        "pos": "noun",
        "lang": "English",
        "lang_code": "en",
        "senses": [
            {"glosses": ["building"], "translations": [{"lang": "Ewe", "lang_code": "ee", "word": AFE_NFD}]},
            {"glosses": ["family"]},
        ],
    },
    # 3: truncated line
    '{"word": "broken", "pos": "noun", "lang_code": "en", "translations": [{"lang": "Ewe", "code": "ee", "wo',
    # 4: a non-English headword (the raw dump has them): its translations are not English -> X
    {
        "word": "tsi",
        "pos": "noun",
        "lang": "Ewe",
        "lang_code": "ee",
        "translations": [{"lang": "English", "code": "en", "word": "water"}],
    },
    # 5: no code, only the language name; a translator's note in the word
    {"word": "drink", "pos": "verb", "lang_code": "en", "translations": [{"lang": "Ewe", "word": "no (verb)"}]},
    # 6: an ISO 639-3 code where Wiktionary usually has the two-letter one; a Wiktionary-only code
    {
        "word": "eat",
        "pos": "verb",
        "lang_code": "en",
        "translations": [
            {"lang": "Ewe", "code": "ewe", "word": "ɖu"},
            {"lang": "Old Portuguese", "code": "roa-opt", "word": "comer"},
        ],
    },
    # 7: no translations at all (never parsed)
    {"word": "the", "pos": "article", "lang_code": "en", "senses": [{"glosses": ["definite article"]}]},
    # 8: translations that are not a list of objects
    {"word": "bad", "pos": "adj", "lang_code": "en", "translations": "tsi"},
    # 9: a redirect record
    {"title": "colour", "redirect": "color"},
    # 10: "water" again as a verb: the same translation for another part of speech
    {
        "word": "water",
        "pos": "verb",
        "lang_code": "en",
        "translations": [{"lang": "Ewe", "code": "ee", "word": "de tsi", "sense": "to pour water on"}],
    },
    # 11: valid JSON that is not an object
    '["translations"]',
]
MALFORMED_LINES = (3, 8, 11)


def jsonl(entries: list[dict | str]) -> bytes:
    lines = [e if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in entries]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def source(path: Path, **options) -> WiktionarySource:
    return WiktionarySource(url_template=path.as_uri(), **options)


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LRX_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    return write(tmp_path / "kaikki.org-dictionary-English.jsonl", jsonl(ENTRIES))


def pairs(lexicon) -> list[tuple[str, str, str | None, int]]:
    return sorted((e.src, e.tgt, e.pos, e.line) for e in lexicon)


def test_loads_translations_into_the_target_language(dump: Path):
    lexicon = source(dump).load("ee")
    assert (lexicon.src_lang, lexicon.tgt_lang, lexicon.name) == ("en", "ee", "wiktionary")
    assert pairs(lexicon) == [
        ("drink", "no", "verb", 5),  # matched by the name "Ewe"; "(verb)" stripped
        ("eat", "ɖu", "verb", 6),  # code "ewe"
        ("house", AFE_NFC, "noun", 2),  # nested in senses; NFC
        ("water", "de tsi", "verb", 10),
        ("water", "tsi", "noun", 1),  # two senses (the duplicate counts once)
        ("water", "tsi", "noun", 1),
    ]
    [tsi, de_tsi] = lexicon.lookup("water")
    assert (tsi.tgt, tsi.weight, tsi.count, tsi.pos) == ("tsi", 2.0, 2, ("noun",))
    assert (de_tsi.tgt, de_tsi.pos) == ("de tsi", ("verb",))
    assert lexicon.skipped_lines == len(MALFORMED_LINES)
    entry = lexicon.entries[0]
    assert (entry.source, entry.url) == ("wiktionary", dump.as_uri())


def test_language_code_variants_and_macrolanguages(dump: Path):
    wiktionary = source(dump)
    assert pairs(wiktionary.load("ee")) == pairs(wiktionary.load("ewe"))
    assert [(e.src, e.tgt) for e in wiktionary.load("swh")] == [("water", "maji")]  # `sw` in the file
    assert [(e.src, e.tgt) for e in wiktionary.load("yor")] == [("water", "omi")]
    assert wiktionary.load("fi").entries == []


def test_gzip_is_read_transparently_whatever_the_name(tmp_path: Path, dump: Path):
    expected = pairs(source(dump).load("ee"))
    gz = write(tmp_path / "kaikki.jsonl.gz", jsonl(ENTRIES))
    assert gz.read_bytes()[:2] == b"\x1f\x8b"
    assert pairs(source(gz).load("ee")) == expected
    renamed = tmp_path / "cached-blob"
    renamed.write_bytes(gz.read_bytes())
    lexicon = source(renamed).load("ee")
    assert pairs(lexicon) == expected and lexicon.skipped_lines == len(MALFORMED_LINES)


def test_strict_mode_names_file_and_line(tmp_path: Path, dump: Path):
    with pytest.raises(FormatError, match="invalid JSON") as error:
        source(dump, strict=True).load("ee")
    assert (error.value.path, error.value.line) == (str(dump), 3)
    gz = write(tmp_path / "dump.jsonl.gz", jsonl(ENTRIES))
    with pytest.raises(FormatError) as error:
        source(gz, strict=True).load("ee")
    assert (error.value.path, error.value.line) == (str(gz), 3)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (ENTRIES[7], "translations must be a list of objects"),
        (ENTRIES[10], "expected a JSON object, got list"),
        (b'{"word": "x", "translations": [], "lang_code": "\xff"}', "invalid JSON"),  # not UTF-8
    ],
)
def test_other_malformed_lines(tmp_path: Path, line: dict | str | bytes, problem: str):
    data = jsonl([ENTRIES[0]]) + (line if isinstance(line, bytes) else jsonl([line]))
    path = write(tmp_path / "one.jsonl", data)
    assert source(path).load("ee").skipped_lines == 1
    with pytest.raises(FormatError) as error:
        source(path, strict=True).load("ee")
    assert error.value.line == 2 and problem in error.value.problem


def test_overlong_lines_are_skipped_and_counted(tmp_path: Path):
    long_entry = {
        "word": "long",
        "pos": "noun",
        "lang_code": "en",
        "translations": [{"code": "ee", "word": "x" * 5000}],
    }
    path = write(tmp_path / "long.jsonl", jsonl([long_entry, ENTRIES[1]]))
    lexicon = source(path, max_line_bytes=1000).load("ee")
    assert lexicon.skipped_lines == 1
    assert [(e.src, e.tgt, e.line) for e in lexicon] == [("house", AFE_NFC, 2)]  # the next line still reads
    with pytest.raises(FormatError, match="longer than 1000 bytes") as error:
        source(path, max_line_bytes=1000, strict=True).load("ee")
    assert error.value.line == 1
    assert len(source(path).load("ee")) == 2  # under the default 10 MiB bound


def test_reverse_direction(dump: Path):
    lexicon = source(dump).load("eng", src="ee")
    assert (lexicon.src_lang, lexicon.tgt_lang) == ("ee", "en")
    assert {t.tgt: t.weight for t in lexicon.lookup("tsi")} == {"water": 2.0}


def test_targets_and_any_target(dump: Path):
    wiktionary = source(dump, targets=["ee", "sw"], any_target=False)
    assert wiktionary.languages() == ["ee", "sw"]
    assert wiktionary.resolve("ewe") == (Pair("en", "ee"), False)
    assert wiktionary.resolve("swh") == (Pair("en", "sw"), False)
    with pytest.raises(UnknownLanguageError, match="not covered"):
        wiktionary.load("yo")
    assert source(dump).resolve("kin") == (Pair("en", "rw"), False)
    assert source(dump).resolve("eng", src="kin") == (Pair("en", "rw"), True)
    with pytest.raises(UnknownLanguageError):
        source(dump).resolve("fr", src="de")  # only English headwords carry translation tables


def test_parse_needs_the_pair(dump: Path):
    wiktionary = source(dump)
    with pytest.raises(ValueError, match="pass pair"):
        list(wiktionary.parse(dump, dump.as_uri()))
    records = list(wiktionary.parse(dump, dump.as_uri(), Pair("en", "sw")))
    assert [r for r in records if not isinstance(r, FormatError)] == [(1, "water", "maji", "noun")]
    assert [r.line for r in records if isinstance(r, FormatError)] == list(MALFORMED_LINES)


def test_hydra_config_loads_with_overrides(dump: Path):
    assert source_class("wiktionary") is WiktionarySource
    default = load_source("wiktionary")
    assert default.url(Pair("en", "ee")) == "https://kaikki.org/dictionary/English/kaikki.org-dictionary-English.jsonl"
    assert "CC-BY-SA-4.0" in default.licence and "GFDL" in default.licence and "Ylonen" in default.citation
    assert default.languages() == ["ee", "ln", "sw", "yo", "ha", "wo", "lg"]
    wiktionary = load_source("wiktionary", url_template=dump.as_uri(), weight=0.5, cleaning={"strip_notes": False})
    lexicon = wiktionary.load("ewe")
    assert {t.tgt: t.weight for t in lexicon.lookup("water")} == {"tsi": 1.0, "de tsi": 0.5}
    assert [e.tgt for e in lexicon if e.src == "drink"] == ["no (verb)"]
