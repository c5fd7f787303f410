"""`lrx report SWEEP_DIR`: a sweep's metrics.json files as a Markdown table and a chart. Wraps lrx.adapt.report."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def cmd_report(args: argparse.Namespace) -> int:
    from lrx.adapt.cli.output import writable_dir
    from lrx.adapt.report import report_json  # imported when run: `lrx --help` stays fast (no matplotlib)
    from lrx.adapt.report import write_report

    writable_dir(args.out or args.sweep_dir)
    report = write_report(args.sweep_dir, args.out, args.baseline)
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False, indent=2))
    else:
        print(report.markdown, end="")
    print(f"wrote {', '.join(str(path) for path in report.files)}", file=sys.stderr)
    return 0


def add_report_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add `report` to an argparse subparsers object; returns its parser."""
    parser = subparsers.add_parser(
        "report", help="tabulate a sweep's results (languages x methods): Markdown table, report.md and a chart"
    )
    parser.add_argument("sweep_dir", metavar="SWEEP_DIR", help="a sweep directory (every metrics.json under it)")
    parser.add_argument("--out", metavar="DIR", help="where to write report.md and the chart (default: SWEEP_DIR)")
    parser.add_argument(
        "--baseline",
        default="zero_shot",
        help="the method every other is compared with, paired by seed (default zero_shot)",
    )
    parser.add_argument("--json", action="store_true", help="print the tables as JSON instead of Markdown")
    parser.set_defaults(handler=cmd_report)
    return parser
