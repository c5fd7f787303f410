"""Cleaning every lexicon source needs: Unicode NFC, translator notes, lists of alternatives, junk pairs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A bracketed comment anywhere ("pike (verb)", "[colloq.]"), or an opening bracket never closed, which
# runs to the end of the phrase ("ܐܪܓܡܘܣ ( ar ga mus" in GATITOS).
_NOTE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|[(\[{][^)\]}]*$")
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"\s*[,;]\s*")
# Anything the slow path of `clean_pair` would change: brackets, separators, odd whitespace.
_NEEDS_WORK = re.compile(r"[()\[\]{},;\t\n\r\x0b\x0c\u00a0\u2000-\u200b\u3000]|  |^\s|\s$")


@dataclass(frozen=True)
class CleaningOptions:
    """What to clean. `split_max_words`: split "a, b; c" only when the source phrase has at most this many
    words (a list after a single word means alternatives; after a sentence the comma is punctuation)."""

    strip_notes: bool = True
    split_alternatives: bool = True
    split_max_words: int = 3
    drop_identical: bool = False
    # letters that look like an orthography's letter but are another code point (LOOKALIKE_LETTERS) -> that letter
    fold_lookalikes: bool = True


DEFAULT_CLEANING = CleaningOptions()

# Code points typed for a letter they only look like, and the letter: a lexicon that spells a word with the wrong
# one never matches real text. GATITOS's Ewe file writes the open o as U+1D10 LATIN LETTER SMALL CAPITAL OPEN O in
# 297 entries (384 letters; gblᴐ "say"); MasakhaNER's Ewe never has it and writes U+0254 (ɔ). 3.6% of the Ewe
# pseudo tokens carried it. Listed only where found in a real lexicon: each entry is a fix, not a guess.
LOOKALIKE_LETTERS = str.maketrans({"\u1d10": "\u0254"})
_LOOKALIKES = re.compile("[\u1d10]")


def normalize_text(text: str) -> str:
    """NFC and collapsed whitespace."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


def strip_notes(text: str) -> str:
    """Remove bracketed translator notes: "pike (verb)" -> "pike"; nested brackets are removed inside out."""
    previous = None
    while previous != text:
        previous, text = text, _NOTE.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def split_alternatives(text: str) -> list[str]:
    """ "a, b; c" -> ["a", "b", "c"], dropping empty parts."""
    return [part for part in _SEPARATORS.split(text) if part]


def clean_pair(src: str, tgt: str, options: CleaningOptions = DEFAULT_CLEANING) -> list[tuple[str, str]]:
    """Clean one source/target pair into zero or more pairs (alternatives on either side multiply out)."""
    # Fast path, taken by most lines of most sources: NFC already, nothing to strip or split.
    clean_already = (
        (src.isascii() or unicodedata.is_normalized("NFC", src))
        and (tgt.isascii() or unicodedata.is_normalized("NFC", tgt))
        and _NEEDS_WORK.search(src) is None
        and _NEEDS_WORK.search(tgt) is None
    )
    if clean_already and options.fold_lookalikes and _LOOKALIKES.search(tgt) is not None:
        clean_already = False
    if clean_already:
        return [] if options.drop_identical and src.casefold() == tgt.casefold() else [(src, tgt)]
    src = normalize_text(src)
    tgt = normalize_text(tgt)
    if options.fold_lookalikes:
        tgt = tgt.translate(LOOKALIKE_LETTERS)
    if options.strip_notes:
        src = strip_notes(src)
        tgt = strip_notes(tgt)
    srcs, tgts = [src], [tgt]
    if options.split_alternatives and src.count(" ") < options.split_max_words:
        srcs = split_alternatives(src)
        tgts = split_alternatives(tgt)
    return [
        (s, t) for s in srcs for t in tgts if s and t and not (options.drop_identical and s.casefold() == t.casefold())
    ]
