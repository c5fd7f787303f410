"""Vowel harmony for the rules inflector: which variant of a suffix vowel a lemma takes, learned from data.

Suffix rules are keyed by the end of the lemma, so they are blind to harmony decided further back: Finnish
`kovariantti` takes `-lla`, not `-llä`, because of the `a` before `ntti`, and a rule keyed by `ti` has seen
both. This module learns, per language and with no list of vowels per language:

1. Harmony pairs: two suffix vowels that alternate in one bundle's suffixes (`ssa`/`ssä`: a~ä), counted once
   per bundle; the pairs seen in at least `strong` (a share) as many bundles as the commonest pair are kept,
   which leaves a~ä, o~ö, u~y in Finnish and drops occasional alternations (a~e). A vowel is a letter whose
   base (NFD) is a, e, i, o, u or y, or one of a few IPA-like vowels, so scripts without such letters
   (Georgian, Ge'ez) learn no pairs and nothing changes.
2. Which variant follows which lemma: counts of each suffix vowel given the lemma's last k vowels (its
   vowel tier), k = 0..`context`.

Correction: in the new material of the rule's suffix, a vowel with harmony partners observed in the bundle is
swapped for the partner that the lemma's longest known vowel-tier ending prefers by `ratio` or more (over at
least `min_count` examples); unless the lemma ending the rule's key covers already holds one of the
competing vowels: then the rule itself saw the deciding vowel and stands. Whether a language gets the
correction at all is decided on dev by the rules inflector.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

EXTRA_VOWELS = frozenset("æøåıɨʉəɛɔœɐɑɒʊʏɪ")
MAX_SUFFIX = 12  # longer suffix changes are not compared for alternations (cost grows with the square)


def is_vowel(char: str) -> bool:
    base = unicodedata.normalize("NFD", char)[:1].lower()
    return base in "aeiouy" or char.lower() in EXTRA_VOWELS


def vowel_tier(word: str) -> str:
    return "".join(c for c in word if is_vowel(c))


def _alternations(suffixes: Iterable[str]) -> set[tuple[str, str]]:
    """Vowel pairs (both orders) by which two equally long suffixes of one bundle differ, and only by vowels."""
    by_length: dict[int, list[str]] = defaultdict(list)
    for suffix in suffixes:
        if len(suffix) <= MAX_SUFFIX:
            by_length[len(suffix)].append(suffix)
    found: set[tuple[str, str]] = set()
    for group in by_length.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
                if diff and all(is_vowel(x) and is_vowel(y) for x, y in diff):
                    for x, y in diff:
                        found.add((x, y))
                        found.add((y, x))
    return found


class VowelHarmony:
    """Learned harmony pairs per bundle and suffix-vowel counts per lemma vowel-tier ending (module docstring)."""

    def __init__(
        self,
        pairs: dict[str, set[tuple[str, str]]],
        counts: dict[str, Counter[str]],
        *,
        context: int = 3,
        ratio: float = 2.0,
        min_count: int = 3,
    ) -> None:
        self.pairs = pairs
        self.counts = counts
        self.context = context
        self.ratio = ratio
        self.min_count = min_count

    @classmethod
    def learn(
        cls, examples: Sequence[tuple[str, str, str]], *, strong: float = 0.5, context: int = 3, **options: Any
    ) -> VowelHarmony | None:
        """From (lemma, bundle key, new suffix) triples, all NFC; None when the data shows no harmony."""
        suffixes: dict[str, set[str]] = defaultdict(set)
        for _, key, suffix in examples:
            suffixes[key].add(suffix)
        per_bundle = {key: _alternations(found) for key, found in suffixes.items()}
        bundles_with = Counter(pair for found in per_bundle.values() for pair in found)
        if not bundles_with:
            return None
        top = max(bundles_with.values())
        kept = {pair for pair, n in bundles_with.items() if n >= strong * top and n >= 2}
        pairs = {key: found & kept for key, found in per_bundle.items() if found & kept}
        if not pairs:
            return None
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for lemma, _, suffix in examples:
            tier = vowel_tier(lemma)
            for char in suffix:
                if is_vowel(char):
                    for k in range(min(context, len(tier)) + 1):
                        counts[tier[len(tier) - k :]][char] += 1
        return cls(pairs, dict(counts), context=context, **options)

    def correct(self, lemma: str, form: str, start: int, covered: str, key: str) -> str:
        """`form` (NFC) with the harmony vowels of its new suffix material (from `start`) made to agree with
        `lemma`; `covered` is the lemma ending the rule's key saw, `key` the bundle."""
        pairs = self.pairs.get(key)
        if not pairs:
            return form
        tier = vowel_tier(lemma)
        chars = list(form)
        for i in range(start, len(chars)):
            char = chars[i]
            options = [char, *sorted(y for x, y in pairs if x == char)]
            if len(options) == 1 or any(option in covered for option in options):
                continue
            for k in range(min(self.context, len(tier)), -1, -1):
                seen = self.counts.get(tier[len(tier) - k :])
                if not seen or sum(seen[option] for option in options) < self.min_count:
                    continue
                best = max(options, key=lambda option: seen[option])
                if best != char and seen[best] > self.ratio * seen[char]:
                    chars[i] = best
                break
        return "".join(chars)

    def to_json(self) -> dict[str, Any]:
        return {
            "pairs": {key: sorted([x, y] for x, y in found) for key, found in self.pairs.items()},
            "counts": {tier: dict(counter) for tier, counter in self.counts.items()},
            "context": self.context,
            "ratio": self.ratio,
            "min_count": self.min_count,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VowelHarmony:
        pairs = {key: {(x, y) for x, y in found} for key, found in data["pairs"].items()}
        counts = {tier: Counter(counter) for tier, counter in data["counts"].items()}
        return cls(pairs, counts, context=data["context"], ratio=data["ratio"], min_count=data["min_count"])
