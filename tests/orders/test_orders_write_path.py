"""The order write path: minimal answers on request, the full detail by default, and cached configuration."""

from __future__ import annotations

from sqlalchemy import select, update

from orders.orders_helpers import World
from telqc.core import audit
from telqc.core.context import Ctx
from telqc.orders import config
from telqc.orders.models import OrderHistory, OrderSlaPolicy

MINIMAL = {"Prefer": "return=minimal"}


def test_prefer_return_minimal_answers_the_order_but_does_all_the_work(app, client, channel) -> None:  # type: ignore[no-untyped-def]
    w = World(app, client)
    r = client.post("/api/v1/orders", json={"type": "complaint", "category": "complaint.billing",
                                            "customer_id": w.customer_id, "title": "话费多扣",
                                            "description": "本月话费多扣了30元"}, headers={**w.agent, **MINIMAL})
    assert r.status_code == 201, r.text
    assert r.headers["Preference-Applied"] == "return=minimal"
    created = r.json()
    assert "timeline" not in created and created["status"] == "new" and created["resolution_due"]
    assert r.headers["ETag"] == f'W/"{created["version"]}"'
    oid = created["id"]
    for to in ("acknowledged", "in_progress", "resolved"):
        r = client.post(f"/api/v1/orders/{oid}/transition", json={"to": to},
                        headers={**w.agent, "Prefer": "handling=strict, return=minimal"})
        assert r.status_code == 200, r.text
        assert "timeline" not in r.json() and r.json()["status"] == to
    full = client.get(f"/api/v1/orders/{oid}", headers={**w.agent, **MINIMAL}).json()
    assert [i["data"]["to"] for i in full["timeline"] if i["kind"] == "status"] == [
        "new", "acknowledged", "in_progress", "resolved"], "GET always answers the full detail"
    assert [c["status"] for c in full["callbacks"]] == ["open"]
    assert [m.kind for m in channel.sent] == ["acknowledged", "resolved"]
    with app.state.sessionmaker() as s:
        assert audit.verify(s).ok
        kinds = [h.field for h in s.scalars(select(OrderHistory).where(OrderHistory.order_id == oid))]
    assert kinds.count("status") == 4 and kinds.count("notify") == 2


def test_writes_answer_the_full_detail_by_default(app, client) -> None:  # type: ignore[no-untyped-def]
    w = World(app, client)
    oid = w.create()["id"]
    r = client.post(f"/api/v1/orders/{oid}/transition", json={"to": "acknowledged"}, headers=w.agent)
    assert r.status_code == 200 and "Preference-Applied" not in r.headers
    body = r.json()
    assert [i["kind"] for i in body["timeline"]][:2] == ["status", "status"]
    assert body["callbacks"] == [] and body["linked_order_ids"] == [] and body["repair"] is None


def test_configuration_snapshot_is_reused_and_refreshed(app, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Policies are read once per process (not per request); a changed row is seen after CACHE_SECONDS."""
    with app.state.sessionmaker() as s:
        ctx = Ctx(session=s, clock=clock, settings=app.state.settings)
        config.ensure_defaults(ctx)
        s.commit()
    with app.state.sessionmaker() as s:
        ctx = Ctx(session=s, clock=clock, settings=app.state.settings)
        first = config.snapshot(ctx)
        assert config.snapshot(ctx) is first
        assert config.category(ctx, "complaint.billing") is not None
        s.execute(update(OrderSlaPolicy).where(OrderSlaPolicy.name == "投诉").values(resolution_min=999))
        s.commit()
        assert config.snapshot(ctx) is first, "within CACHE_SECONDS the snapshot stays"
        monkeypatch.setattr(config, "CACHE_SECONDS", 0.0)
        fresh = config.snapshot(ctx)
    assert fresh is not first
    rule = fresh.policies.by_id[fresh.policies.ids["投诉"]]
    assert rule.resolution.total_seconds() == 999 * 60
