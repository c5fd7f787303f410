"""Lexicon sources, registered by name on import (see `lrx.lexicons.sources.base.register_source`)."""

from lrx.lexicons.sources import apertium  # noqa: F401
from lrx.lexicons.sources import bible  # noqa: F401
from lrx.lexicons.sources import contrib  # noqa: F401
from lrx.lexicons.sources import freedict  # noqa: F401
from lrx.lexicons.sources import gatitos  # noqa: F401
from lrx.lexicons.sources import merged  # noqa: F401
from lrx.lexicons.sources import muse  # noqa: F401
from lrx.lexicons.sources import panlex  # noqa: F401
from lrx.lexicons.sources import tsv  # noqa: F401
from lrx.lexicons.sources import wiktionary  # noqa: F401
