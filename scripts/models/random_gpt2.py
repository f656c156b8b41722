"""A GPT-2 of a chosen size with random weights, in the transformers.js folder layout.

It answers nonsense; it exists to measure how fast models of a given size load and generate on
this machine (README, "What sizes run well"), through the same "model from a folder" path a
user's own finetune takes. It reuses tiny-base's tokenizer and chat template, so only the
network's size differs from the bundled model.

    /usr/bin/python3 scripts/models/random_gpt2.py OUT_DIR --n-embd 768 --n-layer 12

Needs Debian's python3-torch and python3-onnx (see README.md in this folder). Seeded.
"""

import argparse
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from gpt2 import GPT2Config, GPT2LMHeadModel, export_onnx  # noqa: E402

TINY_BASE = os.path.join(os.path.dirname(__file__), "..", "..", "public", "models", "tiny-base")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--n-embd", type=int, default=768)
    parser.add_argument("--n-layer", type=int, default=12)
    parser.add_argument("--n-head", type=int, default=12)
    parser.add_argument("--n-positions", type=int, default=512)
    args = parser.parse_args()

    with open(os.path.join(TINY_BASE, "config.json"), encoding="utf-8") as f:
        base = json.load(f)
    torch.manual_seed(1)
    cfg = GPT2Config(
        vocab_size=base["vocab_size"],
        n_positions=args.n_positions,
        n_embd=args.n_embd,
        n_layer=args.n_layer,
        n_head=args.n_head,
    )
    model = GPT2LMHeadModel(cfg)
    params = sum(p.numel() for p in model.parameters())
    os.makedirs(os.path.join(args.out_dir, "onnx"), exist_ok=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"):
        shutil.copy(os.path.join(TINY_BASE, name), os.path.join(args.out_dir, name))
    keep = {k: base[k] for k in ("bos_token_id", "eos_token_id", "pad_token_id", "transformers.js_config") if k in base}
    with open(os.path.join(args.out_dir, "config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg.to_hf(**keep, _description=f"random GPT-2, {params / 1e6:.1f} M parameters"), f, indent=2)
    export_onnx(model, os.path.join(args.out_dir, "onnx", "model.onnx"))
    size = os.path.getsize(os.path.join(args.out_dir, "onnx", "model.onnx"))
    print(f"{args.out_dir}: {params / 1e6:.1f} M parameters, onnx/model.onnx {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
