"""LM family: a small GPT from scratch, or a fine-tune of any local Hugging Face causal LM."""
