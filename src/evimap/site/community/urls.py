"""The community's URLs, under /community/."""

from __future__ import annotations

from django.urls import path

from evimap.site import ids  # noqa: F401  (registers <id:...>: 404 above 2**63 - 1)
from evimap.site.community import views

urlpatterns = [
    path("join/", views.sign_up, name="community-join"),
    path("verify/<str:token>/", views.verify, name="community-verify"),
    path("terms/", views.terms, name="community-terms"),
    path("share/<id:page_id>/", views.share, name="community-share"),
    path("posts/<id:post_id>/edit/", views.edit, name="community-edit"),
    path("posts/<id:post_id>/delete/", views.delete, name="community-delete"),
    path("posts/<id:post_id>/report/", views.report, name="community-report"),
    path("me/", views.me, name="community-me"),
    path("me/export/", views.export, name="community-export"),
    path("me/delete/", views.delete_account, name="community-delete-account"),
    path("queue/", views.moderation_queue, name="community-queue"),
    path("queue/<id:post_id>/<str:action>/", views.moderate, name="community-moderate"),
]
