"""The review forms on the site (included under /review/ by evimap.site.urls)."""

from __future__ import annotations

from django.urls import path

from evimap.site import ids  # noqa: F401  (registers <id:...>: 404 above 2**63 - 1)
from evimap.site.review import views

urlpatterns = [
    path("<id:page_id>/<str:action>/", views.review_action, name="review-action"),
    path("due/", views.review_due, name="review-due"),
    path("due/<id:flag_id>/dismiss/", views.dismiss, name="review-due-dismiss"),
]
