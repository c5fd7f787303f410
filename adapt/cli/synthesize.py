"""`lrx synthesize`: pseudo task data for a target language. A thin wrapper over `lrx.adapt.synthesize`."""

from __future__ import annotations

import argparse
from typing import Any

from lrx.adapt.cli.output import print_record

JSON_KEYS = ("sentences", "tokens_in", "tokens_out", "replaced_ratio", "inflected", "seconds", "tokens_per_s")


def options_from_args(args: argparse.Namespace) -> Any:
    """The `SynthesisOptions` that the flags say (the matching paths have no flags: all on)."""
    from lrx.lexicons.synthesis import SynthesisOptions

    return SynthesisOptions(
        choice=args.choice,
        unknown=args.unknown,
        entities=args.entities,
        morphology=args.morphology == "on",
        min_replaced=args.min_replaced,
        max_variants=args.max_variants,
        seed=args.seed,
        code_switch=args.code_switch,
    )


def cmd_synthesize(args: argparse.Namespace) -> int:
    from lrx.adapt.cli.output import writable_file
    from lrx.adapt.synthesize import synthesize_file  # imported when run: `lrx --help` stays fast

    options = options_from_args(args)
    writable_file(args.out)
    stats = synthesize_file(
        args.task, args.input, args.tgt, args.lexicon, args.out, options, src=args.src, unimorph=args.unimorph
    )
    if args.json:
        print_record({key: stats[key] for key in JSON_KEYS}, as_json=True)
    else:
        print_record({key: stats[key] for key in ("signature", "output", *JSON_KEYS)}, as_json=False)
    return 0


def add_synthesize_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add `synthesize` to an argparse subparsers object; returns its parser."""
    from lrx.adapt.tasks import TASKS
    from lrx.lexicons.synthesis import CHOICES
    from lrx.lexicons.synthesis import ENTITIES
    from lrx.lexicons.synthesis import UNKNOWN

    parser = subparsers.add_parser(
        "synthesize", help="translate English task data word by word into a target language (pseudo data)"
    )
    parser.add_argument("--task", required=True, choices=TASKS, help="format of --input (and of --out)")
    parser.add_argument("--input", required=True, help="English task file (path or URL)")
    parser.add_argument("--tgt", required=True, help="target language (BCP-47 or ISO 639-3)")
    parser.add_argument("--lexicon", required=True, help="lexicon source name(s), comma separated: gatitos,freedict")
    parser.add_argument(
        "--out",
        required=True,
        help="output file (stats: <out>.stats.json; for --task text the signature: <out>.lrx.json)",
    )
    parser.add_argument("--src", default="eng", help="source language of the task data (default eng)")
    parser.add_argument("--morphology", choices=("on", "off"), default="on", help="inflect lemma matches (on)")
    parser.add_argument("--choice", choices=CHOICES, default="weighted", help="how a translation is chosen")
    parser.add_argument("--unknown", choices=UNKNOWN, default="keep", help="what to do with untranslated words")
    parser.add_argument(
        "--entities",
        choices=ENTITIES,
        default="keep",
        help="named entities: keep them as they are (measured best on every MasakhaNER dev set), or translate them "
        "word by word",
    )
    parser.add_argument("--min-replaced", type=int, default=0, help="drop sentences with fewer translated tokens")
    parser.add_argument("--max-variants", type=int, default=4, help="pseudo sentences per sentence with --choice all")
    parser.add_argument("--seed", type=int, default=1, help="random seed (weighted choice)")
    parser.add_argument("--unimorph", default=None, help="UniMorph table for the target's morphology (e.g. swc)")
    parser.add_argument(
        "--code-switch",
        type=float,
        default=0.0,
        help="code-switching: per sentence translate a fraction drawn from [0, C] of the translatable words, "
        "the rest stay English (0: translate all; default 0)",
    )
    parser.add_argument("--json", action="store_true", help="print the stats as one JSON object")
    parser.set_defaults(handler=cmd_synthesize)
    return parser
