"""Command palette entries for every action (ctrl+p)."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

ACTIONS = [
    ("Go to Launch", "show_tab('launch')", "pick a recipe and start a run"),
    ("Go to Runs", "show_tab('runs')", "the runs table and live monitor"),
    ("Go to Checkpoints", "show_tab('checkpoints')", "browse, resume, fork, delete"),
    ("Go to Generate", "show_tab('generate')", "prompt an LM, draw GAN grids"),
    ("Stop selected run", "runs_action('stop_run')", "save a checkpoint, then stop"),
    ("Save checkpoint now", "runs_action('save_run')", "ask the selected run to save"),
    ("Sample now", "runs_action('sample_run')", "ask the selected run for a sample"),
    ("Resume selected run", "runs_action('resume_run')", "continue from its newest checkpoint"),
    ("Cycle plot smoothing", "runs_action('cycle_smoothing')", "EMA 0 / 0.6 / 0.9 / 0.99"),
    ("Toggle log-scale y", "runs_action('toggle_log')", "log10 of the losses"),
    ("Cycle plot window", "runs_action('cycle_window')", "all, last 100 / 1k / 10k steps"),
    ("Pick plotted metrics", "runs_action('pick_metrics')", "any scalar the run logs (per run kind)"),
    ("Toggle plot x: step / wall time", "runs_action('toggle_time')", "elapsed h:mm / m:ss"),
    ("Mark run to compare", "runs_action('toggle_compare')", "overlay marked runs' metrics on the plot"),
    ("Clear compare marks", "runs_action('clear_marks')", "back to the selected run alone"),
    ("Toggle checkpoint markers", "runs_action('toggle_markers')", "show checkpoints on the loss plot"),
    ("Delete selected run", "runs_action('delete_run')", "asks first; never a live run"),
    ("Archive or restore selected run", "runs_action('archive_run')", "move it to or from .archive"),
    ("Show or hide archived runs", "runs_action('toggle_archived')", "archived runs in the table"),
    ("Tags and note of selected run", "runs_action('edit_notes')", "shown in the table and monitor"),
    ("Config diff with another run", "runs_action('diff_runs')", "the marked run, or pick one"),
    ("Help", "help", "keys and what each pane does"),
    ("Quit", "quit", "runs keep training"),
]


class AigcCommands(Provider):
    def _entries(self) -> list[tuple[str, str, str]]:
        themes = [(f"Theme: {name}", f"set_theme({name!r})", "switch theme (remembered)")
                  for name in sorted(self.app.available_themes)]
        return ACTIONS + themes

    async def discover(self) -> Hits:
        for name, action, help_text in self._entries():
            yield DiscoveryHit(name, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action), help=help_text)
