"""One row per run, as `aigc-tui runs` and the app's runs table show it."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from aigc_tui.runs.layout import ARCHIVE_DIR
from aigc_tui.runs.notes import read_notes
from aigc_tui.runs.script import script_command
from aigc_tui.runs.status import RunState, RunStatus, elsewhere, supervisor_gone
from aigc_tui.runs.store import Run

PRIMARY_SERIES = {"gan": ("loss_d", "loss_g"), "lm": ("loss", "val_loss")}


def plotted_series(kind: str, available: Iterable[str]) -> tuple[str, ...]:
    """The metrics a loss plot shows: the recipe's losses, or for a script run whatever it
    logged with "loss" in the name (else its first two metrics)."""
    if kind in PRIMARY_SERIES:
        return PRIMARY_SERIES[kind]
    names = list(available)
    losses = [n for n in names if "loss" in n.lower() and not n.startswith("train_")]
    return tuple(losses[:4] or names[:2])


@dataclass
class RunRow:
    id: str
    name: str
    kind: str
    state: str
    step: int
    total: int
    device: str
    path: str
    throughput: float | None
    throughput_unit: str
    eta_seconds: float | None
    started_at: float | None
    error: str | None
    command: str = ""  # a script run's command line
    queue_position: int | None = None  # while queued for devices: 1 = next in line
    waiting_for: str = ""
    starting: bool = False  # out of the queue, its worker starting up (the state is still queued)
    sweep: str = ""  # the sweep group, when the run is part of one
    world_size: int = 1
    ended_at: float | None = None  # when an ended run ended (a lost one: its last status write)
    tags: list[str] = field(default_factory=list)  # the user's (notes.json)
    note: str = ""
    archived: bool = False
    resumed_at: float | None = None  # this worker session's start
    earlier_s: float = 0.0  # training time of earlier sessions
    elsewhere: str = ""  # a live run's worker host when it is not this one (its liveness cannot be checked)
    unsupervised: bool = False  # a script run whose supervisor died while its command runs on

    def elapsed(self, now: float) -> float | None:
        """Seconds trained: this session's start → now while live, → its end once ended (it stops
        counting), plus the earlier sessions of a resumed run (the pauses between are not counted)."""
        start = self.resumed_at or (self.started_at if not self.earlier_s else None)
        if not start:  # not training now: what earlier sessions trained (a queued new run: nothing yet)
            return self.earlier_s or None
        end = now if self.state in ("queued", "running") and not self.elsewhere else (self.ended_at or now)
        return self.earlier_s + max(0.0, end - start)

    @property
    def speed_text(self) -> str:
        """The speed: live while running, the last one measured (its final speed) once ended."""
        return f"{self.throughput:,.0f} {self.throughput_unit}" if self.throughput else "-"

    @property
    def state_text(self) -> str:
        """`queued #2` while waiting in the device queue, `starting` once out of it, else the state."""
        if self.state == "queued" and self.queue_position:
            return f"queued #{self.queue_position}"
        if self.state == "queued" and self.starting:
            return "starting"
        if self.elsewhere:
            return f"{self.state}@{self.elsewhere}?"  # as its host last wrote; not checkable from here
        if self.unsupervised:
            return f"{self.state} (unsupervised)"
        return self.state

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "state_text": self.state_text}

    @property
    def progress(self) -> str:
        """`step/total`, or the step alone when the total is unknown (a script run)."""
        return f"{self.step}/{self.total}" if self.total else str(self.step)


def run_row(run: Run, config: dict | None = None) -> RunRow:
    """A run's row; pass `config` when the caller caches it (it never changes after creation)."""
    status = run.status()
    config = run.config() if config is None else config
    notes = read_notes(run.path)
    return RunRow(
        id=run.id,
        name=str(config.get("name", run.id)),
        kind=str(config.get("kind", "?")),
        state=status.state.value,
        step=status.step,
        total=status.total_steps or int(config.get("run", {}).get("steps", 0)),
        device=status.device,
        path=str(run.path),
        throughput=status.throughput,
        throughput_unit=status.throughput_unit,
        eta_seconds=eta_seconds(status, time.time()),
        started_at=status.started_at,
        error=status.error,
        command=script_command(config),
        queue_position=status.queue_position if status.state.value == "queued" else None,
        waiting_for=status.waiting_for if status.state.value == "queued" else "",
        starting=status.starting and status.state.value == "queued",
        sweep=str(config.get("run", {}).get("sweep", "")),
        world_size=status.world_size,
        # a live run on another host counts its time up to its last update, not on and on
        ended_at=(status.updated_at if elsewhere(status) else None) if status.state.is_live
        else (status.ended_at or status.updated_at),
        tags=notes.tags,
        note=notes.note,
        archived=run.path.parent.name == ARCHIVE_DIR,
        resumed_at=status.resumed_at,
        earlier_s=status.earlier_s,
        elsewhere=status.host if elsewhere(status) else "",
        unsupervised=supervisor_gone(status),
    )


def eta_seconds(status: RunStatus, now: float) -> float | None:
    """Time left at the pace of this worker session: its time over the steps it has done.

    A resume or a keep-step fork starts past step 0 (a fork at 60 showed "eta 0s", a run
    resumed after a pause counted the pause); until its first step there is no pace, so no
    ETA. Status files from before `resumed_step` keep the old whole-run estimate.
    """
    if status.state is not RunState.RUNNING or not status.total_steps:
        return None
    if status.resumed_step is not None and status.resumed_at:
        start, done = status.resumed_at, status.step - status.resumed_step
    else:
        start, done = status.started_at, status.step
    if not start or done <= 0:
        return None
    return max(0.0, now - start) / done * max(0, status.total_steps - status.step)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"
