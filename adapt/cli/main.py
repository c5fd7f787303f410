"""`lrx`: utility commands. Thin wrappers: every command calls library functions that runs use too.

Errors are one line on stderr (`lrx: error: ...`) and exit status 2: bad input, a missing, unreadable or unwritable
file, a module of an extra that is not installed. `--debug` shows the traceback instead. `-v`/`-q` set how much
lrx logs (default: its progress and INFO lines; third-party libraries only warnings).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
from collections.abc import Iterator
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version
from typing import Any

from lrx.adapt.cli.output import print_record
from lrx.adapt.cli.output import writable_file
from rich_argparse import RawDescriptionRichHelpFormatter

from lrx.core.errors import LrxError
from lrx.core.extras import missing_extra
from lrx.core.languages import UnknownLanguageError

# one example per subcommand, shown at the end of its --help (tests/adapt/cli checks that every command has one)
EXAMPLES = {
    "lexicon stats": "lrx lexicon stats --source gatitos --tgt ee --json",
    "lexicon export": "lrx lexicon export --source gatitos,muse --tgt sw --top-k 3 -o eng-swh.tsv",
    "lexicon sources": "lrx lexicon sources",
    "lexicon induce": "lrx lexicon induce --src-text eng-kjv.tsv --tgt-text Ewe.xml --tgt ee -o eng-ewe.tsv",
    "unimorph stats": "lrx unimorph stats --lang swc --json",
    "inflect train": "lrx inflect train --train swc.trn --dev swc.dev --method auto --out swc-inflector",
    "inflect eval": "lrx inflect eval --model swc-inflector --test swc.tst --json",
    "inflect predict": "lrx inflect predict --model swc-inflector --lemma soma --feats 'V;PST;1;SG'",
    "synthesize": "lrx synthesize --task ner --input eng.train --tgt ee --lexicon gatitos --out ee.pseudo.conll",
    "report": "lrx report multirun/2026-12-05/10-00-00",
    "validate": "lrx validate data/lexicons/*.tsv data/paradigms/*.tsv",
    "gaps": "lrx gaps --tgt ee --lexicon gatitos --task ner --input eng.train -n 200 -o eng-ewe-gaps.tsv",
    "languages": "lrx languages --source gatitos --json",
    "export": "lrx export outputs/2026-12-05/10-00-00_ee_lrx_trans_train_en_names -o ee-ner --format onnx",
}


class HelpFormatter(RawDescriptionRichHelpFormatter):
    """rich's help layout, with each option's default appended unless its help already says it (or it has none
    worth saying: a flag, a required option), and the epilog's example kept as written."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if "default" in text or action.required or default in (None, False, [], argparse.SUPPRESS):
            return text
        if not action.option_strings and action.nargs not in ("?", "*"):
            return text
        return f"{text} (default: %(default)s)"


class LrxParser(argparse.ArgumentParser):
    """An ArgumentParser whose subcommands (created through `add_subparsers`, which makes them of the same class)
    all use `HelpFormatter`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


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
    writable_file(args.output)
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
    parser = LrxParser(
        prog="lrx",
        description="lrx utility commands: lexicons, UniMorph, inflection, synthesis, validation, reports. "
        "Runs (adapting an encoder) are `lrx-run`; see `lrx-run --help`.",
    )
    parser.add_argument("--version", action="version", version=_version_line())
    add_global_options(parser, defaults=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

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

    from lrx.adapt.cli.export import add_export_command
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
    add_export_command(commands)
    for name, leaf in leaf_parsers(parser):
        add_global_options(leaf, defaults=False)
        leaf.epilog = f"example:\n  {EXAMPLES[name]}" if name in EXAMPLES else leaf.epilog
    return parser


def _version_line() -> str:
    try:
        installed = version("lrx")
    except PackageNotFoundError:  # run from a checkout that was never installed
        installed = "unknown"
    return f"lrx {installed} (Python {platform.python_version()})"


def add_global_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """-v/-q/--debug on `lrx` itself and on every subcommand (so they work before or after its name); a
    subcommand's copy has no default, so that it does not reset what was given before the subcommand."""
    kwargs: dict[str, Any] = {} if defaults else {"default": argparse.SUPPRESS}
    parser.add_argument("-v", "--verbose", action="count", help="log more (-vv: third-party libraries too)", **kwargs)
    parser.add_argument("-q", "--quiet", action="count", help="log less: warnings only (-qq: errors only)", **kwargs)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error", **kwargs)


def leaf_parsers(parser: argparse.ArgumentParser, prefix: str = "") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every runnable subcommand's parser with its name ("lexicon stats"), depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{prefix} {name}".strip()
                if any(isinstance(a, argparse._SubParsersAction) for a in sub._actions):
                    yield from leaf_parsers(sub, full)
                else:
                    yield full, sub


def configure_logging(verbosity: int) -> None:
    """verbosity 0: lrx's INFO lines (progress, what a command did), others' warnings; 1: lrx's DEBUG too; 2:
    everything at DEBUG; -1: warnings only; -2: errors only."""
    root_level = logging.DEBUG if verbosity >= 2 else logging.WARNING
    logging.basicConfig(format="lrx: %(levelname)s: %(message)s", level=root_level)
    lrx_level = {1: logging.DEBUG, 0: logging.INFO, -1: logging.WARNING}.get(verbosity)
    if lrx_level is None:
        lrx_level = logging.DEBUG if verbosity > 1 else logging.ERROR
    logging.getLogger("lrx").setLevel(lrx_level)
    if verbosity <= -2:
        logging.getLogger().setLevel(logging.ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging((args.verbose or 0) - (args.quiet or 0))
    try:
        return args.handler(args)
    except BrokenPipeError:
        # the reader stopped reading (`lrx languages --json | head`): not an error; keep Python's exit-time
        # flush of stdout from raising again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("lrx: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        message = describe_error(error)
        if message is None or args.debug:
            raise
        print(f"lrx: error: {message}", file=sys.stderr)
        return 2


def describe_error(error: BaseException) -> str | None:
    """The one line for an error a user can act on (bad input, a file, a missing extra); None for anything else
    (a bug: its traceback is shown)."""
    if isinstance(error, ModuleNotFoundError):
        extra = missing_extra(error)
        return str(extra) if extra is not None else None
    if isinstance(error, LrxError | UnknownLanguageError | ValueError):
        return str(error)
    if isinstance(error, OSError):
        # FileNotFoundError, PermissionError, IsADirectoryError, a full disk...: the file and the problem
        where = error.filename if error.filename is not None else ""
        problem = error.strerror or str(error)
        return f"{where}: {problem}" if where else problem
    return None


if __name__ == "__main__":
    sys.exit(main())
