"""The worker's start-up cleanup removes what killed writers left, never a live writer's temp file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import tomli_w
from helpers import TINY_GAN, cli_env

from aigc_tui.cli import main
from aigc_tui.runs import RunState, create_run, list_runs
from aigc_tui.runs.layout import CREATING_PREFIX
from aigc_tui.runs.leftovers import clean_leftovers
from aigc_tui.runs.notes import notes_lock
from aigc_tui.runs.status import status_lock


def test_a_status_write_in_flight_survives_the_cleanup_and_lands(tmp_path):
    """The launcher writes status.json right after it starts the worker; the worker's cleanup
    deleted the launcher's temp file under it (`FileNotFoundError` from Start while the run trained)."""
    run = tmp_path
    (run / "status.json").write_text('{"state": "queued"}')
    in_flight = run / ".status.json.abc123.tmp"
    cleaned: list[str] = []
    with status_lock(run):  # as update_status holds it between the temp file and the rename
        in_flight.write_text('{"state": "queued", "pid": 1}')
        cleaner = threading.Thread(target=lambda: cleaned.extend(clean_leftovers(run)))
        cleaner.start()
        cleaner.join(0.5)
        assert in_flight.exists()
        os.replace(in_flight, run / "status.json")  # the launcher's write lands
    cleaner.join(10)
    assert not cleaner.is_alive()
    assert '"pid": 1' in (run / "status.json").read_text()
    assert cleaned == []


def test_a_notes_write_in_flight_survives_too(tmp_path):
    run = tmp_path
    in_flight = run / ".notes.json.x.tmp"
    with notes_lock(run):
        in_flight.write_text("{}")
        cleaner = threading.Thread(target=clean_leftovers, args=(run,))
        cleaner.start()
        cleaner.join(0.5)
        assert in_flight.exists()
        os.replace(in_flight, run / "notes.json")
    cleaner.join(10)
    assert (run / "notes.json").read_text() == "{}"


def test_killed_writers_leftovers_go_and_a_fresh_control_request_stays(tmp_path):
    run = tmp_path
    for sub in ("checkpoints", "control"):
        (run / sub).mkdir()
    dead = [run / ".status.json.dead.tmp", run / ".notes.json.dead.tmp", run / ".config.toml.dead.tmp",
            run / "checkpoints" / ".step-00000010.tmp", run / "control" / ".old-stop.json.x.tmp"]
    for path in dead:
        path.write_text("half")
    hour_ago = time.time() - 3600
    os.utime(run / "control" / ".old-stop.json.x.tmp", (hour_ago, hour_ago))
    fresh = run / "control" / ".1.0-stop-ab12.json.y.tmp"  # the app dropping a request right now
    fresh.write_text("{}")
    cleaned = clean_leftovers(run)
    assert not any(p.exists() for p in dead)
    assert fresh.exists()
    assert sorted(cleaned) == sorted(str(p.relative_to(run)) for p in dead)


def _age(path: Path, seconds: float = 3600.0) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_launcher_killed_while_creating_a_run_leaves_no_run_holding_the_name(tmp_path):
    """tester6 F17a: kill -9 mid-create left `exp-1/` with a config and no status: invisible in
    `aigc-tui runs`, yet `--run-id exp-1` then failed with "File exists". Now the name stays free
    and the next creation sweeps the cut-off build once its creator is surely gone."""
    root = tmp_path / "runs"
    killed = subprocess.run([sys.executable, "-c", (
        "import os, signal, sys; from aigc_tui.runs import store;"
        "store.RunStatus.write = lambda *a: os.kill(os.getpid(), signal.SIGKILL);"  # killed before status.json
        f"store.create_run({str(root)!r}, 'kind = \"gan\"', 'exp', run_id='exp-1')")],
        env=cli_env(), capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert list_runs(root) == [] and not (root / "exp-1").exists()
    run = create_run(root, 'kind = "gan"\nname = "exp"\n', "exp", run_id="exp-1")
    assert [r.id for r in list_runs(root)] == ["exp-1"] and run.status().state is RunState.QUEUED
    [build] = [p for p in root.iterdir() if p.name.startswith(CREATING_PREFIX)]  # too young to judge: kept
    _age(build)
    create_run(root, 'kind = "gan"\nname = "exp"\n', "exp")
    assert not build.exists()


def test_an_old_half_made_run_folder_is_swept_but_a_folder_of_yours_is_named(tmp_path, capsys):
    """Folders an older version left half-made (no status.json, only what creation writes) go once
    old; anything else under that name is left and named in one line."""
    root = tmp_path / "runs"
    for name in ("exp-2", "exp-3"):  # cut off after the config's temp file
        for sub in ("checkpoints", "samples", "control"):
            (root / name / sub).mkdir(parents=True)
        (root / name / ".config.toml.x1y2.tmp").write_text('kind = "gan"')
    (root / "mine" / "checkpoints").mkdir(parents=True)
    (root / "mine" / "notes.txt").write_text("my own notes")
    for name in ("exp-2", "mine"):
        _age(root / name)
    assert create_run(root, 'kind = "gan"\nname = "exp"\n', "exp", run_id="exp-2").status().state is RunState.QUEUED
    assert (root / "exp-3").is_dir() and (root / "mine" / "notes.txt").is_file()  # too young; not a leftover
    recipe = tmp_path / "gan.toml"
    recipe.write_text(tomli_w.dumps(TINY_GAN))
    assert main(["train", str(recipe), "--run-id", "mine", "--runs-dir", str(root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: cannot create run mine: {root / 'mine'} already exists and is not a run "
                   "(give another --run-id, or move that folder away)"]
    assert (root / "mine" / "notes.txt").is_file()
