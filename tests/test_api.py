"""The public API (`lrx.load_lexicon`, `lrx.synthesize`, `lrx.run`): the README's example as written, then each
function on the real data mirror (GATITOS Ewe, CoNLL-2003 through a tiny model)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose
from hydra import initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from lrx.adapt.run.app import method_config
from omegaconf import OmegaConf

import lrx

README = Path(__file__).resolve().parents[1] / "README.md"
METRICS_KEYS = {
    *("language", "task", "method", "model", "test_set", "metric", "score", "signature", "seconds"),
    *("seed", "sentences_per_s"),
}
TINY = ["model=tiny", "model.train.max_steps=8", "task.max_train_sentences=200", "task.max_eval_sentences=100"]


def _readme_example() -> str:
    section = README.read_text(encoding="utf-8").split("## Python API\n", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    return code


def test_the_readme_example_runs_as_written(mirror_env, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(_readme_example(), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].split()[0].isdigit() and "tsi" in lines[0]  # len(ewe) and water's translations
    assert lines[-1].startswith("[('lrx_trans_train_en_names', ")


def test_public_names_are_lazy_and_listed():
    assert set(lrx.__all__) == {"Lexicon", "LrxError", "Sentence", "__version__", "load_lexicon", "run", "synthesize"}
    for name in lrx.__all__:
        assert getattr(lrx, name) is not None
    done = subprocess.run(
        [sys.executable, "-c", "import sys, lrx; print('torch' in sys.modules, 'hydra' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.split() == ["False", "False"]


def test_load_lexicon_lookup_len_and_several_sources(mirror_env, tmp_path):
    ewe = lrx.load_lexicon("gatitos", tgt="ee")
    assert isinstance(ewe, lrx.Lexicon) and len(ewe) > 3000
    assert "tsi" in [t.tgt for t in ewe.lookup("water")] and ewe.has("water")
    mine = tmp_path / "mine.tsv"
    mine.write_text("water\tezi\nbigfish\tlãgã\n", encoding="utf-8")
    # several sources merged; options per source by name, or flat for one source
    both = lrx.load_lexicon("gatitos,tsv", tgt="ee", tsv={"url": str(mine), "tgt_lang": "ee"})
    assert len(both) == len(ewe) + 2 and [t.tgt for t in both.lookup("water")] == ["tsi", "ezi"]
    alone = lrx.load_lexicon("tsv", tgt="ee", url=str(mine), tgt_lang="ee")
    assert len(alone) == 2 and alone.lookup("bigfish")[0].tgt == "lãgã"
    with pytest.raises(TypeError, match="url"):
        lrx.load_lexicon("gatitos,tsv", tgt="ee", url=str(mine))


def test_synthesize_strings_and_sentences_and_a_lexicon_object(mirror_env):
    ewe = lrx.load_lexicon("gatitos", tgt="ee")
    by_name = lrx.synthesize(["the water is cold"], tgt="ee")
    by_object = lrx.synthesize(["the water is cold"], tgt="ee", lexicon=ewe)
    as_sentence = lrx.synthesize([lrx.Sentence(["the", "water", "is", "cold"])], tgt="ee", lexicon=ewe)
    assert by_name == by_object == as_sentence
    assert by_name[0].tokens[1] == "tsi" and by_name[0].labels == []
    # the same seed, the same choice among translations; options as keywords
    kept = lrx.synthesize(["the water is purple"], tgt="ee", lexicon=ewe, unknown="drop", morphology=False)
    assert "purple" not in kept[0].tokens


def test_labels_are_projected_onto_a_multiword_translation(mirror_env):
    ewe = lrx.load_lexicon("gatitos", tgt="ee")
    assert [t.tgt for t in ewe.lookup("meet")] == ["do go"]  # met: its lemma, one word that becomes two
    tagged = lrx.Sentence(["The", "minister", "met", "Kofi", "Annan", "."], ["O", "O", "B-MISC", "B-PER", "I-PER", "O"])
    (out,) = lrx.synthesize([tagged], tgt="ee", lexicon=ewe, task="ner")
    i = out.tokens.index("do")
    assert out.tokens[i : i + 2] == ["do", "go"] and out.labels[i : i + 2] == ["B-MISC", "I-MISC"]
    assert out.labels[-3:] == ["B-PER", "I-PER", "O"] and tagged.labels[2] == "B-MISC"  # the input is unchanged
    (names,) = lrx.synthesize([tagged], tgt="ee", lexicon=ewe, task="ner", entities="keep")
    assert names.tokens[2] == "met"  # labelled MISC: kept as it is
    with pytest.raises(ValueError, match="task='ner'"):
        lrx.synthesize([tagged], tgt="ee", lexicon=ewe)  # labels, but the text task


def test_unknown_options_name_themselves():
    with pytest.raises(TypeError, match="'colour'"):
        lrx.synthesize(["x"], tgt="ee", colour="red")
    with pytest.raises(ValueError, match="choice"):
        lrx.synthesize(["x"], tgt="ee", lexicon=lrx.Lexicon("eng", "ee", []), choice="random")


def test_run_returns_the_metrics_entries_twice_in_one_process(mirror_env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = lrx.run(*TINY, "compare_with=[zero_shot]", f"hydra.run.dir={tmp_path / 'one'}")
    assert [row["method"] for row in first] == ["lrx_trans_train_en_names", "zero_shot"]
    assert all(set(row) == METRICS_KEYS for row in first)
    on_disk = json.loads((tmp_path / "one" / "metrics.json").read_text(encoding="utf-8"))
    assert on_disk == first[:1]
    assert (tmp_path / "one" / "compare" / "zero_shot" / "metrics.json").is_file()
    # a second call in the same process (Hydra's global state cleared), no evaluation: no entries
    second = lrx.run("model=tiny", "task.max_train_sentences=50", "stages=[lexicon,synthesize]", "language=wo",
                     f"hydra.run.dir={tmp_path / 'two'}")  # fmt: skip
    assert second == [] and (tmp_path / "two" / "pseudo.ner").is_file()
    assert not GlobalHydra.instance().is_initialized()


# the methods as conf/method/ composed them before the files built on one another (each wrote every key out):
# the same values, plus synthesis.seed, keep_case and code_switch, which SynthesisOptions now carries in the
# config too, and the self-training and student nodes (off)
_LRX = {"choice": "weighted", "unknown": "keep", "multiword": True, "casefold": True, "lemma": True,
        "entities": "translate", "morphology": "MORPH", "min_replaced": 0, "max_variants": 4, "seed": 1,
        "keep_case": True, "code_switch": 0.0}  # fmt: skip
_WANG = {**_LRX, "multiword": False, "lemma": False, "morphology": False, "max_variants": 1}
_STUDENT = {"soft": False, "layers": None, "teachers": 1, "text": "target", "init": "encoder"}
_SELF_TRAIN = {"rounds": 0, "selection": "class", "keep": 0.5, "threshold": 0.9, "init": "encoder",
               "text": "monolingual", "max_sentences": None}  # fmt: skip
_PLAIN = {"mlm": False, "mlm_head_warmup_steps": 0, "mlm_lr": None, "distill": False, "student": _STUDENT,
          "vocab": False, "self_train": _SELF_TRAIN}  # fmt: skip
_NAMES = {**_LRX, "entities": "keep"}
EXPECTED_METHODS = {
    "zero_shot": {"train_on": "en", "synthesis": _LRX, **_PLAIN},
    "lrx_trans_train": {"train_on": "pseudo", "synthesis": _LRX, **_PLAIN},
    "lrx_trans_train_en": {"train_on": "pseudo+en", "synthesis": _LRX, **_PLAIN},
    "lrx_trans_train_en_names": {"train_on": "pseudo+en", "synthesis": _NAMES, **_PLAIN},
    "lrx_vocab": {"train_on": "pseudo+en", "synthesis": _LRX, **_PLAIN, "vocab": True},
    "pseudo_mlm": {
        "train_on": "pseudo+en",
        "synthesis": _LRX,
        **_PLAIN,
        "mlm": True,
        "mlm_head_warmup_steps": 250,
        "mlm_lr": 5e-5,
    },
    "label_distill": {"train_on": "pseudo+en", "synthesis": _LRX, **_PLAIN, "distill": True},
    "pseudo_trans_train": {"train_on": "pseudo", "synthesis": _WANG, **_PLAIN},
    "pseudo_trans_train+en": {"train_on": "pseudo+en", "synthesis": _WANG, **_PLAIN},
    "cs_trans_train_en": {"train_on": "pseudo+en", "synthesis": {**_NAMES, "code_switch": 1.0}, **_PLAIN},
    "self_train_en": {"train_on": "en", "synthesis": _LRX, **_PLAIN, "self_train": {**_SELF_TRAIN, "rounds": 1}},
    "self_train": {"train_on": "pseudo+en", "synthesis": _NAMES, **_PLAIN, "self_train": {**_SELF_TRAIN, "rounds": 1}},
    "supervised": {"train_on": "target", "synthesis": _LRX, **_PLAIN},
    "teacher_student": {
        "train_on": "en",
        "synthesis": _LRX,
        **_PLAIN,
        "distill": True,
        "student": {**_STUDENT, "soft": True, "teachers": 3, "text": "monolingual"},
    },
}


@pytest.mark.parametrize("morphology", ["on", "off"])
def test_every_method_composes_to_its_values(morphology):
    import lrx.adapt.run.schema

    assert sorted(p.stem for p in (README.parent / "conf" / "method").glob("*.yaml")) == sorted(EXPECTED_METHODS)
    GlobalHydra.instance().clear()
    with initialize_config_module(config_module="lrx.conf", version_base="1.3"):
        for name, values in EXPECTED_METHODS.items():
            cfg = compose(config_name="config", overrides=[f"method={name}", f"morphology={morphology}"])
            expected = json.loads(
                json.dumps({"name": name, **values}).replace('"MORPH"', str(morphology == "on").lower())
            )
            assert OmegaConf.to_container(cfg.method, resolve=True) == expected, name
            # the node compare_with merges (composed on its own) is the same method
            merged = OmegaConf.merge(cfg, {"method": method_config(name)})
            assert OmegaConf.to_container(merged.method, resolve=True) == expected, name
            assert OmegaConf.to_object(cfg.method.synthesis) == lrx.adapt.run.schema.SynthesisOptions(
                **expected["synthesis"]
            )
    GlobalHydra.instance().clear()
