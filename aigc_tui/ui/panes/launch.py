"""Launch: pick a recipe, edit it in a validated form, pick a device, start a detached run.

Start checks the data, the model and the devices before it creates the run (seconds for a
classifier's labelled data), so that check runs on a thread while the pane says it is starting.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from aigc_tui.config import dump_toml
from aigc_tui.errors import AigcError, os_reason
from aigc_tui.launch import new_run, spawn_worker
from aigc_tui.launch.devices import GpuInfo, list_gpus
from aigc_tui.paths import config_dir, sample_configs_dir
from aigc_tui.runs.queue import holders
from aigc_tui.ui.confirm import ConfirmScreen
from aigc_tui.ui.messages import FormChanged, RunStarted
from aigc_tui.ui.panes.launch_loads import RecipeLoads
from aigc_tui.ui.widgets.clamped_text import ClampedText
from aigc_tui.ui.widgets.config_form import ConfigForm
from aigc_tui.ui.widgets.text_fields import FieldInput
from aigc_tui.user_recipes import RecipeExists, save_recipe

DEFAULT_RECIPE = "gan_mlp_digits"


def recipe_paths() -> list[Path]:
    """Shipped recipes, then the user's own (config dir `recipes/`)."""
    found = []
    for folder in (sample_configs_dir(), config_dir() / "recipes"):
        if folder.is_dir():
            found += sorted(folder.glob("*.toml"))
    return found


class LaunchPane(RecipeLoads):
    BINDINGS = [Binding("ctrl+s", "start", "Start run", id="launch.start")]  # not priority: see text_fields
    DEFAULT_CSS = """
    /* wide enough for every shipped recipe's name on one line; a longer one of yours ends in '…' */
    LaunchPane #recipes { width: 28; text-wrap: nowrap; text-overflow: ellipsis; }
    LaunchPane #launch-side { width: 1fr; }
    LaunchPane #launch-bar { height: 1; padding: 0 1; margin-bottom: 1; }
    LaunchPane #launch-bar Input { width: 1fr; max-width: 28; background: $boost; margin-right: 1; }
    LaunchPane #launch-bar Select { width: 1fr; min-width: 10; margin-right: 1; }
    LaunchPane #launch-bar Button { margin-right: 1; width: auto; min-width: 6; }
    LaunchPane #launch-errors { color: $error; height: auto; padding: 0 1; }
    LaunchPane #launch-errors.-starting { color: $text-muted; }
    LaunchPane #recipe-help { color: $text-muted; padding: 0 1; height: auto; }
    LaunchPane #gpus { height: auto; max-height: 6; display: none; }
    """

    def __init__(self, runs_dir: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runs_dir = runs_dir
        self.paths: list[Path] = []
        self.config: Any = None
        self.recipe_data: dict[str, Any] = {}
        self.gpu_count: int | None = None  # known once NVML answered; None leaves it to the worker
        self.starting = False  # a Start's check is running on its thread: Start is off meanwhile
        self._said = ""  # the error line shown under the bar (what a refused ^s repeats in a toast)

    def compose(self) -> ComposeResult:
        yield OptionList(id="recipes")
        with Vertical(id="launch-side"):
            yield ClampedText("Pick a recipe on the left.", max_lines=3, id="recipe-help")  # a long one: G34
            with Horizontal(id="launch-bar"):
                yield FieldInput(placeholder="run name", id="run-name", compact=True)
                yield Select([("auto", "auto"), ("cpu", "cpu")], value="auto", allow_blank=False, id="device",
                             compact=True)
                yield Button("Start ^s", variant="success", id="start", disabled=True, compact=True)
                yield Button("Save", id="save-recipe", disabled=True, compact=True)
            yield SelectionList[int](id="gpus")  # tick several GPUs: one process each (torchrun)
            yield Static("", id="launch-errors")
            yield VerticalScroll(id="form-holder")

    def on_mount(self) -> None:
        self.load_devices()
        first = self.reload_recipes()
        if first is not None:  # its turn is taken now: a fork or fine-tune asked for after the mount wins
            self.run_worker(self._load(self._take_ticket(), first, None), group="recipe-load")

    def reload_recipes(self) -> Path | None:
        """List the recipes; the one highlighted first (not loaded here) when none was."""
        self.paths = recipe_paths()
        options = self.query_one("#recipes", OptionList)
        options.clear_options()
        for path in self.paths:
            user = "" if path.parent == sample_configs_dir() else "  (yours)"
            options.add_option(Option(f"{path.stem}{user}", id=str(path)))
        if not self.paths or options.highlighted is not None:
            return None
        stems = [p.stem for p in self.paths]
        index = stems.index(DEFAULT_RECIPE) if DEFAULT_RECIPE in stems else 0
        with self.prevent(OptionList.OptionHighlighted):  # on_mount loads it, in turn with other loads
            options.highlighted = index
        return self.paths[index]

    @work(thread=True, exclusive=True, group="gpus")
    def load_devices(self) -> None:
        gpus = list_gpus()
        held = holders(self.runs_dir, "gpu") if gpus else {}
        self.gpu_count = len(gpus)
        choices = [("auto", "auto")] + [(g.label, f"cuda:{g.index}") for g in gpus] + [("cpu", "cpu")]
        self.app.call_from_thread(self.query_one("#device", Select).set_options, choices)
        self.app.call_from_thread(self._show_gpus, gpus, held)

    def _show_gpus(self, gpus: list[GpuInfo], held: dict[int, str]) -> None:
        """The multi-select: several ticked GPUs train one run, a process each (queued if busy)."""
        picker = self.query_one("#gpus", SelectionList)
        picker.clear_options()
        picker.add_options([Selection(g.label + (f"  (held by {held[g.index]})" if g.index in held else ""), g.index)
                            for g in gpus])
        picker.border_title = "GPUs for this run (several: torchrun, one process each)"
        picker.display = bool(gpus)

    async def _show_recipe(self, path: Path, data: dict[str, Any] | None) -> None:
        if data is None:
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                await self._show_unreadable(path, "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc))
                return
        data.setdefault("name", path.stem)
        self.recipe_data = data
        holder = self.query_one("#form-holder", VerticalScroll)
        await holder.remove_children()
        form = ConfigForm(data, id="config-form")
        await holder.mount(form)
        self.query_one("#recipe-help", Static).update(f"[b]{escape(path.stem)}[/b]  {escape(str(data.get('description', '')))}")
        self.query_one("#run-name", Input).value = str(data.get("name", path.stem))
        device = str(data.get("run", {}).get("device", "auto"))
        select = self.query_one("#device", Select)
        if device in [v for _, v in select._options]:
            select.value = device

    async def _show_unreadable(self, path: Path, why: str) -> None:
        """No form, nothing to start or save: Start must never launch the recipe shown before."""
        await self.query_one("#form-holder", VerticalScroll).remove_children()
        self.config, self.recipe_data = None, {}  # after: the old form's last FormChanged may land meanwhile
        self.query_one("#recipe-help", Static).update(f"[b]{escape(path.stem)}[/b]  cannot be read")
        self._say(f"{path.name}: {why}")
        self.query_one("#start", Button).disabled = self.query_one("#save-recipe", Button).disabled = True

    @on(FormChanged)
    def _form_changed(self, event: FormChanged) -> None:
        holder = self.query_one("#form-holder")
        if not holder.children or event.form is not holder.children[0] or not event.form.is_attached:
            return  # a replaced form's late message
        self.config = event.config
        if not self.starting or event.errors:  # keep "starting…" up unless the edit broke the form
            self._say("\n".join(event.errors))
        self.query_one("#start", Button).disabled = event.config is None or self.starting
        self.query_one("#save-recipe", Button).disabled = event.config is None

    def _final_config(self) -> Any:
        form = self.query_one(ConfigForm)
        config, errors = form.check()
        if config is None:
            self._say("\n".join(errors))
            return None
        name = self.query_one("#run-name", Input).value.strip() or config.name
        device = self.query_one("#device", Select).value
        run = {"device": device}
        ticked = sorted(self.query_one("#gpus", SelectionList).selected)
        if ticked:
            run = {"device": "cuda", "gpus": ",".join(map(str, ticked))}
        return config.model_copy(update={"name": name, "run": config.run.model_copy(update=run)})

    def action_start(self) -> None:
        if not self.starting and not self._settled():
            self.run_worker(self._start_when_settled(), group="start-settled", exclusive=True)
        else:
            self._start_now()

    def _start_now(self) -> None:
        # the form as typed now, not the button's state, which lags behind keys typed just before ^s
        if not self.starting and self.query(ConfigForm):
            self.start()
        else:  # ^s never looks dead: say why nothing starts, where the user is looking (G34)
            self._cannot_start()

    def _cannot_start(self) -> None:
        errors = self._said.splitlines() if not self.starting else ["a start is already being checked"]
        line = errors[0] if errors else "pick a recipe on the left first"
        more = f" (and {len(errors) - 1} more above the form)" if len(errors) > 1 else ""
        self.query_one("#launch-errors").scroll_visible(animate=False)
        self.notify(line + more, title="Cannot start", severity="error" if errors else "warning")

    @on(Button.Pressed, "#start")
    def start(self) -> None:
        if self.starting:
            return
        config = self._final_config()
        if config is None:
            self._cannot_start()
            return
        self.starting = True
        self.query_one("#start", Button).disabled = True
        self._say(f"starting {config.name}: checking the data, the model and the device…", starting=True)
        self._start(config)

    @work(thread=True, group="launch-start", exit_on_error=False)
    def _start(self, config: Any) -> None:
        """Check (data, model, devices), create the run directory and start its worker, off the UI thread."""
        notes: list[str] = []  # e.g. which checkpoint `model.pretrained` resolved to
        try:
            run = new_run(self.runs_dir, config, self.gpu_count, notify=notes.append)
            spawn_worker(run, new=True)
        except AigcError as exc:
            self.app.call_from_thread(self._start_failed, str(exc), exc.one_line())
        except OSError as exc:  # a full disk, permissions: which file, not only the errno
            self.app.call_from_thread(self._start_failed, os_reason(exc), os_reason(exc))
        except Exception as exc:  # noqa: BLE001 - never leave the pane saying "starting" forever
            self.app.call_from_thread(self._start_failed, f"{type(exc).__name__}: {exc}", f"{type(exc).__name__}: {exc}")
        else:
            self.app.call_from_thread(self._started, run.id, notes)

    def _start_done(self) -> None:
        self.starting = False
        self.query_one("#start", Button).disabled = self.config is None

    def _start_failed(self, message: str, line: str) -> None:
        self._start_done()
        self._say(message)
        self.notify(line, title="Cannot start", severity="error")

    def _started(self, run_id: str, notes: list[str]) -> None:
        self._start_done()
        self._say("")
        self.notify("; ".join([f"started {run_id}", *notes]), title="Launch")
        if self.app.query_one("TabbedContent").active == "launch":  # the user went elsewhere meanwhile: stay there
            self.post_message(RunStarted(run_id))

    def _say(self, line: str, starting: bool = False) -> None:
        """The line under the bar: the form's errors, or (muted) that a start is being checked."""
        errors = self.query_one("#launch-errors", Static)
        errors.set_class(starting, "-starting")
        errors.update(escape(line))
        self._said = "" if starting else line

    @on(Button.Pressed, "#save-recipe")
    def save_recipe(self) -> None:
        config = self._final_config()
        if config is None:
            return
        folder, text = config_dir() / "recipes", dump_toml(config)

        def save(overwrite: bool | None = False) -> None:
            if overwrite is None:
                return
            try:
                path = save_recipe(folder, config.name, text, overwrite=overwrite)
            except RecipeExists as exc:
                self.app.push_screen(ConfirmScreen(f"{exc.message}. Overwrite it?", yes="Overwrite (y)"),
                                     lambda yes: save(True if yes else None))
                return
            except AigcError as exc:
                self.notify(exc.one_line(), title="Recipe not saved", severity="error")
                return
            self.notify(f"saved {path}", title="Recipe saved")
            if path not in self.paths:  # listed without a reload, which would reset the form's edits
                self.paths.append(path)
                self.query_one("#recipes", OptionList).add_option(Option(f"{path.stem}  (yours)", id=str(path)))

        save()
