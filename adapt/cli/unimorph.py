"""`lrx unimorph ...`: UniMorph inflection tables. Thin wrappers over `lrx.morphology.unimorph`.

Wiring (in `adapt/cli/main.py`): `add_unimorph_commands(commands)` with the top-level subparsers object. Every
command sets `handler`; errors are ValueError subclasses (bad language, malformed line in `--strict`, invalid
tag in `--strict`) or `lrx.core.errors.LrxError` (fetching), which `lrx` prints as one line.
"""

from __future__ import annotations

import argparse
from typing import Any

from lrx.adapt.cli.output import print_record


def cmd_unimorph_stats(args: argparse.Namespace) -> int:
    from lrx.morphology.unimorph import load_unimorph

    from lrx.core.fetch import fetch  # imported when run: `lrx --help` stays fast

    paradigms = load_unimorph(args.lang, fetch, strict=args.strict, include_args=args.args)
    print_record(paradigms.stats(), as_json=args.json)
    return 0


def add_unimorph_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add `unimorph stats` to an argparse subparsers object (the result of `add_subparsers`); returns the
    `unimorph` parser."""
    unimorph = subparsers.add_parser("unimorph", help="UniMorph inflection tables: stats")
    commands = unimorph.add_subparsers(dest="unimorph_command", required=True)

    stats = commands.add_parser("stats", help="lemmas, forms, feature bundles and invalid tags of a language")
    stats.add_argument("--lang", required=True, help="language, ISO 639-3 or 639-1 (swc or sw, eng or en)")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.add_argument(
        "--strict", action="store_true", help="fail on the first malformed line, unknown or conflicting tag"
    )
    stats.add_argument(
        "--args",
        action="store_true",
        help="read the UniMorph 4 .args re-tag (hierarchical features) in place of the file it re-tags",
    )
    stats.set_defaults(handler=cmd_unimorph_stats)
    return unimorph
