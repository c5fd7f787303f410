"""Reading SIGMORPHON 2020/2023 and UniMorph example files: column layouts, detection, robustness, writing."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from lrx.morphology.data import ExampleFormatError
from lrx.morphology.data import detect_format
from lrx.morphology.data import looks_like_bundle
from lrx.morphology.data import read_examples
from lrx.morphology.data import write_examples
from lrx.morphology.inflectors.base import Example

ST2023 = "raw.githubusercontent.com/sigmorphon/2023InflectionST/e7f1b325b76b41e9ead998e449b17ec1cf536a9c/part1/data"
ST2020 = "raw.githubusercontent.com/sigmorphon2020/task0-data/0d24b945ac96e08aa5a2f0080fa4de465f91b40a"
BRE = "raw.githubusercontent.com/unimorph/bre/219a0713592f96672944cb8f6eb08eb81bb5a785/bre"
NYA = "raw.githubusercontent.com/unimorph/nya/4f7699bfac803b3422e79bac1f317352547b8c3b/nya"


def test_2023_files_are_lemma_feats_form(mirror_dir):
    path = mirror_dir / ST2023 / "eng.trn"
    assert detect_format(path.read_text(encoding="utf-8").splitlines()) == "2023"
    examples = read_examples(path)
    assert len(examples) == 10000
    assert examples[1] == Example("'it", "V;PRS;NOM(3,SG)", "'its")
    assert read_examples(path, format="2023") == examples
    # nested groups with `;` inside parentheses (Turkish possessives) stay one bundle in the middle column
    tur = read_examples(mirror_dir / ST2023 / "tur.trn")
    assert Example("bandaj", "N;ACC(SG;PSS(2,PL))", "bandajınızı") in tur  # noqa: RUF001 (Turkish dotless i)


def test_2020_files_are_lemma_form_feats(mirror_dir):
    path = mirror_dir / ST2020 / "DEVELOPMENT-LANGUAGES/austronesian/ceb.trn"
    examples = read_examples(path)
    assert examples[0] == Example("mobalik", "V;PST", "nibalik")
    assert read_examples(path, format="2020") == examples
    assert detect_format(path.read_text(encoding="utf-8").splitlines()) == "unimorph"  # same columns as 2020
    gold = read_examples(mirror_dir / ST2020 / "GOLD-TEST/ceb.tst")
    assert gold and all(looks_like_bundle(e.feats) and not looks_like_bundle(e.form) for e in gold)


def test_every_shared_task_file_in_the_mirror_is_detected(mirror_dir):
    for path in sorted((mirror_dir / ST2023).glob("*.trn")):
        assert detect_format(path.read_text(encoding="utf-8").splitlines()[:1000], path) == "2023", path
    # 2020 train files: the released test inputs (.tst beside them) have two columns and are not examples
    for path in sorted((mirror_dir / ST2020).glob("*-LANGUAGES/*/*.trn")):
        assert detect_format(path.read_text(encoding="utf-8").splitlines()[:1000], path) == "unimorph", path


def test_reading_with_the_wrong_layout_is_caught_by_detection_not_silently_swapped(mirror_dir):
    path = mirror_dir / ST2023 / "eng.dev"
    swapped = read_examples(path, format="2020")  # explicit format is obeyed: features land in `form`
    assert swapped[0].form == read_examples(path)[0].feats


def test_unimorph_blank_lines_and_crlf(mirror_dir):
    bre = mirror_dir / BRE
    examples = read_examples(bre, format="unimorph")
    assert len(examples) == 2294 and read_examples(bre) == examples  # auto reads UniMorph layout too
    with pytest.raises(ExampleFormatError) as caught:
        read_examples(bre, format="2020")  # the shared-task layouts have no blank lines between paradigms
    assert caught.value.line == 48 and str(bre) in str(caught.value)
    nya = read_examples(mirror_dir / NYA)  # CRLF line ends
    assert nya[0] == Example("funsani", "V;NFIN", "kufunsani")
    assert not any("\r" in field for example in nya for field in example)


def test_wrong_column_count_names_file_and_line(mirror_dir, tmp_path):
    lines = (mirror_dir / ST2023 / "eng.dev").read_text(encoding="utf-8").splitlines()
    lines[6] += "\textra"
    bad = tmp_path / "eng.dev"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        read_examples(bad)
    assert isinstance(caught.value, ExampleFormatError)
    assert caught.value.line == 7 and caught.value.path == str(bad)
    assert f"{bad}:7:" in str(caught.value) and "found 4" in str(caught.value)


def test_literal_fields_nfc_bom_and_cr(tmp_path):
    decomposed = unicodedata.normalize("NFD", "ħiṣdá")
    path = tmp_path / "odd.tsv"
    rows = ["\ufeffNA\tN;NOM(SG)\tNA", '"quoted"\tN;NOM(PL)\t"quoted"s', "nan\tV;PST\tnan", f"{decomposed}\tV;PST\tx"]
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("utf-8"))
    examples = read_examples(path)
    assert examples[0] == Example("NA", "N;NOM(SG)", "NA")  # not a missing value, and no BOM left
    assert examples[1] == Example('"quoted"', "N;NOM(PL)", '"quoted"s')  # quotes are data
    assert examples[2].lemma == "nan"
    assert examples[3].lemma == "ħiṣdá" and unicodedata.is_normalized("NFC", examples[3].lemma)


def test_ambiguous_or_featureless_layout_is_an_error(tmp_path):
    both = tmp_path / "both.tsv"
    both.write_text("V;PST\tV;PST\tx\nN;SG\tN;PL\ty\n", encoding="utf-8")
    with pytest.raises(ExampleFormatError, match="cannot tell which column"):
        read_examples(both)
    none = tmp_path / "none.tsv"
    none.write_text("walk\twalked\twalks\n", encoding="utf-8")
    with pytest.raises(ExampleFormatError, match="cannot tell which column"):
        read_examples(none)
    with pytest.raises(ValueError, match="unknown examples format"):
        read_examples(none, format="csv")


def test_bundle_shapes():
    for bundle in ("V;PST", "N;IN+ALL(SG;PSS(1,SG))", "V.PTCP;PST", "V;NFIN;4;ACT;PRT", "N;NOM/ACC;LGSPEC_foo"):
        assert looks_like_bundle(bundle), bundle
    for word in ("walk", "Aachen", "on väistellyt", "ħiṣdá", "4", "V PST", "NOM(SG", ""):
        assert not looks_like_bundle(word), word


@pytest.mark.parametrize("fmt", ["2020", "2023", "unimorph"])
def test_write_then_read_round_trip(mirror_dir, tmp_path, fmt):
    examples = read_examples(mirror_dir / ST2023 / "tur.dev")
    out: Path = tmp_path / f"tur.{fmt}"
    assert write_examples(out, examples, format=fmt) == len(examples)
    assert read_examples(out, format=fmt) == examples
    assert read_examples(out) == examples  # and detection finds the layout it was written in


def test_write_refuses_fields_that_would_break_the_layout(tmp_path):
    with pytest.raises(ValueError, match="tab or line break"):
        write_examples(tmp_path / "x.tsv", [Example("a\tb", "V;PST", "c")])
    with pytest.raises(ValueError, match="cannot write format"):
        write_examples(tmp_path / "x.tsv", [], format="auto")
