#!/usr/bin/env python
"""Django management entry point for the django-helpdesk benchmark peer.

Run it with the peer's own interpreter: var/helpdesk-venv/bin/python bench/helpdesk_peer/manage.py ...
"""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    # The project package is this directory itself (settings.py, urls.py, wsgi.py beside this file).
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
