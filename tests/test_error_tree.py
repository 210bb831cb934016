"""The error trees drawn in evimap.errors and evimap.site.errors name every error there is."""

from __future__ import annotations

import importlib
import pkgutil

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
