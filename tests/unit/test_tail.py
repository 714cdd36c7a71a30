"""The metrics tail reads on its own thread: watching a run costs the UI no file I/O."""

from __future__ import annotations

import threading

from aigc_tui.runs import MetricsWriter, create_run
from aigc_tui.ui.messages import MetricsAppended
from aigc_tui.ui.tail import MetricsTail


def test_the_tail_thread_reads_a_watched_run_and_keeps_tailing(runs_dir):
    run = create_run(runs_dir, 'kind = "gan"\n', "t")
    writer = MetricsWriter(run.path)
    for step in range(1, 1001):
        writer.write(step, {"loss": 1.0 / step})
    got = threading.Event()
    posted: list[MetricsAppended] = []
    tail = MetricsTail(lambda m: (posted.append(m), got.set()))
    tail.start()
    try:
        reader = tail.watch(run.id, run.path)
        assert got.wait(5), "the tail thread never read the run"
        assert posted[0].run_id == run.id
        assert reader.series["loss"].steps[-1] == 1000  # the same reader the caller holds
        got.clear()
        writer.write(1001, {"loss": 0.0})
        assert got.wait(5) and reader.series["loss"].steps[-1] == 1001  # and it keeps tailing
    finally:
        tail.stop()


def test_a_run_known_not_live_is_read_rarely_until_it_turns_live(runs_dir, monkeypatch):
    """A finished run's file does not grow: polling it twice a second was a steady cost of the idle app."""
    from aigc_tui.ui import tail as tail_module

    monkeypatch.setattr(tail_module, "IDLE_SECONDS", 60.0)
    run = create_run(runs_dir, 'kind = "gan"\n', "t")
    writer = MetricsWriter(run.path)
    writer.write(1, {"loss": 1.0})
    got = threading.Event()
    tail = MetricsTail(lambda m: got.set())
    tail.set_idle([run.id])
    tail.start()
    try:
        reader = tail.watch(run.id, run.path)
        assert got.wait(5), "watching reads at once, idle or not"
        got.clear()
        writer.write(2, {"loss": 0.5})  # resumed elsewhere, say: the table has not seen it live yet
        assert not got.wait(1.5), "a run known not live was read again within the tail's live pace"
        assert reader.series["loss"].steps[-1] == 1
        tail.set_idle([])  # the table sees it live
        assert got.wait(10) and reader.series["loss"].steps[-1] == 2
    finally:
        tail.stop()
