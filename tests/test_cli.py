"""The `evimap` command: thin glue, one-line errors, honest exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.test_ingest import pubmed_file

from evimap.cli import main


@pytest.fixture(autouse=True)
def _no_site(tmp_path, monkeypatch):
    """No site is set up for these commands (a developer's var/site.sqlite3 is not theirs)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'no-site.sqlite3'}")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_ingest_then_stats_then_search(tmp_path, capsys):
    lib = str(tmp_path / "lib")
    xml = pubmed_file(tmp_path / "a.xml", range(1, 4))
    code, _, err = run(capsys, "ingest", "pubmed", str(xml), "-L", lib)
    assert code == 0 and "added 3, updated 0, unchanged 0, deleted 0, failed 0" in err
    code, out, _ = run(capsys, "library", "stats", "-L", lib, "--json")
    stats = json.loads(out)
    assert code == 0 and stats["documents"] == 3 and stats["by_kind"] == {"research": 3}
    code, out, _ = run(capsys, "library", "search", "glimmerfield relapses", "-L", lib)
    assert code == 0 and out.count("pubmed:") == 3


def test_ingest_exits_non_zero_only_when_nothing_could_be_read(tmp_path, capsys):
    lib = str(tmp_path / "lib")
    bad = tmp_path / "bad.xml"
    bad.write_text("<PubmedArticleSet><PubmedArticle>")
    code, _, err = run(capsys, "ingest", "pubmed", str(bad), "-L", lib)
    assert code == 1 and "bad.xml" in err
    good = pubmed_file(tmp_path / "good.xml", range(1, 3))
    code, _, err = run(capsys, "ingest", "pubmed", str(bad), str(good), "-L", lib)
    assert code == 0 and "added 2" in err and "failed 1" in err


def test_a_missing_library_is_one_line_not_a_traceback(tmp_path, capsys):
    code, _, err = run(capsys, "library", "stats", "-L", str(tmp_path / "none"))
    assert code == 1
    assert err.strip().startswith("error: no evidence library at")
    assert "Traceback" not in err


def test_unknown_source_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, "ingest", "cochrane", str(tmp_path))
    assert code == 2 and "cochrane" in err


def test_a_missing_path_is_reported(tmp_path, capsys):
    code, _, err = run(
        capsys, "ingest", "pubmed", str(tmp_path / "nope.xml"), "-L", str(tmp_path / "lib")
    )
    assert code == 1 and "no such file or directory" in err


def test_a_bad_setting_refuses_to_start(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("EVIMAP_WORKERS", "many")
    code, _, err = run(capsys, "ingest", "pubmed", str(tmp_path), "-L", str(tmp_path / "l"))
    assert code == 2 and "EVIMAP_WORKERS must be a whole number, got 'many'" in err


@pytest.mark.parametrize("argv", [["--help"], ["ingest", "--help"], ["library", "--help"]])
def test_help_works(capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "Usage" in out


@pytest.mark.parametrize(
    ("argv", "bind"), [([], "127.0.0.1:8000"), (["--bind", "0.0.0.0:8765"], "0.0.0.0:8765")]
)
def test_demo_serves_the_site_where_bind_says(tmp_path, capsys, monkeypatch, argv, bind):
    """`evimap demo --bind`, like `evimap serve --bind`: for a newcomer whose 8000 is taken."""
    from evimap import cli
    from evimap.site import commands

    served = []
    monkeypatch.setattr(cli, "demo_inputs", lambda *args, **kwargs: [])  # no datasets,
    monkeypatch.setattr(cli, "_demo_downloads", lambda lib, settings: None)  # no downloads,
    monkeypatch.setattr(cli, "_vocabulary", lambda settings: None)
    monkeypatch.setattr(commands, "site_demo", lambda settings, say: None)  # no site set up
    monkeypatch.setattr(commands, "runserver", served.append)  # and no server started
    code, _, err = run(capsys, "demo", "-L", str(tmp_path / "lib"), *argv)
    assert code == 0, err
    assert served == [bind] and f"serving on http://{bind}" in err


def test_demo_and_serve_offer_the_same_bind(capsys):
    for command in ("demo", "serve"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0 and "--bind" in out and "127.0.0.1:8000" in out


def test_readme_documents_every_setting():
    from evimap.settings import ENV_VARS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert [v for v in ENV_VARS if v not in readme] == []


@pytest.mark.slow
@pytest.mark.shared_data
def test_demo_builds_a_library_from_every_public_dataset(
    tmp_path, capsys, shared_data, monkeypatch
):
    monkeypatch.setenv("EVIMAP_SHARED_DATA", str(shared_data))
    lib = str(tmp_path / "lib")
    code, out, err = run(capsys, "demo", "-L", lib, "--no-site")  # the site: tests/site
    assert code == 0, err
    code, out, _ = run(capsys, "library", "stats", "-L", lib, "--json")
    stats = json.loads(out)
    assert stats["by_collection"] == {
        "medquad": 47_457,
        "beir": 5_183,
        "pubmedqa": 1_000,
        "pmc": 2_535,
        "pubmed": 794,
        "guideline": 142,
        "nci-dictionary": 9_416,
    }
    assert stats["by_grade"] == {"A": 14, "B": 40, "C": 8, "D": 22, "I": 58}  # USPSTF
    assert stats["pending_index"] == 0
    code, out, _ = run(capsys, "library", "search", "multiple sclerosis relapse", "-L", lib)
    assert code == 0 and out.count("\n") == 10


def test_rebuild_index_rebuilds_from_the_store(tmp_path, capsys):
    lib = str(tmp_path / "lib")
    run(capsys, "ingest", "pubmed", str(pubmed_file(tmp_path / "a.xml", range(1, 6))), "-L", lib)
    code, _, err = run(capsys, "library", "rebuild-index", "-L", lib)
    assert code == 0 and "indexed 5 documents" in err
    code, out, _ = run(capsys, "library", "search", "glimmerfield", "-L", lib)
    assert out.count("pubmed:") == 5
