"""`aigc-tui runs` piped prints whole cells, so `grep` and `awk` see every id and state."""

from __future__ import annotations

from aigc_tui.cli import main
from aigc_tui.runs import RunStatus, create_run


def test_runs_piped_prints_whole_cells(runs_dir, capsys):
    run = create_run(runs_dir, 'kind = "gan"\nname = "x"\n[run]\nsteps = 3000\n',
                     "a-very-long-run-name-that-would-never-fit-in-eighty-columns")
    status = RunStatus.read(run.path)
    status.step, status.total_steps, status.device = 259, 3000, "cuda:0 (NVIDIA H200, bf16)"
    status.write(run.path)
    assert main(["runs", "--runs-dir", str(runs_dir)]) == 0
    out = capsys.readouterr().out
    header, line = out.splitlines()
    assert header.split() == ["id", "kind", "state", "step", "speed", "time", "device", "tags"]
    assert line.split()[0] == run.id and "259/3000" in line.split() and "queued" in line.split()
    assert line.endswith("cuda:0 (NVIDIA H200, bf16)") and "…" not in out


def test_a_run_resumed_hours_later_shows_the_time_it_trained_not_the_pause(runs_dir, capsys):
    import os
    import time

    from aigc_tui.runs import RunState
    from aigc_tui.runs.status import mark_queued
    from aigc_tui.runs.summary import run_row

    run = create_run(runs_dir, 'kind = "gan"\nname = "paused"\n[run]\nsteps = 500\n', "paused")
    now = time.time()
    status = RunStatus.read(run.path)  # trained 1m30s, stopped, then left alone for three hours
    status.state, status.step, status.total_steps = RunState.STOPPED, 100, 500
    status.started_at = status.resumed_at = now - 3 * 3600
    status.ended_at = now - 3 * 3600 + 90
    status.write(run.path)
    mark_queued(run.path, os.getpid(), by_launcher=True)  # `aigc-tui resume` now
    status = RunStatus.read(run.path)
    status.state, status.step, status.resumed_at, status.ended_at = RunState.FINISHED, 500, now - 60, now
    status.write(run.path)  # the second session trained one minute and finished
    assert abs(run_row(run).elapsed(now + 999) - 150) < 1  # 1m30s + 1m, frozen once ended
    assert main(["runs", "--runs-dir", str(runs_dir)]) == 0
    assert "2m30s" in capsys.readouterr().out


def test_a_resumed_run_stopped_while_still_queued_shows_only_what_it_trained(runs_dir):
    """Queued again after a stop, then stopped before training: the earlier session and the
    wait in the queue were counted again (8 s trained showed 34 s)."""
    import os
    import time

    from aigc_tui.runs import RunState
    from aigc_tui.runs.status import mark_queued
    from aigc_tui.runs.summary import run_row

    run = create_run(runs_dir, 'kind = "gan"\nname = "requeued"\n[run]\nsteps = 500\n', "requeued")
    now = time.time()
    status = RunStatus.read(run.path)  # trained 8 s, stopped 26 s ago
    status.state, status.step, status.total_steps = RunState.STOPPED, 40, 500
    status.started_at = status.resumed_at = now - 34
    status.ended_at = now - 26
    status.write(run.path)
    mark_queued(run.path, os.getpid(), by_launcher=True)  # resumed: waits in the queue
    assert abs(run_row(run).elapsed(now) - 8) < 1
    status = RunStatus.read(run.path)
    status.state, status.ended_at = RunState.STOPPED, now  # taken out of the queue before it trained
    status.write(run.path)
    assert abs(run_row(run).elapsed(now + 999) - 8) < 1
    mark_queued(run.path, os.getpid(), by_launcher=True)  # and resumed again: still nothing added
    assert abs(run_row(run).elapsed(now + 999) - 8) < 1


def _terminal_listing(runs_dir, capsys, monkeypatch, columns: int) -> list[list[str]]:
    """`aigc-tui runs` as a terminal `columns` cells wide shows it: the words of each line."""
    import re
    import sys

    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["runs", "--runs-dir", str(runs_dir)]) == 0
    lines = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out).splitlines()
    assert all(len(line.rstrip()) <= columns for line in lines), lines
    return [line.split() for line in lines]


def test_runs_on_an_80_column_terminal_never_cuts_state_step_best_or_time_and_shows_names(runs_dir, capsys,
                                                                                          monkeypatch):
    """Tester6 G18: at 80 columns the id kept 40 cells while state read `finis…` and step `300/…`,
    and time and tags were gone. Now device, kind and the id give way; the name is shown."""
    import json
    import time

    from aigc_tui.runs import RunState
    from aigc_tui.runs.notes import write_notes

    runs = []
    for name, unit, device in (("g1", "images/s", "cpu (fp32)"),
                               ("bert-classify-docstrings", "examples/s", "cuda:0 (NVIDIA H200, bf16)")):
        run = create_run(runs_dir, f'kind = "gan"\nname = "{name}"\n[run]\nsteps = 300\nkeep_best = "loss_g"\n', name)
        status = RunStatus.read(run.path)
        status.state, status.step, status.total_steps, status.device = RunState.FINISHED, 300, 300, device
        status.throughput, status.throughput_unit = 287.0, unit
        status.started_at = status.resumed_at = time.time() - 92
        status.ended_at = status.started_at + 92
        status.write(run.path)
        write_notes(run.path, ["best"])
        checkpoint = run.path / "checkpoints" / "step-00000300"
        checkpoint.mkdir(parents=True)
        (checkpoint / "meta.json").write_text(json.dumps({"step": 300, "kind": "gan", "metrics": {"loss_g": 0.91234}}))
        runs.append(run)
    header, *rows = _terminal_listing(runs_dir, capsys, monkeypatch, 80)
    assert header == ["name", "state", "step", "best", "speed", "time", "tags"]
    assert [row[0] for row in rows] == ["g1", "bert-classify-docstrings"]  # whole names here
    for row in rows:
        assert row[1:4] == ["finished", "300/300", "0.9123"] and row[-2:] == ["1m32s", "#best"]
    header, *rows = _terminal_listing(runs_dir, capsys, monkeypatch, 200)  # wide: every column, whole ids
    assert header == ["name", "kind", "state", "step", "best", "speed", "time", "device", "tags", "id"]
    assert {row[-1] for row in rows} == {run.id for run in runs} and all("loss_g 0.9123" in " ".join(row) for row in rows)
    header, *rows = _terminal_listing(runs_dir, capsys, monkeypatch, 50)  # cramped: the name is cut, not the state
    assert header[:5] == ["name", "state", "step", "best", "time"]
    assert rows[0][0] == "g1" and rows[1][0].startswith("bert-c") and rows[1][0].endswith("…")
    assert all(row[1:4] == ["finished", "300/300", "0.9123"] and "1m32s" in row for row in rows)


def test_a_killed_sessions_training_time_still_counts_after_a_resume(runs_dir):
    """Tester6 G23: after a few kill -9 rounds of 10-15 s each a run showed 45s in total: a
    session that never wrote its end (lost) added nothing when the run was resumed."""
    import os
    import socket
    import subprocess
    import sys
    import time

    from aigc_tui.runs import RunState
    from aigc_tui.runs.status import mark_queued
    from aigc_tui.runs.summary import run_row

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a worker pid that no longer exists: killed
    run = create_run(runs_dir, 'kind = "gan"\nname = "killed"\n[run]\nsteps = 500\n', "killed")
    status = RunStatus.read(run.path)
    status.state, status.step, status.total_steps = RunState.RUNNING, 100, 500
    status.pid, status.host = gone.pid, socket.gethostname()
    status.started_at = status.resumed_at = time.time() - 30  # trained 30 s, its last status write now
    status.write(run.path)
    assert RunStatus.read(run.path).state is RunState.LOST
    mark_queued(run.path, os.getpid(), by_launcher=True)  # `aigc-tui resume`
    assert abs(run_row(run).elapsed(time.time() + 999) - 30) < 2  # the killed session's 30 s kept


def test_same_named_runs_are_told_apart_by_their_ids_tail_at_every_width(runs_dir, capsys, monkeypatch):
    """tester8 I7: at 80 columns (no id column) two `mlp-gan-digits` runs read as twins; the app shows
    `name ~47a9` and so does `aigc-tui runs` now, the tail kept whole when the name is cut."""
    long = "a-long-recipe-name"  # an id is at most 40 characters
    for name, run_id in (("mlp-gan-digits", "20261207-055811-mlp-gan-digits-47a9"),
                         ("mlp-gan-digits", "20261207-060102-mlp-gan-digits-0b3c"),
                         (long, f"20261207-060200-{long}-0001"), (long, f"20261207-060300-{long}-0002"),
                         ("solo", None)):
        create_run(runs_dir, f'kind = "gan"\nname = "{name}"\n', name, run_id=run_id)
    _, *rows = _terminal_listing(runs_dir, capsys, monkeypatch, 80)
    assert [row[:2] for row in rows[:4]] == [["mlp-gan-digits", "~47a9"], ["mlp-gan-digits", "~0b3c"],
                                             [long, "~0001"], [long, "~0002"]], rows
    assert rows[4][:2] == ["solo", "queued"]  # a name no other run has stays as it is
    _, *rows = _terminal_listing(runs_dir, capsys, monkeypatch, 50)  # names cut, tails whole
    assert [row[:2] for row in rows[:4]] == [["mlp-gan-dig…", "~47a9"], ["mlp-gan-dig…", "~0b3c"],
                                             ["a-long-reci…", "~0001"], ["a-long-reci…", "~0002"]], rows
