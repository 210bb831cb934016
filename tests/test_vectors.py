"""Document vectors: the resumable embed step, what is embedded, brute-force search."""

from __future__ import annotations

import hashlib
import re

import pytest

from evimap import Deletion, Document, Library, Passage, SourceKind, SourceQuestion

np = pytest.importorskip("numpy", reason="vectors need the semantic extra (numpy)")

from evimap.vectors import (  # noqa: E402  (after the skip)
    VECTORS_FILE,
    VectorIndex,
    VectorStore,
    embed_library,
    embed_text,
    vector_index,
)

_WORD = re.compile(r"[a-z0-9]+")


class HashingEncoder:
    """A fast stand-in for MiniLM: hashed bag of words (after `synonyms`), unit length."""

    name = "hashing-test"
    dim = 384

    def __init__(self, synonyms: dict[str, str] | None = None) -> None:
        self.synonyms = synonyms or {}
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                word = self.synonyms.get(word, word)
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    @property
    def encoded(self) -> list[str]:
        return [t for call in self.calls for t in call]


def doc(doc_id: str, title: str, text: str = "", **kw) -> Document:
    kind = kw.pop("kind", SourceKind.REFERENCE)
    collection = kw.pop("collection", "medquad")
    passages = (Passage(text),) if text else ()
    return Document(
        id=doc_id, kind=kind, collection=collection, title=title, passages=passages, **kw
    )


GLIMMER = doc(
    "medquad:g1",
    "What are the symptoms of Glimmerfield syndrome?",
    "Glimmerfield syndrome causes stomach pain and silver freckles on the hands.",
    question=SourceQuestion(
        "What are the symptoms of Glimmerfield syndrome?", "symptoms", "Glimmerfield syndrome"
    ),
)
TARNWELL = doc(
    "pubmed:7",
    "Tarnwell fever in children: a cohort study",
    "Tarnwell fever resolved within two weeks in most children without antibiotics.",
    kind=SourceKind.RESEARCH,
    collection="pubmed",
)
NO_TEXT = doc("medquad:drug1", "What is Quillamine used for?")


@pytest.fixture
def library(tmp_path):
    with Library(tmp_path / "lib", create=True) as lib:
        lib.add([GLIMMER, TARNWELL, NO_TEXT])
        yield lib


def test_embed_text_is_the_source_question_or_title_and_opening_text():
    assert embed_text(TARNWELL) == f"{TARNWELL.title}\n{TARNWELL.text}"
    assert embed_text(GLIMMER) == "What are the symptoms of Glimmerfield syndrome?"
    titled = doc("x:2", "Glimmerfield (page)", "Answer.", question=SourceQuestion("Why?"))
    assert embed_text(titled) == "Glimmerfield (page)\nWhy?"
    long = doc("x:1", "T", "word " * 200)
    cut = embed_text(long, chars=50)
    assert cut.startswith("T\n") and len(cut) <= 2 + 50 and not cut.endswith(" ")
    assert embed_text(NO_TEXT) is None  # nothing to cite


def test_embed_skips_documents_with_no_text_and_records_them(library):
    encoder = HashingEncoder()
    report = embed_library(library, encoder)
    assert (report.embedded, report.empty, report.removed) == (2, 1, 0)
    assert sorted(encoder.encoded) == sorted([embed_text(GLIMMER), embed_text(TARNWELL)])
    again = embed_library(library, encoder)
    assert (again.embedded, again.empty, again.unchanged) == (0, 0, 3)


def test_embed_again_only_embeds_new_and_changed_documents(library):
    encoder = HashingEncoder()
    embed_library(library, encoder)
    new = doc("medquad:g2", "How is Glimmerfield syndrome treated?", "Rest and warm milk.")
    changed = doc(
        "pubmed:7",
        TARNWELL.title,
        "Tarnwell fever lasted three weeks.",
        kind=SourceKind.RESEARCH,
        collection="pubmed",
    )
    library.add([new, changed])
    encoder.calls.clear()
    report = embed_library(library, encoder)
    assert report.embedded == 2 and report.unchanged == 2
    assert sorted(encoder.encoded) == sorted([embed_text(new), embed_text(changed)])


def test_vectors_of_deleted_documents_are_removed(library):
    embed_library(library, HashingEncoder())
    library.add([Deletion("pubmed:7")])
    report = embed_library(library, HashingEncoder())
    assert report.removed == 1 and report.embedded == 0
    with VectorStore(library.path / VECTORS_FILE, readonly=True) as store:
        assert "pubmed:7" not in store.ids()


def test_a_different_model_starts_over(library):
    embed_library(library, HashingEncoder())

    class Other(HashingEncoder):
        name = "other-model"

    assert embed_library(library, Other()).embedded == 2


def test_an_interrupted_embed_keeps_committed_batches_and_resumes(library):
    library.add(
        [doc(f"medquad:n{i}", f"Glimmerfield question {i}", f"answer {i}") for i in range(5)]
    )

    class Failing(HashingEncoder):
        def encode(self, texts):
            if len(self.calls) == 2:
                raise KeyboardInterrupt
            return super().encode(texts)

    with pytest.raises(KeyboardInterrupt):
        embed_library(library, Failing(), batch=2)
    with VectorStore(library.path / VECTORS_FILE, readonly=True) as store:
        assert len(store.ids()) == 4  # two committed batches of two documents
    encoder = HashingEncoder()
    report = embed_library(library, encoder, batch=2)
    assert report.unchanged == 4 and report.embedded + report.empty == 4


def test_progress_reports_done_and_total(library):
    seen = []
    embed_library(library, HashingEncoder(), batch=2, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(2, 3), (3, 3)]


def test_brute_force_search_ranks_by_cosine_and_filters(library):
    encoder = HashingEncoder()
    embed_library(library, encoder)
    index = vector_index(library, encoder.name)
    assert len(index) == 2
    query = encoder.encode(["glimmerfield syndrome stomach pain"])[0]
    hits = index.search(query, 5)
    assert [h.id for h in hits] == ["medquad:g1", "pubmed:7"]
    assert hits[0].score > hits[1].score and hits[0].score <= 1.0 + 1e-6
    assert [h.id for h in index.search(query, 5, kinds=["research"])] == ["pubmed:7"]
    assert [h.id for h in index.search(query, 5, collections=["pubmed"])] == ["pubmed:7"]
    assert index.search(query, 5, kinds=["guideline"]) == []
    assert len(index.search(query, 1)) == 1


def test_the_loaded_matrix_is_cached_until_an_embed_commits(library):
    encoder = HashingEncoder()
    assert vector_index(library, encoder.name) is None  # never embedded
    embed_library(library, encoder)
    first = vector_index(library, encoder.name)
    assert vector_index(library, encoder.name) is first
    library.add([doc("medquad:g3", "Glimmerfield in adults", "Adults get it too.")])
    embed_library(library, encoder)
    reloaded = vector_index(library, encoder.name)
    assert reloaded is not first and len(reloaded) == 3


def test_an_empty_index_finds_nothing():
    index = VectorIndex([], [], [], np.zeros((0, 0), dtype=np.float32))
    assert index.search(np.ones(384, dtype=np.float32), 3) == []


# -- the HNSW partitions (decision 0014) ---------------------------------------------------

WORDS = "amber basil cobalt dune ember fjord glade heron iris juniper kelp lumen moss".split()


def study(n: int, collection: str = "pubmed") -> Document:
    """A fictional abstract with its own mix of words, so every vector differs."""
    words = " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(6))
    return doc(
        f"{collection}:{n}",
        f"Study {n} of Tarnwell fever",
        f"{words} tarnwell {collection} {n}",
        kind=SourceKind.RESEARCH,
        collection=collection,
    )


@pytest.fixture
def big_library(tmp_path):
    """40 research abstracts (an HNSW partition with ann_min=30) and the reference page."""
    with Library(tmp_path / "lib", create=True) as lib:
        lib.add([GLIMMER, *(study(n) for n in range(36)), *(study(n, "pmc") for n in range(4))])
        yield lib


def test_a_kind_past_ann_min_is_searched_through_its_hnsw_file(big_library):
    encoder = HashingEncoder()
    report = embed_library(big_library, encoder, ann_min=30)
    assert report.ann_built == ["research"]
    assert (big_library.path / "ann-research.usearch").exists()
    assert not (big_library.path / "ann-reference.usearch").exists()  # 1 vector: scanned
    index = vector_index(big_library, encoder.name)
    assert [p.kind for p in index.ann] == ["research"] and len(index) == 41
    query = encoder.encode(["amber basil tarnwell 12"])[0]
    # the same ranking as an exact scan of all 41 vectors
    with VectorStore(big_library.path / VECTORS_FILE, readonly=True) as store:
        rows = store.rows(encoder.name)
    matrix = np.vstack([np.frombuffer(r[3], dtype=np.float16) for r in rows]).astype(np.float32)
    scores = matrix @ query
    got = index.search(query, 5)
    want = sorted(scores.tolist(), reverse=True)[:5]  # (bags of words tie: scores, not ids)
    assert [h.score for h in got] == pytest.approx(want, abs=2e-3)
    exact = {r[0]: float(score) for r, score in zip(rows, scores, strict=True)}
    assert all(h.score == pytest.approx(exact[h.id], abs=2e-3) for h in got)
    # filters: a kind, a collection inside the HNSW partition, a kind scanned exactly
    assert {h.id.split(":")[0] for h in index.search(query, 40, kinds=["research"])} == {
        "pubmed",
        "pmc",
    }
    assert len(index.search(query, 40, kinds=["research"])) == 40
    assert {h.id for h in index.search(query, 10, collections=["pmc"])} == {
        f"pmc:{n}" for n in range(4)
    }
    assert [h.id for h in index.search(query, 3, kinds=["reference"])] == ["medquad:g1"]


def test_a_stale_hnsw_file_is_not_used_until_the_next_embed_run_rebuilds_it(big_library):
    encoder = HashingEncoder()
    embed_library(big_library, encoder, ann_min=30)
    big_library.add([study(99)])
    embed_library(big_library, encoder, ann_min=30, shard=(0, 1))  # shards build no HNSW
    index = vector_index(big_library, encoder.name)
    assert index.ann == [] and len(index) == 42  # every vector scanned exactly: none missing
    query = encoder.encode([embed_text(study(99))])[0]
    assert index.search(query, 1)[0].id == "pubmed:99"
    report = embed_library(big_library, encoder, ann_min=30)
    assert (report.embedded, report.ann_built) == (0, ["research"])
    index = vector_index(big_library, encoder.name)
    assert [p.kind for p in index.ann] == ["research"]
    assert index.search(query, 1)[0].id == "pubmed:99"
    big_library.delete([f"pubmed:{n}" for n in range(20)])
    embed_library(big_library, encoder, ann_min=30)  # 21 research vectors left: scanned
    assert not (big_library.path / "ann-research.usearch").exists()
    assert vector_index(big_library, encoder.name).ann == []


def test_shards_embed_every_document_once_between_them(big_library):
    first, second = HashingEncoder(), HashingEncoder()
    one = embed_library(big_library, first, shard=(0, 2))
    two = embed_library(big_library, second, shard=(1, 2))
    assert one.embedded and two.embedded and one.embedded + two.embedded == 41
    assert not set(first.encoded) & set(second.encoded)
    again = embed_library(big_library, HashingEncoder())
    assert (again.embedded, again.unchanged) == (0, 41)
    with pytest.raises(ValueError):
        embed_library(big_library, first, shard=(2, 2))
