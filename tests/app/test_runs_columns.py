"""The runs table keeps every column that matters in view at 80×24; wider, it shows them all."""

from __future__ import annotations

import json
import shutil

from fixture_runs import FIXED_NOW
from pilot_wait import wait_for
from textual.widgets import DataTable

from aigc_tui.ui.app import make_app


def add_long_named_live_looking_run(root):
    """A copy of the fixture GAN run with a long name and a speed, so the table is at its widest."""
    src = next(root.glob("*fixture-gan-aaaa"))
    dst = root / "20260101-000009-a-rather-long-run-name-for-a-sweep-0001"
    shutil.copytree(src, dst)
    config = (dst / "config.toml").read_text().replace('name = "fixture-gan"', 'name = "a-rather-long-run-name-for-a-sweep"')
    (dst / "config.toml").write_text(config)
    status = json.loads((dst / "status.json").read_text())
    (dst / "status.json").write_text(json.dumps(status | {"step": 1500, "total_steps": 1000000, "throughput": 12345.0,
                                                          "throughput_unit": "images/s"}))


def headers(table: DataTable) -> list[str]:
    return [str(c.label) for c in table.columns.values()]


async def test_every_column_that_matters_fits_at_80_columns_and_all_show_when_wide(fixture_runs):
    add_long_named_live_looking_run(fixture_runs)
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(140, 40)) as pilot:
        table = app.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 4, what="the runs table")
        assert headers(table) == ["name", "kind", "state", "step", "eta", "speed", "best", "device", "time"]
        assert any("a-rather-long-run-name-for-a-sweep" == str(c) for c in table.get_column("name"))

        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: "device" not in headers(table), what="the narrow layout")
        assert headers(table) == ["name", "state", "step", "eta", "speed", "best", "time"]
        await pilot.pause()
        assert table.virtual_size.width <= table.size.width  # nothing scrolls off to the right
        names = [str(c) for c in table.get_column("name")]
        assert "a-rather-long-run…" in names and "fixture-gan" in names
        assert "12,345 img/s" in [str(c) for c in table.get_column("speed")]

        await pilot.resize_terminal(140, 40)
        await wait_for(pilot, lambda: "device" in headers(table), what="every column again")


async def test_one_long_name_is_cut_before_kind_and_device_go_at_120_columns(fixture_runs):
    """D18: a tagged sweep name 56 cells long used to keep the name column wide and drop kind and device."""
    src = next(fixture_runs.glob("*fixture-gan-aaaa"))
    long_name = "mlp-gan-digits-1-lr_g-0.0001-steps-30-best-unicode-sweep"
    dst = fixture_runs / f"20260101-000009-{long_name}-0001"
    shutil.copytree(src, dst)
    config = (dst / "config.toml").read_text().replace('name = "fixture-gan"', f'name = "{long_name}"')
    (dst / "config.toml").write_text(config)
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 4, what="the runs table")
        await pilot.pause()
        assert headers(table) == ["name", "kind", "state", "step", "eta", "speed", "best", "device", "time"]
        names = [str(c) for c in table.get_column("name")]
        assert long_name not in names and any(n.startswith("mlp-gan-digits-1-lr_g") and n.endswith("…") for n in names)
        assert "fixture-gan" in names
        assert table.virtual_size.width <= table.size.width


async def test_the_name_column_narrows_when_the_long_named_run_is_archived(fixture_runs):
    """120x40: after archiving the only long-named run the name column stayed 34 wide until a resize."""
    from aigc_tui.runs.housekeeping import archive_run
    from aigc_tui.runs.store import Run

    add_long_named_live_looking_run(fixture_runs)
    long_run = next(fixture_runs.glob("*a-rather-long-run-name-for-a-sweep-0001"))
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 4, what="the runs table")
        name = table.columns["name"]
        await wait_for(pilot, lambda: name.get_render_width(table) >= len("a-rather-long-run-name-for-a-sweep"),
                       what="the name column as wide as the long name")
        archive_run(Run(long_run))  # as `aigc-tui archive` or `a` would
        await wait_for(pilot, lambda: table.row_count == 3, what="the table without it")
        longest = max(len(str(c)) for c in table.get_column("name"))
        await wait_for(pilot, lambda: name.get_render_width(table) == longest + 2, what="the name column narrowed")


async def test_same_named_runs_are_told_apart_by_their_id_tail_at_120_and_80_columns(fixture_runs):
    """Two launches of one recipe read `fixture-gan` twice in the table, while the Checkpoints
    tree and Generate's picker already said `fixture-gan ~aaaa` and `~dddd`; a long name cut at
    80 columns keeps its tail whole (the name before it is cut instead)."""
    shutil.copytree(fixture_runs / "20260101-000000-fixture-gan-aaaa", fixture_runs / "20260101-000300-fixture-gan-dddd")
    add_long_named_live_looking_run(fixture_runs)  # ...-0001
    long_run = next(fixture_runs.glob("*a-rather-long-run-name-for-a-sweep-0001"))
    shutil.copytree(long_run, fixture_runs / "20260101-000010-a-rather-long-run-name-for-a-sweep-0002")
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 6, what="the runs table")

        def names() -> set[str]:
            return {str(c) for c in table.get_column("name")}

        wide = {"fixture-gan ~aaaa", "fixture-gan ~dddd", "fixture-lm", "a-rather-long-run… ~0001",
                "a-rather-long-run… ~0002"}  # long names cut to 24 cells before kind and device go
        await wait_for(pilot, lambda: wide <= names(), what=f"same-named runs told apart at 120 columns: {names()}")

        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: "device" not in headers(table), what="the narrow layout")
        narrow = {"fixture-gan ~aaaa", "fixture-gan ~dddd", "fixture-lm", "a-rather-lo… ~0001", "a-rather-lo… ~0002"}
        await wait_for(pilot, lambda: narrow <= names(), what=f"same-named runs told apart at 80 columns: {names()}")
        await pilot.pause()
        assert table.virtual_size.width <= table.size.width  # nothing scrolls off to the right


async def test_the_monitor_header_of_a_same_named_run_carries_its_id_tail(fixture_runs):
    """tester8 I7: the table said `fixture-gan ~dddd` while the monitor above its plot said only
    `fixture-gan`; a run whose name is its own keeps a bare name."""
    from pilot_wait import text_of

    from aigc_tui.ui.panes.runs import RunsPane

    shutil.copytree(fixture_runs / "20260101-000000-fixture-gan-aaaa", fixture_runs / "20260101-000300-fixture-gan-dddd")
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await wait_for(pilot, lambda: app.query(RunsPane) and app.query_one(RunsPane), what="the runs pane")
        await wait_for(pilot, lambda: app.query_one(DataTable).row_count == 4, what="the runs table")
        for run_id, head in (("20260101-000300-fixture-gan-dddd", "fixture-gan ~dddd  gan"),
                             ("20260101-000000-fixture-gan-aaaa", "fixture-gan ~aaaa  gan")):
            pane.show_run(run_id)
            await wait_for(pilot, lambda head=head: text_of(app, "#run-header").startswith(head),
                           what=f"{head!r} in the header: {text_of(app, '#run-header')!r}")
        pane.show_run("20260101-000100-fixture-lm-bbbb")
        await wait_for(pilot, lambda: text_of(app, "#run-header").startswith("fixture-lm  lm"), what="the LM's header")


async def test_a_million_step_run_keeps_every_time_whole_at_80_columns(fixture_runs):
    """tester8 I10: one run at 250000/1000000 steps cut every row's time to `3d0` at 80x24; its step
    count reads 250k/1M instead, and the other rows keep theirs exact."""
    add_long_named_live_looking_run(fixture_runs)  # 1500/1000000 steps, 12,345 img/s
    src = next(fixture_runs.glob("*fixture-gan-aaaa"))
    big = fixture_runs / "20260101-000011-bignum-eeee"
    shutil.copytree(src, big)
    (big / "config.toml").write_text((big / "config.toml").read_text().replace('"fixture-gan"', '"bignum"'))
    status = json.loads((big / "status.json").read_text())
    (big / "status.json").write_text(json.dumps(status | {"step": 250000, "total_steps": 1000000}))
    shutil.copytree(src, fixture_runs / "20260101-000012-k9-ffff")  # six rows: the table scrolls, 78 cells across
    app = make_app(fixture_runs, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 6 and "device" not in headers(table), what="the runs table")
        await pilot.pause()
        assert headers(table)[-1] == "time"  # nothing cut off or scrolled away (the scrollbar takes its cells)
        assert table.virtual_size.width <= table.scrollable_content_region.width
        steps = [str(c) for c in table.get_column("step")]
        assert "250k/1M" in steps and "400/400" in steps  # short counts stay exact
