"""The hand-written GAN loop `aigc-tui bench` measures the trainer against.

pytorch/examples dcgan/main.py's loop, minimal: data as floats on the device once, D on a
real and a fake batch, then G through D on the same fake batch; BCE on logits (what the
trainer's `bce` loss is), Adam (fused on CUDA) on the very model objects the trainer
holds, so the ratio measures the loop alone. No metrics, no checks: the floor to beat.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F


def make_step(generator: torch.nn.Module, discriminator: torch.nn.Module, images: torch.Tensor,
              batch_size: int, latent_dim: int, lr: float = 2e-4) -> Callable[[], int]:
    """A function that runs one training iteration and returns the images it consumed."""
    device = images.device
    fused = {"fused": True} if device.type == "cuda" else {}
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=lr, betas=(0.5, 0.999), **fused)
    opt_g = torch.optim.Adam(generator.parameters(), lr=lr, betas=(0.5, 0.999), **fused)
    data = images.float().div(127.5).sub(1.0) if images.dtype == torch.uint8 else images
    n = data.shape[0]
    state = {"i": 0, "perm": torch.randperm(n, device=device)}

    def step() -> int:
        i = state["i"]
        if (i + 1) * batch_size > n:
            state["i"], i = 0, 0
            state["perm"] = torch.randperm(n, device=device)
        state["i"] += 1
        real = data[state["perm"][i * batch_size : (i + 1) * batch_size]]
        fake = generator(torch.randn(batch_size, latent_dim, device=device))
        opt_d.zero_grad(set_to_none=True)
        loss_d = (F.softplus(-discriminator(real)).mean()
                  + F.softplus(discriminator(fake.detach())).mean())
        loss_d.backward()
        opt_d.step()
        opt_g.zero_grad(set_to_none=True)
        loss_g = F.softplus(-discriminator(fake)).mean()
        loss_g.backward()
        opt_g.step()
        return batch_size

    return step
