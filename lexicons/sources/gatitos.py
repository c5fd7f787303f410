"""GATITOS: ~4,000 frequent English words and short phrases translated into 173 languages (Google, 2023)."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path

from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import Pair
from lrx.lexicons.sources.base import register_source
from lrx.lexicons.sources.tabular import Record
from lrx.lexicons.sources.tabular import parse_two_columns

from lrx.core.errors import FormatError

# The last commit of google-research/url-nlp that still has the lexicons (moved to a dataset hub in 2025).
COMMIT = "ec1cfc8ca7c1e26a59f122f4a2a5bb94910bfa15"

# The `xx` of every `en_xx.tsv` at COMMIT: BCP-47, some with script or region subtags.
LANGUAGES = (
    "aa ab ace ach ady aeb aii ak alz apc apd-SD ar-MA arn arz as av awa ay ayl ba bal ban bbc bci bem "
    "ber-Latn ber bew bho bik bjn-Arab bjn bm-Nkoo bm bo br brx bts btx bua bug ce cgg ch chk chm ckb cnh "
    "cpf crh-Latn crh crs ctg cv din doi dov dv dyu dz ee efi es fa-AF ff fj fo fon fr fur gaa gn gom gv "
    "hi hil hne hrx iba ilo iso iu jam kaa kac kbd kek kg kha ki kl kr kri ks-Deva ks ktu kv lg li lij lmo "
    "ln ltg lu luo lus mad mag mai mak mam meo mfe mh min mni-Mtei mos ms-Arab mwr nd ndc-ZW new nhe nr "
    "nso nus nv oc om os pa-Arab pag pam pap pcm qu quc rhg-Latn rn rom sa sah sat-Latn scn se sg shn skr "
    "ss sus syl szl tcy tet ti tiv tn to tpi trp ts tum ty tyv udm ve vec war wo yua yue zap zza"
).split()


@register_source("gatitos")
class GatitosSource(LexiconSource):
    """`en_<code>.tsv`: `english<TAB>target`, no header, one translation a line (several lines per word
    when the translators gave several)."""

    licence = "CC-BY-4.0"
    citation = (
        "Jones, Caswell, Saxena, Firat (2023). Bilex Rx: Lexical Data Augmentation for Massively "
        "Multilingual Machine Translation. arXiv:2303.15265"
    )
    homepage = "https://github.com/google-research/url-nlp/tree/main/gatitos"
    default_url_template = (
        f"https://raw.githubusercontent.com/google-research/url-nlp/{COMMIT}/gatitos/{{src}}_{{tgt}}.tsv"
    )

    def __init__(
        self, *, languages: Sequence[str] = LANGUAGES, checksums: Mapping[str, str] | str = "gatitos.sha256", **options
    ) -> None:
        super().__init__(checksums=checksums, **options)
        self._languages = list(languages)

    def pairs(self) -> list[Pair]:
        return [Pair("en", code) for code in self._languages]

    def parse(
        self, path: Path, url: str, pair: Pair | None = None, reverse: bool = False
    ) -> Iterator[Record | FormatError]:
        return parse_two_columns(path)
