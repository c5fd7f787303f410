"""`lrx gaps`: the English words and phrases of task data that a lexicon leaves untranslated, as a to-do lexicon.

    lrx gaps --tgt ee --lexicon gatitos --task ner --input conll_2003_en/train.txt [-n 200] [-o FILE] [--json]

A thin wrapper over `lrx.lexicons.gaps` (what a gap is, how gaps are ranked, the file's layout): reads the task
data (a path or a URL, through the fetch layer), loads the lexicon as `lrx synthesize` does, matches the data as
synthesis does, writes the top N gaps as a contributed-lexicon file with empty targets (default
`eng-<tgt>-gaps.tsv`, a name `lrx validate` reads the languages from), and prints the token coverage today and
with the top N filled. `--fill-from SOURCES` fills the targets from a second lexicon (its best translation,
unchecked) and prints the coverage those translations give.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from lrx.adapt.cli.output import print_record
from lrx.adapt.cli.output import writable_file


def _lexicon(names: str, settings: list[str], tgt: str, src: str) -> Any:
    from lrx.adapt.cli.main import _parse_overrides
    from lrx.lexicons.loading import load_lexicon
    from lrx.lexicons.loading import parse_source_names

    sources = parse_source_names(names)
    return load_lexicon(sources, tgt, src, options=_parse_overrides(settings, sources))


def _command(args: argparse.Namespace) -> str:
    """The command line that made the file, for its comment block."""
    words = ["lrx", "gaps", "--tgt", args.tgt, "--lexicon", args.lexicon, "--task", args.task, "--input", args.input]
    words += ["-n", str(args.n)]
    if args.max_sentences:
        words += ["--max-sentences", str(args.max_sentences)]
    if args.entities != "keep":
        words += ["--entities", args.entities]
    for flag, value, default in (("--max-words", args.max_words, 3), ("--min-count", args.min_count, 3)):
        if value != default:
            words += [flag, str(value)]
    if args.rank != "tokens":
        words += ["--rank", args.rank]
    for item in args.set:
        words += ["--set", item]
    if args.fill_from:
        words += ["--fill-from", args.fill_from, *(f"--fill-set={item}" for item in args.fill_set)]
    return shlex.join(words)


def cmd_gaps(args: argparse.Namespace) -> int:
    from lrx.adapt.synthesize import english_analyzer  # imported when run: `lrx --help` stays fast
    from lrx.adapt.tasks import get_task
    from lrx.adapt.tasks import read_task
    from lrx.lexicons.gaps import GapsFileInfo
    from lrx.lexicons.gaps import fill_targets
    from lrx.lexicons.gaps import find_gaps
    from lrx.lexicons.gaps import measure_coverage
    from lrx.lexicons.gaps import with_targets
    from lrx.lexicons.gaps import write_gaps_file
    from lrx.lexicons.sources.base import load_source
    from lrx.lexicons.synthesis import SynthesisOptions

    from lrx.core.fetch import fetch
    from lrx.core.languages import normalize_language

    if args.n < 1:
        raise ValueError("-n must be at least 1")
    src, tgt = normalize_language(args.src), normalize_language(args.tgt)
    out = writable_file(args.output or f"{src.iso3}-{tgt.iso3}-gaps.tsv")
    path = fetch(args.input)  # a path is read in place (a missing one is one clear error); a URL fetched
    sentences = read_task(args.task, path)
    if args.max_sentences:
        sentences = sentences[: args.max_sentences]
    lexicon = _lexicon(args.lexicon, args.set, args.tgt, args.src)
    options = SynthesisOptions(entities=args.entities)
    scheme = get_task(args.task).label_scheme
    analyzer = english_analyzer()
    report = find_gaps(
        sentences,
        lexicon,
        options,
        analyzer=analyzer,
        label_scheme=scheme,
        max_words=args.max_words,
        min_count=args.min_count,
        top=args.n,
        rank=args.rank,
    )
    top = report.gaps[: args.n]
    record: dict[str, Any] = {**report.as_dict(), "output": str(out)}
    targets: dict[str, str] = {}
    info = GapsFileInfo(
        src.iso3,
        tgt.iso3,
        src.name,
        tgt.name,
        args.lexicon,
        args.input + (f" (first {args.max_sentences} sentences)" if args.max_sentences else ""),
        _command(args),
        report.coverage,
        report.filled,
        len(top),
    )
    if args.fill_from:
        second = _lexicon(args.fill_from, args.fill_set, args.tgt, args.src)
        targets = fill_targets(top, second)
        with_filled = measure_coverage(
            sentences, with_targets(lexicon, targets), options, analyzer=analyzer, label_scheme=scheme
        )
        licences = sorted({load_source(name).licence for name in args.fill_from.split(",") if name.strip()})
        info.filled_from = args.fill_from + (f" ({', '.join(args.fill_set)})" if args.fill_set else "")
        info.filled_licence = "; ".join(licences)
        record.update(
            {"filled_from": args.fill_from, "filled_rows": len(targets), "coverage_filled": round(with_filled.ratio, 4)}
        )
    write_gaps_file(out, top, info, targets)
    print_record(record, as_json=args.json)
    if not args.json:
        print(f"check it with: lrx validate --lang {tgt.iso3} {shlex.quote(str(out))}", file=sys.stderr)
    return 0


def add_gaps_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add `gaps` to an argparse subparsers object; returns its parser."""
    from lrx.adapt.tasks import TASKS
    from lrx.lexicons.gaps import RANKS
    from lrx.lexicons.synthesis import ENTITIES

    parser = subparsers.add_parser(
        "gaps", help="the words of task data a lexicon leaves untranslated, as a lexicon file for a linguist to fill"
    )
    parser.add_argument("--tgt", required=True, help="target language (BCP-47 or ISO 639-3)")
    parser.add_argument("--lexicon", required=True, help="lexicon source name(s), comma separated: gatitos,freedict")
    parser.add_argument("--task", required=True, choices=TASKS, help="format of --input")
    parser.add_argument("--input", required=True, help="English task data: a file or a URL")
    parser.add_argument("-n", type=int, default=200, help="rows to write, the best ranked first (default 200)")
    parser.add_argument("-o", "--output", help="the file to write (default eng-<tgt>-gaps.tsv)")
    parser.add_argument("--src", default="eng", help="source language of the task data (default eng)")
    parser.add_argument("--max-sentences", type=int, default=0, help="the first N sentences only (0: all)")
    parser.add_argument(
        "--entities",
        choices=ENTITIES,
        default="keep",
        help="names: kept as they are and never gaps (keep, lrx-run's default method), or translated",
    )
    parser.add_argument("--max-words", type=int, default=3, help="longest phrase considered, in words (default 3)")
    parser.add_argument("--min-count", type=int, default=3, help="a phrase is listed from this many occurrences")
    parser.add_argument(
        "--rank", choices=RANKS, default="tokens", help="tokens translated first (default), or entity contexts first"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a lexicon source option (NAME.KEY=VALUE for one source), as for `lrx lexicon`",
    )
    parser.add_argument("--fill-from", metavar="SOURCES", help="fill the targets from this lexicon (unchecked)")
    parser.add_argument(
        "--fill-set", action="append", default=[], metavar="KEY=VALUE", help="a source option of --fill-from"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=cmd_gaps)
    return parser
