"""The local calendar day KPIs are cut by."""

from __future__ import annotations


def test_local_today_is_the_operators_day_not_the_utc_one() -> None:
    """`telqc seed`, reports and the dashboard's default range cut by this day: at 20:00 UTC Beijing is a day ahead."""
    from datetime import UTC, date, datetime

    from telqc.core.clock import FrozenClock
    from telqc.core.context import Ctx
    from telqc.core.settings import Settings
    from telqc.core.uow import UnitOfWork
    from telqc.metrics.service import local_today

    def at(hour: int) -> date:
        clock = FrozenClock(datetime(2026, 11, 2, hour, 0, tzinfo=UTC))
        # local_today reads the clock and the settings only: the unit of work has no session
        return local_today(Ctx(uow=UnitOfWork(None), clock=clock, settings=Settings(env="test")))  # type: ignore[arg-type]

    assert at(15) == date(2026, 11, 2)
    assert at(16) == date(2026, 11, 3)
    assert at(20) == date(2026, 11, 3)
