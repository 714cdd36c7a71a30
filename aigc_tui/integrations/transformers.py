"""Hugging Face `Trainer` → the workbench: `Trainer(..., callbacks=[WorkbenchCallback()])`.

Every `on_log`/`on_evaluate` scalar goes to metrics.jsonl at the Trainer's global step, each
saved checkpoint is registered (so the Checkpoints pane lists it and Generate loads it), and
the app's requests map onto the Trainer's control flags: save → `should_save`; stop →
`should_save` and `should_training_stop`, so a stop from the app always leaves a checkpoint.
Works under `aigc-tui run -- python train.py` (joins that run) or alone (creates a run).
"""

from __future__ import annotations

import math
import os
from typing import Any

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR

from aigc_tui import track


def _scalars(values: dict[str, Any]) -> dict[str, float]:
    out = {}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        out[key] = float(value)
    return out


class WorkbenchCallback(TrainerCallback):
    """Track a Trainer's run in the workbench. `run`: an existing `track.Run` (default: init one)."""

    def __init__(self, run: track.Run | None = None, name: str | None = None) -> None:
        self.run = run
        self.name = name
        self.last_metrics: dict[str, float] = {}
        self._logged: tuple[int, set[str]] = (-1, set())

    def _ensure(self, args: TrainingArguments) -> track.Run:
        if self.run is None:
            name = self.name or os.path.basename(os.path.normpath(args.output_dir or "")) or None
            config = {k: v for k, v in args.to_dict().items() if isinstance(v, (int, float, str, bool))}
            self.run = track.init(name=name, config=config)
        return self.run

    def on_train_begin(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        run = self._ensure(args)
        if state.max_steps and state.max_steps > 0:
            run.total_steps = state.max_steps

    def _log(self, state: TrainerState, values: dict[str, Any]) -> None:
        if not state.is_world_process_zero or self.run is None:
            return
        scalars = _scalars(values)
        step, seen = self._logged
        if step != state.global_step:
            step, seen = state.global_step, set()
        fresh = {k: v for k, v in scalars.items() if k not in seen}  # on_evaluate repeats on_log's
        if fresh:
            self.run.log(fresh, step=state.global_step)
            self.last_metrics.update({k: v for k, v in fresh.items() if math.isfinite(v)})
        self._logged = (step, seen | set(fresh))

    def on_log(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
               logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._ensure(args)
        self._log(state, logs or {})

    def on_evaluate(self, args: TrainingArguments, state: TrainerState, control: TrainerControl,
                    metrics: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._ensure(args)
        self._log(state, metrics or {})

    def on_step_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        run = self._ensure(args)
        if run.should_save():
            control.should_save = True
        if run.should_stop():
            control.should_save = True  # a stop always leaves a checkpoint to resume or sample
            control.should_training_stop = True

    def on_save(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        if not state.is_world_process_zero or self.run is None:
            return
        folder = os.path.join(args.output_dir, f"{PREFIX_CHECKPOINT_DIR}-{state.global_step}")
        if os.path.isdir(folder):
            self.run.checkpoint(folder, state.global_step, dict(self.last_metrics))

    def on_train_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        if self.run is not None and state.is_world_process_zero:
            self.run.step = state.global_step  # the last step reaches status.json at exit
