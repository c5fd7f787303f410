"""`lrx lexicon induce`: a lexicon induced from an English and a target-language Bible (`lrx.lexicons.induce`),
written as the TSV the `tsv` source reads (`--source tsv --set url=FILE`, or merged: `--source gatitos,tsv`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lrx.adapt.cli.output import print_record


def cmd_lexicon_induce(args: argparse.Namespace) -> int:
    from lrx.adapt.cli.output import writable_file
    from lrx.lexicons.induce import InductionSettings
    from lrx.lexicons.induce import induce_from_files

    from lrx.core.fetch import fetch
    from lrx.core.languages import normalize_language

    tgt = normalize_language(args.tgt).tag
    writable_file(args.output)
    settings = InductionSettings(
        symmetrize=args.symmetrize,
        score=args.score,
        top_k=args.top_k,
        min_count=args.min_count,
        books=tuple(name for item in args.books for name in item.split(",")),
        max_verses=args.max_verses,
        iterations=args.iterations,
    )
    # local paths are read in place, URLs fetched and cached (LRX_MIRROR applies)
    induced = induce_from_files(fetch(args.src_text), fetch(args.tgt_text), tgt, settings)
    rows = induced.write_tsv(args.output)
    if not args.json:
        print(f"wrote {rows} entries (eng-{tgt}) to {args.output}", file=sys.stderr)
    print_record(induced.summary(), as_json=args.json)
    return 0


def add_induce_command(lexicon_commands: Any) -> argparse.ArgumentParser:
    """Add `induce` to the `lrx lexicon` subcommands; returns its parser."""
    from lrx.lexicons.induce import SCORES
    from lrx.lexicons.induce import SYMMETRIZATIONS
    from lrx.lexicons.induce import InductionSettings

    parser = lexicon_commands.add_parser(
        "induce", help="induce a lexicon from an English and a target Bible (eflomal word alignment)"
    )
    parser.add_argument("--src-text", required=True, help="English Bible: verse_id<TAB>text (path or URL)")
    parser.add_argument("--tgt-text", required=True, help="target Bible: bible-corpus CES XML or TSV (path or URL)")
    parser.add_argument("--tgt", required=True, help="target language, ISO 639-3 or BCP-47 (ewe or ee)")
    parser.add_argument("-o", "--output", required=True, help="output .tsv (source, target, pos, weight, count)")
    parser.add_argument(
        "--books",
        nargs="+",
        default=[],
        metavar="BOOK",
        help="induce on these books only (MAT MRK LUK JHN ACT; default: every book both texts have)",
    )
    parser.add_argument("--max-verses", type=int, default=0, help="the first N shared verses only (0: all)")
    parser.add_argument("--top-k", type=int, default=InductionSettings.top_k, help="target words per English word")
    parser.add_argument(
        "--min-count", type=int, default=InductionSettings.min_count, help="least links for a pair to be kept"
    )
    parser.add_argument(
        "--iterations", type=float, default=InductionSettings.iterations, help="eflomal's iterations, x its default"
    )
    parser.add_argument("--symmetrize", choices=SYMMETRIZATIONS, default=InductionSettings.symmetrize)
    parser.add_argument(
        "--score", choices=SCORES, default=InductionSettings.score, help="rank by p(t|e) or p(t|e)*p(e|t)"
    )
    parser.add_argument("--json", action="store_true", help='print one JSON object {"tgt", "verses", ...}')
    parser.set_defaults(handler=cmd_lexicon_induce)
    return parser
