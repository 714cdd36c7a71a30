"""Forks and fine-tunes of a checkpoint, for the CLI and the app alike (no torch).

A fork is a new run from a checkpoint's config: "config only" starts from scratch; "with
weights" starts from its weights at step 0 (or at its step), with a fresh optimizer (or its
optimizer state). "Fine-tune from here" is a recipe that names the checkpoint in
`model.pretrained`. Either way the new run records its parent in status.json.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aigc_tui.config import RecipeConfig, apply_overrides, validate
from aigc_tui.config.environment import CudaCount
from aigc_tui.errors import AigcError
from aigc_tui.launch.pretrained import parent_record
from aigc_tui.launch.start import new_run
from aigc_tui.runs.checkpoints import CheckpointInfo
from aigc_tui.runs.layout import CHECKPOINT_CONFIG_FILE, HF_CONFIG_FILE
from aigc_tui.runs.store import Run


@dataclass
class ForkPlan:
    weights: bool = False
    keep_step: bool = False
    keep_optimizer: bool = False
    overrides: list[str] = field(default_factory=list)
    name: str | None = None


def checkpoint_config(ckpt: CheckpointInfo) -> dict[str, Any]:
    for path in (ckpt.path / CHECKPOINT_CONFIG_FILE, ckpt.run_dir / CHECKPOINT_CONFIG_FILE):
        try:
            return tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError):
            continue
    raise AigcError(f"checkpoint {ckpt.path} has no readable config.toml to fork")


def fork_run(root: Path, ckpt: CheckpointInfo, plan: ForkPlan, cuda_count: CudaCount = None) -> tuple[Run, RecipeConfig]:
    """Create the forked run (not started); refuse a fork that cannot work before creating anything."""
    if (plan.keep_step or plan.keep_optimizer) and not plan.weights:
        raise AigcError("--keep-step and --keep-optimizer need --weights (a config-only fork starts from scratch)")
    if plan.keep_optimizer and not ckpt.resumable:
        raise AigcError(f"checkpoint {ckpt.name} holds weights only (no optimizer state); fork without --keep-optimizer")
    data = checkpoint_config(ckpt)
    kind, data["name"] = data.get("kind"), plan.name or str(data.get("name", "run"))
    data = apply_overrides(data, list(plan.overrides))
    if data.get("kind") != kind:  # every section would be wrong: one line, not one per key
        raise AigcError(f"a fork keeps its parent's kind ({kind}), not kind = {data.get('kind')!r}; "
                        "a new kind of run starts from its own recipe (`aigc-tui train RECIPE`)")
    config = validate(data)
    if plan.keep_step and config.run.steps <= ckpt.step:
        raise AigcError(f"run.steps = {config.run.steps} leaves nothing to train after step {ckpt.step}; "
                        f"add --set run.steps=N with N > {ckpt.step}")
    if plan.weights:
        refuse_shape_changes(validate(checkpoint_config(ckpt)), config)
        refuse_label_changes(ckpt, config)
        refuse_small_corpus(ckpt, config)
    parent = parent_record(ckpt, "fork", weights=plan.weights, keep_step=plan.keep_step,
                           keep_optimizer=plan.keep_optimizer)
    return new_run(root, config, cuda_count, parent=parent), config


def refuse_shape_changes(parent: RecipeConfig, child: RecipeConfig) -> None:
    """A fork with weights loads the parent's tensors: a --set that changes the model's shape
    is refused here, before a run exists, not as a state_dict error in the worker."""
    changed = [f"{section}.{key} {a!r} → {b!r}"
               for section, keys in (("model", None), ("data", ("image_size", "channels")))
               for key, (a, b) in _pairs(parent, child, section, keys)
               if a != b and "dropout" not in key]
    if parent.kind != child.kind:
        changed.insert(0, f"kind {parent.kind!r} → {child.kind!r}")
    if changed:
        raise AigcError(f"--weights needs the parent's model shape, but {', '.join(changed)}; "
                        "fork without --weights to start from scratch")


def refuse_label_changes(ckpt: CheckpointInfo, child: RecipeConfig) -> None:
    """A classifier's head has one output per label: --weights cannot carry it onto data with
    another label set (the worker would fail on a state_dict size mismatch)."""
    if child.kind != "classify":
        return
    try:
        id2label = json.loads((ckpt.path / HF_CONFIG_FILE).read_text()).get("id2label") or {}
        ours = [str(id2label[k]) for k in sorted(id2label, key=int)]
    except (OSError, ValueError, TypeError, AttributeError):
        return  # unreadable: the worker's own check says what is wrong
    from aigc_tui.data.labelled import load_examples

    d = child.data
    theirs = sorted(set(load_examples(d.source, d.labels, d.max_per_label).labels))
    if ours and sorted(ours) != theirs:
        where = d.source.removeprefix("labelled:")
        raise AigcError(f"--weights keeps the parent's {len(ours)} labels ({', '.join(ours[:10])}) but {where} has "
                        f"{len(theirs)} ({', '.join(theirs[:10])}); fine-tune from it instead, with a new classifier "
                        f"head: fork without --weights and --set model.pretrained='\"{ckpt.path}\"'")


def refuse_small_corpus(ckpt: CheckpointInfo, child: RecipeConfig) -> None:
    """An LM fork with weights keeps its parent's tokenizer, which may pack a small corpus into
    fewer tokens than a block needs: count them now, with that tokenizer, not in the worker (H7)."""
    data, model = getattr(child, "data", None), getattr(child, "model", None)
    source = str(getattr(data, "source", ""))
    tokenizer_file = ckpt.path / "tokenizer.json"
    if child.kind != "lm" or model.pretrained or not source.startswith("text:") or not tokenizer_file.is_file():
        return
    from aigc_tui.data.text import corpus_files, load_documents

    block = model.block_size
    try:  # a corpus this big has enough tokens (no tokenizer packs 64 bytes a token): skip the count
        if sum(f.stat().st_size for f in corpus_files(Path(source.removeprefix("text:")).expanduser())[:1000]) \
                >= 64 * (block + 2) / data.val_fraction:
            return
        from tokenizers import Tokenizer

        docs = load_documents(source, data.max_chars)
        encoded = Tokenizer.from_file(str(tokenizer_file)).encode_batch(docs, add_special_tokens=False)
    except Exception:  # unreadable or empty: the environment check or the worker says why, in one line
        return
    total = sum(len(e.ids) for e in encoded) + len(docs)  # one end-of-text token after each document
    train = int(total * (1 - data.val_fraction))
    smallest = min(train, total - train)
    if smallest <= block + 1:
        need = math.ceil((block + 2) / min(data.val_fraction, 1 - data.val_fraction))
        raise AigcError(f"data.source = {source!r}: with the parent's tokenizer (kept by --weights) the corpus is "
                        f"{total} tokens; with model.block_size = {block} it needs about {need} "
                        f"(each split more than {block + 1}); give it more text, or fork without --weights")


def _pairs(parent: RecipeConfig, child: RecipeConfig, section: str, keys: tuple[str, ...] | None):
    a = getattr(parent, section).model_dump() if hasattr(parent, section) else {}
    b = getattr(child, section).model_dump() if hasattr(child, section) else {}
    for key in keys if keys is not None else sorted(set(a) | set(b)):
        if key in a or key in b:
            yield key, (a.get(key), b.get(key))


def describe(plan: ForkPlan) -> str:
    if not plan.weights:
        return "config only (from scratch)"
    return ("with weights, " + ("at the parent's step" if plan.keep_step else "from step 0") + ", "
            + ("its optimizer state" if plan.keep_optimizer else "a fresh optimizer"))


# The recipe "fine-tune from here" starts from, by the checkpoint's kind.
FINETUNE_RECIPES = {"mlm": "bert_classify_docstrings", "lm": "lm_finetune_own"}


def finetune_recipe(ckpt: CheckpointInfo) -> dict[str, Any]:
    """A recipe that fine-tunes this checkpoint: MLM -> a classifier, LM -> an LM on another corpus."""
    from aigc_tui.paths import sample_configs_dir

    if ckpt.kind == "classify":
        data = checkpoint_config(ckpt)
    elif ckpt.kind in FINETUNE_RECIPES:
        path = sample_configs_dir() / f"{FINETUNE_RECIPES[ckpt.kind]}.toml"
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    else:
        raise AigcError(f"a {ckpt.kind or 'GAN'} checkpoint has no fine-tune recipe; fork it with its weights instead")
    run_name = str(checkpoint_config(ckpt).get("name", ckpt.run_dir.name))
    data["name"] = f"{run_name}-{'classify' if data.get('kind') == 'classify' else 'finetune'}"
    data.setdefault("model", {})
    data["model"]["pretrained"] = str(ckpt.path)
    data["model"]["if_missing"] = "error"
    return data
