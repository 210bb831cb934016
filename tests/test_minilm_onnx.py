"""The int8 ONNX Runtime MiniLM (the default encoder) against the float32 reference."""

from __future__ import annotations

import json

import pytest

from evimap.embeddings import SemanticUnavailableError, load_encoder


@pytest.fixture(scope="module")
def encoders():
    try:
        return load_encoder("int8"), load_encoder("numpy")
    except SemanticUnavailableError as exc:
        pytest.skip(f"semantic extra not installed: {exc.message}")


def test_the_default_encoder_is_int8_and_a_model_of_its_own(encoders):
    int8, reference = encoders
    assert load_encoder() is int8
    assert int8.name == "all-MiniLM-L6-v2-int8" != reference.name
    assert int8.dim == reference.dim == 384
    with pytest.raises(ValueError):
        load_encoder("float64")


def test_int8_vectors_stay_close_to_sentence_transformers(encoders, fixtures):
    """The reference vectors of tests/fixtures/retrieval (made by sentence-transformers)."""
    np = pytest.importorskip("numpy")
    int8, _ = encoders
    folder = fixtures / "retrieval"
    texts = json.loads((folder / "minilm_reference_texts.json").read_text())
    reference = np.load(folder / "minilm_reference.npy").astype(np.float32)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    ours = int8.encode(texts)
    assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
    cosines = (ours * reference).sum(axis=1)
    assert cosines.min() >= 0.97, texts[int(cosines.argmin())][:80]
    assert float(np.median(cosines)) >= 0.99


def test_the_float_graph_is_the_reference_model_exactly(encoders):
    """Unquantized, the ONNX graph computes what the numpy encoder does: the graph's
    wiring (embeddings, attention mask, residuals, GELU) is right, only int8 differs."""
    np = pytest.importorskip("numpy")
    import importlib
    from pathlib import Path

    from evimap import embeddings
    from evimap.minilm_onnx import OnnxMiniLMEncoder

    _, reference = encoders
    weights = importlib.import_module(embeddings.WEIGHTS_PACKAGE).get_model_path()
    exact = OnnxMiniLMEncoder(Path(weights), quantize=False)
    texts = ["Glimmerfield syndrome", "Is Tarnwell fever contagious in the first week? " * 9]
    assert np.abs(exact.encode(texts) - reference.encode(texts)).max() < 1e-4


def test_int8_vectors_do_not_depend_on_the_batch(encoders):
    np = pytest.importorskip("numpy")
    int8, _ = encoders
    texts = [
        "Glimmerfield syndrome",
        "What are the early signs of Glimmerfield syndrome in children under five?",
        "Tarnwell fever usually clears within two weeks. " * 12,
    ]
    together = int8.encode(texts)
    alone = np.vstack([int8.encode([t]) for t in texts])
    # activations are quantized per batch (one range for all its rows, padding included), so
    # the batch moves a vector a little (cosine 0.991 here), never far
    assert float(((together * alone).sum(axis=1)).min()) > 0.98
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert int8.encode([]).shape == (0, 384)


def test_quantized_columns_round_trip_within_half_a_step():
    np = pytest.importorskip("numpy")
    from evimap.minilm_onnx import quantize_columns

    rng = np.random.default_rng(3)
    weight = rng.normal(0, 0.05, (16, 8)).astype(np.float32)
    weight[:, 3] = 0.0  # a dead column keeps a usable scale
    q, scale = quantize_columns(weight)
    assert q.dtype == np.int8 and scale.shape == (8,)
    assert np.abs(q.astype(np.float32) * scale - weight).max() <= scale.max() / 2 + 1e-7
    assert np.all(q[:, 3] == 0)
