"""Bilingual lexicons: the `Lexicon` type (`lexicon`), cleaning (`cleaning`), named sources (`sources`), loading
several at once (`loading`), contributed files (`contributed`, `validate`) and word-by-word synthesis
(`synthesis`). Imports only `lrx.core` and `lrx.morphology` of lrx (tests/test_layout.py checks it)."""
