"""The order timeline as a zh-CN reader sees it: every reason and notification the services write reads in
Chinese (the audit found "— → acknowledged：…", "派单，预约 None" and "callback: satisfied" on order pages)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from telqc.core.display import Viewer
from telqc.orders import timeline_words
from telqc.orders.schemas import TimelineItem

AT = datetime(2026, 12, 7, 6, 52, tzinfo=UTC)
ENGLISH = re.compile(r"[A-Za-z]{3,}")
BODY = "【TelQC】您的工单 130（宽带频繁掉线）已受理，我们将尽快处理。"


def _history(field: str, old: str | None, new: str | None, reason: str | None, text: str = "") -> TimelineItem:
    """A staff view's history item, as `timeline._item` builds it."""
    data: dict[str, object] = {"from": old, "to": new}
    if reason:
        data["reason"] = reason
    return TimelineItem(at=AT, kind=field, text=text or f"{old or '—'} → {new or '—'}：{reason}", public=True,
                        data=data)


@pytest.mark.parametrize(("field", "old", "new", "reason"), [
    ("status", "in_progress", "callback", "callback started"),
    ("status", "callback", "closed", "callback: satisfied"),
    ("status", "callback", "reopened", "callback: unsatisfied 还是掉线"),
    ("status", "callback", "closed", "callback: unreachable after 3 attempts"),
    ("status", "acknowledged", "in_progress", "engineer: on_site"),
    ("status", "in_progress", "resolved", "network incident #4 restored"),
    ("engineer", None, "6", "dispatch; appointment None"),
    ("incident", None, "restored", "故障已恢复"),
])
def test_reasons_the_services_write_read_in_chinese(field: str, old: str | None, new: str | None,
                                                     reason: str) -> None:
    got = timeline_words.line(_history(field, old, new, reason), Viewer("zh-CN"))
    assert not ENGLISH.search(got.replace("TelQC", "")), got
    assert "None" not in got


def test_a_notification_shows_the_message_without_codes() -> None:
    staff = timeline_words.line(_history("notify", None, "acknowledged", BODY), Viewer("zh-CN"))
    assert staff == BODY
    public = TimelineItem(at=AT, kind="notify", text=BODY, public=True, data={"from": None, "to": "acknowledged"})
    assert timeline_words.line(public, Viewer("zh-CN")) == BODY


def test_a_booked_dispatch_shows_the_visit_in_beijing_time() -> None:
    got = timeline_words.line(_history("engineer", None, "6", "dispatch; appointment 2026-12-08T02:00:00+00:00"),
                              Viewer("zh-CN"))
    assert "2026-12-08 10:00" in got
