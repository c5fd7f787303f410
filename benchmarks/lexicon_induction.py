"""Lexicons induced from Bibles (`lrx.lexicons.induce`): precision against GATITOS, and chrF of word-by-word
translation of held-out verses, each beside a baseline measured in the same run.

Per language, one lexicon is induced from the KJV and the language's New Testament (the registry's Bible) on the
Gospels and Acts (MAT MRK LUK JHN ACT, `--books`). Then:

* P@1 against GATITOS: the English words that occur at least 5 times in those verses and that GATITOS translates
  with a single word (its single-token targets are the gold set). Is the top induced translation among the gold?
  Beside the baseline: for each word the target word with the highest verse-level Dice coefficient
  2 c(e,t) / (c(e) + c(t)) over the same verses. A word with no induced entry counts as a miss. Words are compared
  as spelling variants of one orthography (`normal`): lowercased, the apostrophe look-alikes made one (K'iche's
  Bible writes U+02BC, Mam's U+02C8, GATITOS an ASCII apostrophe or the acute accent U+00B4), look-alike letters
  made the letter (GATITOS Ewe writes the small capital U+1D10 for the open o U+0254, GATITOS Dinka sometimes the
  Greek epsilon for U+025B) and the diaeresis dropped (GATITOS Dinka marks breathy vowels with it, the Dinka
  Bible's older orthography never does). Without it both methods score lower, on din by half.
* chrF (sacrebleu) of the Epistles and Revelation (ROM..REV, verses not used for induction) translated word by
  word from the KJV through lrx's own synthesis (`lrx.adapt.synthesize.synthesize_sentences`, the `text` task path
  of `lrx synthesize`, every matching path on) with (a) GATITOS alone, (b) the induced lexicon alone, (c) GATITOS
  merged with it (GATITOS entries weigh 1, induced ones their p(t|e) <= 1: with `choice=frequent`, GATITOS decides
  where it has the word and the Bible's usage breaks its ties; with `weighted`, lrx's default, seed 1, a word's
  translations are sampled by those weights), scored as text against the language's own verses.

Run: `LRX_MIRROR=../shared/data/mirror python benchmarks/lexicon_induction.py [--langs ee,wo] [--no-chrf]`;
`--symmetrize`, `--score`, `--min-count`, `--top-k` try other induction settings. eflomal samples without a
seed, so induced figures move by a few tenths between runs.
"""

from __future__ import annotations

import argparse
import os
import time
import unicodedata
from collections import Counter
from collections import defaultdict
from pathlib import Path

from lrx.lexicons.induce import InductionSettings
from lrx.lexicons.induce import induce_lexicon
from lrx.lexicons.induce import shared_verses
from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.loading import load_lexicon
from lrx.lexicons.verses import book
from lrx.lexicons.verses import book_code
from lrx.lexicons.verses import is_word
from lrx.lexicons.verses import read_verses
from lrx.lexicons.verses import words

from lrx.core.fetch import fetch
from lrx.core.registry import bible_url

ROOT = Path(__file__).resolve().parents[1]
KJV = ROOT.parent / "shared/data/derived/bible/English-KJV.tsv"
LANGUAGES = ("ee", "wo", "din", "quc", "mam")
INDUCTION_BOOKS = ("MAT", "MRK", "LUK", "JHN", "ACT")
HELD_OUT_BOOKS = "ROM 1CO 2CO GAL EPH PHP COL 1TH 2TH 1TI 2TI TIT PHM HEB JAS 1PE 2PE 1JN 2JN 3JN JUD REV".split()
MIN_FREQUENCY = 5
# `frequent`: each word's best translation (deterministic); `weighted`: sampled by weight, seed 1 (lrx's default)
CHOICES = ("frequent", "weighted")
# spelling variants made one for comparing with GATITOS (see the docstring); U+0308 is the combining diaeresis
APOSTROPHES = "\u00b4\u02bc\u02c8\u2019\u2018"  # acute accent, modifier apostrophe, vertical line, quotes
VARIANTS = str.maketrans({**dict.fromkeys(APOSTROPHES, "'"), "\u1d10": "\u0254", "\u03b5": "\u025b", "\u0308": None})


def normal(word: str) -> str:
    """How words are compared with GATITOS: lowercased, spelling variants made one, NFC."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", word.lower()).translate(VARIANTS))


def gold_translations(lexicon: Lexicon) -> dict[str, set[str]]:
    """English single word -> GATITOS's single-token targets for it."""
    gold: dict[str, set[str]] = defaultdict(set)
    for entry in lexicon:
        if " " in entry.src.strip():
            continue
        target = words(entry.tgt)
        if len(target) == 1 and is_word(target[0]):
            gold[normal(entry.src.strip())].add(normal(target[0]))
    return dict(gold)


def dice_best(src_lines: list[list[str]], tgt_lines: list[list[str]], wanted: set[str]) -> dict[str, str]:
    """For each wanted English word, the target word with the highest verse-level Dice coefficient."""
    src_df: Counter[str] = Counter()
    tgt_df: Counter[str] = Counter()
    both: dict[str, Counter[str]] = defaultdict(Counter)
    for src, tgt in zip(src_lines, tgt_lines, strict=True):
        src_set, tgt_set = set(src), {t for t in tgt if is_word(t)}
        src_df.update(src_set)
        tgt_df.update(tgt_set)
        for e in src_set & wanted:
            both[e].update(tgt_set)
    best: dict[str, str] = {}
    for e, co in both.items():
        best[e] = max(co, key=lambda t, e=e, co=co: (2 * co[t] / (src_df[e] + tgt_df[t]), t))
    return best


def precision(best: dict[str, str], gold: dict[str, set[str]], evaluated: list[str]) -> float:
    hits = sum(1 for e in evaluated if e in best and normal(best[e]) in gold[e])
    return 100 * hits / len(evaluated) if evaluated else 0.0


def chrf_scores(
    code: str, english: dict, target_path: Path, lexicons: dict[str, Lexicon]
) -> tuple[int, dict[tuple[str, str], float]]:
    """chrF of the held-out verses translated with each lexicon under each choice, and the verse count. Inputs,
    outputs and references are what `lrx synthesize --task text` reads and writes: tokens with their space
    flags, scored as detokenised text."""
    from lrx.adapt.synthesize import synthesize_sentences
    from lrx.adapt.tasks.text import detokenize
    from lrx.adapt.tasks.text import read_bible
    from lrx.lexicons.synthesis import SynthesisOptions
    from sacrebleu.metrics import CHRF

    held_out = {book_code(name) for name in HELD_OUT_BOOKS}
    target = {s.meta["id"]: s for s in read_bible(target_path) if book(s.meta["id"]) in held_out and s.tokens}
    ids = [verse for verse in target if verse in english and english[verse].tokens]
    refs = [detokenize(target[verse].tokens, target[verse].space_after) for verse in ids]
    sources = [english[verse] for verse in ids]
    scores = {}
    for choice in CHOICES:
        for name, lexicon in lexicons.items():
            done = synthesize_sentences(sources, "text", code, lexicon, SynthesisOptions(choice=choice))
            hyps = [detokenize(sentence.tokens, sentence.space_after) for sentence in done.sentences]
            scores[choice, name] = CHRF().corpus_score(hyps, [refs]).score
    return len(ids), scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default=",".join(LANGUAGES))
    parser.add_argument("--books", default=" ".join(INDUCTION_BOOKS), help="books to induce on")
    parser.add_argument("--symmetrize", default=InductionSettings.symmetrize)
    parser.add_argument("--score", default=InductionSettings.score)
    parser.add_argument("--min-count", type=int, default=InductionSettings.min_count)
    parser.add_argument("--top-k", type=int, default=InductionSettings.top_k)
    parser.add_argument("--no-chrf", action="store_true", help="P@1 only")
    parser.add_argument("--save", metavar="DIR", help="write each induced lexicon to DIR/<lang>.tsv")
    args = parser.parse_args()
    os.environ.setdefault("LRX_MIRROR", str(ROOT.parent / "shared/data/mirror"))

    settings = InductionSettings(
        symmetrize=args.symmetrize,
        score=args.score,
        min_count=args.min_count,
        top_k=args.top_k,
        books=tuple(args.books.replace(",", " ").split()),
    )
    print(f"induction: {settings.key()}")
    print(f"P@1 on the English words seen >= {MIN_FREQUENCY} times that GATITOS translates with one word")
    english_verses = read_verses(KJV)
    english_sentences = None
    p_rows, c_rows = [], []
    for code in args.langs.split(","):
        url = bible_url(code)
        if url is None:
            print(f"{code}: no Bible in the registry")
            continue
        target_path = fetch(url)
        target_verses = read_verses(target_path)

        started = time.perf_counter()
        ids = shared_verses(english_verses, target_verses, settings)
        pairs = [(words(english_verses[v]), words(target_verses[v])) for v in ids]
        pairs = [(s, t) for s, t in pairs if s and t]
        src_lines, tgt_lines = [s for s, _ in pairs], [t for _, t in pairs]
        gold = gold_translations(load_lexicon(["gatitos"], code, "eng"))
        frequency = Counter(word for line in src_lines for word in line)
        evaluated = sorted(e for e in gold if frequency[e] >= MIN_FREQUENCY)
        dice = dice_best(src_lines, tgt_lines, set(evaluated))
        dice_seconds = time.perf_counter() - started

        induced = induce_lexicon(english_verses, target_verses, code, settings)
        top = {e: found[0].tgt for e, found in induced.translations.items() if found}
        p_dice, p_induced = precision(dice, gold, evaluated), precision(top, gold, evaluated)
        ratio = p_induced / p_dice if p_dice else float("inf")
        p_rows.append((code, induced.verses, len(evaluated), p_dice, p_induced, ratio, dice_seconds, induced.seconds))
        print(
            f"{code:<4} verses {induced.verses:>5}  words {len(evaluated):>4}  Dice P@1 {p_dice:5.1f}  "
            f"induced P@1 {p_induced:5.1f}  ratio {ratio:4.2f}  seconds: Dice {dice_seconds:4.1f}, "
            f"induction {induced.seconds:5.1f}  ({induced.entries} entries, {len(induced.translations)} words)",
            flush=True,
        )
        if args.save:
            induced.write_tsv(Path(args.save) / f"{code}.tsv")
        if args.no_chrf:
            continue
        if english_sentences is None:
            from lrx.adapt.tasks.text import read_bible

            english_sentences = {s.meta["id"]: s for s in read_bible(KJV)}
        started = time.perf_counter()
        gatitos = load_lexicon(["gatitos"], code, "eng")
        lexicon = induced.to_lexicon("bible", url)
        candidates = {"gatitos": gatitos, "induced": lexicon, "merged": Lexicon.merge([gatitos, lexicon])}
        count, scores = chrf_scores(code, english_sentences, target_path, candidates)
        seconds = time.perf_counter() - started
        c_rows.append((code, count, scores, seconds))
        for choice in CHOICES:
            print(
                f"{code:<4} chrF ({choice}) on {count} held-out verses: GATITOS {scores[choice, 'gatitos']:.2f}  "
                f"induced {scores[choice, 'induced']:.2f}  merged {scores[choice, 'merged']:.2f}",
                flush=True,
            )

    print("\nP@1 against GATITOS (induced on " + " ".join(settings.books) + ")")
    print("| lang | verses | words | Dice P@1 | induced P@1 | ratio | Dice s | induction s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for code, verses, n, p_dice, p_induced, ratio, dice_s, induced_s in p_rows:
        print(
            f"| {code} | {verses} | {n} | {p_dice:.1f} | {p_induced:.1f} | {ratio:.2f} "
            f"| {dice_s:.1f} | {induced_s:.1f} |"
        )
    for choice in CHOICES if c_rows else ():
        print(f"\nchrF of word-by-word translation ({choice} choice), Epistles and Revelation (held out)")
        print("| lang | verses | GATITOS | induced | GATITOS+induced | merged - GATITOS | seconds |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for code, count, scores, seconds in c_rows:
            gatitos, alone, merged = (scores[choice, name] for name in ("gatitos", "induced", "merged"))
            print(
                f"| {code} | {count} | {gatitos:.2f} | {alone:.2f} | {merged:.2f} | {merged - gatitos:+.2f} "
                f"| {seconds:.1f} |"
            )


if __name__ == "__main__":
    main()
