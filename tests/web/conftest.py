"""Browser fixtures live in tests/browser_fixtures.py (loaded by the root conftest for every folder)."""

from browser_fixtures import artifacts, browser, live_server  # noqa: F401
