"""The monitor appends a live log's new lines instead of writing the whole tail again."""

from aigc_tui.ui.widgets.monitor import continuation


def test_new_lines_after_a_sliding_tail_are_the_only_ones_appended():
    shown = [f"line {i}" for i in range(0, 200)]
    tail = [f"line {i}" for i in range(3, 203)]  # the newest 200 lines: three new, three gone
    assert continuation(shown, tail) == ["line 200", "line 201", "line 202"]


def test_an_unchanged_tail_appends_nothing():
    shown = ["a", "b", "c"]
    assert continuation(shown, list(shown)) == []


def test_repeated_lines_are_not_mistaken_for_old_ones():
    shown = ["step 1", "same", "same"]
    assert continuation(shown, ["step 1", "same", "same", "same"]) == ["same"]


def test_a_log_that_does_not_continue_is_written_whole():
    assert continuation([], ["first"]) is None  # nothing shown yet
    assert continuation(["a", "b"], ["x", "y"]) is None  # a rewritten or truncated log
    assert continuation(["a", "b", "c"], ["a", "b"]) is None  # shorter: the file was truncated
