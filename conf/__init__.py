"""The Hydra configs of `lrx-run`, installed as package data: `config.yaml` and one group per axis (language,
task, model, method, lexicon, morphology, experiment, hydra/launcher). Only `lrx.adapt.run` reads them."""
