"""Generate's stop strings as typed in the app: escapes translated, anything else kept, nothing raises."""

from __future__ import annotations

from aigc_tui.generate.stops import parse_stops


def test_escapes_and_commas():
    assert parse_stops(r"\n\n, ###,, \t;") == ["\n\n", "###", "\t;"]
    assert parse_stops(r"\x41\u00e9 \\n") == ["Aé \\n"]  # an escaped backslash stays one backslash


def test_a_bad_or_trailing_backslash_is_kept_not_a_crash():
    """`ab\\x4` crashed the app (a truncated escape raised UnicodeDecodeError)."""
    assert parse_stops(r"ab\x4, C:\, foo\, \u12, \q") == ["ab\\x4", "C:\\", "foo\\", "\\u12", "\\q"]


def test_non_ascii_is_matched_as_typed():
    """`é` came back as `Ã©` (UTF-8 read as Latin-1), so the stop never matched."""
    assert parse_stops("», →, é, 終わり") == ["»", "→", "é", "終わり"]
