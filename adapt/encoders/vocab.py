"""Vocabulary extension (the `vocab` stage): frequent target-language words join the encoder's tokenizer as
whole-word tokens, each with an embedding built from what the encoder already knows.

An encoder pretrained with little or no target-language text cuts target words into many short pieces (a
tiny WordPiece vocabulary learned mostly from English makes 10 of "dzɔdzɔmeŋutinunyalawo"): sequences grow,
and a word's meaning has to be assembled from pieces that mean something else. `extend_vocabulary` does four things:

1. **Candidates** (`train_sentencepiece`, `select_words`): a sentencepiece model (`model_type` unigram by
   default, single-threaded, identity normalisation, so its pieces are substrings of the text, seeded) is
   trained on the run's target-language text (pseudo data, pseudo-monolingual text, real monolingual text;
   never test data). Its word-initial pieces that are whole words ("▁ŋkeke" for the word "ŋkeke") are the
   candidates: the words a unigram model of the target text keeps as units, which `vocab_size` bounds. A
   candidate must occur at least `min_frequency` times as a word of the text, be made of letters, marks and
   digits only (at least one letter), not be a word of the run's English text (`exclude`: the English words
   that unknown=keep copies into the pseudo data keep their English segmentation), and be split into two or
   more tokens by the encoder's tokenizer (a word already in its vocabulary as one token gains nothing), and
   not be a vocabulary entry already (a sentencepiece vocabulary's word-internal piece "ɖe" beside "▁ɖe":
   tokenizers would map the added token onto that entry).
   Candidates are ranked by the tokens they save on the text, count x (pieces - 1), then by sentencepiece
   score; the first `pieces` are added. Candidates that the tokenizer's normaliser maps to the same string
   (an uncased model: "Ewe", "ewe") count once.

2. **How they are added**: `tokenizer.add_tokens` with `AddedToken(word, single_word=True, normalized=True)`.
   An added token is matched in the (normalised) text before pre-tokenisation, and `single_word` matches it
   only when no word character (a letter, combining mark, digit or "_": the regex `\\w`) touches it on either
   side, so it replaces the whole word and nothing inside another word: "aɖaŋu" added leaves "aɖaŋuwo", and
   "drɔ" added leaves "drɔ̃la" (a combining tilde), segmented exactly as before. This sidesteps both piece
   conventions. WordPiece marks continuations with "##": an added token is a word of its own, so it never
   needs a "##" twin, and the word after it starts fresh as usual. Sentencepiece vocabularies (XLM-R, e5)
   mark word starts with "▁": the added token stands for the word without the "▁" (and the space before it
   is dropped by the pre-tokeniser, as between any two words), whether the text comes as a string or as
   pre-split words (`is_split_into_words`, as the trainers use it). Word-internal pieces and word-initial
   pieces that are only prefixes are not added: as added tokens they would match inside unrelated words and
   change segmentations the encoder was trained on. A word the old tokenizer did not split is tokenized as
   before, so text without any added word gets the same ids, and the same outputs, from the extended model.
   (With a sentencepiece tokenizer, punctuation glued to an added word in raw text, "ɖaŋu.", starts a new
   "▁" piece; pre-split words, as the task data come, are not affected.)

3. **Embeddings** (`initial_embedding_sources`): the input embedding matrix (and, for a masked-LM head, its
   bias and an untied output matrix) grows by the added tokens (`resize_token_embeddings`); old rows are kept
   as they were, and new rows of the head follow the same recipe as the input rows. A new word that the
   lexicon gives as the translation of English words (an entry whose target is the word, exactly or else
   case-folded) starts at the mean of those English words' embeddings, each English word (or phrase) being
   the mean of its pieces under the old tokenizer (phrases with an unknown piece left out). Any other word
   starts at the mean of its own old pieces: its old segmentation's meaning, as a single vector. The counts
   of both paths are reported.

4. The extended encoder is saved like any other (`save_pretrained`), with `lrx_vocab.json` (every added word:
   count, old pieces, init path, English words) and `lrx_vocab.model` (the sentencepiece model) beside it.

The average number of tokens per word of `measure` (by default the text itself), before and after, is
measured as the trainers tokenize: each word on its own, as a pre-split word.
"""

from __future__ import annotations

import io
import json
import logging
import unicodedata
from collections import Counter
from collections import defaultdict
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MODEL_TYPES = ("unigram", "bpe")
WORD_START = "\u2581"  # sentencepiece's "▁"
LEXICON, SUBWORDS = "lexicon", "subwords"
SIDECAR = "lrx_vocab.json"
SPM_MODEL = "lrx_vocab.model"


@dataclass
class VocabSettings:  # not frozen: OmegaConf refuses to merge YAML into a frozen dataclass node
    """`vocab.*` of the config: how many words to add, and how the sentencepiece model proposing them is made."""

    pieces: int = 2000  # at most this many new tokens
    model_type: str = "unigram"  # sentencepiece model type: unigram | bpe
    vocab_size: int = 8000  # the sentencepiece vocabulary (an upper bound: a small text gets fewer pieces)
    min_frequency: int = 3  # a word must occur this often in the text
    seed: int = 1
    max_piece_length: int = 48  # characters; sentencepiece's default (16) would keep long words out

    def __post_init__(self) -> None:
        if self.model_type not in MODEL_TYPES:
            raise ValueError(f"vocab.model_type must be one of {', '.join(MODEL_TYPES)}, not {self.model_type!r}")
        if self.pieces < 0 or self.vocab_size < 1 or self.min_frequency < 1:
            raise ValueError(f"vocab settings out of range: {self}")


@dataclass(frozen=True)
class Candidate:
    """A target word that may join the vocabulary: its count in the text, its pieces under the old tokenizer
    (ids) and its sentencepiece score."""

    word: str
    count: int
    old_ids: tuple[int, ...]
    score: float

    @property
    def saving(self) -> int:
        """Tokens saved on the text by making the word one token."""
        return self.count * (len(self.old_ids) - 1)


# ---------------------------------------------------------------------------------------------------------------
# candidates


def word_counts(texts: Iterable[str]) -> Counter[str]:
    """Whitespace-separated words (the data's own tokens) and how often each occurs."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(text.split())
    return counts


def train_sentencepiece(texts: Sequence[str], settings: VocabSettings) -> Any:
    """A sentencepiece model trained on `texts` (in memory), as a `SentencePieceProcessor`. Single-threaded,
    seeded, unshuffled input and identity normalisation: the same texts and settings give the same model."""
    import sentencepiece as spm

    texts = [text for text in texts if text and not text.isspace()]
    if not texts:
        raise ValueError("a sentencepiece model needs some text; got none")
    proto = io.BytesIO()
    spm.set_random_generator_seed(settings.seed)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts),
        model_writer=proto,
        model_type=settings.model_type,
        vocab_size=settings.vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=1,
        normalization_rule_name="identity",
        shuffle_input_sentence=False,
        input_sentence_size=0,
        max_sentencepiece_length=settings.max_piece_length,
        split_by_whitespace=True,
        add_dummy_prefix=True,
        bos_id=-1,
        eos_id=-1,
        minloglevel=2,
    )
    return spm.SentencePieceProcessor(model_proto=proto.getvalue())


def _wordlike(word: str) -> bool:
    """Letters, marks and digits only, at least one letter: what `single_word` treats as one word and BERT's
    pre-tokeniser does not split."""
    categories = [unicodedata.category(c)[0] for c in word]
    return "L" in categories and all(c in "LMN" for c in categories)


def word_ids(tokenizer: Any, words: Sequence[str], batch: int = 2048) -> list[list[int]]:
    """Each word's token ids (no special tokens), the word given alone as a pre-split word, as the trainers
    give words (`is_split_into_words`)."""
    ids: list[list[int]] = []
    for start in range(0, len(words), batch):
        part = [[word] for word in words[start : start + batch]]
        if part:
            ids += tokenizer(part, is_split_into_words=True, add_special_tokens=False)["input_ids"]
    return [list(i) for i in ids]


def tokens_per_word(tokenizer: Any, counts: Counter[str]) -> float:
    """The mean number of tokens per word of a text given as word counts (pre-split words, as trainers see
    them); NaN for no words."""
    words = sorted(counts)
    total = sum(counts.values())
    if not total:
        return float("nan")
    pieces = word_ids(tokenizer, words)
    return sum(counts[w] * len(p) for w, p in zip(words, pieces, strict=True)) / total


def _normalize(tokenizer: Any, word: str) -> str:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    normalizer = backend.normalizer if backend is not None else None
    return normalizer.normalize_str(word) if normalizer is not None else word


def select_words(
    sp: Any,
    counts: Counter[str],
    tokenizer: Any,
    *,
    pieces: int,
    min_frequency: int,
    exclude: Collection[str] = (),
) -> list[Candidate]:
    """The words to add, best first (see the module docstring): whole-word sentencepiece pieces frequent in
    the text, not in `exclude`, that the tokenizer splits; ranked by tokens saved, then sentencepiece score."""
    scored: dict[str, float] = {}
    for i in range(sp.get_piece_size()):
        piece = sp.id_to_piece(i)
        if piece.startswith(WORD_START) and len(piece) > 1 and not (sp.is_unknown(i) or sp.is_control(i)):
            word = piece[len(WORD_START) :]
            if counts.get(word, 0) >= min_frequency and word not in exclude and _wordlike(word):
                scored[word] = max(sp.get_score(i), scored.get(word, float("-inf")))
    # a word whose string is already a vocabulary entry (a sentencepiece vocabulary's word-internal piece "ɖe",
    # beside "▁ɖe") cannot become a token of its own: `add_tokens` would map it onto that entry
    vocabulary = tokenizer.get_vocab()
    words = sorted(word for word in scored if word not in vocabulary)
    unk = tokenizer.unk_token_id
    candidates = [
        Candidate(word, counts[word], tuple(ids), scored[word])
        for word, ids in zip(words, word_ids(tokenizer, words), strict=True)
        if len(ids) > 1 or (ids and ids[0] == unk)
    ]
    candidates.sort(key=lambda c: (-c.saving, -c.score, c.word))
    chosen: list[Candidate] = []
    seen: set[str] = set()
    for candidate in candidates:
        if len(chosen) >= pieces:
            break
        key = _normalize(tokenizer, candidate.word)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(candidate)
    return chosen


# ---------------------------------------------------------------------------------------------------------------
# embeddings


def english_sources(lexicon: Any) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Target word -> the English phrases the lexicon translates into it (exact, and case-folded), each list
    sorted and without repeats."""
    exact: dict[str, set[str]] = defaultdict(set)
    folded: dict[str, set[str]] = defaultdict(set)
    for entry in lexicon or ():
        if entry.tgt and entry.src:
            exact[entry.tgt].add(entry.src)
            folded[entry.tgt.casefold()].add(entry.src)
    return {k: sorted(v) for k, v in exact.items()}, {k: sorted(v) for k, v in folded.items()}


def initial_embedding_sources(
    tokenizer: Any, chosen: Sequence[Candidate], lexicon: Any = None
) -> list[tuple[str, list[str], list[list[int]]]]:
    """For each chosen word (in order): (path, English phrases, the id lists whose embeddings are averaged).

    Path `lexicon`: the lexicon translates English phrases into the word (exactly, else case-folded); each
    phrase's ids are its pieces under the old tokenizer, and phrases with an unknown piece are left out. The
    word's vector is the mean over phrases of the mean of each phrase's piece vectors. Path `subwords`: the
    word's own old pieces (one list), whose mean is its vector. Call with the old (unextended) tokenizer."""
    exact, folded = english_sources(lexicon)
    english_for = {c.word: exact.get(c.word) or folded.get(c.word.casefold()) or [] for c in chosen}
    phrases = sorted({p for found in english_for.values() for p in found})
    unk = tokenizer.unk_token_id
    phrase_ids: dict[str, list[int]] = {}
    if phrases:
        encoded = tokenizer(phrases, add_special_tokens=False)["input_ids"]
        phrase_ids = {p: list(ids) for p, ids in zip(phrases, encoded, strict=True) if ids and unk not in ids}
    sources: list[tuple[str, list[str], list[list[int]]]] = []
    for candidate in chosen:
        english = [p for p in english_for[candidate.word] if p in phrase_ids]
        if english:
            sources.append((LEXICON, english, [phrase_ids[p] for p in english]))
        else:
            sources.append((SUBWORDS, [], [list(candidate.old_ids)]))
    return sources


def _mean_of_means(matrix: Any, id_lists: Sequence[Sequence[int]]) -> Any:
    import torch

    return torch.stack([matrix[list(ids)].mean(dim=0) for ids in id_lists]).mean(dim=0)


def _stale_head_biases(model: Any, old_rows: int) -> list[Any]:
    """After resizing: the masked-LM head modules that keep a vocabulary bias of their own beside the decoder's
    (XLM-R's `lm_head.bias`, tied to `lm_head.decoder.bias` only when the word embeddings are tied) and still
    have it at the old size: transformers 5 resizes the decoder but not these, and a checkpoint with them at
    the old size would not load."""
    import torch

    layer = model.get_output_embeddings()
    bias = getattr(layer, "bias", None)
    stale = []
    for module in model.modules():
        own = getattr(module, "bias", None)
        parent = any(child is layer for child in module.children())
        if parent and isinstance(own, torch.nn.Parameter) and own is not bias and own.shape[0] == old_rows:
            stale.append(module)
    return stale


def _load_encoder(encoder_dir: Path) -> Any:
    """The encoder as saved: a masked LM keeps its head (as `prepare_encoder` saves one), else the bare model."""
    from transformers import AutoConfig
    from transformers import AutoModel
    from transformers import AutoModelForMaskedLM

    config = AutoConfig.from_pretrained(encoder_dir)
    masked_lm = any(name.endswith(("ForMaskedLM", "ForPreTraining")) for name in config.architectures or ())
    return (AutoModelForMaskedLM if masked_lm else AutoModel).from_pretrained(encoder_dir)


# ---------------------------------------------------------------------------------------------------------------
# the whole step


def extend_vocabulary(
    encoder_dir: Path,
    out_dir: Path,
    texts: Sequence[str],
    *,
    lexicon: Any = None,
    exclude: Collection[str] = (),
    measure: Sequence[str] | None = None,
    settings: VocabSettings | None = None,
) -> dict[str, Any]:
    """The encoder in `encoder_dir` with target words from `texts` added to its tokenizer, saved to `out_dir`
    (see the module docstring). `lexicon` (English -> target) initialises the words it translates into;
    `exclude` are words never added (the run's English words); tokens per word are measured on `measure`
    (default `texts`): on all its words, and on those not in `exclude`. Returns the figures: words added,
    init paths, tokens per word before and after."""
    import torch
    from lrx.adapt.encoders.hf import quiet_transformers
    from lrx.adapt.training.examples import _load_tokenizer
    from tokenizers import AddedToken

    quiet_transformers()
    settings = settings or VocabSettings()
    encoder_dir, out_dir = Path(encoder_dir), Path(out_dir)
    tokenizer = _load_tokenizer(encoder_dir)
    exclude = set(exclude)
    counts = word_counts(texts)
    measured = word_counts(texts if measure is None else measure)
    measured_target = Counter({word: n for word, n in measured.items() if word not in exclude})
    sp = train_sentencepiece(texts, settings)
    chosen = select_words(
        sp, counts, tokenizer, pieces=settings.pieces, min_frequency=settings.min_frequency, exclude=exclude
    )
    sources = initial_embedding_sources(tokenizer, chosen, lexicon)
    before = tokens_per_word(tokenizer, measured)
    before_target = tokens_per_word(tokenizer, measured_target)
    old_size = len(tokenizer)

    model = _load_encoder(encoder_dir)
    input_matrix = model.get_input_embeddings().weight.detach().clone()
    output_layer = model.get_output_embeddings()
    tied = output_layer is None or output_layer.weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()
    output_matrix = None if tied else output_layer.weight.detach().clone()
    has_bias = output_layer is not None and getattr(output_layer, "bias", None) is not None
    output_bias = output_layer.bias.detach().clone() if has_bias else None

    added = tokenizer.add_tokens([AddedToken(c.word, single_word=True, normalized=True) for c in chosen])
    new_ids = tokenizer.convert_tokens_to_ids([c.word for c in chosen])
    if added != len(chosen) or len(set(new_ids)) != len(chosen) or any(i < old_size for i in new_ids):
        raise RuntimeError(f"adding {len(chosen)} words to the tokenizer gave {added} new ids: {new_ids[:10]}...")
    rows = input_matrix.shape[0]
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(settings.seed)  # the rows are all overwritten below; this only keeps the draw fixed
        size = max(rows, len(tokenizer))
        model.resize_token_embeddings(size, mean_resizing=False)
        for module in _stale_head_biases(model, rows) if size != rows else []:
            old = module.bias.detach().clone()
            grown = torch.cat([old, old.new_zeros(size - rows)])
            for new_id, (_, _, id_lists) in zip(new_ids, sources, strict=True):
                grown[new_id] = _mean_of_means(old[:, None], id_lists)[0]
            module.bias = torch.nn.Parameter(grown)
        embeddings = model.get_input_embeddings().weight
        embeddings[:rows] = input_matrix  # unchanged, whatever resizing did
        for new_id, (_, _, id_lists) in zip(new_ids, sources, strict=True):
            embeddings[new_id] = _mean_of_means(input_matrix, id_lists)
        layer = model.get_output_embeddings()
        if output_matrix is not None:  # an untied head: its rows by the same recipe, in its own space
            layer.weight[: output_matrix.shape[0]] = output_matrix
            for new_id, (_, _, id_lists) in zip(new_ids, sources, strict=True):
                layer.weight[new_id] = _mean_of_means(output_matrix, id_lists)
        if output_bias is not None:  # tied or not, the head's bias is its own
            layer.bias[: output_bias.shape[0]] = output_bias
            for new_id, (_, _, id_lists) in zip(new_ids, sources, strict=True):
                layer.bias[new_id] = _mean_of_means(output_bias[:, None], id_lists)[0]
    after = tokens_per_word(tokenizer, measured)
    after_target = tokens_per_word(tokenizer, measured_target)

    paths = Counter(path for path, _, _ in sources)
    words = [
        {
            "word": c.word,
            "id": new_id,
            "count": c.count,
            "old_pieces": tokenizer.convert_ids_to_tokens(list(c.old_ids)),
            "init": path,
            "english": english,
        }
        for c, new_id, (path, english, _) in zip(chosen, new_ids, sources, strict=True)
    ]
    stats = {
        "added": len(chosen),
        "vocabulary_before": old_size,
        "vocabulary_after": len(tokenizer),
        "init": {LEXICON: paths[LEXICON], SUBWORDS: paths[SUBWORDS]},
        "tokens_per_word": {"before": round(before, 4), "after": round(after, 4)},
        # the same, on the words of `measure` that are not in `exclude` (not English: the translated words)
        "tokens_per_target_word": {"before": round(before_target, 4), "after": round(after_target, 4)},
        "measured_words": sum(measured.values()),
        "measured_target_words": sum(measured_target.values()),
        "text_words": sum(counts.values()),
        "sentencepiece_pieces": sp.get_piece_size(),
        "tokens_saved_on_text": sum(c.saving for c in chosen),
        "examples": [w["word"] for w in words[:20]],
        "settings": asdict(settings),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    (out_dir / SPM_MODEL).write_bytes(sp.serialized_model_proto())
    sidecar = {k: v for k, v in stats.items() if k != "examples"} | {"words": words}
    (out_dir / SIDECAR).write_text(json.dumps(sidecar, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    log.info(
        "vocab: %d words added (%d from the lexicon), tokens per word %.3f -> %.3f",
        len(chosen),
        paths[LEXICON],
        before,
        after,
    )
    return stats
