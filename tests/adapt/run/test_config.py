"""The real `conf/` composed with Hydra: the schema of adapt/run/schema.py, each group's options, experiments,
launchers, and every URL in every config file checked against the data mirror."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hydra import compose
from hydra import initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.errors import ConfigCompositionException
from hydra.utils import get_class
from hydra.utils import instantiate
from lrx.adapt.run import schema
from lrx.lexicons.sources.base import LexiconSource
from omegaconf import DictConfig
from omegaconf import OmegaConf
from omegaconf import open_dict
from omegaconf.errors import InterpolationToMissingValueError
from omegaconf.errors import MissingMandatoryValue

CONF = Path(__file__).resolve().parents[3] / "conf"
CONFIG_FILES = sorted(CONF.rglob("*.yaml"))
GROUP_SCHEMAS = {
    "language": schema.LanguageConfig,
    "task": schema.TaskConfig,
    "model": schema.ModelConfig,
    "method": schema.MethodConfig,
    "morphology": schema.MorphologyConfig,
}
MASAKHANER_LANGUAGES = ["ee", "lg", "luo", "pcm", "wo"]
MASAKHANER_METHODS = [
    "zero_shot",
    "pseudo_trans_train",
    "lrx_trans_train_en_names",
    "self_train",
    "pseudo_mlm",
    "label_distill",
]


def _compose(overrides: list[str], *, hydra_config: bool = False, conf: Path = CONF) -> DictConfig:
    with initialize_config_dir(config_dir=str(conf), version_base="1.3"):
        return compose(config_name="config", overrides=overrides, return_hydra_config=hydra_config)


def _plain(cfg: DictConfig) -> dict[str, Any]:
    """The resolved config without the `hydra` node (present when composed with the hydra config)."""
    cfg = cfg.copy()
    with open_dict(cfg):
        cfg.pop("hydra", None)
    return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]


def test_language_method_model_overrides_compose_typed_and_derive_the_synthesis_keys():
    cfg = _compose(["language=lg", "method=pseudo_trans_train", "model=tiny"])
    assert OmegaConf.get_type(cfg) is schema.Config
    assert OmegaConf.get_type(cfg.language) is schema.LanguageConfig
    assert OmegaConf.get_type(cfg.method.synthesis) is schema.MethodSynthesisConfig
    assert (cfg.language.code, cfg.language.iso639_3, cfg.language.unimorph) == ("lg", "lug", "lug")
    assert cfg.tgt == "lg" and cfg.src == "eng"
    assert cfg.lexicon._target_ == "lrx.lexicons.sources.gatitos.GatitosSource"
    # pseudo_trans_train is Wang et al.'s recipe: exact then lower-cased single words, random choice, unknowns
    # copied, no morphology even though morphology=on is the default; trained on the pseudo data alone
    assert cfg.morphology.enabled is True
    method = cfg.method
    assert (method.name, method.train_on) == ("pseudo_trans_train", "pseudo")
    assert method.synthesis.multiword is False and method.synthesis.lemma is False and method.synthesis.casefold
    assert (method.synthesis.choice, method.synthesis.unknown) == ("weighted", "keep")
    syn = cfg.method.synthesis
    assert syn.morphology is False and cfg.language.unimorph == "lug" and syn.max_variants == 1
    assert cfg.task.name == "ner" and cfg.task.train.endswith("conll_2003_en/train.txt")
    assert cfg.model.name_or_path == "tiny" and cfg.model.encoder.num_hidden_layers == 2
    assert cfg.model.train.seed == cfg.seed == 1 and cfg.model.train.threads == 1
    schema.validate(cfg)


def test_defaults_keep_the_keys_run_py_reads():
    cfg = _compose([])
    # the default run: every stage (vocab, mlm and distill do nothing for the default method), NER
    # CoNLL-2003 -> Ewe on 2,000 English sentences, lrx_trans_train_en_names (chosen on MasakhaNER dev), e5_small
    # untrimmed, with the budget of the MasakhaNER experiment (250 steps per training)
    assert cfg.tgt == "ee" and list(cfg.stages) == [
        "lexicon",
        "synthesize",
        "vocab",
        "mlm",
        "train",
        "self_train",
        "distill",
        "evaluate",
    ]
    assert (cfg.task.name, cfg.method.name, cfg.model.name_or_path) == ("ner", "lrx_trans_train_en_names", "e5_small")
    assert cfg.method.self_train.rounds == 0 and cfg.method.train_on == "pseudo+en"
    assert cfg.model.trim is False and cfg.model.train.max_steps == 250 and cfg.model.train.freeze_embeddings
    assert cfg.task.max_train_sentences == 2000 and cfg.task.max_eval_sentences is None
    schema.validate(cfg)
    assert _plain(cfg)["method"]["synthesis"] == {
        "choice": "weighted",
        "unknown": "keep",
        "multiword": True,
        "casefold": True,
        "lemma": True,
        "entities": "keep",
        "morphology": True,
        "min_replaced": 0,
        "max_variants": 4,
        "seed": 1,
        "keep_case": True,
        "code_switch": 0.0,
    }
    assert cfg.force is False and cfg.save_model is None  # keep the final model in a single run, none in a sweep
    # the overrides the existing tests use still work
    cfg = _compose(["tgt=lug", "lexicon.weight=2.0", "stages=[synthesize]", "method.synthesis.morphology=false"])
    assert cfg.tgt == "lug" and cfg.language.code == "ee" and cfg.lexicon.weight == 2.0
    assert cfg.method.synthesis.morphology is False and list(cfg.stages) == ["synthesize"]


def test_a_language_brings_its_own_lexicon_and_the_command_line_wins():
    cfg = _compose(["language=sw"])
    assert cfg.lexicon._target_ == "lrx.lexicons.sources.freedict.FreeDictSource"
    assert cfg.tgt == "sw" and cfg.language.unimorph == "swc"
    cfg = _compose(["language=sw", "lexicon=gatitos"])
    assert cfg.lexicon._target_ == "lrx.lexicons.sources.gatitos.GatitosSource"


def test_smoke_experiment_and_its_sweep_directories():
    cfg = _compose(["+experiment=smoke"], hydra_config=True)
    assert cfg.model.name_or_path == "tiny" and cfg.task.max_train_sentences == 200
    assert list(cfg.stages) == ["lexicon", "synthesize", "train", "evaluate"]
    assert cfg.hydra.launcher._target_.endswith("JoblibLauncher") and cfg.hydra.launcher.n_jobs == 2
    params = cfg.hydra.sweeper.params
    assert params.language.split(",") == ["ee", "lg"] and params.method.split(",") == [
        "zero_shot",
        "lrx_trans_train_en",
    ]
    assert cfg.hydra.sweep.dir.startswith("multirun/smoke/")
    # a job's directory is named by its language and method, not a job number
    job = _compose(["+experiment=smoke", "language=lg", "method=lrx_trans_train_en"], hydra_config=True)
    assert job.hydra.sweep.subdir == "lg_lrx_trans_train_en"
    assert job.hydra.run.dir.endswith("_lg_lrx_trans_train_en")


def test_masakhaner_experiment_every_job_composes_and_validates():
    cfg = _compose(["+experiment=masakhaner_gatitos"], hydra_config=True)
    params = cfg.hydra.sweeper.params
    assert params.language.split(",") == MASAKHANER_LANGUAGES
    assert params.method.split(",") == MASAKHANER_METHODS
    assert (
        cfg.model.name_or_path == "e5_small"
        and cfg.model.encoder._target_.endswith(".E5SmallEncoder")
        and cfg.task.name == "ner"
    )
    # 2,000 English sentences, the same 250-step budget for every method, every stage; untrimmed e5 (a trimmed
    # vocabulary splits test words differently from the pretrained model)
    assert cfg.task.max_train_sentences == 2000 and {"mlm", "self_train", "distill"} <= set(cfg.stages)
    assert cfg.model.train.max_steps == 250 and cfg.model.train.epochs > 2 and cfg.model.trim is False
    subdirs = set()
    for language in MASAKHANER_LANGUAGES:
        for method in MASAKHANER_METHODS:
            job = _compose(
                ["+experiment=masakhaner_gatitos", f"language={language}", f"method={method}"], hydra_config=True
            )
            schema.validate(job)  # stages include evaluate: each language has a MasakhaNER test set
            assert job.language.test_sets.ner[0].endswith("/test.txt") and job.lexicon._target_.endswith(
                "GatitosSource"
            )
            subdirs.add(job.hydra.sweep.subdir)
    assert len(subdirs) == 30 and "pcm_label_distill" in subdirs


def test_the_dev_experiment_selects_on_dev_sets_with_the_test_experiments_budget():
    test = _compose(["+experiment=masakhaner_gatitos", "language=wo"], hydra_config=True)
    dev = _compose(["+experiment=masakhaner_gatitos_dev", "language=wo"], hydra_config=True)
    assert dev.language.test_sets.ner == dev.language.dev_sets.ner != test.language.test_sets.ner
    assert all(url.endswith("/wol/dev.txt") for url in dev.language.test_sets.ner)
    assert dev.model == test.model and dev.task == test.task and dev.seed == test.seed
    assert dev.hydra.sweeper.params.method.split(",") == ["lrx_trans_train_en", "lrx_trans_train_en_names"]
    names = _compose(["+experiment=masakhaner_gatitos_dev", "method=lrx_trans_train_en_names"])
    plain = _compose(["+experiment=masakhaner_gatitos_dev", "method=lrx_trans_train_en"])
    assert (names.method.synthesis.entities, plain.method.synthesis.entities) == ("keep", "translate")
    assert {**names.method.synthesis, "entities": "translate"} == dict(plain.method.synthesis)


@pytest.mark.parametrize("path", sorted(CONF.glob("experiment/*.yaml")), ids=lambda p: p.stem)
def test_experiment_files_open_with_their_package_header_then_the_command(path):
    # Hydra reads `# @package` only from the very first lines (a comment line before it ends the header),
    # so the command that runs the experiment is the first comment after it
    first, second = path.read_text(encoding="utf-8").splitlines()[:2]
    assert first == "# @package _global_"
    assert second.startswith("# ") and second.endswith(f"lrx-run -m +experiment={path.stem}")


@pytest.mark.parametrize(
    ("launcher", "target", "n_jobs"),
    [
        ("joblib", "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher", -1),
        ("local", "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher", 2),
        ("submitit_local", "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher", None),
        ("submitit_slurm", "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher", None),
    ],
    ids=["joblib", "local", "submitit_local", "submitit_slurm"],
)
def test_launchers_by_override(launcher, target, n_jobs):
    cfg = _compose([f"hydra/launcher={launcher}", "language=wo", "method=zero_shot"], hydra_config=True)
    assert cfg.hydra.launcher._target_ == target
    assert cfg.hydra.launcher.get("n_jobs") == n_jobs
    assert cfg.hydra.sweep.subdir == "wo_zero_shot"


def _urls(node: Any) -> list[str]:
    """Every http(s) string among the keys and values of a loaded YAML document (comments aside)."""
    if isinstance(node, dict):
        return [u for key, value in node.items() for u in _urls(key) + _urls(value)]
    if isinstance(node, list):
        return [u for item in node for u in _urls(item)]
    return [node] if isinstance(node, str) and node.startswith(("http://", "https://")) else []


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: str(p.relative_to(CONF)))
def test_every_url_in_every_config_file_is_in_the_mirror(path, mirror_dir):
    urls = _urls(yaml.safe_load(path.read_text(encoding="utf-8")))
    # url templates ({src}, {tgt}...) are filled in by their source; the files they name are tested there
    files = [url for url in urls if "{" not in url]
    for url in files:
        assert url.startswith("https://"), f"{path}: {url} is not https"
        assert (mirror_dir / url.removeprefix("https://")).is_file(), f"{path}: {url} is not in the mirror"
    if path.parent.name in ("language", "task"):
        assert files, f"{path}: a {path.parent.name} file names its data files"


@pytest.mark.parametrize("group", sorted(GROUP_SCHEMAS))
def test_each_option_file_writes_out_every_schema_key(group):
    """Without lrx.adapt.run.schema imported the files compose untyped, so none may lean on a schema default."""

    def same_keys(data: dict, expected: dict, where: str) -> None:
        assert set(data) == set(expected), f"{where}: keys differ from the schema"
        for key, value in expected.items():
            if isinstance(value, dict) and value and isinstance(data[key], dict):
                same_keys(data[key], value, f"{where}.{key}")

    expected = OmegaConf.to_container(OmegaConf.structured(GROUP_SCHEMAS[group]))
    paths = sorted((CONF / group).glob("*.yaml"))
    assert paths
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.pop("defaults", None):
            # a file built on another (its defaults list) states only what differs: no key outside the schema
            assert set(data) <= set(expected), f"{path}: keys outside the schema"
        else:
            same_keys(data, expected, str(path.relative_to(CONF)))
        if group == "model" and "encoder" in data:  # a file built on hf.yaml names only its checkpoint
            # the encoder node's keys are the options of the class its _target_ names: they cannot drift apart
            node = dict(data["encoder"])
            cls = get_class(node.pop("_target_"))
            assert set(node) == {f.name for f in dataclasses.fields(cls)}, f"{path}: encoder options"


def test_the_config_needs_the_schema(monkeypatch):
    """conf/config.yaml names the schema without `optional`: the typed schema always applies (adapt/run/app.py
    imports lrx.adapt.run.schema), and composing without it is an error naming it rather than an untyped config."""
    overrides = ["language=pcm", "method=label_distill", "model=e5_small", "morphology=off", "task=pos"]
    assert OmegaConf.get_type(_compose(overrides)) is schema.Config
    monkeypatch.delitem(ConfigStore.instance().repo, "schema")
    with pytest.raises(ConfigCompositionException, match="schema"):
        _compose(overrides)


def test_required_values_raise_when_missing(tmp_path):
    conf = tmp_path / "conf"
    shutil.copytree(CONF, conf)
    # a new language file that forgot its code and lexicons: the schema's ??? stand in for them
    (conf / "language" / "xx.yaml").write_text("name: Example\niso639_3: xxx\n", encoding="utf-8")
    cfg = _compose(["language=xx"], conf=conf)
    with pytest.raises(MissingMandatoryValue, match=r"language\.code"):
        _ = cfg.language.code
    with pytest.raises(InterpolationToMissingValueError):
        _ = cfg.tgt
    with pytest.raises(MissingMandatoryValue):
        OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    for node in (schema.LanguageConfig, schema.TaskConfig, schema.ModelConfig, schema.MethodConfig):
        with pytest.raises(MissingMandatoryValue):
            OmegaConf.to_container(OmegaConf.structured(node), throw_on_missing=True)


def test_types_are_checked_and_choices_validated():
    with pytest.raises(ConfigCompositionException):
        _compose(["model.train.epochs=many"])  # an int in the schema
    with pytest.raises(ConfigCompositionException):
        _compose(["method.mlm=sometimes"])  # a bool
    with pytest.raises(ValueError, match=r"method\.train_on must be one of en, pseudo, pseudo\+en, target"):
        schema.validate(_compose(["method.train_on=mixed"]))
    with pytest.raises(ValueError, match=r"task\.name must be one of ner, pos, xsid"):
        schema.validate(_compose(["task.name=sentiment"]))
    # a language without a test set for the task is valid: it is adapted and not evaluated (the engine says so;
    # tests/adapt/run/test_multilingual.py)
    schema.validate(_compose(["task=xsid", "method=zero_shot", "stages=[lexicon,synthesize,train,evaluate]"]))
    schema.validate(_compose(["task=xsid", "stages=[lexicon,synthesize]"]))
    schema.validate(_compose(["task=pos", "language=wo", "stages=[evaluate]"]))


@pytest.mark.parametrize("path", sorted(CONF.glob("lexicon/*.yaml")), ids=lambda p: p.stem)
def test_every_lexicon_config_instantiates_offline(path, monkeypatch):
    monkeypatch.setenv("LRX_OFFLINE", "1")  # constructing a source must not fetch anything
    source = instantiate(OmegaConf.load(path), _convert_="all")
    assert isinstance(source, LexiconSource) and source.name == path.stem


def test_a_sweep_names_its_job_directories_by_language_and_method(mirror_env, tmp_path):
    sweep = tmp_path / "sweep"
    done = subprocess.run(
        [sys.executable, "-m", "lrx.adapt.run.app", "-m", "language=ee,wo", "method=zero_shot", "stages=[lexicon]",
         f"hydra.sweep.dir={sweep}"],
        capture_output=True, text=True, env=os.environ.copy(), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in sweep.iterdir() if p.is_dir()) == ["ee_zero_shot", "wo_zero_shot"]
    assert json.loads((sweep / "wo_zero_shot" / "lexicon_stats.json").read_text())["tgt"] == "wo"


def test_the_gatitos_all_sweep_lists_every_gatitos_language_once():
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from lrx.lexicons.sources.gatitos import LANGUAGES

    text = (CONF / "experiment" / "gatitos_all.yaml").read_text(encoding="utf-8")
    swept = yaml.safe_load(text)["hydra"]["sweeper"]["params"]["language"]
    codes = [str(code) for code in OverridesParser.create().parse_override(f"language={swept}").sweep_iterator()]
    assert codes == list(LANGUAGES)


@pytest.mark.parametrize(
    ("option", "checkpoint"), [("xlmr_base", "xlm-roberta-base"), ("mbert", "bert-base-multilingual-cased")]
)
def test_the_example_encoders_compose_to_a_pretrained_checkpoint(option, checkpoint):
    cfg = _compose([f"model={option}"])
    assert cfg.model.name_or_path == checkpoint
    encoder = instantiate(cfg.model.encoder)
    assert encoder.name_or_path == checkpoint and not encoder.learns_vocabulary
