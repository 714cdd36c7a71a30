"""The device queue: lock files a worker holds for its life, first come first served, no daemon."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from helpers import cli_env

from aigc_tui.errors import DeviceError
from aigc_tui.runs.queue import (
    QUEUE_DIR,
    DeviceRequest,
    QueueCancelled,
    holders,
    request_for,
    try_acquire,
    wait_for_devices,
)

FOUR = [0, 1, 2, 3]


def test_explicit_gpus_conflict_and_any_takes_the_first_free(tmp_path):
    first = try_acquire(tmp_path, request_for("0,1", available=FOUR), "run-a")
    assert first is not None and first.devices == [0, 1]
    assert try_acquire(tmp_path, request_for("1", available=FOUR), "run-b") is None
    any_two = try_acquire(tmp_path, request_for("any:2", available=FOUR), "run-c")
    assert any_two is not None and any_two.devices == [2, 3]
    assert holders(tmp_path) == {0: "run-a", 1: "run-a", 2: "run-c", 3: "run-c"}
    assert try_acquire(tmp_path, request_for("all", available=FOUR), "run-d") is None
    first.release()
    again = try_acquire(tmp_path, request_for("any:1", available=FOUR), "run-e")
    assert again is not None and again.devices == [0]


@pytest.mark.parametrize("gpus, problem", [
    ("0,0", "names a GPU twice"), ("7", "no GPU 7"), ("any:5", "only 4 GPU"),
])
def test_impossible_requests_are_refused_up_front(gpus, problem):
    with pytest.raises(DeviceError, match=problem):
        request_for(gpus, available=FOUR)


def test_no_gpu_machine_refuses_gpu_requests_and_cpu_slots_need_no_gpu():
    with pytest.raises(DeviceError, match="no GPU"):
        request_for("all", available=[])
    assert request_for("", nproc=2, slots=3) == DeviceRequest("cpu", (0, 1, 2), 2)
    assert request_for("", slots=0) is None


def test_a_killed_holder_frees_its_devices(tmp_path):
    code = (
        "import sys, time; from aigc_tui.runs.queue import request_for, try_acquire;"
        f"l = try_acquire({str(tmp_path)!r}, request_for('', slots=1), 'victim'); print('held', flush=True);"
        "time.sleep(600)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=cli_env())
    try:
        assert proc.stdout.readline().strip() == "held"
        assert try_acquire(tmp_path, request_for("", slots=1), "me") is None
    finally:
        proc.kill()
        proc.wait()
    assert try_acquire(tmp_path, request_for("", slots=1), "me") is not None


def _waiter(root, name, positions, leases):
    lease = wait_for_devices(root, name, request_for("", slots=1), positions.append, poll=0.01)
    leases[name] = lease


def test_waiters_get_the_slot_in_order_and_report_their_position(tmp_path):
    holder = try_acquire(tmp_path, request_for("", slots=1), "first")
    pos_b, pos_c, leases = [], [], {}
    b = threading.Thread(target=_waiter, args=(tmp_path, "b", pos_b, leases))
    b.start()
    while not pos_b:
        time.sleep(0.01)
    c = threading.Thread(target=_waiter, args=(tmp_path, "c", pos_c, leases))
    c.start()
    while not pos_c:
        time.sleep(0.01)
    assert pos_b == [1] and pos_c == [2]
    holder.release()
    b.join()
    assert "b" in leases and "c" not in leases
    while pos_c[-1] != 1:
        time.sleep(0.01)
    leases["b"].release()
    c.join()
    assert leases["c"].devices == [0]
    assert not list((tmp_path / QUEUE_DIR).glob("*.json"))  # tickets are gone once served


def test_a_cancelled_waiter_leaves_the_queue(tmp_path):
    holder = try_acquire(tmp_path, request_for("", slots=1), "first")
    seen: list[int] = []
    with pytest.raises(QueueCancelled, match="stopped while queued"):
        wait_for_devices(tmp_path, "w", request_for("", slots=1), seen.append, cancelled=lambda: bool(seen), poll=0.01)
    assert not list((tmp_path / QUEUE_DIR).glob("*.json"))
    holder.release()


def test_a_run_the_queue_lets_go_reads_starting_not_its_old_position(tmp_path):
    """tester6 F17c: once its slot frees, the worker starts up (imports, data) before it trains, and
    all that time the runs table said `queued #1`. It reads `starting` until the trainer writes running."""
    import os

    from helpers import TINY_GAN, merge

    from aigc_tui.config import dump_toml, validate
    from aigc_tui.runs import ControlAction, create_run, request_control
    from aigc_tui.runs.status import mark_queued
    from aigc_tui.runs.summary import run_row
    from aigc_tui.train.agent import acquire_devices

    config = validate(merge(TINY_GAN, run={"slots": 1}))
    run = create_run(tmp_path, dump_toml(config), config.name)
    mark_queued(run.path, os.getpid())  # this process stands in for the run's worker
    holder = try_acquire(tmp_path, request_for("", slots=1), "another-run")
    shown: list[str] = []

    def free_the_slot_once_it_waits() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and run_row(run).state_text != "queued #1":
            time.sleep(0.02)
        shown.append(run_row(run).state_text)
        if shown[-1] != "queued #1":
            request_control(run.path, ControlAction.STOP)  # the wait ends (cancelled) instead of hanging
        holder.release()

    thread = threading.Thread(target=free_the_slot_once_it_waits)
    thread.start()
    try:
        lease = acquire_devices(run, config, lambda _message: None, node_rank=0)
    finally:
        thread.join()
    assert shown == ["queued #1"]
    row = run_row(run)
    assert (row.state, row.state_text, row.queue_position) == ("queued", "starting", None)
    assert row.to_json()["state_text"] == "starting"  # `aigc-tui runs --json` says so too
    lease.release()
