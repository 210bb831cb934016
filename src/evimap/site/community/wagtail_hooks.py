"""Admin hooks: moderators find the community's moderation queue in Wagtail's menu."""

from __future__ import annotations

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from evimap.site.community.moderation import queue
from evimap.site.roles import is_moderator


class QueueMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return is_moderator(request.user)

    def render_component(self, request):
        """The sidebar's link, labelled with how many posts wait ("Moderation queue (3)")."""
        component = super().render_component(request)
        waiting = queue().count()
        if waiting:
            component.label = f"Moderation queue ({waiting})"
        return component


@hooks.register("register_admin_menu_item")
def register_queue_menu_item():
    return QueueMenuItem("Moderation queue", "/community/queue/", icon_name="group", order=900)
