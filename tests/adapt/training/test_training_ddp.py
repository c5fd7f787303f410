"""Data-parallel training on CPU: two gloo processes stand in for two GPUs (the code path is the same but for
the backend and the device). Real CoNLL-2003, xSID and Ewe text, tiny random encoders.

Each launch spawns two fresh interpreters (torch + transformers imports, ~5 s), so the tests are few and small.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from lrx.adapt.encoders.prepare import build_tiny_encoder
from lrx.adapt.evaluation import entity_f1
from lrx.adapt.evaluation import intent_accuracy
from lrx.adapt.tasks import read_task
from lrx.adapt.training import DataParallelError
from lrx.adapt.training import TrainSettings
from lrx.adapt.training import continue_mlm
from lrx.adapt.training import finetune_intent_slots
from lrx.adapt.training import finetune_tagger
from lrx.adapt.training import predict_intent_slots
from lrx.adapt.training import predict_tags

from lrx.core.sentence import Sentence

ROOT = Path(__file__).resolve().parents[3]
GITHUB = "raw.githubusercontent.com"
CONLL_EN = f"{GITHUB}/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391/data/conll_2003_en"
XSID = f"{GITHUB}/mainlp/xsid/761d926c3f2e9f6bea13192d2f39cec1d04d9777/data/xSID-0.7"
NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]


@pytest.fixture(scope="module")
def conll(mirror_dir: Path) -> tuple[list[Sentence], list[Sentence]]:
    return read_task("ner", mirror_dir / CONLL_EN / "train.txt"), read_task("ner", mirror_dir / CONLL_EN / "dev.txt")


@pytest.fixture(scope="module")
def encoder(conll, tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(1)
    return build_tiny_encoder([" ".join(s.tokens) for s in conll[0][:2000]], tmp_path_factory.mktemp("encoder"))


def test_two_processes_train_a_tagger_as_well_as_one(encoder, conll, tmp_path):
    """Same data, same epochs: two ranks take half the steps (a step is one batch per rank), end with the same
    weights (checked inside: a rank that trained alone would fail the run), and the model is about as good.
    Measured: one process 600 steps, dev F1 46.5; two processes 300 steps, 44.2."""
    train, dev = conll[0][:800], conll[1][:300]
    scores = {}
    for processes in (1, 2):
        settings = TrainSettings(epochs=6, batch_size=8, lr=2e-3, threads=1, processes=processes)
        out = tmp_path / f"p{processes}"
        stats = finetune_tagger(encoder, train, NER_LABELS, out, settings)
        assert stats["processes"] == processes
        assert stats["steps"] == 6 * (100 // processes)  # 800 sentences / batch 8 = 100 batches an epoch
        assert stats["final_loss"] < stats["first_loss"] / 5
        sidecar = json.loads((out / "lrx.json").read_text(encoding="utf-8"))
        assert sidecar["settings"]["processes"] == processes and sidecar["stats"]["steps"] == stats["steps"]
        scores[processes] = entity_f1([s.labels for s in dev], predict_tags(out, dev))
    assert scores[1] > 35 and scores[2] > 35  # all-O scores 0
    assert abs(scores[1] - scores[2]) < 10


def test_two_processes_train_joint_intent_slots_and_mlm(encoder, conll, mirror_dir, tmp_path):
    """The joint model (own forward, heads saved beside the encoder) and masked-LM training (per-rank masking
    noise) under two ranks: both save once and load for the next step."""
    train = read_task("xsid", mirror_dir / XSID / "en.valid.conll")
    test = read_task("xsid", mirror_dir / XSID / "en.test.conll")[:300]
    intents = sorted({str(s.meta["intent"]) for s in train + test})
    slots = sorted({label for s in train + test for label in s.labels})
    settings = TrainSettings(epochs=8, batch_size=16, lr=2e-3, threads=1, processes=2)
    stats = finetune_intent_slots(encoder, train, intents, slots, tmp_path / "joint", settings)
    assert stats["processes"] == 2 and stats["final_loss"] < stats["first_loss"] / 2
    predicted, _ = predict_intent_slots(tmp_path / "joint", test)
    gold = [str(s.meta["intent"]) for s in test]
    majority = max(gold.count(intent) for intent in set(gold)) / len(gold) * 100
    print(f"two ranks, xSID intent accuracy {intent_accuracy(gold, predicted):.1f} (majority {majority:.1f})")
    assert intent_accuracy(gold, predicted) > majority + 10

    texts = [" ".join(s.tokens) for s in conll[0][:400]]
    settings = TrainSettings(epochs=2, batch_size=8, lr=2e-3, processes=2)
    # with a head warm-up first: the frozen encoder's parameters are outside the wrapper's gradient sync
    mlm = continue_mlm(encoder, texts, tmp_path / "mlm", settings, head_warmup_steps=4)
    assert mlm["processes"] == 2 and mlm["steps"] == 2 * (50 // 2)
    assert mlm["head_warmup"]["steps"] == 4 and mlm["head_warmup"]["processes"] == 2
    assert mlm["final_loss"] < mlm["first_loss"]
    assert (tmp_path / "mlm" / "model.safetensors").is_file()


def test_a_failing_rank_reports_its_own_error(encoder, tmp_path):
    bad = [Sentence(["Paris"], ["B-MISC"], where="train.txt:7")] * 4
    with pytest.raises(DataParallelError, match=r"rank \d of 2: ValueError: train.txt:7: label 'B-MISC'"):
        finetune_tagger(encoder, bad, NER_LABELS, tmp_path / "bad", TrainSettings(threads=1, processes=2))
    assert not (tmp_path / "bad").exists()


SCRIPT = """
import os
import sys
from pathlib import Path
from lrx.adapt.tasks import read_task
from lrx.adapt.training import TrainSettings, finetune_tagger

train = read_task("ner", Path(sys.argv[1]))[:200]
settings = TrainSettings(epochs=1, batch_size=8, lr=2e-3, threads=1)  # processes=1: joins torchrun's ranks
stats = finetune_tagger(Path(sys.argv[2]), train, {labels!r}, Path(sys.argv[3]), settings)
# a file per rank: two ranks printing to one pipe can interleave their lines
out = Path(sys.argv[3]).parent / f"result-{{os.environ['RANK']}}.txt"
out.write_text(f"{{stats['processes']}} {{stats['steps']}}", encoding="utf-8")
"""


def test_functions_join_ranks_started_by_torchrun(encoder, conll, mirror_dir, tmp_path):
    """A user's own script under `torchrun --nproc_per_node=2`: the functions see WORLD_SIZE and join the ranks
    instead of launching more; both ranks report the same figures, rank 0 alone writes."""
    script = tmp_path / "train.py"
    script.write_text(SCRIPT.format(labels=NER_LABELS), encoding="utf-8")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", str(script)]
    command += [str(mirror_dir / CONLL_EN / "train.txt"), str(encoder), str(tmp_path / "model")]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    results = [(tmp_path / f"result-{rank}.txt").read_text(encoding="utf-8") for rank in (0, 1)]
    assert results == ["2 12"] * 2  # 200 sentences / batch 8 = 25 batches: 12 steps of two
    assert (tmp_path / "model" / "model.safetensors").is_file()
