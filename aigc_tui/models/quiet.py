"""Silence library progress bars and chatter: the worker and the helper log progress themselves."""

from __future__ import annotations

import os


def quiet_libraries() -> None:
    """Progress bars from libraries would flood log.txt; the loop logs progress itself."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except ImportError:  # pragma: no cover
        pass
