"""What the loss plot draws: smoothing over the full series, then min/max decimation."""

from __future__ import annotations

import math

import numpy as np

from aigc_tui.ui.series import EmaCache, ema, linear_recurrence, minmax_decimate, prepare, window


def _ema_loop(values, w):
    last, count, out = 0.0, 0, []
    for v in values:
        if not math.isfinite(v):
            out.append(v)
            continue
        last, count = last * w + (1 - w) * v, count + 1
        out.append(last / (1 - w**count))
    return np.array(out)


def test_ema_is_debiased_and_skips_nan():
    assert np.allclose(ema([2.0, 2.0, 2.0], 0.9), [2.0, 2.0, 2.0])  # no pull towards zero at the start
    out = ema([1.0, float("nan"), 3.0], 0.5)
    # 1.0 -> 0.5 / (1 - 0.5) = 1; NaN passes through; 3.0 -> (0.25 + 1.5) / (1 - 0.25) = 7/3
    assert math.isclose(out[0], 1.0) and math.isnan(out[1]) and math.isclose(out[2], 7 / 3)


def test_vectorised_ema_matches_the_plain_loop_for_any_weight():
    rng = np.random.default_rng(0)
    values = rng.normal(size=20_000) * 10 + 5
    values[::997] = np.nan
    values[5] = np.inf
    for w in (1e-4, 0.3, 0.6, 0.9, 0.99, 0.999, 0.99999):
        got, want = ema(values, w), _ema_loop(values, w)
        assert np.array_equal(np.isfinite(got), np.isfinite(want)), w
        assert np.allclose(got[np.isfinite(got)], want[np.isfinite(want)], rtol=1e-9, atol=1e-9), w
    u = rng.normal(size=5000)
    y, acc = linear_recurrence(0.5, u, 3.0), 3.0
    for k in range(5000):
        acc = 0.5 * acc + u[k]
        assert math.isclose(y[k], acc, rel_tol=1e-9, abs_tol=1e-12)


def test_incremental_ema_matches_full_and_restarts_on_rewind():
    cache = EmaCache()
    steps, values = list(range(10)), [float(v % 4) for v in range(10)]
    first = cache.smooth("loss", steps[:6], values[:6], 0.8).copy()
    assert np.allclose(first, ema(values[:6], 0.8))
    assert np.allclose(cache.smooth("loss", steps, values, 0.8), ema(values, 0.8))
    rewound_steps, rewound_values = steps[:4] + [4, 5], values[:4] + [9.0, 9.0]
    rewound_steps[-2:] = [40, 50]  # a resume rewrote the tail
    assert np.allclose(cache.smooth("loss", rewound_steps, rewound_values, 0.8), ema(rewound_values, 0.8))


def test_another_series_under_the_same_key_is_smoothed_on_its_own():
    """Two runs logged at the same steps: the second one's curve is its own, not the first's
    smoothed state carried on (the Checkpoints plot drew a falling MLM loss as a rising curve)."""
    cache = EmaCache()
    steps = [20, 40]
    cache.smooth("loss", steps, [3.13, 3.08], 0.6)
    other = [8.07, 6.87, 5.47]
    assert np.allclose(cache.smooth("loss", steps + [60], other, 0.6), ema(other, 0.6))


def test_decimation_keeps_spikes_and_nans_visible():
    n = 100_000
    steps = np.arange(n)
    values = np.ones(n)
    values[54_321] = 50.0
    values[77_777] = float("nan")
    values[88_888] = -7.0
    xs, ys = minmax_decimate(steps, values, 100)
    assert len(xs) == len(ys) == 200
    assert max(y for y in ys if math.isfinite(y)) == 50.0
    assert min(y for y in ys if math.isfinite(y)) == -7.0
    assert any(math.isnan(y) for y in ys)
    assert xs == sorted(xs) and xs[0] == 0 and xs[-1] == n - 1


def test_window_and_a_million_points_prepare_to_plot_width():
    steps = np.arange(0, 1_000_000)
    values = (steps % 100).astype(float)
    assert window(steps, values, 1000)[0][0] == 999_999 - 1000
    cache = EmaCache()
    xs, ys = prepare(steps, values, 0.6, None, 150, cache=cache, key="loss")
    assert len(xs) == 300
    xs, ys = prepare(steps, values, 0.0, None, 150, log_y=True)
    assert all(math.isfinite(y) for y in ys)
