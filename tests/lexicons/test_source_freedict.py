"""FreeDict TEI loader, on the real files of the data mirror (../shared/data/mirror)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lrx.lexicons.sources.base import load_source
from lrx.lexicons.sources.base import source_class
from lrx.lexicons.sources.freedict import COMMIT
from lrx.lexicons.sources.freedict import DEFAULT_PAIRS
from lrx.lexicons.sources.freedict import FreeDictSource

from lrx.core.errors import FormatError
from lrx.core.languages import UnknownLanguageError

MIRROR = Path(__file__).resolve().parents[2].parent / "shared/data/mirror"
FILES = MIRROR / "raw.githubusercontent.com/freedict/fd-dictionaries" / COMMIT


@pytest.fixture
def mirror(mirror_env: Path) -> Path:
    # Fail, not skip: these tests are the only check of the loader against the real files.
    assert FILES.exists(), f"data mirror missing: {FILES}"
    return mirror_env


@pytest.fixture
def freedict(mirror: Path) -> FreeDictSource:
    source = load_source("freedict")
    assert isinstance(source, FreeDictSource)
    return source


@pytest.fixture
def one_file(mirror: Path) -> FreeDictSource:
    """FreeDict reading only the src-tgt file (the default also reads tgt-src where it exists)."""
    return load_source("freedict", both_directions=False)


def targets(lexicon, phrase: str) -> set[str]:
    return {t.tgt for t in lexicon.lookup(phrase, casefold=False)}


def test_registered_and_configured(freedict: FreeDictSource) -> None:
    assert source_class("freedict") is FreeDictSource
    assert [f"{p.src}-{p.tgt}" for p in freedict.pairs()] == list(DEFAULT_PAIRS)
    # every default file is pinned, and the pins are those of the mirror's bytes (checked by fetch)
    assert {freedict.url(p) for p in freedict.pairs()} == set(freedict.checksums)
    assert all(len(digest) == 64 for digest in freedict.checksums.values())
    assert freedict.licence.startswith("GPL-2.0-or-later")
    assert freedict.cleaning.split_alternatives
    assert set(freedict.languages()) == {"swh", "kha", "kur", "gle", "afr"}


def test_old_style_def_eng_swh(one_file: FreeDictSource) -> None:
    freedict = one_file
    lex = freedict.load("swh")
    assert (lex.src_lang, lex.tgt_lang) == ("en", "swh")
    assert targets(lex, "a while") == {"kitambo"}
    (entry,) = [e for e in lex if e.src == "a while"]
    assert entry.pos == "n"
    assert entry.url.endswith("/eng-swh/eng-swh.tei")  # the forward file, though swh-eng exists too
    assert entry.line == 92  # the line of its <entry> start tag
    assert entry.provenance.startswith("freedict:https://raw.githubusercontent.com/freedict/")
    assert 1400 <= len(lex) <= 1500  # 1,450 headwords, one def each
    assert freedict.skipped["explanation"] == 0


@pytest.mark.parametrize("code", ["sw", "swa", "swh"])
def test_swahili_code_variants(freedict: FreeDictSource, code: str) -> None:
    lex = freedict.load(code)
    assert "juu" in targets(lex, "above")


def test_both_files_read_where_both_directions_exist(freedict: FreeDictSource) -> None:
    lex = freedict.load("swh")
    assert {e.url.rsplit("/", 1)[1] for e in lex} == {"eng-swh.tei", "swh-eng.tei"}
    # eng-swh gives "above" -> "juu"; swh-eng, read backwards, adds "juu ya" (above, over)
    assert targets(lex, "above") == {"juu", "juu ya"}
    forward_only = load_source("freedict", both_directions=False).load("swh")
    assert len(lex) > 2.5 * len(forward_only)
    assert lex.dropped["explanation"] == 12 and lex.dropped["no_translation"] > 500  # from swh-eng


def test_swh_eng_defs_split_notes_dropped_explanations_skipped(one_file: FreeDictSource) -> None:
    freedict = one_file
    lex = freedict.load("eng", src="sw")
    assert lex.entries[0].url.endswith("/swh-eng/swh-eng.tei")
    # "worship, revere, adore": each equivalent of an old-style def is a translation
    assert targets(lex, "abudu") == {"worship", "revere", "adore"}
    # two senses
    assert targets(lex, "acha") == {"leave", "quit", "stop doing sth"}
    # two orths (a variant) in one entry: both are headwords
    assert targets(lex, "afisa") == targets(lex, "ofisa") == {"officer"}
    # "your <note>sg.</note>, yours <note>sg.</note>": the number label is not part of the translation
    assert targets(lex, "chako") == {"your", "yours"}
    # "these, those, the persons referred to previously or close to the hearer": the explanation goes
    assert targets(lex, "hao") == {"these", "those"}
    assert freedict.skipped["explanation"] == 12
    # the 500-odd generated plural entries only point at their singular ("Plural of ufagio: broom")
    assert "fagio" not in lex
    assert freedict.skipped["no_translation"] > 500
    assert {e.pos for e in lex} >= {"n", "v", "adj", "adv", "pron"}
    assert 2900 <= len(lex) <= 3200


def test_swapped_direction_eng_kha(freedict: FreeDictSource) -> None:
    lex = freedict.load("kha")  # only kha-eng exists: read it with the columns swapped
    assert (lex.src_lang, lex.tgt_lang) == ("en", "kha")
    assert all(e.url.endswith("/kha-eng/kha-eng.tei") for e in lex)
    # three orths, one with a label ("better: Ekjakor") that is not part of the word
    assert targets(lex, "the devil") == {"Akjakor", "Ekjakor", "Ïakjakor"}
    assert targets(lex, "Alphabet") == {"abi", "abike", "abiki"}
    assert {t.pos for t in lex.lookup("Alphabet")} == {("n",)}
    # a def beside translation quotes glosses them ("bah": brother, def "older brother"): not an entry
    assert "bah" in targets(lex, "brother")
    assert "older brother" not in lex
    # example sentences are not lexicon entries
    assert "The pot is ready for use." not in lex
    assert freedict.skipped["example"] == 429
    # a def that is prose ("the first letter (Capital A, ...) of the Khasi Alphabet. It is ...") is skipped
    assert not any("Khasi Alphabet" in e.src for e in lex)
    assert freedict.skipped["explanation"] > 0
    assert 2700 <= len(lex) <= 3000


def test_new_style_cit_quote(one_file: FreeDictSource) -> None:
    freedict = one_file
    afr = freedict.load("af")
    assert targets(afr, "America") == {"Amerika"}
    assert targets(afr, "American") >= {"Amerikaans", "Amerikaner"}  # two senses of one entry
    assert 10000 <= len(afr) <= 11000
    gle = freedict.load("eng", src="ga")
    assert targets(gle, "Aigéan Alantach") == {"Atlantic", "Atlantic Ocean"}  # two cits in one sense
    assert gle.entries[0].pos is None  # these files have no gramGrp


@pytest.mark.parametrize(
    ("pair", "low", "high"),
    [
        ("eng-swh", 1400, 1500),
        ("swh-eng", 2900, 3200),
        ("kha-eng", 2700, 3000),
        ("kur-eng", 5000, 5400),
        ("eng-gle", 1800, 2000),
        ("gle-eng", 1700, 1900),
        ("eng-afr", 10000, 11000),
        ("afr-eng", 9800, 10500),
    ],
)
def test_every_mirror_file_parses_strictly(mirror: Path, pair: str, low: int, high: int) -> None:
    source = FreeDictSource(strict=True)
    path = FILES / pair / f"{pair}.tei"
    records = list(source.parse(path, path.as_uri()))
    assert not [r for r in records if isinstance(r, FormatError)]
    assert low <= len(records) <= high
    assert all(line > 1 and src and tgt for line, src, tgt, _ in records)


def test_configurable_pairs(mirror: Path) -> None:
    source = load_source("freedict", pairs=["kha-eng"])
    assert source.languages() == ["kha"]
    with pytest.raises(UnknownLanguageError):
        source.load("sw")
    with pytest.raises(ValueError, match="src-tgt"):
        FreeDictSource(pairs=["eng_swh"])


BROKEN = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0">
  <text><body>
    <entry><form><orth>dog</orth></form><sense><cit type="trans"><quote>mbwa</quote></cit></sense></entry>
    <entry><form><orth>cat</orth></form><sense><cit type="trans"><quote>paka</quote></cit></sense></entry>
    <entry><form><orth>cow</orth></form><sense><cit type="trans"><quote>ng'ombe</quote></sense></entry>
  </body></text>
</TEI>
"""


def write_tei(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "files" / "eng-swh.tei"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def file_source(tmp_path: Path, **options) -> FreeDictSource:
    template = (tmp_path / "files").as_uri() + "/{src}-{tgt}.tei"
    return load_source("freedict", url_template=template, pairs=["eng-swh"], **options)


def test_malformed_xml_strict_and_lenient(mirror: Path, tmp_path: Path) -> None:
    path = write_tei(tmp_path, BROKEN)
    with pytest.raises(FormatError) as error:
        file_source(tmp_path, strict=True).load("swh")
    assert error.value.line == 6 and "malformed XML" in error.value.problem
    # the error names the file it was read from
    (problem,) = [r for r in FreeDictSource().parse(path, path.as_uri()) if isinstance(r, FormatError)]
    assert problem.path == str(path) and str(problem).startswith(f"{path}:6: ")
    lex = file_source(tmp_path).load("swh")
    assert lex.skipped_lines == 1
    assert [(e.src, e.tgt, e.line) for e in lex] == [("dog", "mbwa", 4), ("cat", "paka", 5)]


def test_entry_without_headword(mirror: Path, tmp_path: Path) -> None:
    write_tei(tmp_path, BROKEN.replace("<orth>cat</orth>", "").replace("</quote></sense>", "</quote></cit></sense>"))
    with pytest.raises(FormatError, match="no <form>/<orth>") as error:
        file_source(tmp_path, strict=True).load("swh")
    assert error.value.line == 5
    lex = file_source(tmp_path).load("swh")
    assert lex.skipped_lines == 1 and [e.src for e in lex] == ["dog", "cow"]


def test_entity_expansion_refused_even_when_lenient(mirror: Path, tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE TEI [\n<!ENTITY a "aaaaaaaaaa">\n'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
        "<TEI><text><body><entry><form><orth>&b;</orth></form></entry></body></text></TEI>\n"
    )
    write_tei(tmp_path, bomb)
    with pytest.raises(FormatError, match="refused") as error:
        file_source(tmp_path, strict=False).load("swh")
    assert error.value.line == 3
