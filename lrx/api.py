"""The public API of lrx, for notebooks and scripts: `lrx.load_lexicon`, `lrx.synthesize`, `lrx.run`.

Each is a thin layer over what the command line tools run, so a result here is the result there:

- `load_lexicon` is `lrx.lexicons.loading.load_lexicon` (`lrx lexicon`, the `lexicon` stage of `lrx-run`);
- `synthesize` is `lrx.adapt.synthesize.synthesize_sentences`, the code path of `lrx synthesize` and of the
  `synthesize` stage, on sentences in memory, with the options of `lrx synthesize` as keywords;
- `run` composes the packaged Hydra config (`lrx.conf`) with `lrx-run`'s overrides and runs the job's stages in
  this process with the pipeline `lrx-run` runs (`compare_with` included), returning metrics.json's entries.

    import lrx
    ewe = lrx.load_lexicon("gatitos", tgt="ee")
    pseudo = lrx.synthesize(["The dog sleeps ."], tgt="ee", lexicon=ewe)
    rows = lrx.run("model=tiny", "compare_with=[]", "hydra.run.dir=/tmp/run")
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from lrx.core.sentence import Sentence
    from lrx.lexicons.lexicon import Lexicon

__all__ = ["load_lexicon", "run", "synthesize"]


def load_lexicon(
    source: str, tgt: str, *, src: str = "eng", weights: Mapping[str, float] | None = None, **options: Any
) -> Lexicon:
    """The bilingual lexicon of `source` for `src` -> `tgt` (codes as BCP-47 or ISO 639-3: "ee", "ewe").

    `source` names a lexicon source (conf/lexicon/<name>.yaml: gatitos, muse, panlex, freedict, wiktionary,
    apertium, tsv, contrib) or several, comma separated ("gatitos,muse"): merged into one lexicon, each
    translation's weight summed over the sources (`weights` multiplies a source's, e.g. {"muse": 0.5}); a
    source among several that does not cover the language is left out with a warning.

    `**options` override a source's constructor arguments (the keys of its conf/lexicon/<name>.yaml): flat for
    one source, `load_lexicon("tsv", "ee", url="https://...")`, or one mapping per source name for several,
    `load_lexicon("gatitos,tsv", "ee", tsv={"url": "https://..."})`. A key that is neither is a TypeError.
    """
    from lrx.lexicons.loading import load_lexicon as load
    from lrx.lexicons.loading import parse_source_names

    names = parse_source_names(source)  # an empty list: `load` says no source was given
    per_source: dict[str, dict[str, Any]] = {}
    if options and all(key in names and isinstance(value, Mapping) for key, value in options.items()):
        per_source = {key: dict(value) for key, value in options.items()}
    elif options and len(names) == 1:
        per_source = {names[0]: dict(options)}
    elif options:
        bad = sorted(key for key, value in options.items() if key not in names or not isinstance(value, Mapping))
        raise TypeError(
            f"load_lexicon() got option(s) {', '.join(map(repr, bad))}: with several sources, give each source's "
            f"options as a mapping under its name ({', '.join(f'{n}={{...}}' for n in names)})"
        )
    return load(names, tgt, src, weights=weights, options=per_source)


def _option_names() -> tuple[str, ...]:
    from lrx.lexicons.synthesis import SynthesisOptions

    return tuple(f.name for f in dataclasses.fields(SynthesisOptions))


def synthesize(
    sentences: Iterable[str | Sentence],
    *,
    tgt: str,
    lexicon: str | Lexicon = "gatitos",
    task: str = "text",
    seed: int = 1,
    src: str = "eng",
    unimorph: str | None = None,
    **options: Any,
) -> list[Sentence]:
    """Pseudo target-language sentences: `sentences` translated word by word through a bilingual lexicon.

    `sentences`: strings (split on whitespace: tokenise first, "The dog sleeps .") or `lrx.Sentence`s, whose
    labels are projected onto the translation as the `task` reads them: "ner" and "xsid" BIO spans (a word
    that becomes several spreads B-X, I-X), "pos" one tag per token; "text" (the default) for unlabelled
    sentences (labelled ones need their task). `lexicon`: source name(s) as for `load_lexicon` ("gatitos",
    "gatitos,muse"), or a `Lexicon` (load it once for many calls). `seed` makes the weighted choice among
    translations reproducible. One output sentence per input sentence, except with `min_replaced` (sentences
    with fewer translated tokens are left out) or `choice="all"` (up to `max_variants` each).

    `**options` are those of `lrx synthesize` (`lrx.lexicons.synthesis.SynthesisOptions`): choice (weighted |
    frequent | all), unknown (keep | drop | entities), entities (translate | keep), morphology (True: inflect
    lemma matches where `tgt`, or the UniMorph table `unimorph` names, has one), min_replaced, max_variants,
    and the matching paths multiword, casefold, lemma (all True), keep_case. An unknown name is a TypeError.
    """
    from lrx.adapt.synthesize import synthesize_sentences
    from lrx.core.sentence import Sentence
    from lrx.lexicons.lexicon import Lexicon
    from lrx.lexicons.synthesis import SynthesisOptions

    known = _option_names()
    unknown = [name for name in options if name not in known or name == "seed"]
    if unknown:
        names = ", ".join(name for name in known if name != "seed")
        raise TypeError(f"synthesize() got an unexpected option {unknown[0]!r} (options: {names})")
    batch: list[Sentence] = []
    for item in sentences if not isinstance(sentences, (str, Sentence)) else [sentences]:
        if isinstance(item, str):
            batch.append(Sentence(item.split()))
        elif isinstance(item, Sentence):
            batch.append(item)
        else:
            raise TypeError(f"synthesize() takes strings or Sentences, not {type(item).__name__}")
    if task == "text" and any(s.labels for s in batch):
        raise ValueError(
            "labelled sentences need the task whose labels they are (task='ner', 'pos' or 'xsid'): it says how "
            "labels are projected onto the translation"
        )
    if not isinstance(lexicon, (str, Lexicon)):
        raise TypeError(f"lexicon is a source name ('gatitos', 'gatitos,muse') or a Lexicon, not {lexicon!r}")
    chosen = SynthesisOptions(seed=seed, **options)
    return synthesize_sentences(batch, task, tgt, lexicon, chosen, src=src, unimorph=unimorph).sentences


def run(*overrides: str) -> list[dict[str, Any]]:
    """Run one `lrx-run` job in this process; metrics.json's entries (one per test set; [] without evaluate).

    `overrides` are `lrx-run`'s command line ("model=tiny", "language=lg", "method=zero_shot",
    "task.max_train_sentences=200", "stages=[lexicon,synthesize]"), composed with the packaged config
    (`lrx.conf`) whatever the working directory. The run directory is `hydra.run.dir=...` when given, else
    lrx-run's default (outputs/<date>/<time>_<tgt>_<method>, relative to the working directory); as with
    lrx-run, a run directory that holds finished stages resumes (force=true redoes them). The methods of
    `compare_with` (by default [zero_shot]) run too, as lrx-run runs them, in compare/<method>/ of the run
    directory, and their entries follow the run's own; each entry names its `method`. A sweep (`-m`, `a=1,2`)
    is not a run: use `lrx-run -m`. Logging is left as the caller set it (lrx-run's log file is not written).
    """
    for override in overrides:
        if not isinstance(override, str):
            raise TypeError(f"run() takes overrides as strings ('model=tiny'), not {override!r}")
    from lrx.adapt.run.app import run_in_process

    return run_in_process(list(overrides))
