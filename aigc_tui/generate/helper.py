"""The generation helper: `python -m aigc_tui.generate.helper [--runs-dir DIR]`.

Reads JSON-line requests on stdin, writes JSON-line events on stdout. It keeps the last
model loaded, serves requests one at a time, cancels on demand, and answers a bad request
with an error event instead of dying.

Requests: {"op": "generate", "id", "model", "prompt", "params": {...}}
          {"op": "gan_grid", "id", "checkpoint", "n", "seed", "out"}
          {"op": "gan_interpolate", "id", "checkpoint", "seed_a", "seed_b", "steps", "out"}
          {"op": "fill_mask", "id", "model", "text", "top_k"}   {"op": "classify", "id", "model", "text"}
          {"op": "cancel", "id"}   {"op": "shutdown"}
Events:   {"event": "ready"}  {"id", "event": "loaded", "model"}  {"id", "event": "text", "text", "sample"}
          (params may hold "stop": [strings]; each sample is cut at its own first stop string)
          {"id", "event": "done", "stats"}  {"id", "event": "image", "path"}  {"id", "event": "error", "message"}
          {"id", "event": "fill", "text", "guesses": [[{"token", "prob"}, ...] per mask]}
          {"id", "event": "probs", "probs": [[label, prob], ...] most likely first}
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from aigc_tui.errors import ConfigError, ModelError
from aigc_tui.paths import runs_root
from aigc_tui.runs.layout import WEIGHTS_FILE

_out_lock = threading.Lock()


def emit(**event: Any) -> None:
    with _out_lock:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()


class Helper:
    def __init__(self, runs_dir: Path) -> None:
        self.runs_dir = runs_dir
        self.loaded: tuple[str, Any, Any] | None = None  # (location, model, tokenizer)
        self.cancels: dict[str, threading.Event] = {}
        self.jobs: queue.Queue[dict[str, Any] | None] = queue.Queue()

    def model(self, ref: str, device: str, task: str = "lm") -> tuple[Any, Any, str]:
        from aigc_tui.generate.resolve import resolve_model
        from aigc_tui.models.device import resolve_device

        location = resolve_model(ref, self.runs_dir, kinds=(task,))
        key = f"{location}|{device}|{task}"
        if self.loaded is None or self.loaded[0] != key:
            self.loaded = None  # free the old model before loading the next
            if task == "lm":
                from aigc_tui.models.lm import load_pretrained

                model, tokenizer = load_pretrained(location)
            else:
                from aigc_tui.models.encoder import load_encoder

                model, tokenizer = load_encoder(location, task)
            model.to(resolve_device(device)).eval()
            self.loaded = (key, model, tokenizer)
        return self.loaded[1], self.loaded[2], location

    def encoder(self, req: dict[str, Any]) -> None:
        """fill_mask and classify: one forward pass, one answer event."""
        from aigc_tui.models.encoder import classify_text, fill_mask, read_tokens, truncation_note

        task = "mlm" if req["op"] == "fill_mask" else "classify"
        model, tokenizer, location = self.model(str(req["model"]), str(req.get("device", "cpu")), task)
        emit(id=req["id"], event="loaded", model=location)
        text = str(req.get("text", ""))
        if task == "classify":
            emit(id=req["id"], event="probs", probs=[[lab, p] for lab, p in classify_text(model, tokenizer, text)],
                 note=truncation_note(*read_tokens(model, tokenizer, text)))
            return
        guesses = fill_mask(model, tokenizer, text, top_k=int(req.get("top_k", 5)))
        best = text
        for options in guesses:
            best = best.replace(tokenizer.mask_token, options[0].token, 1)
        emit(id=req["id"], event="fill", text=best,
             guesses=[[{"token": g.token, "prob": g.prob} for g in options] for options in guesses])

    def generate(self, req: dict[str, Any]) -> None:
        from aigc_tui.models.lm_stream import GenerationParams, check_prompt_fits, stream_generate

        rid = req["id"]
        known = {f.name for f in fields(GenerationParams)}
        raw = req.get("params", {})
        unknown = set(raw) - known
        if unknown:
            raise ConfigError(f"unknown generation parameter(s): {', '.join(sorted(unknown))}")
        params = GenerationParams(**raw)
        params.check()
        model, tokenizer, location = self.model(str(req["model"]), str(req.get("device", "cpu")))
        check_prompt_fits(model, tokenizer, str(req.get("prompt", "")))  # before "loaded": the app keeps an accepted prompt
        emit(id=rid, event="loaded", model=location)
        cancel = self.cancels.setdefault(rid, threading.Event())
        totals: list[dict[str, Any]] = []
        for index in range(params.num_samples):
            if cancel.is_set():
                break
            if index:  # each later sample is announced, even one whose stop string comes first
                emit(id=rid, event="text", text="", sample=index)
            stats = stream_generate(
                model, tokenizer, str(req.get("prompt", "")), params,
                lambda text, i=index: emit(id=rid, event="text", text=text, sample=i),
                cancel=cancel, sample_index=index,
            )
            totals.append(asdict(stats) | {"tokens_per_s": stats.tokens_per_s})
        emit(id=rid, event="done", stats=totals[-1] if totals else {}, samples=totals, cancelled=cancel.is_set())

    def gan(self, req: dict[str, Any]) -> None:
        from aigc_tui.models.gan_sample import interpolation_grid, sample_grid

        checkpoint, out = Path(req["checkpoint"]), Path(req["out"])
        if not (checkpoint / WEIGHTS_FILE).is_file():
            raise ModelError(f"{checkpoint} is not a GAN checkpoint (no {WEIGHTS_FILE})")
        if req["op"] == "gan_grid":
            sample_grid(checkpoint, out, n=int(req.get("n", 64)), seed=int(req.get("seed", 0)))
        else:
            interpolation_grid(checkpoint, out, int(req["seed_a"]), int(req["seed_b"]), int(req.get("steps", 8)))
        emit(id=req["id"], event="image", path=str(out))

    def serve_jobs(self) -> None:
        while (req := self.jobs.get()) is not None:
            rid = req.get("id")
            try:
                if self.cancels.get(rid, threading.Event()).is_set():
                    emit(id=rid, event="done", stats={}, samples=[], cancelled=True)
                elif req["op"] == "generate":
                    self.generate(req)
                elif req["op"] in ("fill_mask", "classify"):
                    self.encoder(req)
                else:
                    self.gan(req)
            except Exception as exc:  # one bad request never takes the helper down
                message = f"{exc}".splitlines()[0] if str(exc) else type(exc).__name__
                emit(id=rid, event="error", message=message)
            finally:
                self.cancels.pop(rid, None)

    def run(self) -> None:
        worker = threading.Thread(target=self.serve_jobs, daemon=True)
        worker.start()
        emit(event="ready")
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                req = json.loads(line)
                op = req["op"]
            except (json.JSONDecodeError, KeyError, TypeError):
                emit(event="error", id=None, message=f"not a request: {line.strip()[:80]}")
                continue
            if op == "shutdown":
                break
            if op == "cancel":
                self.cancels.setdefault(req.get("id"), threading.Event()).set()
            elif op in ("generate", "gan_grid", "gan_interpolate", "fill_mask", "classify"):
                self.cancels[req.get("id")] = threading.Event()
                self.jobs.put(req)
            else:
                emit(id=req.get("id"), event="error", message=f"unknown op '{op}'")
        self.jobs.put(None)
        worker.join(timeout=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aigc_tui.generate.helper")
    parser.add_argument("--runs-dir", default=None)
    args = parser.parse_args(argv)
    from aigc_tui.models.quiet import quiet_libraries

    quiet_libraries()
    Helper(runs_root(args.runs_dir)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
