"""The SIGMORPHON non-neural baseline's decisions, as one candidate of the `rules` inflector.

The shared tasks of 2017-2023 ship an affix-rule baseline (Cotterell et al. 2017, reused unchanged in 2020, 2022
and 2023). `rules` is modelled on it but makes different decisions (its own alignment, context-keyed prefix
rules, analogy for unseen bundles); on some languages those lose what the baseline keeps. This module makes the
baseline's decisions, written anew from its published description and code, so that `rules` can keep whichever
of the two is better on dev (`RulesInflector(variant="auto")`): a superset, never worse than the baseline by more
than dev-test noise.

The decisions, in order:
1. Prefixing or suffixing: every training pair without a space or hyphen is aligned by the Hamming distance of
   the two strings shifted against each other (padding on one side); the padding before the strings counts for
   prefixing, after them for suffixing. A language with more leading than trailing padding is treated as
   prefixing: every lemma and form is reversed, so its prefixes are handled as suffixes.
2. Alignment: Levenshtein with insertions and deletions at 1 and a substitution at 1.1 (so one substitution
   still beats a deletion plus an insertion, but two substitutions lose to them), the first optimal path
   preferring match/substitution, then insertion, then deletion, from the start of the word.
3. Three parts: the leading columns that are a gap on either side are the prefix, the trailing ones the suffix,
   the rest the stem.
4. Suffix rules: (lemma's stem+suffix from position i, with an end mark) -> (form's stem+suffix from i) for every i
   up to the shorter string's length, gaps dropped. Prefix rules: (start mark + lemma's prefix + the form's first
   i stem characters) -> (start mark + form's prefix + the same), i from 0 to the stem's length - 1.
5. Per feature bundle each rule is counted. To inflect: a bundle never seen in training returns the lemma; else
   the applicable suffix rule (its left side occurs in the marked lemma) with the longest left side, then the
   highest count, then the longest right side, is applied to its first occurrence; then the applicable prefix rule
   with the highest count (the first listed among equal counts).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from typing import Any

from lrx.morphology.inflectors.base import Example

START, END, GAP = "\x02", "\x03", "\x04"  # not in any lemma or form (RulesInflector.fit checks)
SUBSTITUTION = 1.1


def shift_alignment(lemma: str, form: str) -> tuple[str, str]:
    """The two strings shifted against each other with the fewest mismatched columns (padding counts as a
    mismatch), the first best shift in the baseline's order: the lemma moved right over the form, then the form
    moved right under the lemma."""
    best: tuple[int, str, str] | None = None
    for pad in range(len(form) + 1):
        upper = GAP * pad + lemma + GAP * (len(form) - pad)
        lower = GAP * len(lemma) + form
        best = _better(best, upper, lower)
    for pad in range(len(lemma) + 1):
        upper = GAP * len(form) + lemma
        lower = GAP * (len(lemma) - pad) + form + GAP * pad
        best = _better(best, upper, lower)
    assert best is not None
    _, upper, lower = best
    kept = [(a, b) for a, b in zip(upper, lower, strict=True) if a != GAP or b != GAP]
    return "".join(a for a, _ in kept), "".join(b for _, b in kept)


def _better(best: tuple[int, str, str] | None, upper: str, lower: str) -> tuple[int, str, str]:
    score = sum(a != b for a, b in zip(upper, lower, strict=True))
    return (score, upper, lower) if best is None or score < best[0] else best


def is_prefixing(pairs: Sequence[tuple[str, str]]) -> bool:
    """Whether the language adds more material before words than after them (decision 1)."""
    before = after = 0
    for lemma, form in pairs:
        if any(mark in lemma or mark in form for mark in " -"):
            continue  # multiword and hyphenated entries do not vote
        upper, lower = shift_alignment(lemma, form)
        before += _leading(upper) + _leading(lower)
        after += _trailing(upper) + _trailing(lower)
    return before > after


def _leading(text: str) -> int:
    return len(text) - len(text.lstrip(GAP))


def _trailing(text: str) -> int:
    return len(text) - len(text.rstrip(GAP))


def levenshtein_alignment(lemma: str, form: str) -> tuple[str, str]:
    """Decision 2: the aligned lemma and form (GAP where one has no character)."""

    @functools.cache
    def best(i: int, j: int) -> tuple[float, str, str]:
        if i == len(lemma):
            return len(form) - j, GAP * (len(form) - j), form[j:]
        if j == len(form):
            return len(lemma) - i, lemma[i:], GAP * (len(lemma) - i)
        options = []
        cost, upper, lower = best(i + 1, j + 1)
        options.append((cost + (0 if lemma[i] == form[j] else SUBSTITUTION), lemma[i] + upper, form[j] + lower))
        cost, upper, lower = best(i, j + 1)
        options.append((cost + 1, GAP + upper, form[j] + lower))
        cost, upper, lower = best(i + 1, j)
        options.append((cost + 1, lemma[i] + upper, GAP + lower))
        return min(options, key=lambda option: option[0])  # the first of equal costs, in the order above

    _, upper, lower = best(0, 0)
    best.cache_clear()
    return upper, lower


def three_parts(lemma: str, form: str) -> tuple[tuple[str, str, str], tuple[str, str, str]]:
    """Decision 3: (prefix, stem, suffix) of the aligned lemma and of the aligned form."""
    upper, lower = levenshtein_alignment(lemma, form)
    lead = max(_leading(upper), _leading(lower))
    trail = max(_trailing(upper), _trailing(lower))
    end = len(upper) - trail
    return (upper[:lead], upper[lead:end], upper[end:]), (lower[:lead], lower[lead:end], lower[end:])


def extract_rules(lemma: str, form: str) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Decision 4: (prefix rules, suffix rules) of one pair, as (left side, right side)."""
    (lemma_prefix, lemma_stem, lemma_suffix), (form_prefix, form_stem, form_suffix) = three_parts(lemma, form)
    left, right = lemma_stem + lemma_suffix + END, form_stem + form_suffix + END
    suffix = {(left[i:].replace(GAP, ""), right[i:].replace(GAP, "")) for i in range(min(len(left), len(right)))}
    prefix = set()
    for i in range(len(form_stem)):
        left, right = START + lemma_prefix + form_stem[:i], START + form_prefix + form_stem[:i]
        prefix.add((left.replace(GAP, ""), right.replace(GAP, "")))
    return prefix, suffix


class AffixBaseline:
    """Decisions 1-5 over a training set: `fit(examples)`, then `inflect(lemma, feats)`; `to_json`/`from_json`.

    direction: None decides prefixing by decision 1 (the baseline); True or False forces it (the heuristic picks
    the wrong side for Kongo, Zulu, Luganda and Sesotho in the 2020 data: `rules` tries both on dev)."""

    def __init__(self, prefixing: bool | None = None) -> None:
        self.forced = prefixing
        self.prefixing = False
        self.prefix: dict[str, Counter[tuple[str, str]]] = {}
        self.suffix: dict[str, Counter[tuple[str, str]]] = {}

    def fit(self, examples: Sequence[Example]) -> AffixBaseline:
        pairs = [(e.lemma, e.form) for e in examples]
        self.prefixing = is_prefixing(pairs) if self.forced is None else self.forced
        self.prefix, self.suffix = {}, {}
        for example in examples:
            lemma, form = self._oriented(example.lemma), self._oriented(example.form)
            prefix_rules, suffix_rules = extract_rules(lemma, form)
            # Counter keeps first-seen order, which the baseline's tie-break among equal counts follows
            if prefix_rules:
                self.prefix.setdefault(example.feats, Counter()).update(sorted(prefix_rules))
            if suffix_rules:
                self.suffix.setdefault(example.feats, Counter()).update(sorted(suffix_rules))
        return self

    def _oriented(self, text: str) -> str:
        return text[::-1] if self.prefixing else text

    def knows(self, feats: str) -> bool:
        return feats in self.prefix or feats in self.suffix

    def inflect(self, lemma: str, feats: str) -> str:
        """Decision 5 (the lemma itself for a bundle never seen in training)."""
        if not self.knows(feats):
            return lemma
        base = START + self._oriented(lemma) + END
        applicable = [(left, right, n) for (left, right), n in self.suffix.get(feats, {}).items() if left in base]
        if applicable:
            left, right, _ = max(applicable, key=lambda rule: (len(rule[0]), rule[2], len(rule[1])))
            base = base.replace(left, right, 1)
        applicable = [(left, right, n) for (left, right), n in self.prefix.get(feats, {}).items() if left in base]
        if applicable:
            left, right, _ = max(applicable, key=lambda rule: rule[2])
            base = base.replace(left, right, 1)
        return self._oriented(base.replace(START, "").replace(END, ""))

    def to_json(self) -> dict[str, Any]:
        def table(rules: dict[str, Counter[tuple[str, str]]]) -> dict[str, list[list[Any]]]:
            return {feats: [[left, right, n] for (left, right), n in counts.items()] for feats, counts in rules.items()}

        return {"prefixing": self.prefixing, "prefix": table(self.prefix), "suffix": table(self.suffix)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AffixBaseline:
        def table(rows: dict[str, list[list[Any]]]) -> dict[str, Counter[tuple[str, str]]]:
            return {feats: Counter({(left, right): n for left, right, n in items}) for feats, items in rows.items()}

        model = cls()
        model.prefixing = bool(data["prefixing"])
        model.prefix, model.suffix = table(data["prefix"]), table(data["suffix"])
        return model
