"""URLs: the JSON API, reviewer and editor actions, sign-in, Wagtail admin, then the pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from evimap.site import ids  # noqa: F401  (registers <id:...>: 404 above 2**63 - 1)
from evimap.site.api import api
from evimap.site.pages import drafting_views

# A locked database that escaped the views is a 503 "try again", never a 500 (D8).
handler500 = "evimap.site.middleware.server_error"

urlpatterns = [
    path("api/", api.urls),
    path("review/", include("evimap.site.review.urls")),
    path("draft/", drafting_views.draft_page, name="draft-page"),
    path("draft/asked/", drafting_views.asked_questions, name="asked-questions"),
    path("community/", include("evimap.site.community.urls")),
    path("login/", auth_views.LoginView.as_view(template_name="evimap/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", include(wagtailadmin_urls)),
]
if settings.DEBUG:
    urlpatterns += staticfiles_urlpatterns()
urlpatterns.append(path("", include(wagtail_urls)))
