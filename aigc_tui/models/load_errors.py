"""One clear line for why a model folder did not load (transformers' messages run to many lines)."""

from __future__ import annotations

TOKENIZER_FILES = "tokenizer.json, vocab.json + merges.txt, vocab.txt or a *.model"


def load_failure(location: str, what: str, exc: BaseException) -> str:
    """`could not load ...: <first line>`, or a plain sentence for the cases users meet most."""
    text = str(exc)
    if "Couldn't instantiate the backend tokenizer" in text:
        return f"{location} has no tokenizer files (it needs {TOKENIZER_FILES}); copy them in from the model it was trained from"
    first = (text.splitlines() or [type(exc).__name__])[0][:300]
    return f"could not load {what}: {first}"
