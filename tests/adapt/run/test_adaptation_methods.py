"""The adaptation methods that read real unlabelled target text or the target's own labels, end to end on a
tiny model and slices of the real data: self-training, the teacher-to-student distillation (soft labels, a
smaller student, a teacher ensemble), code-switched synthesis, the supervised ceiling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hydra import compose
from hydra import initialize_config_dir
from lrx.adapt.run.engine import run_pipeline
from lrx.adapt.run.schema import validate
from lrx.adapt.run.settings import SelfTrainSettings
from lrx.adapt.run.stages.training import select_confident
from lrx.adapt.tasks import read_pretokenised_text
from lrx.adapt.tasks import read_task
from lrx.adapt.tasks.unlabelled import read_unlabelled
from lrx.adapt.training import IGNORED
from transformers import AutoConfig

from lrx.core.sentence import Sentence

CONF = Path(__file__).resolve().parents[3] / "conf"
SMALL = ["model=tiny", "task.max_train_sentences=200", "task.max_eval_sentences=100", "model.train.max_steps=8"]
EWE_TRAIN = (
    "raw.githubusercontent.com/masakhane-io/masakhane-ner/ba5843cd08aa491d5f96a5e809e71eb9ec461391/"
    "MasakhaNER2.0/data/ewe/train.txt"
)


def _compose(overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose(config_name="config", overrides=overrides)


def _metrics(run_dir: Path) -> dict[str, float]:
    rows = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    return {f"{r['method']}:{r['test_set']}": r["score"] for r in rows}


def test_self_training_labels_the_train_split_without_reading_its_labels(mirror_env, tmp_path):
    run_dir = tmp_path / "run"
    # threshold 0: every labelled sentence joins, so the counts are exact whatever the tiny model predicts
    cfg = _compose(
        [*SMALL, "method=self_train_en", "method.self_train.threshold=0.0", "task.eval_dev=true", "save_model=true"]
    )
    result = run_pipeline(cfg, run_dir)
    # the monolingual text is the MasakhaNER train split first (capped as the English is): its tokens only, read
    # back as the run reads them (split at whitespace: the split's tokens, such as a run of quote marks, intact)
    monolingual = read_pretokenised_text(run_dir / "monolingual.txt")
    train_split = read_unlabelled(mirror_env / EWE_TRAIN)
    assert [s.tokens for s in monolingual] == [s.tokens for s in train_split[:200]]
    gold_tags = {label for s in read_task("ner", mirror_env / EWE_TRAIN) for label in s.labels} - {"O"}
    assert not any(token in gold_tags for s in monolingual for token in s.tokens)
    figures = result["self_train"]
    assert figures["labelled"] == figures["kept"] == 200 and figures["steps"] == 8
    assert figures["train_sentences"] == 400  # 200 self-labelled + 200 English
    assert (run_dir / "self_train" / "config.json").is_file()
    # the final model, its starting point (round 0) under its own name, on the test and the dev set
    assert set(_metrics(run_dir)) == {
        f"{method}:masakhaner2/ewe/{split}"
        for method in ("self_train_en", "self_train_en.round0")
        for split in ("test", "dev")
    }
    markers = json.loads((run_dir / "stages" / "evaluate.json").read_text(encoding="utf-8"))
    assert markers["inputs"]["self_train"]


def test_a_threshold_of_one_keeps_only_sure_sentences_and_two_rounds_chain(mirror_env, tmp_path):
    sentences = ["method.self_train.selection=sentence", "method.self_train.threshold=1.0"]
    rounds = ["method.self_train.rounds=2", "method.self_train.init=encoder"]
    cfg = _compose([*SMALL, "method=self_train_en", *sentences, *rounds])
    result = run_pipeline(cfg, tmp_path / "run")
    rounds = result["self_train"]["rounds"]
    assert [r["round"] for r in rounds] == [1, 2]
    # a tiny model trained 8 steps is never certain to probability 1 of every word of a sentence
    assert all(r["kept"] < r["labelled"] for r in rounds)
    assert all(r["train_sentences"] == 200 + r["kept"] for r in rounds)


def test_class_balanced_selection_keeps_the_surest_words_of_each_class():
    settings = SelfTrainSettings(True, rounds=1, selection="class", keep=0.5)
    sentences = [Sentence(["Kofi", "yi", "Accra"], [], {}), Sentence(["Ama", "va"], [], {}), Sentence(["x"], [], {})]
    # labels B-PER, O, B-LOC; a distribution's maximum is the word's confidence (the order is the model's)
    predicted = [
        (["B-PER", "O", "B-LOC"], [[0.9, 0.1], [0.99, 0.01], [0.6, 0.4]]),
        (["B-PER", "O"], [[0.5, 0.5], [0.7, 0.3]]),
        (["O"], None),  # no word seen by the model: left out
    ]
    kept = select_confident(sentences, predicted, settings)
    # PER: 0.9 and 0.5 -> the surer half keeps 0.9; O: 0.99 and 0.7 -> 0.99; LOC: its only word is its surest
    assert [s.labels for s in kept] == [["B-PER", "O", "B-LOC"]]
    everything = select_confident(sentences, predicted, SelfTrainSettings(True, rounds=1, selection="class", keep=1.0))
    assert [s.labels for s in everything] == [["B-PER", "O", "B-LOC"], ["B-PER", "O"]]
    sure = SelfTrainSettings(True, rounds=1, selection="sentence", threshold=0.8)
    assert [s.tokens for s in select_confident(sentences, predicted, sure)] == []  # 0.6 < 0.8: the first goes
    low = SelfTrainSettings(True, rounds=1, selection="sentence", threshold=0.5)
    assert [s.tokens for s in select_confident(sentences, predicted, low)] == [["Kofi", "yi", "Accra"], ["Ama", "va"]]
    # a word below its class's cut is not a wrong label but no label: IGNORED, left out of the loss
    half = select_confident(sentences[:2], predicted[:2], SelfTrainSettings(True, rounds=1, keep=0.5))
    assert half[0].labels == ["B-PER", "O", "B-LOC"] and len(half) == 1
    quarter = [(["O", "O", "O", "O"], [[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.6, 0.4]])]
    (only,) = select_confident([Sentence(["a", "b", "c", "d"], [], {})], quarter, SelfTrainSettings(True, 1, keep=0.5))
    assert only.labels == ["O", "O", IGNORED, IGNORED]


def test_a_soft_student_with_fewer_layers_from_a_teacher_ensemble(mirror_env, tmp_path):
    run_dir = tmp_path / "run"
    cfg = _compose([*SMALL, "method=self_train_en", "method.distill=true", "method.student.soft=true",
                    "method.student.layers=1", "method.student.teachers=2", "save_model=true"])  # fmt: skip
    result = run_pipeline(cfg, run_dir)
    assert result["distill"]["teachers"] == 2
    assert (run_dir / "teacher2" / "config.json").is_file()  # the second teacher: seed 1 + 1
    teacher_layers = AutoConfig.from_pretrained(run_dir / "self_train").num_hidden_layers
    assert teacher_layers > 1 and AutoConfig.from_pretrained(run_dir / "student").num_hidden_layers == 1
    # the student, its teacher (the self-trained model) and where self-training started, each with its speed
    rows = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert [r["method"] for r in rows] == ["self_train_en", "self_train_en.teacher", "self_train_en.round0"]
    assert all(r["sentences_per_s"] > 0 for r in rows)


def test_code_switched_synthesis_keeps_english_context(mirror_env, tmp_path):
    stages = "stages=[lexicon,synthesize]"
    full = run_pipeline(_compose([*SMALL, "method=lrx_trans_train_en_names", stages]), tmp_path / "full")
    switched = run_pipeline(_compose([*SMALL, "method=cs_trans_train_en", stages]), tmp_path / "cs")
    english = read_task("ner", tmp_path / "cs" / "english.ner")
    pseudo_full = read_task("ner", tmp_path / "full" / "pseudo.ner")
    pseudo_cs = read_task("ner", tmp_path / "cs" / "pseudo.ner")
    assert len(pseudo_cs) == len(english)
    # about half the translatable words (the fraction is drawn from [0, 1] per sentence) are translated
    ratio_full, ratio_cs = full["synthesize"]["replaced_ratio"], switched["synthesize"]["replaced_ratio"]
    assert 0.3 * ratio_full < ratio_cs < 0.7 * ratio_full

    def same_words(pseudo: list) -> int:
        pairs = zip(english, pseudo, strict=True)
        return sum(a == b for e, p in pairs for a, b in zip(e.tokens, p.tokens, strict=False))

    kept_english, kept_full = same_words(pseudo_cs), same_words(pseudo_full)
    assert kept_english > kept_full
    assert all(len(s.tokens) == len(s.labels) for s in pseudo_cs)


def test_the_supervised_ceiling_trains_on_the_target_gold_only(mirror_env, tmp_path):
    run_dir = tmp_path / "run"
    result = run_pipeline(_compose([*SMALL, "method=supervised"]), run_dir)
    gold = [s for s in read_task("ner", mirror_env / EWE_TRAIN) if s.tokens]
    assert result["train"]["train_sentences"] == len(gold) and result["train"]["train_on"] == "target"
    assert "supervised:masakhaner2/ewe/test" in _metrics(run_dir)


def test_bad_method_settings_are_refused_before_any_stage(mirror_env):
    with pytest.raises(ValueError, match=r"language\.train_sets\.ner"):
        validate(_compose([*SMALL, "method=supervised", "language=sw"]))
    with pytest.raises(ValueError, match=r"method\.self_train\.init"):
        validate(_compose([*SMALL, "method=self_train_en", "method.self_train.init=nobody"]))
    with pytest.raises(ValueError, match="tagging"):
        validate(_compose([*SMALL, "task=xsid", "language=pcm", "method=self_train_en"]))
