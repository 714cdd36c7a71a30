"""A form built from a recipe's pydantic schema: typed fields, defaults, inline errors."""

from __future__ import annotations

import tomllib
import types
import typing
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, Switch

from aigc_tui.config import ConfigError, validate
from aigc_tui.config.io import KINDS
from aigc_tui.ui.messages import FormChanged
from aigc_tui.ui.widgets.form_rules import DRIVERS, help_text, rules_for
from aigc_tui.ui.widgets.text_fields import FieldInput

SECTIONS = ("run", "data", "model", "train")
SKIP = {("run", "device")}  # the Launch pane's device picker owns it
# What an emptied optional field means, where "none" would mislead (an empty gpus list is not "no GPU").
EMPTY_MEANS = {("run", "gpus"): "the device picked"}
STACK_BELOW = 100  # terminal columns: narrower, a field's help goes under it and the field takes the row


def _base(annotation: Any) -> Any:
    """`int | None` -> int."""
    if get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _label_cells() -> int:
    """The label column: the longest field name of any kind, and a space (a wrapped
    "sample_temperatur" / "e" read as two fields)."""
    return 1 + max(len(key) for cls in KINDS.values() for section in SECTIONS
                   if (field := cls.model_fields.get(section)) is not None
                   for key in field.annotation.model_fields)


def _shown_bool(value: Any) -> bool:
    """What a switch shows for a recipe value: "false" (quoted in a hand edit) is off, as validation reads it."""
    try:
        return TypeAdapter(bool).validate_python(value)
    except ValidationError:
        return False  # not a yes/no at all: validation names it until the switch is toggled


def _field_id(section: str, key: str) -> str:
    return f"f-{section}-{key}"


class ConfigForm(Vertical):
    """Edits one recipe; posts `FormChanged` with the validated config or the error lines."""

    DEFAULT_CSS = f"""
    ConfigForm {{ height: auto; }}
    ConfigForm .section {{ text-style: bold; color: $primary; margin-top: 1; }}
    ConfigForm .row {{ height: auto; }}
    ConfigForm .row Label {{ width: {_label_cells()}; padding: 0 1 0 0; }}
    ConfigForm .row Input, ConfigForm .row Select {{ width: 1fr; min-width: 12; max-width: 30; }}
    ConfigForm .row Input {{ background: $boost; }}
    ConfigForm .row Switch {{ border: none; height: 1; padding: 0; width: 6; }}
    ConfigForm .row .help {{ width: 2fr; color: $text-muted; padding: 0 0 0 1; }}
    ConfigForm Input.-invalid, ConfigForm Select.-invalid {{ background: $error 40%; }}
    /* at 80 columns a field beside its help had 12 cells: a model path or a --set value was unreadable */
    ConfigForm.-stacked .row {{ layout: grid; grid-size: 2; grid-columns: {_label_cells()} 1fr; grid-rows: auto; }}
    ConfigForm.-stacked .row Input, ConfigForm.-stacked .row Select {{ max-width: 100%; }}
    ConfigForm.-stacked .row .help {{ column-span: 2; width: 1fr; padding: 0 0 0 2; }}
    """

    def __init__(self, data: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data = data
        self.kind = data.get("kind", "gan")
        self.model_cls: type[BaseModel] = KINDS.get(self.kind, KINDS["gan"])
        defaults = self.model_cls.model_validate({"kind": self.kind}) if self.kind in KINDS else None
        self.defaults = defaults.model_dump(mode="json") if defaults else {}
        self.types: dict[tuple[str, str], Any] = {}
        self.fields: dict[tuple[str, str], Widget] = {}  # kept from compose: values() never queries the DOM
        self.rows: dict[tuple[str, str], Widget] = {}  # each field's row, which show_relevant hides
        self.loaded: dict[tuple[str, str], Any] = {}  # what a field shows before it is mounted
        self.optional: set[tuple[str, str]] = set()  # schema default None or "": an emptied field means none
        self._ready = False  # Select posts Changed while the form is still being composed
        self.toggled: set[str] = set()  # switches the user changed: a recipe's non-bool value no longer counts

    def compose(self) -> ComposeResult:
        if self.kind not in KINDS:  # no form to fill: the error line names the kinds there are
            return
        for section in SECTIONS:
            field = self.model_cls.model_fields.get(section)
            if field is None:
                continue
            section_cls = field.annotation
            yield Label(f"── {section} ──", classes="section", markup=False)
            values = {**self.defaults.get(section, {}), **self.data.get(section, {})}
            for key, info in section_cls.model_fields.items():
                if (section, key) in SKIP:
                    continue
                annotation = _base(info.annotation)
                self.types[(section, key)] = annotation
                value = self.loaded[(section, key)] = values.get(key)
                if self.defaults.get(section, {}).get(key, 0) in (None, ""):
                    self.optional.add((section, key))
                with Horizontal(classes="row", id=f"row-{section}-{key}") as self.rows[(section, key)]:
                    yield Label(key)
                    yield (widget := self._field(section, key, annotation, value, (section, key) in self.optional))
                    self.fields[(section, key)] = widget
                    yield Static(help_text(self.kind, (section, key), info.description), classes="help")

    @staticmethod
    def _field(section: str, key: str, annotation: Any, value: Any, optional: bool = False) -> Widget:
        fid = _field_id(section, key)
        if annotation is bool:
            return Switch(value=_shown_bool(value), id=fid)
        if get_origin(annotation) is Literal:
            choices = get_args(annotation)
            if value not in choices:  # a recipe from a newer version, or hand-edited: blank, named as the error
                return Select([(str(a), a) for a in choices], prompt=f"{value!r}?", allow_blank=True, id=fid,
                              compact=True)
            return Select([(str(a), a) for a in choices], value=value, allow_blank=False, id=fid, compact=True)
        text = "" if value is None else (str(value) if not isinstance(value, list) else
                                         "[" + ", ".join(map(str, value)) + "]")
        kind = "integer" if annotation is int else "number" if annotation is float else "text"
        # validate_on=(): the form marks bad fields itself (check); Input's own validation would
        # mark an empty "(default)" number field invalid on blur and restyle on every change.
        placeholder = EMPTY_MEANS.get((section, key), "none") if optional else "(default)" if value is None else ""
        return FieldInput(text, type=kind, id=fid, placeholder=placeholder, compact=True, validate_on=())

    def values(self) -> dict[str, Any]:
        """The recipe as the form holds it now (top-level keys kept from the loaded recipe).

        Read from the field widgets kept at compose, so it holds at any moment: before compose
        it is the loaded recipe, a field not mounted yet gives its loaded value.
        """
        if not self.fields:
            return dict(self.data)
        out: dict[str, Any] = {k: v for k, v in self.data.items() if k not in SECTIONS}
        for (section, key), annotation in self.types.items():
            widget: Any = self.fields[(section, key)]
            if not widget.is_mounted:  # a Select has its value only once mounted
                if self.loaded[(section, key)] is not None:
                    out.setdefault(section, {})[key] = self.loaded[(section, key)]
                continue
            if isinstance(widget, Switch):
                value: Any = widget.value
                if not isinstance(self.loaded[(section, key)], bool | None) and widget.id not in self.toggled:
                    value = self.loaded[(section, key)]  # "false", "maybe": validation reads or names it
            elif isinstance(widget, Select):
                value = widget.value
                if widget.is_blank():  # the recipe's value is none of the choices: validation names it
                    if self.loaded[(section, key)] is None:
                        continue
                    value = self.loaded[(section, key)]
            else:
                raw = widget.value.strip()
                if raw == "":
                    continue  # empty: the default
                if annotation is str:
                    value = raw
                else:
                    try:
                        value = tomllib.loads(f"v = {raw}")["v"]
                    except tomllib.TOMLDecodeError:
                        value = raw  # validation names it
                    if annotation is int and isinstance(value, float):
                        value = raw  # `1e3`: named as typed, not as the 1000.0 TOML reads
            out.setdefault(section, {})[key] = value
        return out

    def show_relevant(self) -> None:
        """Hide the fields the kind, architecture, loss, fine-tune or process count do not use.

        Rows come from compose, not DOM queries: a query per rule matched CSS against every node
        of the form, ~0.3 s of CPU a call, and a form's Selects call this as it mounts."""
        values = self.values()
        for field, applies in rules_for(self.kind).items():
            if (row := self.rows.get(field)) is not None:
                row.display = bool(applies(values))

    def emptied(self) -> list[str]:
        """A text field the user emptied that showed a value: never read as the schema default, which
        the user did not see (a "(default)" field, whose value was absent, may stay empty). A field
        whose schema default is none (None or "", e.g. model.pretrained) may be emptied: it means none."""
        lines = []
        for field, widget in self.fields.items():
            loaded = self.loaded[field]
            if field in self.optional:
                continue
            if isinstance(widget, Input) and widget.is_mounted and loaded not in (None, "") and not widget.value.strip():
                what = {int: "a whole number", float: "a number"}.get(self.types[field], "a value")
                had = "the recipe had" if field[1] in self.data.get(field[0], {}) else "the default is"
                lines.append(f"{'.'.join(field)}: empty; enter {what} ({had} {loaded!r})")
        return lines

    def check(self) -> tuple[Any, list[str]]:
        for widget in self.fields.values():
            widget.remove_class("-invalid")
        errors = self.emptied()
        try:
            config = validate(self.values())
        except ConfigError as exc:
            config, errors = None, errors + str(exc).splitlines()
        for line in errors:
            for (section, key) in self.types:
                if line.startswith((f"{section}.{key} ", f"{section}.{key}:", f"unknown key '{section}.{key}'")):
                    self.fields[(section, key)].add_class("-invalid")
        return (None, errors) if errors else (config, [])

    def on_mount(self) -> None:
        self.on_resize()  # before the first frame
        self._ready = True
        self.show_relevant()
        self.call_after_refresh(self._changed)  # validate once as loaded, to enable Start

    def on_resize(self) -> None:
        """Judged by the terminal's width, not the form's: the form's own changes with its scrollbar."""
        self.set_class(self.app.size.width < STACK_BELOW, "-stacked")

    def _changed(self) -> None:
        if not self._ready or not self.is_attached:  # e.g. a deferred call on a replaced form
            return
        try:
            config, errors = self.check()
        except NoMatches:  # being removed: its fields are going one by one
            return
        self.post_message(FormChanged(self, config, errors))

    def _drives(self, widget_id: str | None) -> bool:
        """Whether a change to this field can show or hide others (e.g. model.pretrained)."""
        return self._ready and any(widget_id == _field_id(*field) for field in DRIVERS)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._drives(event.input.id):
            self.show_relevant()
        self._changed()

    def on_switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        if self._ready and event.switch.id:
            self.toggled.add(event.switch.id)
        if self._drives(event.switch.id):
            self.show_relevant()
        self._changed()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self._ready:
            self.show_relevant()
        self._changed()
