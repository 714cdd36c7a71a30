"""`aigc-tui fill-mask` and `aigc-tui classify`: try an encoder from the terminal."""

from __future__ import annotations

import argparse
import json
import sys

from aigc_tui.commands.user_text import shown, user_text
from aigc_tui.errors import AigcError
from aigc_tui.generate.resolve import resolve_model
from aigc_tui.paths import runs_root


def _load(args: argparse.Namespace, kind: str):
    location = resolve_model(args.model, runs_root(args.runs_dir), kinds=(kind,))
    from aigc_tui.models.device import resolve_device
    from aigc_tui.models.encoder import load_encoder
    from aigc_tui.models.quiet import quiet_libraries

    quiet_libraries()
    model, tokenizer = load_encoder(location, kind)
    return model.to(resolve_device(args.device)).eval(), tokenizer


def _text(args: argparse.Namespace) -> str:
    return user_text(args.text, "text")


def fill_mask_cmd(args: argparse.Namespace) -> int:
    from aigc_tui.models.encoder import MAX_TOP_K

    if not 1 <= args.top_k <= MAX_TOP_K:  # before the model loads
        raise AigcError(f"--top-k {args.top_k}: give 1 to {MAX_TOP_K} guesses per mask")
    text = _text(args)
    model, tokenizer = _load(args, "mlm")
    from aigc_tui.models.encoder import fill_mask

    guesses = fill_mask(model, tokenizer, text, top_k=args.top_k)
    if args.json:
        print(json.dumps([[{"token": g.token, "prob": g.prob} for g in options] for options in guesses]))
        return 0
    best = text
    for options in guesses:
        best = best.replace(tokenizer.mask_token, f"[{options[0].token}]", 1)
    print(shown(best, sys.stdout))  # the user's text: no raw ESC sequence on a terminal
    for n, options in enumerate(guesses, 1):
        print(f"  mask {n}: " + "  ".join(f"{g.token} {g.prob:.3f}" for g in options))
    return 0


def classify_cmd(args: argparse.Namespace) -> int:
    if args.top < 1:
        raise AigcError(f"--top {args.top}: show at least 1 label (--json gives them all)")
    text = _text(args)
    model, tokenizer = _load(args, "classify")
    from aigc_tui.models.encoder import classify_text, read_tokens, truncation_note

    probs = classify_text(model, tokenizer, text)
    read, total = read_tokens(model, tokenizer, text)
    if args.json:
        print(json.dumps({"label": probs[0][0], "probs": dict(probs), "tokens_read": read, "tokens": total}))
        return 0
    if read < total:
        print(f"note: {truncation_note(read, total)}", file=sys.stderr)
    width = max(len(label) for label, _ in probs)
    for label, p in probs[: args.top]:
        print(f"{label:<{width}}  {p:6.3f}  {'█' * round(p * 40)}")
    return 0
