"""UniMorph feature bundles: schema loading, canonical order, hierarchical groups, validation, real data."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest
from lrx.morphology.features import CONFLICT
from lrx.morphology.features import DUPLICATE_TAG
from lrx.morphology.features import EMPTY_TAG
from lrx.morphology.features import LGSPEC_DIMENSION
from lrx.morphology.features import SCHEMA_SHA256
from lrx.morphology.features import SCHEMA_URL
from lrx.morphology.features import SYNTAX
from lrx.morphology.features import UNKNOWN_DIMENSION
from lrx.morphology.features import UNKNOWN_TAG
from lrx.morphology.features import Argument
from lrx.morphology.features import FeatureBundle
from lrx.morphology.features import FeatureError
from lrx.morphology.features import Schema
from lrx.morphology.features import ValidationReport
from lrx.morphology.features import clear_schema_cache
from lrx.morphology.features import load_schema
from lrx.morphology.features import parse_features

from lrx.core.fetch import fetch

GITHUB = "raw.githubusercontent.com"
SCHEMA_PATH = f"{GITHUB}/unimorph/um-canonicalize/eaf98b70edbb8e038050176e6eb6c39d39551287/um_canonicalize"
SIGMORPHON_2023 = f"{GITHUB}/sigmorphon/2023InflectionST/e7f1b325b76b41e9ead998e449b17ec1cf536a9c/part1/data"
SIGMORPHON_2020 = f"{GITHUB}/sigmorphon2020/task0-data/0d24b945ac96e08aa5a2f0080fa4de465f91b40a"
# collected at import time for parametrisation; the mirror_dir fixture fails loudly if the mirror is missing
MIRROR = Path(__file__).resolve().parents[3] / "shared/data/mirror"


@pytest.fixture(scope="module")
def schema(mirror_dir: Path) -> Schema:
    return Schema.from_file(mirror_dir / SCHEMA_PATH / "tags.yaml")


def lenient(text: str, schema: Schema, report: ValidationReport | None = None) -> FeatureBundle | None:
    return parse_features(text, schema, strict=False, report=report)


# -- the schema ----------------------------------------------------------------------------------------------


def test_schema_reads_the_real_yaml_as_strings(schema):
    # the file starts with a BOM, and YAML 1.1 would read the Case value ON as True and Person 0 as an int
    assert schema.dimensions[0] == "Part of Speech"
    assert schema.dimension("ON") == "Case" and schema.dimension("0") == "Person"
    assert schema.dimension("V.PTCP") == "Part of Speech" and schema.dimension("1DAY") == "Tense"
    assert schema.dimension("LOC") == "Case"  # EXTRA_TAGS
    assert schema.dimension("BANTU3") == "Gender and Noun Class"  # alias of BANT03
    assert schema.dimension("PRES") is None and schema.dimension("LGSPEC1") is None
    assert len(schema) == 312  # 310 values in the file (each listed once) + EXTRA_TAGS


def test_load_schema_fetches_the_pinned_url_once_per_process(mirror_env):
    calls = []

    def spy(url, **kwargs):
        calls.append((url, kwargs))
        return fetch(url, **kwargs)

    clear_schema_cache()
    first = load_schema(spy)
    assert load_schema(spy) is first
    assert calls == [(SCHEMA_URL, {"sha256": SCHEMA_SHA256, "max_bytes": 1 << 20})]
    assert first.dimension("SG") == "Number"


def test_bad_schema_file_is_a_value_error(tmp_path):
    path = tmp_path / "tags.yaml"
    path.write_text("ordering: [Number]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no 'categories'"):
        Schema.from_file(path)


# -- canonical order -----------------------------------------------------------------------------------------


def test_order_insensitive_equality(schema):
    a, b = schema.parse("SG;N;3"), schema.parse("N;3;SG")
    assert a == b and hash(a) == hash(b) and str(a) == str(b) == "N;SG;3"
    assert len({a, b, schema.parse("3;SG;N")}) == 1
    assert schema.parse("V;PST;3;SG") != schema.parse("V;PST;3;PL")


def test_flat_bundle_accessors(schema):
    bundle = schema.parse("V;PST;3;SG;LGSPEC1;IND")
    assert str(bundle) == "V;IND;SG;3;PST;LGSPEC1"  # POS first, schema order, LGSPEC last
    assert bundle.pos == "V" and bundle.tags == ("V", "IND", "SG", "3", "PST", "LGSPEC1")
    assert bundle.dimensions() == {
        "Part of Speech": ("V",),
        "Mood": ("IND",),
        "Number": ("SG",),
        "Person": ("3",),
        "Tense": ("PST",),
        LGSPEC_DIMENSION: ("LGSPEC1",),
    }
    assert "PST" in bundle and "PRS" not in bundle and bundle.arguments == ()
    assert repr(bundle) == "FeatureBundle('V;IND;SG;3;PST;LGSPEC1')"
    with pytest.raises(dataclasses.FrozenInstanceError):
        bundle.items = ()  # type: ignore[misc]


def test_lgspec_tags_sort_numerically_and_last(schema):
    assert str(schema.parse("LGSPEC10;V;LGSPEC2;NFIN")) == "V;NFIN;LGSPEC2;LGSPEC10"


def test_hierarchical_bundle(schema):
    bundle = schema.parse("V;PRS;NOM(1,SG);ACC(3,PL,BANTU8)")
    assert str(bundle) == "V;PRS;NOM(1,SG);ACC(3,PL,BANT08)"
    assert bundle.tags == ("V", "PRS") and bundle.pos == "V"
    assert bundle.arguments == (Argument("NOM", ("1", "SG")), Argument("ACC", ("3", "PL", "BANT08")))
    # order inside and between groups does not matter; `.args` files separate members with `;`
    assert bundle == schema.parse("ACC(BANTU8;PL;3);PRS;NOM(SG,1);V")
    assert schema.parse("N;GEN(SG;DEF)") == schema.parse("N;GEN(DEF,SG)")
    assert str(schema.parse("N;GEN(SG;DEF)")) == "N;GEN(SG,DEF)"


def test_nested_groups_round_trip(schema):
    bundle = schema.parse("N;NOM(SG;PSS(2,PL))")
    assert str(bundle) == "N;NOM(SG,PSS(2,PL))"
    (group,) = bundle.arguments
    assert group.tags == ("SG",) and group.members[1] == Argument("PSS", ("2", "PL"))
    assert schema.parse(str(bundle)) == bundle


def test_group_members_person_number_class_first(schema):
    assert str(schema.parse("V;ERG(DU,EXCL,1)")) == "V;ERG(1,EXCL,DU)"
    assert str(schema.parse("V;NOM(BANTU4,PL,3)")) == "V;NOM(3,PL,BANT04)"


def test_composite_tags(schema):
    assert str(schema.parse("N;PL;IN+ALL")) == "N;IN+ALL;PL"
    assert schema.parse("N;NOM/ACC") == schema.parse("N;ACC/NOM")
    assert schema.parse("V;MASC+FEM").tags == ("V", "MASC+FEM")
    assert schema.parse("V;PST+RCT").dimensions() == {"Part of Speech": ("V",), "Tense": ("PST+RCT",)}


# -- validation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "V;V.PTCP;PST",  # eng: a V.* subtype beside V
        "V;PST;RCT",  # zul: tense distance refines PST
        "V;IND;PST;IPFV;HAB",  # bre: habitual refines imperfective
        "V;ACT;TR;CAUS;APPL",  # ind: valency takes several values
        "V;NOM(1,SG);ACC(3,PL)",  # SG and PL in different argument groups
        "N;SG/PL",  # one syncretic value
        "V;1;EXCL;PL",  # clusivity refines person
    ],
)
def test_allowed_combinations(schema, text):
    schema.parse(text)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("N;SG;PL", "SG;PL"),
        ("V;PST;PRS", "PRS;PST"),
        ("N;ACC;DAT", "ACC;DAT"),
        ("N;V", "N;V"),
        ("N;V.PTCP", "N;V.PTCP"),
        ("V;NOM(1,SG,PL)", "SG;PL"),
        ("V;NOM(1,SG);NOM(2,PL)", "NOM(1,SG);NOM(2,PL)"),
    ],
)
def test_conflicts(schema, text, tag):
    with pytest.raises(FeatureError, match="conflicting") as caught:
        schema.parse(text)
    assert caught.value.tag == tag
    report = ValidationReport()
    assert lenient(text, schema, report) is not None  # kept in lenient mode, counted
    assert report.count(CONFLICT) == 1 and report.invalid_tags == 0


@pytest.mark.parametrize(
    ("text", "kind", "tag"),
    [
        ("V;PRES;3;SG", UNKNOWN_TAG, "PRES"),
        ("V;PST;;", EMPTY_TAG, ""),
        ("V;NOM(1,SG", SYNTAX, "V;NOM(1,SG"),
        ("V;NOM()", SYNTAX, "V;NOM()"),
        ("V;NOM(1)X", SYNTAX, "V;NOM(1)X"),
        ("  ", SYNTAX, "  "),
        ("V:PST:3:PL", UNKNOWN_TAG, "V:PST:3:PL"),
    ],
)
def test_strict_errors_name_file_line_and_tag(schema, text, kind, tag):
    with pytest.raises(FeatureError) as caught:
        parse_features(text, schema, file="data/x.tsv", line=7)
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.file, error.line, error.tag) == ("data/x.tsv", 7, tag)
    assert str(error).startswith("data/x.tsv:7: ")
    report = ValidationReport()
    lenient(text, schema, report)
    assert report.problems == Counter({(kind, tag): report.problems[kind, tag]}) and report.invalid_tags >= 1


def test_lenient_keeps_unknown_tags_and_drops_duplicates(schema):
    report = ValidationReport()
    bundle = lenient("V;FIN;IND;IND;PRES;3;SG", schema, report)
    assert str(bundle) == "V;FIN;IND;SG;3;PRES"  # unknown after the known tags
    assert bundle.dimensions()[UNKNOWN_DIMENSION] == ("PRES",)
    assert report.problems == Counter({(UNKNOWN_TAG, "PRES"): 1, (DUPLICATE_TAG, "IND"): 1})
    assert report.invalid_tags == 1 and report.tags == 7 and report.bundles == 1
    schema.parse("V;IND;IND")  # a duplicate is only a warning, even in strict mode
    assert lenient("V;NOM(1", schema, report) is None


def test_aliases_are_rewritten_and_counted(schema):
    report = ValidationReport()
    assert str(lenient("V;ARGAC3S;BANTU15;sg", schema, report)) == "V;AC3S;BANT15;SG"
    assert report.aliased == Counter({("ARGAC3S", "AC3S"): 1, ("BANTU15", "BANT15"): 1, ("sg", "SG"): 1})
    assert report.invalid_tags == 0
    assert schema.parse("V;BANT3") == schema.parse("V;BANTU3") == schema.parse("V;BANT03")


# -- real data -----------------------------------------------------------------------------------------------


def _feature_column(path: Path, column: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) == 3:
                counts[fields[column]] += 1
    return counts


# Invalid tags of the SIGMORPHON 2023 files (lemma, FEATS, form): tags the task used that the schema lacks
# (PRIM: Swahili's second agreement argument; INFR, NEC, PRSP, PERF: Turkish; DESID, INTENS, INJ: Sanskrit;
# KU: a Swahili locative class; AG, 5: Finnish; SUBJ, RFLX: Swahili spellings of SBJV and REFL).
INVALID_2023 = {
    "amh": set(),
    "eng": set(),
    "fin": {"5", "AG"},
    "hun": set(),
    "kat": set(),
    "klr": set(),
    "nav": set(),
    "san": {"DESID", "INTENS", "INJ"},
    "sme": set(),
    "swa": {"PRIM", "KU", "SUBJ", "RFLX"},
    "tur": {"INFR", "NEC", "PRSP", "PERF"},
}


@pytest.mark.parametrize("lang", sorted(INVALID_2023))
def test_sigmorphon_2023_hierarchical_bundles_all_parse(schema, mirror_dir, lang):
    report = ValidationReport()
    hierarchical = 0
    for split in ("trn", "dev", "tst"):
        for text, n in _feature_column(mirror_dir / SIGMORPHON_2023 / f"{lang}.{split}", 1).items():
            parsed = ValidationReport()
            bundle = lenient(text, schema, parsed)
            assert bundle is not None, text
            assert lenient(str(bundle), schema) == bundle, text
            hierarchical += n * bool(bundle.arguments)
            for _ in range(n):
                report.merge(parsed)
    assert report.count(SYNTAX) == 0 and report.count(EMPTY_TAG) == 0
    assert report.bundles == 12_000
    assert set(report.invalid_tag_counts()) == INVALID_2023[lang]
    assert report.invalid_rate < 0.13  # tur: 12.1%, the most; the schema predates the 2023 tags
    if lang != "eng":  # English verbs have no agreement groups in 2023
        assert hierarchical > 1000


# 2020 task 0 (lemma, form, FEATS): SIGMORPHON had normalised its tags; only ben/tgk keep NDEF (= INDF).
@pytest.mark.parametrize(
    "path",
    sorted(p.name for p in (MIRROR / SIGMORPHON_2020).rglob("*.trn")),
)
def test_sigmorphon_2020_bundles_validate(schema, mirror_dir, path):
    (train,) = (mirror_dir / SIGMORPHON_2020).rglob(path)
    report = ValidationReport()
    for text in _feature_column(train, 2):
        bundle = lenient(text, schema, report)
        assert bundle is not None and lenient(str(bundle), schema) == bundle
    expected = {"NDEF"} if path in ("ben.trn", "tgk.trn") else set()
    assert set(report.invalid_tag_counts()) == expected
    assert report.count(CONFLICT) == 0
