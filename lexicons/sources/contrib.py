"""Lexicons contributed to the repository: every `data/lexicons/<src>-<tgt>[-<variant>].tsv` file.

`lrx synthesize --lexicon contrib`, `load_lexicon("contrib", "swh")`: all files of the requested pair (every
variant; a `<tgt>-<src>` file read backwards when there is no `<src>-<tgt>` one) are validated first, and a
file with validation errors is refused with a FormatError naming the file, line and problem, since a broken
contribution must not quietly become pseudo training data. No code change per language: the pairs are the
file names found. The folder is `data/` at the repository root or `$LRX_DATA` (`lrx.morphology.contributed`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lrx.lexicons.contributed import read_lexicon_rows
from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.sources.base import LexiconSource
from lrx.lexicons.sources.base import Pair
from lrx.lexicons.sources.base import register_source
from lrx.lexicons.sources.tabular import Record
from lrx.morphology.contributed import contributed_files
from lrx.morphology.contributed import data_dir
from lrx.morphology.contributed import languages_from_name

from lrx.core.errors import FormatError
from lrx.core.languages import normalize_language


@register_source("contrib")
class ContribSource(LexiconSource):
    """The contributed lexicons under `data/lexicons/`; each file states its licence in its comment block."""

    licence = "per file (see data/README.md)"
    citation = ""
    homepage = ""
    default_url_template = "data/lexicons/{src}-{tgt}[-<variant>].tsv"  # shown by `lrx lexicon sources`

    def __init__(self, *, data: str | None = None, **options) -> None:
        super().__init__(**options)
        self.data = Path(data).expanduser() if data else None

    def files(self) -> dict[Pair, list[Path]]:
        """Pair (codes as the file names write them) -> its files, sorted by name."""
        found: dict[Pair, list[Path]] = {}
        for path in contributed_files("lexicon", self.data or data_dir()):
            named = languages_from_name(path, "lexicon")
            if named is not None and named.src:
                found.setdefault(Pair(named.src, named.tgt), []).append(path)
        return found

    def pairs(self) -> list[Pair]:
        return list(self.files())

    def url(self, pair: Pair) -> str:
        return (self.data or data_dir()).joinpath("lexicons", f"{pair.src}-{pair.tgt}.tsv").resolve().as_uri()

    def load(self, tgt: str, src: str = "eng") -> Lexicon:
        from lrx.lexicons.validate import validate_file

        lexicon = Lexicon(normalize_language(src).tag, normalize_language(tgt).tag, name=self.name)
        files = self.files()
        for pair, swap in self.resolve_all(tgt, src):
            for path in files[pair]:
                # language identification only warns, and costs a model load: not needed to refuse a file
                report = validate_file(path, kind="lexicon", langid=False)
                if report.errors:
                    first = report.errors[0]
                    more = f" (and {len(report.errors) - 1} more errors)" if len(report.errors) > 1 else ""
                    raise FormatError(
                        path,
                        first.line,
                        f"column {first.column}: {first.message} [{first.code}]{more}; "
                        f"run `lrx validate {path}` for the full list",
                    )
                url = path.resolve().as_uri()
                lexicon.extend(self._entries(self.parse(path, url, pair, swap), url, swap, lexicon))
        return lexicon

    def parse(
        self, path: Path, url: str, pair: Pair | None = None, reverse: bool = False
    ) -> Iterator[Record | FormatError]:
        for row in read_lexicon_rows(path):
            yield row.line, row.source, row.target, row.pos
