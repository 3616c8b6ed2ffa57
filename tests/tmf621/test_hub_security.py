"""The TMF621 hub as an attacker and a careless client use it (issue 17, item 1).

Each test is a request that today's main answered wrongly: another region's events, another user's
subscription, a callback into the server's own network, an unsigned or lost delivery. The receivers are
real HTTP servers on 127.0.0.1, which the hub reaches only because the tests allow-list that address
(``hub_allowed_hosts``, conftest.py), as an operator would for an on-host receiver.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update

from helpers import create_customer, id_number, login, make_user
from telqc.api.tmf621 import callbacks
from telqc.api.tmf621.hub import deliver_pending
from telqc.api.tmf621.models import TmfDelivery, TmfSubscription
from telqc.core import events
from telqc.core.clock import FrozenClock
from telqc.core.models import User
from telqc.core.rbac import Role
from telqc.core.settings import Settings
from tmf621.tmf_spec import Spec

B = "/tmf-api/troubleTicket/v4"
NO_ALLOW_LIST = pytest.mark.parametrize("hub_allowed_hosts", [""])


class Receiver:
    """A listener on 127.0.0.1 that records each POST (headers, raw body) and answers ``status``."""

    def __init__(self, status: int = 201, location: str | None = None, delay: float = 0.0) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status, self.location, self.delay = status, location, delay
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(outer.delay)
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, raw))
                self.send_response(outer.status)
                if outer.location:
                    self.send_header("Location", outer.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/listener"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(raw) for _, raw in self.requests]


@pytest.fixture
def receivers() -> Iterator[list[Receiver]]:
    made: list[Receiver] = []
    yield made
    for r in made:
        r.server.shutdown()
        r.server.server_close()


def receiver(made: list[Receiver], **kw: Any) -> Receiver:
    r = Receiver(**kw)
    made.append(r)
    return r


@pytest.fixture
def people(app: FastAPI, client: TestClient) -> dict[str, Any]:
    """An admin, two Guangdong agents, a Zhejiang agent, and a customer in each province."""
    make_user(app, "adm", Role.admin)
    for name, region in (("gd", "440000"), ("gd2", "440000"), ("zj", "330000")):
        make_user(app, name, Role.agent, region_scope=[region])
    make_user(app, "sup", Role.supervisor, region_scope=["440000"])
    adm = login(client, "adm")
    gd_customer = create_customer(client, adm)
    zj_customer = create_customer(client, adm, phone="13912345678", district="330106",
                                  id_number=id_number("330106"), address="浙江省杭州市西湖区文三路90号")
    return {"adm": adm, **{n: login(client, n) for n in ("gd", "gd2", "zj", "sup")},
            "gd_customer": gd_customer["id"], "zj_customer": zj_customer["id"]}


def ticket(customer_id: int, name: str = "家中宽带频繁掉线") -> dict[str, Any]:
    return {"name": name, "description": "近一周宽带每天晚上掉线三四次，已重启光猫无效", "severity": "Major",
            "ticketType": "complaint", "channel": {"id": "hotline"}, "category": "complaint.network",
            "relatedParty": [{"id": str(customer_id), "role": "customer", "@referredType": "Customer"}],
            "note": [{"text": "客户情绪激动，内部备注"}]}


def subscribe(client: TestClient, headers: dict[str, str], callback: str, query: str | None = None) -> Any:
    body = {"callback": callback} | ({"query": query} if query else {})
    r = client.post(f"{B}/hub", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def relay(app: FastAPI, clock: FrozenClock, settings: Settings) -> None:
    events.drain(app.state.sessionmaker, clock, settings)
    deliver_pending(app.state.sessionmaker, clock, settings)


def count(app: FastAPI, model: Any) -> int:
    with app.state.sessionmaker() as s:  # short: on SQLite an open transaction holds the write lock
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def column(app: FastAPI, col: Any) -> list[Any]:
    with app.state.sessionmaker() as s:
        return list(s.scalars(select(col).order_by(col)).all())


# --- what a subscription sees: its owner's GET, nothing more ---------------------------------------------

def test_zhejiang_agent_never_receives_a_guangdong_order_event(
        app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings, people: dict[str, Any],
        receivers: list[Receiver], spec: Spec) -> None:
    zj_listener, gd_listener = receiver(receivers), receiver(receivers)
    subscribe(client, people["zj"], zj_listener.url)
    subscribe(client, people["gd"], gd_listener.url)
    gd = client.post(f"{B}/troubleTicket", json=ticket(people["gd_customer"], "广州客户的投诉"), headers=people["gd"])
    zj = client.post(f"{B}/troubleTicket", json=ticket(people["zj_customer"], "杭州客户的投诉"), headers=people["zj"])
    assert gd.status_code == zj.status_code == 201
    relay(app, clock, settings)

    zj_got = {b["event"]["troubleTicket"]["id"] for b in zj_listener.bodies}
    assert zj_got == {zj.json()["id"]}, "the Zhejiang agent's callback got only the Zhejiang order"
    assert "广州客户的投诉" not in b"".join(raw for _, raw in zj_listener.requests).decode()
    assert {b["event"]["troubleTicket"]["id"] for b in gd_listener.bodies} == {gd.json()["id"]}
    event = zj_listener.bodies[0]
    spec.validate("TroubleTicketCreateEvent", event)
    own_get = client.get(f"{B}/troubleTicket/{zj.json()['id']}", headers=people["zj"]).json()
    assert event["event"]["troubleTicket"] == own_get, "the payload is exactly the owner's GET of the ticket"


def test_event_payload_is_masked_as_its_owner_now_sees_the_ticket(
        app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings, people: dict[str, Any],
        receivers: list[Receiver]) -> None:
    """A subscriber's rights are read at each event: an account turned into the customer's own login gets
    what a customer may see (no internal notes, no staff parties); a deactivated one gets nothing."""
    staff_listener, turned_listener, gone_listener = receiver(receivers), receiver(receivers), receiver(receivers)
    subscribe(client, people["gd"], staff_listener.url)
    subscribe(client, people["gd2"], turned_listener.url)
    make_user(app, "leaver", Role.agent, region_scope=["440000"])
    subscribe(client, login(client, "leaver"), gone_listener.url)
    with app.state.sessionmaker() as s:
        s.execute(update(User).where(User.username == "gd2")
                  .values(role=Role.customer.value, customer_id=people["gd_customer"]))
        s.execute(update(User).where(User.username == "leaver").values(is_active=False))
        s.commit()
    client.post(f"{B}/troubleTicket", json=ticket(people["gd_customer"]), headers=people["gd"])
    relay(app, clock, settings)

    staff_view = staff_listener.bodies[0]["event"]["troubleTicket"]
    assert "客户情绪激动，内部备注" in [n["text"] for n in staff_view["note"]]
    assert {p["role"] for p in staff_view["relatedParty"]} >= {"customer", "owner"}
    customer_view = turned_listener.bodies[0]["event"]["troubleTicket"]
    assert customer_view["id"] == staff_view["id"]
    assert "客户情绪激动" not in json.dumps(customer_view, ensure_ascii=False), "internal note masked"
    assert {p["role"] for p in customer_view["relatedParty"]} == {"customer"}, "staff parties masked"
    assert gone_listener.requests == [], "a deactivated owner's callback receives nothing"


# --- whose subscription it is -----------------------------------------------------------------------------

def test_another_user_cannot_read_or_delete_a_subscription(
        client: TestClient, people: dict[str, Any], receivers: list[Receiver], spec: Spec) -> None:
    sub = subscribe(client, people["gd"], receiver(receivers).url)
    url = f"{B}/hub/{sub['id']}"
    for intruder in (people["gd2"], people["zj"], people["sup"]):
        for method in ("GET", "DELETE"):
            r = client.request(method, url, headers=intruder)
            assert r.status_code == 404, f"{method} as another user: {r.status_code}"
            assert r.json()["code"] == "error.not_found"
    mine = client.get(url, headers=people["gd"])
    assert mine.status_code == 200 and mine.json() == {"id": sub["id"], "callback": sub["callback"], "query": ""}
    spec.validate("EventSubscription", mine.json())
    assert "secret" not in mine.json(), "the secret is answered once, at subscribe"
    assert client.get(url, headers=people["adm"]).status_code == 200, "an administrator reads any subscription"
    for junk in ("abc", "-1", "0", "99999999999999999999", "１２"):
        assert client.get(f"{B}/hub/{junk}", headers=people["gd"]).status_code == 404, junk
    assert client.delete(url, headers=people["gd"]).status_code == 204
    assert client.get(url, headers=people["gd"]).status_code == 404


def test_subscription_ids_are_not_reused_after_delete(client: TestClient, people: dict[str, Any],
                                                      receivers: list[Receiver]) -> None:
    listener = receiver(receivers)
    first = subscribe(client, people["gd"], listener.url)
    assert client.delete(f"{B}/hub/{first['id']}", headers=people["gd"]).status_code == 204
    second = subscribe(client, people["gd2"], listener.url)
    assert int(second["id"]) > int(first["id"]), "a deleted id must not come back as someone else's"
    assert client.get(f"{B}/hub/{first['id']}", headers=people["gd"]).status_code == 404


def test_subscriptions_per_user_are_capped(app: FastAPI, client: TestClient, settings: Settings,
                                           people: dict[str, Any], receivers: list[Receiver]) -> None:
    settings.hub_max_subscriptions = 2
    listener = receiver(receivers)
    for _ in range(2):
        subscribe(client, people["gd"], listener.url)
    r = client.post(f"{B}/hub", json={"callback": listener.url}, headers=people["gd"])
    assert r.status_code == 409 and "最多 2 个" in r.json()["message"]
    assert count(app, TmfSubscription) == 2
    subscribe(client, people["gd2"], listener.url)  # the cap is per user


# --- where a callback may point ---------------------------------------------------------------------------

@NO_ALLOW_LIST
@pytest.mark.parametrize(("callback", "reason", "words"), [
    ("http://169.254.169.254/latest/meta-data/", "metadata", "元数据"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "metadata", "元数据"),
    ("http://127.0.0.1:9/", "loopback", "回环"),
    ("http://[::1]:8080/hook", "loopback", "回环"),
    ("http://localhost:9/hook", "loopback", "回环"),  # a host name that resolves to 127.0.0.1
    ("http://2130706433/", "loopback", "回环"),  # 127.0.0.1 spelt as one number
    ("http://[::ffff:127.0.0.1]/", "loopback", "回环"),
    ("http://10.1.2.3/hook", "private", "内网"),
    ("http://192.168.1.10/hook", "private", "内网"),
    ("http://[fd12:3456::1]/hook", "private", "内网"),
    ("http://169.254.1.1/", "link_local", "链路本地"),
    ("http://0.0.0.0:8000/", "unspecified", "未指定"),
    ("http://224.0.0.1/", "multicast", "组播"),
    ("http://240.0.0.1/", "reserved", "保留"),
    ("ftp://example.com/hook", "invalid", "http(s)"),
    ("http://admin:secret@example.com/hook", "credentials", "用户名或密码"),
    ("http://no-such-host.invalid/hook", "unresolvable", "无法解析"),
])
def test_callback_into_the_servers_own_network_is_refused(
        app: FastAPI, client: TestClient, people: dict[str, Any], callback: str, reason: str, words: str) -> None:
    r = client.post(f"{B}/hub", json={"callback": callback}, headers=people["gd"])
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["field"] == "callback" and body["code"] == f"tmf.hub.callback_{reason}"
    assert words in body["message"], body["message"]
    assert count(app, TmfSubscription) == 0, "nothing was registered"


def test_production_requires_https(settings: Settings) -> None:
    production = settings.model_copy(update={"env": "production"})
    with pytest.raises(Exception, match="callback_https"):
        callbacks.check("http://example.com/hook", production)
    assert callbacks.parse("https://example.com/hook", production).scheme == "https"


@pytest.mark.parametrize("hub_allowed_hosts", ["127.0.0.1", "127.0.0.0/8, 10.20.0.0/16", "localhost"])
def test_allow_listed_hosts_and_ranges_are_accepted(client: TestClient, people: dict[str, Any],
                                                    hub_allowed_hosts: str, receivers: list[Receiver]) -> None:
    listener = receiver(receivers)
    url = listener.url.replace("127.0.0.1", "localhost") if hub_allowed_hosts == "localhost" else listener.url
    subscribe(client, people["gd"], url)
    private = client.post(f"{B}/hub", json={"callback": "http://10.20.3.4/hook"}, headers=people["gd"])
    assert private.status_code == (201 if "10.20.0.0/16" in hub_allowed_hosts else 400), private.text


def test_delivery_connects_to_the_checked_address_with_the_callbacks_host(
        app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings, people: dict[str, Any],
        receivers: list[Receiver]) -> None:
    """Pinned: the connection goes to the address the check resolved (no second lookup for a rebinding DNS
    server to answer differently), and the request still names the callback's host."""
    settings.hub_allowed_hosts = "localhost"
    listener = receiver(receivers)
    url = f"http://localhost:{listener.port}/listener"
    target = callbacks.check(url, settings)
    assert str(target.request_url) == f"http://127.0.0.1:{listener.port}/listener"
    subscribe(client, people["gd"], url)
    client.post(f"{B}/troubleTicket", json=ticket(people["gd_customer"]), headers=people["gd"])
    relay(app, clock, settings)
    assert [h["host"] for h, _ in listener.requests] == [f"localhost:{listener.port}"]


def test_callback_checked_again_at_delivery(app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings,
                                            people: dict[str, Any], receivers: list[Receiver]) -> None:
    """An allow-list entry withdrawn after subscribing stops the deliveries: the check runs before each one."""
    listener = receiver(receivers)
    subscribe(client, people["gd"], listener.url)
    settings.hub_allowed_hosts = ""
    client.post(f"{B}/troubleTicket", json=ticket(people["gd_customer"]), headers=people["gd"])
    relay(app, clock, settings)
    assert listener.requests == []
    errors = column(app, TmfDelivery.last_error)
    assert errors and all(e and e.startswith("refused: ") and "loopback" in e for e in errors), errors


def test_redirects_are_not_followed(app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings,
                                    people: dict[str, Any], receivers: list[Receiver]) -> None:
    """A public receiver answering 307 towards an internal address must not become the hub's request there."""
    inside = receiver(receivers)
    bouncer = receiver(receivers, status=307, location=inside.url)
    subscribe(client, people["gd"], bouncer.url)
    client.post(f"{B}/troubleTicket", json=ticket(people["gd_customer"]), headers=people["gd"])
    relay(app, clock, settings)
    assert len(bouncer.requests) == 1 and inside.requests == []
    assert column(app, TmfDelivery.last_error) == ["HTTP 307"]


# --- signed, retried, dead-lettered, replayed -------------------------------------------------------------

def verify_signature(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver runs (docs/SECURITY.md): HMAC-SHA256 of "<t>." + the raw body, compared in constant
    time, with ``t`` close to its own clock so a recorded delivery cannot be replayed later."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    t = int(parts["t"])
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return abs(now - t) <= tolerance and hmac.compare_digest(expected, parts.get("v1", ""))


def test_receiver_verifies_every_delivery_signature(
        app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings, people: dict[str, Any],
        receivers: list[Receiver]) -> None:
    mine, theirs = receiver(receivers), receiver(receivers)
    secret = subscribe(client, people["gd"], mine.url)["secret"]
    other_secret = subscribe(client, people["gd2"], theirs.url)["secret"]
    assert secret != other_secret, "one secret per subscription"
    with app.state.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(text("SELECT secret FROM tmf_subscriptions"))]
    assert all(v.startswith("dev1:") and secret not in v for v in stored), "encrypted at rest like personal data"
    t = client.post(f"{B}/troubleTicket", json=ticket(people["gd_customer"]), headers=people["gd"]).json()
    merge = {**people["gd"], "Content-Type": "application/merge-patch+json"}
    client.patch(f"{B}/troubleTicket/{t['id']}", content=json.dumps({"status": "inProgress"}), headers=merge)
    relay(app, clock, settings)
    now = int(clock.now().timestamp())
    assert len(mine.requests) >= 2, "the creation and the status changes"
    for headers, raw in mine.requests:
        assert verify_signature(secret, headers["x-telqc-signature"], raw, now)
        assert not verify_signature(other_secret, headers["x-telqc-signature"], raw, now), "keyed per subscription"
        forged = raw.replace(b"inProgress", b"resolved").replace(b"acknowledged", b"resolved")
        assert not verify_signature(secret, headers["x-telqc-signature"], forged, now), "a changed body fails"
        assert not verify_signature(secret, headers["x-telqc-signature"], raw, now + 3600), "an old one fails"


def test_failing_receiver_dead_letter_admin_replay_delivered(
        app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings, people: dict[str, Any],
        receivers: list[Receiver]) -> None:
    settings.hub_max_attempts = 3
    listener = receiver(receivers, status=503)
    subscribe(client, people["gd"], listener.url)
    client.post(f"{B}/troubleTicket", json=ticket(people["gd_customer"]), headers=people["gd"])
    for _ in range(5):  # backs off between attempts, gives up after three
        relay(app, clock, settings)
        clock.advance(timedelta(hours=2))
    assert len(listener.requests) == 3

    for outsider in (people["gd"], people["sup"]):
        assert client.get(f"{B}/hub/deadLetters", headers=outsider).status_code == 403
    listed = client.get(f"{B}/hub/deadLetters", headers=people["adm"])
    assert listed.status_code == 200 and listed.headers["x-total-count"] == "1"
    dead = listed.json()[0]
    assert dead["status"] == "dead" and dead["attempts"] == 3 and dead["lastError"] == "HTTP 503"
    assert dead["eventType"] == "TroubleTicketCreateEvent" and dead["callback"] == listener.url
    page = client.get("/admin/hub/dead-letters", headers=people["adm"])
    assert page.status_code == 200 and "HTTP 503" in page.text and listener.url in page.text
    assert client.get("/admin/hub/dead-letters", headers=people["sup"]).status_code == 403
    replay = f"{B}/hub/deadLetters/{dead['id']}/replay"
    assert client.post(replay, headers=people["gd"]).status_code == 403, "the subscriber cannot replay either"

    listener.status = 200
    r = client.post(replay, headers=people["adm"])
    assert r.status_code == 200 and r.json()["status"] == "pending" and r.json()["attempts"] == 0
    relay(app, clock, settings)
    assert len(listener.requests) == 4 and listener.bodies[-1]["eventType"] == "TroubleTicketCreateEvent"
    assert column(app, TmfDelivery.status) == ["delivered"]
    assert client.get(f"{B}/hub/deadLetters", headers=people["adm"]).json() == []
    again = client.post(replay, headers=people["adm"])
    assert again.status_code == 409 and again.json()["code"] == "tmf.hub.not_dead"
    assert client.post(f"{B}/hub/deadLetters/77777/replay", headers=people["adm"]).status_code == 404
    trail = client.get("/api/v1/audit", params={"entity_type": "tmf_delivery", "entity_id": dead["id"]},
                       headers=people["adm"]).json()
    assert {e["action"] for e in trail} == {"tmf.delivery_dead", "tmf.delivery_replayed"}


def test_two_concurrent_delivery_passes_send_each_event_once(
        app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings, people: dict[str, Any],
        receivers: list[Receiver]) -> None:
    """Every worker runs a delivery pass after its relay pass; two passes that select the same due rows must
    not both POST them (a receiver that is slow to answer makes them overlap)."""
    slow = receiver(receivers, delay=0.2)
    subscribe(client, people["gd"], slow.url)
    for i in range(4):
        client.post(f"{B}/troubleTicket", json=ticket(people["gd_customer"], f"宽带掉线 {i}"), headers=people["gd"])
    relay(app, clock, settings)
    due = count(app, TmfDelivery)
    assert due >= 4 and len(slow.requests) == due, "sent once each, in-process after each commit"
    with app.state.engine.begin() as conn:  # as after a worker restart: all due again, nothing sent yet
        conn.execute(update(TmfDelivery).values(status="pending", delivered_at=None, attempts=0,
                                                next_attempt_at=clock.now()))
    slow.requests.clear()
    passes = [threading.Thread(target=deliver_pending, args=(app.state.sessionmaker, clock, settings))
              for _ in range(2)]
    for p in passes:
        p.start()
    for p in passes:
        p.join()
    sent = [headers["x-event-id"] for headers, _ in slow.requests]
    assert sorted(sent) == sorted(set(sent)) and len(sent) == due, sent
    assert column(app, TmfDelivery.status) == ["delivered"] * due


def test_a_receiver_that_never_answers_is_timed_out_and_retried_with_growing_backoff(
        app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings, people: dict[str, Any],
        receivers: list[Receiver]) -> None:
    """A callback that accepts the connection and never answers must not hold the delivery pass: the attempt
    ends at TELQC_HUB_TIMEOUT_SECONDS, counts as failed, and the next one waits longer each time."""
    settings.hub_timeout_seconds, settings.hub_max_attempts = 0.2, 4
    hanging = receiver(receivers, delay=1.5)
    subscribe(client, people["gd"], hanging.url)
    client.post(f"{B}/troubleTicket", json=ticket(people["gd_customer"]), headers=people["gd"])
    waits = []
    for _ in range(3):
        relay(app, clock, settings)
        with app.state.sessionmaker() as s:
            (d,) = s.scalars(select(TmfDelivery)).all()
            assert d.status == "pending" and d.last_error.startswith("Timeout"), d.last_error
            waits.append((d.next_attempt_at - d.last_attempt_at).total_seconds())
            clock.advance(d.next_attempt_at - clock.now())
    assert waits == [5.0, 10.0, 20.0], waits
    relay(app, clock, settings)
    assert column(app, TmfDelivery.status) == ["dead"], "given up after TELQC_HUB_MAX_ATTEMPTS"


class DripReceiver:
    """A receiver on 127.0.0.1 that reads the POST, then answers a complete 200 one byte every ``pause``
    seconds, starting in the status line: each read gets a byte well within any per-read timeout."""

    REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

    def __init__(self, pause: float = 0.1) -> None:
        self.pause, self.sent, self.finished = pause, [0], [False]
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/listener"
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        with self.sock:
            while True:
                try:
                    conn, _ = self.sock.accept()
                except OSError:
                    return  # closed by the test
                with conn:
                    self.answer(conn)

    def answer(self, conn: socket.socket) -> None:
        raw = b""
        while b"\r\n\r\n" not in raw:
            raw += conn.recv(65536)
        head, _, body = raw.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(body) < length:
            body += conn.recv(65536)
        self.sent[0], self.finished[0] = 0, False
        try:
            for i in range(len(self.REPLY)):
                conn.sendall(self.REPLY[i:i + 1])
                self.sent[0] += 1
                time.sleep(self.pause)
            self.finished[0] = True
        except OSError:
            pass  # the hub hung up


def test_a_receiver_that_drips_its_answer_is_cut_off_at_the_attempts_deadline(
        app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings, people: dict[str, Any]) -> None:
    """httpx's timeouts apply to each read: a receiver sending its status line a byte every 0.1 s would hold
    a 0.3 s attempt for seconds, past the claim's lease, and a second worker would send the event again.
    The timeout is the whole attempt's: it fails, is retried with backoff, then dead-lettered."""
    settings.hub_timeout_seconds, settings.hub_max_attempts = 0.3, 2
    drip = DripReceiver()

    def delivery() -> TmfDelivery:
        with app.state.sessionmaker() as s:
            (d,) = s.scalars(select(TmfDelivery)).all()
            return d

    try:
        subscribe(client, people["gd"], drip.url)
        started = time.monotonic()
        client.post(f"{B}/troubleTicket", json=ticket(people["gd_customer"]), headers=people["gd"])
        relay(app, clock, settings)  # the first attempt: in-process after the commit, or here
        first, took_first = delivery(), time.monotonic() - started
        clock.advance(first.next_attempt_at - clock.now())
        started = time.monotonic()
        relay(app, clock, settings)
        second, took_second = delivery(), time.monotonic() - started
    finally:
        drip.sock.close()
    assert (first.status, first.attempts, second.status, second.attempts) == ("pending", 1, "dead", 2), \
        (first.status, first.attempts, first.last_error)
    assert all((d.last_error or "").startswith("Timeout") for d in (first, second)), second.last_error
    assert first.last_attempt_at is not None
    assert (first.next_attempt_at - first.last_attempt_at).total_seconds() == 5.0, "retried with backoff"
    assert max(took_first, took_second) < 5 * settings.hub_timeout_seconds, (took_first, took_second)
    assert not drip.finished[0] and drip.sent[0] < len(b"HTTP/1.1 200 OK"), "the hub hung up in the status line"
