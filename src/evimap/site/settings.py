"""Django settings for the evimap site, built from the environment (see `evimap.site.env`).

A bad variable stops the process at import with a one-line ConfigError (`evimap serve` and
`evimap demo` print it as one line).
"""

from __future__ import annotations

from pathlib import Path

from evimap import Settings
from evimap.site.env import SiteSettings

PACKAGE = Path(__file__).resolve().parent
# Lower-case names: Django takes only upper-case ones as settings, so these objects (which
# hold the secret key, the SMTP password, the writer's API key) never reach a debug page.
_site = SiteSettings.from_env()
_evimap = Settings.from_env()

DEBUG = _site.debug
SECRET_KEY = _site.secret_key
ALLOWED_HOSTS = list(_site.allowed_hosts)
DATABASES = {"default": _site.database}
EVIMAP_LIBRARY = _evimap.library
EVIMAP_SHARED_DATA = _evimap.shared_data
# Error pages and emails hide every secret, by name and by value (evimap.site.security).
DEFAULT_EXCEPTION_REPORTER_FILTER = "evimap.site.security.SecretsFilter"
DEFAULT_EXCEPTION_REPORTER = "evimap.site.security.SecretsReporter"

INSTALLED_APPS = [
    "evimap.site.pages",
    "evimap.site.review",
    "evimap.site.community",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "ninja",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

# The header middleware comes first, above the page cache: a cached page gets every header.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",  # nosniff, Referrer-Policy
    "evimap.site.security.SecurityHeadersMiddleware",  # Content-Security-Policy
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "evimap.site.middleware.RequestSizeMiddleware",  # 413 for a body over the limit below
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "evimap.site.pages.cache.PageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "evimap.site.middleware.EvimapErrorMiddleware",
]
X_FRAME_OPTIONS = "DENY"  # Wagtail's previews say SAMEORIGIN for themselves
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

ROOT_URLCONF = "evimap.site.urls"
WSGI_APPLICATION = "evimap.site.wsgi.django_application"  # runserver; gunicorn: .application
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE / "static"]
STATIC_ROOT = None  # whitenoise serves from the finders (WHITENOISE_USE_FINDERS)
WHITENOISE_USE_FINDERS = True  # serve the packaged static files without collectstatic
MEDIA_ROOT = Path("var/media")
MEDIA_URL = "/media/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
LOGIN_URL = "/login/"
# Failed sign-ins are throttled per account and per address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "evimap.site.community.signin.SignInThrottle",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# A question is at most a few KB; the form refuses more with a message (evimap.site.answers),
# and a body over this limit is answered 413 (evimap.site.middleware.RequestSizeMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Behind an HTTPS proxy (EVIMAP_BEHIND_HTTPS_PROXY, EVIMAP_CSRF_TRUSTED_ORIGINS): the
# scheme from X-Forwarded-Proto, secure session and CSRF cookies, trusted form origins.
globals().update(_site.security())
# Members' verification links: by SMTP with EVIMAP_SMTP_URL, else written to the server log.
globals().update(_site.email)
# The page cache (evimap.site.pages.cache): Redis with EVIMAP_CACHE_URL, else each process's.
CACHES = {"default": _site.cache}
DEFAULT_FROM_EMAIL = "evimap <no-reply@localhost>"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

WAGTAIL_SITE_NAME = "evimap"
# No third-party requests from the admin (its Content-Security-Policy allows none):
# no Gravatar avatars, no check for a new Wagtail release.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Approval binds to the revision reviewed: a task approved on an earlier revision does not
# count for a later one, so any edit goes through both review tasks again.
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
WAGTAIL_WORKFLOW_ENABLED = True
# The final approval publishes the revision reviewed, on the workflow's authority: nobody
# else can publish a question page (editors and reviewers have no publish_page permission).
WAGTAIL_FINISH_WORKFLOW_ACTION = "evimap.site.review.workflow.publish_approved"
