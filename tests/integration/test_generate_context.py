"""Asking for more tokens than the model's context holds says why the text stopped short."""

from __future__ import annotations

from lm_fixtures import make_tokenizer

from aigc_tui.cli import main


def _tiny_lm(tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, GPT2Config

    folder = tmp_path / "ctx-32"
    tok = make_tokenizer(folder)
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=len(tok), n_positions=32, n_embd=16, n_layer=1, n_head=2,
                     bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
    AutoModelForCausalLM.from_config(cfg).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def test_generate_says_it_stopped_at_the_models_context(tmp_path, capsys):
    folder = _tiny_lm(tmp_path)
    # greedy from a fixed seed: the same tokens every run, no eos among them, so the context stops it
    assert main(["generate", str(folder), "def ", "--max-new-tokens", "3000", "--device", "cpu",
                 "--temperature", "0"]) == 0
    err = capsys.readouterr().err
    assert "stopped at the model's 32-token context" in err, err


def test_generate_shows_a_prompts_control_characters_escaped_on_a_terminal(tmp_path, capsys, monkeypatch):
    """Tester6 G8: the prompt went to the terminal raw, so an ESC sequence recoloured it, a BEL rang."""
    import sys

    folder = _tiny_lm(tmp_path)
    argv = ["generate", str(folder), "a\x1b[31mb\x07\tc", "--max-new-tokens", "2", "--device", "cpu"]
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith("a\\x1b[31mb\\x07\tc") and "\x1b" not in out and "\x07" not in out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)  # piped: the text as it is
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("a\x1b[31mb\x07\tc")
