"""A copy of a run directory whose model.safetensors holds the last epoch's weights (from the run's
``last/`` state, sha256-checked), with its metadata.json rewritten for the new file. How the "last
epoch" column of the 10 % runs was scored, before ``optim.select_epoch: last`` did it in the run.

    python last_as_run.py bench/de10/runs/full-schedule-affine__fuseg__p1__f0.1__s0 bench/de10/last-runs/full-schedule-affine
"""
import json
import shutil
import sys
from pathlib import Path

from safetensors import safe_open
from safetensors.torch import save_file

from medvlseg.checkpoints import write_run_metadata
from medvlseg.engine.checkpoint import load_state
from medvlseg.weights import read_weights

src, dst = Path(sys.argv[1]), Path(sys.argv[2])
shutil.copytree(src, dst, ignore=shutil.ignore_patterns("last", "logs"))
state = load_state(src / "last")
lightning = state["state_dict"]  # the LightningModule's: "model.<name>"
weights = {k: lightning[f"model.{k}"] for k in read_weights(src / "model.safetensors")}  # the tensors the run saves
with safe_open(str(src / "model.safetensors"), "pt") as f:
    record = f.metadata()  # the model's record, unchanged
save_file(weights, str(dst / "model.safetensors"), metadata=record)
write_run_metadata(dst, json.loads((src / "metadata.json").read_text()))
print(len(weights), "tensors from epoch", state["epoch"] + 1)
