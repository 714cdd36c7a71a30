"""`aigc-tui generate`: stream text from an LM to the terminal, then report its speed."""

from __future__ import annotations

import argparse
import sys

from aigc_tui.commands.user_text import shown, user_text
from aigc_tui.generate.resolve import load_unpruned, resolve_model
from aigc_tui.generate.stops import unescape
from aigc_tui.paths import runs_root


def generate(args: argparse.Namespace) -> int:
    prompt = user_text(args.prompt, "prompt")
    from aigc_tui.models.lm_stream import GenerationParams

    params = GenerationParams(
        max_new_tokens=args.max_new_tokens, temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
        repetition_penalty=args.repetition_penalty, seed=args.seed, num_samples=args.num_samples,
        stop=[unescape(text) for text in args.stop],
    )
    params.check()
    root = runs_root(args.runs_dir)
    location = resolve_model(args.model, root)  # a bad reference is refused before torch is imported
    from aigc_tui.models.device import resolve_device
    from aigc_tui.models.lm import load_pretrained
    from aigc_tui.models.lm_stream import check_prompt_fits, stream_generate
    from aigc_tui.models.quiet import quiet_libraries

    quiet_libraries()
    device = resolve_device(args.device)
    model, tokenizer = load_unpruned(location, lambda: resolve_model(args.model, root), load_pretrained)
    model.to(device).eval()
    check_prompt_fits(model, tokenizer, prompt)  # before the prompt is echoed
    out = sys.stdout
    for index in range(params.num_samples):
        if params.num_samples > 1:
            out.write(f"\n--- sample {index + 1} ---\n")
        out.write(shown(prompt, out))  # on a terminal, control characters escaped (tester6 G8)
        out.flush()
        stats = stream_generate(model, tokenizer, prompt, params, lambda t: (out.write(shown(t, out)), out.flush()),
                                sample_index=index)
        first = f"{stats.first_token_s * 1000:.0f} ms" if stats.first_token_s is not None else "-"
        out.write("\n")  # the text ends its line, so a shell prompt or a pipe gets whole lines
        out.flush()
        why = (f"; cut at stop string {stats.stop!r}" if stats.stop else
               f"; stopped at the model's {stats.context_limit}-token context" if stats.context_limit else "")
        print(f"[{stats.new_tokens} tokens; first token {first}; {stats.tokens_per_s:.1f} tokens/s{why}]",
              file=sys.stderr, flush=True)
    return 0
