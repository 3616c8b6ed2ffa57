"""ASGI entry point for uvicorn and other servers: ``telqc.api.asgi:app``."""

from telqc.api.app import create_app

app = create_app()
