"""The app idle in a real terminal, beside a bare Textual app: `python benchmarks/app_idle_tty.py`.

app_bench.py runs the app on Textual's headless driver, which has no input thread; over SSH the
app runs on a terminal driver, whose input thread is part of what idling costs. This starts three
processes on their own pseudo-terminals (80x24) at once and, after a warm-up, measures each one's
CPU over the same window, so a busy box weighs on all three alike:

  aigc-tui            the app on `--runs-dir` (a copy of your runs root works), Runs pane, no key pressed
  bare Textual        a Header, a Static and a Footer on Textual's own driver
  bare, quiet driver  the same on aigc-tui's terminal driver (ui/quiet_driver.py)

Prints CPU % of one core for each and the app's ratio to bare Textual; asserts nothing.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]

BARE = """
import sys
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header(); yield Static("bare"); yield Footer()
    def get_driver_class(self):
        driver = super().get_driver_class()
        if sys.argv[1] == "quiet":
            from aigc_tui.ui.app import terminal_driver
            driver = terminal_driver(driver)
        return driver
Bare().run()
"""


class OnPty:
    """A process on its own pty of 80x24; a thread reads what it draws (a full pty would stall it)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 640, 384))
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.drawn = 0
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        try:
            while data := os.read(self.master, 65536):
                self.drawn += len(data)
        except OSError:
            pass

    def cpu_seconds(self) -> float:
        """On-CPU time of every thread (schedstat: nanoseconds, not 10 ms ticks), else psutil's ticks."""
        total, tasks = 0, Path(f"/proc/{self.proc.pid}/task")
        try:
            for task in tasks.iterdir():
                total += int((task / "schedstat").read_text().split()[0])
            return total / 1e9
        except (OSError, ValueError, IndexError):
            times = psutil.Process(self.proc.pid).cpu_times()
            return times.user + times.system

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()
        os.close(self.master)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-dir", type=Path, help="the runs root the app shows (default: an empty one)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the CPU window")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds after start before the window")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="aigc-idle-"))  # the app's settings and history stay out of yours
    runs = args.runs_dir or home / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(home), "TERM": "xterm-256color", "PYTHONPATH": str(REPO),
           "AIGC_TUI_HOME": str(home / "aigc-tui")}
    procs = {
        "aigc-tui": OnPty([sys.executable, "-m", "aigc_tui.cli", "--runs-dir", str(runs.resolve())], env),
        "bare Textual": OnPty([sys.executable, "-c", BARE, "stock"], env),
        "bare, quiet driver": OnPty([sys.executable, "-c", BARE, "quiet"], env),
    }
    try:
        time.sleep(args.warmup)
        for name, p in procs.items():
            if p.proc.poll() is not None:
                sys.exit(f"{name} ended during the warm-up (exit {p.proc.returncode})")
        before = {name: p.cpu_seconds() for name, p in procs.items()}
        start = time.monotonic()
        time.sleep(args.seconds)
        wall = time.monotonic() - start
        used = {name: (p.cpu_seconds() - before[name]) / wall * 100 for name, p in procs.items()}
    finally:
        for p in procs.values():
            p.stop()
    print(f"idle CPU, % of one core, over {wall:.0f} s after a {args.warmup:.0f} s warm-up "
          f"(load {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores), runs root {runs}:")
    for name, pct in used.items():
        print(f"  {name:<20} {pct:6.2f} %")
    base = used["bare Textual"]
    print(f"  aigc-tui / bare Textual: {used['aigc-tui'] / base:.2f}x" if base > 0 else "")


if __name__ == "__main__":
    main()
