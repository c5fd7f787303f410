"""Lexicon sources, registered by name on import (see `lexicons.sources.base.register_source`)."""

from lexicons.sources import apertium  # noqa: F401
from lexicons.sources import contrib  # noqa: F401
from lexicons.sources import freedict  # noqa: F401
from lexicons.sources import gatitos  # noqa: F401
from lexicons.sources import muse  # noqa: F401
from lexicons.sources import panlex  # noqa: F401
from lexicons.sources import tsv  # noqa: F401
from lexicons.sources import wiktionary  # noqa: F401
