"""The supervisor's stderr copy: progress-bar redraws collapse, the tail keeps the error lines."""

from __future__ import annotations

import os

from aigc_tui.launch.supervise import StderrTail


def test_progress_redraws_collapse_and_the_tail_keeps_the_last_lines(tmp_path):
    read_fd, write_fd = os.pipe()
    log_path = tmp_path / "log.txt"
    with open(log_path, "ab") as log, os.fdopen(read_fd, "rb") as pipe:
        tail = StderrTail(pipe, log)
        os.write(write_fd, b" 10%|#   |\r 50%|##  |\r100%|####|\n")
        os.write(write_fd, b"Traceback (most recent call last):\n  File \"x.py\"\nValueError: boom")
        os.close(write_fd)
        tail.thread.join(timeout=10)
    assert log_path.read_bytes() == (b"100%|####|\nTraceback (most recent call last):\n  File \"x.py\"\n"
                                     b"ValueError: boom\n")
    assert tail.lines()[-1] == "ValueError: boom"
