"""The app hands the memory it freed back to the system (issue 9: RSS crept over hours of use)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from aigc_tui.ui import native_memory

glibc = pytest.mark.skipif(native_memory._glibc() is None, reason="needs glibc's malloc_trim")

# Freed 2 KB blocks between kept ones: holes glibc keeps in the heap until it is trimmed.
PROGRAM = textwrap.dedent("""
    import sys
    from aigc_tui.ui.native_memory import limit_arenas, return_free_memory

    def rss_mb():
        return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20

    assert limit_arenas()
    kept, freed = [], []
    for i in range(40000):
        (kept if i % 10 == 0 else freed).append(bytes(2000))
    del freed
    before = rss_mb()
    released = return_free_memory()
    print(before, rss_mb(), released)
""")


@glibc
def test_freed_heap_goes_back_to_the_system():
    out = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True).stdout
    before, after, released = out.split()
    assert released == "True"
    assert float(before) - float(after) > 40  # of the ~70 MB freed, most is returned


def test_elsewhere_both_calls_do_nothing(monkeypatch):
    monkeypatch.setattr(native_memory.sys, "platform", "darwin")
    assert native_memory.limit_arenas() is False
    assert native_memory.return_free_memory() is False
