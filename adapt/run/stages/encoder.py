"""The encoder a run trains: prepared once (built from `model.encoder`'s `_target_`; a tiny one's vocabulary
from the run's own text; trimmed with `model.trim`) by the first stage that reads it, and the `vocab` stage,
which extends its vocabulary with target-language words."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

from lrx.adapt.run.context import ENCODER
from lrx.adapt.run.context import MONOLINGUAL
from lrx.adapt.run.context import PSEUDO_TEXT
from lrx.adapt.run.context import Context
from lrx.adapt.run.context import PipelineError
from lrx.adapt.run.context import atomic_dir
from lrx.adapt.run.context import texts_of
from lrx.adapt.run.settings import EncoderSettings
from lrx.adapt.run.settings import TrimSettings
from lrx.adapt.run.settings import VocabStageSettings

log = logging.getLogger(__name__)


def run_texts(ctx: Context) -> list[str]:
    """The run's own text, which a tiny vocabulary is learned from and a trimmed one keeps: the English training
    sentences, the pseudo data (when the method trains on it) and the target text (when it reads any). Never
    dev or test data."""
    texts = texts_of(ctx.english())
    if ctx.uses_pseudo:
        texts += texts_of(ctx.pseudo())
    if ctx.needs_target_text:
        texts += texts_of(ctx.target_text())
    return texts


def trim_texts(ctx: Context, settings: TrimSettings) -> list[str]:
    """What a trimmed vocabulary keeps the pieces of: the run's text (`run_texts`), then the lexicon's target
    phrases (words the model meets in target-language test data keep their pieces) and, when the vocab stage
    extends the trimmed encoder, the lexicon's English phrases (they initialise the added words' embeddings).
    Never dev or test data."""
    _, lexicon = ctx.lexicon(settings.lexicon)
    entries = list(lexicon or ())
    texts = run_texts(ctx)
    texts += sorted({e.tgt for e in entries if e.tgt and not e.tgt.isspace()})
    if settings.english_words:
        texts += sorted({e.src for e in entries if e.src and not e.src.isspace()})
    # the language's real text (all of its Bibles, whatever the method): without it a trimmed encoder splits the
    # target words of the test data into pieces the pretrained model never used for them. Measured on the
    # MasakhaNER dev sets: 40.5% (Ewe) and 42.7% (Wolof) of words keep their pretrained segmentation when
    # trimming on English + lexicon only, 87.7% and 93.8% with the New Testament added
    return texts + texts_of(ctx.monolingual_text(settings.monolingual))


def trim_encoder(ctx: Context, settings: EncoderSettings, source: Path, out: Path) -> dict[str, Any]:
    """Trim the prepared encoder in `source` into `out` (`model.trim`): the pieces of `trim_texts` as pre-split
    words, plus every single-character piece of their characters (an unseen test word then falls back to
    characters rather than `<unk>`)."""
    from lrx.adapt.encoders.trim import TrimError
    from lrx.adapt.encoders.trim import character_pieces
    from lrx.adapt.encoders.trim import trim_vocabulary

    assert settings.trim is not None
    texts = trim_texts(ctx, settings.trim)
    try:
        stats = trim_vocabulary(source, texts, out, words=True, keep_pieces=character_pieces(texts))
    except TrimError as exc:
        raise PipelineError(f"model.trim: encoder {settings.name!r} cannot be trimmed: {exc}") from exc
    return {**stats, "texts": len(texts)}


def prepare_encoder(ctx: Context, settings: EncoderSettings, out: Path | None = None) -> dict[str, Any]:
    """The configured encoder in `out` (default `encoder/`); one that learns its vocabulary (tiny) from the run's
    own text (no test data); with `model.trim` trimmed to the run's text and lexicon (`trim_encoder`) before it
    lands there."""
    encoder = settings.encoder
    texts = run_texts(ctx) if encoder.learns_vocabulary else None
    final = out or ctx.path(ENCODER)
    result: dict[str, Any] = {"encoder": settings.name, "vocabulary_texts": None if texts is None else len(texts)}

    def build(into: Path) -> None:
        encoder.prepare(into, texts=texts, seed=settings.seed, max_length=settings.max_length)

    with atomic_dir(final) as tmp:
        if settings.trim is None:
            build(tmp)
            return result
        untrimmed = final.with_name(f".{final.name}.untrimmed")
        shutil.rmtree(untrimmed, ignore_errors=True)  # left by a run that was killed
        try:
            build(untrimmed)
            result["trim"] = trim_encoder(ctx, settings, untrimmed, tmp)
        finally:
            shutil.rmtree(untrimmed, ignore_errors=True)
    trim_stats = result["trim"]
    log.info(
        "encoder %s trimmed: %d -> %d pieces, %.1f -> %.1f MB (%.1f s)",
        settings.name,
        trim_stats["pieces_before"],
        trim_stats["pieces_after"],
        trim_stats["bytes_before"] / 1e6,
        trim_stats["bytes_after"] / 1e6,
        trim_stats["seconds"],
    )
    return result


def run_vocab(ctx: Context, settings: VocabStageSettings) -> tuple[str, dict[str, Any]]:
    """Prepare the encoder, then extend its vocabulary with target words (`lrx.adapt.encoders.vocab`) into
    `encoder/`."""
    from lrx.adapt.encoders.vocab import extend_vocabulary

    if not settings.enabled:
        return "nothing: method.vocab is false", {}
    assert settings.encoder is not None and settings.lexicon is not None
    pseudo = texts_of(ctx.pseudo()) if ctx.uses_pseudo else []
    target = texts_of(ctx.target_text())
    texts = pseudo + target
    if not texts:
        raise PipelineError(f"vocab: no target-language text in {ctx.pseudo_path.name}, {PSEUDO_TEXT} or {MONOLINGUAL}")
    english = {word for s in ctx.english() for word in s.tokens}
    _, lexicon = ctx.lexicon(settings.lexicon)
    base = ctx.path(f".{ENCODER}.base")
    try:
        encoder = prepare_encoder(ctx, settings.encoder, base)
        with atomic_dir(ctx.path(ENCODER)) as tmp:
            stats = extend_vocabulary(
                base,
                tmp,
                texts,
                lexicon=lexicon,
                exclude=english,
                measure=pseudo or None,
                settings=settings.vocab,
            )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    before, after = stats["tokens_per_word"]["before"], stats["tokens_per_word"]["after"]
    on = "pseudo data" if pseudo else "target text"
    did = (
        f"added {stats['added']} target words ({stats['init']['lexicon']} initialised from the lexicon); "
        f"tokens per word on the {on} {before:.3f} -> {after:.3f}"
    )
    return did, {**encoder, **stats, "measured_on": on}
