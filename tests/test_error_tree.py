"""The error trees drawn in evimap.errors and evimap.site.errors name every error there is."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import evimap
from evimap import errors
from evimap.errors import EvimapError


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(_subclasses(c) for c in found))


def _every_module() -> None:
    """Import evimap's modules (the site's when Django is there) so their errors exist."""
    for info in pkgutil.walk_packages(evimap.__path__, "evimap."):
        if ".migrations" in info.name or info.name.endswith(("wsgi", "settings")):
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional extra (site, semantic) is not installed
            continue


def test_every_error_class_is_in_a_drawn_tree():
    pytest.importorskip("django")
    _every_module()
    site_errors = importlib.import_module("evimap.site.errors")
    drawn = (errors.__doc__ or "") + (site_errors.__doc__ or "")
    ours = {c.__name__ for c in _subclasses(EvimapError) if c.__module__.startswith("evimap.")}
    assert ours >= {"NotFoundError", "SemanticUnavailableError", "NotAuthenticated"}
    assert sorted(name for name in ours if name not in drawn) == []


def test_the_statuses_drawn_beside_the_site_s_errors_are_theirs():
    pytest.importorskip("django")
    site_errors = importlib.import_module("evimap.site.errors")
    drawn = re.findall(r"── (\w+)\s.*?(\d{3})$", site_errors.__doc__ or "", re.MULTILINE)
    assert len(drawn) >= 12
    assert {name: getattr(site_errors, name).status for name, _ in drawn} == {
        name: int(status) for name, status in drawn
    }


def test_a_try_again_error_says_when_and_a_fetch_says_whether():
    site_errors = pytest.importorskip("evimap.site.errors")
    for name in ("DatabaseBusy", "DatabaseUnavailable", "LibraryUnavailable", "EngineStarting"):
        error = getattr(site_errors, name)("try later")
        assert (error.status, error.retryable) == (503, True) and error.retry_after > 0
    assert errors.FetchError("timeout").retryable
    assert not errors.FetchError("HTTP 404", retryable=False).retryable
    assert errors.FetchError("x").status == 502 and not errors.QuestionError("x").retryable
