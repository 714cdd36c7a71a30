"""A tiny Hugging Face Trainer run with the workbench callback: 2-layer GPT-2, a few hundred tokens.

    python hf_trainer_tiny.py OUTPUT_DIR MAX_STEPS
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lm_fixtures import CORPUS, make_tokenizer  # noqa: E402

from aigc_tui.integrations.transformers import WorkbenchCallback  # noqa: E402

BLOCK = 16


class Blocks(torch.utils.data.Dataset):
    def __init__(self, ids: list[int]) -> None:
        self.blocks = [ids[i:i + BLOCK] for i in range(0, len(ids) - BLOCK, BLOCK)]

    def __len__(self) -> int:
        return len(self.blocks)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        x = torch.tensor(self.blocks[i])
        return {"input_ids": x, "labels": x.clone()}


def main() -> None:
    out, max_steps = Path(sys.argv[1]), int(sys.argv[2])
    torch.manual_seed(0)
    tok = make_tokenizer(out / "tokenizer")
    tok.pad_token = tok.eos_token
    ids = tok("".join(CORPUS[:4]))["input_ids"][:400]  # a few hundred tokens
    config = GPT2Config(vocab_size=len(tok), n_positions=64, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
    args = TrainingArguments(
        output_dir=str(out), max_steps=max_steps, per_device_train_batch_size=4, learning_rate=3e-3,
        logging_steps=5, eval_strategy="steps", eval_steps=10, save_steps=20, save_total_limit=2,
        report_to=[], use_cpu=True, disable_tqdm=True, dataloader_num_workers=0, seed=0,
    )
    data = Blocks(ids)
    trainer = Trainer(model=GPT2LMHeadModel(config), args=args, train_dataset=data, eval_dataset=data,
                      processing_class=tok, callbacks=[WorkbenchCallback()])
    trainer.train()


if __name__ == "__main__":
    main()
