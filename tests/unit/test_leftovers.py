"""The worker's start-up cleanup removes what killed writers left, never a live writer's temp file."""

from __future__ import annotations

import os
import threading
import time

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
