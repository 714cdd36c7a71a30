"""`aigc-tui runs` piped prints whole cells, so `grep` and `awk` see every id and state."""

from __future__ import annotations

from aigc_tui.cli import main
from aigc_tui.runs import RunStatus, create_run


def test_runs_piped_prints_whole_cells(runs_dir, capsys):
    run = create_run(runs_dir, 'kind = "gan"\nname = "x"\n[run]\nsteps = 3000\n',
                     "a-very-long-run-name-that-would-never-fit-in-eighty-columns")
    status = RunStatus.read(run.path)
    status.step, status.total_steps, status.device = 259, 3000, "cuda:0 (NVIDIA H200, bf16)"
    status.write(run.path)
    assert main(["runs", "--runs-dir", str(runs_dir)]) == 0
    out = capsys.readouterr().out
    header, line = out.splitlines()
    assert header.split() == ["id", "kind", "state", "step", "speed", "time", "device", "tags"]
    assert line.split()[0] == run.id and "259/3000" in line.split() and "queued" in line.split()
    assert line.endswith("cuda:0 (NVIDIA H200, bf16)") and "…" not in out
