"""`aigc-tui bench`: the trainer against minimal hand-written loops, interleaved A/B in one run."""
