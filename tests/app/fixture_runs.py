"""Fixture run directories with fixed data and fixed times, for app tests and snapshots."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from PIL import Image, ImageDraw

os.environ.setdefault("AIGC_TUI_IMAGE", "halfcell")  # before textual_image is imported
os.environ["TZ"] = "UTC"  # checkpoint times in snapshots
time.tzset()

FIXED_NOW = 1_780_000_000.0


def _status(run_dir: Path, **fields) -> None:
    base = {"state": "finished", "pid": None, "pid_start": None, "host": "fixture-host", "device": "cpu (fp32)",
            "step": 0, "total_steps": 0, "started_at": FIXED_NOW - 3600, "updated_at": FIXED_NOW - 60,
            "ended_at": FIXED_NOW - 60, "error": None, "traceback": None, "throughput": None,
            "throughput_unit": ""}
    (run_dir / "status.json").write_text(json.dumps(base | fields))


def _checkpoint(run_dir: Path, step: int, kind: str, metrics: dict) -> None:
    folder = run_dir / "checkpoints" / f"step-{step:08d}"
    folder.mkdir(parents=True)
    (folder / "meta.json").write_text(json.dumps({"step": step, "time": FIXED_NOW - 3600 + step, "kind": kind,
                                                  "reason": "periodic", "metrics": metrics}))
    (folder / "model.safetensors").write_bytes(b"\0" * 2048)
    (folder / "config.toml").write_text((run_dir / "config.toml").read_text())


def sample_grid(variant: int, cols: int = 3, rows: int = 3, tile: int = 12, pad: int = 2) -> Image.Image:
    """A tiny make_grid-style sample grid (grey gutters, black tiles with a white glyph), fixed pixels."""
    img = Image.new("L", (pad + cols * (tile + pad), pad + rows * (tile + pad)), 38)
    draw = ImageDraw.Draw(img)
    for k in range(cols * rows):
        r, c = divmod(k, cols)
        x, y = pad + c * (tile + pad), pad + r * (tile + pad)
        draw.rectangle((x, y, x + tile - 1, y + tile - 1), fill=0)
        m = 2 + (k + variant) % 3  # a ring, a bar or a cross: legible only at an integer scale
        if (k + variant) % 3 == 0:
            draw.rectangle((x + m, y + m, x + tile - 1 - m, y + tile - 1 - m), outline=255)
        elif (k + variant) % 3 == 1:
            draw.rectangle((x + tile // 2 - 1, y + 2, x + tile // 2, y + tile - 3), fill=255)
        else:
            draw.line((x + 2, y + 2, x + tile - 3, y + tile - 3), fill=255)
            draw.line((x + tile - 3, y + 2, x + 2, y + tile - 3), fill=255)
    return img


def make_fixture_runs(root: Path) -> Path:
    """A finished GAN run, a finished LM run and a failed run: fixed data, fixed times."""
    root.mkdir(parents=True, exist_ok=True)
    gan = root / "20260101-000000-fixture-gan-aaaa"
    for sub in ("checkpoints", "samples", "control"):
        (gan / sub).mkdir(parents=True)
    (gan / "config.toml").write_text('kind = "gan"\nname = "fixture-gan"\n[run]\nsteps = 400\n'
                                     '[data]\nimage_size = 28\n')
    _status(gan, step=400, total_steps=400, throughput=2500.0, throughput_unit="images/s")
    with open(gan / "metrics.jsonl", "w") as f:
        for step in range(20, 401, 20):
            f.write(json.dumps({"step": step, "time": FIXED_NOW, "loss_d": 1.4 - step / 1000,
                                "loss_g": 0.7 + step / 800}) + "\n")
    for step in (200, 400):
        _checkpoint(gan, step, "gan", {"loss_d": 1.0, "loss_g": 1.2})
        sample_grid(step // 100).save(gan / "samples" / f"step-{step:08d}.png")
    (gan / "log.txt").write_text("[00:00:00] training fixture-gan\n[00:01:00] run ended finished at step 400\n")

    lm = root / "20260101-000100-fixture-lm-bbbb"
    for sub in ("checkpoints", "samples", "control"):
        (lm / sub).mkdir(parents=True)
    (lm / "config.toml").write_text('kind = "lm"\nname = "fixture-lm"\n[run]\nsteps = 300\nkeep_best = "val_loss"\n')
    _status(lm, step=300, total_steps=300, throughput=9000.0, throughput_unit="tokens/s", state="stopped")
    with open(lm / "metrics.jsonl", "w") as f:
        for step in range(10, 301, 10):
            rec = {"step": step, "time": FIXED_NOW, "loss": 8 - step / 60}
            if step % 100 == 0:
                rec["val_loss"] = 8.2 - step / 60
            f.write(json.dumps(rec) + "\n")
    _checkpoint(lm, 300, "lm", {"loss": 3.0, "val_loss": 3.2})
    (lm / "samples" / "step-00000300.txt").write_text("The function returns the value of the object.")
    (lm / "log.txt").write_text("[00:00:00] training fixture-lm\n")

    failed = root / "20260101-000200-fixture-failed-cccc"
    for sub in ("checkpoints", "samples", "control"):
        (failed / sub).mkdir(parents=True)
    (failed / "config.toml").write_text('kind = "gan"\nname = "fixture-failed"\n')
    _status(failed, state="failed", step=12, total_steps=100, error="DataError: image folder /x holds no images",
            traceback="Traceback (most recent call last):\n  ...\nDataError: image folder /x holds no images")
    (failed / "log.txt").write_text("[00:00:00] failed before training started\n")
    return root




def make_encoder_fixture_runs(root: Path) -> Path:
    """A finished MLM run and a classifier fine-tuned from it (parent in status.json, a dev
    confusion matrix): fixed data, fixed times."""
    root.mkdir(parents=True, exist_ok=True)
    mlm = root / "20260101-000300-fixture-mlm-dddd"
    for sub in ("checkpoints", "samples", "control"):
        (mlm / sub).mkdir(parents=True)
    (mlm / "config.toml").write_text('kind = "mlm"\nname = "fixture-mlm"\n[run]\nsteps = 200\n')
    _status(mlm, step=200, total_steps=200, throughput=3000.0, throughput_unit="tokens/s")
    with open(mlm / "metrics.jsonl", "w") as f:
        for step in range(20, 201, 20):
            f.write(json.dumps({"step": step, "time": FIXED_NOW, "loss": 7 - step / 50,
                                "mlm_accuracy": step / 1000}) + "\n")
    _checkpoint(mlm, 200, "mlm", {"loss": 3.0, "val_loss": 3.4})
    (mlm / "samples" / "step-00000200.txt").write_text("The [MASK] statement -> The return statement")
    (mlm / "log.txt").write_text("[00:00:00] training fixture-mlm\n")

    clf = root / "20260101-000400-fixture-classify-eeee"
    for sub in ("checkpoints", "samples", "control"):
        (clf / sub).mkdir(parents=True)
    (clf / "config.toml").write_text('kind = "classify"\nname = "fixture-classify"\n[run]\nsteps = 100\n'
                                     f'[model]\npretrained = "{mlm}/checkpoints/step-00000200"\n')
    parent = {"run": mlm.name, "run_dir": str(mlm), "step": 200, "how": "fine-tune",
              "checkpoint": f"{mlm}/checkpoints/step-00000200"}
    _status(clf, step=100, total_steps=100, throughput=40.0, throughput_unit="examples/s", parent=parent)
    with open(clf / "metrics.jsonl", "w") as f:
        for step in range(10, 101, 10):
            rec = {"step": step, "time": FIXED_NOW, "loss": 1.1 - step / 200}
            if step % 50 == 0:
                rec |= {"val_loss": 1.0 - step / 300, "val_accuracy": 0.4 + step / 500, "val_f1": 0.3 + step / 500}
            f.write(json.dumps(rec) + "\n")
    _checkpoint(clf, 100, "classify", {"loss": 0.6, "val_accuracy": 0.6})
    (clf / "confusion.json").write_text(json.dumps({
        "step": 100, "labels": ["asyncio", "email", "logging"], "matrix": [[9, 1, 2], [2, 7, 1], [1, 0, 8]],
        "val_accuracy": 24 / 31, "val_f1": 0.77, "baseline_accuracy": 12 / 31}))
    (clf / "samples" / "step-00000100.txt").write_text(
        "'Return the running event loop.'\n  true asyncio; asyncio 0.81, logging 0.11, email 0.08\n")
    (clf / "log.txt").write_text("[00:00:00] training fixture-classify\n")
    return root
