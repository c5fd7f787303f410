"""`lrx export RUN_DIR -o DIR [--format hf|onnx]` on a real tiny run: the Hugging Face copy round-trips, the ONNX
model matches PyTorch, and what cannot be exported says so in one line."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import pytest
import torch
from hydra import compose
from hydra import initialize_config_dir
from lrx.adapt.cli.export import add_export_command
from lrx.adapt.run.engine import run_pipeline
from lrx.adapt.tasks import read_task
from lrx.adapt.training import predict_tags
from transformers import AutoModelForTokenClassification
from transformers import AutoTokenizer

from lrx.core.errors import LrxError

CONF = Path(__file__).resolve().parents[3] / "conf"
SMALL = ["model=tiny", "task.max_train_sentences=100", "task.max_eval_sentences=50", "model.train.max_steps=4"]
MISSING_EXTRA = "lrx export --format onnx needs the [export] extra: pip install 'lrx[export]'"


def _export(*argv: str) -> int:
    """`lrx export ...` through the command's own parser (what `lrx`'s main adds)."""
    parser = argparse.ArgumentParser(prog="lrx")
    add_export_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["export", *argv])
    return args.handler(args)


@pytest.fixture(scope="module")
def run_dir(mirror_env_module: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished single run (outside a sweep): it keeps model/ with its card."""
    run_dir = tmp_path_factory.mktemp("export") / "run"
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose(config_name="config", overrides=SMALL)
    run_pipeline(cfg, run_dir)
    return run_dir


def test_export_hf_is_a_self_contained_copy_that_loads_and_predicts_the_same(run_dir, tmp_path, capsys):
    original = run_dir / "model"
    run_dir = shutil.copytree(run_dir, tmp_path / "run")  # this test changes the run's model directory
    model_dir = run_dir / "model"
    # a symlinked file in the run's model directory: the export holds its content, not the link
    tokenizer_file = model_dir / "tokenizer.json"
    elsewhere = tmp_path / "tokenizer.json"
    elsewhere.write_bytes(tokenizer_file.read_bytes())
    tokenizer_file.unlink()
    tokenizer_file.symlink_to(elsewhere)

    out = tmp_path / "ee-ner"
    assert _export(str(run_dir), "-o", str(out)) == 0
    assert f"wrote {out} (hf)" in capsys.readouterr().err
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "README.md",
        "config.json",
        "lrx.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
    ]
    assert not any(p.is_symlink() for p in out.iterdir())
    assert (out / "tokenizer.json").read_bytes() == elsewhere.read_bytes()
    elsewhere.unlink()  # the copy needs nothing outside itself
    model = AutoModelForTokenClassification.from_pretrained(out)
    tokenizer = AutoTokenizer.from_pretrained(out)
    assert model.config.id2label == AutoModelForTokenClassification.from_pretrained(original).config.id2label
    sentences = read_task("ner", run_dir / "pseudo.ner")[:20]
    assert predict_tags(out, sentences) == predict_tags(original, sentences)
    assert tokenizer(["Kofi"], is_split_into_words=True)["input_ids"]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "language:\n- ee" in card and "lrx_trans_train_en_names" in card and "entity_f1" in card

    # a directory that holds files already is not overwritten
    with pytest.raises(LrxError, match="exists and is not an empty directory"):
        _export(str(run_dir), "-o", str(out))


def test_export_onnx_matches_pytorch(run_dir, mirror_env, tmp_path, capsys):
    onnxruntime = pytest.importorskip("onnxruntime")
    out = tmp_path / "onnx"
    assert _export(str(run_dir), "-o", str(out), "--format", "onnx") == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("onnx check: max abs diff ") and line.endswith(": ok") and "ewe/dev.txt" in line
    check = json.loads((out / "onnx_check.json").read_text(encoding="utf-8"))
    assert check["passed"] and check["max_abs_diff"] <= check["tolerance"] == 1e-4
    assert check["sentences"] == 64 and check["source"].endswith("MasakhaNER2.0/data/ewe/dev.txt")
    assert not list(out.glob("*.safetensors"))  # the graph holds the weights
    assert {"model.onnx", "tokenizer.json", "config.json", "lrx.json", "README.md"} <= {p.name for p in out.iterdir()}
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "library_name: onnx" in card and "onnxruntime.InferenceSession" in card

    # independently of the check: ONNX Runtime on a batch of another shape gives PyTorch's logits
    words = [s.tokens for s in read_task("ner", run_dir / "english.ner")[:3]]
    tokenizer = AutoTokenizer.from_pretrained(out)
    batch = tokenizer(words, is_split_into_words=True, padding=True, return_tensors="pt")
    session = onnxruntime.InferenceSession(str(out / "model.onnx"), providers=["CPUExecutionProvider"])
    (logits,) = session.run(["logits"], {k: batch[k].numpy() for k in ("input_ids", "attention_mask")})
    model = AutoModelForTokenClassification.from_pretrained(run_dir / "model")
    with torch.no_grad():
        expected = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits.numpy()
    assert logits.shape == expected.shape and abs(logits - expected).max() < 1e-4


def test_what_cannot_be_exported_says_so_in_one_line(run_dir, tmp_path, monkeypatch):
    with pytest.raises(LrxError, match=r"no-such-run: no such run directory"):
        _export(str(tmp_path / "no-such-run"), "-o", str(tmp_path / "out"))
    bare = tmp_path / "bare"
    bare.mkdir()
    with pytest.raises(LrxError, match=r"no kept model .*save_model=true"):
        _export(str(bare), "-o", str(tmp_path / "out"))
    # without onnx installed: the [export] extra, in one line, before any work
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(LrxError) as error:
        _export(str(run_dir), "-o", str(tmp_path / "out"), "--format", "onnx")
    assert str(error.value) == MISSING_EXTRA
    assert not (tmp_path / "out").exists()


def test_lrx_main_prints_the_line_and_exits_2(run_dir, tmp_path, capsys):
    from lrx.adapt.cli.main import build_parser
    from lrx.adapt.cli.main import main

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    if "export" not in commands:
        pytest.skip("`lrx export` is not wired into lrx's main (adapt/cli/main.py) yet")
    assert main(["export", str(tmp_path / "no-such-run"), "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().endswith("no-such-run: no such run directory")


def test_export_onnx_of_a_joint_intent_and_slot_model(mirror_env, tmp_path, capsys):
    pytest.importorskip("onnxruntime")
    run_dir = tmp_path / "run"
    overrides = ["task=xsid", "language=de", "method=zero_shot", "stages=[synthesize,train,evaluate]"]
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose(config_name="config", overrides=[*SMALL, *overrides])
    run_pipeline(cfg, run_dir)
    assert _export(str(run_dir), "-o", str(tmp_path / "onnx"), "--format", "onnx") == 0
    assert capsys.readouterr().out.rstrip().endswith("de.valid.conll: ok")
    check = json.loads((tmp_path / "onnx" / "onnx_check.json").read_text(encoding="utf-8"))
    assert check["passed"] and check["outputs"] == ["intent_logits", "slot_logits"]
    assert not (tmp_path / "onnx" / "heads.safetensors").exists()  # the heads are in the graph
