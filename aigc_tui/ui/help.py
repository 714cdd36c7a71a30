"""The `?` screen: what each pane does and its keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """
Training runs are **detached**: quitting the app (`q`), a crash or a dropped SSH
connection never stops them. Reopen the app to find them again.

**Anywhere**: `1`-`4` Launch, Runs, Checkpoints, Generate (`alt+1`-`alt+4` also from a text
field); `ctrl+p` every action and
theme; `?` this help; `q` quit (runs keep training); `tab` next control. Showing a pane
never puts you in a text field; `esc` leaves one (while one has focus, keys type into it).

**Launch**: pick a recipe, edit the form (errors show inline; only the fields that apply
to the model and loss), pick a device (or tick several GPUs: one process each, under
torchrun), name the run, `ctrl+s` Start. *Save recipe* keeps your edit in your recipes
folder.

**Runs**: `/` filter, `x` stop (saves a checkpoint first), `S` save now, `p` sample now,
`r` resume, `k` its checkpoints, `[` `]` scrub through sample grids, `v` (or a click on the
grid) the grid full screen. `z` (zoom) gives the table the whole pane (`z` or `enter` on a run: the
monitor is back).
The plot: `m` pick metrics (any scalar the run logs; remembered per run kind), `e`
smoothing, `l` log y, `w` window, `T` x by step or wall time; comma and period move the cursor
(`<` `>` faster; the line under the plot reads every curve there). `space` (or `c`) marks
the highlighted run: marked runs that log the metric are overlaid on the selected run's
plot one metric at a time, a colour per run (`M` the next picked metric), named in the
legend line above it; `C` clears the marks. `g` overlays the run's whole
sweep (its runs are listed together, best first, `[1]` `[2]`...; a run waiting for busy GPUs
shows `queued #N`).
Housekeeping (never on a live run): `d` delete (asks first), `a` archive (asks; hidden from
the table), `A` show archived runs (`a` on one brings it back), `n` tags and a note, `D`
config diff with the one other marked run (else pick one from a list).

**Grid view**: `←` `→` or `[` `]` step through the run's grids (`home`/`end` first/newest; at
the newest it follows new ones), `+` `-` zoom, `0` fit, `↑` `↓` the next tiles, `esc` back.
Grids are drawn at a whole-number scale so digits stay sharp; when even 1× does not fit,
a page of tiles is shown (the line under it says which); only a tile that cannot fit at 1×
is shrunk (whole, "tile 1/64 fit").

**Checkpoints**: `g` sample or generate from it, `r` resume from it, `f` fork into
Launch, `t` fine-tune from it (a new run starting from its weights), `d` delete (asks first).

**Generate**: the newest LM checkpoint is picked; `p` (or a click) into the prompt (a GAN's
seed, an encoder's text), write it, `ctrl+g` generate,
`ctrl+t` stop, `ctrl+y` copy the output (OSC 52, works over SSH). *vs* runs the same
prompt on a second checkpoint side by side. Past prompts (with their settings) are on
the right. For a GAN checkpoint: a grid by seed, an interpolation, *Save PNG*, `v` full screen.

`esc`, `q` or `?` closes this help.
"""


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "VerticalScroll"  # arrows and page keys scroll (not on_mount: `q?` typed at once crashed it)
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 100%; max-width: 90; height: 100%; max-height: 40;
                                  border: thick $primary; background: $surface; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(HELP)
