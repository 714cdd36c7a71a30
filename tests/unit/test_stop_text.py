"""Cutting one sample at its stop strings as the text streams in (the torch layer's StopText)."""

from __future__ import annotations

from aigc_tui.models.stop_text import StopText


def stream(stops: list[str], pieces: list[str]) -> tuple[str, str | None]:
    cutter = StopText(stops)
    shown = "".join(cutter.feed(p) for p in pieces) + cutter.flush()
    return shown, cutter.hit


def test_the_text_is_cut_before_the_first_stop_string():
    assert stream(["###", "\n\n"], ["def f():", "\n", "    pass\n", "\nmore"]) == ("def f():\n    pass", "\n\n")
    assert stream(["END"], ["abc END def"]) == ("abc ", "END")


def test_a_stop_string_split_across_pieces_never_shows_its_start():
    cutter = StopText(["###"])
    assert cutter.feed("ab#") == "ab"  # '#' may begin '###': held back
    assert cutter.feed("#") == ""
    assert cutter.feed("#tail") == "" and cutter.hit == "###"
    assert cutter.feed("more") == "" and cutter.flush() == ""


def test_held_text_that_never_becomes_a_stop_is_shown():
    assert stream(["###"], ["a#", "#b", "c#"]) == ("a##bc#", None)
    assert stream([], ["anything"]) == ("anything", None)


def test_the_earliest_stop_wins_whichever_is_listed_first():
    assert stream(["world", "o w"], ["hello world"]) == ("hell", "o w")
