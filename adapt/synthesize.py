"""Synthesise pseudo task data for a target language: read English task data, translate it, write it back.

`synthesize_sentences` is the one code path: it loads the lexicon(s), with lemma matching an English analyser and
with morphology on too the target's inflector, and runs `lrx.lexicons.synthesis.Synthesizer` over sentences in
memory (`lrx.synthesize`, the public API, calls it). `synthesize_file`, behind `lrx synthesize` and the Hydra
pipeline's synthesis stage, reads a task file, calls it, and writes the pseudo data in the input's own format
with a provenance signature (its first line; for plain text, whose lines are sentences only, the sidecar
`<out>.lrx.json`), and a stats JSON next to it (`<out>.stats.json`, the signature its first key). Plain text is
written back as text: punctuation the reader split off is glued back to the translated words. The options are one
`lrx.lexicons.synthesis.SynthesisOptions` everywhere (the CLI's flags, the API's keywords, `method.synthesis`). With
morphology off, lemma matches keep the target lemma as it stands; with lemma matching off (Wang et al.'s
synthesis: exact, then lower-cased, single words) there is nothing to inflect.

The target inflector, with morphology on: the UniMorph tables of the target language (`unimorph` names
another table, e.g. `swc` for Swahili lexicons tagged `sw`/`swh`) merged with its contributed
`data/paradigms/<iso>.tsv` files (`lrx.morphology.unimorph.load_paradigms`), answered from the table for lemmas it lists
and by the rules inflector (fitted on the whole table) for the rest; the fitted rules are cached beside the
downloads. An English bundle is mapped to the closest bundle the table has (`lrx.morphology.feature_map`); a
language without a UniMorph table, or a bundle that does not map, gets the bare target lemma (counted as the
`lemma` path rather than `inflected`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version
from pathlib import Path
from typing import Any

from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.loading import load_lexicon
from lrx.lexicons.loading import parse_source_names
from lrx.lexicons.synthesis import SynthesisOptions
from lrx.lexicons.synthesis import Synthesizer

from lrx.core.fetch import fetch
from lrx.core.sentence import Sentence

log = logging.getLogger(__name__)


def lrx_version() -> str:
    """major.minor of the installed lrx, for signatures."""
    try:
        full = version("lrx")
    except PackageNotFoundError:
        return "dev"
    return ".".join(full.split(".")[:2])


def _matching_flags(options: SynthesisOptions) -> tuple[tuple[str, bool], ...]:
    return (("mw", options.multiword), ("cf", options.casefold), ("lemma", options.lemma))


def signature(lexicons: Sequence[str], src: str, tgt: str, options: SynthesisOptions, *, task: str) -> str:
    """sacrebleu-style provenance of a pseudo-data file: `lrx:0.1|lex:gatitos+freedict|pair:eng-ewe|...`.
    `morph:on` only where lemma matches are inflected (`morphology` and `lemma` both on)."""
    morphology = options.morphology and options.lemma
    fields = [
        f"lrx:{lrx_version()}",
        f"task:{task}",
        f"lex:{'+'.join(lexicons)}",
        f"pair:{src}-{tgt}",
        f"morph:{'on' if morphology else 'off'}",
        # the matching paths, named only where one is switched off (Wang et al.'s synthesis: mw:off|lemma:off)
        *(f"{flag}:off" for flag, on in _matching_flags(options) if not on),
        f"choice:{options.choice}",
        f"unk:{options.unknown}",
        # named only when names are kept (the default translates them, as Wang et al. do)
        *(["ent:keep"] if options.entities == "keep" else []),
        f"min:{options.min_replaced}",
        f"seed:{options.seed}",
    ]
    return "|".join(fields)


@dataclass
class TargetMorphology:
    """The target side of morphology-aware synthesis: inflect(target_lemma, english_feats) -> form | None."""

    language: str
    inflector: Any
    mapper: Any
    table: dict[tuple[str, str], str]
    _cache: dict[tuple[str, str], str | None]

    def __call__(self, lemma: str, english_feats: str) -> str | None:
        key = (lemma, english_feats)
        if key in self._cache:
            return self._cache[key]
        feats = self.mapper.map(english_feats)
        form = None
        if feats is not None:
            form = self.table.get((lemma, feats)) or self.inflector.inflect(lemma, feats)
        self._cache[key] = form
        return form


def load_target_morphology(language: str) -> TargetMorphology | None:
    """Rules fitted on the inflection tables of `language` (UniMorph and contributed `data/paradigms/`;
    cached), or None where there is neither."""
    from lrx.morphology.feature_map import FeatureMapper
    from lrx.morphology.inflectors.base import Example
    from lrx.morphology.inflectors.base import load_inflector
    from lrx.morphology.inflectors.rules import RulesInflector
    from lrx.morphology.unimorph import UnknownUniMorphLanguageError
    from lrx.morphology.unimorph import load_paradigms

    from lrx.core.fetch import FetchSettings
    from lrx.core.fetch import fetch

    try:
        # the UniMorph table merged with contributed `data/paradigms/<iso>.tsv` files (or those alone)
        paradigms = load_paradigms(language, fetch)
    except UnknownUniMorphLanguageError:
        log.info("no UniMorph table or contributed paradigms for %s: target lemmas are not inflected", language)
        return None
    iso = paradigms.lang or language
    # one form per cell, the one most consistent with the lemma's other cells (tables list variants and slips)
    entries = [(lemma, str(feats), form) for lemma, feats, form in paradigms.main_forms()]
    digest = hashlib.sha256("\n".join("\t".join(e) for e in entries).encode("utf-8")).hexdigest()[:16]
    saved = FetchSettings.from_env().cache_dir / "inflectors" / f"{iso}-rules-{digest}"
    inflector = None
    if (saved / "inflector.json").is_file():
        try:
            inflector = load_inflector(saved)
        except (OSError, ValueError, KeyError) as error:  # a damaged cache entry is refitted, not fatal
            log.warning("%s: cached inflector unreadable (%s); refitting", saved, error)
    if inflector is None:
        inflector = RulesInflector().fit([Example(lemma, feats, form) for lemma, feats, form in entries])
        inflector.save(saved)
    table = {(lemma, feats): form for lemma, feats, form in entries}
    bundles: dict[str, int] = {}
    for bundle, count in paradigms.feature_bundles().items():
        bundles[str(bundle)] = count
    # a bundle that fewer than 3 lemmas have is more likely a tagging slip than a paradigm cell to aim for
    return TargetMorphology(iso, inflector, FeatureMapper(bundles, min_count=3), table, {})


@functools.cache
def _english_analyzer() -> Any:
    """One English analyser per process (the table is pinned; its cache serves every language)."""
    from lrx.morphology.english import load_english_analyzer

    from lrx.core.fetch import fetch

    # running text has far more plural nouns in -s than 3rd-person verbs, though the English table knows
    # most nouns as verbs too (to dog, to book)
    return load_english_analyzer(fetch, plural_first=True)


def english_analyzer() -> Any:
    """The English analyser synthesis matches lemmas with (one per process): for callers that must match as
    synthesis does (`lrx gaps`)."""
    return _english_analyzer()


_INPUTS: dict[tuple[str, str, int, int], list[Any]] = {}


def _read_input(task: str, path: Path) -> list[Any]:
    """The input's sentences, kept for the next language while the file is unchanged (synthesis never
    modifies them): a worker translating one English file into many languages reads it once."""
    from lrx.adapt.tasks import read_task

    info = path.stat()
    key = (task, str(path.resolve()), info.st_size, info.st_mtime_ns)
    if key not in _INPUTS:
        _INPUTS.clear()
        _INPUTS[key] = read_task(task, path)
    return _INPUTS[key]


@dataclass
class Synthesis:
    """What `synthesize_sentences` made: the pseudo sentences, their provenance signature and the stats."""

    sentences: list[Sentence]
    signature: str
    stats: dict[str, Any] = field(default_factory=dict)


def synthesize_sentences(
    sentences: Iterable[Sentence],
    task: str,
    tgt: str,
    lexicon: str | Sequence[str] | Lexicon,
    options: SynthesisOptions | None = None,
    *,
    src: str = "eng",
    unimorph: str | None = None,
) -> Synthesis:
    """Translate `sentences` (of a `task`: its label scheme says how labels are projected) into `tgt`.

    `lexicon`: source names (`"gatitos,freedict"` or a list), loaded for `src`-`tgt`, or a loaded `Lexicon`
    (named in the signature by its name). The matching paths (`SynthesisOptions`): `multiword` entries first,
    the token exactly, then `casefold`ed, then its `lemma` (the English analyser). `morphology` inflects lemma
    matches (the target's UniMorph table, or `unimorph` naming another, e.g. `swc`), so it has no effect without
    `lemma` (the signature then says `morph:off`). Wang et al.'s synthesis is `multiword=False, lemma=False,
    morphology=False`: exact, then lower-cased, single words. `entities="keep"` copies the tokens labelled as
    named entities instead of translating them. The input sentences are not modified.
    """
    if isinstance(lexicon, Lexicon):
        names = [name for name in lexicon.name.split("+") if name] or ["lexicon"]
        return _synthesize(sentences, task, tgt, names, lexicon, options, src=src, unimorph=unimorph)
    names = parse_source_names(lexicon)
    return _synthesize(sentences, task, tgt, names, None, options, src=src, unimorph=unimorph)


def _synthesize(
    sentences: Iterable[Sentence],
    task: str,
    tgt: str,
    names: Sequence[str],
    lex: Lexicon | None,
    options: SynthesisOptions | None,
    *,
    src: str,
    unimorph: str | None,
) -> Synthesis:
    """`synthesize_sentences` with the lexicon's source names (for the signature) and, if loaded, the lexicon."""
    from lrx.adapt.tasks import TASKS
    from lrx.adapt.tasks import get_task

    if task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}, not {task!r}")
    kind = get_task(task)
    options = options if options is not None else SynthesisOptions()
    options.check()
    if lex is None:
        lex = load_lexicon(names, tgt, src)
    analyse = inflect = None
    target = None
    if options.lemma:
        analyzer = _english_analyzer()

        def known(word: str) -> bool:
            return lex.has(word)

        def analyse(word: str) -> list[tuple[str, str]]:
            return [(a.lemma, a.feats) for a in analyzer.analyse(word, known)]

    if options.morphology and options.lemma:  # inflection applies to lemma matches only
        target = load_target_morphology(unimorph or tgt)
        inflect = target
    synthesizer = Synthesizer(lex, options, analyse=analyse, inflect=inflect, label_scheme=kind.label_scheme)
    pseudo = list(synthesizer.translate_all(sentences))
    for sentence in pseudo:
        kind.record_source_text(sentence.meta)
    sig = signature(names, src, tgt, options, task=task)
    stats = {
        "signature": sig,
        "task": task,
        "lexicon_entries": len(lex),
        "inflector": None if target is None else f"unimorph:{target.language}:rules",
        **synthesizer.stats.as_dict(),
    }
    if target is not None:
        stats["feature_map"] = target.mapper.table()
    return Synthesis(pseudo, sig, stats)


def synthesize_file(
    task: str,
    input_path: str | Path,
    tgt: str,
    lexicon: str | Sequence[str],
    out: str | Path,
    options: SynthesisOptions | None = None,
    *,
    src: str = "eng",
    unimorph: str | None = None,
    lexicon_object: Lexicon | None = None,
) -> dict[str, Any]:
    """Translate `input_path` (a `task` file) into `tgt` and write `out` and `<out>.stats.json`; the stats.

    `synthesize_sentences` over the file's sentences (see there for `options`, `src` and `unimorph`);
    `lexicon_object`, when given, is the already loaded lexicon of the sources `lexicon` names (they name it in
    the signature).
    """
    from lrx.adapt.tasks import write_task

    names = parse_source_names(lexicon)
    sentences = _read_input(task, fetch(str(input_path)))  # a path is read in place; a URL fetched and cached
    result = _synthesize(sentences, task, tgt, names, lexicon_object, options, src=src, unimorph=unimorph)
    out = Path(out)
    write_task(task, result.sentences, out, signature=result.signature)
    stats = {**result.stats, "input": str(input_path), "output": str(out)}
    # the stats file keeps its key order: signature, task, input, output, lexicon_entries, ...
    order = ["signature", "task", "input", "output"]
    stats = {**{key: stats[key] for key in order}, **{k: v for k, v in stats.items() if k not in order}}
    stats_path = out.with_name(out.name + ".stats.json")
    tmp = stats_path.with_name(stats_path.name + f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(stats, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(stats_path)
    return stats


def synthesize_many(
    task: str,
    input_path: str | Path,
    languages: Sequence[str],
    lexicon: str | Sequence[str],
    out_dir: str | Path,
    options: SynthesisOptions | None = None,
    *,
    workers: int = 0,
    src: str = "eng",
) -> dict[str, dict[str, Any]]:
    """`synthesize_file` for each target language, over a pool of `workers` processes (0: one per core),
    writing `<out_dir>/<lang>.<task>`. A language that fails is reported as {"error": message}; the others
    go on. Each worker reads the input and the English table once for all its languages."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures import as_completed

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        jobs = {
            pool.submit(
                synthesize_file, task, input_path, lang, lexicon, out_dir / f"{lang}.{task}", options, src=src
            ): lang
            for lang in languages
        }
        for job in as_completed(jobs):
            lang = jobs[job]
            try:
                results[lang] = job.result()
            except Exception as error:  # one language's failure must not stop the others
                log.error("%s: synthesis failed: %s", lang, error)
                results[lang] = {"error": f"{type(error).__name__}: {error}"}
    return {lang: results[lang] for lang in languages}
