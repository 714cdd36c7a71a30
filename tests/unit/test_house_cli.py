"""`aigc-tui rm`, `archive`, `unarchive`, `tag`, `note`, `diff` and `runs --tag/--all`: what a user types and sees."""

from __future__ import annotations

import io
import os

import pytest

from aigc_tui.cli import main
from aigc_tui.runs import RunState, RunStatus, create_run, list_runs


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(root, name, state="finished", lr=0.1):
    run = create_run(root, f'kind = "gan"\nname = "{name}"\n[train]\nlr_g = {lr}\n', name, run_id=name)
    status = RunStatus.read(run.path)
    status.state, status.started_at, status.ended_at = RunState(state), 1000.0, 1130.0
    status.pid = os.getpid() if state == "running" else None
    status.write(run.path)
    return run


def _cli(runs_dir, *args):
    return main([*args, "--runs-dir", str(runs_dir)])


def test_rm_asks_on_a_terminal_and_needs_yes_without_one(runs_dir, capsys, monkeypatch):
    _run(runs_dir, "a")
    _run(runs_dir, "b")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert _cli(runs_dir, "rm", "a") == 2
    assert "without --yes" in capsys.readouterr().err and len(list_runs(runs_dir)) == 2
    monkeypatch.setattr("sys.stdin", Tty("n\n"))
    assert _cli(runs_dir, "rm", "a") == 1 and len(list_runs(runs_dir)) == 2
    monkeypatch.setattr("sys.stdin", Tty("y\n"))
    assert _cli(runs_dir, "rm", "a") == 0
    assert "deleted a" in capsys.readouterr().out and [r.id for r in list_runs(runs_dir)] == ["b"]
    assert _cli(runs_dir, "rm", "b", "--yes") == 0 and list_runs(runs_dir) == []


@pytest.mark.parametrize("command", [["rm", "--yes"], ["archive"]])
def test_a_live_or_unknown_run_is_one_line_exit_2_and_nothing_changes(runs_dir, capsys, command):
    _run(runs_dir, "idle")
    _run(runs_dir, "live", "running")
    assert _cli(runs_dir, *command, "idle", "live") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: run live is running")
    assert _cli(runs_dir, *command, "idle", "nope") == 2
    assert capsys.readouterr().err.startswith("error: no run 'nope'")
    assert sorted(r.id for r in list_runs(runs_dir)) == ["idle", "live"]


def test_archive_unarchive_and_runs_all(runs_dir, capsys):
    _run(runs_dir, "old")
    _run(runs_dir, "new")
    assert _cli(runs_dir, "archive", "old") == 0
    capsys.readouterr()
    assert _cli(runs_dir, "runs") == 0
    assert "old" not in capsys.readouterr().out
    assert _cli(runs_dir, "runs", "--all") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines[1:]] == [["new", "gan", "finished"], ["old", "gan", "archived"]]
    assert _cli(runs_dir, "archive", "old") == 2
    assert capsys.readouterr().err.startswith("error: run old is already archived")
    for command in (["resume", "old"], ["sample", "old"], ["stop", "old"]):
        assert _cli(runs_dir, *command) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "is archived" in err[0] and "aigc-tui unarchive" in err[0], err
    assert _cli(runs_dir, "unarchive", "new") == 2
    assert "no archived run 'new'" in capsys.readouterr().err
    assert _cli(runs_dir, "unarchive", "old") == 0 and len(list_runs(runs_dir)) == 2


def test_tag_note_and_runs_tag_filter(runs_dir, capsys):
    _run(runs_dir, "a")
    _run(runs_dir, "b")
    assert main(["--runs-dir", str(runs_dir), "tag", "a", "+best", "old"]) == 0
    assert _cli(runs_dir, "tag", "a", "-old") == 0  # a tag word may start with -
    assert capsys.readouterr().out.splitlines()[-1] == "a: #best"
    for bad in (["+"], ["-"], ["two words"], []):
        assert _cli(runs_dir, "tag", "a", *bad) == 2
        assert capsys.readouterr().err.count("\n") == 1
    assert _cli(runs_dir, "tag", "nope", "+x") == 2
    assert _cli(runs_dir, "note", "b", "lr too high") == 0
    capsys.readouterr()
    assert _cli(runs_dir, "runs", "--tag", "best") == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out[1:]] == ["a"] and out[1].endswith("#best")
    assert _cli(runs_dir, "runs", "--tag", "nothing") == 0
    assert "no runs tagged nothing" in capsys.readouterr().out


def test_diff_prints_the_differing_keys(runs_dir, capsys):
    _run(runs_dir, "a", lr=0.1)
    _run(runs_dir, "b", lr=0.2)
    assert _cli(runs_dir, "diff", "a", "b") == 0
    assert capsys.readouterr().out.splitlines()[1:] == ['name: "a" → "b"', "train.lr_g: 0.1 → 0.2"]
    assert _cli(runs_dir, "diff", "a", "a") == 2
    assert _cli(runs_dir, "diff", "a", "zzz") == 2
    assert capsys.readouterr().err.count("\n") == 2


def test_runs_shows_a_finished_runs_duration(runs_dir, capsys):
    _run(runs_dir, "done")
    assert _cli(runs_dir, "runs") == 0
    assert "2m10s" in capsys.readouterr().out.splitlines()[1].split()


def test_an_empty_tag_filter_is_one_line_exit_2(runs_dir, capsys):
    """`runs --tag ''` said "no runs tagged  under …" and exit 0 (`tag RUN +''` is an error)."""
    _run(runs_dir, "a")
    assert _cli(runs_dir, "runs", "--tag", "") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: empty --tag")


def test_tags_typed_with_a_hash_or_a_dash(runs_dir, capsys):
    """`tag RUN +#x` stored "#x" (shown "##x"); `+-z` stored "-z", which `-- -z`/`--z` could not remove."""
    from aigc_tui.runs.notes import read_notes, write_notes

    run = _run(runs_dir, "a")
    assert _cli(runs_dir, "tag", "a", "+#best") == 0  # shown as #best, typed that way too
    assert read_notes(run.path).tags == ["best"] and capsys.readouterr().out.strip() == "a: #best"
    assert _cli(runs_dir, "runs", "--tag", "#best") == 0 and "#best" in capsys.readouterr().out
    assert _cli(runs_dir, "tag", "a", "+-z") == 2
    assert "error: tag '-z' begins with '-'" in capsys.readouterr().err
    assert read_notes(run.path).tags == ["best"]
    write_notes(run.path, tags=["best"])
    (run.path / "notes.json").write_text('{"tags": ["best", "-z", "#y"], "note": ""}')  # stored before the rule
    assert _cli(runs_dir, "tag", "a", "--z", "-##y", "-#best") == 0  # each one removable
    assert read_notes(run.path).tags == [] and capsys.readouterr().out.strip() == "a: no tags"


def test_piped_watch_prints_when_the_step_was_logged(runs_dir, capsys):
    """Piped on a run that ended earlier, `watch` stamped the line with the time it read it."""
    import json
    import time

    run = _run(runs_dir, "old")
    logged = time.mktime((2026, 1, 2, 3, 4, 5, 0, 0, -1))
    (run.path / "metrics.jsonl").write_text(json.dumps({"step": 10, "time": logged, "loss_d": 0.5}) + "\n")
    assert _cli(runs_dir, "watch", "old") == 0
    assert capsys.readouterr().out.startswith("[03:04:05] step ")


def test_piped_watch_says_a_queued_run_is_queued_then_follows_it(runs_dir, capsys, monkeypatch):
    """`watch RUN | cat` on a queued run printed nothing until its first logged step."""
    import json

    run = _run(runs_dir, "waiting", state="queued")

    def status(**fields):
        def apply():
            s = RunStatus.read(run.path)
            s.pid = os.getpid()
            for key, value in fields.items():
                setattr(s, key, value)
            s.write(run.path)
        return apply

    def log_step():
        (run.path / "metrics.jsonl").write_text(json.dumps({"step": 5, "time": 1.0e9, "loss_d": 0.5}) + "\n")

    status(queue_position=2, waiting_for="gpu 0")()
    script = [status(queue_position=1), status(queue_position=None, starting=True),
              status(state=RunState.RUNNING, starting=False), log_step, status(state=RunState.FINISHED)]
    monkeypatch.setattr("aigc_tui.commands.runs_cmds.time.sleep", lambda _s: script.pop(0)())  # one change a poll
    assert _cli(runs_dir, "watch", "waiting") == 0
    lines = [line.split("] ", 1)[-1] for line in capsys.readouterr().out.splitlines()]
    assert lines[:4] == ["queued #2 (waiting for gpu 0)", "queued #1 (waiting for gpu 0)", "starting", "running"]
    assert lines[4].startswith("step ") and "loss_d 0.5" in lines[4] and lines[5] == "run waiting ended finished at step 0", lines


def test_a_run_on_another_host_says_so_and_stop_force_is_the_way_out(runs_dir, capsys):
    """tester6 G27: a run whose worker was on another host (a shared runs folder; that node rebooted)
    read `running` forever while stop/rm/resume sent the user round in a circle."""
    import json
    import time

    run = create_run(runs_dir, 'kind = "gan"\nname = "remote"\n[run]\nsteps = 5\n', "remote", run_id="remote")
    status = RunStatus.read(run.path)
    status.state, status.pid, status.host, status.step, status.total_steps = RunState.RUNNING, 1, "gpu-box-7", 3, 5
    status.started_at = time.time() - 3 * 3600
    status.write(run.path)
    raw = json.loads((run.path / "status.json").read_text())
    raw["updated_at"] = time.time() - 2 * 3600 - 300  # its last word, 2h05m ago
    (run.path / "status.json").write_text(json.dumps(raw))
    capsys.readouterr()

    assert _cli(runs_dir, "runs", "--json") == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["state_text"] == "running@gpu-box-7?"
    way_out = "if that worker is gone, `aigc-tui stop --force remote` marks the run lost"
    worker = "pid 1 on gpu-box-7, last update 2h05m ago; this machine cannot check it"
    for command in (["resume", "remote", "--detach"], ["rm", "remote", "--yes"]):
        assert _cli(runs_dir, *command) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"is running ({worker})" in err and way_out in err, err
    assert _cli(runs_dir, "stop", "remote") == 0  # left for the worker, which may still run there
    out = capsys.readouterr().out
    assert out == f"stop requested for remote, whose worker is {worker}; {way_out}\n"

    assert _cli(runs_dir, "stop", "--force", "remote") == 0
    assert capsys.readouterr().out.startswith("marked remote lost: its worker (pid 1 on gpu-box-7, last update")
    status = run.status()
    assert status.state is RunState.LOST and "given up by `stop --force`" in status.error
    assert _cli(runs_dir, "rm", "remote", "--yes") == 0 and list_runs(runs_dir) == []


def test_a_run_resumed_here_after_stop_force_is_judged_here(runs_dir, capsys):
    """tester7 H5: the run given up on gpu-box-7 and resumed on this machine kept `host = gpu-box-7`,
    so its local worker killed by kill -9 read `running@gpu-box-7?` instead of `lost`."""
    import json
    import subprocess
    import sys

    from aigc_tui.runs.status import mark_queued

    run = create_run(runs_dir, 'kind = "gan"\nname = "remote"\n[run]\nsteps = 5\n', "remote", run_id="remote")
    status = RunStatus.read(run.path)
    status.state, status.pid, status.host = RunState.RUNNING, 1, "gpu-box-7"
    status.write(run.path)
    assert _cli(runs_dir, "stop", "--force", "remote") == 0
    worker = subprocess.Popen([sys.executable, "-c", "pass"])  # the resumed worker here, then kill -9'd
    mark_queued(run.path, worker.pid, by_launcher=True)  # what `resume` records as it spawns the worker
    worker.wait()
    capsys.readouterr()
    assert _cli(runs_dir, "runs", "--json") == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["state_text"] == "lost", row


def test_a_hint_for_a_run_outside_the_default_root_carries_its_runs_dir(tmp_path, capsys):
    """tester7 H1: the command a hint gave (`aigc-tui stop ID`) looked under the default root and failed."""
    root = tmp_path / "elsewhere"
    _run(root, "a", state="running")
    assert _cli(root, "rm", "a", "--yes") == 2
    err = capsys.readouterr().err
    assert f"`aigc-tui stop a --runs-dir {root}`" in err, err


def test_a_config_toml_that_is_not_utf8_is_a_broken_run_not_a_traceback(runs_dir, capsys):
    """tester7 H19: one config.toml in Latin-1 made `runs`, `watch`, `resume` and `rm` of every run a traceback."""
    import json

    _run(runs_dir, "good")
    bad = _run(runs_dir, "bad")
    (bad.path / "config.toml").write_bytes(b'kind = "gan"\nname = "caf\xe9"\n')
    capsys.readouterr()
    assert _cli(runs_dir, "runs", "--json") == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(rows) == {"good", "bad"}
    assert _cli(runs_dir, "rm", "bad", "--yes") == 0 and [r.id for r in list_runs(runs_dir)] == ["good"]
