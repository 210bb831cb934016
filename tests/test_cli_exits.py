"""How the `evimap` command ends (evimap.cli.main): the exit status for each kind of end,
one line on stderr for a known error; and the library stats' decades."""

from __future__ import annotations

import click
import pytest

from evimap import ConfigError, LibraryError, cli


def failing(exc: BaseException):
    """A stand-in for the command group that raises `exc`."""

    def app(**_kwargs):
        raise exc

    return app


@pytest.mark.parametrize(
    ("exc", "status", "said"),
    [
        (LibraryError("no library at /x [here]"), 1, "error: no library at /x [here]"),
        (ConfigError("EVIMAP_WORKERS must be a whole number"), 2, "EVIMAP_WORKERS must be"),
        (KeyboardInterrupt(), 130, cli.INTERRUPTED),
        (click.exceptions.Abort(), 130, "aborted"),
        (click.UsageError("No such command 'x'."), 2, "No such command 'x'."),
        (click.exceptions.Exit(3), 3, ""),
    ],
)
def test_each_way_of_ending_has_its_status_and_one_line(monkeypatch, capsys, exc, status, said):
    monkeypatch.setattr(cli, "app", failing(exc))
    assert cli.main([]) == status
    stderr = capsys.readouterr().err
    assert said in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) <= 2


def test_ctrl_c_inside_click_reads_as_interrupted(monkeypatch, capsys):
    abort = click.exceptions.Abort()
    abort.__cause__ = KeyboardInterrupt()
    monkeypatch.setattr(cli, "app", failing(abort))
    assert cli.main([]) == 130 and cli.INTERRUPTED in capsys.readouterr().err


def test_a_command_s_own_number_is_its_status(monkeypatch):
    monkeypatch.setattr(cli, "app", lambda **_kwargs: 4)
    assert cli.main([]) == 4
    monkeypatch.setattr(cli, "app", lambda **_kwargs: None)
    assert cli.main([]) == 0


def test_years_are_counted_by_decade_and_no_year_as_unknown():
    by_year = {"1999": 2, "2001": 3, "2009": 1, "2010": 4, "": 5}
    assert cli._decades(by_year) == {"unknown": 5, "1990s": 2, "2000s": 4, "2010s": 4}
