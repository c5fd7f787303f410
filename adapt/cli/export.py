"""`lrx export RUN_DIR -o DIR [--format hf|onnx]`: a run's kept model as a self-contained directory to ship.
Wraps lrx.adapt.run.export."""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXAMPLE = "lrx export outputs/2026-12-05/10-00-00_ee_lrx_trans_train_en_names -o ee-ner --format onnx"


def cmd_export(args: argparse.Namespace) -> int:
    from lrx.adapt.run.export import OnnxCheck  # imported when run: `lrx --help` stays fast (no torch)
    from lrx.adapt.run.export import export_model

    exported = export_model(args.run_dir, args.output, args.format)
    if isinstance(exported, OnnxCheck):
        print(exported.line())
        print(f"wrote {args.output} (onnx)", file=sys.stderr)
        return 0 if exported.passed else 1
    print(f"wrote {exported} (hf)", file=sys.stderr)
    return 0


def add_export_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add `export` to an argparse subparsers object; returns its parser."""
    parser = subparsers.add_parser(
        "export",
        help="ship a run's kept model: a Hugging Face directory, or ONNX checked against PyTorch",
        description="Copy the final model a run kept (model/, self_train/ or student/) into a new directory with "
        "its model card (README.md): `hf`, the Hugging Face directory as it is (weights, tokenizer, config, "
        "lrx.json); `onnx`, model.onnx with the tokenizer, config and card, and onnx_check.json: ONNX Runtime's "
        "outputs against PyTorch's on the run's dev sentences (one line printed; exit status 1 when they differ "
        "by more than 1e-4).",
        epilog=f"example:\n  {EXAMPLE}",
    )
    parser.add_argument("run_dir", metavar="RUN_DIR", help="an lrx-run run directory that kept its model")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="a new (or empty) directory to write")
    parser.add_argument(
        "--format",
        choices=("hf", "onnx"),
        default="hf",
        help="hf: the Hugging Face directory; onnx: model.onnx (needs the `export` extra of lrx) (default: hf)",
    )
    parser.set_defaults(handler=cmd_export)
    return parser
