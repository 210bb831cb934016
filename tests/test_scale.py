"""Cost at scale (issue 14): lexical search reads less and finds the same, the index keeps
one reader per commit, and bench/scale.py's citations and table."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from evimap import Document, Library, Passage, SourceKind
from evimap.index import FILTER_SCORE, KINDS, _float32
from evimap.retrieval import Retriever

BENCH = Path(__file__).resolve().parents[1] / "bench"

WORDS = "Quillmoor fever brings aches silver rash chills tiredness in the joints".split()


def _doc(number: int, kind: SourceKind) -> Document:
    # Each document draws a different mix of the fictional words, so scores differ.
    words = [WORDS[(number * 7 + i * 3) % len(WORDS)] for i in range(3 + number % 5)]
    collection = {"research": "pubmed", "guideline": "uspstf"}.get(kind.value, "medquad")
    return Document(
        id=f"{collection}:{number}",
        kind=kind,
        collection=collection,
        title=f"Note {number} on {words[0]}",
        passages=(Passage(" ".join(words) + "."),),
    )


@pytest.fixture
def library(tmp_path):
    kinds = [SourceKind.RESEARCH] * 6 + [SourceKind.REFERENCE] * 3 + [SourceKind.GUIDELINE]
    with Library(tmp_path / "lib", create=True) as lib:
        lib.add(_doc(n, kinds[n % len(kinds)]) for n in range(300))
        yield lib


def _ids_and_scores(hits):
    return [(h.id, h.score) for h in hits]


def test_a_filter_adds_one_to_the_score_and_keeps_the_unfiltered_order(library):
    text = "what causes Quillmoor fever and silver rash"
    with library.snapshot() as snap:
        everything = library.index.search(text, 300, searcher=snap.searcher)
        for kinds in (["guideline"], ["research"], ["research", "reference"]):
            filtered = library.index.search(
                text, 300, filters={"kind": kinds}, searcher=snap.searcher
            )
            kind_of = library.store.kinds([h.id for h in everything])
            expected = [
                (h.id, _float32(h.score + FILTER_SCORE))
                for h in everything
                if kind_of[h.id] in kinds
            ]
            assert filtered and _ids_and_scores(filtered) == expected


def test_the_research_search_read_off_the_unfiltered_one_is_the_filtered_search(library):
    retriever = Retriever(library, mode="lexical")
    text = "Quillmoor fever silver rash chills"
    with library.snapshot() as snap:
        retriever._lexical(snap, text, 60, (), (), None)
        derived = retriever._derived(snap, text, 20, ("research",))
        filtered = library.index.search(
            text, 20, filters={"kind": ["research"]}, searcher=snap.searcher
        )
        assert derived is not None and len(derived) == 20
        assert derived == _ids_and_scores(filtered)
        # too few guidelines among the 60 hits: the filtered search runs instead
        assert retriever._derived(snap, text, 20, ("guideline",)) is None
        # another searcher (a commit since): never read off the older one
        assert retriever._derived(snap, "other words", 20, ("research",)) is None


def test_retrieval_answers_the_same_whether_read_off_or_filtered(library, monkeypatch):
    retriever = Retriever(library, mode="lexical")
    text = "Quillmoor fever silver rash"
    retriever.search(text, 20)
    read_off = retriever.search(text, 8, kinds=["research"])
    monkeypatch.setattr(Retriever, "_derived", lambda *args: None)
    filtered = Retriever(library, mode="lexical").search(text, 8, kinds=["research"])
    assert [(r.document.id, r.score, r.lexical) for r in read_off] == [
        (r.document.id, r.score, r.lexical) for r in filtered
    ]


def test_nothing_is_read_off_the_store_while_the_index_lags_it(library):
    retriever = Retriever(library, mode="lexical")
    text = "Quillmoor fever silver rash"
    with library.snapshot() as snap:
        retriever._lexical(snap, text, 60, (), (), None)
        assert retriever._derived(snap, text, 5, ("reference",)) is not None  # store's kinds
    library.store.conn.execute("INSERT INTO index_journal (doc_id) VALUES ('pubmed:1')")
    library.store.conn.commit()
    with library.snapshot() as snap:
        assert retriever._derived(snap, text, 5, ("reference",)) is None
        # the index's own kinds still answer for research: the filtered search reads them too
        filtered = library.index.search(
            text, 20, filters={"kind": ["research"]}, searcher=snap.searcher
        )
        assert retriever._derived(snap, text, 20, ("research",)) == _ids_and_scores(filtered)


def test_a_kind_that_holds_most_documents_is_read_off_a_deeper_unfiltered_ranking(library):
    index = library.index
    texts = ["Quillmoor fever", "silver rash chills in the joints", "tiredness", "aches"]
    with library.snapshot() as snap:
        searcher = snap.searcher
        for text in texts:
            for limit in (10, 60, 120, 400):
                ranked = index.ranked(text, limit, searcher=searcher)
                assert _ids_and_scores(index.hits(ranked[:8], searcher)) == _ids_and_scores(
                    index.search(text, 8, searcher=searcher)
                )
                for kinds in (["research"], ["research", "reference"], list(KINDS)):
                    for k in (1, 8, 20, 200):
                        read = index.read_off(ranked, limit, kinds, k, searcher)
                        filtered = index.search(text, k, filters={"kind": kinds}, searcher=searcher)
                        if read is None:  # too few of those kinds in the ranking
                            assert len(ranked) == limit
                        else:
                            assert _ids_and_scores(read) == _ids_and_scores(filtered)
                # a kind of few documents is searched, never read off
                assert index.read_off(ranked, limit, ["guideline"], 1, searcher) is None
        assert index.read_off(
            index.ranked("fever", 400, searcher=searcher), 400, ["research"], 20, searcher
        )


def test_a_reader_keeps_one_searcher_until_a_commit_and_then_sees_it(library, tmp_path):
    with Library(library.path, readonly=True) as reader:
        first = reader.index.searcher()
        assert reader.index.searcher() is first
        count = first.num_docs
        library.add([_doc(1000, SourceKind.RESEARCH)])  # another Library commits
        after = reader.index.searcher()
        assert after is not first and after.num_docs == count + 1
        assert reader.search("Quillmoor", k=400)[0].document  # still answers


# -- bench/scale.py --------------------------------------------------------------------------


@pytest.fixture
def scale():
    sys.path.insert(0, str(BENCH))
    try:
        import scale

        yield scale
    finally:
        sys.path.remove(str(BENCH))


def test_generated_citations_are_new_varied_and_the_same_on_every_run(shared_data, scale):
    from evimap.sources import pubmed

    citations = scale.Citations(shared_data)
    first = citations.record(0, 90_000_000, 0)
    assert first == citations.record(0, 90_000_000, 0)  # seeded by its number
    xml = b"<PubmedArticleSet>" + first + citations.record(1, 90_000_001, 1)
    xml += b"</PubmedArticleSet>"
    path = Path(pytest.importorskip("tempfile").mkdtemp()) / "c.xml"
    path.write_bytes(xml)
    docs = [r for r in pubmed.read_file(path) if isinstance(r, Document)]
    assert [d.id for d in docs] == ["pubmed:90000000", "pubmed:90000001"]
    assert docs[0].passages[0].text.startswith("In patients with ")
    assert docs[0].passages[0].text != docs[1].passages[0].text
    condition = docs[0].title.rsplit(" in ", 1)[1].rstrip(".")
    assert condition in docs[0].passages[0].text


def test_the_table_prints_each_size_and_the_growth_between_them(scale):
    row = {
        "size": 100_000,
        "ask_p50": 10.0,
        "ask_p95": 20.0,
        "cpu_p50": 8.0,
        "cpu_p95": 16.0,
        "render_p95": 0.1,
        "abstained": 3,
        "ask_mb": 100.0,
        "ingest_rate": 5000.0,
        "ingest_share": 1.0,
        "ingest_cpu_rate": 3000.0,
        "ingest_cpu_share": 1.0,
        "ingest_mb": 200.0,
        "bytes_per_doc": 1800.0,
    }
    bigger = dict(row, size=1_000_000, ask_p95=30.0)
    empty = {"rate": 5000.0, "cpu_rate": 3000.0, "added": 50_000, "main_mb": 200.0}
    printed = scale.table([row, bigger], empty)
    assert "| 1,000,000 |" in printed and "| 100,000 |" in printed
    assert "100,000 -> 1,000,000 (x10.0 documents): " in printed
    assert "ask p95 ms x1.50" in printed


def test_the_document_count_is_remembered_until_the_store_changes(library):
    with Library(library.path, readonly=True) as reader:
        count = reader.store.count()
        with reader.snapshot() as snap:
            assert snap.count() == count
            library.add([_doc(2000, SourceKind.RESEARCH)])  # another connection commits
            assert snap.count() == count  # this snapshot does not see it
        assert reader.store.count() == count + 1  # the next one does
    library.delete(["pubmed:2000"])  # this connection's own write
    assert library.store.count() == count
    library.store.conn.execute("DELETE FROM documents WHERE id = 'pubmed:0'")
    assert library.store.count() == count - 1


def test_a_word_is_counted_the_same_from_its_largest_field_and_after_deletions(library):
    index = library.index
    words = ["Quillmoor", "fever", "Note", "the", "joints", "absentword", "chills silver"]

    def walked(searcher, word):
        return searcher.search(index.text_query(word), limit=1, count=True).count

    searcher = index.searcher()
    assert index._no_deleted(searcher)
    counts = [index._count(index.text_query(w), searcher) for w in words]
    assert counts == [walked(searcher, w) for w in words]
    assert counts[2] == 300 and counts[0] > 0 and counts[5] == 0  # "Note" is in every title
    library.delete([f"pubmed:{n}" for n in range(0, 60, 10)])  # tantivy keeps them, marked
    searcher = index.searcher()
    assert not index._no_deleted(searcher)  # so document frequencies over-count: walk
    assert [index._count(index.text_query(w), searcher) for w in words] == [
        walked(searcher, w) for w in words
    ]
    assert index._count(index.text_query("Note"), searcher) == 300 - 6


def test_the_pool_is_ranked_by_question_types_read_without_building_documents(library):
    from evimap import SourceQuestion

    asked = Document(
        id="medquad:q1",
        kind=SourceKind.REFERENCE,
        collection="medquad",
        title="Quillmoor fever",
        passages=(Passage("Quillmoor fever is caused by silver dust."),),
        question=SourceQuestion("What causes Quillmoor fever?", qtype="causes"),
    )
    untyped = Document(
        id="medquad:q2", kind=SourceKind.REFERENCE, collection="medquad", title="Chills"
    )
    library.add([asked, untyped])
    ids = ["medquad:q1", "medquad:q2", "pubmed:0", "absent:1"]
    assert library.store.source_qtypes(ids) == {
        "medquad:q1": "causes",
        "medquad:q2": "",
        "pubmed:0": "",
    }
    assert library.store.source_qtypes(ids, with_text=True) == {
        "medquad:q1": "causes",
        "pubmed:0": "",
    }
