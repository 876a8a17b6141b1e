"""Copy a run directory with model.safetensors replaced by the last epoch's weights (from last/)."""
import json, shutil, sys
from pathlib import Path
from safetensors import safe_open
from safetensors.torch import load_file, save_file

src, dst = Path(sys.argv[1]), Path(sys.argv[2])
shutil.copytree(src, dst, ignore=shutil.ignore_patterns("last", "logs"), dirs_exist_ok=False)
best = load_file(src / "model.safetensors")
state = json.load(open(src / "last" / "state.json"))
tensors = load_file(src / "last" / state["tensors"])
out, missing = {}, []
for k, v in best.items():
    for cand in (f"/state_dict/model.{k}", f"/state_dict/{k}"):
        if cand in tensors:
            out[k] = tensors[cand]; break
    else:
        missing.append(k)
assert not missing, missing[:5]
with safe_open(str(src / "model.safetensors"), "pt") as f:
    meta = f.metadata()
save_file(out, str(dst / "model.safetensors"), metadata=meta)
print(len(out), "tensors from epoch", state["epoch"] + 1)
