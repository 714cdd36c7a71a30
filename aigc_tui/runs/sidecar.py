"""metrics.cols/: a binary, columnar copy of metrics.jsonl that loads a million lines in ms.

The JSONL stays the contract; this folder is a cache the worker appends beside it:

    lines.bin   per line: end byte offset in metrics.jsonl (int64), step (int64), time (f64)
    keys.jsonl  metric names, one JSON string a line; a name's line number is its id
    k<id>.bin   per point of that metric: line number (int64), value (f64; NaN/inf as is)

Points are written before their line's record in lines.bin, which commits them; readers
take what lines.bin covers and read the JSONL after its last offset. Writers repair a torn
tail (and rebuild from the JSONL whatever the cache lacks) when they open.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from aigc_tui.runs.columns import Batch, batch_from_records
from aigc_tui.runs.jsonl import parse_lines
from aigc_tui.runs.layout import METRICS_COLUMNS_DIR as SIDECAR_DIR

LINE = np.dtype([("end", "<i8"), ("step", "<i8"), ("time", "<f8")])
POINT = np.dtype([("line", "<i8"), ("value", "<f8")])
REBUILD_CHUNK = 8 << 20


def _read_keys(folder: Path) -> list[str]:
    try:
        text = (folder / "keys.jsonl").read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return []
    keys = []
    for line in text.split("\n")[:-1]:  # a torn last name (no newline) is not a name yet
        try:
            keys.append(str(json.loads(line)))
        except json.JSONDecodeError:
            break
    return keys


def _read(path: Path, dtype: np.dtype) -> np.ndarray:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return np.zeros(0, dtype)
    return np.frombuffer(data, dtype, len(data) // dtype.itemsize)


def _covered(folder: Path, jsonl: Path) -> np.ndarray | None:
    """lines.bin if it is a valid prefix cache of the JSONL, else None."""
    lines = _read(folder / "lines.bin", LINE)
    if not len(lines):
        return None
    ends = lines["end"]
    try:
        size = jsonl.stat().st_size
        if (len(ends) > 1 and np.any(np.diff(ends) <= 0)) or ends[0] <= 0 or ends[-1] > size:
            return None
        with open(jsonl, "rb") as f:
            f.seek(int(ends[-1]) - 1)
            if f.read(1) != b"\n":
                return None
    except OSError:
        return None
    return lines


def read_sidecar(run_dir: Path, jsonl: Path, keys: frozenset[str] | None) -> tuple[Batch, int, list[str]] | None:
    """(every covered line with the wanted metrics, the JSONL offset covered, all names) or None."""
    folder = Path(run_dir) / SIDECAR_DIR
    lines = _covered(folder, jsonl)
    if lines is None:
        return None
    n, end = len(lines), int(lines["end"][-1])
    names = _read_keys(folder)
    batch = Batch(np.ascontiguousarray(lines["step"]), np.ascontiguousarray(lines["time"]))
    del lines
    for i, key in enumerate(names):
        if keys is not None and key not in keys:
            continue
        points = _read(folder / f"k{i}.bin", POINT)
        points = points[: int(np.searchsorted(points["line"], n))]  # uncommitted points stay out
        if len(points):
            batch.cols[key] = (np.ascontiguousarray(points["line"]), np.ascontiguousarray(points["value"]))
    return batch, end, names


class SidecarWriter:
    """Appends batches; `open` repairs a torn tail and catches up with the JSONL first."""

    def __init__(self, folder: Path, lines: int, keys: list[str]) -> None:
        self.folder = folder
        self.lines = lines
        self.ids = {k: i for i, k in enumerate(keys)}

    @classmethod
    def open(cls, run_dir: Path, jsonl: Path) -> SidecarWriter:
        folder = Path(run_dir) / SIDECAR_DIR
        lines = _covered(folder, jsonl)
        if lines is None:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            lines = np.zeros(0, LINE)
        n, keys = len(lines), _read_keys(folder)
        _truncate(folder / "lines.bin", n * LINE.itemsize)
        _truncate(folder / "keys.jsonl", sum(len(json.dumps(k).encode()) + 1 for k in keys))
        for path in folder.glob("k*.bin"):
            i = path.stem[1:]
            if not i.isdigit() or int(i) >= len(keys):
                path.unlink()
                continue
            points = _read(path, POINT)
            _truncate(path, int(np.searchsorted(points["line"], n)) * POINT.itemsize)
        writer = cls(folder, n, keys)
        writer._catch_up(jsonl, int(lines["end"][-1]) if n else 0)
        return writer

    def _catch_up(self, jsonl: Path, offset: int) -> None:
        """Add the JSONL lines after `offset` (a crash between the two writes, or an old run)."""
        with open(jsonl, "rb") as f:
            f.seek(offset)
            pending = b""
            while chunk := f.read(REBUILD_CHUNK):
                data = pending + chunk
                cut = data.rfind(b"\n") + 1
                pending = data[cut:]
                records, ends = parse_lines(data[:cut], offset)
                offset += cut
                if records:
                    self.append(batch_from_records(records, None), ends)

    def append(self, batch: Batch, ends: np.ndarray) -> None:
        """Write the points first, then the lines that commit them."""
        for key, (idx, values) in batch.cols.items():
            kid = self.ids.get(key)
            if kid is None:
                kid = self.ids[key] = len(self.ids)
                _append(self.folder / "keys.jsonl", (json.dumps(key) + "\n").encode())
            points = np.empty(len(idx), POINT)
            points["line"], points["value"] = idx + self.lines, values
            _append(self.folder / f"k{kid}.bin", points.tobytes())
        rows = np.empty(len(batch), LINE)
        rows["end"], rows["step"], rows["time"] = ends, batch.steps, batch.times
        _append(self.folder / "lines.bin", rows.tobytes())
        self.lines += len(batch)


def _append(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def _truncate(path: Path, size: int) -> None:
    try:
        if path.stat().st_size > size:
            os.truncate(path, size)
    except FileNotFoundError:
        pass
