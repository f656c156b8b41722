"""A GPT-2 in plain torch with Hugging Face GPT-2 semantics, and its ONNX export.

Parameter shapes, layer order, the tanh GELU, pre-LayerNorm blocks and the tied
LM head all match `transformers.GPT2LMHeadModel`, so the config.json written next
to the ONNX file describes the model truthfully. The ONNX graph has the input and
output names that optimum gives GPT-2 exports with a KV cache, which is the
layout transformers.js expects for `model_type: "gpt2"`:

  inputs : input_ids [batch_size, sequence_length] int64
           attention_mask [batch_size, past_sequence_length + sequence_length] int64
           position_ids [batch_size, sequence_length] int64
           past_key_values.{i}.key / .value [batch_size, n_head, past_sequence_length, head_dim] float32
  outputs: logits [batch_size, sequence_length, vocab_size] float32
           present.{i}.key / .value [batch_size, n_head, past_sequence_length + sequence_length, head_dim]

transformers.js feeds zero-length past tensors on the first step: it reads their
shapes from the graph, where dim names other than "batch_size" become 0.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass
class GPT2Config:
    """The subset of Hugging Face's GPT2Config this model uses."""

    vocab_size: int
    n_positions: int = 256
    n_embd: int = 96
    n_layer: int = 3
    n_head: int = 4
    layer_norm_epsilon: float = 1e-5
    dropout: float = 0.0

    def to_hf(self, **extra: object) -> dict:
        """config.json contents in Hugging Face's GPT-2 schema."""
        d = asdict(self)
        p = d.pop("dropout")
        return {
            "architectures": ["GPT2LMHeadModel"],
            "model_type": "gpt2",
            **d,
            "n_ctx": self.n_positions,
            "n_inner": None,
            "activation_function": "gelu_new",
            "resid_pdrop": p,
            "embd_pdrop": p,
            "attn_pdrop": p,
            "initializer_range": 0.02,
            "scale_attn_weights": True,
            "tie_word_embeddings": True,
            "use_cache": True,
            "torch_dtype": "float32",
            **extra,
        }


def gelu_new(x: torch.Tensor) -> torch.Tensor:
    """GPT-2's tanh GELU, spelt out so that any ONNX opset can express it."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Conv1D(nn.Module):
    """GPT-2's 'Conv1D': a linear layer whose weight is stored [in, out]."""

    def __init__(self, nx: int, nf: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(nx, nf).normal_(std=0.02))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.matmul(x, self.weight) + self.bias


class Attention(nn.Module):
    def __init__(self, cfg: GPT2Config):
        super().__init__()
        self.n_head = cfg.n_head
        self.head_dim = cfg.n_embd // cfg.n_head
        self.c_attn = Conv1D(cfg.n_embd, 3 * cfg.n_embd)
        self.c_proj = Conv1D(cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, bias_mask, past_k, past_v):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q = q.view(b, t, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(b, t, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(b, t, self.n_head, self.head_dim).transpose(1, 2)
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        att = torch.softmax(att + bias_mask, dim=-1)
        y = torch.matmul(self.drop(att), v).transpose(1, 2).reshape(b, t, c)
        return self.drop(self.c_proj(y)), k, v


class MLP(nn.Module):
    def __init__(self, cfg: GPT2Config):
        super().__init__()
        self.c_fc = Conv1D(cfg.n_embd, 4 * cfg.n_embd)
        self.c_proj = Conv1D(4 * cfg.n_embd, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.drop(self.c_proj(gelu_new(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, cfg: GPT2Config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.attn = Attention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.mlp = MLP(cfg)

    def forward(self, x, bias_mask, past_k, past_v):
        a, k, v = self.attn(self.ln_1(x), bias_mask, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, k, v


class GPT2LMHeadModel(nn.Module):
    """GPT-2 with a tied LM head; forward takes and returns a flat KV cache."""

    def __init__(self, cfg: GPT2Config):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.n_positions, cfg.n_embd)
        nn.init.normal_(self.wte.weight, std=0.02)
        nn.init.normal_(self.wpe.weight, std=0.01)
        self.drop = nn.Dropout(cfg.dropout)
        self.h = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        # GPT-2 scales the residual projections' init by depth.
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * cfg.n_layer))

    def empty_past(self, batch: int) -> list[torch.Tensor]:
        """Zero-length KV tensors, as transformers.js passes on the first step."""
        hd = self.cfg.n_embd // self.cfg.n_head
        return [torch.zeros(batch, self.cfg.n_head, 0, hd) for _ in range(2 * self.cfg.n_layer)]

    def forward(self, input_ids, attention_mask, position_ids, *past):
        t = input_ids.shape[1]
        total = attention_mask.shape[1]
        # Positions past the table reuse the last row rather than failing, so a
        # caller asking for many new tokens gets text, not an index error.
        pos = torch.clamp(position_ids, 0, self.cfg.n_positions - 1)
        x = self.drop(self.wte(input_ids) + self.wpe(pos))
        # Query i sits at absolute position (total - t + i) and may see keys up to it,
        # minus padded keys. A large finite negative (not -inf) keeps fully padded
        # rows finite instead of NaN.
        q_pos = torch.arange(t, device=input_ids.device).unsqueeze(1) + (total - t)
        k_pos = torch.arange(total, device=input_ids.device).unsqueeze(0)
        causal = (k_pos <= q_pos).unsqueeze(0).unsqueeze(0)
        keep = causal & (attention_mask > 0).unsqueeze(1).unsqueeze(2)
        bias_mask = (1.0 - keep.to(x.dtype)) * -1e9
        presents = []
        for i, block in enumerate(self.h):
            x, k, v = block(x, bias_mask, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        x = self.ln_f(x)
        logits = torch.matmul(x, self.wte.weight.t())
        return (logits, *presents)


def export_onnx(model: GPT2LMHeadModel, path: str) -> None:
    """Export with a KV cache, names and dynamic axes as transformers.js expects."""
    model.eval()
    n = model.cfg.n_layer
    past_names = [f"past_key_values.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(n) for kv in ("key", "value")]
    # Trace with a non-empty past so that no dimension is specialised to zero.
    b, t, p = 1, 3, 2
    hd = model.cfg.n_embd // model.cfg.n_head
    ids = torch.zeros(b, t, dtype=torch.long)
    mask = torch.ones(b, p + t, dtype=torch.long)
    pos = torch.arange(p, p + t).unsqueeze(0)
    past = [torch.zeros(b, model.cfg.n_head, p, hd) for _ in range(2 * n)]
    dyn = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "past_sequence_length + sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    for name in past_names:
        dyn[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in present_names:
        dyn[name] = {0: "batch_size", 2: "past_sequence_length + sequence_length"}
    with torch.no_grad():
        torch.onnx.export(
            model,
            (ids, mask, pos, *past),
            path,
            input_names=["input_ids", "attention_mask", "position_ids", *past_names],
            output_names=["logits", *present_names],
            dynamic_axes=dyn,
            opset_version=14,
            # Folding would store the tied embedding twice (once transposed).
            do_constant_folding=False,
        )
