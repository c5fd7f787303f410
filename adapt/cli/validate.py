"""`lrx validate FILE... [--kind lexicon|paradigm] [--lang ISO] [--fix] [--json] [--strict]`.

A thin wrapper over `lrx.lexicons.validate`: exit 0 when no file has errors (warnings too with `--strict`), 1
otherwise. `--fix` applies the safe fixes first, then reports what is left. `--json` prints
`{"errors": [...], "warnings": [...]}`, each item with `file`, `line`, `column`, `code`, `message`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def cmd_validate(args: argparse.Namespace) -> int:
    from lrx.lexicons.validate import Report  # imported when run: `lrx --help` stays fast
    from lrx.lexicons.validate import fix_file
    from lrx.lexicons.validate import validate_file

    from lrx.core.fetch import fetch

    report = Report()
    for name in args.files:
        remote = "://" in name and not name.startswith("file://")
        if args.fix and remote:
            raise ValueError(f"{name}: --fix edits files in place; a URL cannot be fixed (download it first)")
        path = fetch(name)  # a path is read in place (missing: one clear error); a URL fetched and cached
        if args.fix and fix_file(path, kind=args.kind):
            print(f"fixed {name}", file=sys.stderr)
        report.extend(validate_file(path, kind=args.kind, lang=args.lang, label=name))
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for finding in report.all():
            print(finding)
        print(f"{len(args.files)} files: {len(report.errors)} errors, {len(report.warnings)} warnings", file=sys.stderr)
    failed = bool(report.errors) or (args.strict and bool(report.warnings))
    return 1 if failed else 0


def add_validate_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add `validate` to an argparse subparsers object; returns its parser."""
    parser = subparsers.add_parser(
        "validate", help="check contributed lexicon and paradigm files (see CONTRIBUTING.md)"
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="tab-separated files to check (paths or URLs)")
    parser.add_argument(
        "--kind", choices=("lexicon", "paradigm"), help="what the files are (default: from their folder or header)"
    )
    parser.add_argument("--lang", metavar="ISO", help="the (target) language, when the file name does not say it")
    parser.add_argument(
        "--fix", action="store_true", help="apply safe fixes in place (NFC, trimming, tag order, duplicates)"
    )
    parser.add_argument("--json", action="store_true", help='print {"errors": [...], "warnings": [...]}')
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.set_defaults(handler=cmd_validate)
    return parser
