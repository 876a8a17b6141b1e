"""A tokenizer that needs no file: UTF-8 bytes as tokens.

Used by the ``tiny`` test backbones and by full-size architectures built with random weights
(benchmarks), where no vocabulary file is at hand. Pretrained backbones always use their own
tokenizer.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .base import TextTokens


class ByteTokenizer:
    """``[BOS] bytes(prompt) [EOS] [PAD]...``; ids 0..255 are bytes. The EOS token is the last real
    token of every sequence, as in CLIP, so EOS pooling works unchanged."""

    def __init__(self, context_length: int = 32, pad_id: int = 256, bos_id: int = 257, eos_id: int = 258) -> None:
        self.context_length = context_length
        self.pad_id, self.bos_id, self.eos_id = pad_id, bos_id, eos_id
        self.vocab_size = max(pad_id, bos_id, eos_id) + 1

    def __call__(self, prompts: Sequence[str], device: torch.device | str = "cpu") -> TextTokens:
        if isinstance(prompts, str):
            raise TypeError("prompts must be a list of strings, not one string")
        seqs = [[self.bos_id, *list(p.encode("utf-8"))[: self.context_length - 2], self.eos_id] for p in prompts]
        length = max(len(s) for s in seqs)
        ids = torch.full((len(seqs), length), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(seqs), length), dtype=torch.long)
        for k, s in enumerate(seqs):
            ids[k, : len(s)] = torch.tensor(s)
            mask[k, : len(s)] = 1
        return TextTokens(ids.to(device), mask.to(device))


def hf_tokenize(tokenizer, prompts: Sequence[str], context_length: int, device: torch.device | str) -> TextTokens:
    """Run a Hugging Face tokenizer: pad to the longest prompt, truncate at ``context_length``."""
    if isinstance(prompts, str):
        raise TypeError("prompts must be a list of strings, not one string")
    enc = tokenizer(list(prompts), padding=True, truncation=True, max_length=context_length, return_tensors="pt")
    return TextTokens(enc["input_ids"].to(device), enc["attention_mask"].to(device))
