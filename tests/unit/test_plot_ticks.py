"""Axis ticks in the units people read: losses on a log axis, elapsed time, steps."""

from __future__ import annotations

import math

from aigc_tui.ui.plot_ticks import (
    fmt_clock,
    fmt_elapsed,
    log_ticks,
    nice_linear,
    step_ticks,
    time_ticks,
)


def test_log_ticks_are_placed_in_log10_and_labelled_in_loss_units():
    positions, labels = log_ticks(math.log10(0.15), math.log10(1.2), want=4)
    assert labels == ["0.2", "0.5", "1"]
    assert positions == [math.log10(0.2), math.log10(0.5), 0.0]
    _, labels = log_ticks(math.log10(2e-5), math.log10(3.0), want=5)  # many decades: powers of ten
    assert labels == ["1e-4", "0.001", "0.01", "0.1", "1"]
    _, labels = log_ticks(math.log10(3.7), math.log10(5.6), want=4)  # under a decade: round linear values
    assert labels == ["4", "4.5", "5", "5.5"]


def test_log_ticks_spread_over_the_whole_axis_not_only_its_low_end():
    """tester8 I6: losses 0.55-2.4 on a log axis were labelled 0.6 0.8 1, the upper half (1-2.4) bare."""
    for lo, hi in ((0.55, 2.4), (0.45, 2.4), (0.01, 50), (0.2, 9), (2e-5, 3.0), (0.11, 0.99), (1e-9, 1e3)):
        low, high = math.log10(lo), math.log10(hi)
        for want in range(2, 7):
            positions, labels = log_ticks(low, high, want)
            where = [(p - low) / (high - low) for p in positions]
            assert len(labels) >= 2 and where[0] < 1 / 3 and where[-1] > 2 / 3, (lo, hi, want, labels)
    assert log_ticks(math.log10(0.55), math.log10(2.4), want=3)[1] == ["0.6", "1", "2"]
    assert log_ticks(math.log10(0.01), math.log10(50), want=5)[1] == ["0.01", "0.1", "1", "10"]  # not 10..50
    assert log_ticks(math.log10(2), math.log10(3000), want=4)[1][-1] == "1000"  # not 1e+03


def test_time_ticks_read_as_elapsed_minutes_or_hours():
    assert time_ticks(0, 585, 5) == ([0.0, 120.0, 240.0, 360.0, 480.0], ["0:00", "2:00", "4:00", "6:00", "8:00"])
    assert time_ticks(0, 7300, 5)[1] == ["0:00", "0:30", "1:00", "1:30", "2:00"]  # h:mm past an hour
    assert (fmt_elapsed(75), fmt_elapsed(3 * 3600 + 5 * 60), fmt_clock(3725)) == ("1:15", "3:05", "1:02:05")


def test_step_ticks_and_linear_ticks():
    assert step_ticks(0, 1e6, 5)[1] == ["0", "200k", "400k", "600k", "800k", "1M"]
    assert nice_linear(0.45, 0.73, 2) == [0.5, 0.6, 0.7]  # always two or more on a short axis
