"""Synthesis speed on the CoNLL-2003 English NER training set, against the naive method timed in the same run.

1. One language, one process: tokens per second of
   - naive: Wang et al.'s method, a dict of single-word translations and `random.choice` per token, labels
     copied token by token (no multiword entries, no case folding, no lemmas, no label re-projection);
   - lrx: `Synthesizer` with multiword matching, case folding, lemma lookup and morphology on, weighted choice.
   Both translate the same sentences already in memory (reading and writing files are outside the timing);
   the ratio naive/lrx is printed (the target is <= 2).
2. All languages: `synthesize_many` (read, translate, write, stats per language) for every GATITOS language,
   over a process pool of `--workers` processes; total wall time.

Run on an idle machine: `LRX_MIRROR=../shared/data/mirror python benchmarks/synthesis_speed.py [--langs N]`.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lrx.adapt.synthesize import synthesize_many  # noqa: E402
from lrx.adapt.tasks import read_task  # noqa: E402
from lrx.lexicons.loading import load_lexicon  # noqa: E402
from lrx.lexicons.sources.base import load_source  # noqa: E402
from lrx.lexicons.synthesis import SynthesisOptions  # noqa: E402
from lrx.lexicons.synthesis import Synthesizer  # noqa: E402

from lrx.core.fetch import fetch  # noqa: E402
from lrx.core.sentence import Sentence  # noqa: E402

CONLL_URL = (
    "https://raw.githubusercontent.com/masakhane-io/masakhane-ner/"
    "ba5843cd08aa491d5f96a5e809e71eb9ec461391/data/conll_2003_en/train.txt"
)


def naive(sentences: list[Sentence], table: dict[str, list[str]], seed: int) -> list[Sentence]:
    rng = random.Random(seed)
    out = []
    for sentence in sentences:
        tokens = [rng.choice(table[t]) if t in table else t for t in sentence.tokens]
        out.append(Sentence(tokens, list(sentence.labels)))
    return out


def main() -> None:
    from lrx.morphology.english import load_english_analyzer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="sw", help="language of the single-process comparison")
    parser.add_argument("--lexicon", default="freedict", help="its lexicon (freedict: Swahili has UniMorph)")
    parser.add_argument("--unimorph", default="swc")
    parser.add_argument("--langs", type=int, default=0, help="GATITOS languages in the pool run (0: all)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeats", type=int, default=3, help="best of N timings")
    args = parser.parse_args()

    from lrx.adapt.synthesize import load_target_morphology

    path = fetch(CONLL_URL)
    sentences = read_task("ner", path)
    tokens = sum(len(s.tokens) for s in sentences)
    lexicon = load_lexicon(args.lexicon, args.lang)
    table: dict[str, list[str]] = {}
    for entry in lexicon:
        if " " not in entry.src:
            table.setdefault(entry.src, []).append(entry.tgt)
    analyzer = load_english_analyzer(fetch, plural_first=True)  # as synthesize_file does
    morphology = load_target_morphology(args.unimorph)

    def known(word: str) -> bool:
        return lexicon.has(word)

    def analyse(word: str) -> list[tuple[str, str]]:
        return [(a.lemma, a.feats) for a in analyzer.analyse(word, known)]

    naive_best = cold_best = warm_best = float("inf")
    for repeat in range(args.repeats):
        started = time.perf_counter()
        naive(sentences, table, repeat)
        naive_best = min(naive_best, time.perf_counter() - started)
        started = time.perf_counter()  # the Synthesizer's setup (multiword trie) is inside the timing
        synthesizer = Synthesizer(
            lexicon, SynthesisOptions(seed=repeat), analyse=analyse, inflect=morphology, label_scheme="bio"
        )
        for sentence in sentences:
            synthesizer.translate(sentence)
        cold_best = min(cold_best, time.perf_counter() - started)
        started = time.perf_counter()
        for sentence in sentences:
            synthesizer.translate(sentence)
        warm_best = min(warm_best, time.perf_counter() - started)
    paths = dict(synthesizer.stats.paths)
    distinct = len({t for s in sentences for t in s.tokens})
    print(
        f"CoNLL-2003 train: {len(sentences)} sentences, {tokens} tokens ({distinct} distinct); "
        f"{args.lexicon} eng-{args.lang}"
    )
    print(f"naive (dict + random.choice, table built beforehand): {tokens / naive_best:>12,.0f} tokens/s")
    print(
        f"lrx, first pass (every distinct token analysed, looked up, inflected): {tokens / cold_best:>12,.0f} tokens/s"
    )
    print(
        f"lrx, second pass (per-token plans cached):                            {tokens / warm_best:>12,.0f} tokens/s"
    )
    print(f"paths (both passes): {paths}")
    print(
        f"time ratio lrx/naive: first pass {cold_best / naive_best:.2f}x, second pass {warm_best / naive_best:.2f}x "
        "(target <= 2)"
    )

    languages = load_source("gatitos").languages()
    if args.langs:
        languages = languages[: args.langs]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out_dir:
        results = synthesize_many("ner", path, languages, "gatitos", out_dir, workers=args.workers)
    wall = time.perf_counter() - started
    failures = {lang: r["error"] for lang, r in results.items() if "error" in r}
    done = len(results) - len(failures)
    tokens_out = sum(r.get("tokens_out", 0) for r in results.values())
    print(
        f"all languages: {done} of {len(languages)} GATITOS languages synthesised (NER, morphology on) in "
        f"{wall:.1f} s wall with {args.workers} workers ({wall / max(done, 1):.2f} s per language, "
        f"{tokens_out:,} tokens written)"
    )
    for lang, error in failures.items():
        print(f"  failed: {lang}: {error}")


if __name__ == "__main__":
    main()
