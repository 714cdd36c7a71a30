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
