"""Reuse the live server and browser fixtures of the web tests."""

from web.conftest import artifacts, browser, live_server  # noqa: F401
