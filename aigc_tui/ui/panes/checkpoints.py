"""Checkpoints: every run's checkpoints in a tree; generate, resume, fork or delete one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static, Tree

from aigc_tui.errors import AigcError
from aigc_tui.launch.fork import finetune_recipe
from aigc_tui.runs import CheckpointInfo
from aigc_tui.runs.checkpoints import SetAside
from aigc_tui.runs.dependents import refuse_if_needed
from aigc_tui.runs.store import Run
from aigc_tui.ui.ckpt_fork import ForkActions
from aigc_tui.ui.ckpt_label import LeafParts, RunParts, hidden_line, run_plot, tree_runs
from aigc_tui.ui.confirm import ConfirmScreen
from aigc_tui.ui.gen_choices import can_generate
from aigc_tui.ui.live_interval import LiveInterval
from aigc_tui.ui.messages import OpenGenerate, OpenRecipe
from aigc_tui.ui.run_ops import resume_run
from aigc_tui.ui.rundata import human_size
from aigc_tui.ui.widgets.checkpoint_tree import CheckpointTree
from aigc_tui.ui.widgets.loss_plot import LossPlot

LIVE_RELOAD_S = 5.0


class CheckpointsPane(ForkActions, Horizontal):
    BINDINGS = [
        Binding("g", "generate", "Generate", id="ckpt.generate"),
        Binding("r", "resume", "Resume", id="ckpt.resume"),
        Binding("f", "fork", "Fork", id="ckpt.fork"),
        Binding("t", "finetune", "Fine-tune", id="ckpt.finetune"),
        Binding("d,delete", "delete", "Delete", id="ckpt.delete"),
        Binding("R", "reload", "Reload", id="ckpt.reload", show=False),
    ]
    DEFAULT_CSS = """
    CheckpointsPane #ckpt-list, CheckpointsPane #ckpt-side { width: 1fr; }
    CheckpointsPane #ckpt-hidden { height: auto; color: $text-muted; padding: 0 1; }
    CheckpointsPane #ckpt-detail { height: auto; padding: 0 1; background: $panel; }
    """

    def __init__(self, runs_dir: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runs_dir = runs_dir
        self._pending_focus: str | None = None
        self._asked: str | None = None  # the run opened with k: listed even with no checkpoint
        self._shown: list[tuple[Path | None, Any]] | None = None  # what the tree lists: runs, checkpoints; hidden
        self._live = LiveInterval(self, LIVE_RELOAD_S, self._refresh_live)  # a listed run writes checkpoints
        self._parts: dict[Path, LeafParts] = {}  # each checkpoint's line, refitted on a resize
        self._heads: dict[Path, RunParts] = {}  # each run's line, the same way

    def compose(self) -> ComposeResult:
        tree = CheckpointTree("runs", id="ckpt-tree")
        tree.show_root = False
        with Vertical(id="ckpt-list"):
            yield tree
            yield Static("", id="ckpt-hidden")  # how many runs with no checkpoint are not listed
        with Vertical(id="ckpt-side"):
            yield Static("Select a checkpoint.", id="ckpt-detail")
            yield LossPlot(id="ckpt-plot")

    def on_mount(self) -> None:
        self.action_reload()

    def _refresh_live(self) -> None:
        """A live run writes and prunes checkpoints: follow it while the pane is on screen."""
        if self.region.area:
            self.load_tree()

    def action_reload(self, focus_run: str | None = None) -> None:
        self.load_tree(focus_run)

    @work(thread=True, exclusive=True, group="ckpt-tree", exit_on_error=False)
    def load_tree(self, focus_run: str | None = None) -> None:
        runs, hidden, live, asides = tree_runs(self.runs_dir, focus_run or self._asked)
        self.app.call_from_thread(self._fill, runs, focus_run, live, asides, hidden)

    def _fill(self, runs: list[tuple[Run, list[CheckpointInfo], RunParts]], focus_run: str | None,
              live: bool = False, asides: dict[Path, list[SetAside]] | None = None, hidden: int = 0) -> None:
        """Rebuild the tree when what it lists changed, keeping the user's place by identity: the
        same checkpoint, else its run (pruned or deleted), and the runs they had expanded."""
        self._live.set(live)
        focus_run = focus_run or self._pending_focus
        self._pending_focus = None
        asides = asides or {}
        shown = [(run.path, tuple(c.name for c in checkpoints) + tuple(a.path.name for a in asides.get(run.path, ())))
                 for run, checkpoints, _ in runs] + [(None, hidden)]
        if focus_run is None and shown == self._shown:
            return  # nothing new: the tree, its cursor and the panel stay as they are
        first, self._shown = self._shown is None, shown
        tree = self.query_one(Tree)
        was = tree.cursor_node.data if tree.cursor_node is not None else None
        keep = getattr(was, "path", None)  # reselect the same run or checkpoint after a reload
        keep_run = was.run_dir if isinstance(was, CheckpointInfo | SetAside) else keep
        expanded = {n.data.path for n in tree.root.children if n.is_expanded and isinstance(n.data, Run)}
        tree.clear()
        self._parts, self._heads = {}, {run.path: head for run, _, head in runs}
        focus_node = run_node = None
        for run, checkpoints, head in reversed(runs):
            node = tree.root.add(head.label(self._run_width()), data=run,
                                 expand=run.id == focus_run or (len(runs) <= 3 if first else run.path in expanded))
            if keep_run is not None and run.path == keep_run:
                run_node = node
            for ckpt in reversed(checkpoints):
                parts = self._parts[ckpt.path] = LeafParts.of(head.kind, ckpt)
                leaf = node.add_leaf(parts.label(self._leaf_width()), data=ckpt)
                if keep is not None and ckpt.path == keep:
                    node.expand()
                    focus_node = leaf
            for aside in asides.get(run.path, ()):  # a resume --from's later checkpoints: on disk, never used
                leaf = node.add_leaf(f"[dim]set aside: {len(aside.names)} checkpoint(s), {human_size(aside.size)}[/dim]",
                                     data=aside)
                if keep is not None and aside.path == keep:
                    node.expand()
                    focus_node = leaf
            if run.id == focus_run:
                focus_node = node
        (hint := self.query_one("#ckpt-hidden", Static)).update(hidden_line(hidden))  # they exist (Runs lists them)
        hint.display = bool(hidden)
        self.call_after_refresh(self._refit_leaves)  # the width the tree has once laid out (a tab just shown)
        focus_node = focus_node or run_node or (next(iter(tree.root.children), None) if was is not None else None)
        if focus_node is not None:
            tree._tree_lines  # noqa: B018 - lay out the new nodes now: until then their line is -1 and the cursor lost
            tree.move_cursor(focus_node)
            self._show(focus_node)  # the panel follows the cursor even when its row number stayed the same

    def _leaf_width(self) -> int:
        """Cells a checkpoint's line has: the tree's width less a level of indent (0: not laid out)."""
        tree = self.query_one(Tree)
        return max(0, tree.scrollable_content_region.width - tree.guide_depth) if tree.size.width else 0

    def _run_width(self) -> int:
        """Cells a run's line has: a checkpoint's and its indent, less the expand icon (0: not laid out)."""
        return self._leaf_width() and self._leaf_width() + self.query_one(Tree).guide_depth - 2  # less ▼

    def on_resize(self) -> None:
        self.call_after_refresh(self._refit_leaves)

    def _refit_leaves(self) -> None:
        """Each run's and checkpoint's line again, whole parts only, for the tree's new width."""
        width = self._leaf_width()
        tree = self.query_one(Tree)
        changed = False
        for run_node in tree.root.children:
            head = self._heads.get(getattr(run_node.data, "path", None))
            if head is not None and str(run_node.label) != Text.from_markup(label := head.label(self._run_width())).plain:
                run_node.set_label(label)
                changed = True
            for leaf in run_node.children:
                if isinstance(leaf.data, CheckpointInfo) and leaf.data.path in self._parts:
                    label = self._parts[leaf.data.path].label(width)
                    if str(leaf.label) != label:
                        leaf.set_label(label)
                        changed = True
        if changed:  # set_label repaints the line but keeps the tree's width from the longer labels:
            tree._invalidate()  # a stale horizontal scrollbar, or none when one is needed

    def focus_run(self, run_id: str) -> None:
        self._pending_focus = self._asked = run_id  # survives a reload that starts meanwhile
        self.load_tree(run_id)

    @property
    def selected(self) -> CheckpointInfo | None:
        node = self.query_one(Tree).cursor_node
        return node.data if node is not None and isinstance(node.data, CheckpointInfo) else None

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        self._show(event.node)

    def _show(self, node: Any) -> None:
        data = node.data
        run = Run(data.run_dir) if isinstance(data, CheckpointInfo | SetAside) else data if isinstance(data, Run) else None
        if run is None:
            return
        detail = self.query_one("#ckpt-detail", Static)
        if isinstance(data, SetAside):
            detail.update(f"[b]{escape(run.name)}[/b]: set aside by a resume from an earlier checkpoint (d deletes them)\n"
                          f"{', '.join(data.names)}\n{run.id}/checkpoints/{data.path.name}")
        elif isinstance(data, CheckpointInfo):
            metrics = "  ".join(f"{k} {v:.4g}" for k, v in data.metrics.items())
            detail.update(f"[b]{escape(run.name)} / {data.name}[/b]  step {data.step}  ({data.reason})\n{metrics}\n"
                          f"{run.id}/checkpoints/{data.name}")
        else:
            detail.update(f"{self._heads[run.path].label(0) if run.path in self._heads else escape(run.name)}\n{run.id}")
        self._plot(run)

    @work(thread=True, exclusive=True, group="ckpt-plot", exit_on_error=False)
    def _plot(self, run: Run) -> None:
        """Read the run's metrics off the UI thread (a long run's file can be large)."""
        series, options = run_plot(run, self.app.settings.smoothing)
        self.app.call_from_thread(self.query_one(LossPlot).show, series, options, f"{run.name} (| = checkpoint)")

    def _need(self, newest_of_run: bool = True) -> CheckpointInfo | None:
        """The checkpoint under the cursor; on a run, its newest one (as the CLI reads a run name)."""
        ckpt = self.selected
        node = self.query_one(Tree).cursor_node
        if ckpt is None and newest_of_run and node is not None and isinstance(node.data, Run):
            ckpt = next(iter(reversed(node.data.checkpoints())), None)
            if ckpt is None:
                self.notify(f"{node.data.name} has no checkpoint yet", severity="warning")
                return None
        if ckpt is None:
            self.notify("select a checkpoint first", severity="warning")
        elif not ckpt.path.is_dir():
            self.notify(f"{Run(ckpt.run_dir).name} / {ckpt.name} no longer exists (pruned or deleted)", severity="warning")
            self.load_tree()
            return None
        return ckpt

    def action_generate(self) -> None:
        if (ckpt := self._need()) is None:
            return
        if not can_generate(ckpt.kind):  # a script's registered folder: any files, not a model
            self.notify(f"{Run(ckpt.run_dir).name}/{ckpt.name} is not a model Generate can load"
                        f" (a {ckpt.kind}'s registered files)", severity="warning")
            return
        self.post_message(OpenGenerate(ckpt))

    def action_resume(self) -> None:
        if (ckpt := self._need()) is None:
            return
        resume_run(self, Run(ckpt.run_dir), ckpt)

    def action_finetune(self) -> None:
        """Launch with a recipe that starts from this checkpoint (MLM -> classifier, GPT -> LM)."""
        if (ckpt := self._need()) is None:
            return
        try:
            recipe = finetune_recipe(ckpt)
        except AigcError as exc:
            self.notify(exc.one_line(), title="Fine-tune", severity="warning")
            return
        self.post_message(OpenRecipe(str(recipe["name"]), recipe))

    def action_delete(self) -> None:
        node = self.query_one(Tree).cursor_node
        if node is not None and isinstance(node.data, SetAside):
            self._delete_aside(node.data)
            return
        if (ckpt := self._need(newest_of_run=False)) is None:
            return
        run = Run(ckpt.run_dir)

        def refused() -> bool:  # before asking (a 'yes' that is then refused wastes the user's time), and again after
            try:
                if run.status().state.is_live and ckpt == run.checkpoints()[-1]:
                    raise AigcError("that is the live run's newest checkpoint; stop the run first")
                refuse_if_needed(run.path.parent, ckpt.path, f"checkpoint {run.name}/{ckpt.name}")
            except AigcError as exc:
                self.notify(exc.one_line(), title="Delete", severity="warning")
                return True
            return False

        def done(yes: bool | None) -> None:
            if not yes or refused():
                return
            shutil.rmtree(ckpt.path, ignore_errors=True)
            self.notify(f"deleted {run.name} / {ckpt.name}")
            self.load_tree(run.id)

        if not refused():
            self.app.push_screen(ConfirmScreen(f"Delete checkpoint {ckpt.name} of {run.name}?\n{ckpt.path}"), done)

    def _delete_aside(self, aside: SetAside) -> None:
        run = Run(aside.run_dir)

        def done(yes: bool | None) -> None:
            if yes:
                shutil.rmtree(aside.path, ignore_errors=True)
                self.notify(f"deleted {run.name}'s {len(aside.names)} set-aside checkpoint(s)")
                self.load_tree(run.id)

        self.app.push_screen(ConfirmScreen(f"Delete {len(aside.names)} checkpoint(s) of {run.name} set aside by a "
                                           f"resume from an earlier one ({', '.join(aside.names)})?\n{aside.path}"), done)
