"""The site answers from a published library snapshot and follows it to each new version
without a restart (evimap.snapshots, decision 0014)."""

from __future__ import annotations

import shutil

from evimap import Document, Library, Passage, SourceKind, snapshots


def test_the_engine_moves_to_a_newly_published_version(settings, evidence_library, tmp_path):
    from evimap.site import answers

    source, root = tmp_path / "writer", tmp_path / "root"
    shutil.copytree(evidence_library, source)
    first = snapshots.publish(source, root)
    settings.EVIMAP_LIBRARY = root
    answers.reset_engine()
    engine = answers.engine(block=True)
    assert engine.library.path == first.path
    with Library(source) as lib:
        lib.add(
            [
                Document(
                    id="test:new",
                    kind=SourceKind.REFERENCE,
                    collection="test",
                    title="Tarnwell fever",
                    passages=(Passage("Tarnwell fever is a fictional fever."),),
                )
            ]
        )
    second = snapshots.publish(source, root)
    answers._follower.interval = 0
    moved = answers.engine()
    assert moved is not engine and moved.library.path == second.path
    assert moved.library.exists(["test:new"]) == {"test:new"}
    assert answers.engine() is moved
