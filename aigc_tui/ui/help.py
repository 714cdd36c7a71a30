"""The `?` screen: what each pane does and its keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """
# aigc-tui

Training runs are **detached**: quitting the app (q), a crash or a dropped SSH
connection never stops them. Reopen the app to find them again.

| key | anywhere |
|---|---|
| 1 2 3 4 | Launch, Runs, Checkpoints, Generate |
| ctrl+p | command palette: every action, themes |
| ? | this help |
| q | quit (runs keep training) |
| esc | leave a text field (while one has focus, keys type into it) |

**Launch**: pick a recipe (↑/↓), edit the form (errors show inline), pick a device (or
tick several GPUs: one process each, under torchrun), name the run, *Start*. *Save recipe* keeps your edit in your recipes folder.

**Runs**: `/` filter, `x` stop (saves a checkpoint first), `S` save now, `p` sample now,
`r` resume, `k` its checkpoints, `e` smoothing, `l` log y, `w` window, `c` compare the
highlighted run, `g` overlay the run's whole sweep (its runs are listed together, best first,
`#1` `#2`...; a run waiting for busy GPUs shows `queued #N`), `[` `]` scrub through sample grids.

**Checkpoints**: `g` sample or generate from it, `r` resume from it, `f` fork into
Launch, `d` delete (asks first).

**Generate**: pick a model, write a prompt, `ctrl+g` generate, `esc` stop. Past prompts
are on the right. For a GAN checkpoint: a grid by seed, an interpolation, *Save PNG*.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-height: 90%; border: thick $primary; background: $surface; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(HELP)
