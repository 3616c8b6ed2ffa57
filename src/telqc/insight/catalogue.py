"""The built-in demo plan catalogue for recommendations, and demo usage until usage data is imported.

The codes, names and fees are those of the demo reference plans (`telqc.demo.reference.PLANS`, the mobile
and fusion ones: broadband and IPTV are not priced on data and minutes); the quotas and overage prices are
invented for the demo. A domain may not import the demo loader, so they are written out here and a test
holds them to the reference. The operator's own catalogue is the `insight_plans` table (`service.save_plan`);
this one is used while that is empty, and seeds it (`service.ensure_catalogue`, `telqc insight catalogue seed`).
"""

from __future__ import annotations

import hashlib
import random

from telqc.insight.recommend import MB_PER_GB, Month, Plan

GB = MB_PER_GB
DEMO_CATALOGUE: tuple[Plan, ...] = (
    Plan("5G59", "5G畅享套餐59元", 5900, 30 * GB, 500, 300, 15),
    Plan("5G79", "5G畅享套餐79元", 7900, 60 * GB, 700, 300, 15),
    Plan("5G129", "5G畅享套餐129元", 12900, 100 * GB, 1000, 300, 15),
    Plan("5G199", "5G尊享套餐199元", 19900, 200 * GB, 2000, 200, 10),
    Plan("FUS169", "全家享融合套餐169元", 16900, 150 * GB, 1500, 300, 15, is_family=True, members=3),
    Plan("FUS229", "全家享融合套餐229元", 22900, 300 * GB, 3000, 200, 10, is_family=True, members=5),
)

# (share, per-person data GB, per-person voice minutes): students, light elderly users, typical, heavy
_PROFILES = ((0.2, 55.0, 80.0), (0.2, 4.0, 300.0), (0.4, 25.0, 400.0), (0.2, 90.0, 900.0))
_HOUSEHOLD = ((1, 0.45), (2, 0.25), (3, 0.15), (4, 0.1), (5, 0.05))


def demo_usage(customer_id: int, months: int = 3) -> tuple[list[Month], int]:
    """Deterministic synthetic usage for a customer: (the household's last `months` months, household size).

    Seeded by SHA-256 of the id, so the same customer always gets the same usage on every worker and run.
    """
    seed = int.from_bytes(hashlib.sha256(f"insight-usage\x1f{customer_id}".encode()).digest()[:8], "big")
    rng = random.Random(seed)
    household = rng.choices([h for h, _ in _HOUSEHOLD], weights=[w for _, w in _HOUSEHOLD])[0]
    _, gb, minutes = rng.choices(_PROFILES, weights=[p[0] for p in _PROFILES])[0]
    usage = [
        Month(round(gb * household * rng.uniform(0.8, 1.2) * GB), round(minutes * household * rng.uniform(0.8, 1.2)))
        for _ in range(months)
    ]
    return usage, household
