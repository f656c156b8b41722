"""Byte-level BPE (GPT-2 style) trained in pure Python, written as a tokenizer.json.

The `tokenizers` Python package is not available from Debian, so this module
re-implements the small part of it we need: GPT-2 pre-tokenisation, merge
training on word counts, encoding, and the tokenizer.json layout that
transformers.js (and Hugging Face `tokenizers`) load.

Encoding here must produce exactly the ids that transformers.js produces at
inference, or the model is trained on token sequences it never sees in use; the
pieces that matter for that (special-token splitting, the pre-tokeniser regex,
lowest-rank-first merging) follow the reference implementations.
"""

from __future__ import annotations

import collections
import json
from typing import Iterable

import regex  # Debian: python3-regex; needed for \p{L} / \p{N} as in GPT-2.

# GPT-2's pre-tokeniser pattern, identical to the one transformers.js uses for a
# ByteLevel pre-tokeniser with use_regex=true.
GPT2_PATTERN = regex.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
)


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character table."""
    bs = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_ENCODER = bytes_to_unicode()


def pretokenize(text: str) -> list[str]:
    """Split text the way the ByteLevel pre-tokeniser does, in byte-level characters."""
    return ["".join(BYTE_ENCODER[b] for b in piece.encode("utf-8")) for piece in GPT2_PATTERN.findall(text)]


def train_bpe(texts: Iterable[str], num_merges: int) -> list[tuple[str, str]]:
    """Learn `num_merges` merges from texts (most frequent pair first, ties broken by the pair itself)."""
    word_counts: collections.Counter[str] = collections.Counter()
    for text in texts:
        word_counts.update(pretokenize(text))
    # Each distinct word as a mutable list of symbols, with its count.
    words = [(list(w), c) for w, c in sorted(word_counts.items())]
    merges: list[tuple[str, str]] = []
    for _ in range(num_merges):
        pairs: collections.Counter[tuple[str, str]] = collections.Counter()
        for symbols, count in words:
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] += count
        if not pairs:
            break
        # Sorting by (-count, pair) makes the choice independent of dict order.
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        merges.append(best)
        merged = best[0] + best[1]
        for symbols, _count in words:
            i = 0
            while i < len(symbols) - 1:
                if symbols[i] == best[0] and symbols[i + 1] == best[1]:
                    symbols[i : i + 2] = [merged]
                i += 1
    return merges


class ByteLevelBPE:
    """A trained byte-level BPE with special tokens, able to encode and to serialise itself."""

    def __init__(self, merges: list[tuple[str, str]], special_tokens: list[str]):
        self.merges = merges
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        # Ids: the 256 byte symbols in byte order, then merges, then special tokens.
        self.vocab: dict[str, int] = {BYTE_ENCODER[b]: b for b in range(256)}
        for a, b in merges:
            self.vocab.setdefault(a + b, len(self.vocab))
        self.special_tokens = {tok: len(self.vocab) + i for i, tok in enumerate(special_tokens)}
        self._special_split = regex.compile("(" + "|".join(regex.escape(t) for t in special_tokens) + ")")
        self._cache: dict[str, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        """Number of ids, special tokens included."""
        return len(self.vocab) + len(self.special_tokens)

    def _bpe(self, word: str) -> list[int]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        symbols = list(word)
        while len(symbols) > 1:
            # Lowest rank first; all of its non-overlapping occurrences left to right.
            best = min(
                ((self.ranks.get(p, 1 << 30), p) for p in zip(symbols, symbols[1:])),
                key=lambda rp: rp[0],
            )
            if best[0] == 1 << 30:
                break
            a, b = best[1]
            out: list[str] = []
            i = 0
            while i < len(symbols):
                if i < len(symbols) - 1 and symbols[i] == a and symbols[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            symbols = out
        ids = [self.vocab[s] for s in symbols]
        self._cache[word] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        """Token ids for text; special tokens are matched first, as transformers.js does."""
        ids: list[int] = []
        for segment in self._special_split.split(text):
            if not segment:
                continue
            if segment in self.special_tokens:
                ids.append(self.special_tokens[segment])
                continue
            for word in pretokenize(segment):
                ids.extend(self._bpe(word))
        return ids

    def decode(self, ids: list[int]) -> str:
        """Text for ids (special tokens kept), for logs and checks."""
        inv = {i: s for s, i in self.vocab.items()}
        inv.update({i: s for s, i in self.special_tokens.items()})
        byte_decoder = {c: b for b, c in BYTE_ENCODER.items()}
        out = bytearray()
        for i in ids:
            tok = inv[i]
            if tok in self.special_tokens:
                out.extend(tok.encode("utf-8"))
            else:
                out.extend(byte_decoder[c] for c in tok)
        return out.decode("utf-8", errors="replace")

    def tokenizer_json(self) -> dict:
        """The tokenizer.json document (HF `tokenizers` schema, GPT-2 layout)."""
        added = [
            {
                "id": i,
                "content": tok,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for tok, i in self.special_tokens.items()
        ]
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": "",
                "end_of_word_suffix": "",
                "fuse_unk": False,
                "byte_fallback": False,
                "ignore_merges": False,
                "vocab": {**self.vocab},
                # "a b" strings rather than pairs: older loaders only read this form,
                # and byte-level symbols never contain a literal space.
                "merges": [f"{a} {b}" for a, b in self.merges],
            },
        }


def write_json(path: str, obj: object, indent: int | None = 2) -> None:
    """Write JSON as UTF-8 with a final newline (indent=None for the big files)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=indent, separators=None if indent else (",", ":"))
        f.write("\n")
