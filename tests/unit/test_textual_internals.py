"""The Textual internals aigc-tui leans on are still there, with the shape it uses.

Each work-around below reaches past Textual's public API (a private method, a private
attribute, a handler-dispatch rule). A Textual upgrade that renames or reshapes one would
not fail loudly where it is used: most of those places guard with getattr or override a
method Textual may stop calling, so the fix would silently stop working (a leak returns,
a paste turns into key presses again). This module fails instead, in one place, naming the
aigc-tui code to revisit. pyproject pins Textual to the major version these checks pass on.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

from textual import events
from textual.app import App
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Select, TabPane, Tree

TEXTUAL = version("textual")


def needs(ok: object, what: str, used_by: str) -> None:
    assert ok, f"Textual {TEXTUAL}: {what} is gone or changed shape; {used_by} depends on it: revisit it there"


def params(func: object) -> list[str]:
    return list(inspect.signature(func).parameters)  # type: ignore[arg-type]


def test_tree_invalidate_and_tree_lines():
    used_by = "aigc_tui/ui/panes/checkpoints.py (_refit_leaves calls tree._invalidate(); load_tree reads tree._tree_lines)"
    needs(callable(getattr(Tree, "_invalidate", None)) and params(Tree._invalidate) == ["self"],
          "Tree._invalidate(self)", used_by)
    needs(isinstance(inspect.getattr_static(Tree, "_tree_lines", None), property), "the Tree._tree_lines property", used_by)


def test_datatable_scrolls_its_cursor_into_view_and_its_resize_handler_runs_beside_a_subclass_one():
    from aigc_tui.ui.widgets.runs_table import RunsTable

    used_by = "aigc_tui/ui/widgets/runs_table.py (RunsTable._on_resize)"
    method = getattr(DataTable, "_scroll_cursor_into_view", None)
    needs(callable(method) and params(method)[0] == "self" and len(params(method)) <= 2,
          "DataTable._scroll_cursor_into_view(self, animate=False)", used_by)
    resize = events.Resize(Size(80, 10), Size(80, 10), Size(80, 10))
    handlers = [cls for cls, _ in RunsTable()._get_dispatch_methods("on_resize", resize)]
    needs(handlers[:1] == [RunsTable] and DataTable in handlers,
          "dispatch of `_on_resize` to every class in the MRO (RunsTable's, then DataTable's own)", used_by)


def test_datatable_render_caches():
    from aigc_tui.ui.table_cache import BOUNDS

    table = DataTable()
    for name in BOUNDS:
        needs(isinstance(getattr(table, name, None), LRUCache), f"DataTable.{name} (an LRUCache)",
              "aigc_tui/ui/table_cache.py (bound_render_caches: without it the Runs table grows ~3 MB a minute)")


def test_the_paste_guard_can_swap_the_drivers_parser():
    from textual import _xterm_parser
    from textual.drivers import linux_driver

    used_by = "aigc_tui/ui/paste_guard.py (PasteSafeParser, install)"
    needs(isinstance(getattr(_xterm_parser, "BRACKETED_PASTE_START", None), str)
          and isinstance(getattr(_xterm_parser, "BRACKETED_PASTE_END", None), str),
          "textual._xterm_parser.BRACKETED_PASTE_START/END", used_by)
    parser = getattr(_xterm_parser, "XTermParser", None)
    needs(parser is not None and params(parser.__init__)[:2] == ["self", "debug"] and params(parser.feed) == ["self", "data"],
          "textual._xterm_parser.XTermParser(debug) with feed(data)", used_by)
    from aigc_tui.ui.paste_guard import PasteSafeParser

    # any app built earlier in this process (an app test) has swapped PasteSafeParser in already
    needs(getattr(linux_driver, "XTermParser", None) in (parser, PasteSafeParser),
          "linux_driver's module-level XTermParser", used_by)
    needs("XTermParser" in linux_driver.LinuxDriver.run_input_thread.__code__.co_names,
          "LinuxDriver.run_input_thread building its parser by the module's global name XTermParser", used_by)
    method = getattr(parser, "_sequence_to_key_events", None)
    needs(callable(method) and params(method) == ["self", "sequence", "alt"]
          and "_sequence_to_key_events" in parser.parse.__code__.co_names + parser.parse.__code__.co_varnames,
          "XTermParser.parse reading keys through self._sequence_to_key_events(sequence, alt)",
          "aigc_tui/ui/paste_guard.py (PasteSafeParser: ESC N is alt+N)")


def test_the_app_overrides_still_override_what_textual_calls():
    from textual import _context

    used_by = "aigc_tui/ui/pane_holder.py (PaneApp: a failing lazy import is one line, not a crash)"
    for cls, name, args, is_async in ((App, "_dispatch_action", ["self", "namespace", "action_name", "params"], True),
                                      (MessagePump, "_dispatch_message", ["self", "message"], True),
                                      (App, "_handle_exception", ["self", "error"], False),
                                      (MessagePump, "_message_loop_exit", ["self"], True)):
        method = getattr(cls, name, None)
        needs(method is not None and params(method) == args and inspect.iscoroutinefunction(method) == is_async,
              f"{'async ' if is_async else ''}{cls.__name__}.{name}({', '.join(args)})", used_by)
    needs("_dispatch_action" in App.run_action.__code__.co_names, "App.run_action calling _dispatch_action", used_by)
    needs("_dispatch_message" in MessagePump._process_messages_loop.__code__.co_names
          and "_handle_exception" in MessagePump._process_messages_loop.__code__.co_names,
          "the message loop calling _dispatch_message and app._handle_exception", used_by)
    needs(hasattr(getattr(_context, "active_message_pump", None), "get"), "textual._context.active_message_pump", used_by)


def test_a_tab_panes_focus_switch_can_be_prevented_by_a_subclass():
    from aigc_tui.ui.pane_holder import StayPane

    used_by = "aigc_tui/ui/pane_holder.py (StayPane._on_descendant_focus: a late focus never drags the user to its tab)"
    needs("_on_descendant_focus" in vars(TabPane), "TabPane._on_descendant_focus (its switch to itself)", used_by)
    event = events.DescendantFocus(Widget())
    handlers = StayPane("tab")._get_dispatch_methods("on_descendant_focus", event)
    first = next(handlers, (None, None))[0]
    event.prevent_default()
    needs(first is StayPane and TabPane not in [cls for cls, _ in handlers],
          "prevent_default() in a subclass's handler skipping TabPane's own", used_by)


def test_the_leak_guards_internals():
    from textual.reactive import _watch

    used_by = "aigc_tui/ui/leak_guard.py (prune_detached: without it the app grows ~100 MB an hour)"
    signal = getattr(Screen(), "text_selection_started_signal", None)
    subscriptions = getattr(signal, "_subscriptions", None)
    needs(hasattr(subscriptions, "keys") and callable(getattr(signal, "unsubscribe", None)),
          "Screen.text_selection_started_signal._subscriptions (node -> callbacks) and .unsubscribe(node)", used_by)
    cache = getattr(Widget(), "_query_one_cache", None)
    needs(all(callable(getattr(cache, name, None)) for name in ("keys", "get", "discard")),
          "DOMNode._query_one_cache (keys, get, discard)", used_by)
    footer, node = Footer(), Widget()

    def callback() -> None:
        pass

    _watch(node, footer, "compact", callback, init=False)  # as FooterKey's data_bind(compact=...) does
    needs(getattr(footer, "__watchers", None) == {"compact": [(node, callback)]},
          "reactive watchers kept on the watched object as `__watchers`: {name: [(node, callback)]}", used_by)


def test_select_options():
    used_by = "aigc_tui/ui/panes/launch.py (_show_recipe reads Select._options for the device values)"
    needs([tuple(o) for o in getattr(Select([("cpu", "cpu")], allow_blank=False), "_options", [])] == [("cpu", "cpu")],
          "Select._options as [(prompt, value)]", used_by)


def test_textual_images_renderable_class():
    from textual_image.renderable.halfcell import Image as HalfcellRenderable
    from textual_image.widget import HalfcellImage

    needs(getattr(HalfcellImage, "_Renderable", None) is HalfcellRenderable,
          "textual-image's Image widget class attribute _Renderable",
          "aigc_tui/ui/widgets/sample_image.py (cell_pixels: pixels per cell, else a Kitty/Sixel query)")


def test_fields_can_run_the_bindings_around_them_and_pass_a_key_on():
    used_by = "aigc_tui/ui/widgets/text_fields.py (InOrderKeys: a burst's Tab runs where it was typed)"
    needs(callable(getattr(App, "_check_bindings", None)) and params(App._check_bindings) == ["self", "key", "priority"]
          and inspect.iscoroutinefunction(App._check_bindings), "async App._check_bindings(self, key, priority)", used_by)
    needs(callable(getattr(Widget, "_forward_event", None)) and params(Widget._forward_event) == ["self", "event"]
          and callable(getattr(Screen, "_forward_event", None)), "Widget/Screen._forward_event(self, event)", used_by)


def test_the_box_model_cache_is_keyed_on_layout_updates():
    used_by = "aigc_tui/ui/widgets/quiet_static.py (QuietStatic.update bumps widget._layout_updates)"
    widget = Widget()
    needs(isinstance(getattr(widget, "_layout_updates", None), int), "Widget._layout_updates (an int)", used_by)
    needs("self._layout_updates" in inspect.getsource(Widget._get_box_model), "_get_box_model's cache key", used_by)


def test_linux_driver_input_loop_the_quiet_driver_copies():
    from textual._parser import Parser
    from textual._xterm_parser import XTermParser
    from textual.drivers.linux_driver import LinuxDriver

    used_by = "aigc_tui/ui/quiet_driver.py (QuietLinuxDriver.run_input_thread is a copy of Textual's loop)"
    needs("_timeout_time" in vars(XTermParser()), "Parser._timeout_time (when a half-read sequence is due)", used_by)
    needs(callable(getattr(Parser, "tick", None)), "Parser.tick", used_by)
    for name in ("run_input_thread", "disable_input", "close", "process_message"):
        needs(callable(getattr(LinuxDriver, name, None)), f"LinuxDriver.{name}", used_by)
    source = inspect.getsource(LinuxDriver.run_input_thread)
    needs("selector.select(0.1)" in source and "exit_event" in source,
          "LinuxDriver.run_input_thread looping on select(0.1) until exit_event", used_by)
    needs("exit_event.set()" in inspect.getsource(LinuxDriver.disable_input) and
          "_key_thread.join()" in inspect.getsource(LinuxDriver.disable_input),
          "LinuxDriver.disable_input setting exit_event, then joining the input thread", used_by)
