"""UniMorph morphology: feature bundles, paradigms and inflectors (next issue). Imports nothing of lrx."""
