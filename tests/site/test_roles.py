"""Who may do what: every role check of the site is in evimap.site.roles, one persona each."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from evimap.site import roles
from evimap.site.errors import Forbidden, ReviewForbidden

EDITOR_ONLY = {"editor"}
EDITORIAL = {"editor", "reviewer", "reviewer2", "admin"}
MODERATING = {"moderator", "admin"}
TEAM = {"editor", "reviewer", "reviewer2", "moderator", "admin"}


def who(people, check) -> set[str]:
    return {name for name, user in people.items() if check(user)}


def test_only_editors_draft_pages(people):
    assert who(people, roles.is_editor) == EDITOR_ONLY


def test_editors_reviewers_and_admins_handle_review_due(people):
    assert who(people, roles.editorial) == EDITORIAL
    with pytest.raises(ReviewForbidden, match="dismiss"):
        roles.check_editorial(people["member"], "dismiss")
    roles.check_editorial(people["reviewer"], "dismiss")


def test_a_deactivated_editor_is_no_longer_editorial(people):
    editor = people["editor"]
    editor.is_active = False
    assert not roles.editorial(editor)


def test_the_review_lists_are_read_by_editorial_accounts_and_staff(people):
    with pytest.raises(ReviewForbidden):
        roles.check_review_reader(people["moderator"])
    people["moderator"].is_staff = True
    roles.check_review_reader(people["moderator"])


def test_moderators_and_admins_moderate(people):
    assert who(people, roles.is_moderator) == MODERATING
    with pytest.raises(Forbidden):
        roles.require_moderator(people["editor"])


def test_the_moderators_told_of_a_held_post_are_those_who_moderate(people):
    assert {user.username for user in roles.moderators()} == MODERATING


def test_team_accounts_are_closed_by_an_admin(people):
    assert who(people, roles.team_account) == TEAM


def test_a_visitor_has_no_role():
    visitor = AnonymousUser()
    assert not roles.is_editor(visitor) and not roles.editorial(visitor)
    assert not roles.is_moderator(visitor) and not roles.editorial(None)
