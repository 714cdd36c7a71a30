"""A plain training-loop stand-in that uses `aigc_tui.track`: python tracked_loop.py MODE.

MODE: `loop` logs until a stop request, `raise` fails at step 3, `forever` never polls.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

from aigc_tui import track

mode = sys.argv[1] if len(sys.argv) > 1 else "loop"
run = track.init(config={"lr": 0.1, "mode": mode})
step = 0
while True:
    run.log({"loss": 1.0 / (step + 1), "grad_norm": math.nan if step == 2 else 0.5}, step=step)
    if step % 5 == 0:
        run.log({"val_loss": 2.0 / (step + 1)}, step=step)
        run.log_text("note", f"step {step}: all fine", step)
    if mode == "raise" and step == 3:
        raise ValueError("the loss went sideways")
    if mode != "forever" and run.should_stop():
        folder = Path("ckpt") / f"step-{step}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "weights.bin").write_bytes(b"\0" * 16)
        run.checkpoint(folder, step, {"loss": 1.0 / (step + 1)})
        print(f"stopping at step {step} after should_stop", flush=True)
        break
    step += 1
    time.sleep(0.01)
