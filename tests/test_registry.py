"""Source registry and its Hydra configs: every registered name has `conf/lexicon/<name>.yaml` and back."""

from __future__ import annotations

from pathlib import Path

import pytest
from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import load_source
from lrx.lexicons.sources.base import register_source
from lrx.lexicons.sources.base import source_class
from lrx.lexicons.sources.base import source_names

from lrx.core.errors import UnknownNameError

CONF = Path(__file__).resolve().parents[1] / "conf" / "lexicon"
REQUIRED = {"gatitos", "muse", "freedict", "apertium", "panlex", "wiktionary", "tsv"}


def test_every_source_the_issue_names_is_registered():
    assert set(source_names()) >= REQUIRED


def test_configs_and_registry_agree():
    assert {p.stem for p in CONF.glob("*.yaml")} == set(source_names())


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_config_instantiates_its_registered_class(name):
    source = load_source(name)
    assert type(source) is source_class(name)
    info = source.describe()
    assert info["name"] == name and info["licence"]
    if name != "tsv":
        assert info["citation"] and info["homepage"] and "{" in info["url_template"]


def test_duplicate_registration_fails_loudly():
    with pytest.raises(ValueError, match="registered twice"):

        @register_source("gatitos")
        class Impostor(LexiconSource):
            pass


def test_unknown_source_suggests_close_names():
    with pytest.raises(UnknownNameError, match="did you mean gatitos"):
        load_source("gatito")
