"""Admin hooks: an edit saved in Wagtail's admin returns a question page to review."""

from __future__ import annotations

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from evimap.site.review import actions
from evimap.site.review.models import ReviewerProfile


@hooks.register("after_edit_page")
def return_edited_page_to_review(request, page) -> None:
    """Any later edit returns the page to review (the same action the site and CLI use)."""
    if page.specific_class.__name__ != "QuestionPage" or page.get_workflow() is None:
        return
    latest_id = page.latest_revision_id
    task_state = page.current_workflow_task_state
    reviewing_latest = task_state is not None and task_state.revision_id == latest_id
    if not reviewing_latest and page.live_revision_id != latest_id:
        actions.return_to_review(page, request.user)


register_snippet(ReviewerProfile)
