"""aigc-tui: a terminal workbench for training and trying generative models."""

__version__ = "0.1.0"
