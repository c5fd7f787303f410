"""The adapted model a run keeps: a single run keeps its final model (and a model card), a sweep keeps none unless
asked; the kept directory loads with transformers as it is (a joint intent + slot model through lrx's one class);
evaluating a kept model again does not retrain it. Tiny models on slices of the real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import yaml
from hydra import compose
from hydra import initialize_config_dir
from hydra import initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from lrx.adapt.run import engine
from lrx.adapt.run.app import run_in_process
from lrx.adapt.run.engine import discard_weights
from lrx.adapt.run.engine import in_sweep
from lrx.adapt.run.engine import run_pipeline
from lrx.adapt.run.engine import weights_to_discard
from lrx.adapt.run.model_card import Source
from lrx.adapt.run.model_card import final_model_dir
from lrx.adapt.run.model_card import hub_licences
from lrx.adapt.run.model_card import method_description
from lrx.adapt.run.model_card import summarize
from lrx.adapt.tasks import read_task
from lrx.adapt.training import predict_intent_slots
from lrx.adapt.training import predict_tags
from omegaconf import read_write
from transformers import AutoModelForTokenClassification
from transformers import AutoTokenizer

CONF = Path(__file__).resolve().parents[3] / "conf"
SMALL = ["model=tiny", "task.max_train_sentences=100", "task.max_eval_sentences=50", "model.train.max_steps=4"]
XSID_DE_TEST = (
    "raw.githubusercontent.com/mainlp/xsid/761d926c3f2e9f6bea13192d2f39cec1d04d9777/data/xSID-0.7/de.test.conll"
)


def _compose(overrides: list[str]):
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose(config_name="config", overrides=overrides)


def _front_matter(card: str) -> dict:
    assert card.startswith("---\n")
    return yaml.safe_load(card.split("---\n")[1])


def test_a_single_run_keeps_its_final_model_which_transformers_loads_with_a_card(mirror_env, tmp_path):
    run_dir = tmp_path / "run"
    # lrx.run's path: one job in this process, a single run (not a sweep), save_model at its default (null)
    (row,) = run_in_process([*SMALL, "compare_with=[]", f"hydra.run.dir={run_dir}"])
    model_dir = run_dir / "model"
    assert final_model_dir(run_dir) == model_dir
    # the final model is kept; the encoder it started from is not
    assert (model_dir / "model.safetensors").is_file() and not (run_dir / "encoder").exists()

    # transformers loads the directory as it is, with the real label names
    model = AutoModelForTokenClassification.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    labels = json.loads((model_dir / "lrx.json").read_text(encoding="utf-8"))["labels"]
    assert [model.config.id2label[i] for i in range(model.config.num_labels)] == labels
    assert set(labels) == {"O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"}
    assert model.config.label2id == {label: i for i, label in enumerate(labels)}
    sentences = read_task("ner", run_dir / "pseudo.ner")[:3]
    batch = tokenizer([s.tokens for s in sentences], is_split_into_words=True, padding=True, return_tensors="pt")
    with torch.no_grad():
        logits = model(**batch).logits
    assert logits.shape[:2] == batch["input_ids"].shape and logits.shape[2] == len(labels)
    # what transformers predicts is what lrx predicts: the first sub-token of each word
    best = logits.argmax(-1)
    for row_index, sentence in enumerate(sentences):
        words = batch.word_ids(row_index)
        first = [words.index(w) for w in range(len(sentence.tokens))]
        assert [labels[int(best[row_index, p])] for p in first] == predict_tags(model_dir, [sentence])[0]

    # the model card: front matter, and the language, method, base model, signature and score it was made with
    card = (model_dir / "README.md").read_text(encoding="utf-8")
    meta = _front_matter(card)
    assert meta["language"] == ["ee"] and meta["pipeline_tag"] == "token-classification"
    assert meta["library_name"] == "transformers" and "lrx_trans_train_en_names" in meta["tags"]
    assert meta["license"] == ["cc-by-4.0", "other"]  # GATITOS; CoNLL-2003's research-only terms
    assert "Ewe" in card and "`lrx_trans_train_en_names`: lrx_trans_train_en with the named entities kept" in card
    signature = json.loads((run_dir / "stages" / "synthesize.json").read_text(encoding="utf-8"))["result"]["signature"]
    assert f"`{signature}`" in card
    assert f"| entity_f1 | {row['score']:.2f} |" in card and "MasakhaNER2.0/data/ewe/test.txt" in card
    assert "CC-BY-4.0" in card and "research use only" in card and "8 steps" not in card and "4 steps" in card
    assert "AutoModelForTokenClassification.from_pretrained(model_dir)" in card
    assert json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["method"] == "lrx_trans_train_en_names"


def test_evaluating_a_kept_model_again_does_not_retrain_it(mirror_env, tmp_path):
    run_dir = tmp_path / "run"
    run_pipeline(_compose(SMALL), run_dir)  # outside Hydra: a single run, which keeps model/ and deletes encoder/
    assert (run_dir / "model" / "config.json").is_file() and not (run_dir / "encoder").exists()
    # evaluate reads the model, not the encoder it started from: only evaluate runs again
    again = run_pipeline(_compose([*SMALL, "task.max_eval_sentences=30"]), run_dir)
    assert again.ran == ["evaluate"]
    assert "scores in percent, on the first 30 sentences" in (run_dir / "model" / "README.md").read_text().lower()


def test_a_self_trained_run_keeps_only_its_last_model_and_re_evaluating_makes_the_others_again(mirror_env, tmp_path):
    run_dir = tmp_path / "run"
    overrides = [*SMALL, "method=self_train_en", "method.self_train.max_sentences=50"]
    run_pipeline(_compose(overrides), run_dir)
    assert (run_dir / "self_train" / "README.md").is_file()
    assert not (run_dir / "model").exists() and not (run_dir / "encoder").exists()
    # evaluate also scores round 0 (model/): gone, so it is trained again, and the round after it
    again = run_pipeline(_compose([*overrides, "task.max_eval_sentences=30"]), run_dir)
    assert again.ran == ["train", "self_train", "evaluate"]
    methods = {row["method"] for row in json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))}
    assert methods == {"self_train_en", "self_train_en.round0"}


def test_a_sweep_keeps_no_weights_unless_asked(mirror_env, tmp_path, monkeypatch):
    # a job of a sweep, as Hydra's launchers run it: the engine asks Hydra's mode
    monkeypatch.setattr(engine, "in_sweep", lambda: True)
    swept = run_pipeline(_compose(SMALL), tmp_path / "swept")
    assert swept.metric == swept.metric  # evaluated (not NaN)
    assert not [p.name for p in (tmp_path / "swept").iterdir() if p.is_dir() and p.name != "stages"]
    assert (tmp_path / "swept" / "metrics.json").is_file()
    kept = run_pipeline(_compose([*SMALL, "save_model=true"]), tmp_path / "kept")
    assert kept.ran[-1] == "evaluate"
    kept_dir = tmp_path / "kept"
    assert (kept_dir / "encoder" / "config.json").is_file() and (kept_dir / "model" / "config.json").is_file()
    # the card goes with the final model only
    assert (kept_dir / "model" / "README.md").is_file() and not (kept_dir / "encoder" / "README.md").exists()


def test_which_weights_a_finished_run_deletes(tmp_path):
    for name in ("encoder", "mlm", "model", "student", "teacher2", "self_train.round1"):
        (tmp_path / name).mkdir()
    (tmp_path / "metrics.json").write_text("[]")
    final = tmp_path / "student"
    every = {"encoder", "mlm", "model", "student", "teacher2", "self_train.round1"}

    def names(save_model, sweep):
        return {p.name for p in weights_to_discard(tmp_path, final, save_model, sweep=sweep)}

    assert names(None, sweep=True) == names(False, sweep=False) == names(False, sweep=True) == every
    assert names(None, sweep=False) == every - {"student"}
    assert names(True, sweep=True) == names(True, sweep=False) == set()
    assert set(discard_weights(tmp_path, final, None, sweep=False)) == every - {"student"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json", "student"]


def test_in_sweep_reads_hydras_mode():
    import lrx.adapt.run.schema  # noqa: F401  (registers the language source the packaged config names)

    assert not in_sweep()  # no Hydra app: a single run
    GlobalHydra.instance().clear()
    try:
        with initialize_config_module(config_module="lrx.conf", version_base="1.3"):
            config = compose(config_name="config", return_hydra_config=True)
        for mode, expected in ((RunMode.RUN, False), (RunMode.MULTIRUN, True)):
            with read_write(config.hydra):
                config.hydra.mode = mode
            HydraConfig.instance().set_config(config)
            assert in_sweep() is expected
    finally:
        HydraConfig.instance().cfg = None
        GlobalHydra.instance().clear()


def test_a_joint_intent_and_slot_model_loads_through_one_class(mirror_env, tmp_path):
    from lrx.adapt.training.joint import JointIntentSlotModel

    run_dir = tmp_path / "run"
    overrides = ["task=xsid", "language=de", "method=zero_shot", "stages=[synthesize,train,evaluate]"]
    run_in_process([*SMALL, *overrides, "compare_with=[]", f"hydra.run.dir={run_dir}"])
    model_dir = final_model_dir(run_dir)
    assert model_dir == run_dir / "model" and (model_dir / "heads.safetensors").is_file()
    model = JointIntentSlotModel.from_pretrained(model_dir)
    assert isinstance(model, torch.nn.Module) and not model.training
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    gold = read_task("xsid", mirror_env / XSID_DE_TEST)[:8]
    batch = tokenizer([s.tokens for s in gold], is_split_into_words=True, padding=True, return_tensors="pt")
    with torch.no_grad():
        intent_logits, slot_logits = model(**batch)  # the tokenizer's whole output, token_type_ids included
    assert intent_logits.shape == (len(gold), len(model.intents))
    assert slot_logits.shape == (*batch["input_ids"].shape, len(model.slot_labels))
    # the class is what lrx predicts with: the same intents
    intents, _ = predict_intent_slots(model_dir, gold)
    assert [model.intents[i] for i in intent_logits.argmax(-1).tolist()] == intents
    card = (model_dir / "README.md").read_text(encoding="utf-8")
    assert "JointIntentSlotModel.from_pretrained(model_dir)" in card and "intent_accuracy" in card
    assert _front_matter(card)["language"] == ["de"] and "German" in card
    assert "None: `zero_shot` learns from no translated text." in card  # the lexicon reaches no zero-shot model
    with pytest.raises(ValueError, match="not a joint intent"):
        JointIntentSlotModel.from_pretrained(tmp_path)


def test_card_pieces():
    zero_shot = "Zero-shot transfer: fine-tune on English only, test on the target language."
    assert method_description("zero_shot") == zero_shot
    # a sentence does not end at "et al. 2020"
    assert method_description("cs_trans_train_en").startswith("Code-switched synthesis (CoSDA-ML, Qin et al. 2020) on")
    assert method_description("no_such_method") == ""
    sources = [
        Source("lexicon", "bible", "as the Bibles' (bible-corpus: CC0; King James Version: public domain)"),
        Source("lexicon", "freedict", "GPL-2.0-or-later (per dictionary)"),
        Source("English training data", "CoNLL-2003", "research use only"),
    ]
    assert hub_licences(sources) == ["cc0-1.0", "gpl-2.0", "other"]


def test_a_run_directory_without_a_model_has_no_card(tmp_path):
    with pytest.raises(ValueError, match="no kept model"):
        summarize(tmp_path)
