"""Legend/readout entries packed on a few lines end with "+N more" instead of vanishing."""

from __future__ import annotations

from aigc_tui.ui.legend_pack import cells, pack


def test_everything_that_fits_is_shown_in_order():
    assert pack(["aa", "bb"], 20, 2, head=["x:"], tail=["raw"]) == "x:  aa  bb  raw"


def test_what_does_not_fit_is_counted_and_the_tail_gives_way_first():
    entries = [f"run-{i}:loss" for i in range(6)]  # 11 cells each
    text = pack(entries, 30, 2, tail=["[dim]ema 0.6[/]"])
    lines = text.split("\n")
    assert len(lines) == 2 and all(cells(line) <= 30 for line in lines)
    assert lines == ["run-0:loss  run-1:loss", "run-2:loss  [b]+3 more[/]  [dim]ema 0.6[/]"]
    wide = pack(entries, 30, 2, tail=["not plotted (no loss): a-long-run-name"])
    assert wide.split("\n") == ["run-0:loss  run-1:loss", "run-2:loss  [b]+3 more[/]"]  # the note gave way


def test_not_laid_out_yet_puts_everything_on_one_line():
    assert pack(["a", "b"], 0, 2, tail=["t"]) == "a  b  t"


def test_a_note_wider_than_a_line_is_cut_to_it_not_dropped():
    text = pack(["━━ loss", "━━ val_loss"], 30, 2, tail=["[dim]raw[/]", "[dim]not plotted: gan-a, gan-b (no loss/val_loss)[/]"])
    lines = text.split("\n")
    assert len(lines) == 2 and all(cells(line) <= 30 for line in lines)
    assert lines[1].startswith("[dim]not plotted: gan-a, gan-b") and "…" in lines[1]
