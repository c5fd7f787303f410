"""The merged source: several sources as one lexicon, in the library and as `lexicon=merged` in a run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hydra import compose
from hydra import initialize_config_dir
from lrx.adapt.run import schema  # noqa: F401  (the typed schema and language source config.yaml names)
from lrx.adapt.run.engine import run_pipeline
from lrx.lexicons.loading import load_lexicon
from lrx.lexicons.sources.base import load_source

CONF = Path(__file__).resolve().parents[2] / "conf"


@pytest.fixture
def linguist_file(tmp_path: Path) -> Path:
    path = tmp_path / "eng-ewe.tsv"
    path.write_text("src\ttgt\tpos\tweight\nzebra-crossing\tmɔfiaƒe\tn\t2\nhouse\txɔ\tn\t1\n", encoding="utf-8")
    return path


def test_merged_equals_the_merge_of_its_sources(mirror_env, linguist_file):
    options = {"tsv": {"url": str(linguist_file)}}
    merged = load_source("merged", sources=["gatitos", "tsv"], options=options, weights={"tsv": 3.0}).load("ee")
    direct = load_lexicon(["gatitos", "tsv"], "ee", options=options, weights={"tsv": 3.0})
    assert merged.name == "gatitos+tsv" and len(merged.entries) == len(direct.entries)
    assert {(e.src, e.tgt, e.weight) for e in merged.entries} == {(e.src, e.tgt, e.weight) for e in direct.entries}
    zebra = [e for e in merged.entries if e.src == "zebra-crossing"]
    assert [(e.tgt, e.weight, e.source) for e in zebra] == [("mɔfiaƒe", 6.0, "tsv")]
    with pytest.raises(ValueError, match=r"options or weights for \['muse'\]"):
        load_source("merged", sources=["gatitos"], weights={"muse": 2.0})


def test_a_run_loads_a_merged_lexicon(mirror_env, linguist_file, tmp_path):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose(
            config_name="config",
            overrides=["lexicon=merged", "lexicon.sources=[gatitos,tsv]", f"+lexicon.options.tsv.url={linguist_file}",
                       "stages=[lexicon]", "model=tiny"],
        )  # fmt: skip
    run_pipeline(cfg, tmp_path / "run")
    stats = json.loads((tmp_path / "run" / "lexicon_stats.json").read_text(encoding="utf-8"))
    gatitos = load_source("gatitos").load("ee").stats()["entries"]
    assert stats["source"] == "gatitos+tsv" and stats["entries"] == gatitos + 2
