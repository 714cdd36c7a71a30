"""Generate: prompt an LM with streaming tokens, or draw GAN grids, through the helper process."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea

from aigc_tui.generate.history import add_history, load_history
from aigc_tui.paths import app_home
from aigc_tui.runs import CheckpointInfo, list_runs
from aigc_tui.ui.widgets.sample_image import SampleImage

SHORT = {"max_new_tokens": "max", "temperature": "temp", "top_k": "top-k", "top_p": "top-p",
         "repetition_penalty": "rep", "num_samples": "n"}
PARAMS = [("max_new_tokens", "200", int), ("temperature", "0.8", float), ("top_k", "50", int),
          ("top_p", "1.0", float), ("repetition_penalty", "1.0", float), ("seed", "0", int),
          ("num_samples", "1", int)]


def model_choices(runs_dir: Path) -> list[tuple[str, str, str]]:
    """(label, path, kind) for every checkpoint, newest run first."""
    out = []
    for run in reversed(list_runs(runs_dir)):
        for ckpt in reversed(run.checkpoints()):
            out.append((f"{run.name} / {ckpt.name} ({ckpt.kind})", str(ckpt.path), ckpt.kind))
    return out


class GeneratePane(Vertical):
    BINDINGS = [
        Binding("ctrl+g", "generate", "Generate", id="gen.generate", priority=True),
        Binding("escape", "stop", "Stop", id="gen.stop"),
        Binding("ctrl+r", "reload_models", "Reload models", id="gen.reload", show=False),
    ]
    DEFAULT_CSS = """
    GeneratePane #gen-model-bar, GeneratePane #gen-params, GeneratePane #gan-bar { height: 3; }
    GeneratePane #gen-model { width: 2fr; }
    GeneratePane #gen-model-path { width: 1fr; }
    GeneratePane #gen-params Input { width: 1fr; }
    GeneratePane #gen-params Label { padding: 1 0 0 1; }
    GeneratePane #gen-prompt-row { height: 7; }
    GeneratePane #gen-prompt { width: 1fr; }
    GeneratePane #gen-history { width: 32; }
    GeneratePane #gen-buttons { height: 3; }
    GeneratePane #gen-stats { height: 1; color: $text-muted; padding: 0 1; }
    GeneratePane #gen-output { height: 1fr; }
    GeneratePane #gan-image { height: 1fr; width: auto; }
    GeneratePane #gan-bar Input { width: 14; }
    """

    def __init__(self, runs_dir: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runs_dir = runs_dir
        self.kinds: dict[str, str] = {}
        self.request: str | None = None
        self.started = 0.0
        self.last_image: Path | None = None
        self._samples_started: set[int] = set()  # samples of the current request given a header

    def compose(self) -> ComposeResult:
        with Horizontal(id="gen-model-bar"):
            yield Select([], prompt="model: a checkpoint", id="gen-model")
            yield Input(placeholder="or a model dir / HF id", id="gen-model-path")
        with Vertical(id="lm-controls"):
            with Horizontal(id="gen-params"):
                for name, default, kind in PARAMS:
                    yield Label(SHORT.get(name, name))
                    yield Input(default, id=f"p-{name}", type="integer" if kind is int else "number")
            with Horizontal(id="gen-prompt-row"):
                yield TextArea("def ", id="gen-prompt")
                yield OptionList(id="gen-history")
            with Horizontal(id="gen-buttons"):
                yield Button("Generate (ctrl+g)", variant="success", id="gen-go")
                yield Button("Stop (esc)", variant="error", id="gen-stop", disabled=True)
            yield Static("", id="gen-stats")
            yield TextArea("", id="gen-output", read_only=True, soft_wrap=True)
        with Vertical(id="gan-controls"):
            with Horizontal(id="gan-bar"):
                yield Input("0", id="gan-seed", type="integer", placeholder="seed")
                yield Input("1", id="gan-seed-b", type="integer", placeholder="seed B")
                yield Button("Grid", id="gan-grid", variant="success")
                yield Button("Interpolate", id="gan-interp")
                yield Input("grid.png", id="gan-save-path")
                yield Button("Save PNG", id="gan-save", disabled=True)
            yield Static("", id="gan-status")
            yield SampleImage(id="gan-image")

    def on_mount(self) -> None:
        self.query_one("#gan-controls").display = False
        self.action_reload_models()
        self._fill_history()

    def _fill_history(self) -> None:
        self._history = list(reversed(load_history(50)))  # newest first, no duplicates
        history = self.query_one("#gen-history", OptionList)
        history.clear_options()
        for entry in self._history:
            history.add_option(entry.prompt.replace("\n", "⏎")[:60])

    @work(thread=True, exclusive=True, group="gen-models", exit_on_error=False)
    def action_reload_models(self, select: str | None = None) -> None:
        choices = model_choices(self.runs_dir)
        self.app.call_from_thread(self._set_models, choices, select)

    def _set_models(self, choices: list[tuple[str, str, str]], select: str | None) -> None:
        self.kinds = {path: kind for _, path, kind in choices}
        model = self.query_one("#gen-model", Select)
        if select is None and model.value != Select.BLANK:
            select = str(model.value)  # a refresh keeps the user's choice
        model.set_options([(label, path) for label, path, _ in choices])
        if select and select in self.kinds:
            model.value = select

    def open_checkpoint(self, ckpt: CheckpointInfo) -> None:
        self.action_reload_models(str(ckpt.path))

    @property
    def model_ref(self) -> str:
        typed = self.query_one("#gen-model-path", Input).value.strip()
        chosen = self.query_one("#gen-model", Select).value
        return typed or (str(chosen) if chosen != Select.BLANK else "")

    @on(Select.Changed, "#gen-model")
    @on(Input.Changed, "#gen-model-path")
    def _model_changed(self) -> None:
        gan = self.kinds.get(self.model_ref) == "gan"
        hidden = self.query_one("#lm-controls" if gan else "#gan-controls")
        self.query_one("#gan-controls").display = gan
        self.query_one("#lm-controls").display = not gan
        focused = self.app.focused
        if focused is None or hidden in focused.ancestors:  # focus must not stay on a hidden field
            self.focus_main()

    def focus_main(self) -> None:
        """The prompt for an LM, the seed for a GAN: whichever is on screen."""
        gan = self.query_one("#gan-controls").display
        self.query_one("#gan-seed" if gan else "#gen-prompt").focus()

    @on(OptionList.OptionSelected, "#gen-history")
    def _recall(self, event: OptionList.OptionSelected) -> None:
        entry = self._history[event.option_index]
        self.query_one("#gen-prompt", TextArea).text = entry.prompt
        for name, value in entry.params.items():
            if self.query(f"#p-{name}"):
                self.query_one(f"#p-{name}", Input).value = str(value)

    def _params(self) -> dict[str, Any] | None:
        params = {}
        for name, _, kind in PARAMS:
            raw = self.query_one(f"#p-{name}", Input).value.strip()
            try:
                params[name] = kind(raw)
            except ValueError:
                self.query_one("#gen-stats", Static).update(f"[red]{name} = {raw!r}: not a number[/]")
                return None
        return params

    @on(Button.Pressed, "#gen-go")
    def action_generate(self) -> None:
        if self.query_one("#gan-controls").display:
            self.gan_grid()
            return
        if self.request is not None:
            self.notify("a generation is running; stop it first (esc)", severity="warning")
            return
        model = self.model_ref
        if not model:
            self.query_one("#gen-stats", Static).update("[red]pick a model: a checkpoint, a model dir or an HF id[/]")
            return
        params = self._params()
        if params is None:
            return
        prompt = self.query_one("#gen-prompt", TextArea).text
        add_history(prompt, params, model)
        self._fill_history()
        output = self.query_one("#gen-output", TextArea)
        output.text = prompt
        self.query_one("#gen-stats", Static).update("loading model…")
        self.query_one("#gen-go", Button).disabled = True
        self.query_one("#gen-stop", Button).disabled = False
        self.started = time.perf_counter()
        self.request = self.app.generation.generate(model, prompt, device="auto", **params)

    @on(Button.Pressed, "#gen-stop")
    def action_stop(self) -> None:
        if self.request is not None:
            self.app.generation.cancel(self.request)
            self.query_one("#gen-stats", Static).update("stopping…")

    def _finish(self) -> None:
        self.request = None
        self.query_one("#gen-go", Button).disabled = False
        self.query_one("#gen-stop", Button).disabled = True

    def handle_event(self, event: dict[str, Any]) -> None:
        """Events from the helper, delivered on the UI thread."""
        if event.get("id") != self.request:
            return
        kind = event["event"]
        stats = self.query_one("#gen-stats", Static)
        output = self.query_one("#gen-output", TextArea)
        if kind == "loaded":
            stats.update(f"generating with {Path(event['model']).name}…")
        elif kind == "text":
            sample = event.get("sample", 0)
            if sample > 0 and sample not in self._samples_started:
                self._samples_started.add(sample)
                output.insert(f"\n\n--- sample {event['sample'] + 1} ---\n" + self.query_one("#gen-prompt", TextArea).text,
                              output.document.end)
            output.insert(event["text"], output.document.end)
            output.scroll_end(animate=False)
        elif kind == "done":
            s = event.get("stats") or {}
            first = s.get("first_token_s")
            note = "  (stopped)" if event.get("cancelled") else ""
            stats.update(f"{s.get('new_tokens', 0)} tokens  first token {first * 1000:.0f} ms  "
                         f"{s.get('tokens_per_s', 0):.1f} tokens/s{note}" if first is not None else f"no tokens{note}")
            self._samples_started.clear()
            self._finish()
        elif kind == "error":
            stats.update(f"[red]error: {event['message']}[/]")
            self._finish()
        elif kind == "image":
            self.last_image = Path(event["path"])
            self.query_one("#gan-image", SampleImage).image = self.last_image
            self.query_one("#gan-status", Static).update(f"{self.last_image.name}")
            self.query_one("#gan-save", Button).disabled = False
            self.request = None

    def _seed(self, widget_id: str) -> int | None:
        raw = self.query_one(widget_id, Input).value.strip()
        try:
            return int(raw)
        except ValueError:
            self.query_one("#gan-status", Static).update(f"[red]seed {raw!r} is not a whole number[/]")
            return None

    def _out_path(self, tag: str) -> Path:
        folder = app_home() / "generated"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{tag}.png"

    @on(Button.Pressed, "#gan-grid")
    def gan_grid(self) -> None:
        seed = self._seed("#gan-seed")
        if seed is None or not self.model_ref:
            return
        self.query_one("#gan-status", Static).update("drawing…")
        self.request = self.app.generation.gan_grid(self.model_ref, self._out_path(f"s{seed}"), n=64, seed=seed)

    @on(Button.Pressed, "#gan-interp")
    def gan_interpolate(self) -> None:
        a, b = self._seed("#gan-seed"), self._seed("#gan-seed-b")
        if a is None or b is None or not self.model_ref:
            return
        self.query_one("#gan-status", Static).update("drawing…")
        self.request = self.app.generation.gan_interpolate(self.model_ref, self._out_path(f"s{a}-s{b}"), a, b, steps=10)

    @on(Button.Pressed, "#gan-save")
    def save_png(self) -> None:
        if self.last_image is None:
            return
        target = Path(self.query_one("#gan-save-path", Input).value.strip() or "grid.png").expanduser()
        if target.suffix.lower() != ".png":
            self.query_one("#gan-status", Static).update(f"[red]{target}: the file name must end in .png[/]")
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.last_image, target)
        except OSError as exc:
            self.query_one("#gan-status", Static).update(f"[red]could not save {target}: {exc.strerror}[/]")
            return
        self.notify(f"saved {target.resolve()}")
