"""A foreground `aigc-tui train` stopped by Ctrl-C exits 130, as interrupted commands do, so
`aigc-tui train ... && next` does not run `next`; it still saves its checkpoint first (tester4 E22 e)."""

from __future__ import annotations

import signal
import subprocess
import sys

from helpers import TINY_GAN, cli_env, merge, wait_for, write_recipe

from aigc_tui.runs import RunState, list_runs

FOREVER = merge(TINY_GAN, name="ctrl-c", run={"steps": 1_000_000, "checkpoint_every": 0, "log_every": 5,
                                               "sample_every": 0})


def test_ctrl_c_stops_a_foreground_train_with_exit_130(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "forever.toml", FOREVER)
    proc = subprocess.Popen([sys.executable, "-m", "aigc_tui", "train", str(recipe), "--runs-dir", str(runs_dir)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=cli_env())
    try:
        run = wait_for(lambda: list_runs(runs_dir) and list_runs(runs_dir)[0], what="the run")
        wait_for(lambda: run.status().state is RunState.RUNNING and run.status().step >= 10, what="training")
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends to the foreground process
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, out
    status = run.status()
    assert status.state is RunState.STOPPED and run.checkpoints()[-1].step == status.step
    assert f"stopped at step {status.step}/1000000 (interrupted)" in out


def test_a_train_that_finishes_still_exits_0(tmp_path, runs_dir):
    recipe = write_recipe(tmp_path / "short.toml", merge(FOREVER, run={"steps": 10}))
    done = subprocess.run([sys.executable, "-m", "aigc_tui", "train", str(recipe), "--runs-dir", str(runs_dir)],
                          capture_output=True, text=True, env=cli_env(), timeout=120)
    assert done.returncode == 0 and "finished at step 10/10:" in done.stdout, done.stdout + done.stderr


def test_a_third_ctrl_c_during_the_interrupt_save_waits_for_it(tmp_path, runs_dir, monkeypatch, capfd):
    """tester6 G16: Ctrl-C hammered three times — stop, stop now, and one more while the interrupt
    checkpoint is being written — still ends `stopped` with that checkpoint whole, never `lost`."""
    import os

    from aigc_tui.cli import main
    from aigc_tui.train import loop

    real_interval, real_write = loop.Trainer._log_interval, loop.write_checkpoint

    def interval_then_ctrl_c_twice(self, *args):
        real_interval(self, *args)
        if self.step == 10:
            os.kill(os.getpid(), signal.SIGINT)  # asks for a stop at the next step
            os.kill(os.getpid(), signal.SIGINT)  # stops at once: "interrupted: saving a checkpoint"

    def write_with_ctrl_c_inside(folder, write_weights, state, meta, extras=None):
        def weights_then_ctrl_c(tmp):
            write_weights(tmp)
            if meta["reason"] == "interrupted":
                os.kill(os.getpid(), signal.SIGINT)  # the third, with the checkpoint half-built
        return real_write(folder, weights_then_ctrl_c, state, meta, extras)

    monkeypatch.setattr(loop.Trainer, "_log_interval", interval_then_ctrl_c_twice)
    monkeypatch.setattr(loop, "write_checkpoint", write_with_ctrl_c_inside)
    recipe = write_recipe(tmp_path / "forever.toml", FOREVER)
    code = main(["train", str(recipe), "--runs-dir", str(runs_dir)])
    out, err = capfd.readouterr()
    assert code == 130, out + err
    (run,) = list_runs(runs_dir)
    status = run.status()
    assert status.state is RunState.STOPPED and status.step == 10, (status, out + err)
    (checkpoint,) = run.checkpoints()
    assert checkpoint.step == 10 and (checkpoint.path / "trainer_state.pt").is_file()
    assert "saving step 10, a moment" in err and "checkpoint step-00000010 saved (interrupted)" in out


def test_ctrl_c_during_start_up_names_the_runs_total(tmp_path, runs_dir, monkeypatch, capfd):
    """tester7 H3: Ctrl-C while the model was still being built printed `stopped at step 0/0`."""
    import os

    from aigc_tui.cli import main
    from aigc_tui.train import worker

    real_build = worker.build_trainer

    def ctrl_c_while_building(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # remembered for the trainer
        os.kill(os.getpid(), signal.SIGINT)  # the second stops the start-up at once
        return real_build(*args, **kwargs)

    monkeypatch.setattr(worker, "build_trainer", ctrl_c_while_building)
    code = main(["train", str(write_recipe(tmp_path / "forever.toml", FOREVER)), "--runs-dir", str(runs_dir)])
    out, err = capfd.readouterr()
    assert code == 130, out + err
    assert "stopped before training started" in out and "stopped at step 0/1000000 (interrupted)" in out, out
    (run,) = list_runs(runs_dir)
    assert run.status().state is RunState.STOPPED and run.status().total_steps == 1_000_000
