"""What the Generate pane offers: the checkpoints to pick from, the sampling fields.

Pure helpers (no widgets), so the pane keeps to its job: wiring them to the helper process.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aigc_tui.errors import AigcError
from aigc_tui.runs import list_runs
from aigc_tui.runs.store import find_checkpoint
from aigc_tui.ui.rundata import id_tails

SHORT = {"max_new_tokens": "max", "temperature": "temp", "top_k": "top-k", "top_p": "top-p",
         "repetition_penalty": "rep", "num_samples": "n"}
PARAMS = [("max_new_tokens", "200", int), ("temperature", "0.8", float), ("top_k", "50", int),
          ("top_p", "1.0", float), ("repetition_penalty", "1.0", float), ("seed", "0", int),
          ("num_samples", "1", int)]
STEP_NAME = re.compile(r"step-\d+")  # a checkpoint named by its step: shown as RUN@STEP
KIND_SUFFIX = re.compile(r" \([a-z]+\)$")  # model_label's ` (lm)`
ENCODER_KINDS = ("mlm", "classify")  # tried in the encoder view, not by generating text
GENERATE_KINDS = ("lm", "gan", *ENCODER_KINDS, "")  # what Generate loads ("": an unmarked LM); not a script's files


def can_generate(kind: str) -> bool:
    return kind in GENERATE_KINDS


def model_choices(runs_dir: Path) -> list[tuple[str, str, str]]:
    """(label, path, kind) for every checkpoint Generate can load, newest run first, newest checkpoint first."""
    found = [(run.id, run.name, [c for c in reversed(run.checkpoints()) if can_generate(c.kind)])
             for run in reversed(list_runs(runs_dir))]
    tails = id_tails({run_id: name for run_id, name, ckpts in found if ckpts})  # same-named runs told apart
    return [(model_label(name + tails[run_id], c.name, c.step, c.kind), str(c.path), c.kind)
            for run_id, name, ckpts in found for c in ckpts]


def listed_checkpoint(runs_dir: Path, typed: str, listed: list[str]) -> str | None:
    """The listed checkpoint a run or checkpoint typed into the model field names (`g1`, `g1@300`, a
    run or checkpoint directory), so it opens as the picked one does: a GAN run draws its grid
    rather than be refused as no language model (tester8 I11). None: not one of ours (an HF id)."""
    if not typed or typed in listed:
        return None
    try:
        path = find_checkpoint(runs_dir, typed).path.resolve()
    except (AigcError, OSError, ValueError):
        return None
    return next((p for p in listed if Path(p).resolve() == path), None)


def model_label(run: str, checkpoint: str, step: int, kind: str) -> str:
    """`tester-fg@60 (lm)`: short enough that the step still shows in an 80-column picker
    (`tester-fg / step-00000060 (lm)` lost the checkpoint); other checkpoint names as they are."""
    where = step if STEP_NAME.fullmatch(checkpoint) and int(checkpoint[5:]) == step else checkpoint
    return f"{run}@{where} ({kind})" if kind else f"{run}@{where}"


def side_name(ref: str, labels: dict[str, str]) -> str:
    """What heads one side of *vs*: the picker's label without its kind (`acc8-lm@200`), so two
    checkpoints of one run read apart (accept8 J5); a model dir typed by its folder (a checkpoint
    folder as RUN@CHECKPOINT), an HF id as typed."""
    if ref in labels:
        return KIND_SUFFIX.sub("", labels[ref])
    path = Path(ref).expanduser()
    if not path.is_dir():
        return ref
    return f"{path.parent.parent.name}@{path.name}" if path.parent.name == "checkpoints" else path.name


def picked(choices: list[tuple[str, str, str]], current: str | None, wanted: str | None,
           lm_only: bool) -> tuple[list[tuple[str, str]], str | None]:
    """A model picker's options and its value: the checkpoint asked for (`g`), else the one on show,
    else the newest of its run when it is gone, else, for the main picker with nothing chosen yet,
    the newest LM checkpoint."""
    options = [(label, path) for label, path, kind in choices if not lm_only or kind == "lm"]
    listed = {path for _, path in options}
    for value in (wanted, current):
        if value in listed:
            return options, value
    if current is not None and Path(current).parent.name == "checkpoints":  # gone (pruned by its live run)
        run = Path(current).parent.parent  # its run's newest instead, as ctrl+g would use (tester7 H10)
        same = next((path for _, path in options if Path(path).parent.parent == run), None)
        if same is not None:
            return options, same
    if current is None and not lm_only:
        return options, next((path for _, path, kind in choices if kind == "lm"), None)
    return options, None


def read_params(fields: dict[str, str]) -> dict[str, Any] | str:
    """The sampling fields' text as numbers, or one line naming the first that is not one (as typed)."""
    params: dict[str, Any] = {}
    for name, _, kind in PARAMS:
        raw = fields[name].strip()
        try:
            params[name] = kind(raw)
        except ValueError:
            return f"{name} = {raw!r}: not {'a whole number' if kind is int else 'a number'}"
    return params
