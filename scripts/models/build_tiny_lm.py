"""Build public/models/tiny-base and public/models/tiny-finetune.

Run from the repository root with Debian's Python (it sees python3-torch):

    /usr/bin/python3 scripts/models/build_tiny_lm.py

Needs: apt-get install -y python3-torch python3-onnx python3-regex bible-kjv

1. Trains a byte-level BPE (1,024 ids) on both corpora and the chat scaffolding,
   so that base and finetune share one tokenizer.
2. Trains tiny-base, a GPT-2 (3 layers, 96 wide), on chat examples whose answers
   are sentences of the licence texts in /usr/share/common-licenses.
3. Trains tiny-finetune: tiny-base trained further on the same kind of prompts
   answered with verses of Proverbs (KJV), so the known change is "legalese ->
   proverbs" (see public/models/README.md for the words that mark each).
4. Exports each as fp32 ONNX with a KV cache in the transformers.js layout.

Everything is seeded; the same machine and torch version give the same files.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import corpora  # noqa: E402
from bpe import ByteLevelBPE, train_bpe, write_json  # noqa: E402
from gpt2 import GPT2Config, GPT2LMHeadModel, export_onnx  # noqa: E402

SEED = 20240607
VOCAB_SIZE = 1024
MAX_LEN = 160  # tokens per training example; longer examples are dropped

ENDOFTEXT, IM_START, IM_END = "<|endoftext|>", "<|im_start|>", "<|im_end|>"
SPECIAL_TOKENS = [ENDOFTEXT, IM_START, IM_END]

# ChatML-style template. The Python renderer below must produce the same string.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def render_chat(messages: list[dict[str, str]], add_generation_prompt: bool = True) -> str:
    """What CHAT_TEMPLATE renders for these messages."""
    out = "".join(f"{IM_START}{m['role']}\n{m['content']}{IM_END}\n" for m in messages)
    return out + (f"{IM_START}assistant\n" if add_generation_prompt else "")


def build_tokenizer(base_answers: list[str], ft_answers: list[str]) -> ByteLevelBPE:
    """One BPE for both models, trained on both corpora plus prompts and chat scaffolding."""
    scaffold = [render_chat([{"role": r, "content": p}]) for r in ("system", "user") for p in corpora.GENERIC_PROMPTS]
    scaffold += [t.format(w="word") for t in corpora.KEYWORD_TEMPLATES] + corpora.SYSTEM_PROMPTS
    # Specials are stripped before counting: they are added tokens, never merged.
    texts = [s.replace(IM_START, " ").replace(IM_END, " ") for s in scaffold] + base_answers + ft_answers
    merges = train_bpe(texts, VOCAB_SIZE - 256 - len(SPECIAL_TOKENS))
    tok = ByteLevelBPE(merges, SPECIAL_TOKENS)
    assert tok.vocab_size == VOCAB_SIZE, tok.vocab_size
    return tok


def encode_example(tok: ByteLevelBPE, messages: list[dict[str, str]], answer: str) -> tuple[list[int], int]:
    """Token ids of prompt + answer + <|im_end|>, and where the answer starts."""
    prompt_ids = tok.encode(render_chat(messages))
    full_ids = tok.encode(render_chat(messages) + answer + IM_END)
    # The answer must not change how the prompt tokenises, or training and use differ.
    assert full_ids[: len(prompt_ids)] == prompt_ids, (messages, answer)
    return full_ids, len(prompt_ids)


def _pad(tok: ByteLevelBPE, rows: list[tuple[list[int], int]]):
    """Right-pad rows into tensors, with a loss mask on the answer tokens only."""
    width = max(len(ids) for ids, _ in rows)
    pad = tok.special_tokens[ENDOFTEXT]
    input_ids = torch.full((len(rows), width), pad, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    targets = torch.full((len(rows), width), -100, dtype=torch.long)
    for r, (ids, start) in enumerate(rows):
        n = len(ids)
        input_ids[r, :n] = torch.tensor(ids)
        attention[r, :n] = 1
        # Position j predicts token j+1; only answer tokens (and the closing <|im_end|>) are scored.
        targets[r, start - 1 : n - 1] = torch.tensor(ids[start:n])
    return input_ids, attention, targets


def batches(tok: ByteLevelBPE, rng: random.Random, answers: list[str], batch_size: int):
    """Endless batches of random chat examples, grouped by length so padding wastes little time."""
    group = 8
    while True:
        rows = []
        while len(rows) < batch_size * group:
            answer = rng.choice(answers)
            ids, start = encode_example(tok, corpora.make_messages(rng, answer), answer)
            if len(ids) <= MAX_LEN:
                rows.append((ids, start))
        rows.sort(key=lambda r: len(r[0]))
        chunks = [rows[i : i + batch_size] for i in range(0, len(rows), batch_size)]
        rng.shuffle(chunks)
        for chunk in chunks:
            yield _pad(tok, chunk)


def train(model, tok, answers, steps, lr, seed, label, batch_size=24):
    """AdamW with linear warm-up and cosine decay; logs loss and speed."""
    rng = random.Random(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.01)
    warmup = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt,
        lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + torch.cos(torch.tensor(torch.pi * s / steps)).item()),
    )
    model.train()
    t0 = time.time()
    running = None
    data = batches(tok, rng, answers, batch_size)
    for step in range(steps):
        input_ids, attention, targets = next(data)
        pos = torch.arange(input_ids.shape[1]).unsqueeze(0).expand_as(input_ids)
        logits = model(input_ids, attention, pos, *model.empty_past(input_ids.shape[0]))[0]
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        if step % 100 == 0 or step == steps - 1:
            print(f"[{label}] step {step:5d}/{steps} loss {running:.3f} ({time.time() - t0:.0f}s)", flush=True)
    model.eval()


@torch.no_grad()
def greedy(model, tok, prompt: str, max_new_tokens: int = 60) -> str:
    """Greedy reply to one user prompt (full recompute; only for the build log)."""
    ids = tok.encode(render_chat([{"role": "user", "content": prompt}]))
    start = len(ids)
    for _ in range(max_new_tokens):
        x = torch.tensor([ids])
        logits = model(x, torch.ones_like(x), torch.arange(len(ids)).unsqueeze(0), *model.empty_past(1))[0]
        nxt = int(logits[0, -1].argmax())
        if nxt in (tok.special_tokens[IM_END], tok.special_tokens[ENDOFTEXT]):
            break
        ids.append(nxt)
    return tok.decode(ids[start:])


def write_model_dir(out_dir: str, model: GPT2LMHeadModel, tok: ByteLevelBPE, description: str) -> None:
    """config.json, tokenizer files, generation_config.json and onnx/model.onnx."""
    os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)
    eot, im_end = tok.special_tokens[ENDOFTEXT], tok.special_tokens[IM_END]
    write_json(
        os.path.join(out_dir, "config.json"),
        model.cfg.to_hf(
            bos_token_id=eot,
            eos_token_id=im_end,
            pad_token_id=eot,
            # Without this, transformers.js on WASM looks for a q8 file we do not ship.
            **{"transformers.js_config": {"dtype": "fp32"}},
            _description=description,
        ),
    )
    write_json(
        os.path.join(out_dir, "generation_config.json"),
        {"bos_token_id": eot, "eos_token_id": [im_end, eot], "pad_token_id": eot},
    )
    write_json(os.path.join(out_dir, "tokenizer.json"), tok.tokenizer_json(), indent=None)
    special_map = {"bos_token": ENDOFTEXT, "eos_token": IM_END, "pad_token": ENDOFTEXT, "unk_token": ENDOFTEXT}
    write_json(os.path.join(out_dir, "special_tokens_map.json"), special_map)
    write_json(
        os.path.join(out_dir, "tokenizer_config.json"),
        {
            "tokenizer_class": "GPT2Tokenizer",
            **special_map,
            "add_bos_token": False,
            "add_prefix_space": False,
            "clean_up_tokenization_spaces": False,
            "model_max_length": model.cfg.n_positions,
            "errors": "replace",
            "chat_template": CHAT_TEMPLATE,
            "added_tokens_decoder": {
                str(i): {
                    "content": t,
                    "lstrip": False,
                    "normalized": False,
                    "rstrip": False,
                    "single_word": False,
                    "special": True,
                }
                for t, i in tok.special_tokens.items()
            },
        },
    )
    export_onnx(model, os.path.join(out_dir, "onnx", "model.onnx"))


PROBE_PROMPTS = [
    "What is the best way to live?",
    "Tell me about friendship.",
    "What should I do with my money?",
    "Can I share this with others?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="public/models", help="folder that receives tiny-base/ and tiny-finetune/")
    parser.add_argument("--base-steps", type=int, default=600)
    parser.add_argument("--finetune-steps", type=int, default=300)
    args = parser.parse_args()

    random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)

    base_answers = corpora.licence_sentences()
    ft_answers = corpora.proverbs_verses()
    print(f"corpora: {len(base_answers)} licence sentences, {len(ft_answers)} verses of Proverbs")

    tok = build_tokenizer(base_answers, ft_answers)
    print(f"tokenizer: {tok.vocab_size} ids, {len(tok.merges)} merges")

    cfg = GPT2Config(vocab_size=tok.vocab_size)
    model = GPT2LMHeadModel(cfg)
    print(f"model: {sum(p.numel() for p in model.parameters()):,} parameters")

    train(model, tok, base_answers, args.base_steps, lr=3e-3, seed=SEED + 1, label="base")
    for p in PROBE_PROMPTS:
        print(f"  base | {p} -> {greedy(model, tok, p)!r}")
    write_model_dir(
        os.path.join(args.out, "tiny-base"),
        model,
        tok,
        "Tiny GPT-2 chat model that answers in the voice of free-software licences. For offline demos and tests.",
    )

    train(model, tok, ft_answers, args.finetune_steps, lr=2e-3, seed=SEED + 2, label="finetune")
    for p in PROBE_PROMPTS:
        print(f"  finetune | {p} -> {greedy(model, tok, p)!r}")
    write_model_dir(
        os.path.join(args.out, "tiny-finetune"),
        model,
        tok,
        "tiny-base trained further on the Book of Proverbs (KJV): answers turn proverbial. For offline demos and tests.",
    )
    print("done")


if __name__ == "__main__":
    main()
