"""A checkpoint's sample or preview that cannot be made is one log line; the run trains on and finishes."""

from __future__ import annotations

from encoder_fixtures import TINY_CLASSIFY
from helpers import TINY_GAN, merge, write_recipe

from aigc_tui.cli import main
from aigc_tui.config import dump_toml, validate
from aigc_tui.runs import RunState, create_run, find_run
from aigc_tui.runs.layout import SAMPLE_TEXT_FILE
from aigc_tui.train.worker import build_trainer


def test_classifier_whose_first_dev_texts_are_emoji_only_reaches_its_checkpoints(tmp_path, runs_dir):
    """A from-scratch WordPiece knows no emoji: those dev texts decode to "" (tester5 F3)."""
    train = tmp_path / "mood.csv"
    rows = ["text,label"] + [f"what a happy sunny day number {i},pos" for i in range(12)]
    rows += [f"a sad rainy day number {i},neg" for i in range(12)]
    train.write_text("\n".join(rows) + "\n")
    dev = tmp_path / "dev.csv"
    dev.write_text("text,label\n🙂🙂🙂,pos\n😡😡,neg\n\"☀️\n🌈\",pos\na happy day,pos\na sad day,neg\n")
    recipe = merge(TINY_CLASSIFY, name="emoji", data={"source": f"labelled:{train}", "labels": [],
                                                      "max_per_label": 0, "dev": f"labelled:{dev}"},
                   model={"pretrained": "", "n_layer": 1, "n_head": 2, "n_embd": 32, "vocab_size": 200},
                   run={"steps": 10, "log_every": 5, "checkpoint_every": 5, "sample_every": 5},
                   train={"eval_every": 5})
    path = write_recipe(tmp_path / "emoji.toml", recipe)
    assert main(["train", str(path), "--runs-dir", str(runs_dir)]) == 0
    run = find_run(runs_dir, "emoji")
    assert run.status().state is RunState.FINISHED
    assert [c.step for c in run.checkpoints()] == [5, 10]
    sample = (run.checkpoints()[-1].path / SAMPLE_TEXT_FILE).read_text()
    assert sample.startswith("'🙂🙂🙂'\n  true pos; ")  # the text as written, classified
    assert "'😡😡'\n  true neg; " in sample
    assert "skipped" not in run.log_path.read_text()


def test_a_sample_that_raises_is_one_log_line_and_training_goes_on(runs_dir):
    recipe = merge(TINY_GAN, run={"steps": 10, "checkpoint_every": 5, "sample_every": 5, "log_every": 5})
    config = validate(recipe)
    run = create_run(runs_dir, dump_toml(config), config.name)
    lines: list[str] = []
    trainer = build_trainer(run, lines.append)

    def broken_sample():
        raise RuntimeError("no room for a grid\nsecond line")

    trainer.sample = broken_sample  # what any family's sample does when it breaks (a bug, an odd input)
    assert trainer.run() is RunState.FINISHED
    assert [c.step for c in run.checkpoints()] == [5, 10]
    skipped = [line for line in lines if "skipped" in line]
    assert skipped == ["sample at step 5 skipped: RuntimeError: no room for a grid",
                       "sample at step 10 skipped: RuntimeError: no room for a grid"]
