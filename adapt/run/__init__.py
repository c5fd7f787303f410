"""`lrx-run`: the Hydra app (`app.py`), the schema `conf/` is checked against (`schema.py`), each stage's typed
settings (`settings.py`), the run's context (`context.py`), the stage engine that plans, resumes and records
(`engine.py`), the stages (`stages/`), sweep job directory names (`naming.py`), the model card of a kept model
(`model_card.py`) and its export as a Hugging Face or ONNX directory (`export.py`, `lrx export`)."""
