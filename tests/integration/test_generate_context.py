"""Asking for more tokens than the model's context holds says why the text stopped short."""

from __future__ import annotations

from lm_fixtures import make_tokenizer

from aigc_tui.cli import main


def test_generate_says_it_stopped_at_the_models_context(tmp_path, capsys):
    import torch
    from transformers import AutoModelForCausalLM, GPT2Config

    folder = tmp_path / "ctx-32"
    tok = make_tokenizer(folder)
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=len(tok), n_positions=32, n_embd=16, n_layer=1, n_head=2,
                     bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
    AutoModelForCausalLM.from_config(cfg).save_pretrained(folder)
    tok.save_pretrained(folder)
    # greedy from a fixed seed: the same tokens every run, no eos among them, so the context stops it
    assert main(["generate", str(folder), "def ", "--max-new-tokens", "3000", "--device", "cpu",
                 "--temperature", "0"]) == 0
    err = capsys.readouterr().err
    assert "stopped at the model's 32-token context" in err, err
