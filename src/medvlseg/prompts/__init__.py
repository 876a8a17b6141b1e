"""Text prompts from masks and images (medvlsm, REFERENCE §2).

- :func:`compute_attributes`: number, size, location, shape and colour of the target, its class name
  and descriptions (``targets.yaml``), and per-image fields such as PH2's diagnosis.
- :func:`build_prompts`: the levels ``p0`` ... ``p9``; :func:`choose_prompt` picks one per sample.
- :func:`perturb`: random-word, opposite, drop and empty perturbations for robustness studies.
- :func:`generate_records` / :func:`write_prompts_jsonl` / :func:`load_prompts_jsonl`: a whole dataset
  (``medvlseg prompts generate PATH --out FILE.jsonl`` on the command line).
"""

from .attributes import Attributes, Component, TargetCatalog, TargetInfo, compute_attributes, load_targets
from .generate import generate_records, load_prompts_jsonl, write_prompts_jsonl
from .perturb import PERTURBATIONS, PerturbedPrompt, perturb, perturb_prompt
from .templates import PROMPT_TYPES, build_prompts, choose_prompt, negative_prompt

__all__ = [
    "PERTURBATIONS",
    "PROMPT_TYPES",
    "Attributes",
    "Component",
    "PerturbedPrompt",
    "TargetCatalog",
    "TargetInfo",
    "build_prompts",
    "choose_prompt",
    "compute_attributes",
    "generate_records",
    "load_prompts_jsonl",
    "load_targets",
    "negative_prompt",
    "perturb",
    "perturb_prompt",
    "write_prompts_jsonl",
]
