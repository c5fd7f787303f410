"""`language=<any code>`: a Hydra config source that serves the `language` group for every language lrx knows.

conf/config.yaml puts `lrx-language://catalog` on Hydra's search path after the package's own `conf/`, so a
hand-written `conf/language/<code>.yaml` is found first when the user types its file name. Any other code
reaches this source, which answers in two ways:
* the code names a language that has a hand-written file under another form of its code (`ewe`, `eng-ee`'s
  `ee`): the file's own text, so the hand-written file wins whichever form the user types;
* otherwise the language node built from the catalog (`lrx.adapt.languages.language_node`: test sets, texts,
  UniMorph table from the registries), with the lexicon source that covers it as the run's `lexicon` (an
  override in the node's defaults list, as conf/language/sw.yaml does by hand; `lexicon=...` still wins).
An unknown code is not a config here, so Hydra's own "Could not find 'language/xx'" names the group's options.
"""

from __future__ import annotations

from pathlib import Path

import langcodes
import yaml
from hydra._internal.sources_registry import SourcesRegistry
from hydra.core.object_type import ObjectType
from hydra.plugins.config_source import ConfigLoadError
from hydra.plugins.config_source import ConfigResult
from hydra.plugins.config_source import ConfigSource
from omegaconf import OmegaConf

from lrx.core.languages import UnknownLanguageError
from lrx.core.languages import normalize_language

SCHEME = "lrx-language"
GROUP = "language"
CONF_LANGUAGES = Path(__file__).resolve().parents[2] / "conf" / GROUP


def hand_written(code: str) -> Path | None:
    """The conf/language file for `code` in any of its forms (`ewe`, `ee`), or None."""
    try:
        wanted = normalize_language(code)
    except UnknownLanguageError:
        return None
    for path in sorted(CONF_LANGUAGES.glob("*.yaml")):
        try:
            own = normalize_language(path.stem)
        except UnknownLanguageError:
            continue
        # the same language, or an individual language of the file's macrolanguage (swh finds sw.yaml), as
        # the lexicon layer matches codes (lrx.core.languages.match_language)
        if own.iso3 == wanted.iso3 or langcodes.tag_distance(wanted.tag, own.tag) == 0:
            return path
    return None


def node_text(code: str) -> str | None:
    """The YAML text of `language/<code>`, or None when lrx knows no such language."""
    path = hand_written(code)
    if path is not None:
        return path.read_text(encoding="utf-8")
    from lrx.adapt.languages import language_node

    try:
        node = language_node(code)
    except UnknownLanguageError:
        return None
    lexicon = node.pop("lexicon")
    header = f"# built by lrx from its registries for {code!r} (lrx languages --json shows the same data)\n"
    defaults = [{"override /lexicon@_global_.lexicon": lexicon}] if lexicon else []
    return header + yaml.safe_dump({"defaults": [*defaults, "_self_"], **node}, sort_keys=False, allow_unicode=True)


class LanguageCatalogSource(ConfigSource):
    """The `language` group for every code the catalog knows (see the module docstring)."""

    @staticmethod
    def scheme() -> str:
        return SCHEME

    def _code(self, config_path: str) -> str | None:
        group, slash, name = config_path.rstrip("/").partition("/")
        if group != GROUP or not slash or not name:
            return None
        return name.removesuffix(".yaml")

    def load_config(self, config_path: str) -> ConfigResult:
        code = self._code(config_path)
        text = node_text(code) if code else None
        if text is None:
            raise ConfigLoadError(f"lrx knows no language {code!r}")
        header = ConfigSource._get_header_dict(text)
        return ConfigResult(
            config=OmegaConf.create(yaml.safe_load(text)),
            path=f"{self.scheme()}://{self.path}",
            provider=self.provider,
            header=header,
        )

    def available(self) -> bool:
        return True

    def is_group(self, config_path: str) -> bool:
        return config_path.rstrip("/") == GROUP

    def is_config(self, config_path: str) -> bool:
        code = self._code(config_path)
        if not code:
            return False
        if hand_written(code) is not None:
            return True
        from lrx.adapt.languages import language_info

        try:
            language_info(code)
        except UnknownLanguageError:
            return False
        return True

    def list(self, config_path: str, results_filter: ObjectType | None) -> list[str]:
        # what `--help` and error messages list as the group's options: the catalog's codes
        if config_path.rstrip("/") != GROUP or results_filter == ObjectType.GROUP:
            return []
        from lrx.adapt.languages import language_catalog

        return sorted({info.code for info in language_catalog()})


def register_language_source() -> None:
    """Make `lrx-language://` resolvable (idempotent); schema.py calls it on import, before any composition."""
    SourcesRegistry.instance().register(LanguageCatalogSource)


register_language_source()
