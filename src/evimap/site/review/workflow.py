"""What a completed review does: publish the revision the medical reviewer approved.

Wagtail calls `publish_approved` when the last task of the workflow is approved (setting
`WAGTAIL_FINISH_WORKFLOW_ACTION`). Editors and medical reviewers have no `publish_page`
permission (nobody publishes outside the workflow), so the publish runs on the workflow's
authority, without the approving user's publish permission, and is logged in their name.
Wagtail's default publishes the page's *latest* revision; this publishes the one reviewed.

Wagtail imports this module while loading its models, so it imports nothing at the top.
"""

from __future__ import annotations


def publish_approved(workflow_state, user=None) -> None:
    """Publish the revision of the workflow's final (approved) task."""
    task_state = workflow_state.current_task_state
    revision = task_state.revision if task_state is not None else None
    if revision is None:  # not a review of a revision: Wagtail's own behaviour
        revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)
