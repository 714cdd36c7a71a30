"""Generate: prompt an LM with streaming tokens (optionally on two checkpoints side by side),
draw GAN grids, or fill masks / classify text with an encoder, through the helper process."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea

from aigc_tui.generate.stops import parse_stops
from aigc_tui.runs import CheckpointInfo
from aigc_tui.ui import clipboard, gen_choices
from aigc_tui.ui.gen_choices import ENCODER_KINDS, PARAMS, SHORT, model_choices, picked, read_params
from aigc_tui.ui.gen_errors import error_line, gone_checkpoint, newest_instead, pruned_line
from aigc_tui.ui.gen_focus import field_action, focus_field, focus_home
from aigc_tui.ui.gen_recall import recall
from aigc_tui.ui.gen_stats import done_line
from aigc_tui.ui.markup import literal
from aigc_tui.ui.widgets.encoder_view import EncoderView
from aigc_tui.ui.widgets.gan_panel import GanPanel
from aigc_tui.ui.widgets.output_area import OutputArea
from aigc_tui.ui.widgets.prompt_history import PromptHistory
from aigc_tui.ui.widgets.text_fields import FieldInput, FieldTextArea

NO_MODEL = "[red]pick a model first: a checkpoint, a model dir or an HF id[/]"


class GeneratePane(Vertical):
    BINDINGS = [
        Binding("ctrl+g", "generate", "Generate", id="gen.generate"),  # after the keys typed before it
        # the footer names what ctrl+g does for the model picked, as its button does (check_action shows one)
        *(Binding("ctrl+g", action, label, id=f"gen.{action}") for action, label in
          (("classify", "Classify"), ("fill_mask", "Fill mask"), ("grid", "Grid"))),
        Binding("ctrl+t", "stop", "Stop", id="gen.stop", priority=True),
        Binding("ctrl+y", "copy_output", "Copy", id="gen.copy", priority=True),
        Binding("ctrl+r", "reload_models", "Reload models", id="gen.reload", show=False),
        *(Binding("p", action, label, id=f"gen.{action}") for action, label in  # into the text field
          (("type_prompt", "Prompt"), ("type_seed", "Seed"), ("type_text", "Text"))),
    ]
    DEFAULT_CSS = """
    GeneratePane #gen-model-bar, GeneratePane #gen-params, GeneratePane #gen-buttons { height: 1; }
    GeneratePane #gen-params { overflow-x: auto; scrollbar-size-horizontal: 0; }  /* huge values: the focused one shows */
    GeneratePane #gen-model, GeneratePane #gen-model-b { width: 1fr; margin-right: 1; }
    GeneratePane #gen-model-path { width: 24; }
    GeneratePane #gen-params Label { padding: 0 0 0 1; }
    GeneratePane #gen-params Input { width: auto; min-width: 4; padding: 0 0 0 1; background: $boost; }
    GeneratePane #gen-buttons #gen-stops, GeneratePane #gen-prompt { width: 1fr; }
    GeneratePane #gen-prompt-row { height: 5; margin-top: 1; }
    GeneratePane #gen-prompt, GeneratePane #gen-output, GeneratePane #gen-output-b { background: $boost; }
    GeneratePane #gen-output-b { margin-left: 1; display: none; }
    GeneratePane #gen-history { width: 28; }
    GeneratePane #gen-buttons Button { margin-right: 1; width: auto; min-width: 0; }
    GeneratePane #gen-stats { height: auto; max-height: 2; color: $text-muted; }
    GeneratePane #gen-outputs { height: 1fr; min-height: 8; }
    GeneratePane.-compare #gen-output-b { display: block; }
    """

    def __init__(self, runs_dir: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runs_dir = runs_dir
        self.kinds: dict[str, str] = {}
        self.labels: dict[str, str] = {}  # checkpoint path -> its picker label
        self.requests: dict[str, str] = {}  # request id -> the output it streams into
        self.request: str | None = None  # the newest request
        self.started, self.prompt_sent = 0.0, ""  # the prompt of the generation running: each sample's header
        self._unsaved: tuple[str, dict[str, Any], str, str] | None = None  # the request's history entry
        self._samples_started: set[tuple[str, int]] = set()
        self._wanted: str | None = None  # the checkpoint `g` opened, until a model listing shows it
        self._no_model_said = False  # the stats line says "pick a model first"

    def compose(self) -> ComposeResult:
        with Horizontal(id="gen-model-bar"):
            yield Select([], prompt="model: a checkpoint", id="gen-model", compact=True)
            yield Select([], prompt="vs: another (side by side)", id="gen-model-b", compact=True)
            yield FieldInput(placeholder="or a model dir / HF id", id="gen-model-path", compact=True)
        with Vertical(id="lm-controls"):
            with Horizontal(id="gen-params"):
                for name, default, kind in PARAMS:
                    yield Label(SHORT.get(name, name))
                    yield FieldInput(default, id=f"p-{name}", type="integer" if kind is int else "number", compact=True)
            with Horizontal(id="gen-prompt-row"):
                yield FieldTextArea("def ", id="gen-prompt", compact=True)
                yield PromptHistory(id="gen-history", compact=True)
            with Horizontal(id="gen-buttons"):
                yield Button("Generate ^g", variant="success", id="gen-go", compact=True)
                yield Button("Stop ^t", variant="error", id="gen-stop", disabled=True, compact=True)
                yield Button("Copy ^y", id="gen-copy", compact=True)
                yield FieldInput(placeholder="stop at (comma-separated): \\n\\n, ###", id="gen-stops", compact=True)
            yield Static("", id="gen-stats")
            with Horizontal(id="gen-outputs"):
                yield OutputArea(id="gen-output")
                yield OutputArea(id="gen-output-b")
        yield GanPanel(id="gan-controls")
        yield EncoderView(id="enc-controls")

    def on_mount(self) -> None:
        self.query_one("#gan-controls").display = False
        self.query_one("#enc-controls").display = False
        self.action_reload_models()

    @work(thread=True, exclusive=True, group="gen-models", exit_on_error=False)
    def action_reload_models(self) -> None:
        choices = model_choices(self.runs_dir)
        self.app.call_from_thread(self._set_models, choices)

    def _set_models(self, choices: list[tuple[str, str, str]]) -> None:
        """Any listing applies `g`'s checkpoint: the group may cancel open_checkpoint's before it ran."""
        before, self.kinds, self.labels = self.labels, {p: kind for _, p, kind in choices}, {p: label for label, p, _ in choices}
        for widget_id, main in (("#gen-model", True), ("#gen-model-b", False)):
            model = self.query_one(widget_id, Select)
            current = None if model.is_blank() else str(model.value)
            options, value = picked(choices, current, self._wanted if main else None, lm_only=not main)
            model.set_options(options)
            if value:
                model.value = value
            if main and (line := pruned_line(current, value, before, self.labels)):
                self.notify(line)
        if self._wanted in self.kinds:
            self._wanted = None  # shown; from now on a reload keeps whatever the user picks

    def open_checkpoint(self, ckpt: CheckpointInfo) -> None:
        self._wanted = str(ckpt.path)
        self.action_reload_models()

    @property
    def model_ref(self) -> str:
        chosen = self.query_one("#gen-model", Select)  # a model typed in the field first
        return self.query_one("#gen-model-path", Input).value.strip() or ("" if chosen.is_blank() else str(chosen.value))

    @property
    def model_b(self) -> str:
        chosen = self.query_one("#gen-model-b", Select)
        return "" if chosen.is_blank() else str(chosen.value)

    @on(Select.Changed, "#gen-model")
    @on(Select.Changed, "#gen-model-b")
    @on(Input.Changed, "#gen-model-path")
    def _model_changed(self) -> None:
        kind = self.kinds.get(self.model_ref, "lm")
        gan, encoder = kind == "gan", kind in ENCODER_KINDS
        panel = self.query_one(GanPanel)
        panel.set_model(self.model_ref, gen_choices.side_name(self.model_ref, self.labels) if self.model_ref else "")
        panel.display = gan
        self.query_one("#enc-controls").display = encoder
        if encoder:
            self.query_one(EncoderView).set_model(self.model_ref, kind)
        self.query_one("#lm-controls").display = not gan and not encoder
        if self._no_model_said and self.model_ref:
            self._stats("")  # a model is picked now: the refusal is stale (accept8)
        self.query_one("#gen-model-b").display = not gan and not encoder
        self.set_class(bool(self.model_b) and not gan and not encoder, "-compare")
        focused = self.app.focused
        hidden = [w for w in (panel, self.query_one("#enc-controls"), self.query_one("#lm-controls")) if not w.display]
        if self.region.area and focused is not None and any(w in focused.ancestors for w in hidden):
            self.focus_main()  # focus must not stay on a hidden control (never pulled in from another tab)
        self.refresh_bindings()  # the footer's ctrl+g label

    def catch_up(self) -> None:
        """Before a key's action: a model picked in the same burst as ctrl+g (`Up Enter ^g`, its Changed
        message still queued) is the one drawn with (tester10 T10)."""
        if self.query_one(GanPanel).model_ref != self.model_ref:
            self._model_changed()

    def focus_main(self) -> None:
        focus_home(self)  # a button, never a text field (accept8 J1)

    def action_type_prompt(self) -> None:
        focus_field(self)

    action_type_seed = action_type_text = action_type_prompt

    @on(OptionList.OptionSelected, "#gen-history")
    def _recall(self, event: OptionList.OptionSelected) -> None:
        recall(self, self.query_one(PromptHistory).entries[event.option_index])

    def _stats(self, text: str) -> None:
        self._no_model_said = text == NO_MODEL
        self.query_one("#gen-stats", Static).update(text)

    def _params(self) -> dict[str, Any] | None:
        params = read_params({name: self.query_one(f"#p-{name}", Input).value for name, _, _ in PARAMS})
        if isinstance(params, str):
            self._stats(f"[red]{literal(params)}[/]")
            return None
        return params

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        kind = self.kinds.get(self.model_ref, "lm") if self.is_mounted else "lm"
        if action.startswith("type_"):
            return action == field_action(kind, ENCODER_KINDS)
        if action not in ("generate", "classify", "fill_mask", "grid"):
            return True
        return action == {"gan": "grid", "mlm": "fill_mask"}.get(kind, "classify" if kind in ENCODER_KINDS else "generate")

    @on(Button.Pressed, "#gen-go")
    def action_generate(self) -> None:
        if listed := gen_choices.listed_checkpoint(self.runs_dir, self.model_ref, list(self.kinds)):
            self.query_one("#gen-model-path", Input).value = ""  # a run typed (`g1`) is used as if picked:
            self.query_one("#gen-model", Select).value = listed  # a GAN draws its grid, an encoder opens
            self._model_changed()
        if self.query_one("#enc-controls").display:
            self.query_one(EncoderView).submit()
            return
        if self.query_one(GanPanel).display:
            self.query_one(GanPanel).grid()
            return
        if self.requests:
            self.notify("a generation is running; stop it first (ctrl+t)", severity="warning")
            return
        model = self.model_ref
        if (newer := newest_instead(model, self.labels)) is not None:  # its live run pruned it (tester7 H10)
            self._wanted = model = newer[0]
            self.notify(newer[1])
            self.action_reload_models()  # the picker shows the one used
        if not model:
            self._stats(NO_MODEL)
            return
        params = self._params()
        if params is None:
            return
        prompt = self.prompt_sent = self.query_one("#gen-prompt", TextArea).text
        stops = self.query_one("#gen-stops", Input).value
        self._unsaved = (prompt, params, model, stops)  # kept once the helper accepts it ("loaded")
        self._stats("loading model…")
        self.query_one("#gen-go", Button).disabled = True
        self.query_one("#gen-stop", Button).disabled = False
        self.started = time.perf_counter()
        targets = [(model, "#gen-output")] + ([(self.model_b, "#gen-output-b")] if self.model_b else [])
        for ref, output_id in targets:
            output = self.query_one(output_id, TextArea)
            output.text = f"[{gen_choices.side_name(ref, self.labels)}]\n{prompt}" if self.model_b else prompt
            # the helper cuts each sample at its own stop string, then goes on to the next sample
            rid = self.app.generation.generate(ref, prompt, device="auto", stop=parse_stops(stops), **params)
            self.requests[rid] = output_id
            self.request = rid

    def action_classify(self) -> None:  # ctrl+g by the model's kind: the footer names it
        self.action_generate()

    action_fill_mask = action_grid = action_classify

    @on(Button.Pressed, "#gen-stop")
    def action_stop(self) -> None:
        for rid in list(self.requests):
            self.app.generation.cancel(rid)
        if self.requests:
            self._stats("stopping…")

    @on(Button.Pressed, "#gen-copy")
    def action_copy_output(self) -> None:
        """OSC 52 (ui/clipboard.py), also over SSH and in tmux: the LM's text, only when on screen."""
        text = "\n\n".join(t for o in ("#gen-output", "#gen-output-b") if self.query_one("#lm-controls").display
                           and self.query_one(o).display and (t := self.query_one(o, TextArea).text))
        self.notify(clipboard.copy_text(self.app, text) if text else "nothing to copy: ctrl+y copies generated text")

    def _finish(self, rid: str) -> None:
        self.requests.pop(rid, None)
        if not self.requests:
            self.request = self._unsaved = None  # _unsaved: refused (a bad setting or model), not history
            self.query_one("#gen-go", Button).disabled = False
            self.query_one("#gen-stop", Button).disabled = True

    def handle_event(self, event: dict[str, Any]) -> None:
        """Events from the helper, delivered on the UI thread."""
        if self.query_one(EncoderView).handle_event(event) or self.query_one(GanPanel).handle_event(event):
            return
        rid = event.get("id")
        if rid not in self.requests:
            return
        kind = event["event"]
        output = self.query_one(self.requests[rid], TextArea)
        if kind == "loaded":
            self._stats(f"generating with {Path(event['model']).name}…")
            if self._unsaved is not None:
                self.query_one(PromptHistory).keep(*self._unsaved)
                self._unsaved = None
        elif kind == "text":
            sample = event.get("sample", 0)
            if sample > 0 and (rid, sample) not in self._samples_started:
                self._samples_started.add((rid, sample))
                output.insert(f"\n\n--- sample {sample + 1} ---\n" + self.prompt_sent, output.document.end)
            output.insert(event["text"], output.document.end)
            output.scroll_end(animate=False)
        elif kind == "done":
            self._stats(done_line(event))
            self._finish(rid)
        elif kind == "error":
            ref = self.model_ref if self.requests[rid] == "#gen-output" else self.model_b
            self._stats(error_line(event["message"], ref, self.labels))
            if gone_checkpoint(ref, self.labels) is not None:
                self.action_reload_models()  # the dead entry leaves the picker
            self._finish(rid)
