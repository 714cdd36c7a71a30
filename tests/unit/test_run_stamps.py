"""The idle table's fingerprint changes with every file the table or the monitor shows, and only then."""

from __future__ import annotations

from aigc_tui.runs import MetricsWriter, create_run
from aigc_tui.runs.housekeeping import archive_run
from aigc_tui.runs.layout import CHECKPOINTS_DIR, LOG_FILE, SAMPLES_DIR
from aigc_tui.runs.notes import write_notes
from aigc_tui.runs.status import update_status
from aigc_tui.runs.store import Run
from aigc_tui.ui.run_stamps import runs_stamp


def test_the_stamp_changes_with_what_the_table_shows_and_not_with_metrics(runs_dir):
    run = create_run(runs_dir, 'kind = "gan"\nname = "a"\n', "a")
    other = create_run(runs_dir, 'kind = "gan"\nname = "b"\n', "b")
    metrics = MetricsWriter(run.path)
    metrics.write(1, {"loss": 1.0})
    stamp = runs_stamp(runs_dir, selected=run.path)
    assert runs_stamp(runs_dir, selected=run.path) == stamp  # nothing changed: nothing to read

    metrics.write(2, {"loss": 0.5})  # the tail's business, not the table's
    assert runs_stamp(runs_dir, selected=run.path) == stamp

    changes = {
        "status": lambda: update_status(run.path, lambda s: setattr(s, "step", 5) or True),
        "notes": lambda: write_notes(other.path, tags=["x"]),
        "checkpoint": lambda: (run.path / CHECKPOINTS_DIR / "step-00000005").mkdir(parents=True),
        "sample": lambda: (run.path / SAMPLES_DIR).mkdir(exist_ok=True) or
        (run.path / SAMPLES_DIR / "step-00000005.txt").write_text("hi"),
        "selected run's log": lambda: (run.path / LOG_FILE).open("a").write("one more line\n"),
        "new run": lambda: create_run(runs_dir, 'kind = "gan"\nname = "c"\n', "c"),
        "archived": lambda: archive_run(Run(other.path)),
    }
    for what, change in changes.items():
        before = runs_stamp(runs_dir, selected=run.path)
        change()
        assert runs_stamp(runs_dir, selected=run.path) != before, f"{what} left the stamp as it was"


def test_the_archive_counts_only_when_the_table_lists_it(runs_dir):
    run = create_run(runs_dir, 'kind = "gan"\n', "a")
    archived = archive_run(run)
    stamp, with_archive = runs_stamp(runs_dir), runs_stamp(runs_dir, archived=True)
    write_notes(archived, tags=["old"])
    assert runs_stamp(runs_dir) == stamp
    assert runs_stamp(runs_dir, archived=True) != with_archive
