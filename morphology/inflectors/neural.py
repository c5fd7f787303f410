"""A character-level transformer inflector with a copy mechanism, small enough to train on a 2-core CPU.

Input: the feature bundle (one position: the mean of its tag embeddings), the lemma's characters and, by
default, the rules inflector's guess (the "hint"); output: the form's characters.
- Copy (pointer-generator) head: on lemma-split data every test lemma is unseen, so most output characters
  must be copied from a stem the model never saw; mixing the vocabulary distribution with a distribution over
  source characters lets a small model learn "copy the stem, change the affixes" (Sharma, Katrapati & Sharma
  2018; Singer & Kann 2020). A learned bias per (source position - target step) offset, initialised to favour
  the aligned character, makes monotonic copying the starting point rather than something to discover.
- Hint: the network learns to correct the rules instead of inflecting from scratch, which is what a CPU
  budget of minutes allows. Training hints come from rules fitted on other folds of lemmas (as unseen test
  lemmas get them). A bundle never seen in training is answered by the hint's inflector (rules solve those by
  analogy; the network has no basis for them).
- Small training sets are enlarged by data hallucination (Anastasopoulos & Neubig 2019): the stem shared by
  lemma and form is replaced by random characters in both.
- Training stops early on dev accuracy, measured in one teacher-forced pass (greedy decoding is right exactly
  when every gold-prefixed argmax is), and within a wall-clock budget, which covers the whole fit: the hints'
  folds before training and the choice of the selective-correction margin after it come out of it too.
- It runs on a CUDA GPU where there is one (the `device` setting), else on the CPU. Weights are saved as
  safetensors of CPU tensors (a model trained on a GPU loads on a CPU machine); vocabulary and settings as JSON.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import re
import time
import unicodedata
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import fields
from pathlib import Path
from typing import Any

from lrx.morphology.inflectors.base import Example
from lrx.morphology.inflectors.base import Inflector
from lrx.morphology.inflectors.base import register_inflector

from lrx.core.progress import format_duration
from lrx.core.progress import progress

log = logging.getLogger(__name__)

PAD, BOS, EOS, UNK, SEP = "<pad>", "<s>", "</s>", "<unk>", "<sep>"
SPECIALS = (PAD, BOS, EOS, UNK, SEP)
HINT_DIR = "hint"
MAX_OFFSET = 8
WEIGHTS_FILE = "model.safetensors"
VOCAB_FILE = "vocab.json"
DEVICES = ("auto", "cpu", "cuda")
# Seconds reserved from the training budget for the margin search after it (greedy decoding of dev, then scoring
# the answers that differ from the hint), in teacher-forced dev passes. Measured on SIGMORPHON 2023: a trained
# model's search costs 4-20 passes; an undertrained one's 40-140 (its answers run on to the length limit). The
# search stops at the end of the budget and chooses the margin on the dev examples decoded by then: a sample,
# for an undertrained model, is enough to see that its answers are worse than the hint's.
MARGIN_SEARCH_COST = 20.0

_GROUP = re.compile(r"^([^()]+)\((.*)\)$")


def feature_symbols(feats: str) -> list[str]:
    """Tag symbols of a bundle: `V;PRS;NOM(1,SG)` -> `V`, `PRS`, `NOM(1`, `NOM(SG` (an argument group's
    values are tagged with their group, so `NOM(1` and `ACC(1` stay distinct symbols)."""
    symbols: list[str] = []
    for part in feats.split(";"):
        part = part.strip()
        if not part:
            continue
        group = _GROUP.match(part)
        if group:
            head = group.group(1)
            symbols.extend(f"{head}({value.strip()}" for value in group.group(2).split(","))
        else:
            symbols.append(part)
    return symbols


def characters(text: str) -> list[str]:
    """Grapheme-ish units: a base character with its combining marks (NFC first), so that a diacritic
    is never copied without its base."""
    units: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if units and unicodedata.combining(char):
            units[-1] += char
        else:
            units.append(char)
    return units


@dataclass
class NeuralConfig:
    """Model and training settings; the defaults train in minutes on 2 CPU cores for ~10k examples."""

    d_model: int = 192
    heads: int = 4
    layers: int = 2
    ff: int = 768
    dropout: float = 0.15
    label_smoothing: float = 0.1
    lr: float = 3e-3
    warmup_steps: int = 150
    batch_size: int = 128
    max_epochs: int = 200
    patience: int = 12
    # wall-clock budget of the whole `fit`: the rules hints fitted before training and the margin search after it
    # come out of it too, so that a language costs at most this much (10 CPU-minutes on 2 cores by default)
    max_minutes: float = 10.0
    hallucinate: int = -1  # extra examples; -1 = auto (bring small sets up to `hallucinate_target`)
    hallucinate_target: int = 6000
    beam: int = 1
    max_len: int = 64
    # bfloat16 autocast of training and scoring; None = where the device has native bf16 (a CUDA GPU that
    # supports it; a CPU with AVX512-BF16/AMX), decided where the model runs, so a saved None stays None
    bf16: bool | None = None
    seed: int = 1
    threads: int = 0  # CPU threads; 0 = all cores
    device: str = "auto"  # "auto" (CUDA when available, else the CPU), "cpu" or "cuda"
    # The guess of another inflector ("rules"; "none" for no hint) is a second input the model may copy from:
    # it then learns to correct the rules rather than to inflect from scratch, which a CPU budget allows.
    # Training examples get hints from rules fitted on the other folds (split by lemma, as the test is).
    hint: str = "rules"
    hint_folds: int = 5
    # Selective correction: the network's answer replaces the hint only where the network scores it higher
    # than the hint by a margin chosen on dev (an infinite margin is the rules alone, a negative one trusts the
    # network more). Needs a hint and a dev set; off, the network's answer always stands.
    select: bool = True


class Vocab:
    def __init__(self, symbols: Sequence[str]) -> None:
        self.symbols = list(symbols)
        self.index = {s: i for i, s in enumerate(self.symbols)}

    @classmethod
    def build(cls, examples: Sequence[Example]) -> Vocab:
        chars: Counter[str] = Counter()
        tags: Counter[str] = Counter()
        for e in examples:
            chars.update(characters(e.lemma))
            chars.update(characters(e.form))
            tags.update(feature_symbols(e.feats))
        return cls([*SPECIALS, *sorted(chars), *sorted(t for t in tags if t not in chars)])

    def encode(self, units: Sequence[str]) -> list[int]:
        unk = self.index[UNK]
        return [self.index.get(u, unk) for u in units]

    def __len__(self) -> int:
        return len(self.symbols)


def _model_class():
    """The torch module, defined on first use so that importing this file does not import torch."""
    import torch
    from torch import nn

    class PointerTransformer(nn.Module):
        def __init__(self, vocab_size: int, config: NeuralConfig) -> None:
            super().__init__()
            d = config.d_model
            self.d = d
            self.embed = nn.Embedding(vocab_size, d, padding_idx=0)
            self.positions = nn.Embedding(config.max_len + 2, d)
            # segments: 0 the feature bundle, 1 lemma character, 2 target character, 3 hint character
            self.kinds = nn.Embedding(4, d)
            with warnings.catch_warnings():  # nested tensors are off with pre-LN layers; nothing to warn about
                warnings.filterwarnings("ignore", message="enable_nested_tensor")
                self.transformer = self._transformer(config)
            self.out = nn.Linear(d, vocab_size)
            self.copy_query = nn.Linear(d, d)
            # A learned bias on copying the source character whose position is (target step + offset),
            # per segment (lemma, hint): a prior for monotonic copying, which otherwise takes many epochs
            # to emerge from position embeddings alone.
            # Initialised to prefer the aligned character (offset 0), strongly for the hint, which is
            # usually right, mildly for the lemma, whose alignment prefixes shift; and the gate to copy.
            prior = torch.zeros(2, 2 * MAX_OFFSET + 1)
            prior[0, MAX_OFFSET], prior[1, MAX_OFFSET] = 1.0, 4.0
            self.copy_offset = nn.Parameter(prior)
            self.gate = nn.Linear(2 * d, 1)
            nn.init.constant_(self.gate.bias, -1.0)
            self.dropout = nn.Dropout(config.dropout)

        @staticmethod
        def _transformer(config: NeuralConfig) -> nn.Transformer:
            return nn.Transformer(
                d_model=config.d_model,
                nhead=config.heads,
                num_encoder_layers=config.layers,
                num_decoder_layers=config.layers,
                dim_feedforward=config.ff,
                dropout=config.dropout,
                batch_first=True,
                norm_first=True,
            )

        def encode(self, tags, chars, segments, positions):
            """Memory for [bundle, lemma characters, <sep>, hint characters]. The bundle is ONE position,
            the mean of its tag embeddings: tags form a set, and a 10-tag Swahili bundle as 10 positions
            would double the sequence length, which is what a CPU pays for."""
            tag_mask = tags.ne(0).unsqueeze(-1)
            bundle = (self.embed(tags) * tag_mask).sum(1) / tag_mask.sum(1).clamp_min(1)
            x = torch.cat([bundle.unsqueeze(1), self.embed(chars)], dim=1) * math.sqrt(self.d)
            segments = torch.cat([torch.zeros_like(segments[:, :1]), segments], dim=1)
            positions = torch.cat([torch.zeros_like(positions[:, :1]), positions], dim=1)
            x = x + self.positions(positions) + self.kinds(segments)
            padding = torch.cat([torch.zeros_like(chars[:, :1], dtype=torch.bool), chars.eq(0)], dim=1)
            return self.transformer.encoder(self.dropout(x), src_key_padding_mask=padding), padding

        def decode(self, memory, padding, chars, copyable, tgt_in, source, last_only: bool = False):
            """Log-probabilities over the vocabulary for each target position (or the last one only): a
            gated mixture of generating a symbol and copying a lemma character attended to."""
            length = tgt_in.size(1)
            positions = torch.arange(length, device=tgt_in.device).unsqueeze(0)
            y = self.embed(tgt_in) * math.sqrt(self.d) + self.positions(positions) + self.kinds.weight[2]
            mask = torch.triu(torch.full((length, length), float("-inf"), device=tgt_in.device), diagonal=1)
            h = self.transformer.decoder(
                self.dropout(y), memory, tgt_mask=mask, tgt_is_causal=True, memory_key_padding_mask=padding
            )
            if last_only:
                h = h[:, -1:]
            with torch.autocast(h.device.type, enabled=False):  # the mixture in float32, whatever autocast did
                h, memory = h.float(), memory[:, 1:].float()
                generate = torch.softmax(self.out(h), dim=-1)
                scores = torch.einsum("btd,bsd->bts", self.copy_query(h), memory) / math.sqrt(self.d)
                segments, positions = source
                steps = torch.arange(length - h.size(1) + 1, length + 1, device=h.device).view(1, -1, 1)
                offset = (positions.unsqueeze(1) - steps).clamp(-MAX_OFFSET, MAX_OFFSET) + MAX_OFFSET
                table = self.copy_offset[segments.eq(3).long()]  # [batch, source, 2K+1]
                bias = table.gather(2, offset.permute(0, 2, 1)).permute(0, 2, 1)
                scores = (scores + bias).masked_fill(~copyable.unsqueeze(1), float("-inf"))
                attention = torch.softmax(scores, dim=-1)
                context = torch.einsum("bts,bsd->btd", attention, memory)
                p_gen = torch.sigmoid(self.gate(torch.cat([h, context], dim=-1)))
                copy = torch.zeros_like(generate).scatter_add_(
                    2, chars.unsqueeze(1).expand(-1, h.size(1), -1), attention
                )
                mixed = p_gen * generate + (1 - p_gen) * copy
                return torch.log(mixed.clamp_min(1e-9)), attention

    return PointerTransformer


@register_inflector("neural")
class NeuralInflector(Inflector):
    """Character-level pointer-generator transformer; see the module docstring."""

    def __init__(self, config: NeuralConfig | None = None, **overrides: Any) -> None:
        self.settings = config or NeuralConfig()
        for key, value in overrides.items():
            if key not in {f.name for f in fields(NeuralConfig)}:
                raise TypeError(f"unknown neural inflector setting {key!r}")
            setattr(self.settings, key, value)
        if self.settings.device not in DEVICES:
            raise ValueError(
                f"neural inflector setting device={self.settings.device!r}: must be one of {', '.join(DEVICES)}"
            )
        if self.settings.device == "cuda":
            _torch_device("cuda")  # no GPU: say so now, not after minutes of fitting the rules hints
        self.vocab: Vocab | None = None
        self.model = None
        self.hint_model: Inflector | None = None
        self.seen_bundles: set[tuple[str, ...]] = set()
        # where the model and its tensors live, and whether bf16 autocast is on there: resolved when the model is
        # built or loaded (see `_place`), not stored in the settings, so that a model trained on a GPU and saved
        # with device "auto" and bf16 None runs on a CPU as that CPU allows
        self.device = None
        self.bf16 = False
        self.history: list[dict[str, float]] = []
        # log-probability margin the network's answer needs over the hint's to replace it; None: it always does
        self.margin: float | None = None

    def _place(self) -> None:
        """Resolve the device the model runs on and whether bf16 autocast is on there."""
        import torch

        self.device = _torch_device(self.settings.device)
        self.bf16 = self.settings.bf16
        if self.bf16 is None:
            self.bf16 = torch.cuda.is_bf16_supported() if self.device.type == "cuda" else _cpu_has_bf16()

    # -- tensors ---------------------------------------------------------------------------------------------

    def _batch_source(self, items: Sequence[tuple[str, str, str]]):
        """(tags, chars, segments, positions, copyable) tensors for (lemma, feats, hint) items, zero-padded:
        chars is the lemma, <sep>, then the hint (the rules' guess, empty without hints)."""
        assert self.vocab is not None
        limit = self.settings.max_len
        unk, sep = self.vocab.index[UNK], self.vocab.index[SEP]
        tag_rows = [self.vocab.encode(feature_symbols(feats)) or [unk] for _, feats, _ in items]
        lemma_rows = [self.vocab.encode(characters(lemma))[:limit] for lemma, _, _ in items]
        hint_rows = [self.vocab.encode(characters(hint))[:limit] for _, _, hint in items]
        pairs = list(zip(lemma_rows, hint_rows, strict=True))
        tags = self._padded(tag_rows)
        chars = self._padded([[*a, sep, *b] for a, b in pairs])
        segments = self._padded([[1] * len(a) + [3] * (len(b) + 1) for a, b in pairs])
        positions = self._padded([[*range(1, len(a) + 1), 0, *range(1, len(b) + 1)] for a, b in pairs])
        copyable = chars.ne(0) & chars.ne(sep)
        return tags, chars, segments, positions, copyable

    def _padded(self, rows: Sequence[Sequence[int]]):
        """Zero-padded rows as one long tensor on the model's device: padded here and copied in one transfer,
        where filling a device tensor row by row would cost a GPU a copy per row."""
        import torch

        width = max(map(len, rows))
        return torch.tensor([[*row, *[0] * (width - len(row))] for row in rows], dtype=torch.long, device=self.device)

    def _run(self, items: Sequence[tuple[str, str, str]], tgt_in):
        """Encode a batch and score `tgt_in` (teacher forcing): log-probabilities per target position."""
        import torch

        assert self.model is not None
        tags, chars, segments, positions, copyable = self._batch_source(items)
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            memory, padding = self.model.encode(tags, chars, segments, positions)
            log_probs, _ = self.model.decode(memory, padding, chars, copyable, tgt_in, (segments, positions))
        return log_probs

    def _batch_target(self, forms: Sequence[str]):
        assert self.vocab is not None
        bos, eos = self.vocab.index[BOS], self.vocab.index[EOS]
        rows = [self.vocab.encode(characters(form))[: self.settings.max_len] for form in forms]
        return self._padded([[bos, *r] for r in rows]), self._padded([[*r, eos] for r in rows])

    # -- training --------------------------------------------------------------------------------------------

    def fit(self, train: Sequence[Example], dev: Sequence[Example] | None = None) -> NeuralInflector:
        import torch

        # the budget covers the whole fit, hints and margin search included: the clock starts here
        began = time.monotonic()
        budget = self.settings.max_minutes * 60
        cfg = self.settings
        self._place()
        torch.manual_seed(cfg.seed)
        rng = random.Random(cfg.seed)
        torch.set_num_threads(cfg.threads or os.cpu_count() or 1)  # the CPU's share even with a GPU: batching
        train = list(train)
        if not train:
            raise ValueError("no training examples")
        extra = cfg.hallucinate if cfg.hallucinate >= 0 else max(0, cfg.hallucinate_target - len(train))
        invented = hallucinate(train, extra, rng)
        data = train + invented
        self.seen_bundles = {bundle_key(e.feats) for e in train}
        dev = list(dev or [])
        self.hint_model = None
        hints = [""] * len(data)
        if cfg.hint != "none":
            from lrx.morphology.inflectors.base import inflector_class

            self.hint_model = inflector_class(cfg.hint)().fit(train, dev or None)
            # the folds' hint models make the choices the full one made on dev (they have no dev of their own)
            settled = self.hint_model.settled_config()
            hints = cross_fitted_hints(train, cfg.hint, cfg.hint_folds, cfg.seed, settled) + self._hints(
                [(e.lemma, e.feats) for e in invented]
            )
        dev_hints = self._hints([(e.lemma, e.feats) for e in dev])
        self.vocab = Vocab.build(data + [Example(h, "", "") for h in hints])
        # built on the CPU and then moved, so that a seed gives the same initial weights on every device
        self.model = _model_class()(len(self.vocab), cfg).to(self.device)
        if self.hint_model is not None:
            log.info(
                "neural inflector: %s hints in %s (one fit on train, %d on folds of it); %s of the %s budget left",
                cfg.hint,
                format_duration(time.monotonic() - began),
                cfg.hint_folds,
                format_duration(budget - (time.monotonic() - began)),
                format_duration(budget),
            )
        selecting = cfg.select and self.hint_model is not None and bool(dev)
        optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, betas=(0.9, 0.98), weight_decay=0.01)

        # small training sets have few steps an epoch: warm up over at most ~3 epochs
        warmup = max(1, min(cfg.warmup_steps, 3 * math.ceil(len(data) / cfg.batch_size)))

        def rate(step: int) -> float:  # linear warmup, then inverse square root decay
            step += 1
            return min(step / warmup, math.sqrt(warmup / step))

        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
        # training gets what the hints left of the budget, less what the margin search after it is expected to
        # take: MARGIN_SEARCH_COST teacher-forced dev passes, timed once now (the untrained model costs what a
        # trained one does, and the first epoch alone can take minutes on 2 busy cores) and after every epoch
        reserve = 0.0
        if selecting:
            timed = time.monotonic()
            self._forced_accuracy(dev, dev_hints)  # no dropout, no random numbers: training is as without it
            reserve = MARGIN_SEARCH_COST * (time.monotonic() - timed)
        start = time.monotonic()
        allowance = budget - (start - began)
        best_accuracy, best_state, stale = -1.0, None, 0
        # length-bucketed batches cut padding, which is most of the cost of short character sequences
        order = sorted(range(len(data)), key=lambda i: (len(data[i].lemma) + len(data[i].feats), len(data[i].form)))
        batches = [order[i : i + cfg.batch_size] for i in range(0, len(order), cfg.batch_size)]
        # a line every epoch, not every 10% of max_epochs: early stopping usually ends the run long before
        # max_epochs, and an epoch of 10k examples takes tens of seconds on 2 cores. The time left is capped by
        # the wall-clock budget.
        shown = progress("neural inflector", cfg.max_epochs, unit="epoch", logger=log, every=1, max_seconds=allowance)
        with shown as bar:
            for epoch in range(1, cfg.max_epochs + 1):
                self.model.train()
                rng.shuffle(batches)
                total = 0.0
                for batch in batches:
                    tgt_in, tgt_out = self._batch_target([data[i].form for i in batch])
                    log_probs = self._run([(data[i].lemma, data[i].feats, hints[i]) for i in batch], tgt_in)
                    loss = _smoothed_nll(log_probs, tgt_out, cfg.label_smoothing)
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                    optimizer.step()
                    scheduler.step()
                    total += loss.item()
                    if time.monotonic() - start > allowance - reserve:
                        break  # the budget is wall-clock: a long epoch must not overrun it
                elapsed = time.monotonic() - start
                accuracy = self._forced_accuracy(dev, dev_hints) if dev else -1.0
                evaluated = time.monotonic() - start  # the budget counts the dev pass too
                if selecting:  # the largest estimate: a busy machine's slowdown may come back
                    reserve = max(reserve, MARGIN_SEARCH_COST * (evaluated - elapsed))
                self.history.append({"epoch": epoch, "loss": total / len(batches), "dev": accuracy, "seconds": elapsed})
                log.debug("epoch %d loss %.4f dev %.2f (%.0fs)", epoch, total / len(batches), accuracy, elapsed)
                bar.advance(loss=total / len(batches), dev=accuracy if dev else None)
                if accuracy > best_accuracy:
                    best_accuracy, stale = accuracy, 0
                    best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
                else:
                    stale += 1
                per_epoch = evaluated / epoch
                if stale >= cfg.patience or evaluated + per_epoch > allowance - reserve:
                    break
        if best_state is not None and dev:
            self.model.load_state_dict(best_state)
        self.model.eval()
        self.margin = None
        if selecting:
            # decoding the dev set takes a while (a minute for 1,000 examples on 2 busy cores): say so first
            log.info(
                "selective correction: decoding %d dev examples to choose the margin (%s reserved)",
                len(dev),
                format_duration(reserve),
            )
            searched = time.monotonic()
            self.margin = self._tune_margin(dev, dev_hints, deadline=began + budget, expected=reserve)
            log.info("selective correction: done in %s", format_duration(time.monotonic() - searched))
        log.debug("neural inflector: fit in %.1fs of a %.0fs budget", time.monotonic() - began, budget)
        return self

    def _tune_margin(
        self, dev: Sequence[Example], hints: Sequence[str], deadline: float | None = None, expected: float = 0.0
    ) -> float | None:
        """The margin with the best dev accuracy; None (no selection) when always taking the network's answer
        is as good. Among margins of equal accuracy the larger one: the fewer departures from the hint.
        Decoding stops before a batch that would end after `deadline` (time.monotonic()), judged by the batches
        before it or, for the first, by `expected` (seconds for the whole search): the margin is then chosen on the
        dev examples decoded by then, and is infinite (the hint stands) if there was no time for any.
        """
        queries = [(e.lemma, e.feats) for e in dev]
        batches = self._batches(queries, hints)
        # batches in a shuffled order, so that running out of time leaves a sample of every length, not the
        # shortest words; each batch is the one `inflect_many` decodes, so its answers are the same
        random.Random(self.settings.seed).shuffle(batches)
        answers: dict[int, str] = {}
        began = time.monotonic()
        for done, batch in enumerate(batches):
            per_batch = (time.monotonic() - began) / done if done else expected / len(batches)
            if deadline is not None and time.monotonic() + per_batch > deadline:
                # without evidence that the network beats the hint, the hint is the safe answer
                log.warning(
                    "selective correction: out of time after decoding %d of %d dev examples; %s",
                    len(answers),
                    sum(map(len, batches)),
                    "the margin is chosen on those" if answers else "the hint's answers stand",
                )
                if not answers:
                    return math.inf
                break
            answers.update(zip(batch, self._decode(batch, queries, hints), strict=True))
        differ = sorted(i for i, answer in answers.items() if answer != hints[i])
        if not differ:
            return None
        items = [(dev[i].lemma, dev[i].feats, hints[i]) for i in differ]
        network = self._sequence_scores(items, [answers[i] or "" for i in differ])
        hint = self._sequence_scores(items, [hints[i] for i in differ])
        # (network score - hint score, accuracy change when the network answers), most confident first
        cases = sorted(
            (
                (n - h, (answers[i] == dev[i].form) - (hints[i] == dev[i].form))
                for i, n, h in zip(differ, network, hint, strict=True)
            ),
            key=lambda case: -case[0],
        )
        # the network answers where its score difference exceeds the margin: scan the cut points
        best_gain, best_margin, gain = 0, math.inf, 0
        for k, (difference, change) in enumerate(cases):
            gain += change
            below = cases[k + 1][0] if k + 1 < len(cases) else difference - 2.0
            if gain > best_gain and difference > below:
                best_gain, best_margin = gain, (difference + below) / 2
        right = sum(hint == e.form for hint, e in zip(hints, dev, strict=True))
        log.info(
            "selective correction: dev %.2f (hint alone %.2f, network alone %.2f), margin %.3f",
            100.0 * (right + best_gain) / len(dev),
            100.0 * right / len(dev),
            100.0 * (right + gain) / len(dev),
            best_margin,
        )
        return None if gain >= best_gain else best_margin

    def _sequence_scores(self, items: Sequence[tuple[str, str, str]], forms: Sequence[str]) -> list[float]:
        """Log-probability of each form (end symbol included) given its (lemma, feats, hint), teacher-forced."""
        import torch

        scores: list[float] = []
        with torch.inference_mode():
            for start in range(0, len(items), 512):
                tgt_in, tgt_out = self._batch_target(forms[start : start + 512])
                log_probs = self._run(items[start : start + 512], tgt_in).float()
                picked = log_probs.gather(-1, tgt_out.unsqueeze(-1)).squeeze(-1) * tgt_out.ne(0)
                scores.extend(picked.sum(-1).tolist())
        return scores

    def _forced_accuracy(self, examples: Sequence[Example], hints: Sequence[str]) -> float:
        """Greedy exact-match accuracy in one teacher-forced pass: greedy decoding produces the gold form
        exactly when, given the gold prefix, the argmax is the gold symbol at every step (EOS included).
        Equal to decoding except for characters outside the vocabulary, and ~20x cheaper per epoch."""
        import torch

        assert self.model is not None
        was_training = self.model.training
        self.model.eval()
        right = 0
        with torch.inference_mode():
            for start in range(0, len(examples), 512):
                chunk = examples[start : start + 512]
                tgt_in, tgt_out = self._batch_target([e.form for e in chunk])
                items = [(e.lemma, e.feats, h) for e, h in zip(chunk, hints[start : start + 512], strict=True)]
                log_probs = self._run(items, tgt_in)
                wrong = log_probs.argmax(-1).ne(tgt_out) & tgt_out.ne(0)
                right += int((~wrong.any(1)).sum())
        self.model.train(was_training)
        return 100.0 * right / len(examples)

    # -- inference -------------------------------------------------------------------------------------------

    def _hints(self, queries: Sequence[tuple[str, str]]) -> list[str]:
        if self.hint_model is None:
            return [""] * len(queries)
        return [h or "" for h in self.hint_model.inflect_many(queries)]

    def inflect_many(self, queries: Sequence[tuple[str, str]]) -> list[str | None]:
        if self.model is None or self.vocab is None:
            raise RuntimeError("the neural inflector is not trained or loaded")
        hints = self._hints(queries)
        answers = self._network_answers(queries, hints)
        if self.margin is not None:
            differ = [i for i, answer in enumerate(answers) if answer is not None and answer != hints[i]]
            if differ:
                items = [(*queries[i], hints[i]) for i in differ]
                network = self._sequence_scores(items, [answers[i] or "" for i in differ])
                hint = self._sequence_scores(items, [hints[i] for i in differ])
                for i, n, h in zip(differ, network, hint, strict=True):
                    if n - h <= self.margin:
                        answers[i] = hints[i]
        return [answer if answer is not None else hints[i] or None for i, answer in enumerate(answers)]

    def _network_answers(self, queries: Sequence[tuple[str, str]], hints: Sequence[str]) -> list[str | None]:
        """The network's decoding of each query; None for bundles it never saw in training (the hint's
        inflector answers those: it can solve them by analogy between seen bundles, the network has no basis)."""
        out: list[str | None] = [None] * len(queries)
        for batch in self._batches(queries, hints):
            for i, form in zip(batch, self._decode(batch, queries, hints), strict=True):
                out[i] = form
        return out

    def _batches(self, queries: Sequence[tuple[str, str]], hints: Sequence[str]) -> list[list[int]]:
        """The queries the network answers (not those of unseen bundles), as batches of indices of similar
        length: padding is most of the cost of decoding short sequences."""
        if self.hint_model is not None and self.seen_bundles:
            unseen = {i for i, (_, feats) in enumerate(queries) if bundle_key(feats) not in self.seen_bundles}
        else:
            unseen = set()
        order = sorted(range(len(queries)), key=lambda i: len(queries[i][0]) + len(hints[i]))
        chunks = ([i for i in order[start : start + 256] if i not in unseen] for start in range(0, len(order), 256))
        return [chunk for chunk in chunks if chunk]

    def _decode(self, batch: Sequence[int], queries: Sequence[tuple[str, str]], hints: Sequence[str]) -> list[str]:
        """The network's forms for the queries at the indices `batch`."""
        import torch

        assert self.model is not None
        self.model.eval()
        items = [(*queries[i], hints[i]) for i in batch]
        with torch.inference_mode():
            return [self._beam(item) for item in items] if self.settings.beam > 1 else self._greedy(items)

    def _greedy(self, batch: Sequence[tuple[str, str, str]]) -> list[str]:
        import torch

        assert self.vocab is not None and self.model is not None
        tags, chars, segments, positions, copyable = self._batch_source(batch)
        memory, padding = self.model.encode(tags, chars, segments, positions)
        bos, eos = self.vocab.index[BOS], self.vocab.index[EOS]
        tgt = torch.full((len(batch), 1), bos, dtype=torch.long, device=self.device)
        done = torch.zeros(len(batch), dtype=torch.bool, device=self.device)
        copied = []
        for _ in range(min(self.settings.max_len, 2 * chars.size(1) + 10)):
            log_probs, attention = self.model.decode(
                memory, padding, chars, copyable, tgt, (segments, positions), last_only=True
            )
            step = log_probs[:, -1].argmax(-1).masked_fill(done, 0)
            copied.append(attention[:, -1].argmax(-1))
            tgt = torch.cat([tgt, step.unsqueeze(1)], dim=1)
            done |= step.eq(eos)
            if bool(done.all()):
                break
        where = torch.stack(copied, dim=1).tolist()
        return [self._text(tgt[i, 1:].tolist(), batch[i], where[i]) for i in range(len(batch))]

    def _beam(self, item: tuple[str, str, str]) -> str:
        import torch

        assert self.vocab is not None and self.model is not None
        width = self.settings.beam
        tags, chars, segments, positions, copyable = self._batch_source([item])
        memory, padding = self.model.encode(tags, chars, segments, positions)
        bos, eos = self.vocab.index[BOS], self.vocab.index[EOS]
        beams: list[tuple[float, list[int], list[int]]] = [(0.0, [bos], [])]
        finished: list[tuple[float, list[int], list[int]]] = []
        for _ in range(min(self.settings.max_len, 2 * chars.size(1) + 10)):
            tgt = torch.tensor([b[1] for b in beams], device=self.device)
            n = len(beams)
            log_probs, attention = self.model.decode(
                memory.expand(n, -1, -1),
                padding.expand(n, -1),
                chars.expand(n, -1),
                copyable.expand(n, -1),
                tgt,
                (segments.expand(n, -1), positions.expand(n, -1)),
                last_only=True,
            )
            candidates = []
            top = log_probs[:, -1].topk(width, dim=-1)
            for b, (score, seq, where) in enumerate(beams):
                at = int(attention[b, -1].argmax())
                for value, symbol in zip(top.values[b].tolist(), top.indices[b].tolist(), strict=True):
                    candidates.append((score + value, [*seq, symbol], [*where, at]))
            candidates.sort(key=lambda c: -c[0])
            beams = []
            for candidate in candidates:
                (finished if candidate[1][-1] == eos else beams).append(candidate)
                if len(beams) == width:
                    break
            if not beams or (finished and max(f[0] for f in finished) > beams[0][0]):
                break
        best = max(finished or beams, key=lambda c: c[0] / len(c[1]))
        return self._text(best[1][1:], item, best[2])

    def _text(self, ids: list[int], item: tuple[str, str, str], copied_from: list[int]) -> str:
        """Symbols to text; an unknown symbol becomes the lemma character the copy head attended to (so a
        character the training data never had can still be copied)."""
        assert self.vocab is not None
        eos, unk = self.vocab.index[EOS], self.vocab.index[UNK]
        lemma, _, hint = item
        source_units = [*characters(lemma)[: self.settings.max_len], "", *characters(hint)[: self.settings.max_len]]
        units: list[str] = []
        for step, symbol in enumerate(ids):
            if symbol in (eos, 0):
                break
            if symbol == unk:
                index = copied_from[step] if step < len(copied_from) else -1
                units.append(source_units[index] if 0 <= index < len(source_units) else "")
            else:
                units.append(self.vocab.symbols[symbol])
        return "".join(units)

    # -- persistence -----------------------------------------------------------------------------------------

    def config(self) -> dict[str, Any]:
        return {
            "settings": asdict(self.settings),
            "seen_bundles": sorted(";".join(key) for key in self.seen_bundles),
            "history": self.history,
            # JSON has no infinity: "inf" (the hint always stands) is written as a string
            "margin": self.margin if self.margin is None or math.isfinite(self.margin) else "inf",
        }

    def _save(self, directory: Path) -> None:
        from safetensors.torch import save_file

        if self.model is None or self.vocab is None:
            raise RuntimeError("nothing to save: the neural inflector is not trained")
        (directory / VOCAB_FILE).write_text(json.dumps(self.vocab.symbols, ensure_ascii=False) + "\n", "utf-8")
        if self.hint_model is not None:
            self.hint_model.save(directory / HINT_DIR)
        # CPU tensors, whatever the device: the file must load on a machine without a GPU
        state = {k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()}
        save_file(state, str(directory / WEIGHTS_FILE))

    @classmethod
    def _load(cls, directory: Path, config: dict[str, Any]) -> NeuralInflector:
        from safetensors.torch import load_file

        known = {f.name for f in fields(NeuralConfig)}
        settings = {k: v for k, v in config.get("settings", {}).items() if k in known}
        if settings.get("device") == "cuda" and not _cuda_available():
            # trained with device "cuda", loaded where there is none: the saved weights are CPU tensors and run here
            log.info("neural inflector: saved with device 'cuda'; no CUDA here, so it runs on the CPU")
            settings["device"] = "cpu"
        inflector = cls(NeuralConfig(**settings))
        inflector._place()
        inflector.history = list(config.get("history", []))
        margin = config.get("margin")
        inflector.margin = None if margin is None else float(margin)
        inflector.seen_bundles = {bundle_key(text) for text in config.get("seen_bundles", [])}
        inflector.vocab = Vocab(json.loads((directory / VOCAB_FILE).read_text("utf-8")))
        inflector.model = _model_class()(len(inflector.vocab), inflector.settings).to(inflector.device)
        inflector.model.load_state_dict(load_file(str(directory / WEIGHTS_FILE), device=str(inflector.device)))
        if inflector.settings.hint != "none":
            from lrx.morphology.inflectors.base import load_inflector

            inflector.hint_model = load_inflector(directory / HINT_DIR)
        inflector.model.eval()
        return inflector


def bundle_key(feats: str) -> tuple[str, ...]:
    """A bundle compared without regard to tag order."""
    return tuple(sorted(feature_symbols(feats)))


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def _torch_device(setting: str):
    """The torch device a `device` setting names; a one-line ValueError, not torch's error at the first tensor,
    when it asks for CUDA that this machine (or this torch build) does not have."""
    import torch

    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if setting == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"neural inflector setting device='cuda': torch {torch.__version__} sees no CUDA GPU here; "
            "use device='auto' or 'cpu'"
        )
    return torch.device(setting)


def _cpu_has_bf16() -> bool:
    """Whether bfloat16 matmuls are native here (then autocast roughly halves a training step)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="ignore")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def cross_fitted_hints(
    examples: Sequence[Example], method: str, folds: int, seed: int, options: dict[str, Any] | None = None
) -> list[str]:
    """Each example's form as predicted by `method` fitted on the other folds. Folds split by lemma, so
    the hints for training look like those for unseen test lemmas (hints from a model that saw the very
    example would be right nearly always and teach the network to copy them blindly)."""
    from lrx.morphology.inflectors.base import inflector_class

    lemmas = sorted({e.lemma for e in examples})
    random.Random(seed).shuffle(lemmas)
    fold_of = {lemma: i % folds for i, lemma in enumerate(lemmas)}
    hints = [""] * len(examples)
    for fold in range(folds):
        held = [i for i, e in enumerate(examples) if fold_of[e.lemma] == fold]
        rest = [e for e in examples if fold_of[e.lemma] != fold]
        if not held or not rest:
            continue
        model = inflector_class(method)(**(options or {})).fit(rest, None)
        guesses = model.inflect_many([(examples[i].lemma, examples[i].feats) for i in held])
        for i, guess in zip(held, guesses, strict=True):
            hints[i] = guess or ""
    return hints


def _smoothed_nll(log_probs, target, smoothing: float):
    """Label-smoothed negative log-likelihood over non-padding positions."""
    mask = target.ne(0)
    nll = -log_probs.gather(-1, target.unsqueeze(-1)).squeeze(-1)
    uniform = -log_probs.mean(-1)
    loss = (1 - smoothing) * nll + smoothing * uniform
    return loss[mask].mean()


def hallucinate(examples: Sequence[Example], count: int, rng: random.Random) -> list[Example]:
    """`count` synthetic examples: in a real (lemma, form) pair, the longest substring they share (the stem,
    at least 3 characters) is replaced by random characters of the language in both."""
    if count <= 0:
        return []
    alphabet = sorted({c for e in examples for c in characters(e.lemma) if not c.isspace()})
    spans = ((e, _shared_span(e.lemma, e.form)) for e in examples)
    usable = [(e, span) for e, span in spans if span[2] >= 3]  # the alignment is quadratic: once per example
    if not usable or not alphabet:
        return []
    out: list[Example] = []
    for _ in range(count):
        e, (i, j, n) = rng.choice(usable)
        stem = "".join(rng.choice(alphabet) for _ in range(n))
        out.append(Example(e.lemma[:i] + stem + e.lemma[i + n :], e.feats, e.form[:j] + stem + e.form[j + n :]))
    return out


def _shared_span(a: str, b: str) -> tuple[int, int, int]:
    """(start in a, start in b, length) of the longest common substring."""
    best = (0, 0, 0)
    previous = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        current = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                current[j] = previous[j - 1] + 1
                if current[j] > best[2]:
                    best = (i - current[j], j - current[j], current[j])
        previous = current
    return best
