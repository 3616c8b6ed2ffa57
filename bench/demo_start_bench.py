"""How long the first `telqc demo` takes before it serves: migrations, the whole demo seed into a fresh SQLite
database (`TELQC_DATA_DIR` set to a temporary folder), and the demo customer's link; the server is not started.

    PYTHONPATH=src .venv/bin/python bench/demo_start_bench.py              # the demo's own order count
    PYTHONPATH=src .venv/bin/python bench/demo_start_bench.py --orders 150 # another one, to compare

Prints the seconds and the load average before and after (the figure is only comparable at a similar load).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, default=None, help="work orders (default: telqc demo's)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="telqc-demo-bench-") as tmp:
        os.environ["TELQC_DATA_DIR"] = tmp
        os.environ.pop("TELQC_DATABASE_URL", None)
        from telqc import cli  # after the environment names the temporary database
        from telqc.core.settings import get_settings

        get_settings.cache_clear()
        if args.orders is not None:
            cli.DEMO_ORDERS = args.orders
        cli.serve = lambda **_: None  # everything `demo` does but serving
        load = os.getloadavg()[0]
        start = time.monotonic()
        cli.demo()
        took = time.monotonic() - start
        size = (Path(tmp) / "telqc.db").stat().st_size
    print(f"telqc demo, first start: {took:.1f} s with {cli.DEMO_ORDERS} orders, database {size / 2**20:.0f} MiB "
          f"(load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)")


if __name__ == "__main__":
    main()
