"""Word-by-word translation of English sentences through a bilingual lexicon, labels kept aligned: pseudo-data.

The method of Wang, Ruder & Neubig (2022), done with more care than their scripts:

* Matching, at each position: the longest multiword lexicon entry starting there (English n-grams, n >= 2),
  then the token itself exactly, then case-folded, then its lemma ("dogs" -> dog) from an English analyser.
  A lemma match is inflected back (`dog` N;PL -> the target's plural of the translation) when an inflect
  callable is given: morphology-aware synthesis; otherwise, or when inflection has no answer, the target
  lemma stands. Each path taken is counted.
* Choice among the translations of a match: `weighted` (sampled by the lexicon's summed weights), `frequent`
  (the best one) or `all` (several pseudo sentences per source sentence: variant k takes each match's k-th
  translation, up to `max_variants`, duplicates dropped). A seeded generator makes every run reproducible.
* Unknown words: `keep` (code-switched text), `drop`, or `entities` (kept only where labelled as a named
  entity: a non-O NER tag or slot, PROPN). Sentences with fewer than `min_replaced` translated tokens are left
  out (Wang et al. use 3 for pseudo-monolingual text).
* Labels: a token that becomes several target tokens spreads its label (B-X then I-X; a POS tag or O repeated);
  several source tokens that become one or more target tokens take the span's first label (for BIO), or the
  label of the span's head (POS: the first content tag by a fixed priority, verbs and nouns first). A dropped
  token that began a span passes its B- on to the span's next kept token, so spans stay well formed.

Nothing here reads or writes files or knows how analysis and inflection are done: both come in as callables,
`analyse(word) -> [(lemma, feats), ...]` and `inflect(target_lemma, english_feats) -> form | None`.
"""

from __future__ import annotations

import bisect
import random
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from lexicons.lexicon import Lexicon
from lexicons.lexicon import Translation
from lexicons.sentence import Sentence

CHOICES = ("weighted", "frequent", "all")
UNKNOWN = ("keep", "drop", "entities")
PATHS = ("multiword", "exact", "casefold", "inflected", "lemma", "unknown")

Analyse = Callable[[str], Sequence[tuple[str, str]]]
Inflect = Callable[[str, str], "str | None"]

# POS head of a multiword span: the first tag in this order that the span has (then the span's first tag)
HEAD_PRIORITY = ("VERB", "NOUN", "PROPN", "PRON", "ADJ", "NUM", "ADV", "AUX", "ADP", "DET")


@dataclass(frozen=True)
class SynthesisOptions:
    """How to translate; `label_scheme` is "bio" (NER tags, slots), "tag" (POS) or "none" (plain text)."""

    choice: str = "weighted"
    unknown: str = "keep"
    min_replaced: int = 0
    seed: int = 1
    max_variants: int = 4
    multiword: bool = True
    casefold: bool = True
    lemma: bool = True
    keep_case: bool = True  # a capitalised English word gives a capitalised translation
    label_scheme: str = "bio"

    def __post_init__(self) -> None:
        if self.choice not in CHOICES:
            raise ValueError(f"choice must be one of {', '.join(CHOICES)}, not {self.choice!r}")
        if self.unknown not in UNKNOWN:
            raise ValueError(f"unknown must be one of {', '.join(UNKNOWN)}, not {self.unknown!r}")
        if self.label_scheme not in ("bio", "tag", "none"):
            raise ValueError(f"label_scheme must be bio, tag or none, not {self.label_scheme!r}")
        if self.min_replaced < 0 or self.max_variants < 1:
            raise ValueError("min_replaced must be >= 0 and max_variants >= 1")


@dataclass(slots=True)
class _Match:
    """Translations of one source span: target token lists, cumulative weights (for sampling), and the path."""

    path: str
    targets: tuple[tuple[str, ...], ...]
    cumulative: tuple[float, ...]


@dataclass
class SynthesisStats:
    sentences_in: int = 0
    sentences: int = 0  # written (variants included, filtered ones not)
    filtered: int = 0  # left out by min_replaced
    tokens_in: int = 0  # source tokens of the sentences read
    tokens_out: int = 0
    replaced: int = 0  # source tokens translated (over the sentences read)
    inflected: int = 0
    paths: Counter[str] = field(default_factory=Counter)  # source tokens per matching path
    seconds: float = 0.0

    @property
    def replaced_ratio(self) -> float:
        return self.replaced / self.tokens_in if self.tokens_in else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "sentences_in": self.sentences_in,
            "filtered": self.filtered,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "replaced": self.replaced,
            "replaced_ratio": round(self.replaced_ratio, 4),
            "inflected": self.inflected,
            "paths": {path: self.paths.get(path, 0) for path in PATHS},
            "seconds": round(self.seconds, 3),
            "tokens_per_s": round(self.tokens_in / self.seconds) if self.seconds > 0 else 0,
        }


class Synthesizer:
    """Translate sentences word by word through `lexicon` (see the module docstring)."""

    def __init__(
        self,
        lexicon: Lexicon,
        options: SynthesisOptions | None = None,
        *,
        analyse: Analyse | None = None,
        inflect: Inflect | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.options = options or SynthesisOptions()
        self.analyse = analyse
        self.inflect = inflect
        self.rng = random.Random(self.options.seed)
        self.stats = SynthesisStats()
        self._single: dict[str, _Match | None] = {}  # token -> its single-token match (None: unknown)
        self._phrases: dict[str, _Match | None] = {}
        # multiword entries indexed by their first word (case-folded): the longest n to try from there
        self._longest_from: dict[str, int] = {}
        if self.options.multiword:
            for entry in lexicon:
                words = entry.src.split()
                if len(words) > 1:
                    first = words[0].casefold()
                    if len(words) > self._longest_from.get(first, 1):
                        self._longest_from[first] = len(words)

    # -- matching --------------------------------------------------------------------------------------------

    def _match(self, translations: Sequence[Translation], path: str) -> _Match:
        targets = tuple(tuple(t.tgt.split()) for t in translations)
        cumulative: list[float] = []
        total = 0.0
        for t in translations:
            total += max(t.weight, 0.0) or 1e-9
            cumulative.append(total)
        return _Match(path, targets, tuple(cumulative))

    def _phrase(self, phrase: str) -> _Match | None:
        if phrase in self._phrases:
            return self._phrases[phrase]
        found = self.lexicon.lookup(phrase, casefold=self.options.casefold)
        match = self._match(found, "multiword") if found else None
        self._phrases[phrase] = match
        return match

    def _resolve(self, token: str) -> _Match | None:
        """The single-token match: exact, case-folded, then lemma (inflected when possible)."""
        found = self.lexicon.lookup(token, casefold=False)
        if found:
            return self._match(found, "exact")
        if self.options.casefold:
            found = self.lexicon.lookup(token.casefold(), casefold=True)
            if found:
                return self._match(found, "casefold")
        if self.options.lemma and self.analyse is not None:
            for lemma, feats in self.analyse(token.lower() if self.options.casefold else token):
                found = self.lexicon.lookup(lemma, casefold=self.options.casefold)
                if not found:
                    continue
                match = self._match(found, "lemma")
                if self.inflect is not None:
                    match = self._inflected(match, feats)
                return match
        return None

    def _inflected(self, match: _Match, feats: str) -> _Match:
        """Each single-word translation inflected for `feats`; multiword ones and failures stay lemmas."""
        inflect = self.inflect
        assert inflect is not None
        targets: list[tuple[str, ...]] = []
        changed = False
        for target in match.targets:
            form = inflect(target[0], feats) if len(target) == 1 else None
            if form:
                targets.append(tuple(form.split()))
                changed = True
            else:
                targets.append(target)
        if not changed:
            return match
        return _Match("inflected", tuple(targets), match.cumulative)

    def _span(self, tokens: Sequence[str], start: int) -> tuple[int, _Match | None]:
        """(length, match) of the span starting at `start`: longest multiword entry first."""
        token = tokens[start]
        longest = self._longest_from.get(token.casefold(), 1)
        for n in range(min(longest, len(tokens) - start), 1, -1):
            match = self._phrase(" ".join(tokens[start : start + n]))
            if match is not None:
                return n, match
        try:
            return 1, self._single[token]
        except KeyError:
            match = self._single[token] = self._resolve(token)
            return 1, match

    # -- choice ----------------------------------------------------------------------------------------------

    def _pick(self, match: _Match, variant: int) -> tuple[str, ...]:
        choice = self.options.choice
        if choice == "frequent" or len(match.targets) == 1:
            return match.targets[0]
        if choice == "all":
            return match.targets[min(variant, len(match.targets) - 1)]
        cumulative = match.cumulative
        return match.targets[bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])]

    # -- sentences -------------------------------------------------------------------------------------------

    def translate(self, sentence: Sentence) -> list[Sentence]:
        """The pseudo sentence(s) for one source sentence ([] when it has fewer than min_replaced translations)."""
        tokens = sentence.tokens
        stats = self.stats
        stats.sentences_in += 1
        stats.tokens_in += len(tokens)
        spans: list[tuple[int, int, _Match | None]] = []
        replaced = 0
        i = 0
        while i < len(tokens):
            n, match = self._span(tokens, i)
            spans.append((i, n, match))
            if match is None:
                stats.paths["unknown"] += 1
            else:
                stats.paths[match.path] += n
                replaced += n
                if match.path == "inflected":
                    stats.inflected += n
            i += n
        stats.replaced += replaced
        if replaced < self.options.min_replaced:
            stats.filtered += 1
            return []
        variants = 1
        if self.options.choice == "all":
            variants = min(
                self.options.max_variants, max((len(m.targets) for _, _, m in spans if m is not None), default=1)
            )
        out: list[Sentence] = []
        seen: set[tuple[str, ...]] = set()
        for variant in range(variants):
            pseudo = self._build(sentence, spans, variant)
            key = tuple(pseudo.tokens)
            if key in seen:
                continue
            seen.add(key)
            out.append(pseudo)
            stats.sentences += 1
            stats.tokens_out += len(pseudo.tokens)
        return out

    def _build(self, sentence: Sentence, spans: Sequence[tuple[int, int, _Match | None]], variant: int) -> Sentence:
        tokens = sentence.tokens
        labels = sentence.labels
        scheme = self.options.label_scheme if labels else "none"
        keep_case = self.options.keep_case
        unknown = self.options.unknown
        out_tokens: list[str] = []
        out_labels: list[str] = []
        pending_begin = ""  # the entity type whose B- was dropped with an unknown token
        for start, n, match in spans:
            if match is None:
                token = tokens[start]
                label = labels[start] if labels else ""
                if unknown == "drop" or (unknown == "entities" and not _is_entity(label, scheme)):
                    if scheme == "bio" and label.startswith("B-"):
                        pending_begin = label[2:]
                    continue
                pieces: Sequence[str] = (token,)
            else:
                pieces = self._pick(match, variant)
                if keep_case and pieces:
                    pieces = _match_case(tokens[start], pieces)
            out_tokens.extend(pieces)
            if scheme == "none":
                continue
            label = _span_label(labels[start : start + n], scheme)
            if scheme == "bio":
                if pending_begin and label == "I-" + pending_begin:
                    label = "B-" + pending_begin
                pending_begin = ""
                out_labels.extend(_spread_bio(label, len(pieces)))
            else:
                out_labels.extend([label] * len(pieces))
        meta = dict(sentence.meta)
        return Sentence(out_tokens, out_labels if labels else [], meta, sentence.where)

    def translate_all(self, sentences: Iterable[Sentence]) -> Iterator[Sentence]:
        """Translate a stream of sentences; `stats.seconds` accumulates the time spent here."""
        for sentence in sentences:
            started = time.perf_counter()
            out = self.translate(sentence)
            self.stats.seconds += time.perf_counter() - started
            yield from out


def _match_case(source: str, pieces: Sequence[str]) -> Sequence[str]:
    """An all-capitals source word (a headline) gives an all-capitals translation, a capitalised one a
    capitalised translation; lexicons list lower-case words."""
    if len(source) > 1 and source.isupper():
        return [piece.upper() for piece in pieces]
    if source[:1].isupper() and pieces[0][:1].islower():
        return (pieces[0][:1].upper() + pieces[0][1:], *pieces[1:])
    return pieces


def _is_entity(label: str, scheme: str) -> bool:
    if scheme == "bio":
        return label not in ("", "O")
    return label == "PROPN"


def _span_label(labels: Sequence[str], scheme: str) -> str:
    if len(labels) == 1:
        return labels[0]
    if scheme == "bio":
        return labels[0]
    for tag in HEAD_PRIORITY:
        if tag in labels:
            return tag
    return labels[0]


def _spread_bio(label: str, count: int) -> list[str]:
    """The labels of `count` target tokens from one source label: B-X, I-X, I-X...; I-X or O repeated."""
    if count == 1:
        return [label]
    if label.startswith("B-"):
        return [label] + ["I-" + label[2:]] * (count - 1)
    return [label] * count
