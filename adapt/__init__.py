"""Adapting an encoder to a language: `run/` (the `lrx-run` Hydra app, its schema, the stage engine and the
stages), `encoders/` (building, trimming, extending an encoder), `training/` (the loops), `tasks/` (the task
registry and file formats), `synthesize.py` (task files in, pseudo data out), `evaluation.py` (metrics),
`report.py` (`lrx report`), `cli/` (every `lrx` subcommand)."""
