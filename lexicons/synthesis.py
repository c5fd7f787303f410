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
  entity: a non-O NER tag or slot, PROPN). Named entities themselves: `entities="translate"` (Wang et al.: every
  word goes through the lexicon, so "European Commission" becomes half English, half target) or `"keep"`
  (every token labelled as an entity is copied as it is, and no multiword match crosses into one: names are
  not translated word by word in real text). Sentences with fewer than `min_replaced` translated tokens are left
  out (Wang et al. use 3 for pseudo-monolingual text).
* Labels: a token that becomes several target tokens spreads its label (B-X then I-X; a POS tag or O repeated);
  several source tokens that become one or more target tokens take the span's first label (for BIO), or the
  label of the span's head (POS: the first content tag by a fixed priority, verbs and nouns first). A dropped
  token that began a span passes its B- on to the span's next kept token, so spans stay well formed.
* Spacing (running text, whose sentences carry `space_after` flags: `reigned ,` is "reigned,"): a source span's
  last target token takes the flag of the span's last source token and the tokens of a multiword translation
  are spaced apart, so "reigned," -> "ɖu fia,"; where tokens are dropped, the kept tokens around them are
  spaced if the source had a space anywhere between them ("(dropped)" -> "()", "king dropped, said" ->
  "king , said"): two words are never glued together.

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

from lrx.lexicons.lexicon import Lexicon
from lrx.lexicons.lexicon import Translation

from lrx.core.sentence import Sentence

CHOICES = ("weighted", "frequent", "all")
UNKNOWN = ("keep", "drop", "entities")
ENTITIES = ("translate", "keep")
PATHS = ("multiword", "exact", "casefold", "inflected", "lemma", "unknown", "entity")

Analyse = Callable[[str], Sequence[tuple[str, str]]]
Inflect = Callable[[str, str], "str | None"]

# POS head of a multiword span: the first tag in this order that the span has (then the span's first tag)
HEAD_PRIORITY = ("VERB", "NOUN", "PROPN", "PRON", "ADJ", "NUM", "ADV", "AUX", "ADP", "DET")


LABEL_SCHEMES = ("bio", "tag", "none")


@dataclass
class SynthesisOptions:
    """How to translate: the one definition of the synthesis options. `lrx synthesize` builds one from its flags,
    `lrx.synthesize(...)` from its keyword arguments, and `lrx-run` types `method.synthesis` with this class
    (conf/method/*.yaml set these keys; the structured config is turned back into one with `OmegaConf.to_object`).

    The matching paths, in order: `multiword` entries first, the token exactly, then `casefold`ed, then its
    `lemma` (an English analyser); `morphology` inflects lemma matches for the target (so it has no effect
    without `lemma`; the caller supplies the inflector). `entities="keep"` copies the tokens labelled as named
    entities. How labels are read (BIO spans, one tag per token, none) is the task's, not an option: the
    Synthesizer's `label_scheme`. Not frozen: OmegaConf refuses to merge YAML into a frozen dataclass node.
    """

    choice: str = "weighted"  # weighted | frequent | all
    unknown: str = "keep"  # keep | drop | entities
    multiword: bool = True  # longest multiword lexicon entry first
    casefold: bool = True  # then the lower-cased token
    lemma: bool = True  # then the English lemma (dogs -> dog)
    entities: str = "translate"  # named entities: translate word by word (Wang et al.), or keep as they are
    morphology: bool = True  # inflect lemma matches back (where the target has a UniMorph table)
    min_replaced: int = 0  # leave out sentences with fewer translated tokens
    max_variants: int = 4  # pseudo sentences per sentence with choice=all
    seed: int = 1
    keep_case: bool = True  # a capitalised English word gives a capitalised translation
    # code-switching (CoSDA-ML, Qin et al. 2020): 0 translates every translatable word; c > 0 draws, per
    # sentence, a fraction r uniformly from [0, c] and translates each translatable span with probability r,
    # keeping the others English: the English context around the translated words stays
    code_switch: float = 0.0

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Raise ValueError naming the option whose value is not one of its choices."""
        if self.choice not in CHOICES:
            raise ValueError(f"choice must be one of {', '.join(CHOICES)}, not {self.choice!r}")
        if self.unknown not in UNKNOWN:
            raise ValueError(f"unknown must be one of {', '.join(UNKNOWN)}, not {self.unknown!r}")
        if self.entities not in ENTITIES:
            raise ValueError(f"entities must be one of {', '.join(ENTITIES)}, not {self.entities!r}")
        if self.min_replaced < 0 or self.max_variants < 1:
            raise ValueError("min_replaced must be >= 0 and max_variants >= 1")
        if not 0.0 <= self.code_switch <= 1.0:
            raise ValueError(f"code_switch must be in [0, 1], not {self.code_switch}")


@dataclass(slots=True)
class _Match:
    """Translations of one source span: target token tuples (already in the source's case), cumulative
    weights for sampling, and the path (an index into PATHS)."""

    path: int
    targets: tuple[tuple[str, ...], ...]
    cumulative: tuple[float, ...]


MULTIWORD, EXACT, CASEFOLD, INFLECTED, LEMMA, UNKNOWN_PATH, ENTITY = range(len(PATHS))


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
    # sentences by their own replaced ratio, in tenths: [0, 0.1), ..., [0.9, 1.0), and exactly 1.0 last
    ratio_histogram: list[int] = field(default_factory=lambda: [0] * 11)
    ratio_sum: float = 0.0

    def add_sentence_ratio(self, replaced: int, size: int) -> None:
        ratio = replaced / size if size else 0.0
        self.ratio_sum += ratio
        self.ratio_histogram[int(10 * ratio)] += 1

    @property
    def replaced_ratio(self) -> float:
        return self.replaced / self.tokens_in if self.tokens_in else 0.0

    def _mean_sentence_ratio(self) -> float:
        return self.ratio_sum / self.sentences_in if self.sentences_in else 0.0

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
            "sentence_replaced_ratio": {
                "mean": round(self._mean_sentence_ratio(), 4),
                "histogram_by_tenths": list(self.ratio_histogram),
            },
            "seconds": round(self.seconds, 3),
            "tokens_per_s": round(self.tokens_in / self.seconds) if self.seconds > 0 else 0,
        }


class Synthesizer:
    """Translate sentences word by word through `lexicon` (see the module docstring).

    Speed: everything about a token that does not depend on its neighbours (its match, its translations in
    its own case, whether a multiword entry may start with it) is worked out once and cached by the token's
    text, so a corpus costs one dictionary lookup and one choice per token after its first sentences.
    """

    def __init__(
        self,
        lexicon: Lexicon,
        options: SynthesisOptions | None = None,
        *,
        analyse: Analyse | None = None,
        inflect: Inflect | None = None,
        label_scheme: str = "bio",
    ) -> None:
        if label_scheme not in LABEL_SCHEMES:
            raise ValueError(f"label_scheme must be bio, tag or none, not {label_scheme!r}")
        self.lexicon = lexicon
        self.options = options or SynthesisOptions()
        # how a sentence's labels are read: "bio" (NER tags, slots), "tag" (POS) or "none" (plain text)
        self.label_scheme = label_scheme
        self.analyse = analyse
        self.inflect = inflect
        self.rng = random.Random(self.options.seed)
        self._stats = SynthesisStats()
        # token -> (the multiword trie node of its case-folded form, None if no entry starts with it; its
        # single-token match or None; the translation itself where there is no choice to make: one
        # translation of one word)
        self._tokens: dict[str, tuple[dict | None, _Match | None, str | None]] = {}
        self._phrases: dict[str, _Match | None] = {}
        # multiword entries as a trie of case-folded words (a node maps a word to the next node; the key ""
        # marks that an entry ends there): most attempts stop at the second word without building a phrase
        self._trie: dict[str, dict] = {}
        if self.options.multiword:
            for entry in lexicon:
                words = entry.src.casefold().split()
                if len(words) > 1:
                    node = self._trie
                    for word in words:
                        node = node.setdefault(word, {})
                    node[""] = {}
        self._path_counts = [0] * len(PATHS)

    # -- matching --------------------------------------------------------------------------------------------

    def _match(self, translations: Sequence[Translation], path: int, source: str) -> _Match:
        targets = [tuple(t.tgt.split()) for t in translations]
        if self.options.keep_case:
            targets = [_match_case(source, target) if target else target for target in targets]
        cumulative: list[float] = []
        total = 0.0
        for t in translations:
            total += max(t.weight, 0.0) or 1e-9
            cumulative.append(total)
        return _Match(path, tuple(targets), tuple(cumulative))

    def _phrase(self, phrase: str) -> _Match | None:
        if phrase in self._phrases:
            return self._phrases[phrase]
        found = self.lexicon.lookup(phrase, casefold=self.options.casefold)
        match = self._match(found, MULTIWORD, phrase) if found else None
        self._phrases[phrase] = match
        return match

    def _token(self, token: str) -> tuple[int, _Match | None, str | None]:
        """What the cache holds for a token (see `_tokens`)."""
        match = self._resolve(token)
        only = None
        if match is not None and len(match.targets) == 1 and len(match.targets[0]) == 1:
            only = match.targets[0][0]
        plan = (self._trie.get(token.casefold()), match, only)
        self._tokens[token] = plan
        return plan

    def _resolve(self, token: str) -> _Match | None:
        """The single-token match: exact, case-folded, then lemma (inflected when possible)."""
        # `has` answers from the lexicon's index without building results: unknown words cost no lookups
        if self.lexicon.has(token):
            found = self.lexicon.lookup(token, casefold=False)
            if found:
                return self._match(found, EXACT, token)
            if self.options.casefold:
                found = self.lexicon.lookup(token.casefold(), casefold=True)
                if found:
                    return self._match(found, CASEFOLD, token)
        if self.options.lemma and self.analyse is not None:
            for lemma, feats in self.analyse(token.lower() if self.options.casefold else token):
                if not self.lexicon.has(lemma):
                    continue
                found = self.lexicon.lookup(lemma, casefold=self.options.casefold)
                if not found:
                    continue
                if self.inflect is not None:
                    return self._inflected(found, feats, token)
                return self._match(found, LEMMA, token)
        return None

    def _inflected(self, found: Sequence[Translation], feats: str, token: str) -> _Match:
        """Each single-word translation inflected for `feats`; multiword ones and failures stay lemmas."""
        inflect = self.inflect
        assert inflect is not None
        forms = []
        changed = False
        for t in found:
            form = inflect(t.tgt, feats) if " " not in t.tgt else None
            changed = changed or bool(form)
            forms.append(Translation(form or t.tgt, t.weight, t.count, t.sources, t.pos))
        return self._match(forms, INFLECTED if changed else LEMMA, token)

    def _multiword(self, tokens: Sequence[str], start: int, node: dict) -> tuple[int, _Match | None]:
        """(length, match) of the longest multiword entry starting at `start` (`node`: the trie node of its
        first word); (1, None) when there is none."""
        ends: list[int] = []
        j = start + 1
        while j < len(tokens):
            child = node.get(tokens[j].casefold())
            if child is None:
                break
            node = child
            j += 1
            if "" in node:
                ends.append(j - start)
        for n in reversed(ends):
            match = self._phrase(" ".join(tokens[start : start + n]))
            if match is not None:
                return n, match
        return 1, None

    def _span(self, tokens: Sequence[str], start: int) -> tuple[int, _Match | None]:
        """(length, match) of the span starting at `start`: longest multiword entry first."""
        node, match, _ = self._tokens.get(tokens[start]) or self._token(tokens[start])
        if node is not None:
            n, phrase = self._multiword(tokens, start, node)
            if n > 1:
                return n, phrase
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

    def _protected(self, sentence: Sentence) -> list[bool] | None:
        """Per token, whether it is a named entity that `entities="keep"` copies; None when nothing is."""
        if self.options.entities != "keep" or not sentence.labels:
            return None
        scheme = self.label_scheme
        protected = [_is_entity(label, scheme) for label in sentence.labels]
        return protected if any(protected) else None

    def _matched_spans(
        self, tokens: Sequence[str], protected: list[bool] | None
    ) -> list[tuple[int, int, _Match | None]]:
        """(start, length, match) of each span, left to right: a protected name alone, else the longest match
        (multiword entries first), never a multiword match across a name; None: no translation."""
        spans: list[tuple[int, int, _Match | None]] = []
        i = 0
        size = len(tokens)
        while i < size:
            if protected is not None and protected[i]:
                n, match = 1, _Match(ENTITY, ((tokens[i],),), (1.0,))
            else:
                n, match = self._span(tokens, i)
                if protected is not None and n > 1 and any(protected[i : i + n]):
                    # no multiword match across a name: the word alone
                    n, match = 1, (self._tokens.get(tokens[i]) or self._token(tokens[i]))[1]
            spans.append((i, n, match))
            i += n
        return spans

    def spans(self, sentence: Sentence) -> list[tuple[int, int, str]]:
        """How `translate` matches the sentence's tokens, without translating or counting: (start, length, path)
        per span, the path one of PATHS: `unknown` for a token the lexicon does not translate, `entity` for a
        name that `entities="keep"` copies (what `lrx.lexicons.gaps` looks at). Code-switching is not applied."""
        spans = self._matched_spans(sentence.tokens, self._protected(sentence))
        return [(i, n, PATHS[UNKNOWN_PATH] if match is None else PATHS[match.path]) for i, n, match in spans]

    def translate(self, sentence: Sentence) -> list[Sentence]:
        """The pseudo sentence(s) for one source sentence ([] when it has fewer than min_replaced translations)."""
        protected = self._protected(sentence)
        switch = self.options.code_switch
        if self.options.choice != "all" and protected is None and not switch:
            return self._translate_once(sentence)
        ratio = self.rng.uniform(0.0, switch) if switch else 1.0
        tokens = sentence.tokens
        stats = self._stats
        stats.sentences_in += 1
        stats.tokens_in += len(tokens)
        spans = self._matched_spans(tokens, protected)
        counts = self._path_counts
        replaced = 0
        for index, (i, n, match) in enumerate(spans):
            if switch and match is not None and match.path != ENTITY and self.rng.random() >= ratio:
                match = _Match(ENTITY, (tuple(tokens[i : i + n]),), (1.0,))  # code-switching: this span stays English
                spans[index] = (i, n, match)
            if match is None:
                counts[UNKNOWN_PATH] += 1
            else:
                counts[match.path] += n
                replaced += n if match.path != ENTITY else 0
        stats.replaced += replaced
        stats.add_sentence_ratio(replaced, len(tokens))
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
            if variants > 1:
                key = tuple(pseudo.tokens)
                if key in seen:
                    continue
                seen.add(key)
            out.append(pseudo)
            stats.sentences += 1
            stats.tokens_out += len(pseudo.tokens)
        return out

    def _translate_once(self, sentence: Sentence) -> list[Sentence]:
        """`translate` for one variant: match, choose and project labels in a single pass. This is the hot
        loop of synthesis (hundreds of thousands of tokens per language), hence the local names and inlining;
        `_build` is the same logic, written plainly, for several variants."""
        tokens = sentence.tokens
        labels = sentence.labels
        scheme = self.label_scheme if labels else "none"
        tagged = scheme != "none"
        bio = scheme == "bio"
        keep_unknown = self.options.unknown == "keep"
        drop_all = self.options.unknown == "drop"
        frequent = self.options.choice == "frequent"
        random_number = self.rng.random
        cache = self._tokens
        counts = self._path_counts
        spaces = sentence.space_after
        out_tokens: list[str] = []
        out_labels: list[str] = []
        out_spaces: list[bool] = []
        add_token = out_tokens.append
        add_label = out_labels.append
        pending_begin = ""  # the entity type whose B- was dropped with an unknown token
        replaced = 0
        size = len(tokens)
        i = 0
        while i < size:
            token = tokens[i]
            plan = cache.get(token)
            if plan is None:
                plan = self._token(token)
            node, match, only = plan
            n = 1
            if node is not None:
                n, phrase = self._multiword(tokens, i, node)
                if n > 1:
                    match, only = phrase, None
            if only is not None:  # the common case: one word, one translation
                counts[match.path] += 1
                replaced += 1
                add_token(only)
                if spaces:
                    out_spaces.append(spaces[i])
                if tagged:
                    label = labels[i]
                    if pending_begin:
                        if label == "I-" + pending_begin:
                            label = "B-" + pending_begin
                        pending_begin = ""
                    add_label(label)
                i += 1
                continue
            if match is None:
                counts[UNKNOWN_PATH] += 1
                label = labels[i] if tagged else ""
                if not keep_unknown and (drop_all or not _is_entity(label, scheme)):
                    if bio and label.startswith("B-"):
                        pending_begin = label[2:]
                    if spaces:
                        _add_spaces(out_spaces, 0, spaces[i])
                    i += 1
                    continue
                add_token(token)
                if spaces:
                    out_spaces.append(spaces[i])
                if tagged:
                    if pending_begin:
                        if label == "I-" + pending_begin:
                            label = "B-" + pending_begin
                        pending_begin = ""
                    add_label(label)
                i += 1
                continue
            counts[match.path] += n
            replaced += n
            targets = match.targets
            if frequent or len(targets) == 1:
                pieces = targets[0]
            else:
                cumulative = match.cumulative
                pieces = targets[bisect.bisect_right(cumulative, random_number() * cumulative[-1])]
            if len(pieces) == 1:
                add_token(pieces[0])
            else:
                out_tokens.extend(pieces)
            if spaces:
                _add_spaces(out_spaces, len(pieces), spaces[i + n - 1])
            if tagged:
                label = labels[i] if n == 1 else _span_label(labels[i : i + n], scheme)
                if pending_begin:
                    if label == "I-" + pending_begin:
                        label = "B-" + pending_begin
                    pending_begin = ""
                if len(pieces) == 1:
                    add_label(label)
                elif bio:
                    out_labels.extend(_spread_bio(label, len(pieces)))
                else:
                    out_labels.extend([label] * len(pieces))
            i += n
        stats = self._stats
        stats.sentences_in += 1
        stats.tokens_in += size
        stats.replaced += replaced
        stats.add_sentence_ratio(replaced, size)
        if replaced < self.options.min_replaced:
            stats.filtered += 1
            return []
        stats.sentences += 1
        stats.tokens_out += len(out_tokens)
        return [
            Sentence(out_tokens, out_labels if labels else [], dict(sentence.meta), sentence.where, None, out_spaces)
        ]

    def _build(self, sentence: Sentence, spans: Sequence[tuple[int, int, _Match | None]], variant: int) -> Sentence:
        tokens = sentence.tokens
        labels = sentence.labels
        scheme = self.label_scheme if labels else "none"
        unknown = self.options.unknown
        pick = self._pick
        spaces = sentence.space_after
        out_tokens: list[str] = []
        out_labels: list[str] = []
        out_spaces: list[bool] = []
        pending_begin = ""  # the entity type whose B- was dropped with an unknown token
        for start, n, match in spans:
            if match is None:
                token = tokens[start]
                if unknown != "keep":
                    label = labels[start] if labels else ""
                    if unknown == "drop" or not _is_entity(label, scheme):
                        if scheme == "bio" and label.startswith("B-"):
                            pending_begin = label[2:]
                        if spaces:
                            _add_spaces(out_spaces, 0, spaces[start])
                        continue
                out_tokens.append(token)
                pieces: Sequence[str] = (token,)
            else:
                targets = match.targets
                pieces = targets[0] if len(targets) == 1 else pick(match, variant)
                out_tokens.extend(pieces)
            if spaces:
                _add_spaces(out_spaces, len(pieces), spaces[start + n - 1])
            if scheme == "none":
                continue
            label = labels[start] if n == 1 else _span_label(labels[start : start + n], scheme)
            if scheme == "bio":
                if pending_begin:
                    if label == "I-" + pending_begin:
                        label = "B-" + pending_begin
                    pending_begin = ""
                if len(pieces) == 1:
                    out_labels.append(label)
                else:
                    out_labels.extend(_spread_bio(label, len(pieces)))
            elif len(pieces) == 1:
                out_labels.append(label)
            else:
                out_labels.extend([label] * len(pieces))
        return Sentence(out_tokens, out_labels if labels else [], dict(sentence.meta), sentence.where, None, out_spaces)

    def translate_all(self, sentences: Iterable[Sentence]) -> Iterator[Sentence]:
        """Translate a stream of sentences; `stats.seconds` accumulates the time spent here."""
        for sentence in sentences:
            started = time.perf_counter()
            out = self.translate(sentence)
            self._stats.seconds += time.perf_counter() - started
            yield from out

    @property
    def stats(self) -> SynthesisStats:
        """What was translated so far (per-path counts are kept in a plain list while translating: cheaper)."""
        self._stats.paths = Counter({path: n for path, n in zip(PATHS, self._path_counts, strict=True) if n})
        self._stats.inflected = self._path_counts[INFLECTED]
        return self._stats


def _match_case(source: str, pieces: Sequence[str]) -> Sequence[str]:
    """An all-capitals source word (a headline) gives an all-capitals translation, a capitalised one a
    capitalised translation; lexicons list lower-case words."""
    if len(source) > 1 and source.isupper():
        return [piece.upper() for piece in pieces]
    if source[:1].isupper() and pieces[0][:1].islower():
        return (pieces[0][:1].upper() + pieces[0][1:], *pieces[1:])
    return pieces


def _add_spaces(out: list[bool], count: int, after: bool) -> None:
    """The space flags of `count` target tokens for a source span whose last token had `after`: spaces between
    them, `after` after the last. For none (a dropped token), the token before it gets a space if either had
    one, so that the words around a dropped one stay apart (see the module docstring)."""
    if count:
        out.extend([True] * (count - 1))
        out.append(after)
    elif out:
        out[-1] = out[-1] or after


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
