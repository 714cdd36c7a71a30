"""A foreground `train` on a terminal keeps one live progress line; piped, it prints plain log lines."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from helpers import TINY_GAN, cli_env, merge, write_recipe

CLEAR = "\r\x1b[K"


def run_in_pty(argv: list[str]) -> tuple[str, int]:
    """Run the CLI with a terminal as its stdout; everything it wrote, and its exit code."""
    env = cli_env() | {"COLUMNS": "100", "LINES": "30"}
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "aigc_tui", *argv], stdin=slave, stdout=slave, stderr=slave,
                            env=env, start_new_session=True)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return out.decode(errors="replace"), proc.wait(timeout=300)


def screen_lines(raw: str) -> list[str]:
    """What stays on screen: each line as its last redraw left it."""
    return [line.split(CLEAR)[-1].split("\r")[-1] for line in raw.replace("\r\n", "\n").split("\n")]


def test_a_terminal_gets_a_live_progress_line_redrawn_in_place(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 40, "log_every": 20}))
    raw, code = run_in_pty(["train", str(recipe), "--runs-dir", str(runs_dir)])
    assert code == 0, raw
    frames = [part.split("\r\n")[0] for part in raw.split(CLEAR)[1:] if part.startswith("step ")]
    assert len(set(frames)) >= 2, raw  # drawn, then redrawn with newer figures
    assert frames[-1].startswith("step 40/40  ") and "images/s" in frames[-1] and "loss_g " in frames[-1]
    lines = screen_lines(raw)
    assert any(line.endswith("training tiny-gan on cpu (fp32) from step 0 to 40") for line in lines), lines
    assert any(line.startswith("[") and "step 20/40 loss_d" in line for line in lines)  # log lines intact
    final = lines.index(frames[-1])  # the last figures stay on screen, above the end message
    assert lines[final + 1].startswith("finished at step 40/40")
    assert sum(line.startswith("step ") for line in lines) == 1  # one line, not one per update


def test_a_pipe_gets_plain_log_lines_and_no_carriage_returns(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 20, "log_every": 10}))
    proc = subprocess.run([sys.executable, "-m", "aigc_tui", "train", str(recipe), "--runs-dir", str(runs_dir)],
                          capture_output=True, text=True, env=cli_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stdout and "\x1b" not in proc.stdout
    assert "step 10/20 loss_d" in proc.stdout and "finished at step 20/20" in proc.stdout
