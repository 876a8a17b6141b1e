"""The one rule for a prompt a user hands in (``Segmenter.segment``, ``predict``, the CLI): text,
valid Unicode that can be written as UTF-8 (a command line with undecodable bytes reaches Python as
lone surrogates, which a tokenizer would mangle or crash on), and of bounded length."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigError

# A long clinical sentence is a few hundred characters and CLIP reads 77 tokens, BERT 256-512: a
# 100,000-character "prompt" is a mistake (a file pasted in), refused before it is tokenized.
MAX_PROMPT_CHARS = 2000


def check_prompt(prompt: Any, *, where: str = "prompt", max_chars: int = MAX_PROMPT_CHARS) -> str:
    """``prompt`` unchanged when it is acceptable; else a :class:`ConfigError` naming ``where``."""
    if not isinstance(prompt, str):
        raise ConfigError(f"{where}: expected text, got {type(prompt).__name__}")
    try:
        prompt.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ConfigError(f"{where}: not valid text (undecodable bytes at character {exc.start}); "
                          "give the prompt as UTF-8") from None
    if len(prompt) > max_chars:
        raise ConfigError(f"{where}: {len(prompt)} characters, at most {max_chars}")
    return prompt
