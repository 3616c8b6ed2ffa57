"""URLs of the django-helpdesk benchmark peer: helpdesk (UI + REST API under /api/) at the root."""

from django.urls import include, path

urlpatterns = [
    path("", include("helpdesk.urls")),
]
