"""Inflection on every SIGMORPHON set in the data mirror: rules, neural and auto against the non-neural baseline.

Sets: SIGMORPHON 2020 task 0 (the 17 languages the mirror has; random splits, 53 to 7,852 training examples) and
2023 part 1 (11 languages, 10,000 training examples each, lemma-split). For each language, in parallel
processes: `auto` (`lrx inflect train --method auto`: rules and neural fitted on train, the better on dev kept,
training cells answered from the table) is trained once, and its candidates are scored on test too; the
non-neural baseline is re-run in the same process (`lrx.morphology.inflectors.affix_baseline`, the shared task's
decisions: it reproduces the published 2023 figures on 9 of 11 languages to 0.1 and the official code's 2020
figures on all 17), and printed beside the published figures where they exist (2023 non-neural: Goldman et al.
2023). Each method's mean is also given as a ratio to the baseline's.

    python benchmarks/inflection.py                                   # both years, rules + neural + auto
    python benchmarks/inflection.py --methods rules --years 2020      # seconds: the rules alone
    python benchmarks/inflection.py --neural-minutes 5 --jobs 2 --json results.json

Published neural baselines per language for 2020 and 2023 could not be found (the 2020 results live in a
spreadsheet that is no longer reachable; the 2023 repository's evaluation folder was never published), so none
is printed; the SIGMORPHON 2022 part 1 means are the reference to report against: non-neural 31.5 (small,
700 examples) and 37.5 (large, 7,000), neural 41.6 and 62.4, by language (2022InflectionST's
evaluation/baseline_results).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HOST = "raw.githubusercontent.com"
DATA_2023 = f"{HOST}/sigmorphon/2023InflectionST/e7f1b325b76b41e9ead998e449b17ec1cf536a9c/part1/data"
DATA_2020 = f"{HOST}/sigmorphon2020/task0-data/0d24b945ac96e08aa5a2f0080fa4de465f91b40a"
LANGUAGES = {
    2020: "swa zul sot nya lug lin kon sna tgl ceb mlg mao mlt orm ben tgk kaz".split(),
    2023: "swa amh nav sme eng fin tur hun kat klr san".split(),
}
# the shared task's non-neural baseline, test accuracy as published (2023: the task's results); None: not found
PUBLISHED_NON_NEURAL: dict[int, dict[str, float]] = {
    2023: {
        "swa": 60.5, "amh": 65.4, "nav": 35.8, "sme": 56.0, "eng": 96.6, "fin": 80.8,
        "tur": 64.6, "hun": 74.7, "kat": 82.0, "klr": 54.5, "san": 62.2,
    },
}  # fmt: skip


def data_files(mirror: Path, year: int, lang: str) -> tuple[Path, Path, Path]:
    if year == 2023:
        base = mirror / DATA_2023
        return base / f"{lang}.trn", base / f"{lang}.dev", base / f"{lang}.tst"
    base = mirror / DATA_2020
    train = next(base.glob(f"*-LANGUAGES/*/{lang}.trn"))
    return train, train.with_suffix(".dev"), base / "GOLD-TEST" / f"{lang}.tst"


def run_language(job: tuple[Path, int, str, tuple[str, ...], float, int]) -> dict[str, Any]:
    """One language: the baseline, then auto over `methods`; test accuracy and seconds of each."""
    import lrx.morphology.inflectors  # noqa: F401  (registers the methods)
    from lrx.morphology.data import read_examples
    from lrx.morphology.inflectors.affix_baseline import AffixBaseline
    from lrx.morphology.inflectors.auto import AutoInflector

    mirror, year, lang, methods, neural_minutes, threads = job
    train, dev, test = (read_examples(path, format=str(year)) for path in data_files(mirror, year, lang))
    started = time.perf_counter()
    baseline = AffixBaseline().fit(train)
    baseline_seconds = time.perf_counter() - started
    correct = sum(baseline.inflect(e.lemma, e.feats) == e.form for e in test)
    row: dict[str, Any] = {
        "year": year,
        "lang": lang,
        "train": len(train),
        "baseline": {"test": 100.0 * correct / len(test), "seconds": baseline_seconds},
        "published_non_neural": PUBLISHED_NON_NEURAL.get(year, {}).get(lang),
    }
    options = {"neural": {"max_minutes": neural_minutes, "threads": threads}}
    started = time.perf_counter()
    auto = AutoInflector(methods=methods, options=options).fit(train, dev)
    for name, model in auto.candidates.items():
        row[name] = {"test": model.accuracy(test), "dev": auto.dev_accuracy[name], "seconds": auto.train_seconds[name]}
        if name == "rules":
            row[name]["variant"] = model.settled_config()["variant"]
    row["auto"] = {"test": auto.accuracy(test), "chosen": auto.chosen, "seconds": time.perf_counter() - started}
    return row


def print_year(year: int, rows: list[dict[str, Any]], methods: tuple[str, ...]) -> None:
    names = ["baseline", *methods, "auto"]
    head = f"{'lang':<5}{'train':>7}{'published':>10}" + "".join(f"{n:>10}{'s':>7}" for n in names)
    print(f"\nSIGMORPHON {year}: test accuracy (%) and training seconds\n{head}")
    for row in rows:
        published = row["published_non_neural"]
        line = f"{row['lang']:<5}{row['train']:>7}{published if published is not None else '-':>10}"
        line += "".join(f"{row[n]['test']:>10.1f}{row[n]['seconds']:>7.0f}" for n in names)
        chosen = row["auto"]["chosen"] + (f", rules={row['rules']['variant']}" if "rules" in row else "")
        print(f"{line}  ({chosen})")
    means = {n: sum(r[n]["test"] for r in rows) / len(rows) for n in names}
    published = [r["published_non_neural"] for r in rows if r["published_non_neural"] is not None]
    shown = f"{sum(published) / len(published):.1f}" if len(published) == len(rows) else "-"
    print(f"{'mean':<5}{'':>7}{shown:>10}" + "".join(f"{means[n]:>10.1f}{'':>7}" for n in names))
    ratios = "  ".join(f"{n} {means[n] / means['baseline']:.3f}" for n in names[1:])
    print(f"ratio to the baseline (mean accuracy): {ratios}")
    worst = {n: min(r[n]["test"] - r["baseline"]["test"] for r in rows) for n in names[1:]}
    print("worst language against the baseline: " + "  ".join(f"{n} {worst[n]:+.1f}" for n in names[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_mirror = Path(os.environ.get("LRX_MIRROR", ROOT.parent / "shared/data/mirror"))
    parser.add_argument("--mirror", type=Path, default=default_mirror)
    parser.add_argument("--years", default="2020,2023")
    parser.add_argument("--languages", help="comma separated; default: every language of the chosen years")
    parser.add_argument("--methods", default="rules,neural", help="auto's candidates (rules: no torch needed)")
    parser.add_argument("--neural-minutes", type=float, default=10.0, help="neural training budget per language")
    parser.add_argument("--jobs", type=int, default=2, help="languages trained at once, one process each")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    methods = tuple(m.strip() for m in args.methods.split(",") if m.strip())
    years = [int(y) for y in args.years.split(",")]
    wanted = set(args.languages.split(",")) if args.languages else None
    threads = max(1, (os.cpu_count() or 1) // args.jobs)  # the processes share the cores
    jobs = [
        (args.mirror, year, lang, methods, args.neural_minutes, threads)
        for year in years
        for lang in LANGUAGES[year]
        if wanted is None or lang in wanted
    ]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(run_language, jobs))
    for year in years:
        year_rows = [row for row in rows if row["year"] == year]
        if year_rows:
            print_year(year, year_rows, methods)
    print(f"\n{len(rows)} languages, {args.jobs} processes, {time.perf_counter() - started:.0f} s wall clock")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
