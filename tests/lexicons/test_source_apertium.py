"""Apertium bilingual dix loader, on the real eng-lin file of the data mirror (../shared/data/mirror)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lrx.lexicons.sources.apertium import DEFAULT_COMMITS
from lrx.lexicons.sources.apertium import ApertiumSource
from lrx.lexicons.sources.base import load_source
from lrx.lexicons.sources.base import source_class

from lrx.core.errors import FormatError

MIRROR = Path(__file__).resolve().parents[2].parent / "shared/data/mirror"
DIX = (
    MIRROR
    / "raw.githubusercontent.com/apertium/apertium-eng-lin"
    / DEFAULT_COMMITS["eng-lin"]
    / "apertium-eng-lin.eng-lin.dix"
)


@pytest.fixture
def mirror(mirror_env: Path) -> Path:
    # Fail, not skip: these tests are the only check of the loader against the real files.
    assert DIX.exists(), f"data mirror missing: {DIX}"
    return mirror_env


@pytest.fixture
def apertium(mirror: Path) -> ApertiumSource:
    source = load_source("apertium")
    assert isinstance(source, ApertiumSource)
    return source


def targets(lexicon, phrase: str) -> set[str]:
    return {t.tgt for t in lexicon.lookup(phrase, casefold=False)}


def test_registered_and_configured(apertium: ApertiumSource) -> None:
    assert source_class("apertium") is ApertiumSource
    (pair,) = apertium.pairs()
    url = apertium.url(pair)
    assert url == "https://" + str(DIX.relative_to(MIRROR))
    assert set(apertium.checksums) == {url}
    assert apertium.licence == "GPL-3.0-or-later"
    assert apertium.languages() == ["lin"]
    # a pair without a pinned commit reads the repository's default branch
    other = ApertiumSource(pairs=["eng-swa"], commits={})
    assert "/apertium-eng-swa/HEAD/apertium-eng-swa.eng-swa.dix" in other.url(other.pairs()[0])


@pytest.mark.parametrize("code", ["ln", "lin"])
def test_eng_lin(apertium: ApertiumSource, code: str) -> None:
    lex = apertium.load(code)
    assert (lex.src_lang, lex.tgt_lang) == ("en", "ln")
    assert targets(lex, "girl") == {"mwasi"}
    assert {t.pos for t in lex.lookup("girl")} == {("n",)}
    assert {t.pos for t in lex.lookup("eat")} == {("v",)}  # vblex -> v
    # <b/> is a blank inside a multiword, on either side
    assert targets(lex, "himself") == {"yé mókó"}
    # r="LR" entries serve eng -> lin ...
    assert targets(lex, "herself") == {"yé mókó"}
    # ... r="RL" ones do not: "today" is lɛlɔ́ both ways, lolo only lin -> eng
    assert targets(lex, "today") == {"lɛlɔ́"}
    assert "Wɛlɛ" not in targets(lex, "Ivory Coast")
    assert targets(lex, "some") == {"mwá"}  # not its RL spelling mua
    assert apertium.skipped["direction"] == 35
    # English pronouns are `prpers` plus tags in Apertium: read as the words
    assert targets(lex, "I") == targets(lex, "me") == {"ngáí"}
    assert targets(lex, "they") == {"bangó"}
    assert "prpers" not in lex
    # <re> punctuation entries and entries with an empty side are skipped
    assert apertium.skipped["regex"] == 2 and apertium.skipped["empty"] > 0
    (entry,) = [e for e in lex if e.src == "girl"]
    assert entry.line == 189 and entry.url.endswith(".eng-lin.dix")
    assert 1650 <= len(lex) <= 1802


def test_lin_eng_reads_the_same_file_the_other_way(apertium: ApertiumSource) -> None:
    lex = apertium.load("en", src="ln")
    assert (lex.src_lang, lex.tgt_lang) == ("ln", "en")
    assert targets(lex, "mwasi") == {"girl"}
    assert targets(lex, "lolo") == {"today"}  # r="RL"
    assert targets(lex, "Wɛlɛ") == {"Ivory Coast"}  # r="RL", multiword target
    # r="LR" entries are left out: yé mókó is himself, not herself/itself
    assert targets(lex, "yé mókó") == {"himself"}
    assert "loboko" not in lex  # its only entry ("arm") is LR
    assert apertium.skipped["direction"] == 22
    # the POS is that of the side translated from: "some" is det in English, mua adj in Lingala
    assert {t.pos for t in lex.lookup("mua")} == {("adj",)}
    assert 1650 <= len(lex) <= 1802


def test_real_file_parses_strictly(mirror: Path) -> None:
    records = list(ApertiumSource(strict=True).parse(DIX, DIX.as_uri()))
    assert not [r for r in records if isinstance(r, FormatError)]
    assert 1650 <= len(records) <= 1802


SYNTHETIC = """<?xml version="1.0" encoding="UTF-8"?>
<dictionary>
  <pardefs>
    <pardef n="x"><e><p><l>inpardef<s n="n"/></l><r>nope<s n="n"/></r></p></e></pardef>
  </pardefs>
  <section id="main" type="standard">
    <e><p><l>take<g><b/>out</g><s n="vblex"/></l><r>bimisa<s n="vblex"/></r></p></e>
    <e><i>Kinshasa<s n="np"/><s n="top"/></i></e>
    <e><p><l>of the<s n="pr"/></l><r>de<s n="pr"/><j/>el<s n="det"/></r></p></e>
    <e><p><l>walk</l><r>tamb</r></p><par n="ol/a__vblex"/></e>
    <e r="RL"><p><l>backwards<s n="adv"/></l><r>nzoka<s n="adv"/></r></p></e>
    <e i="yes"><p><l>ignored<s n="n"/></l><r>ignored<s n="n"/></r></p></e>
    <e><p><l>bad<foo/></l><r>mabe<s n="adj"/></r></p></e>
    <e><p><l>good<s n="adj"/></l><r>malamu<s n="adj"/></r></p></e>
  </section>
</dictionary>
"""


def file_source(tmp_path: Path, text: str, **options) -> ApertiumSource:
    folder = tmp_path / "files"
    folder.mkdir(exist_ok=True)
    (folder / "eng-lin.dix").write_text(text, encoding="utf-8")
    return load_source("apertium", url_template=folder.as_uri() + "/{src}-{tgt}.dix", **options)


def test_multiwords_identity_joins_paradigms(mirror: Path, tmp_path: Path) -> None:
    source = file_source(tmp_path, SYNTHETIC)
    lex = source.load("ln")
    assert [(e.src, e.tgt, e.pos, e.line) for e in lex] == [
        ("take out", "bimisa", "v", 7),  # <g> holds the invariable part of a multiword
        ("Kinshasa", "Kinshasa", "np", 8),  # <i>: the same on both sides
        ("of the", "de el", "pr", 9),  # <j/> joins two lexical units
        ("good", "malamu", "adj", 14),
    ]
    # the <e> inside <pardef> is not an entry; the <par> reference cannot be expanded
    assert source.skipped == {"paradigm": 1, "direction": 1, "ignored": 1}
    assert lex.skipped_lines == 1  # the unknown <foo/>
    with pytest.raises(FormatError, match="unexpected <foo>") as error:
        file_source(tmp_path, SYNTHETIC, strict=True).load("ln")
    assert error.value.line == 13
    back = source.load("eng", src="ln")
    assert targets(back, "nzoka") == {"backwards"}
    assert "take out" in targets(back, "bimisa")


def test_malformed_xml_strict_and_lenient(mirror: Path, tmp_path: Path) -> None:
    broken = SYNTHETIC.replace("<foo/>", "").replace("<r>malamu", "<r>malamu</l>")
    with pytest.raises(FormatError, match="malformed XML") as error:
        file_source(tmp_path, broken, strict=True).load("ln")
    assert error.value.line == 14
    path = tmp_path / "files" / "eng-lin.dix"
    problems = [r for r in ApertiumSource().parse(path, path.as_uri()) if isinstance(r, FormatError)]
    assert [str(p) for p in problems] == [f"{path}:14: {problems[0].problem}"]
    lex = file_source(tmp_path, broken).load("ln")
    assert lex.skipped_lines == 1
    assert [e.src for e in lex] == ["take out", "Kinshasa", "of the", "bad"]
