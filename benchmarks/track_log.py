"""Per-call cost of `run.log()`: 100,000 points, one and five metrics, flushed per line.

    python benchmarks/track_log.py [N]

Prints microseconds per call for track's hand-formatted line and, for comparison, a bare
`json.dumps` line appended the same way, and the recipe workers' `MetricsWriter.write`
(strict JSON per line plus an append to the binary `metrics.cols/` cache, which it has done
since the metrics-at-scale change; it runs once per log interval, so its cost never mattered).
Nothing is asserted: numbers depend on the machine and the filesystem; the README quotes them.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path


def bench(label: str, call, n: int, rounds: int = 5) -> float:
    """Best of `rounds` batches (a shared machine's noise only ever adds time), and CPU time."""
    best, cpu_total, chunk = float("inf"), 0.0, n // rounds
    for r in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        for i in range(r * chunk, (r + 1) * chunk):
            call(i)
        best = min(best, (time.perf_counter() - start) / chunk)
        cpu_total += time.process_time() - cpu
    print(f"{label:<52} {best * 1e6:6.2f} µs/call (best), {cpu_total / (rounds * chunk) * 1e6:6.2f} µs CPU")
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory(prefix="track-bench-") as tmp:
        os.environ.pop("AIGC_TUI_RUN_DIR", None)
        from aigc_tui import track
        from aigc_tui.runs.metrics import MetricsWriter

        run = track.init(name="bench", runs_dir=tmp)
        one = bench("track run.log({'loss': x})", lambda i: run.log({"loss": 1.0 / (i + 1)}, step=i), n)
        five = {"loss": 0.5, "lr": 3e-4, "grad_norm": 1.25, "tokens_per_s": 91234.5, "val_loss": float("nan")}
        bench("track run.log(5 metrics)", lambda i: run.log(five, step=n + i), n)
        bench("track run.log(step=None)", lambda _: run.log({"loss": 0.25}), n)
        run.finish()
        fd = os.open(Path(tmp) / "bare.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND)

        def bare_line(i: int) -> None:
            os.write(fd, (json.dumps({"step": i, "time": round(time.time(), 3), "loss": 1.0 / (i + 1)}) + "\n").encode())

        bare = bench("json.dumps line, one os.write", bare_line, n)
        os.close(fd)
        writer = MetricsWriter(Path(tmp))
        base = bench("MetricsWriter.write({'loss': x}) (+ metrics.cols/)", lambda i: writer.write(i, {"loss": 1.0 / (i + 1)}), n)
        writer.close()
        print(f"track vs a json.dumps line: {bare / one:.2f}x faster; vs MetricsWriter.write: {base / one:.2f}x "
              f"({n:,} points, file {tmp})")


if __name__ == "__main__":
    main()
