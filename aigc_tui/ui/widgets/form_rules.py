"""Which recipe fields the Launch form shows: only those the chosen kind, model and loss use.

A rule takes the values the form holds now and says whether its field applies; a field
without a rule always does. Hidden fields keep their values (the recipe is saved whole).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aigc_tui.config.gan import TORCHVISION_SETS

Values = dict[str, Any]
Rule = Callable[[Values], bool]
Field = tuple[str, str]


def _get(v: Values, section: str, key: str, default: Any = None) -> Any:
    value = v.get(section, {}).get(key, default)
    return default if value is None else value


def _int(v: Values, section: str, key: str, default: int) -> int:
    try:
        return int(_get(v, section, key, default))
    except (TypeError, ValueError, OverflowError):  # inf from a hand-edited recipe too
        return default  # a half-typed number: the form's error says what is wrong


def _arch(v: Values) -> str:
    return str(_get(v, "model", "arch", "mlp"))


def _loss(v: Values) -> str:
    return str(_get(v, "train", "loss", "bce"))


def _pretrained(v: Values) -> bool:
    return bool(str(_get(v, "model", "pretrained", "")).strip())


def _scratch(v: Values) -> bool:
    """From-scratch sizes apply without a pretrained model, and as the fallback when it is missing."""
    return not _pretrained(v) or str(_get(v, "model", "if_missing", "error")) == "scratch"


def _torchvision(v: Values) -> bool:
    """data.root/download are torchvision's (mnist, …); builtin:digits and imagefolder: ignore them."""
    return str(_get(v, "data", "source", "builtin:digits")).strip() in TORCHVISION_SETS


def _several_processes(v: Values) -> bool:
    return bool(str(_get(v, "run", "gpus", "")).strip()) or _int(v, "run", "nproc", 1) > 1 \
        or _int(v, "run", "nnodes", 1) > 1


EVERY_KIND: dict[Field, Rule] = {
    ("run", "rdzv_endpoint"): lambda v: _int(v, "run", "nnodes", 1) > 1,
    ("run", "max_restarts"): _several_processes,
    ("run", "best_mode"): lambda v: bool(str(_get(v, "run", "keep_best", "")).strip()),
    ("run", "sweep"): lambda v: bool(_get(v, "run", "sweep", "")),  # set by `aigc-tui sweep`
    ("run", "sweep_keys"): lambda v: bool(_get(v, "run", "sweep_keys", [])),
}

GAN: dict[Field, Rule] = {
    ("model", "g_hidden"): lambda v: _arch(v) == "mlp",
    ("model", "d_hidden"): lambda v: _arch(v) == "mlp",
    ("model", "g_batchnorm"): lambda v: _arch(v) == "mlp",
    ("model", "d_dropout"): lambda v: _arch(v) == "mlp",
    ("model", "g_features"): lambda v: _arch(v) == "dcgan",
    ("model", "d_features"): lambda v: _arch(v) == "dcgan",
    ("train", "n_critic"): lambda v: _loss(v) != "bce",
    ("train", "gp_weight"): lambda v: _loss(v) == "wgan-gp",
    ("data", "root"): _torchvision,
    ("data", "download"): _torchvision,
}

LM: dict[Field, Rule] = {  # fine-tune (model.pretrained) or from scratch
    ("model", "if_missing"): _pretrained,
    ("model", "allow_download"): _pretrained,
    ("model", "trust_remote_code"): _pretrained,
    **{("model", key): _scratch for key in ("arch", "n_layer", "n_head", "n_embd", "vocab_size", "dropout")},
    **{("model", key): lambda v: bool(_get(v, "model", "lora", False)) for key in ("lora_r", "lora_alpha",
                                                                                      "lora_dropout")},
    ("train", "strategy"): _several_processes,
}

CLASSIFY: dict[Field, Rule] = {
    ("model", "if_missing"): _pretrained,
    **{("model", key): _scratch for key in ("n_layer", "n_head", "n_embd", "block_size", "vocab_size",
                                            "tokenizer", "dropout")},
    ("data", "dev_fraction"): lambda v: not str(_get(v, "data", "dev", "")).strip(),
}

RULES: dict[str, dict[Field, Rule]] = {"gan": GAN, "lm": LM, "mlm": {}, "classify": CLASSIFY}

# help text written for one family, said plainly for the others
HELP_ELSEWHERE: dict[Field, str] = {
    ("run", "steps"): "Optimizer steps to train for.",
}
# what a shared field does for one kind, where the common words would mislead
HELP_FOR_KIND: dict[tuple[str, Field], str] = {
    ("classify", ("run", "sample_every")): "Steps between writing the first dev texts' predicted labels "
                                           "(0: only at checkpoints).",
}


# the fields the rules read: only a change to one of these can show or hide another field
DRIVERS = frozenset({("model", "arch"), ("train", "loss"), ("model", "pretrained"), ("model", "lora"),
                     ("model", "if_missing"), ("data", "source"), ("run", "gpus"), ("run", "nproc"),
                     ("run", "nnodes"), ("run", "keep_best"), ("data", "dev")})


def rules_for(kind: str) -> dict[Field, Rule]:
    return EVERY_KIND | RULES.get(kind, {})


def help_text(kind: str, field: Field, description: str | None) -> str:
    """The field's first help line; GAN-only wording is left out of other kinds' forms."""
    if (kind, field) in HELP_FOR_KIND:
        return HELP_FOR_KIND[kind, field]
    if kind != "gan" and field in HELP_ELSEWHERE:
        return HELP_ELSEWHERE[field]
    return (description or "").split("\n")[0]
