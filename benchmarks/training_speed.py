"""Fine-tuning speed of multilingual-e5-small with its full 250k vocabulary against the same model trimmed.

One run, one process: the first `--sentences` CoNLL-2003 English training sentences and their pseudo-Ewe
translation (the pipeline's synthesize stage, GATITOS eng-ewe, method lrx_trans_train_en) are the training data
of a token tagger (`lrx.adapt.training.finetune_tagger`: `--steps` steps, batch 16, seed 1), fine-tuned from the
untrimmed e5_small checkpoint and from the same checkpoint trimmed as the pipeline trims it with
`model.trim=true` (`lrx.adapt.run.stages.encoder.trim_encoder`: the pieces of the English and pseudo text, the lexicon's
target words and the Ewe New Testament, plus every single-character piece of their characters), each with the
word embeddings trained and frozen (four runs). Printed: vocabulary pieces,
checkpoint MB before and after, the trim's seconds, tokens/s and seconds per step of both runs and their ratio,
and the largest absolute difference between the two encoders' last hidden states on a few of the training
sentences (exactness: it must be ~0). The weights are e5's 4-bit dequantised ones (adapt/encoders/e5.py); the first run
converts them (about a minute, cached under LRX_CACHE), outside every timing.

Run on an idle machine:
`LRX_MIRROR=../shared/data/mirror .venv/bin/python benchmarks/training_speed.py [--sentences 1000] [--steps 30]
[--threads 0]`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hydra import compose  # noqa: E402
from hydra import initialize_config_dir  # noqa: E402
from lrx.adapt.encoders.prepare import prepare_encoder  # noqa: E402
from lrx.adapt.run.context import Context  # noqa: E402
from lrx.adapt.run.settings import EncoderSettings  # noqa: E402
from lrx.adapt.run.settings import SynthesizeSettings  # noqa: E402
from lrx.adapt.run.stages.data import run_synthesize  # noqa: E402
from lrx.adapt.run.stages.encoder import trim_encoder  # noqa: E402
from lrx.adapt.training import TrainSettings  # noqa: E402
from lrx.adapt.training import finetune_tagger  # noqa: E402

N_COMPARED = 8  # training sentences whose hidden states are compared


def max_hidden_difference(untrimmed: Path, trimmed: Path, sentences: list[list[str]]) -> tuple[float, int]:
    """The largest |difference| of the last hidden states of the two encoders on `sentences` (encoded as
    pre-split words, as training does), and how many sub-tokens were compared. The same pieces must come out
    of both tokenizers: that is checked first."""
    import torch
    from transformers import AutoModel
    from transformers import AutoTokenizer

    states, pieces = [], []
    for model_dir in (untrimmed, trimmed):
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        batch = tokenizer(sentences, is_split_into_words=True, padding=True, return_tensors="pt")
        pieces.append([tokenizer.convert_ids_to_tokens(ids) for ids in batch["input_ids"].tolist()])
        model = AutoModel.from_pretrained(model_dir).eval()
        with torch.no_grad():
            states.append((model(**batch).last_hidden_state, batch["attention_mask"].bool()))
    if pieces[0] != pieces[1]:
        raise SystemExit("the trimmed tokenizer segments the training sentences differently: the trim is not exact")
    (a, mask), (b, _) = states
    return float((a - b).abs()[mask].max()), int(mask.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1000, help="English training sentences (and as many pseudo)")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: all cores)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        cfg = compose(
            config_name="config",
            overrides=["model=e5_small", "method=lrx_trans_train_en", f"task.max_train_sentences={args.sentences}"],
        )
    with tempfile.TemporaryDirectory(prefix="lrx-training-speed-") as tmp:
        work = Path(tmp)
        ctx = Context.of(cfg, work)
        start = time.perf_counter()
        run_synthesize(ctx, SynthesizeSettings.of(cfg))
        train = ctx.training_data()
        labels = sorted({label for s in train for label in s.labels})
        print(
            f"data: {len(ctx.english())} English + {len(ctx.pseudo())} pseudo-Ewe sentences "
            f"(synthesized in {time.perf_counter() - start:.1f} s), {len(labels)} labels"
        )
        untrimmed, trimmed = work / "untrimmed", work / "trimmed"
        start = time.perf_counter()
        prepare_encoder("e5_small", untrimmed)
        print(f"e5_small prepared (converted or copied from the cache) in {time.perf_counter() - start:.1f} s")
        trim = trim_encoder(ctx, EncoderSettings.of(cfg), untrimmed, trimmed)
        mb_before, mb_after = trim["bytes_before"] / 1e6, trim["bytes_after"] / 1e6
        print(
            f"vocabulary pieces: {trim['pieces_before']} -> {trim['pieces_after']} "
            f"({trim['kept_extra']} of them single-character pieces kept beyond the used ones; "
            f"trimmed on {trim['texts']} texts)"
        )
        print(f"checkpoint MB: {mb_before:.1f} -> {mb_after:.1f} ({mb_after / mb_before:.1%})")
        print(f"trim seconds: {trim['seconds']:.2f}")

        difference, compared = max_hidden_difference(untrimmed, trimmed, [list(s.tokens) for s in train[:N_COMPARED]])
        where = f"{N_COMPARED} training sentences ({compared} sub-tokens)"
        print(f"max |last hidden state difference| on {where}: {difference:.3g}")

        for freeze in (False, True):
            budget = {"epochs": 1000.0, "batch_size": 16, "seed": 1, "max_steps": args.steps}
            settings = TrainSettings(**budget, threads=args.threads, freeze_embeddings=freeze)
            print(f"word embeddings {'frozen' if freeze else 'trained'}:")
            runs = {}
            for name, encoder in (("untrimmed", untrimmed), ("trimmed", trimmed)):
                stats = finetune_tagger(encoder, train, labels, work / f"tagger-{name}-{freeze}", settings)
                runs[name] = stats
                print(
                    f"  {name:>9}: {stats['steps']} steps in {stats['seconds']:.1f} s = "
                    f"{stats['seconds'] / stats['steps']:.2f} s/step, {stats['tokens_per_s']:.0f} tokens/s, "
                    f"loss {stats['first_loss']:.3f} -> {stats['final_loss']:.3f}"
                )
            ratio = runs["trimmed"]["tokens_per_s"] / runs["untrimmed"]["tokens_per_s"]
            print(f"  tokens/s trimmed / untrimmed: {ratio:.2f}x (batch 16, seed 1, threads {args.threads or 'all'})")


if __name__ == "__main__":
    main()
