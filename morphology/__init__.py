"""UniMorph morphology: feature bundles (`features`), inflection tables (`unimorph`, `contributed`), example
files (`data`), English analysis (`english`), feature mapping (`feature_map`) and inflectors (`inflectors`).
Imports only `lrx.core` of lrx (tests/test_layout.py checks it)."""
