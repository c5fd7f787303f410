"""Inflection on the SIGMORPHON 2023 part 1 data (lemma-split): rules vs neural vs the published baseline.

For each language: train `rules` and `neural` on `<lang>.trn` (neural early-stops on `<lang>.dev` within its
time budget), score exact-match accuracy on `<lang>.tst`, and print them beside the published non-neural
baseline (the SIGMORPHON 2020 affix-rule baseline re-run on the 2023 data), measured elsewhere but on the
same test files; `auto` is what `--method auto` would pick (the better on dev).

    python benchmarks/inflection.py [--languages swa,eng] [--neural-minutes 12] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import lrx.morphology.inflectors  # noqa: F401  (registers the methods)
from lrx.morphology.data import read_examples
from lrx.morphology.inflectors.base import inflector_class

ROOT = Path(__file__).resolve().parents[1]
DATA = "raw.githubusercontent.com/sigmorphon/2023InflectionST/e7f1b325b76b41e9ead998e449b17ec1cf536a9c/part1/data"
PUBLISHED_BASELINE = {
    "swa": 60.5, "amh": 65.4, "nav": 35.8, "sme": 56.0, "eng": 96.6, "fin": 80.8,
    "tur": 64.6, "hun": 74.7, "kat": 82.0, "klr": 54.5, "san": 62.2,
}  # fmt: skip


def run(method: str, lang: str, data: Path, **settings: object) -> dict[str, float]:
    train = read_examples(data / f"{lang}.trn", format="2023")
    dev = read_examples(data / f"{lang}.dev", format="2023")
    test = read_examples(data / f"{lang}.tst", format="2023")
    start = time.perf_counter()
    model = inflector_class(method)(**settings).fit(train, dev)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "dev": model.accuracy(dev), "test": model.accuracy(test)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mirror", type=Path, default=Path(os.environ.get("LRX_MIRROR", ROOT.parent / "shared/data/mirror"))
    )
    parser.add_argument("--languages", default=",".join(PUBLISHED_BASELINE))
    parser.add_argument("--neural-minutes", type=float, default=12.0, help="wall-clock budget per language")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    data = args.mirror / DATA
    results = {}
    columns = [("lang", 5), ("rules s", 9), ("rules", 8), ("neural s", 10), ("neural", 8), ("auto", 8)]
    columns += [("published", 11), ("auto - pub", 12)]
    print("".join(f"{name:<{width}}" if name == "lang" else f"{name:>{width}}" for name, width in columns), flush=True)
    for lang in args.languages.split(","):
        rules = run("rules", lang, data)
        neural = run("neural", lang, data, max_minutes=args.neural_minutes)
        auto = neural["test"] if neural["dev"] > rules["dev"] else rules["test"]
        results[lang] = {"rules": rules, "neural": neural, "auto": auto, "published": PUBLISHED_BASELINE[lang]}
        print(
            f"{lang:<5}{rules['seconds']:>9.1f}{rules['test']:>8.1f}{neural['seconds']:>10.0f}{neural['test']:>8.1f}"
            f"{auto:>8.1f}{PUBLISHED_BASELINE[lang]:>11.1f}{auto - PUBLISHED_BASELINE[lang]:>+12.1f}",
            flush=True,
        )
    n = len(results)
    mean = {k: sum(r[k]["test"] for r in results.values()) / n for k in ("rules", "neural")}
    mean_auto = sum(r["auto"] for r in results.values()) / n
    mean_pub = sum(r["published"] for r in results.values()) / n
    print(f"{'mean':<5}{'':>9}{mean['rules']:>8.1f}{'':>10}{mean['neural']:>8.1f}{mean_auto:>8.1f}{mean_pub:>11.1f}"
          f"{mean_auto - mean_pub:>+12.1f}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
