"""Admin hooks: an edit saved (or published) in Wagtail's admin returns a question page to
review; the dashboard lists pages whose evidence changed ("review due"); our audit-log
actions."""

from __future__ import annotations

from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet

from evimap.site.review import actions, freshness
from evimap.site.review.models import ReviewerProfile
from evimap.site.review.status import live_approval
from evimap.site.roles import editorial


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def return_edited_page_to_review(request, page) -> None:
    """Any later edit returns the page to review (the same action the site and CLI use).

    Editors and reviewers cannot publish, so their Publish is saved as a draft that lands
    here. An admin's publish cancels the workflow and puts an unreviewed revision live: the
    page then reads as not reviewed, and returns to review too.
    """
    if page.specific_class.__name__ != "QuestionPage" or page.get_workflow() is None:
        return
    page = type(page).objects.get(pk=page.pk)
    task_state = page.current_workflow_task_state
    if task_state is not None and task_state.revision_id == page.latest_revision_id:
        return  # already reviewing this revision
    if page.live_revision_id == page.latest_revision_id and live_approval(page) is not None:
        return  # the approved revision is on show and nothing newer was written
    actions.return_to_review(page, request.user)


register_snippet(ReviewerProfile)


class ReviewDuePanel(Component):
    """Dashboard panel: open review-due flags, each linking to its page's editor."""

    name = "evimap_review_due"
    template_name = "evimap/admin/review_due_panel.html"
    order = 90  # above Wagtail's own panels

    def __init__(self, flags) -> None:
        self.flags = flags

    def get_context_data(self, parent_context):
        return {"flags": self.flags, "total": len(self.flags)}


@hooks.register("construct_homepage_panels")
def add_review_due_panel(request, panels) -> None:
    if editorial(request.user):
        flags = list(freshness.open_flags()[:20])
        if flags:
            panels.append(ReviewDuePanel(flags))


@hooks.register("register_log_actions")
def register_review_due_actions(log_actions) -> None:
    log_actions.register_action(
        "evimap.review_due.dismiss", "Review due dismissed", "Review-due flag dismissed"
    )
