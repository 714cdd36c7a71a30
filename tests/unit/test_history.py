"""Prompt history keeps each prompt's parameters and drops duplicates (newest use wins)."""

from __future__ import annotations

from aigc_tui.generate.history import add_history, history_path, load_history


def test_history_keeps_parameters_and_drops_duplicates(isolated_home):
    add_history("def ", {"temperature": 0.8}, "m1")
    add_history("class ", {"temperature": 0.5})
    add_history("def ", {"temperature": 0.3, "top_k": 10}, "m2")
    add_history("   ")  # blank prompts are not kept
    entries = load_history()
    assert [e.prompt for e in entries] == ["class ", "def "]
    assert entries[-1].params == {"temperature": 0.3, "top_k": 10} and entries[-1].model == "m2"


def test_history_skips_damaged_and_old_style_lines(isolated_home):
    history_path().parent.mkdir(parents=True, exist_ok=True)
    history_path().write_text('{"prompt": "old"}\nnot json\n{"no": 1}\n')
    assert [(e.prompt, e.params) for e in load_history()] == [("old", {})]


def test_history_is_strict_json_and_keeps_stop_strings(isolated_home):
    add_history("def ", {"temperature": float("inf")}, "m1")  # never accepted: not kept
    add_history("class ", {"temperature": 0.5}, "m2", stops="\\n\\n, ###")
    history_path().write_text(history_path().read_text() + '{"prompt": "old", "params": {"top_p": NaN}}\n')
    (entry,) = load_history()
    assert (entry.prompt, entry.model, entry.stops) == ("class ", "m2", "\\n\\n, ###")
    assert "Infinity" not in history_path().read_text()
