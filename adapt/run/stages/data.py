"""The data stages: `lexicon` (load it, record its stats) and `synthesize` (the English training data, its
pseudo translation, pseudo-monolingual and monolingual target text)."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from lrx.adapt.run.context import MONOLINGUAL
from lrx.adapt.run.context import PSEUDO_TEXT
from lrx.adapt.run.context import Context
from lrx.adapt.run.context import cap
from lrx.adapt.run.context import write_json
from lrx.adapt.run.settings import PSEUDO_TEXT_MIN_REPLACED
from lrx.adapt.run.settings import LexiconSettings
from lrx.adapt.run.settings import SynthesizeSettings

from lrx.core.sentence import Sentence

log = logging.getLogger(__name__)


def run_lexicon(ctx: Context, settings: LexiconSettings) -> tuple[str, dict[str, Any]]:
    _, lexicon = ctx.lexicon(settings)
    stats = lexicon.stats()
    write_json(ctx.path("lexicon_stats.json"), stats)
    log.info("lexicon %s", json.dumps(stats, ensure_ascii=False))
    return f"loaded the lexicon: {stats.get('entries')} entries", stats


def synthesize_outputs(ctx: Context) -> list[str]:
    outputs = [ctx.english_path.name]
    if ctx.uses_pseudo:
        outputs.append(ctx.pseudo_path.name)
    if ctx.needs_target_text:
        outputs += [PSEUDO_TEXT, MONOLINGUAL]
    return outputs


def run_synthesize(ctx: Context, settings: SynthesizeSettings) -> tuple[str, dict[str, Any]]:
    from lrx.adapt.synthesize import synthesize_file
    from lrx.adapt.tasks import read_task
    from lrx.adapt.tasks import write_task

    from lrx.core.fetch import fetch

    task, source = settings.task, settings.input
    english = cap(read_task(task, fetch(source) if "://" in source else Path(source)), settings.max_sentences)
    write_task(task, english, ctx.english_path)
    ctx.forget(task, ctx.english_path.name)
    result: dict[str, Any] = {"english_sentences": len(english)}
    did = [f"{len(english)} English sentences"]
    options = settings.options
    common = {"src": settings.lexicon.src, "unimorph": settings.unimorph, "lexicon_object": None}
    names: list[str] = []
    if settings.pseudo or settings.target_text:
        lex_source, lexicon = ctx.lexicon(settings.lexicon)
        names = [lexicon.name or lex_source.name]  # a merged source's lexicon names its parts: gatitos+bible
        common["lexicon_object"] = lexicon
    tgt = settings.lexicon.tgt
    if settings.pseudo:
        stats = synthesize_file(task, ctx.english_path, tgt, names, ctx.pseudo_path, options, **common)
        ctx.forget(task, ctx.pseudo_path.name)
        result.update(stats)
        did.append(f"{stats['sentences']} pseudo sentences ({stats['signature']})")
        log.info("synthesize: %s sentences, replaced ratio %s", stats["sentences"], stats["replaced_ratio"])
    if settings.target_text:
        english_text = ctx.path(f".english_text.tmp{os.getpid()}")
        try:
            write_task("text", [Sentence(list(s.tokens), [], {}) for s in english if s.tokens], english_text)
            text_options = replace(options, min_replaced=PSEUDO_TEXT_MIN_REPLACED)
            stats = synthesize_file("text", english_text, tgt, names, ctx.path(PSEUDO_TEXT), text_options, **common)
        finally:
            english_text.unlink(missing_ok=True)
        verses = cap(ctx.monolingual_text(settings.monolingual), settings.max_sentences)
        # tokens joined by spaces (no space flags), which `Context.read` splits back at whitespace
        write_task("text", [Sentence(s.tokens, [], {}, s.where) for s in verses], ctx.path(MONOLINGUAL))
        for name in (PSEUDO_TEXT, MONOLINGUAL):
            ctx.forget("text", name)
        result["pseudo_text"] = {"sentences": stats["sentences"], "signature": stats["signature"]}
        result["monolingual_sentences"] = len(verses)
        did.append(f"{stats['sentences']} pseudo-monolingual sentences, {len(verses)} monolingual")
    if not (settings.pseudo or settings.target_text):
        did.append(f"no pseudo data: {ctx.shape.name} trains on English and needs no target text")
    return "; ".join(did), result
