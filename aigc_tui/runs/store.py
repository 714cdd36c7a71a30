"""Create, list and find runs under a runs root."""

from __future__ import annotations

import errno
import fcntl
import os
import secrets
import shutil
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aigc_tui.errors import AigcError, RunNotFound
from aigc_tui.names import slug
from aigc_tui.runs.atomic import atomic_write_text, current_umask, fsync_dir
from aigc_tui.runs.checkpoints import (
    CheckpointInfo,
    best_checkpoint,
    list_checkpoints,
    read_checkpoint,
)
from aigc_tui.runs.layout import (
    ARCHIVE_DIR,
    CHECKPOINTS_DIR,
    CONFIG_FILE,
    CREATING_PREFIX,
    LOG_FILE,
    RUN_SUBDIRS,
    SAMPLE_SUFFIXES,
    SAMPLES_DIR,
    checkpoint_matches,
    is_checkpoint_dir,
    is_run_dir,
    looks_like_run,
)
from aigc_tui.runs.leftovers import clean_half_made_runs
from aigc_tui.runs.lock import WORKER_LOCK_FILE
from aigc_tui.runs.status import RunStatus


@dataclass(frozen=True)
class Run:
    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG_FILE

    @property
    def log_path(self) -> Path:
        return self.path / LOG_FILE

    @property
    def samples_dir(self) -> Path:
        return self.path / SAMPLES_DIR

    @property
    def checkpoints_dir(self) -> Path:
        return self.path / CHECKPOINTS_DIR

    def config(self) -> dict[str, Any]:
        try:
            return tomllib.loads(self.config_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # unreadable, not TOML, or not UTF-8 (a Latin-1 edit): kind `?` (H19)
            return {}

    @property
    def name(self) -> str:
        return str(self.config().get("name") or self.id)

    @property
    def kind(self) -> str:
        return str(self.config().get("kind", "?"))

    def status(self) -> RunStatus:
        return RunStatus.read(self.path)

    def checkpoints(self) -> list[CheckpointInfo]:
        return list_checkpoints(self.path)

    def samples(self) -> list[Path]:
        if not self.samples_dir.is_dir():
            return []
        return sorted(p for p in self.samples_dir.iterdir() if p.suffix in SAMPLE_SUFFIXES)

    def log_tail(self, lines: int = 50) -> list[str]:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                f.seek(max(0, size - 64 * 1024))
                text = f.read().decode("utf-8", errors="replace")
        except OSError:
            return []
        return text.splitlines()[-lines:]


def create_run(
    root: Path, config_toml: str, name: str, run_id: str | None = None, parent: dict[str, Any] | None = None
) -> Run:
    """Make `<root>/<id>/` with config.toml and a queued status; the id sorts by time unless given.

    The run is built under a `.creating-` dot-name (never listed) and renamed to its id complete,
    so a launcher killed at any moment leaves no half-made run holding the name; the next
    creation sweeps such leftovers (runs/leftovers.py). `parent` records the lineage (the run
    and checkpoint it starts from) in status.json.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    clean_half_made_runs(root)
    build = Path(tempfile.mkdtemp(prefix=CREATING_PREFIX, dir=root))
    held = -1
    try:
        held = os.open(build / WORKER_LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        fcntl.flock(held, fcntl.LOCK_EX)  # the sweep leaves a build whose creator is alive alone
        build.chmod(0o777 & ~current_umask())  # mkdtemp makes 0700; a run folder gets a normal mode
        for sub in RUN_SUBDIRS:
            (build / sub).mkdir()
        atomic_write_text(build / CONFIG_FILE, config_toml)
        RunStatus(parent=parent).write(build)
        path = _move_into_place(root, build, name, run_id)
    except BaseException:  # e.g. a full disk: leave no half-made run behind
        shutil.rmtree(build, ignore_errors=True)
        raise
    finally:
        if held >= 0:
            os.close(held)
    fsync_dir(root)
    return Run(path)


def _move_into_place(root: Path, build: Path, name: str, run_id: str | None) -> Path:
    """Rename the built run to a free id (a given one must be free: one clear line if not)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for _ in range(100):
        path = root / (slug(run_id) if run_id else f"{stamp}-{slug(name)}-{secrets.token_hex(2)}")
        if not os.path.lexists(path):
            try:
                os.rename(build, path)  # a folder with files never replaces an existing one
                return path
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR):
                    raise
        if run_id and is_run_dir(path):  # another launch created it a moment ago
            raise AigcError(f"cannot create run {path.name}: another launch just created it ({path})",
                            "give another --run-id, or `aigc-tui stop`/`resume` that run")
        if run_id:
            raise AigcError(f"cannot create run {path.name}: {path} already exists and is not a run",
                            "give another --run-id, or move that folder away")
    raise RuntimeError("could not pick a unique run id")  # pragma: no cover - 100 clashes of 16 random bits


def list_runs(root: Path) -> list[Run]:
    """Every run directory under the root, oldest first (by creation, then id)."""
    root = Path(root)
    if not root.is_dir():
        return []

    def created(run: Run) -> tuple[int, str]:
        try:
            return run.config_path.stat().st_mtime_ns, run.id  # written once, at creation
        except OSError:
            return 0, run.id

    # a dot-name is never a run: the archive, a run being deleted, a temp folder
    runs = (Run(p) for p in root.iterdir() if not p.name.startswith(".") and p.is_dir() and is_run_dir(p))
    return sorted(runs, key=created)


ID_PREFIX_MIN = len("20261207-005900")  # a run id's date and time: a shorter prefix is too easy to mistype


def find_run(root: Path, ref: str, strict: bool = False) -> Run:
    """A run by its directory, exact id, exact name (its newest run) or an id prefix of 15+
    characters (the id's date and time). A mere part of an id or name is refused, listing the
    runs it is part of: `rm abc` must never delete `abcd`. `strict` (rm, archive, unarchive) also
    refuses a name several runs share and a directory outside the runs root."""
    if not ref.strip():
        raise RunNotFound("no run given: name a run by its id, its name or its directory")
    candidate = Path(ref).expanduser()
    path_like = "/" in ref or ref in (".", "..") or ref.startswith("~")
    if (path_like and candidate.is_dir()) or looks_like_run(candidate):
        return _run_at(root, candidate, strict)
    runs = list_runs(root)
    exact = [r for r in runs if r.id == ref] or [r for r in runs if r.name == ref]
    also = [r.id for r in runs if r.id.startswith(ref) and r.id != ref and r.name != ref] if exact else []
    if also and len(ref) >= ID_PREFIX_MIN:  # a run named like another's date-time (I5): never pick one silently
        raise RunNotFound(f"run '{ref}' is ambiguous: it is the name of {exact[-1].id} and the start of the id "
                          f"of {', '.join(also[:5])}; give the full id of the one you mean")
    if len(exact) > 1 and strict:
        ids = ", ".join(r.id for r in exact[-5:])
        raise RunNotFound(f"run name '{ref}' is shared by {len(exact)} runs ({ids}); give the id of the one you mean")
    if exact:
        return exact[-1]  # a name means its newest run
    hits = [r for r in runs if r.id.startswith(ref)] if len(ref) >= ID_PREFIX_MIN else []
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        ids = ", ".join(r.id for r in hits[:5])
        raise RunNotFound(f"run '{ref}' is ambiguous: it matches {len(hits)} runs ({ids}); give more of the id")
    archived = [r for r in list_runs(Path(root) / ARCHIVE_DIR)
                if ref in (r.id, r.name) or (len(ref) >= ID_PREFIX_MIN and r.id.startswith(ref))]
    if archived:
        run_id = archived[-1].id
        raise RunNotFound(f"run '{ref}' is archived ({run_id}); `aigc-tui unarchive {run_id}` brings it back")
    partial = [r for r in runs if ref in r.id or ref in r.name]
    if partial:
        ids = ", ".join(r.id for r in partial[:5])
        what = "is ambiguous: it is" if len(partial) > 1 else "is not a run's id or name, only"
        raise RunNotFound(f"run '{ref}' {what} part of {ids}; give a run's full id, its name, "
                          f"or the first {ID_PREFIX_MIN}+ characters of its id")
    raise RunNotFound(f"no run '{ref}' under {root} (see `aigc-tui runs`)")


def _run_at(root: Path, path: Path, strict: bool) -> Run:
    """A run named by its directory: one this program wrote, and (strict) under the runs root."""
    if not looks_like_run(path):
        raise RunNotFound(f"{path.absolute()} is not a run (no config.toml and status.json this program wrote); "
                          "nothing done")
    where = path.resolve()
    homes = (Path(root).resolve(), (Path(root) / ARCHIVE_DIR).resolve())
    if strict and (os.path.islink(path.absolute()) or where.parent not in homes):
        raise RunNotFound(f"{path.absolute()} is not a run under {root}; nothing done (give --runs-dir if it is "
                          "under another runs root)")
    return Run(where)


def refuse_symlinked(run: Run) -> None:
    """A run folder that is a symlink is not followed by rm/archive (its target is not ours to move)."""
    if run.path.is_symlink():
        raise RunNotFound(f"run {run.id} is a symlink to {os.path.realpath(run.path)}; not followed "
                          f"(remove the link {run.path} yourself)")


def find_checkpoint(root: Path, ref: str, prefer: str = "latest") -> CheckpointInfo:
    """A checkpoint by directory path, `RUN@NAME`, or a run (its best, else latest, checkpoint).

    `prefer` is "latest" or "best" (best by the recipe's keep_best metric, when it has one).
    """
    candidate = Path(ref).expanduser()
    if is_checkpoint_dir(candidate):
        info = read_checkpoint(candidate.resolve())
        if info is not None:
            return info
    run_ref, _, name = ref.partition("@")
    run = find_run(root, run_ref)
    checkpoints = run.checkpoints()
    if not checkpoints:
        older = [r.id for r in list_runs(root) if r.name == run_ref and r.id != run.id and r.checkpoints()]
        hint = f"; older runs named '{run_ref}' have some: give the run id, e.g. {older[-1]}" if older else ""
        raise RunNotFound(f"run {run.id} (the newest named '{run_ref}') has no checkpoints yet{hint}"
                          if run.name == run_ref and run.id != run_ref else f"run {run.id} has no checkpoints yet")
    if name:
        for ckpt in checkpoints:
            if checkpoint_matches(ckpt.name, name):
                return ckpt
        names = ", ".join(c.name for c in checkpoints)
        raise RunNotFound(f"run {run.id} has no checkpoint '{name}' (it has: {names})")
    if prefer == "best":
        run_cfg = run.config().get("run", {})
        metric = run_cfg.get("keep_best", "")
        best = best_checkpoint(checkpoints, metric, run_cfg.get("best_mode", "min")) if metric else None
        if best is not None:
            return best
    return checkpoints[-1]


def checkpoint_of_run(root: Path, run: Run, ref: str) -> CheckpointInfo:
    """`resume RUN --from REF`: a checkpoint of that run, as a name, a step number, `RUN@NAME`
    or its directory; a checkpoint of another run is refused (a fork starts from one)."""
    candidate, wanted = Path(ref).expanduser(), ref
    if is_checkpoint_dir(candidate):
        where, wanted = candidate.resolve(), candidate.resolve().name
        if where.parent.name != CHECKPOINTS_DIR or where.parent.parent != run.path.resolve():
            raise RunNotFound(f"--from {ref}: that checkpoint is not one of run {run.id}'s; "
                              f"`aigc-tui fork {where}` starts a new run from it")
    elif "@" in ref:
        run_ref, _, wanted = ref.partition("@")
        other = run if run_ref in (run.id, run.name) else find_run(root, run_ref)
        if other.path.resolve() != run.path.resolve():
            raise RunNotFound(f"--from {ref} names run {other.id}, not {run.id}; resume takes a checkpoint of "
                              f"the run it resumes (`aigc-tui fork {ref}` starts a new run from it)")
    for ckpt in run.checkpoints():
        if checkpoint_matches(ckpt.name, wanted):
            return ckpt
    checkpoints = run.checkpoints()
    if not checkpoints:
        raise RunNotFound(f"run {run.id} has no checkpoints yet; resume it without --from")
    last = checkpoints[-1]
    raise RunNotFound(f"run {run.id} has no checkpoint '{ref}' (it has: {', '.join(c.name for c in checkpoints)}); "
                      f"--from takes one of them as {last.name}, {last.step}, {run.name}@{last.name} or its directory")
