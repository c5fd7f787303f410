"""Training loops: token tagging (NER, POS), joint intent + slots (xSID), continued masked LM, distillation.

Every function reads a model directory and writes one (`save_pretrained` layout plus `lrx.json`), so stages
chain by paths; with `TrainSettings.processes` > 1 (or under torchrun) it trains data parallel. The modules:

- `settings`: `TrainSettings` (how to train, the same for every loop) and `DataParallelError`.
- `parallel`: the data-parallel launcher (torchrun's `elastic_launch`; joining ranks torchrun started), this
  process's rank and device, seeding, rank 0's saving.
- `examples`: sentences as model input (the fast tokenizer, sub-token encoding, label targets, length-bucketed
  batches, collate) and sub-token predictions back to word labels; the label list checks and fallback label.
- `loop`: the one optimisation loop (`_optimise`: AdamW, warm-up and decay, clipping, step and time caps) and
  the token-level loss.
- `saving`: the saved layout, the `lrx.json` sidecar written and read.
- `tagger`: `finetune_tagger` (hard labels or a teacher's distributions), `predict_tags`,
  `predict_tag_distributions` (labels and per-word probabilities), `label_confidence`, `distill_labels`.
- `joint`: the joint intent + slot model (`JointIntentSlotModel.from_pretrained(dir)` loads a saved one),
  `finetune_intent_slots`, `predict_intent_slots`.
- `mlm`: `continue_mlm` (continued masked-LM training).

The public names are re-exported here (`from lrx.adapt.training import finetune_tagger`); none of this imports
torch or transformers until a function runs.
"""

from lrx.adapt.training.examples import IGNORED
from lrx.adapt.training.examples import OUTSIDE
from lrx.adapt.training.joint import finetune_intent_slots
from lrx.adapt.training.joint import predict_intent_slots
from lrx.adapt.training.mlm import continue_mlm
from lrx.adapt.training.saving import HEADS_FILE
from lrx.adapt.training.saving import SIDECAR
from lrx.adapt.training.settings import DataParallelError
from lrx.adapt.training.settings import TrainSettings
from lrx.adapt.training.tagger import distill_labels
from lrx.adapt.training.tagger import finetune_tagger
from lrx.adapt.training.tagger import label_confidence
from lrx.adapt.training.tagger import predict_tag_distributions
from lrx.adapt.training.tagger import predict_tags

__all__ = [
    "HEADS_FILE",
    "IGNORED",
    "OUTSIDE",
    "SIDECAR",
    "DataParallelError",
    "TrainSettings",
    "continue_mlm",
    "distill_labels",
    "finetune_intent_slots",
    "finetune_tagger",
    "label_confidence",
    "predict_intent_slots",
    "predict_tag_distributions",
    "predict_tags",
]
