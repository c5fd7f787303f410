"""Source registry and its Hydra configs: every registered name has `conf/lexicon/<name>.yaml` and back, and
each config repeats its class's own defaults (the library reads no config; Hydra runs read only the YAML)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import load_source
from lrx.lexicons.sources.base import register_source
from lrx.lexicons.sources.base import source_class
from lrx.lexicons.sources.base import source_names
from lrx.morphology.inflectors.base import inflector_class

from lrx.core.errors import UnknownNameError

CONF = Path(__file__).resolve().parents[2] / "conf" / "lexicon"
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


def test_unknown_names_raise_one_error_type_in_both_registries():
    for lookup, typo, wanted in ((source_class, "gatito", "gatitos"), (inflector_class, "nueral", "neural")):
        with pytest.raises(UnknownNameError, match=f"did you mean {wanted}") as caught:
            lookup(typo)
        assert isinstance(caught.value, KeyError) and caught.value.name == typo and wanted in caught.value.known
    with pytest.raises(UnknownNameError, match=r"known: .*gatitos"):
        source_class("zzzzzzzz")  # nothing close: every known name is listed


@pytest.mark.parametrize("path", sorted(CONF.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_config_repeats_its_class_defaults(path):
    """`conf/lexicon/<name>.yaml` is the Hydra view of `<Class>.defaults()`: same `_target_` class, same keys,
    same values. A default changed in one place only fails here."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    cls = source_class(path.stem)
    target = config.pop("_target_")
    assert target == f"{cls.__module__}.{cls.__qualname__}", f"{path.name}: _target_ {target} is not {cls}"
    defaults = cls.defaults()
    assert set(config) == set(defaults), (
        f"{path.name} vs {cls.__qualname__}.defaults(): only in the YAML {sorted(set(config) - set(defaults))}, "
        f"only in the class {sorted(set(defaults) - set(config))}"
    )
    differ = {key: (config[key], defaults[key]) for key in defaults if config[key] != defaults[key]}
    assert not differ, f"{path.name}: (yaml, class) values differ: {differ}"


def test_load_source_merges_overrides_into_the_class_defaults():
    source = load_source("gatitos", cleaning={"strip_notes": False}, max_bytes=1000)
    assert (source.cleaning.strip_notes, source.cleaning.split_max_words, source.max_bytes) == (False, 3, 1000)
    dotted = load_source("gatitos", **{"cleaning.split_max_words": 5})  # `--set cleaning.split_max_words=5`
    assert (dotted.cleaning.strip_notes, dotted.cleaning.split_max_words) == (True, 5)
    assert len(source.checksums) > 100  # the default pins, from checksums/gatitos.sha256
