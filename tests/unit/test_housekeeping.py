"""Delete, archive, tags and config diff: the module the app and the CLI share."""

from __future__ import annotations

import json
import os
import threading

import pytest

from aigc_tui.errors import AigcError, RunBusy, RunNotFound
from aigc_tui.runs import RunState, RunStatus, create_run, list_runs
from aigc_tui.runs.config_diff import diff_configs, diff_runs
from aigc_tui.runs.housekeeping import (
    archive_run,
    archived_runs,
    clean_tombstones,
    delete_run,
    find_archived,
    resolve_runs,
    unarchive_run,
)
from aigc_tui.runs.layout import NOTES_FILE
from aigc_tui.runs.lock import RunLock
from aigc_tui.runs.notes import change_tags, parse_tag_changes, read_notes, write_notes
from aigc_tui.runs.status import mark_queued
from aigc_tui.runs.summary import run_row


def _run(root, name, state="finished", config=""):
    run = create_run(root, f'kind = "gan"\nname = "{name}"\n{config}', name, run_id=name)
    status = RunStatus.read(run.path)
    status.state, status.started_at, status.ended_at = RunState(state), 1000.0, 1130.0
    if state in ("running", "queued"):
        status.pid = os.getpid()
    status.write(run.path)
    return run


@pytest.mark.parametrize("state", ["running", "queued"])
def test_delete_and_archive_refuse_a_live_run_naming_it(runs_dir, state):
    run = _run(runs_dir, "live", state)
    for act in (lambda: delete_run(run), lambda: archive_run(run)):
        with pytest.raises(RunBusy, match=f"run live is {state} \\(pid {os.getpid()}\\)"):
            act()
    assert run.path.is_dir() and [r.id for r in list_runs(runs_dir)] == ["live"]


def test_delete_refuses_while_a_worker_holds_the_lock(runs_dir):
    run = _run(runs_dir, "ending")  # status already says finished, the worker is still exiting
    lock = RunLock.acquire(run.path)
    try:
        with pytest.raises(RunBusy, match="run ending has a live worker"):
            delete_run(run)
        assert (run.path / "config.toml").is_file()
    finally:
        lock.close()
    delete_run(run)
    assert not run.path.exists() and list_runs(runs_dir) == []


def test_a_worker_starting_during_a_delete_never_writes_into_a_half_deleted_run(runs_dir):
    """Either the delete wins (the directory is gone for good) or the starting worker does (the run is whole)."""
    for i in range(15):
        run = _run(runs_dir, f"race{i}")
        go = threading.Barrier(2)

        def start_worker(path=run.path, go=go):
            go.wait()
            try:
                lock = RunLock.acquire(path, ending_grace_s=0.0)
            except (RunBusy, RunNotFound):  # the delete holds the run, or already took it away
                return
            try:
                mark_queued(path, os.getpid())
            except OSError:
                pass  # the directory was renamed away under the lock: nothing written
            finally:
                lock.close()

        worker = threading.Thread(target=start_worker)
        worker.start()
        go.wait()
        try:
            delete_run(run)
            deleted = True
        except RunBusy:
            deleted = False
        worker.join()
        if deleted:
            assert not run.path.exists()
        else:
            assert (run.path / "config.toml").is_file() and (run.path / "status.json").is_file()
        assert not [p for p in runs_dir.iterdir() if p.name.startswith(".deleting-")]


def test_archive_hides_a_run_and_unarchive_restores_it_whole(runs_dir):
    run = _run(runs_dir, "old")
    write_notes(run.path, tags=["best"], note="kept for the paper")
    dest = archive_run(run)
    assert dest == runs_dir / ".archive" / "old" and not run.path.exists()
    assert list_runs(runs_dir) == [] and [r.id for r in archived_runs(runs_dir)] == ["old"]
    archived = find_archived(runs_dir, "old")
    assert run_row(archived).archived and run_row(archived).tags == ["best"]
    with pytest.raises(AigcError, match="already archived"):
        archive_run(archived)
    with pytest.raises(AigcError, match="run old is already archived"):
        resolve_runs(runs_dir, ["old"], archived=False)
    unarchive_run(archived)
    assert [r.id for r in list_runs(runs_dir)] == ["old"] and archived_runs(runs_dir) == []
    assert read_notes(run.path).note == "kept for the paper"
    assert run.config()["name"] == "old" and run.status().state is RunState.FINISHED


def test_one_unknown_run_changes_nothing(runs_dir):
    _run(runs_dir, "a")
    with pytest.raises(RunNotFound, match="no run 'nope'"):
        resolve_runs(runs_dir, ["a", "nope"])
    with pytest.raises(RunNotFound, match="no archived run 'a'"):
        resolve_runs(runs_dir, ["a"], archived=True)


def test_a_killed_delete_leaves_a_tombstone_the_next_one_removes_and_the_table_never_shows(runs_dir):
    run = _run(runs_dir, "a")
    tomb = runs_dir / ".deleting-a-123456"
    os.rename(run.path, tomb)
    assert list_runs(runs_dir) == []
    assert clean_tombstones(runs_dir) == [tomb.name] and not tomb.exists()


def test_tags_are_changed_atomically_and_both_of_two_writers_land(runs_dir):
    run = _run(runs_dir, "t")
    assert parse_tag_changes(["+best", "-old", "new"]) == (["best", "new"], ["old"])
    for bad in (["+"], ["-"], [""], ["a b"], ["x" * 40], []):
        with pytest.raises(AigcError):
            parse_tag_changes(bad)
    change_tags(run.path, ["old", "keep"], [])
    threads = [threading.Thread(target=change_tags, args=(run.path, [f"t{i}"], [])) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(read_notes(run.path).tags) == sorted(["old", "keep", *(f"t{i}" for i in range(8))])
    notes = change_tags(run.path, ["best"], ["old"])
    assert "old" not in notes.tags and notes.tags[-1] == "best"
    assert json.loads((run.path / NOTES_FILE).read_text())["tags"] == notes.tags
    assert not [p.name for p in run.path.iterdir() if p.name.endswith(".tmp")]
    (run.path / NOTES_FILE).write_text("{torn")
    assert read_notes(run.path).tags == []  # an unreadable file is no tags, never a crash


def test_config_diff_lists_dotted_keys_that_differ():
    a = {"name": "x", "train": {"lr_g": 2e-4, "betas": [0.5, 0.9]}, "model": {"arch": "mlp", "g_hidden": [64]}}
    b = {"name": "x", "train": {"lr_g": 1e-3, "betas": [0.5, 0.9], "ema": True}, "model": {"arch": "mlp"}}
    lines = [c.line() for c in diff_configs(a, b)]
    assert lines == ["model.g_hidden: [64] → (unset)", "train.ema: (unset) → true", "train.lr_g: 0.0002 → 0.001"]
    assert diff_configs(a, a) == []
    assert [c.key for c in diff_configs({"x": 1}, {"x": 1.0})] == ["x"]  # 1 and 1.0 are not the same TOML


def test_diff_runs_reads_their_configs(runs_dir):
    a = _run(runs_dir, "a", config="[train]\nlr_g = 0.1\n")
    b = _run(runs_dir, "b", config="[train]\nlr_g = 0.2\n")
    assert [c.line() for c in diff_runs(a, b)] == ['name: "a" → "b"', "train.lr_g: 0.1 → 0.2"]


def test_a_finished_run_shows_its_duration_not_its_age(runs_dir):
    row = run_row(_run(runs_dir, "done"))
    assert row.elapsed(now=99_999.0) == 130.0
    live = run_row(_run(runs_dir, "live", "running"))
    assert live.elapsed(now=1060.0) == 60.0


def test_a_run_named_by_its_path_is_archived_beside_it_and_a_clash_moves_nothing(tmp_path, runs_dir):
    elsewhere = _run(tmp_path / "other-root", "far")
    from aigc_tui.runs.housekeeping import find_any

    run = find_any(runs_dir, str(elsewhere.path))
    dest = archive_run(run)
    assert dest == tmp_path / "other-root" / ".archive" / "far" and not (runs_dir / ".archive").exists()
    _run(tmp_path / "other-root", "far")  # a new run took the id meanwhile
    with pytest.raises(AigcError, match="already exists"):
        unarchive_run(find_archived(tmp_path / "other-root", "far"))
    assert dest.is_dir() and (tmp_path / "other-root" / "far" / "config.toml").is_file()


def test_a_start_waiting_for_the_lock_while_the_run_is_archived_is_told_so(runs_dir):
    """`resume` raced `archive`: it waited on the lock archive held, got the lock of the moved
    file, and then failed with a bare 'No such file or directory' (tester4 E11)."""
    run = _run(runs_dir, "racing")  # finished: a start waits for an exiting worker's lock
    held = RunLock.acquire(run.path)
    outcome: list[object] = []

    def start() -> None:
        try:
            outcome.append(RunLock.acquire(run.path, ending_grace_s=60.0))
        except Exception as exc:  # noqa: BLE001 - the test looks at what it was
            outcome.append(exc)

    waiter = threading.Thread(target=start)
    waiter.start()
    lock_file = str(run.path / ".worker.lock")

    def opened() -> int:
        return sum(os.path.realpath(f"/proc/self/fd/{fd}") == lock_file for fd in os.listdir("/proc/self/fd"))

    while opened() < 2 and waiter.is_alive():  # the waiter has it open and waits (no fixed sleep)
        threading.Event().wait(0.01)
    archived = runs_dir / ".archive" / run.id
    archived.parent.mkdir()
    os.rename(run.path, archived)  # what archive does while it holds the lock
    held.close()
    waiter.join()
    (result,) = outcome
    assert isinstance(result, RunNotFound) and "was moved or deleted (archived?)" in str(result), result
