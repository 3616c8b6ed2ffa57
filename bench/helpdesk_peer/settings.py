"""Minimal Django project mounting django-helpdesk with its REST API, for bench/orders_bench.py.

Everything runs on 127.0.0.1. The database is PostgreSQL `helpdesk_bench` (the bench drops and
recreates it before each run). Environment overrides: HELPDESK_BENCH_DB_NAME, HELPDESK_BENCH_DB_HOST,
HELPDESK_BENCH_DB_PORT, HELPDESK_BENCH_DB_USER, HELPDESK_BENCH_DB_PASSWORD.

Choices made to give the peer its best honest configuration:
- DEBUG off, persistent DB connections (CONN_MAX_AGE) so no connect per request;
- DRF TokenAuthentication (one indexed lookup per request) instead of Basic auth, which would run
  PBKDF2 (1,000,000 iterations in Django 5.2) on every request;
- JSON renderer only (the browsable API is never used by the bench);
- e-mail goes to Django's dummy backend: helpdesk still renders its notification templates (that is
  its work), nothing is sent.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = os.environ.get("HELPDESK_BENCH_SECRET_KEY", "helpdesk-bench-not-secret-local-only")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "urls"
WSGI_APPLICATION = "wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("HELPDESK_BENCH_DB_NAME", "helpdesk_bench"),
        "HOST": os.environ.get("HELPDESK_BENCH_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("HELPDESK_BENCH_DB_PORT", "5432"),
        "USER": os.environ.get("HELPDESK_BENCH_DB_USER", "postgres"),
        "PASSWORD": os.environ.get("HELPDESK_BENCH_DB_PASSWORD", ""),
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": False,
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SITE_ID = 1
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_ROOT = str(BASE_DIR.parent.parent / "var" / "helpdesk-media")
MEDIA_URL = "/media/"
LOGIN_URL = "/login/"

EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "helpdesk@bench.invalid"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# --- django-helpdesk -------------------------------------------------------------------------
# 2.6.1 names the switch HELPDESK_API_ENABLED (default True); older docs call it
# HELPDESK_ACTIVATE_API_ENDPOINT. Both are set so the intent is explicit whichever is read.
HELPDESK_API_ENABLED = True
HELPDESK_ACTIVATE_API_ENDPOINT = True
# The knowledge base stays on: 2.6.1's urls.py names `kb` only when it is enabled and raises
# NameError otherwise. It costs the API nothing.
HELPDESK_KB_ENABLED = True
# Teams mode needs pinax-teams (an extra); the API under test does not use it.
HELPDESK_TEAMS_MODE_ENABLED = False
HELPDESK_ENABLE_PER_QUEUE_STAFF_PERMISSION = False

# Lifecycle mirroring TelQC's order flow (new -> acknowledged -> in_progress -> resolved). The
# default helpdesk statuses have no "acknowledged"/"in progress"; custom statuses are a documented
# helpdesk setting (HELPDESK_TICKET_STATUS_CHOICES), so each of the three follow-ups is a real status
# change that writes a FollowUp and a TicketChange row.
ACKNOWLEDGED_STATUS = 6
IN_PROGRESS_STATUS = 7
HELPDESK_TICKET_STATUS_CHOICES = (
    (1, "Open"),
    (2, "Reopened"),
    (3, "Resolved"),
    (4, "Closed"),
    (5, "Duplicate"),
    (ACKNOWLEDGED_STATUS, "Acknowledged"),
    (IN_PROGRESS_STATUS, "In progress"),
)
HELPDESK_TICKET_OPEN_STATUSES = (1, 2, ACKNOWLEDGED_STATUS, IN_PROGRESS_STATUS)
HELPDESK_TICKET_STATUS_CHOICES_FLOW = {
    1: (1, ACKNOWLEDGED_STATUS, 3, 4, 5),
    2: (2, ACKNOWLEDGED_STATUS, 3, 4, 5),
    ACKNOWLEDGED_STATUS: (ACKNOWLEDGED_STATUS, IN_PROGRESS_STATUS, 3, 4, 5),
    IN_PROGRESS_STATUS: (IN_PROGRESS_STATUS, 3, 4, 5),
    3: (2, 3, 4),
    4: (2, 4),
    5: (2, 5),
}
HELPDESK_TICKET_STATUS_CSS_CLASSES = {
    1: "danger",
    2: "warning",
    3: "success",
    4: "success",
    5: "secondary",
    ACKNOWLEDGED_STATUS: "info",
    IN_PROGRESS_STATUS: "primary",
}
