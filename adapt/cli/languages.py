"""`lrx languages`: every language lrx can work on and what it has (lexicons, UniMorph, texts, test sets)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def _lexicons_cell(info: Any) -> str:
    cells = []
    for lexicon in info.lexicons:
        count = f" {lexicon.entries}" if lexicon.entries is not None else ""
        code = f"[{lexicon.code}]" if lexicon.code != info.tag else ""
        cells.append(f"{lexicon.source}{code}{count}")
    return ", ".join(cells) or "-"


def cmd_languages(args: argparse.Namespace) -> int:
    from lrx.adapt.languages import filter_by_source
    from lrx.adapt.languages import language_catalog

    catalog = language_catalog()
    rows = filter_by_source(catalog, args.source) if args.source else list(catalog)
    if args.json:
        # a JSON list with one language a line: valid JSON, and `| head` shows whole languages
        lines = ",\n".join(json.dumps(info.as_json(), ensure_ascii=False) for info in rows)
        print(f"[\n{lines}\n]")
        return 0
    print(f"{'code':<5} {'name':<28} {'script':<6} {'unimorph':<8} {'texts':>5}  {'test sets':<14} lexicons (entries)")
    for info in rows:
        tests = ",".join(f"{task}:{len(urls)}" for task, urls in info.test_sets.items()) or "-"
        print(
            f"{info.code:<5} {info.name[:28]:<28} {info.script or '-':<6} {info.unimorph or '-':<8} "
            f"{len(info.monolingual):>5}  {tests:<14} {_lexicons_cell(info)}"
        )
    with_tests = sum(1 for info in rows if info.test_sets)
    print(f"{len(rows)} languages; {with_tests} with a test set; lrx-run language=<code> adapts any of them")
    return 0


def add_languages_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add `languages` to an argparse subparsers object; returns its parser."""
    parser = subparsers.add_parser(
        "languages",
        help="list every language lrx can work on: lexicons, UniMorph table, unlabelled text, test sets",
        description="Every language the lexicon sources, the UniMorph tables and lrx's registry of test sets and "
        "texts (lrx/core/resources.yaml) know, one row per ISO 639-3 code. Entry counts are shown where the "
        "lexicon file is already on this machine (mirror or cache); listing never downloads. "
        "Example: lrx languages --source gatitos --json",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list, one object per language")
    parser.add_argument("--source", metavar="NAME", help="only languages with a lexicon from this source")
    parser.set_defaults(handler=cmd_languages)
    return parser
