"""`aigc-tui sample`: a PNG grid from a GAN checkpoint."""

from __future__ import annotations

import argparse
from pathlib import Path

from aigc_tui.config.common import MAX_SEED
from aigc_tui.errors import AigcError
from aigc_tui.generate.resolve import load_unpruned
from aigc_tui.paths import runs_root
from aigc_tui.runs.store import find_checkpoint


def sample(args: argparse.Namespace) -> int:
    if not 1 <= args.n <= 1024:
        raise AigcError(f"-n {args.n}: the number of images must be from 1 to 1024")
    for flag, seed in (("--seed", args.seed), ("--interpolate", args.interpolate)):
        if seed is not None and not 0 <= seed <= MAX_SEED:
            raise AigcError(f"{flag} {seed}: a seed must be from 0 to {MAX_SEED}")
    root = runs_root(args.runs_dir)
    ckpt = find_checkpoint(root, args.ref)
    if ckpt.kind != "gan":
        raise AigcError(f"{ckpt.path} is a {ckpt.kind or 'non-GAN'} checkpoint; `sample` makes GAN grids, use `aigc-tui generate` for LMs")
    run_name = ckpt.run_dir.name
    out = Path(args.output or f"sample-{run_name}-{ckpt.name}-s{args.seed}.png")
    if out.suffix.lower() != ".png":
        raise AigcError(f"-o {out}: the output must be a .png file")
    if not out.absolute().parent.is_dir():
        raise AigcError(f"-o {out}: the folder {out.absolute().parent} does not exist")
    from aigc_tui.models.device import resolve_device
    from aigc_tui.models.gan_sample import interpolation_grid, sample_grid

    device = str(resolve_device(args.device))

    def grid(location: str) -> str:
        if args.interpolate is not None:
            interpolation_grid(Path(location), out, args.seed, args.interpolate, steps=min(args.n, 16), device=device)
        else:
            sample_grid(Path(location), out, n=args.n, seed=args.seed, device=device)
        return Path(location).name

    try:  # a live run may prune the checkpoint meanwhile: a run named outright then means its newest
        used = load_unpruned(str(ckpt.path), lambda: str(find_checkpoint(root, args.ref).path), grid)
    except OSError as exc:
        if exc.filename != str(out):
            raise
        raise AigcError(f"-o {out}: cannot write it there ({exc.strerror})") from None
    print(f"wrote {out} ({args.n} images from {used} of {run_name})")
    return 0
