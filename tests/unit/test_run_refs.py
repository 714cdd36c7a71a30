"""Which run a RUN argument names: never a folder that is not a run, never a run that merely contains the word
(tester6 G32, G22, G33)."""

from __future__ import annotations

import os

import pytest

from aigc_tui.cli import main
from aigc_tui.runs import RunState, RunStatus, create_run, list_runs


def _run(root, name, run_id=None):
    run = create_run(root, f'kind = "gan"\nname = "{name}"\n', name, run_id=run_id)
    status = RunStatus.read(run.path)
    status.state = RunState.FINISHED
    status.write(run.path)
    return run


def _cli(runs_dir, *args):
    return main([*args, "--runs-dir", str(runs_dir)])


def _project(tmp_path):
    proj = tmp_path / "proj"
    (proj / "data").mkdir(parents=True)
    (proj / "config.toml").write_text("lr = 1\n")
    (proj / "status.json").write_text("{}")
    (proj / "data" / "x.csv").write_text("important\n")
    return proj


@pytest.mark.parametrize("command", [["rm", "--yes"], ["archive"], ["note", "RUN", "x"], ["tag", "RUN", "+x"],
                                     ["stop"]])
def test_a_folder_holding_a_status_json_is_not_a_run(runs_dir, tmp_path, capsys, monkeypatch, command):
    proj = _project(tmp_path)
    monkeypatch.chdir(proj)
    for ref in (".", str(proj)):
        args = [ref if w == "RUN" else w for w in command] if "RUN" in command else [*command, ref]
        assert _cli(runs_dir, *args) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "is not a run" in err[0] and str(proj) in err[0], err
    assert sorted(p.name for p in proj.iterdir()) == ["config.toml", "data", "status.json"]
    assert (proj / "status.json").read_text() == "{}"


def test_rm_and_archive_take_a_run_directory_only_under_the_runs_root(runs_dir, tmp_path, capsys):
    elsewhere = _run(tmp_path / "other-root", "far")
    for command in (["rm", "--yes"], ["archive"]):
        assert _cli(runs_dir, *command, str(elsewhere.path)) == 2
        assert "is not a run under" in capsys.readouterr().err
    assert elsewhere.path.is_dir()
    inside = _run(runs_dir, "near")
    assert _cli(runs_dir, "rm", "--yes", str(inside.path)) == 0 and list_runs(runs_dir) == []


def test_a_part_of_an_id_or_name_never_deletes_a_run(runs_dir, capsys):
    _run(runs_dir, "abc")
    abcd = _run(runs_dir, "abcd")
    assert _cli(runs_dir, "rm", "abc", "--yes") == 0
    assert _cli(runs_dir, "rm", "abc", "--yes") == 2  # run again (shell history): abcd stays
    err = capsys.readouterr().err
    assert "not a run's id or name" in err and abcd.id in err
    for ref in ("-", "0", "2026", "ab", abcd.id[:8]):
        assert _cli(runs_dir, "rm", ref, "--yes") == 2, ref
    assert [r.id for r in list_runs(runs_dir)] == [abcd.id]
    assert _cli(runs_dir, "rm", abcd.id[:15], "--yes") == 0  # the id's date and time is enough
    assert list_runs(runs_dir) == []


def test_an_exact_name_in_the_archive_wins_over_a_run_that_contains_it(runs_dir, capsys):
    tgt, mytgt = _run(runs_dir, "tgt"), _run(runs_dir, "mytgt")
    assert _cli(runs_dir, "archive", "tgt") == 0
    assert _cli(runs_dir, "note", "tgt", "x") == 0
    assert _cli(runs_dir, "rm", "tgt", "--yes") == 0
    assert f"deleted {tgt.id}" in capsys.readouterr().out
    assert [r.id for r in list_runs(runs_dir)] == [mytgt.id] and not (mytgt.path / "notes.json").exists()


def test_rm_refuses_a_name_two_runs_share(runs_dir, capsys):
    a, b = _run(runs_dir, "twin"), _run(runs_dir, "twin")
    assert _cli(runs_dir, "rm", "twin", "--yes") == 2
    err = capsys.readouterr().err
    assert "shared by 2 runs" in err and a.id in err and b.id in err and len(list_runs(runs_dir)) == 2


def test_rm_of_a_symlinked_run_folder_is_refused_and_leaves_no_tombstone(runs_dir, tmp_path, capsys):
    target = _run(tmp_path / "elsewhere", "real")
    runs_dir.mkdir(parents=True, exist_ok=True)
    link = runs_dir / "20261207-013000-link-ffff"
    os.symlink(target.path, link)
    assert _cli(runs_dir, "rm", link.name, "--yes") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is a symlink" in err[0], err
    assert link.is_symlink() and target.path.is_dir()
    assert sorted(p.name for p in runs_dir.iterdir()) == [link.name]


def test_a_run_named_like_another_runs_date_time_is_refused_as_ambiguous(runs_dir, capsys):
    """tester8 I5: `runs` shows ids cut to their date and time; a run *named* like that prefix took it over,
    so `rm <prefix copied from the table>` deleted the other run."""
    g1 = _run(runs_dir, "g1", run_id="20261207-055332-g1-cf82")
    impostor = _run(runs_dir, "20261207-055332")
    for command in (["rm", "20261207-055332", "--yes"], ["note", "20261207-055332", "x"], ["diff", "20261207-055332", "g1"]):
        assert _cli(runs_dir, *command) == 2, command
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "ambiguous" in err[0] and g1.id in err[0] and impostor.id in err[0], err
    assert sorted(r.id for r in list_runs(runs_dir)) == sorted([g1.id, impostor.id])
    assert not (impostor.path / "notes.json").exists() and not (g1.path / "notes.json").exists()
    assert _cli(runs_dir, "rm", impostor.id, "--yes") == 0  # the full id still names it
    assert _cli(runs_dir, "rm", "20261207-055332", "--yes") == 0  # and the prefix is g1's alone again
    assert list_runs(runs_dir) == []
