"""`lrx`: utility commands. Thin wrappers: every command calls library functions that runs use too."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from lrx.adapt.cli.output import print_record

from lrx.core.errors import LrxError
from lrx.core.languages import UnknownLanguageError


def _parse_overrides(items: Sequence[str], names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`--set key=value` applies to every source; `--set name.key=value` to source `name` only."""
    from omegaconf import OmegaConf

    per_source: dict[str, dict[str, Any]] = {name: {} for name in names}
    for item in items:
        key, eq, value = item.partition("=")
        if not eq:
            raise ValueError(f"--set expects key=value, got {item!r}")
        parsed = OmegaConf.to_container(OmegaConf.from_dotlist([f"v={value}"]))["v"]  # type: ignore[index]
        head, dot, rest = key.partition(".")
        targets = [head] if dot and head in per_source else list(names)
        field = rest if dot and head in per_source else key
        for name in targets:
            per_source[name][field] = parsed
    return per_source


def _load(args: argparse.Namespace):
    from lrx.lexicons.loading import load_lexicon
    from lrx.lexicons.loading import parse_source_names

    names = parse_source_names(args.source)
    options = _parse_overrides(args.set, names)
    if args.strict:
        for name in names:
            options[name]["strict"] = True
    weights = _parse_weights(args.weights, names)
    return load_lexicon(names, args.tgt, args.src, weights=weights, options=options)


def _parse_weights(text: str | None, names: Sequence[str]) -> dict[str, float] | None:
    """`gatitos=2,muse=0.5` -> {"gatitos": 2.0, "muse": 0.5}; names must be among the loaded sources."""
    if not text:
        return None
    weights: dict[str, float] = {}
    for item in text.split(","):
        name, eq, value = item.partition("=")
        if not eq or name.strip() not in names:
            raise ValueError(f"--weights expects NAME=NUMBER for NAME in {', '.join(names)}; got {item!r}")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--weights: {value!r} is not a number") from None
    return weights


def cmd_lexicon_stats(args: argparse.Namespace) -> int:
    print_record(_load(args).stats(), as_json=args.json)
    return 0


def cmd_lexicon_export(args: argparse.Namespace) -> int:
    lexicon = _load(args)
    if args.min_weight is not None or args.min_count is not None or args.top_k is not None:
        lexicon = lexicon.filter(min_weight=args.min_weight, min_count=args.min_count, top_k=args.top_k)
    rows = lexicon.to_tsv(args.output, provenance=not args.no_provenance)
    print(f"wrote {rows} entries ({lexicon.src_lang}-{lexicon.tgt_lang}) to {args.output}", file=sys.stderr)
    return 0


def cmd_lexicon_sources(args: argparse.Namespace) -> int:
    from lrx.lexicons.sources.base import load_source
    from lrx.lexicons.sources.base import source_names

    described = [load_source(name).describe() for name in source_names()]
    if args.json:
        print(json.dumps(described, ensure_ascii=False, indent=2))
        return 0
    for info in described:
        languages = info["languages"]
        shown = ", ".join(languages[:12]) + (f", ... ({len(languages)} in all)" if len(languages) > 12 else "")
        print(f"{info['name']:<11} {info['licence']}")
        print(f"{'':<11} languages with English: {shown or 'any (given by the file)'}")
        print(f"{'':<11} {info['url_template'] or '(local file or URL set with --set url=...)'}")
        if info["citation"]:
            print(f"{'':<11} cite: {info['citation']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lrx", description="lrx utility commands")
    commands = parser.add_subparsers(dest="command", required=True)

    lexicon = commands.add_parser("lexicon", help="bilingual lexicons: stats, export, sources, induce")
    lexicon_commands = lexicon.add_subparsers(dest="lexicon_command", required=True)

    def add_loading_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--source", required=True, help="source name, or several joined by commas (merged)")
        sub.add_argument("--tgt", required=True, help="target language, ISO 639-3 or BCP-47 (ewe or ee)")
        sub.add_argument("--src", default="eng", help="source language (default: eng)")
        sub.add_argument("--strict", action="store_true", help="fail on the first malformed line")
        sub.add_argument("--weights", metavar="NAME=W,...", help="per-source weights when merging (default 1.0)")
        sub.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="override a source option of conf/lexicon/NAME.yaml (NAME.KEY=VALUE for one source)",
        )

    stats = lexicon_commands.add_parser("stats", help="entry counts of a lexicon")
    add_loading_options(stats)
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.set_defaults(handler=cmd_lexicon_stats)

    export = lexicon_commands.add_parser("export", help="write a lexicon as TSV")
    add_loading_options(export)
    export.add_argument("-o", "--output", required=True, help="output .tsv file")
    export.add_argument("--no-provenance", action="store_true", help="omit source, url and line columns")
    export.add_argument("--min-weight", type=float, help="keep pairs whose summed weight is at least this")
    export.add_argument("--min-count", type=int, help="keep pairs attested at least this many times")
    export.add_argument("--top-k", type=int, help="keep at most this many translations per source phrase")
    export.set_defaults(handler=cmd_lexicon_export)

    sources = lexicon_commands.add_parser("sources", help="list lexicon sources, languages and licences")
    sources.add_argument("--json", action="store_true", help="print JSON")
    sources.set_defaults(handler=cmd_lexicon_sources)

    from lrx.adapt.cli.induce import add_induce_command

    add_induce_command(lexicon_commands)

    from lrx.adapt.cli.gaps import add_gaps_command
    from lrx.adapt.cli.inflect import add_inflect_commands
    from lrx.adapt.cli.languages import add_languages_command
    from lrx.adapt.cli.report import add_report_command
    from lrx.adapt.cli.synthesize import add_synthesize_command
    from lrx.adapt.cli.unimorph import add_unimorph_commands
    from lrx.adapt.cli.validate import add_validate_command

    add_unimorph_commands(commands)
    add_inflect_commands(commands)
    add_synthesize_command(commands)
    add_report_command(commands)
    add_validate_command(commands)
    add_gaps_command(commands)
    add_languages_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(format="lrx: %(levelname)s: %(message)s", level=logging.WARNING)
    try:
        return args.handler(args)
    except (LrxError, UnknownLanguageError, ValueError) as exc:
        print(f"lrx: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader stopped reading (`lrx languages --json | head`): not an error; keep Python's exit-time
        # flush of stdout from raising again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
