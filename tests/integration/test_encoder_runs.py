"""BERT on CPU: masked-LM pretraining, then a classifier fine-tuned from it; fill-mask and classify."""

from __future__ import annotations

import json

import pytest
from encoder_fixtures import TINY_CLASSIFY, TINY_MLM
from helpers import merge, write_recipe

from aigc_tui.cli import main
from aigc_tui.runs import MetricsReader, find_run, list_runs


@pytest.fixture(scope="module")
def encoder_runs(tmp_path_factory):
    """One MLM run and one classifier fine-tuned from it, shared by the tests that only read them."""
    import os

    home = tmp_path_factory.mktemp("encoderhome")
    old = os.environ.get("AIGC_TUI_HOME")
    os.environ["AIGC_TUI_HOME"] = str(home)
    try:
        runs = home / "runs"
        for recipe in (TINY_MLM, TINY_CLASSIFY):
            path = write_recipe(home / f"{recipe['name']}.toml", recipe)
            assert main(["train", str(path), "--runs-dir", str(runs)]) == 0
        yield find_run(runs, "tiny-mlm"), find_run(runs, "tiny-classify"), runs
    finally:
        if old is None:
            os.environ.pop("AIGC_TUI_HOME", None)
        else:
            os.environ["AIGC_TUI_HOME"] = old


def test_mlm_logs_its_metrics_and_saves_a_masked_lm(encoder_runs):
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    mlm, _, _ = encoder_runs
    reader = MetricsReader(mlm.path)
    reader.poll()
    assert {"loss", "val_loss", "mlm_accuracy"} <= set(reader.series)
    from aigc_tui.config import MlmConfig  # what `run.keep_best` may name, checked at launch

    assert set(reader.series) <= set(MlmConfig.logged_metrics), set(reader.series) - set(MlmConfig.logged_metrics)
    final = mlm.checkpoints()[-1]
    model = AutoModelForMaskedLM.from_pretrained(final.path)
    tokenizer = AutoTokenizer.from_pretrained(final.path)
    assert tokenizer.mask_token == "[MASK]"
    assert model.config.vocab_size == len(tokenizer)
    assert "[MASK]" in (final.path / "sample.txt").read_text()


def test_classifier_fine_tuned_from_mlm_beats_the_majority_baseline(encoder_runs):
    mlm, classifier, _ = encoder_runs
    parent = classifier.status().parent
    assert parent["run"] == mlm.id and parent["step"] == 20
    log = classifier.log_path.read_text()
    assert "majority baseline: always" in log
    confusion = json.loads((classifier.path / "confusion.json").read_text())
    reader = MetricsReader(classifier.path)
    reader.poll()
    assert {"val_loss", "val_accuracy", "val_f1"} <= set(reader.series)
    from aigc_tui.config import ClassifyConfig  # what `run.keep_best` may name, checked at launch

    assert set(reader.series) <= set(ClassifyConfig.logged_metrics), set(reader.series) - set(ClassifyConfig.logged_metrics)
    assert reader.series["val_accuracy"].values[-1] > confusion["baseline_accuracy"]
    matrix = confusion["matrix"]
    assert confusion["labels"] == ["asyncio", "logging"] and len(matrix) == 2
    assert sum(map(sum, matrix)) == 12  # 15 % of 40 per label, held out per label
    best = classifier.checkpoints()[-1]
    assert "val_accuracy" in best.metrics


def test_classifier_checkpoint_loads_in_vanilla_transformers(encoder_runs):
    from transformers import AutoModelForSequenceClassification

    _, classifier, _ = encoder_runs
    model = AutoModelForSequenceClassification.from_pretrained(classifier.checkpoints()[-1].path)
    assert model.config.id2label == {0: "asyncio", 1: "logging"}


def test_classify_prints_probabilities_that_sum_to_one(encoder_runs, capsys):
    _, _, runs = encoder_runs
    assert main(["classify", "tiny-classify", "Log a message with severity ERROR.", "--json",
                 "--runs-dir", str(runs)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["probs"]) == {"asyncio", "logging"}
    assert abs(sum(out["probs"].values()) - 1) < 1e-5
    assert main(["classify", "tiny-classify", "Log a message.", "--runs-dir", str(runs)]) == 0
    out, err = capsys.readouterr()
    assert "logging" in out and "read the first" not in err


def test_classify_says_when_it_read_only_the_start_of_a_long_text(encoder_runs, capsys):
    """Tester6 G13: a text longer than the model's context was cut without a word."""
    classifier, runs = encoder_runs[1], encoder_runs[2]
    context = json.loads((classifier.checkpoints()[-1].path / "config.json").read_text())["max_position_embeddings"]
    text = "word " * (context * 3)
    assert main(["classify", "tiny-classify", text, "--runs-dir", str(runs)]) == 0
    out, err = capsys.readouterr()
    assert "logging" in out
    assert err.startswith(f"note: read the first {context:,} of ") and err.count("\n") == 1, err
    assert main(["classify", "tiny-classify", text, "--json", "--runs-dir", str(runs)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["tokens_read"] == context and answer["tokens"] > context


def test_fill_mask_fills_each_mask(encoder_runs, capsys):
    _, _, runs = encoder_runs
    assert main(["fill-mask", "tiny-mlm", "The [MASK] statement returns a [MASK].", "--json",
                 "--runs-dir", str(runs)]) == 0
    guesses = json.loads(capsys.readouterr().out)
    assert len(guesses) == 2 and all(len(g) == 5 for g in guesses)
    assert main(["fill-mask", "tiny-mlm", "no mask here", "--runs-dir", str(runs)]) == 2
    assert "has no [MASK]" in capsys.readouterr().err
    assert main(["fill-mask", "tiny-classify", "The [MASK].", "--runs-dir", str(runs)]) == 2
    assert "fill-mask needs a masked-LM" in capsys.readouterr().err
    for bad, message in ((["--top-k", "0"], "top-k 0: give 1 to 100"), (["--top-k", "-3"], "top-k -3"),
                         (["--top-k", "100000"], "top-k 100000: give 1 to 100"),
                         ([], "this model's context is")):
        text = "The [MASK]." if bad else "word " * 3000 + "[MASK]"
        assert main(["fill-mask", "tiny-mlm", text, *bad, "--runs-dir", str(runs)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and message in err[0], err


@pytest.mark.parametrize(("rows", "suffix", "expected"), [
    ('{"text": "fine", "label": "a"}\n{"text": "no label"}\n', ".jsonl", "bad.jsonl:2: 'label' is missing"),
    ('{"text": "fine", "label": "a"}\nnot json\n', ".jsonl", "bad.jsonl:2: not valid JSON"),
    ("text,label\nfine,a\n,b\n", ".csv", "bad.csv:3: 'text' is empty"),
    ("words,label\nfine,a\n", ".csv", "bad.csv:1: the header must name a 'text' and a 'label' column"),
])
def test_bad_labelled_file_is_one_line_naming_the_row_and_creates_nothing(tmp_path, runs_dir, capsys,
                                                                         rows, suffix, expected):
    data = tmp_path / f"bad{suffix}"
    data.write_text(rows)
    recipe = merge(TINY_CLASSIFY, data={"source": f"labelled:{data}", "labels": [], "max_per_label": 0},
                   model={"pretrained": ""})
    path = write_recipe(tmp_path / "bad.toml", recipe)
    assert main(["train", str(path), "--runs-dir", str(runs_dir)]) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1, err
    assert list_runs(runs_dir) == []


def test_user_csv_trains_from_scratch_with_a_stratified_dev_split(tmp_path, runs_dir):
    data = tmp_path / "mood.csv"
    lines = ["text,label"] + [f"what a happy sunny day number {i},pos" for i in range(12)]
    lines += [f"\"a sad, rainy day number {i}\",neg" for i in range(12)]
    data.write_text("\n".join(lines) + "\n")
    recipe = merge(TINY_CLASSIFY, name="mood", data={"source": f"labelled:{data}", "labels": [], "max_per_label": 0},
                   model={"pretrained": "", "n_layer": 1, "n_head": 2, "n_embd": 32, "vocab_size": 200},
                   run={"steps": 10, "log_every": 5}, train={"eval_every": 5})
    path = write_recipe(tmp_path / "mood.toml", recipe)
    assert main(["train", str(path), "--runs-dir", str(runs_dir)]) == 0
    run = find_run(runs_dir, "mood")
    assert run.status().parent is None
    assert "20 train / 4 dev examples" in run.log_path.read_text()


def test_generation_helper_fills_masks_and_classifies(encoder_runs):
    from aigc_tui.generate.client import GenerationClient

    _, classifier, runs = encoder_runs
    client = GenerationClient(runs_dir=runs)
    try:
        events = list(client.events(client.classify("tiny-classify", "Log a warning."), timeout=120))
        assert events[0]["event"] == "loaded" and events[-1]["event"] == "probs"
        probs = dict(events[-1]["probs"])
        assert set(probs) == {"asyncio", "logging"} and abs(sum(probs.values()) - 1) < 1e-5
        assert events[-1]["note"] == ""  # the whole text read
        events = list(client.events(client.classify("tiny-classify", "word " * 3000), timeout=120))
        assert events[-1]["note"].startswith("read the first ")  # the app's status line shows it
        events = list(client.events(client.fill_mask("tiny-mlm", "A [MASK] loop.", top_k=3), timeout=120))
        assert events[-1]["event"] == "fill" and len(events[-1]["guesses"][0]) == 3
        assert "[MASK]" not in events[-1]["text"]
        events = list(client.events(client.classify("tiny-mlm", "text"), timeout=120))
        assert events[-1]["event"] == "error" and "classify needs a classifier" in events[-1]["message"]
    finally:
        client.close()


def test_fork_with_weights_onto_other_labels_is_refused_before_a_run_exists(encoder_runs, tmp_path, capsys):
    """tester5 F15: the parent's head has its labels; --weights onto yes/no data is refused in one line."""
    _, _, runs = encoder_runs
    data = tmp_path / "two.jsonl"
    data.write_text("".join(json.dumps({"text": f"text number {i}", "label": "yes" if i % 2 else "no"}) + "\n"
                            for i in range(20)))
    before = {r.id for r in list_runs(runs)}
    assert main(["fork", "tiny-classify", "--weights", "--set", f'data.source="labelled:{data}"',
                 "--set", "data.labels=[]", "--detach", "--runs-dir", str(runs)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "asyncio, logging" in err and "no, yes" in err and "model.pretrained" in err
    assert {r.id for r in list_runs(runs)} == before  # nothing was created
