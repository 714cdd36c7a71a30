"""Entry point: `aigc-tui` opens the app; subcommands do the same work headless.

Nothing heavy is imported at module level: `aigc-tui runs` and the app start in well under
a second, and only the commands that train or sample import torch.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


class Parser(argparse.ArgumentParser):
    """argparse that answers a usage error in one line (and exit 2), like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def _add_runs_dir(p: argparse.ArgumentParser, top: bool = False) -> None:
    # SUPPRESS on subcommands, so `aigc-tui --runs-dir X runs` keeps X
    p.add_argument("--runs-dir", metavar="DIR", default=None if top else argparse.SUPPRESS,
                   help="runs root (default: $AIGC_TUI_HOME/runs or the user data dir)")


def _add_scale_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("several processes, GPUs and nodes (torchrun)")
    g.add_argument("--gpus", help="0,1,2,3, all, or any:N (the first N free); one process each")
    g.add_argument("--nproc", type=int, help="processes on this node on the CPU (gloo)")
    g.add_argument("--slots", type=int, help="queue CPU runs for one of N slots (0: no queue)")
    g.add_argument("--nnodes", type=int, help="nodes taking part (run the same command on each)")
    g.add_argument("--node-rank", type=int, default=0, help="this node's rank, 0 to nnodes-1")
    g.add_argument("--rdzv-endpoint", metavar="HOST:PORT", help="node 0's address for the c10d rendezvous")
    g.add_argument("--max-restarts", type=int, help="torchrun restarts after a failure (each resumes)")
    g.add_argument("--run-id", help="an exact run id: every node of a multi-node run names the same one")


def _add_housekeeping(sub: argparse._SubParsersAction) -> None:
    exact = ("an exact run id, a name only one run has, the first 15+ characters of an id (its date and time), "
             "or a run directory under the runs root; a mere part of an id or name is refused")
    p = sub.add_parser("rm", help="delete runs for good (never a live one; asks unless --yes)")
    p.add_argument("runs", nargs="+", metavar="RUN", help=exact)
    p.add_argument("-y", "--yes", action="store_true", help="do not ask (needed without a terminal)")
    _add_runs_dir(p)
    for name, what in (("archive", "move runs to the archive (hidden from `runs` and the app)"),
                       ("unarchive", "bring archived runs back")):
        p = sub.add_parser(name, help=what)
        p.add_argument("runs", nargs="+", metavar="RUN", help=exact)
        _add_runs_dir(p)
    p = sub.add_parser("tag", help="add (+best or best) and remove (-old) a run's tags",
                       usage="aigc-tui tag RUN +TAG|-TAG ...")
    p.add_argument("run", metavar="RUN")
    p.add_argument("tags", nargs=argparse.REMAINDER, metavar="+TAG|-TAG")
    _add_runs_dir(p)
    p = sub.add_parser("note", help="set a run's note (\"\" clears it, - reads stdin)")
    p.add_argument("run", metavar="RUN")
    p.add_argument("text", metavar="TEXT")
    _add_runs_dir(p)
    p = sub.add_parser("diff", help="the config keys two runs differ in")
    p.add_argument("run_a", metavar="RUN_A")
    p.add_argument("run_b", metavar="RUN_B")
    _add_runs_dir(p)


def version_line() -> str:
    """`aigc-tui 0.1.0 (python 3.11.9, torch 2.5.1)`: what a bug report needs (torch's version
    from its metadata: importing it would take seconds)."""
    from importlib import metadata

    from aigc_tui import __version__

    try:
        torch = f"torch {metadata.version('torch')}"
    except metadata.PackageNotFoundError:
        torch = "no torch"
    return f"aigc-tui {__version__} (python {sys.version.split()[0]}, {torch})"


class _Version(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version (and python's and torch's) and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(version_line())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="aigc-tui",
        description="Train and try generative models from the terminal. With no command, opens the app.",
    )
    parser.add_argument("-V", "--version", action=_Version)
    _add_runs_dir(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("train", help="validate a recipe, create a run and train it")
    p.add_argument("config", metavar="CONFIG", help="a recipe TOML file, or a recipe name such as gan_mlp_digits")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a recipe key, e.g. --set run.steps=500 (repeatable)")
    p.add_argument("--name", help="run name (default: the recipe's name)")
    p.add_argument("--device", help="auto, cpu, cuda or cuda:N (default: the recipe's)")
    p.add_argument("--detach", action="store_true", help="start the worker in the background and return")
    _add_scale_args(p)
    _add_runs_dir(p)

    p = sub.add_parser("sweep", help="one run per combination of --set values, fed through the queue")
    p.add_argument("config", metavar="CONFIG", help="a recipe TOML")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=V1,V2,...",
                   help="a key and its values, e.g. --set train.lr=1e-4,2e-4 (repeatable)")
    p.add_argument("--name", help="sweep name (default: the recipe's name)")
    p.add_argument("--device", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--parallel", type=int, default=1, metavar="K",
                   help="runs at once on the CPU (slots), default 1; with --gpus any:N they share the GPUs")
    p.add_argument("--gpus", help="GPUs for each run: any:N (default any:1 on a GPU machine)")
    _add_runs_dir(p)

    p = sub.add_parser("run", help="start any command (your own training script) as a run",
                       usage="aigc-tui run [--name N] [--gpus 0,1] [--attach] [--grace S] -- CMD ...")
    p.add_argument("--name", help="run name (default: the script's name)")
    p.add_argument("--gpus", metavar="0,1", help="GPUs for the command (CUDA_VISIBLE_DEVICES), through the queue:"
                   " 0,1, all, or any:N (the first N free); 'none': CPU only")
    p.add_argument("--attach", action="store_true", help="stay in the foreground, printing its output")
    p.add_argument("--grace", type=float, default=30.0, metavar="S",
                   help="on stop: seconds between SIGINT, SIGTERM and SIGKILL (default 30)")
    _add_runs_dir(p)
    p.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- CMD", help="the command and its arguments")

    p = sub.add_parser("import-tb", help="import TensorBoard event files as runs (needs aigc-tui[tensorboard])")
    p.description = ("One run per folder of event files. A folder imported before updates its run (the steps "
                     "past its last one, new images) instead of making a second run; rm that run to import afresh.")
    p.add_argument("logdir", metavar="LOGDIR", help="a TensorBoard log directory (one run per folder of event files)")
    p.add_argument("--follow", action="store_true", help="keep importing new events until Ctrl-C")
    p.add_argument("--name", help="name prefix of the imported runs (default: the folder names)")
    _add_runs_dir(p)

    p = sub.add_parser("runs", help="list runs")
    p.add_argument("--json", action="store_true", help="one JSON array, for scripts")
    p.add_argument("--all", action="store_true", help="archived runs too")
    p.add_argument("--tag", dest="tags", action="append", default=[], metavar="TAG",
                   help="only runs with this tag (repeatable: all of them)")
    _add_runs_dir(p)
    _add_housekeeping(sub)

    p = sub.add_parser("stop", help="ask a run to save a checkpoint and stop")
    p.add_argument("run", metavar="RUN")
    p.add_argument("--force", action="store_true",
                   help="a run whose worker is on another host this machine cannot check: mark it lost here")
    _add_runs_dir(p)

    p = sub.add_parser("request", help="send a control request to a running run")
    p.add_argument("run", metavar="RUN")
    p.add_argument("action", choices=["stop", "save", "sample"])
    _add_runs_dir(p)

    p = sub.add_parser("resume", help="continue a stopped, failed or lost run (one that ended before its first "
                       "checkpoint starts over), or extend a finished one")
    p.add_argument("run", metavar="RUN")
    p.add_argument("--from", dest="checkpoint", metavar="CHECKPOINT", help="checkpoint name (default: newest)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="change run.* or train.* first, e.g. --set run.steps=2000 to extend a finished run")
    p.add_argument("--detach", action="store_true")
    _add_runs_dir(p)

    p = sub.add_parser("fork", help="a new run from a checkpoint: its config, and with --weights its weights")
    p.add_argument("checkpoint", metavar="CHECKPOINT", help="checkpoint dir, RUN@step-N, or RUN (its newest)")
    p.add_argument("--weights", action="store_true", help="start from the checkpoint's weights (default: config only)")
    p.add_argument("--keep-step", action="store_true", help="continue the step count (and LR schedule) from the checkpoint")
    p.add_argument("--keep-optimizer", action="store_true", help="keep the checkpoint's optimizer state")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a recipe key (repeatable)")
    p.add_argument("--name", help="run name (default: the parent's)")
    p.add_argument("--detach", action="store_true", help="start the worker in the background and return")
    _add_runs_dir(p)

    p = sub.add_parser("watch", help="live view of a run in a plain terminal")
    p.add_argument("run", metavar="RUN")
    p.add_argument("--once", action="store_true", help="print one frame and exit")
    _add_runs_dir(p)

    p = sub.add_parser("sample", help="sample a grid of images from a GAN checkpoint or run")
    p.add_argument("ref", metavar="CHECKPOINT|RUN", help="checkpoint dir, RUN, or RUN@step-N")
    p.add_argument("-n", type=int, default=64, help="number of images (default 64)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--interpolate", type=int, metavar="SEED_B", help="interpolate from --seed to this seed")
    p.add_argument("-o", "--output", help="PNG path (default: sample-<run>-<checkpoint>-s<seed>.png)")
    p.add_argument("--device", default="cpu")
    _add_runs_dir(p)

    p = sub.add_parser("generate", help="generate text from an LM run, checkpoint or HF model")
    p.add_argument("model", metavar="MODEL", help="a run, a checkpoint dir, a HF model dir or cached id")
    p.add_argument("prompt", nargs="?", default="", metavar="PROMPT", help="the prompt, or - for stdin")
    p.add_argument("--max-new-tokens", type=int, default=200)
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--top-k", type=int, default=50)
    p.add_argument("--top-p", type=float, default=1.0)
    p.add_argument("--repetition-penalty", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--num-samples", type=int, default=1)
    p.add_argument("--stop", action="append", default=[], metavar="TEXT",
                   help="end each sample where it first makes TEXT (cut before it; repeatable; \\n, \\t, "
                        "\\xNN, \\uNNNN escapes as in the app)")
    p.add_argument("--device", default="auto")
    _add_runs_dir(p)

    for name, what in (("fill-mask", "fill the [MASK]s of a text with a masked-LM run or checkpoint"),
                       ("classify", "label probabilities of a text from a classifier run or checkpoint")):
        p = sub.add_parser(name, help=what)
        p.add_argument("model", metavar="MODEL", help="a run, RUN@step-N, a checkpoint or HF model directory")
        p.add_argument("text", metavar="TEXT", help="the text, or - for stdin")
        p.add_argument("--json", action="store_true", help="one JSON object, for scripts")
        if name == "fill-mask":
            p.add_argument("--top-k", type=int, default=5, help="guesses per mask, 1 to 100 (default 5)")
        else:
            p.add_argument("--top", type=int, default=10, help="labels shown, 1 or more (default 10; --json has all)")
        p.add_argument("--device", default="cpu")
        _add_runs_dir(p)

    p = sub.add_parser("bench", help="the training loops against minimal hand-written loops, side by side")
    p.add_argument("--steps", type=int, default=None, help="steps per timed block (default: each recipe's log interval)")
    p.add_argument("--rounds", type=int, default=6, help="interleaved A/B rounds per case")
    p.add_argument("--device", default="auto")
    p.add_argument("--json", action="store_true", help="one JSON document instead of the table")
    p.add_argument("--skip-model", action="store_true", help="skip the transformers-vs-nanoGPT model comparison")
    p.add_argument("--only", default="", help="comma-separated parts to run, the others are skipped: gan-mlp, dcgan, lm-gpt, "
                        "model (transformers GPT-2 vs nanoGPT's model); default all")
    p.add_argument("--nproc", type=int, default=1,
                   help="measure scaling efficiency on N > 1 processes (GPUs with --device cuda) vs one; "
                        "default 1: the loop comparison")
    return parser


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so Python's flush at exit does not raise a second BrokenPipeError."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout replaced by something without a descriptor (tests)
        pass
    finally:
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    code = _main(argv)
    if argv is None and "torch" in sys.modules:  # the process's own command line, after training or sampling
        from aigc_tui.quick_exit import exit_now

        exit_now(code)  # returns when the interpreter's own exit is still needed
    return code


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    from aigc_tui.errors import AigcError
    from aigc_tui.paths import check_runs_dir, pin_app_home

    pin_app_home()  # what workers and scripts inherit must not depend on their cwd

    try:
        check_runs_dir(getattr(args, "runs_dir", None))
        if args.command is None:
            from aigc_tui.ui.app import run_app

            return run_app(runs_dir=args.runs_dir)
        from aigc_tui.commands import dispatch

        return dispatch(args)
    except AigcError as exc:
        print("\n".join(f"error: {line}" for line in exc.one_line().splitlines()), file=sys.stderr)
        return 2
    except BrokenPipeError:  # `aigc-tui runs | head`: the reader left; stop quietly, like other Unix tools
        _quiet_stdout()
        return 141
    except OSError as exc:  # the machine said no (a full disk, permissions): say what and which file, not where in the code
        from aigc_tui.errors import os_reason

        print(f"error: {os_reason(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
