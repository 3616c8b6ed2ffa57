"""WSGI application of the django-helpdesk benchmark peer (gunicorn wsgi:application, chdir here)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
application = get_wsgi_application()
