"""Seed the django-helpdesk peer database after `manage.py migrate`.

Creates one queue, one API superuser with a DRF token, and a few staff agents to assign tickets to,
then prints one JSON line: {"token", "queue_id", "agent_ids", "api_user_id"}. Idempotent.

Run with the peer interpreter: var/helpdesk-venv/bin/python bench/helpdesk_peer/seed.py [--agents N]
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from helpdesk.models import Queue  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

API_USERNAME = "bench-api"
API_PASSWORD = "bench-api-password"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=10)
    args = parser.parse_args()

    user_model = get_user_model()
    queue, _ = Queue.objects.get_or_create(
        slug="bench",
        defaults={"title": "Bench queue", "allow_public_submission": False, "allow_email_submission": False},
    )
    api_user, created = user_model.objects.get_or_create(
        username=API_USERNAME,
        defaults={"email": "bench-api@bench.invalid", "is_staff": True, "is_superuser": True},
    )
    if created:
        api_user.set_password(API_PASSWORD)
        api_user.save()
    token, _ = Token.objects.get_or_create(user=api_user)

    hashed = make_password("agent-password")  # hash once; agents never log in during the bench
    agent_ids = []
    for i in range(args.agents):
        agent, _ = user_model.objects.get_or_create(
            username=f"agent{i:02d}",
            defaults={"email": f"agent{i:02d}@bench.invalid", "is_staff": True, "password": hashed},
        )
        agent_ids.append(agent.id)
    print(json.dumps({"token": token.key, "queue_id": queue.id, "agent_ids": agent_ids, "api_user_id": api_user.id}))


if __name__ == "__main__":
    main()
