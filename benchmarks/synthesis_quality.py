"""Translation quality of word-by-word synthesis, measured without a model: chrF against real Bibles.

The English King James New Testament is translated verse by verse into each target language and scored with
chrF (sacrebleu) against that language's real New Testament, over the verses both have. Rows, each adding one
step to the one before:

  copy        English unchanged (the floor: names and numbers already match)
  plain       exact single-word lookup, most frequent translation, unknown words kept (Wang et al.'s scripts,
              with the most frequent instead of a random translation so that the figures are deterministic)
  +multiword  longest match over multiword lexicon entries
  +casefold   case-folded lookup after exact
  +lemma      English lemma lookup ("dogs" -> dog) for words the lexicon lacks, the target lemma bare
  +morph      the target lemma inflected to match (only where the target has a UniMorph table: Swahili)

and two columns for what `lrx synthesize --task text` gives on the verses as plain-text lines (its defaults:
weighted choice, seed 1, every matching path, morphology where the target has a table), before and after its
reader split punctuation off:

  text:ws     the verse split at whitespace only, as the plain-text reader did (`reigned,` and `(this` are
              never found in a lexicon); the translation joined by spaces
  text        the plain-text reader now: punctuation split off (`tokenize_spaced`, as the Bible reader does
              for the rows above), the translation glued back by the space flags (`reigned ,` -> `reigned,`)

Every hypothesis is scored as text (detokenised) against the reference verses as text; chrF drops whitespace
before counting character n-grams, so how tokens are spaced does not move a score, what they are does.

Run: `LRX_MIRROR=../shared/data/mirror python benchmarks/synthesis_quality.py [--langs ee,wo] [--verses N]`.
KJV English is archaic (thou, hath), so every score is pessimistic; the differences between rows are the point.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lrx.adapt.synthesize import load_target_morphology  # noqa: E402
from lrx.adapt.synthesize import synthesize_sentences  # noqa: E402
from lrx.adapt.tasks.text import detokenize  # noqa: E402
from lrx.adapt.tasks.text import read_bible  # noqa: E402
from lrx.adapt.tasks.text import tokenize_spaced  # noqa: E402
from lrx.lexicons.loading import load_lexicon  # noqa: E402
from lrx.lexicons.synthesis import SynthesisOptions  # noqa: E402
from lrx.lexicons.synthesis import Synthesizer  # noqa: E402

from lrx.core.fetch import fetch  # noqa: E402
from lrx.core.sentence import Sentence  # noqa: E402

BIBLE_URL = "https://raw.githubusercontent.com/christos-c/bible-corpus/44e5fca1bfb369a5da2ee23ebc6f421c88489c5c/bibles/{}-NT.xml"
KJV = ROOT.parent / "shared/data/derived/bible/English-KJV.tsv"

# code, lexicon source, Bible file name, UniMorph table (or None)
LANGUAGES = {
    "ee": ("gatitos", "Ewe", None),
    "wo": ("gatitos", "Wolof", None),
    "din": ("gatitos", "Dinka", None),
    "quc": ("gatitos", "K'iche'", None),
    "mam": ("gatitos", "Mam", None),
    "sw": ("freedict", "Swahili", "swc"),
}
STEPS = ("copy", "plain", "+multiword", "+casefold", "+lemma", "+morph")
TEXT_COLUMNS = ("text:ws", "text")


def step_options(step: str) -> dict[str, bool]:
    order = STEPS.index(step)
    return {
        "multiword": order >= STEPS.index("+multiword"),
        "casefold": order >= STEPS.index("+casefold"),
        "lemma": order >= STEPS.index("+lemma"),
    }


def text_sentence(line: str) -> Sentence:
    """A line as the plain-text reader reads it: punctuation split off, spaces recorded."""
    tokens, spaces = tokenize_spaced(line)
    return Sentence(tokens, space_after=spaces)


def main() -> None:
    import sacrebleu
    from lrx.morphology.english import load_english_analyzer
    from sacrebleu.metrics import CHRF

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default=",".join(LANGUAGES))
    parser.add_argument("--verses", type=int, default=0, help="first N shared verses only (0: all)")
    args = parser.parse_args()

    english = {s.meta["id"]: s for s in read_bible(KJV)}
    analyzer = load_english_analyzer(fetch, plural_first=True)  # as synthesize_file does
    chrf = CHRF()
    print(f"sacrebleu {sacrebleu.__version__}")
    columns = (*STEPS, *TEXT_COLUMNS)
    header = f"{'lang':<5} {'lexicon':<9} {'verses':>6} " + " ".join(f"{s:>10}" for s in columns) + "  seconds"
    print(header)
    signature = ""
    for code in args.langs.split(","):
        source, bible_name, unimorph = LANGUAGES[code]
        target = {s.meta["id"]: s for s in read_bible(fetch(BIBLE_URL.format(bible_name)))}
        ids = [verse for verse in target if verse in english]
        if args.verses:
            ids = ids[: args.verses]
        refs = [detokenize(target[v].tokens, target[v].space_after) for v in ids]
        sources = [english[v] for v in ids]
        lexicon = load_lexicon(source, code)
        morphology = load_target_morphology(unimorph) if unimorph else None

        def known(word: str, lexicon=lexicon) -> bool:
            return lexicon.has(word)

        def analyse(word: str, known=known) -> list[tuple[str, str]]:
            return [(a.lemma, a.feats) for a in analyzer.analyse(word, known)]

        scores: list[str] = []
        started = time.perf_counter()
        for step in STEPS:
            if step == "+morph" and morphology is None:
                scores.append(f"{'-':>10}")
                continue
            if step == "copy":
                hyps = [detokenize(s.tokens, s.space_after) for s in sources]
            else:
                options = SynthesisOptions(choice="frequent", **step_options(step))
                synthesizer = Synthesizer(
                    lexicon,
                    options,
                    analyse=analyse,
                    inflect=morphology if step == "+morph" else None,
                    label_scheme="none",
                )
                translated = [
                    synthesizer.translate(Sentence(list(s.tokens), space_after=s.space_after))[0] for s in sources
                ]
                hyps = [detokenize(t.tokens, t.space_after) for t in translated]
            score = chrf.corpus_score(hyps, [refs])
            signature = str(chrf.get_signature())
            scores.append(f"{score.score:>10.2f}")
        lines = [detokenize(s.tokens, s.space_after) for s in sources]  # the verses as plain-text lines
        for column in TEXT_COLUMNS:
            if column == "text:ws":
                inputs = [Sentence(line.split()) for line in lines]
            else:
                inputs = [text_sentence(line) for line in lines]
            result = synthesize_sentences(inputs, "text", code, lexicon, unimorph=unimorph or code)
            hyps = [detokenize(t.tokens, t.space_after) for t in result.sentences]
            scores.append(f"{chrf.corpus_score(hyps, [refs]).score:>10.2f}")
        seconds = time.perf_counter() - started
        print(f"{code:<5} {source:<9} {len(ids):>6} " + " ".join(scores) + f"  {seconds:7.1f}", flush=True)
    print(f"chrF signature: {signature}")


if __name__ == "__main__":
    main()
