"""The run-directory contract: pure Python, imports neither torch nor textual.

A run is `<root>/<run-id>/` holding config.toml, status.json, metrics.jsonl, log.txt,
checkpoints/<name>/, samples/ and control/. Workers write it; the app and CLI read it.
"""

from aigc_tui.runs.checkpoints import CheckpointInfo, list_checkpoints
from aigc_tui.runs.control import ControlAction, request_control
from aigc_tui.runs.status import LIVE_STATES, RunState, RunStatus
from aigc_tui.runs.store import Run, RunNotFound, create_run, find_run, list_runs

__all__ = [
    "CheckpointInfo",
    "ControlAction",
    "MetricsReader",
    "MetricsWriter",
    "Run",
    "RunNotFound",
    "LIVE_STATES",
    "RunState",
    "RunStatus",
    "create_run",
    "find_run",
    "list_checkpoints",
    "list_runs",
    "request_control",
]


def __getattr__(name: str):  # numpy and msgspec load only when metrics are read or written
    if name in ("MetricsReader", "MetricsWriter"):
        from aigc_tui.runs import metrics

        return getattr(metrics, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
