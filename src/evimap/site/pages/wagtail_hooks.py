"""Admin hooks: editors see on the dashboard the questions readers asked that no page covers."""

from __future__ import annotations

from wagtail import hooks
from wagtail.admin.ui.components import Component

from evimap.site.pages import drafting
from evimap.site.roles import is_editor


class AskedQuestionsPanel(Component):
    name = "evimap_asked_questions"
    template_name = "evimap/admin/asked_questions_panel.html"
    order = 95

    def __init__(self, asked) -> None:
        self.asked = asked

    def get_context_data(self, parent_context):
        return {"asked": self.asked}


@hooks.register("construct_homepage_panels")
def add_asked_questions_panel(request, panels) -> None:
    if is_editor(request.user):
        asked = list(drafting.most_asked(10))
        if asked:
            panels.append(AskedQuestionsPanel(asked))
