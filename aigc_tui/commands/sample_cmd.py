"""`aigc-tui sample`: a PNG grid from a GAN checkpoint."""

from __future__ import annotations

import argparse
from pathlib import Path

from aigc_tui.cli import UserError
from aigc_tui.paths import runs_root
from aigc_tui.runs import RunNotFound
from aigc_tui.runs.store import find_checkpoint


def sample(args: argparse.Namespace) -> int:
    if not 1 <= args.n <= 1024:
        raise UserError(f"-n {args.n}: the number of images must be from 1 to 1024")
    try:
        ckpt = find_checkpoint(runs_root(args.runs_dir), args.ref)
    except RunNotFound as exc:
        raise UserError(str(exc)) from None
    if ckpt.kind != "gan":
        raise UserError(f"{ckpt.path} is a {ckpt.kind or 'non-GAN'} checkpoint; `sample` makes GAN grids, use `aigc-tui generate` for LMs")
    run_name = ckpt.run_dir.name
    out = Path(args.output or f"sample-{run_name}-{ckpt.name}-s{args.seed}.png")
    if out.suffix.lower() != ".png":
        raise UserError(f"-o {out}: the output must be a .png file")
    from aigc_tui.train.device import DeviceError, resolve_device
    from aigc_tui.train.gan.sample import interpolation_grid, sample_grid

    try:
        device = str(resolve_device(args.device))
    except DeviceError as exc:
        raise UserError(str(exc)) from None
    if args.interpolate is not None:
        interpolation_grid(ckpt.path, out, args.seed, args.interpolate, steps=min(args.n, 16), device=device)
    else:
        sample_grid(ckpt.path, out, n=args.n, seed=args.seed, device=device)
    print(f"wrote {out} ({args.n} images from {ckpt.name} of {run_name})")
    return 0
