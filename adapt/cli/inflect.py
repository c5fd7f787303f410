"""`lrx inflect train|eval|predict`: train an inflector on SIGMORPHON/UniMorph files, score it, use it.

Thin wrappers over `lrx.morphology.data` and the inflector registry. Data files may be local paths or URLs (fetched
and cached through `lrx.core.fetch`, so LRX_MIRROR and LRX_OFFLINE apply); models are local directories.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import lrx.morphology.inflectors  # noqa: F401  (importing the package registers every available method)
from lrx.adapt.cli.output import writable_dir
from lrx.morphology.data import FORMATS
from lrx.morphology.data import read_examples
from lrx.morphology.inflectors.base import Example
from lrx.morphology.inflectors.base import Inflector
from lrx.morphology.inflectors.base import inflector_class
from lrx.morphology.inflectors.base import load_inflector

from lrx.core.fetch import fetch

METHODS = ("auto", "rules", "neural", "lookup")


def _examples(location: str, format: str) -> list[Example]:
    return read_examples(fetch(location), format=format)


def _parse_options(items: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`--set METHOD.KEY=VALUE` -> {METHOD: {KEY: VALUE}}; VALUE is read as JSON when it parses (5, 0.1, true),
    else kept as text."""
    options: dict[str, dict[str, Any]] = {}
    for item in items:
        key, eq, text = item.partition("=")
        method, dot, name = key.partition(".")
        if not eq or not dot or not method or not name:
            raise ValueError(f"--set expects METHOD.KEY=VALUE (e.g. neural.max_minutes=5), got {item!r}")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        options.setdefault(method, {})[name] = value
    return options


def _build(method: str, options: dict[str, dict[str, Any]], seed: int | None) -> Inflector:
    if seed is not None:
        options.setdefault("neural", {}).setdefault("seed", seed)
    try:
        cls = inflector_class(method)
    except KeyError as exc:
        raise ValueError(str(exc.args[0])) from None
    if method == "auto":
        auto_options = dict(options.pop("auto", {}))
        if seed is not None:
            auto_options.setdefault("seed", seed)
        return cls(options=options, **auto_options)
    return cls(**options.get(method, {}))


def _load(directory: str) -> Inflector:
    try:
        return load_inflector(directory)
    except (FileNotFoundError, KeyError) as exc:  # the CLI reports these as one line, like ValueError
        raise ValueError(str(exc.args[0]) if isinstance(exc, KeyError) else str(exc)) from None


def cmd_inflect_train(args: argparse.Namespace) -> int:
    options = _parse_options(args.set)
    if args.max_minutes is not None:
        options.setdefault("neural", {})["max_minutes"] = args.max_minutes
    if args.methods:
        options.setdefault("auto", {})["methods"] = [m.strip() for m in args.methods.split(",") if m.strip()]
    inflector = _build(args.method, options, args.seed)
    writable_dir(args.out)
    train = _examples(args.train, args.format)
    dev = _examples(args.dev, args.format) if args.dev else None
    started = time.perf_counter()
    inflector.fit(train, dev)
    seconds = time.perf_counter() - started
    out = inflector.save(args.out)
    report: dict[str, Any] = {
        "method": inflector.method,
        "train": len(train),
        "dev": len(dev) if dev else 0,
        "dev_accuracy": round(inflector.accuracy(dev), 2) if dev else None,
        "seconds": round(seconds, 1),
        "out": str(out),
    }
    chosen = getattr(inflector, "chosen", None)
    if chosen is not None:
        report["chosen"] = chosen
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        picked = f" (chose {chosen})" if chosen else ""
        scored = f"; dev accuracy {report['dev_accuracy']:.2f}%" if dev else ""
        print(f"trained {inflector.method}{picked} on {len(train)} examples in {seconds:.1f} s{scored}; saved to {out}")
    return 0


def cmd_inflect_eval(args: argparse.Namespace) -> int:
    inflector = _load(args.model)
    test = _examples(args.test, args.format)
    accuracy = round(inflector.accuracy(test), 2)
    if args.json:
        print(json.dumps({"accuracy": accuracy, "n": len(test)}))
    else:
        print(f"accuracy {accuracy:.2f}% on {len(test)} examples ({inflector.method}, {args.model})")
    return 0


def cmd_inflect_predict(args: argparse.Namespace) -> int:
    form = _load(args.model).inflect(args.lemma, args.feats)
    if form is None:
        print(f"lrx: no form for {args.lemma!r} with {args.feats!r}", file=sys.stderr)
        return 1
    print(form)
    return 0


def add_inflect_commands(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `inflect train|eval|predict` to the `lrx` command parsers; returns the `inflect` parser."""
    inflect = subparsers.add_parser("inflect", help="morphological inflection: train, eval, predict")
    commands = inflect.add_subparsers(dest="inflect_command", required=True)
    formats = ", ".join(FORMATS)

    train = commands.add_parser("train", help="train an inflector and save it to a directory")
    train.add_argument("--train", required=True, metavar="FILE", help="training examples (path or URL)")
    train.add_argument("--dev", metavar="FILE", help="dev examples: model choice and early stopping")
    train.add_argument("--out", required=True, metavar="DIR", help="directory to save the inflector to")
    train.add_argument("--method", choices=METHODS, default="auto", help="inflection method (default: auto)")
    train.add_argument("--format", choices=FORMATS, default="auto", help=f"column layout of the files: {formats}")
    train.add_argument("--methods", metavar="M1,M2", help="auto's candidates, in order of preference (rules,neural)")
    train.add_argument("--seed", type=int, help="random seed (neural training; auto's held-out split)")
    train.add_argument("--max-minutes", type=float, help="wall-clock budget of neural training")
    train.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="METHOD.KEY=VALUE",
        help="a constructor option of one method, e.g. rules.stem=span or neural.max_minutes=5",
    )
    train.add_argument("--json", action="store_true", help="print the training summary as JSON")
    train.set_defaults(handler=cmd_inflect_train)

    evaluate = commands.add_parser("eval", help="exact-match accuracy of a saved inflector on a test file")
    evaluate.add_argument("--model", required=True, metavar="DIR", help="a directory written by `inflect train`")
    evaluate.add_argument("--test", required=True, metavar="FILE", help="test examples (path or URL)")
    evaluate.add_argument("--format", choices=FORMATS, default="auto", help=f"column layout of the file: {formats}")
    evaluate.add_argument("--json", action="store_true", help='print {"accuracy": PERCENT, "n": ITEMS}')
    evaluate.set_defaults(handler=cmd_inflect_eval)

    predict = commands.add_parser("predict", help="inflect one lemma")
    predict.add_argument("--model", required=True, metavar="DIR", help="a directory written by `inflect train`")
    predict.add_argument("--lemma", required=True)
    predict.add_argument("--feats", required=True, help="UniMorph feature bundle, e.g. 'V;PST'")
    predict.set_defaults(handler=cmd_inflect_predict)
    return inflect
