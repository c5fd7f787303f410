"""CPU inference speed of a distilled student with fewer layers against its full-size teacher.

`method.student.layers=N` keeps the encoder's first N transformer layers (`lrx.adapt.training.tagger`). Speed does
not depend on what the weights learned, so this measures it without training: multilingual-e5-small (4-bit
dequantised weights, adapt/encoders/e5.py) as a token tagger with the NER label set, saved once whole (the
teacher, the baseline) and once cut to each `--layers` (the students), each then tagging the MasakhaNER 2.0 dev
set of `--language` with `lrx.adapt.training.predict_tags` (what the evaluate stage runs), model loading
included, best of `--repeats`. Printed per model: layers, parameters, sentences/s, and the ratio to the teacher.

Run on an idle machine:
`LRX_MIRROR=../shared/data/mirror .venv/bin/python benchmarks/student_speed.py [--layers 6 4] [--threads 1]`.
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

from lrx.adapt.encoders.e5 import load_or_convert_e5  # noqa: E402
from lrx.adapt.tasks import read_task  # noqa: E402
from lrx.adapt.training import predict_tags  # noqa: E402
from lrx.adapt.training.tagger import _keep_layers  # noqa: E402

from lrx.core.fetch import fetch  # noqa: E402

DEV = (
    "https://raw.githubusercontent.com/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391/"
    "MasakhaNER2.0/data/{language}/dev.txt"
)
LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]


def _tagger(out: Path, layers: int | None) -> int:
    """Save e5 as a token tagger (its first `layers` layers, or all) into `out`; returns its parameter count."""
    from transformers import AutoModelForTokenClassification
    from transformers import AutoTokenizer

    e5 = load_or_convert_e5()
    model = AutoModelForTokenClassification.from_pretrained(
        e5, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id={k: i for i, k in enumerate(LABELS)}
    )
    if layers:
        _keep_layers(model, layers)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(e5).save_pretrained(out)
    return sum(p.numel() for p in model.parameters())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--language", default="ewe", help="MasakhaNER 2.0 language whose dev set is tagged")
    parser.add_argument("--layers", type=int, nargs="+", default=[6], help="the students' layer counts")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: one core, as a job of a sweep)")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    import torch

    torch.set_num_threads(args.threads)
    sentences = [s for s in read_task("ner", fetch(DEV.format(language=args.language))) if s.tokens]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for layers in [None, *args.layers]:
            out = Path(tmp) / f"layers{layers or 'all'}"
            parameters = _tagger(out, layers)
            best = float("inf")
            for _ in range(args.repeats):
                start = time.perf_counter()
                predict_tags(out, sentences)
                best = min(best, time.perf_counter() - start)
            rows.append((layers or 12, parameters, len(sentences) / best))
    teacher_speed = rows[0][2]
    print(f"{len(sentences)} {args.language} dev sentences, {args.threads} thread(s), best of {args.repeats}")
    print(f"{'model':<10} {'layers':>6} {'parameters':>12} {'sentences/s':>12} {'ratio':>6}")
    for i, (layers, parameters, speed) in enumerate(rows):
        name = "teacher" if i == 0 else "student"
        print(f"{name:<10} {layers:>6} {parameters:>12,} {speed:>12.1f} {speed / teacher_speed:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
