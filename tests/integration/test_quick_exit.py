"""A foreground train returns as soon as its run has ended (tester7 H8): the interpreter's teardown
with torch loaded took ~10 s after `finished at step N/N`, dead time in `train ... && next`."""

from __future__ import annotations

import subprocess
import sys

from helpers import TINY_GAN, cli_env, merge, write_recipe

ENTRY = ("import atexit, sys; atexit.register(lambda: print('interpreter teardown', file=sys.stderr)); "
         "from aigc_tui.cli import main; sys.argv = ['aigc-tui', *sys.argv[1:]]; sys.exit(main())")


def test_train_exits_without_the_interpreter_teardown_and_keeps_its_output(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "r.toml", merge(TINY_GAN, run={"steps": 1, "checkpoint_every": 0,
                                                                    "sample_every": 0}))
    done = subprocess.run([sys.executable, "-c", ENTRY, "train", str(recipe), "--runs-dir", str(runs_dir)],
                          capture_output=True, text=True, env=cli_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("finished at step 1/1: "), done.stdout  # flushed, piped
    assert "interpreter teardown" not in done.stderr, done.stderr  # left at once, files already written
