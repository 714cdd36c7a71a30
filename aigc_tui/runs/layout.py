"""The run-directory contract in one place: every file name, every path, and the resume rule.

A run is `<root>/<run-id>/`:

    config.toml        the resolved recipe, written once at creation
    status.json        state, pid, step, ... (atomic; `.status.lock` serialises writers)
    metrics.jsonl      one JSON object a line, append-only
    metrics.cols/      a columnar cache of metrics.jsonl the worker appends beside it (sidecar.py)
    log.txt            the worker's output
    checkpoints/step-00001000/   model.safetensors (GAN) or a save_pretrained directory (LM),
                       trainer_state.pt, meta.json, config.toml, sample.txt (LM)
    samples/step-00001000.png    (GAN grids) or .txt (LM text)
    control/<time>-<action>-<id>.json   requests the worker acts on and removes
    params.json        a script run's own config dict (`track.init(config=...)`)
    notes.json         the user's tags and note on the run (the app and `aigc-tui tag`/`note` write it)

Archived runs live in `<root>/.archive/<run-id>/`, whole; a run being deleted is first renamed
to `<root>/.deleting-<run-id>-<hex>` (runs/housekeeping.py), and a new run is built as
`<root>/.creating-<hex>` and renamed to its id complete. Names starting with a dot are never runs.

A script run (`aigc-tui run -- CMD`, or any script using `aigc_tui.track`) has `kind =
"script"` and a `[script]` table in config.toml; its registered checkpoints are
checkpoints/step-N/ holding meta.json (with `source`) and links to the script's files.

Pure Python: the worker, the CLI and the app all spell names through this module.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aigc_tui.errors import AigcError, RunBusy


def cli_ref(run_dir: Path | str) -> str:
    """A run as a hint's command names it: its id, plus `--runs-dir ROOT` when it is not under
    the default runs root, so the command a hint gives works as typed (tester7 H1)."""
    import shlex

    from aigc_tui.paths import runs_root

    run_dir = Path(run_dir)
    try:
        default = run_dir.parent.resolve() == runs_root().resolve()
    except (OSError, AigcError):
        default = False
    return run_dir.name if default else f"{run_dir.name} --runs-dir {shlex.quote(str(run_dir.parent))}"

if TYPE_CHECKING:
    from aigc_tui.runs.checkpoints import CheckpointInfo
    from aigc_tui.runs.store import Run

# --- the run directory ---------------------------------------------------------------------
CONFIG_FILE = "config.toml"
STATUS_FILE = "status.json"
STATUS_LOCK_FILE = ".status.lock"
METRICS_FILE = "metrics.jsonl"
NONFINITE_METRIC = "nonfinite"  # steps with a NaN/inf value in a metrics line: the plot draws them red
METRICS_COLUMNS_DIR = "metrics.cols"  # a cache; deleting it loses nothing (the JSONL is the contract)
LOG_FILE = "log.txt"
CONFUSION_FILE = "confusion.json"  # a classifier's newest dev confusion matrix (also in each checkpoint)
CHECKPOINTS_DIR = "checkpoints"
SAMPLES_DIR = "samples"
CONTROL_DIR = "control"
RUN_SUBDIRS = (CHECKPOINTS_DIR, SAMPLES_DIR, CONTROL_DIR)
NOTES_FILE = "notes.json"  # {"tags": [...], "note": "..."}: the user's, written atomically

# --- under the runs root ---------------------------------------------------------------------
ARCHIVE_DIR = ".archive"  # archived runs, moved here whole; `aigc-tui unarchive` moves them back
TOMBSTONE_PREFIX = ".deleting-"  # a run renamed aside while it is deleted
CREATING_PREFIX = ".creating-"  # a new run built here, then renamed to its id whole (runs/store.py)

# --- script runs -----------------------------------------------------------------------------
SCRIPT_KIND = "script"  # config.toml `kind` of a run of any command or tracked script
PARAMS_FILE = "params.json"  # the script's own config dict, from track.init(config=...)
STOP_POLLED_FILE = ".stop-polled"  # in control/: the script checks should_stop() itself
RUN_DIR_ENV = "AIGC_TUI_RUN_DIR"  # set by `aigc-tui run` for the command it starts
CHECKPOINT_SOURCE_KEY = "source"  # meta.json of a registered checkpoint: the script's directory

# --- inside a checkpoint directory ---------------------------------------------------------
WEIGHTS_FILE = "model.safetensors"  # a GAN's generator.* and discriminator.* in one file
TRAINER_STATE_FILE = "trainer_state.pt"  # optimizers, RNG, step: loaded with weights_only=True
META_FILE = "meta.json"  # step, time, kind, reason, metrics
CHECKPOINT_CONFIG_FILE = CONFIG_FILE  # the recipe the checkpoint was trained with
SAMPLE_TEXT_FILE = "sample.txt"  # an LM's fixed prompt continued at that step
HF_CONFIG_FILE = "config.json"  # marks a Hugging Face save_pretrained directory

# --- samples ---------------------------------------------------------------------------------
SAMPLE_IMAGE_SUFFIX = ".png"
SAMPLE_TEXT_SUFFIX = ".txt"
SAMPLE_SUFFIXES = (SAMPLE_IMAGE_SUFFIX, SAMPLE_TEXT_SUFFIX)

STEP_PREFIX = "step-"


def step_name(step: int) -> str:
    """`step-00001000`: the name of a checkpoint and the stem of a sample; sorts by step."""
    return f"{STEP_PREFIX}{int(step):08d}"


def parse_step_name(name: str) -> int | None:
    """The step a `step-N` name stands for, or None for any other name."""
    digits = name.removeprefix(STEP_PREFIX)
    if name == digits or len(digits) < 8 or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)


def checkpoint_dir(run_dir: Path, step: int) -> Path:
    return Path(run_dir) / CHECKPOINTS_DIR / step_name(step)


def sample_path(run_dir: Path, step: int, suffix: str) -> Path:
    """`samples/step-N.png` (GAN grid) or `.txt` (LM text)."""
    return Path(run_dir) / SAMPLES_DIR / f"{step_name(step)}{suffix}"


def checkpoint_matches(name: str, ref: str) -> bool:
    """Whether `ref` as a user types it (`step-00001000`, `1000`) names the checkpoint `name`."""
    if name == ref:
        return True
    digits = ref.removeprefix(STEP_PREFIX)
    return digits.isdigit() and name == step_name(int(digits))


def is_checkpoint_dir(path: Path) -> bool:
    return Path(path).is_dir() and (Path(path) / META_FILE).is_file()


def is_run_dir(path: Path) -> bool:
    return (Path(path) / STATUS_FILE).is_file()


def looks_like_run(path: Path) -> bool:
    """Whether a folder a user named by its path is a run this program wrote, not merely one
    holding a `status.json` (a web project, another tool's folder): a real, non-symlinked folder
    whose config.toml parses and whose status.json is a JSON object with a known `state`."""
    path = Path(path)
    if path.is_symlink() or not path.is_dir():
        return False
    try:
        tomllib.loads((path / CONFIG_FILE).read_text())
        status = json.loads((path / STATUS_FILE).read_text())
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    states = ("queued", "running", "finished", "failed", "stopped")
    return isinstance(status, dict) and status.get("state") in states


# --- the one resume rule ---------------------------------------------------------------------
@dataclass(frozen=True)
class ResumeVerdict:
    """Whether a run can resume, from which checkpoint, and (if not) why, in one line."""

    ok: bool
    reason: str = ""
    start: CheckpointInfo | None = None  # ok with no start: the run starts over (see `restart`)
    busy: bool = False  # refused because a worker is live (the CLI raises RunBusy for it)

    @property
    def restart(self) -> bool:
        """It ended before its first checkpoint: it starts over from its start (step 0, or a
        fork's parent weights) in the same run dir; the metrics reader shows the new curve."""
        return self.ok and self.start is None

    def __bool__(self) -> bool:
        return self.ok


def can_resume(run: Run, checkpoint: CheckpointInfo | None = None, steps: int | None = None) -> ResumeVerdict:
    """The rule the CLI (`resume`) and the app (Runs `r`, Checkpoints `r`) share.

    A script run never resumes here (its command owns its state). A run can resume when no worker is live, the start checkpoint (the one given, else the
    newest resumable) holds trainer state, and that checkpoint's step is below the run's
    total (`steps`, default the configured total): so a finished run resumes from an earlier
    checkpoint, and will resume from its last one once the total is raised.

    A run that ended (stopped, failed, lost) before its first checkpoint had nothing to keep:
    it restarts from its start with its own config.toml, as a resume from a checkpoint at step
    0 would (the steps it logs again replace the old ones on the plots, as after any resume).
    """
    from aigc_tui.runs import status as _status  # status.py imports this module

    status = run.status()
    name = run.name
    if run.kind == SCRIPT_KIND:
        return ResumeVerdict(False, f"run {name} is a script run; start its command again (`aigc-tui run -- ...`)"
                             " to continue")
    if status.state.is_live and status.pid is not None:  # queued, no pid: no worker ever claimed it; it starts over
        if _status.elsewhere(status):  # another host's worker: say where, and the way out (G27)
            return ResumeVerdict(False, f"run {name} is {status.state.value} ({_status.worker_words(status)}); "
                                        f"{_status.force_hint(run.path)}, then resume it", busy=True)
        return ResumeVerdict(False, f"run {name} is {status.state.value} (pid {status.pid}); stop it before resuming",
                             busy=True)
    if checkpoint is not None:
        if not checkpoint.resumable:
            return ResumeVerdict(False, f"checkpoint {checkpoint.name} holds weights only; it cannot resume training")
        start = checkpoint
    else:
        checkpoints = run.checkpoints()
        resumable = [c for c in checkpoints if c.resumable]  # as the worker picks its start
        if not checkpoints and status.state.value != "finished":
            return ResumeVerdict(True)  # ended before its first checkpoint: start it over (tester4 E15)
        if not resumable:
            return ResumeVerdict(False, f"run {name} has no checkpoint to resume from; start it over from its "
                                        f"recipe: aigc-tui train {run.config_path}")
        start = resumable[-1]
    total = steps if steps is not None else (status.total_steps or _configured_steps(run))
    if steps is not None and start.step >= steps:  # the total the user just asked for, not what it trained
        return ResumeVerdict(
            False,
            f"run {name} would resume at step {start.step} ({start.name}), but run.steps={steps} asks for "
            f"{steps} steps in all; give run.steps above {start.step}, or fork its checkpoint into a new run",
            start,
        )
    if total and start.step >= total:
        return ResumeVerdict(
            False,
            f"run {name} already trained all {total} steps at {start.name}; "
            f"extend it with `aigc-tui resume {cli_ref(run.path)} --set run.steps=N` (N > {start.step}), "
            "or fork its checkpoint into a new run",
            start,
        )
    return ResumeVerdict(True, "", start)


def require_resume(run: Run, checkpoint: CheckpointInfo | None = None,
                   steps: int | None = None) -> CheckpointInfo | None:
    """The checkpoint a resume starts from (None: it starts over, see `ResumeVerdict.restart`),
    or the refusal as an AigcError (RunBusy when live)."""
    verdict = can_resume(run, checkpoint, steps)
    if not verdict.ok:
        raise (RunBusy if verdict.busy else AigcError)(verdict.reason)
    return verdict.start


def _configured_steps(run: Run) -> int:
    try:
        return int(run.config().get("run", {}).get("steps", 0))
    except (TypeError, ValueError):
        return 0
