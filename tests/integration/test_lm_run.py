"""Tiny LM runs on CPU: from scratch, fine-tunes of local HF models, exact resume, generate."""

from __future__ import annotations

import math

import pytest
import torch
from helpers import merge, stop_after_step, write_recipe
from lm_fixtures import TINY_LM, make_tiny_model

from aigc_tui.cli import main
from aigc_tui.config import dump_toml, validate
from aigc_tui.runs import MetricsReader, RunState, create_run, list_runs
from aigc_tui.train.worker import build_trainer, run_worker


def _new_run(runs_dir, recipe):
    config = validate(recipe)
    return create_run(runs_dir, dump_toml(config), config.name)


@pytest.fixture(scope="module")
def trained_lm(tmp_path_factory):
    """One from-scratch run shared by the tests that only read it."""
    import os

    home = tmp_path_factory.mktemp("lmhome")
    old = os.environ.get("AIGC_TUI_HOME")
    os.environ["AIGC_TUI_HOME"] = str(home)
    try:
        run = _new_run(home / "runs", TINY_LM)
        assert run_worker(run) is RunState.FINISHED
    finally:
        if old is not None:
            os.environ["AIGC_TUI_HOME"] = old
    return run


def test_from_scratch_loss_falls_and_metrics_are_complete(trained_lm):
    reader = MetricsReader(trained_lm.path)
    reader.poll()
    loss = reader.series["loss"].values
    assert loss[-1] < loss[0] - 0.5, loss
    assert reader.series["val_loss"].steps.tolist() == [10, 20, 30]
    val = reader.series["val_loss"].values[-1]
    assert math.isclose(reader.series["val_ppl"].values[-1], math.exp(val), rel_tol=1e-6)
    from aigc_tui.config import LmConfig  # what `run.keep_best` may name, checked at launch

    assert set(reader.series) <= set(LmConfig.logged_metrics), set(reader.series) - set(LmConfig.logged_metrics)
    for name in ("lr", "grad_norm", "tokens_per_s"):
        assert all(math.isfinite(v) and v > 0 for v in reader.series[name].values), name
    lr = reader.series["lr"].values
    assert lr[0] > lr[-1]  # warmup then cosine decay


def test_checkpoint_is_a_plain_save_pretrained_directory(trained_lm):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    final = trained_lm.checkpoints()[-1]
    assert final.step == 30 and final.kind == "lm" and final.resumable
    model = AutoModelForCausalLM.from_pretrained(final.path)
    tokenizer = AutoTokenizer.from_pretrained(final.path)
    assert (final.path / "model.safetensors").is_file()
    ids = tokenizer("The ", return_tensors="pt")["input_ids"]
    assert model(ids).logits.shape[-1] == len(tokenizer)
    sample = (final.path / "sample.txt").read_text()
    assert sample.startswith("The ") and len(sample) > len("The ")


def test_generate_streams_the_asked_number_of_tokens(trained_lm, capsys):
    root = str(trained_lm.path.parent)
    assert main(["generate", trained_lm.id, "def ", "--max-new-tokens", "12", "--seed", "5",
                 "--device", "cpu", "--runs-dir", root]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("def ") and len(captured.out) > len("def ")
    assert captured.out.endswith("\n")  # generate ends its output with a newline
    assert "[12 tokens; first token" in captured.err and "tokens/s]" in captured.err
    main(["generate", trained_lm.id, "def ", "--max-new-tokens", "12", "--seed", "5", "--device", "cpu",
          "--runs-dir", root])
    assert capsys.readouterr().out == captured.out  # same seed, same text
    assert main(["generate", trained_lm.id, "x", "--top-p", "0", "--runs-dir", root]) == 2
    assert "top_p = 0.0" in capsys.readouterr().err


@pytest.mark.parametrize("arch", ["gpt2", "llama"])
def test_fine_tune_a_local_hf_model(tmp_path, runs_dir, arch):
    from transformers import AutoModelForCausalLM

    base = make_tiny_model(tmp_path / f"tiny-{arch}", arch)
    text = tmp_path / "corpus.txt"
    text.write_text("def hello():\n    return 'hello world'\n" * 200)
    recipe = merge(TINY_LM, name=f"ft-{arch}", data={"source": f"text:{text}", "max_chars": 0},
                   model={"pretrained": str(base)}, run={"steps": 6, "checkpoint_every": 0, "keep_best": ""})
    run = _new_run(runs_dir, recipe)
    assert run_worker(run) is RunState.FINISHED, run.status().error
    final = run.checkpoints()[-1]
    tuned = AutoModelForCausalLM.from_pretrained(final.path)
    original = AutoModelForCausalLM.from_pretrained(base)
    changed = [k for k, v in tuned.state_dict().items() if not torch.equal(v, original.state_dict()[k])]
    assert changed, "fine-tuning changed no weight"
    assert type(tuned).__name__.lower().startswith(arch[:4])


def test_token_cache_is_reused_across_runs(runs_dir, isolated_home):
    recipe = merge(TINY_LM, run={"steps": 2, "checkpoint_every": 0, "keep_best": ""})
    assert run_worker(_new_run(runs_dir, recipe)) is RunState.FINISHED
    caches = list((isolated_home / "cache" / "tokens").iterdir())
    assert len(caches) == 1
    stamp = (caches[0] / "train.bin").stat().st_mtime_ns
    assert run_worker(_new_run(runs_dir, recipe)) is RunState.FINISHED
    assert (caches[0] / "train.bin").stat().st_mtime_ns == stamp


LM_BAD = [
    ({"model": {"pretrained": "/no/such/model"}}, "model.pretrained: /no/such/model does not exist"),
    ({"model": {"pretrained": "some-org/not-cached-model"}}, "not in the local Hugging Face cache"),
    ({"model": {"n_embd": 30, "n_head": 4}}, "must be divisible by model.n_head"),
    ({"model": {"arch": "mamba"}}, "model.arch = 'mamba'"),
    ({"data": {"source": "text:/no/such.txt"}}, "text path /no/such.txt does not exist"),
    ({"data": {"source": "wikipedia"}}, "unknown text source 'wikipedia'"),
    ({"train": {"grad_accum": 0}}, "train.grad_accum = 0"),
]


@pytest.mark.parametrize(("change", "expected"), LM_BAD, ids=[e for _, e in LM_BAD])
def test_invalid_lm_recipe_is_refused(tmp_path, runs_dir, capsys, change, expected):
    path = write_recipe(tmp_path / "bad.toml", merge(TINY_LM, **change))
    assert main(["train", str(path), "--runs-dir", str(runs_dir)]) == 2
    assert expected in capsys.readouterr().err
    assert list_runs(runs_dir) == []


def _lora_run(tmp_path, runs_dir, steps: int, checkpoint_every: int):
    """A LoRA fine-tune of a tiny local GPT-2 on a tiny corpus: (the base model dir, the new run)."""
    base = make_tiny_model(tmp_path / "base", "gpt2")
    text = tmp_path / "corpus.txt"
    text.write_text("def f():\n    return 1\n" * 300)
    recipe = merge(TINY_LM, data={"source": f"text:{text}", "max_chars": 0},
                   model={"pretrained": str(base), "lora": True},
                   run={"steps": steps, "checkpoint_every": checkpoint_every, "keep_best": ""})
    return base, _new_run(runs_dir, recipe)


def test_generate_loads_a_lora_checkpoint_on_its_base_and_refuses_a_gone_base(tmp_path, runs_dir, capsys):
    """tester5 F12: a LoRA run's checkpoints (adapter only, no config.json) generate like any LM."""
    pytest.importorskip("peft")
    import shutil

    base, run = _lora_run(tmp_path, runs_dir, steps=2, checkpoint_every=2)
    assert run_worker(run) is RunState.FINISHED, run.status().error
    args = ["generate", run.id, "def ", "--max-new-tokens", "4", "--device", "cpu", "--runs-dir", str(runs_dir)]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("def ") and len(captured.out) > len("def \n"), captured.err
    shutil.rmtree(base)
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "LoRA's base checkpoint" in err and "no longer exists" in err and "Traceback" not in err


def test_a_lora_checkpoint_is_a_model_to_fine_tune_from(tmp_path, runs_dir, capsys):
    """model.pretrained = a LoRA run was refused ("no config.json"): it trains from its base with
    the adapter merged, as a full fine-tune or as another LoRA that records the LoRA as its base."""
    pytest.importorskip("peft")
    import json
    import shutil

    base, parent = _lora_run(tmp_path, runs_dir, steps=2, checkpoint_every=2)
    assert run_worker(parent) is RunState.FINISHED, parent.status().error
    recipe = merge(TINY_LM, data={"source": f"text:{tmp_path / 'corpus.txt'}", "max_chars": 0},
                   model={"pretrained": parent.id}, run={"steps": 2, "checkpoint_every": 2, "keep_best": ""})
    for name, lora in (("full", False), ("lora-on-lora", True)):
        recipe = merge(recipe, model={"lora": lora}, name=name)
        path = write_recipe(tmp_path / f"{name}.toml", recipe)
        code = main(["train", str(path), "--runs-dir", str(runs_dir), "--device", "cpu"])
        run = next(r for r in list_runs(runs_dir) if r.name == name)
        assert code == 0 and run.status().state is RunState.FINISHED, (run.status().error, capsys.readouterr().err)
        assert run.status().parent["run"] == parent.id
        capsys.readouterr()
        ckpt = run.checkpoints()[-1].path
        args = ["generate", str(ckpt), "def ", "--max-new-tokens", "3", "--device", "cpu"]
        assert main(args) == 0 and capsys.readouterr().out.startswith("def ")
    adapter = json.loads((ckpt / "adapter_config.json").read_text())
    assert adapter["base_model_name_or_path"] == str(parent.checkpoints()[-1].path)  # not the first base
    shutil.rmtree(base)  # the LoRA's base gone: one line saying so, nothing created
    path = write_recipe(tmp_path / "orphan.toml", merge(recipe, name="orphan"))
    assert main(["train", str(path), "--runs-dir", str(runs_dir), "--device", "cpu"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "LoRA adapter on" in err and "no longer exists" in err, err
    assert not any(r.name == "orphan" for r in list_runs(runs_dir))


def test_lora_fine_tune_saves_an_adapter_transformers_loads(tmp_path, runs_dir):
    pytest.importorskip("peft")
    from transformers import AutoModelForCausalLM

    base, run = _lora_run(tmp_path, runs_dir, steps=6, checkpoint_every=3)
    trainer = build_trainer(run, lambda _m: None)
    stop_after_step(trainer, 3)
    assert trainer.run() is RunState.STOPPED
    assert run_worker(run) is RunState.FINISHED, run.status().error  # resumes the adapter
    final = run.checkpoints()[-1].path
    assert (final / "adapter_model.safetensors").is_file()
    model = AutoModelForCausalLM.from_pretrained(final)
    assert any("lora" in name for name, _ in model.named_parameters())
