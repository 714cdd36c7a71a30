"""The metrics reader's columnar storage and the sidecar cache, against the JSONL contract."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from aigc_tui.runs import MetricsReader, MetricsWriter, create_run
from aigc_tui.runs.sidecar import SIDECAR_DIR


@pytest.fixture
def run(runs_dir):
    return create_run(runs_dir, 'kind = "gan"\nname = "m"\n', "m")


def _jsonl(run):
    return run.path / "metrics.jsonl"


def _same(a: MetricsReader, b: MetricsReader) -> None:
    assert set(a.series) == set(b.series)
    for key in a.series:
        for field in ("steps", "times", "values"):
            x, y = getattr(a.series[key], field), getattr(b.series[key], field)
            assert np.array_equal(x, y, equal_nan=True), (key, field)


@pytest.mark.parametrize("sidecar", [True, False])
def test_rewinds_torn_lines_and_nan_read_the_same_with_or_without_the_cache(run, sidecar):
    writer = MetricsWriter(run.path, sidecar=sidecar)
    for step in range(1, 11):
        writer.write(step, {"loss": 1 / step, **({"val": step} if step % 5 == 0 else {})})
    writer.write(4, {"loss": float("nan")})  # resumed from step 3: 4..10 are gone
    writer.write(5, {"loss": float("inf"), "val": 0.5})
    writer.close()
    with open(_jsonl(run), "a") as f:
        f.write('not json\n{"step": true, "loss": 1}\n{"loss": 2}\n{"step": 6, "loss": 0.1, "odd": [1]}\n{"step": 7, "lo')
    reader = MetricsReader(run.path)
    reader.poll()
    loss = reader.series["loss"]
    assert loss.steps.tolist() == [1, 2, 3, 4, 5, 6]
    assert loss.values[:3].tolist() == [1.0, 0.5, 1 / 3]
    assert math.isnan(loss.values[3]) and loss.values[4] == math.inf and loss.values[5] == 0.1
    assert reader.series["val"].steps.tolist() == [5] and reader.series["val"].values.tolist() == [0.5]
    assert "odd" not in reader.series and reader.last["step"] == 6
    assert (run.path / SIDECAR_DIR).is_dir() == sidecar
    plain = MetricsReader(run.path)
    plain.poll()
    _same(reader, plain)


def test_a_snapshot_never_changes_under_the_ui(run):
    writer = MetricsWriter(run.path)
    for step in range(1, 4):
        writer.write(step, {"loss": float(step)})
    reader = MetricsReader(run.path)
    reader.poll()
    shown = reader.series["loss"]
    for step in range(4, 2000):  # appends and buffer growth
        writer.write(step, {"loss": float(step)})
    writer.write(2, {"loss": -1.0})  # and a rewind
    reader.poll()
    assert shown.steps.tolist() == [1, 2, 3] and shown.values.tolist() == [1.0, 2.0, 3.0]
    assert not shown.values.flags.writeable
    assert reader.series["loss"].steps.tolist() == [1, 2]


def test_only_wanted_metrics_load_and_asking_for_more_reloads(run):
    writer = MetricsWriter(run.path)
    for step in range(1, 6):
        writer.write(step, {"loss_d": 1.0, "loss_g": 2.0, "lr": 0.1})
    reader = MetricsReader(run.path, keys=["loss_d"])
    assert reader.poll() == 5
    assert set(reader.series) == {"loss_d"} and set(reader.keys) == {"loss_d", "loss_g", "lr"}
    reader.want(["lr"])
    writer.write(6, {"loss_d": 1.0, "loss_g": 2.0, "lr": 0.05})
    reader.poll()
    assert set(reader.series) == {"loss_d", "lr"}
    assert reader.series["lr"].values.tolist() == [0.1] * 5 + [0.05]


def test_a_killed_writer_is_repaired_and_the_cache_catches_up(run):
    writer = MetricsWriter(run.path)
    for step in range(1, 4):
        writer.write(step, {"loss": float(step)})
    writer.close()
    with open(_jsonl(run), "a") as f:  # killed after the JSONL line, before the cache, then mid-line
        f.write(json.dumps({"step": 4, "time": 1.0, "loss": 4.0}) + "\n" + '{"step": 5, "lo')
    with open(run.path / SIDECAR_DIR / "k0.bin", "ab") as f:
        f.write(b"\x01\x02\x03")  # a torn point
    reader = MetricsReader(run.path)
    reader.poll()
    assert reader.series["loss"].steps.tolist() == [1, 2, 3, 4]
    writer = MetricsWriter(run.path)  # the resumed worker
    writer.write(5, {"loss": 5.0})
    fresh = MetricsReader(run.path)
    fresh.poll()
    assert fresh.series["loss"].steps.tolist() == [1, 2, 3, 4, 5]
    assert fresh.series["loss"].values.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    lines = _jsonl(run).read_text().splitlines()
    assert json.loads(lines[-1])["step"] == 5  # the torn fragment did not swallow the new line
    reader.poll()
    _same(reader, fresh)


def test_an_old_run_without_the_cache_gets_one_on_resume(run):
    with open(_jsonl(run), "w") as f:
        for step in range(1, 101):
            f.write(json.dumps({"step": step, "time": step, "loss": 1 / step}) + "\n")
    before = MetricsReader(run.path)
    before.poll()
    MetricsWriter(run.path).close()
    assert (run.path / SIDECAR_DIR / "lines.bin").stat().st_size == 100 * 24
    after = MetricsReader(run.path)
    after.poll()
    assert after.offset == _jsonl(run).stat().st_size
    _same(before, after)
