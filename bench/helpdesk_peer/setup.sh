#!/usr/bin/env bash
# Idempotent setup of the django-helpdesk peer for bench/orders_bench.py.
# Creates /work/main/var/helpdesk-venv (or $HELPDESK_VENV) if missing and installs the pinned
# requirements into it. Safe to re-run: pip leaves satisfied pins alone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${HELPDESK_VENV:-$repo/var/helpdesk-venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" -c "import django, helpdesk, rest_framework, gunicorn, psycopg; print('helpdesk peer ready:', '$venv', 'Django', django.get_version())"
