"""Scores, all in percent: entity F1 (NER), UPOS accuracy, intent accuracy and slot F1 (xSID).

Span scores are seqeval's in its default (conlleval-compatible) mode over IOB2 tags, the figure the NER and
xSID literature reports. Gold and prediction must line up sentence by sentence and word by word; a mismatch
is a ValueError naming the first sentence that differs, since scoring misaligned tags would give a number
that means nothing. seqeval (and with it scikit-learn) is imported only when a span score is computed.
"""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Sequence

OUTSIDE = "O"
DEFAULT_TYPES = ("PER", "LOC", "ORG")


def _check_aligned(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold sentences but {len(pred)} predicted")
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        if len(g) != len(p):
            raise ValueError(f"sentence {i}: {len(g)} gold tags but {len(p)} predicted")


def _keep_types(tags: Sequence[str], types: frozenset[str]) -> list[str]:
    """Tags of other entity types become O (MasakhaNER's DATE, when scoring PER/LOC/ORG)."""
    kept: list[str] = []
    for tag in tags:
        _, dash, kind = tag.partition("-")
        kept.append(tag if dash and kind in types else OUTSIDE)
    return kept


def _span_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    from seqeval.metrics import f1_score

    return 100.0 * float(f1_score([list(g) for g in gold], [list(p) for p in pred], zero_division=0))


def entity_f1(
    gold: Sequence[Sequence[str]],
    pred: Sequence[Sequence[str]],
    *,
    types: Collection[str] | None = DEFAULT_TYPES,
) -> float:
    """Micro entity F1 in percent. Only entities of `types` count (others are mapped to O in gold and
    prediction alike, so a model is neither rewarded nor punished for a type the comparison leaves out);
    `types=None` scores every type. Without any entity in gold or prediction the score is 0."""
    _check_aligned(gold, pred)
    if types is not None:
        wanted = frozenset(types)
        gold = [_keep_types(g, wanted) for g in gold]
        pred = [_keep_types(p, wanted) for p in pred]
    return _span_f1(gold, pred)


def slot_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    """Micro F1 of BIO slot spans in percent, every slot type counted (xSID's slot F1)."""
    _check_aligned(gold, pred)
    return _span_f1(gold, pred)


def tag_accuracy(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> float:
    """The share of words tagged right (UPOS accuracy), in percent; 0 for no words."""
    _check_aligned(gold, pred)
    total = sum(len(g) for g in gold)
    right = sum(g == p for gs, ps in zip(gold, pred, strict=True) for g, p in zip(gs, ps, strict=True))
    return 100.0 * right / total if total else 0.0


def intent_accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    """The share of sentences whose intent is right, in percent; 0 for no sentences."""
    if isinstance(gold, str) or isinstance(pred, str):
        raise TypeError("intents are a sequence of strings, one per sentence, not one string")
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold intents but {len(pred)} predicted")
    right = sum(g == p for g, p in zip(gold, pred, strict=True))
    return 100.0 * right / len(gold) if gold else 0.0
