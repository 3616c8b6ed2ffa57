"""Screenshots of each role's home page at 1366×768 for the README (docs/screens/<role>.png).

Run against a seeded demo server (``make demo``, or ``telqc seed`` then ``telqc serve``):

    PYTHONPATH=src .venv/bin/python docs/screens/make_screens.py --base http://127.0.0.1:8000

Uses Debian's Chromium through Playwright, as the browser tests do (TELQC_CHROMIUM overrides the path)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ROLES = ["agent", "supervisor", "inspector", "engineer", "netops", "manager", "trainer", "admin", "customer"]
HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument("--password", default="telqc-demo")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    chromium = os.environ.get("TELQC_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        for role in ROLES:
            page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            page.goto(f"{args.base}/login")
            page.fill("input[name=username]", role)
            page.fill("input[name=password]", args.password)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(f"{args.base}/")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(args.out / f"{role}.png"))  # the first screen, as a person sees it
            print(f"{role}: {args.out / f'{role}.png'}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
