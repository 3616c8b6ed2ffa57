"""TMF621 v4 conformance, tried as a careless client would (issue 17): the spec's mandatory attributes only,
ids that name nothing, the spec's filters, its own samples copied verbatim, and a stale If-Match."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from helpers import create_customer, login, make_user
from telqc.core.clock import FrozenClock
from telqc.core.errors import BadRequest
from telqc.core.i18n import LANGUAGES, MESSAGES, t
from telqc.core.rbac import Role
from tmf621.tmf_spec import EXAMPLES_NAME, Examples, Spec, spec_path

B = "/tmf-api/troubleTicket/v4"
MANDATORY = {"description": "宽带晚上经常掉线，已重启光猫无效", "severity": "Major", "ticketType": "incident"}
MERGE = "application/merge-patch+json"
TEMPLATE = re.compile(r"\{[a-z_]+\}")


@pytest.fixture(scope="session")
def examples() -> Examples:
    path = spec_path().with_name(EXAMPLES_NAME)
    if not path.exists():
        pytest.skip(f"{path} not found (TM Forum's samples for TMF621)")
    return Examples(path)


@pytest.fixture
def agent(app: FastAPI, client: TestClient) -> dict[str, str]:
    """A Guangdong agent (one region): its tickets without a customer go to Guangdong's unidentified caller."""
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    return login(client, "agent")


@pytest.fixture
def customer_id(app: FastAPI, client: TestClient) -> int:
    make_user(app, "adm", Role.admin)
    return int(create_customer(client, login(client, "adm"))["id"])


@pytest.fixture
def named(customer_id: int) -> dict[str, Any]:
    """The mandatory attributes and a known customer: for the tests about something else than the create."""
    return {**MANDATORY, "relatedParty": [{"id": str(customer_id), "role": "customer", "@referredType": "Customer"}]}


def tmf_error(r: Response, status: int, spec: Spec, field: str | None = None) -> dict[str, Any]:
    """The TMF630 Error body: code, reason and message filled in, status as a string, no raw template."""
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    spec.validate("Error", body, strict=False)
    assert body["status"] == str(status) and body["@type"] == "Error"
    assert body["code"] and body["reason"] and body["message"]
    assert not TEMPLATE.search(body["message"]), f"raw template in {body['message']!r}"
    if field is not None:
        assert body["field"] == field and field.removeprefix("body.") in body["message"], body
    return body


def patch(client: TestClient, url: str, body: object, headers: dict[str, str], if_match: str | None = None,
          media: str = MERGE) -> Response:
    extra = {"Content-Type": media} | ({"If-Match": if_match} if if_match else {})
    return client.patch(url, content=json.dumps(body), headers=headers | extra)


def test_create_with_only_the_mandatory_attributes(client: TestClient, agent: dict[str, str], spec: Spec) -> None:
    first = client.post(f"{B}/troubleTicket", json=MANDATORY, headers=agent)
    assert first.status_code == 201, first.text
    ticket = first.json()
    spec.validate("TroubleTicket", ticket)
    assert ticket["ticketType"] == "incident" and ticket["status"] == "acknowledged" and ticket["description"]
    assert first.headers["location"] == f"{B}/troubleTicket/{ticket['id']}" and first.headers["etag"]
    party = next(p for p in ticket["relatedParty"] if p["role"] == "customer")
    holder = client.get(f"/api/v1/customers/{party['id']}", headers=agent).json()
    assert holder["name"] == "未识别来电" and holder["province"] == "广东省", "Guangdong's unidentified caller"
    complaint = {**MANDATORY, "ticketType": "complaint"}
    a = client.post(f"{B}/troubleTicket", json=complaint, headers=agent).json()
    b = client.post(f"{B}/troubleTicket", json=complaint, headers=agent).json()
    assert {p["id"] for t_ in (a, b) for p in t_["relatedParty"] if p["role"] == "customer"} == {party["id"]}, \
        "one placeholder per region, reused"
    assert "troubleTicketRelationship" not in b, "two unknown callers are not one customer's repeat complaint"


def test_the_reported_severity_is_kept_and_priority_stays_the_systems(client: TestClient, agent: dict[str, str],
                                                                       named: dict[str, Any], spec: Spec) -> None:
    """The spec makes ``severity`` mandatory: a create must not validate it and then show the category's
    instead. Priority is TelQC's own ("set by the ticket management system"), so claiming Critical does not
    buy a faster queue."""
    made = {sev: client.post(f"{B}/troubleTicket", json={**named, "severity": sev}, headers=agent)
            for sev in ("critical", "Minor", "low")}
    assert all(r.status_code == 201 for r in made.values()), [r.text for r in made.values()]
    shown = {sev: client.get(r.headers["location"], headers=agent).json() for sev, r in made.items()}
    assert {k: v["severity"] for k, v in shown.items()} == {"critical": "Critical", "Minor": "Minor", "low": "Minor"}
    assert len({v["priority"] for v in shown.values()}) == 1, "priority comes from the category, not the claim"
    order = client.get(f"/api/v1/orders/{shown['critical']['id']}", headers=agent).json()
    page = client.get(f"/orders/{shown['critical']['id']}", headers=agent)
    assert page.status_code == 200 and re.search(r'id="severity">严重<', page.text), "the order page shows it"
    assert order["severity"] == 1 and client.get(
        f"/api/v1/orders/{shown['low']['id']}", headers=agent).json()["severity"] == 4
    critical = client.get(f"{B}/troubleTicket", params={"severity": "Critical"}, headers=agent).json()
    assert [x["id"] for x in critical] == [shown["critical"]["id"]]
    for item in critical:
        spec.validate("TroubleTicket", item)


def test_create_without_customer_by_a_national_account(app: FastAPI, client: TestClient, spec: Spec) -> None:
    make_user(app, "national", Role.agent)
    national = login(client, "national")
    refused = client.post(f"{B}/troubleTicket", json=MANDATORY, headers=national)
    tmf_error(refused, 400, spec, field="relatedParty")
    app.state.settings.tmf_unidentified_province = "440000"  # TELQC_TMF_UNIDENTIFIED_PROVINCE
    assert client.post(f"{B}/troubleTicket", json=MANDATORY, headers=national).status_code == 201


def test_ids_that_name_no_ticket_are_404(client: TestClient, agent: dict[str, str],
                                         named: dict[str, Any], spec: Spec) -> None:
    known = client.post(f"{B}/troubleTicket", json=named, headers=agent).json()["id"]
    for bad in ("abc", "999999", "99999999999999999999", "-1", "1.5", f"{known}x", "１"):
        url = f"{B}/troubleTicket/{bad}"
        for r in (client.get(url, headers=agent), patch(client, url, {"status": "inProgress"}, agent),
                  client.delete(url, headers=agent)):
            body = tmf_error(r, 404, spec)
            assert "整数" not in body["message"], f"{r.request.method} {bad}: {body}"
    assert client.get(f"{B}/troubleTicket/{known}", headers=agent).json()["status"] == "acknowledged"


def test_no_route_and_wrong_method_answer_tmf_errors(client: TestClient, agent: dict[str, str], spec: Spec) -> None:
    tmf_error(client.get(f"{B}/troubleTickets", headers=agent), 404, spec)
    tmf_error(client.put(f"{B}/troubleTicket/1", json=MANDATORY, headers=agent), 405, spec)


def test_filters_on_the_listed_attributes(client: TestClient, clock: FrozenClock, agent: dict[str, str],
                                          customer_id: int, spec: Spec) -> None:
    party = [{"id": str(customer_id), "role": "customer", "@referredType": "Customer"}]
    made = []
    for i, (kind, cat, sev) in enumerate([("complaint", "complaint.network", "Critical"), ("incident", None, "Major"),
                                          ("inquiry", "consultation.billing", "Minor"), ("complaint", None, "Major")]):
        body = {**MANDATORY, "ticketType": kind, "name": f"单{i}", "relatedParty": party, "severity": sev} | (
            {"category": cat} if cat else {})
        r = client.post(f"{B}/troubleTicket", json=body, headers=agent)
        assert r.status_code == 201, r.text
        made.append(r.json())
        clock.advance(timedelta(hours=1))
    url = f"{B}/troubleTicket/{made[0]['id']}"
    assert patch(client, url, {"status": "inProgress"}, agent).status_code == 200
    resolved = patch(client, url, {"status": "resolved", "statusChangeReason": "已修复"}, agent)
    assert resolved.status_code == 200, resolved.text
    everything = client.get(f"{B}/troubleTicket", headers=agent).json()

    def listed(**params: str) -> list[dict[str, Any]]:
        r = client.get(f"{B}/troubleTicket", params=params, headers=agent)
        assert r.status_code == 200, r.text
        assert r.headers["x-total-count"] == str(len(r.json()))
        for item in r.json():
            spec.validate("TroubleTicket", item)
        return r.json()

    def ids(items: Iterable[dict[str, Any]]) -> set[str]:
        return {x["id"] for x in items}

    for attr in ("severity", "ticketType", "priority", "status"):
        for value in {x[attr] for x in everything}:
            assert ids(listed(**{attr: value})) == ids(x for x in everything if x[attr] == value), (attr, value)
    severities = sorted({x["severity"] for x in everything})
    assert severities == ["Critical", "Major", "Minor"], "each ticket shows the severity its client gave"
    assert ids(listed(severity=",".join(severities))) == ids(everything), "a comma means any of"
    assert ids(listed(name="单2")) == {made[2]["id"]}
    assert listed(status="rejected") == [], "nothing is rejected in TelQC: an empty list, not every ticket"
    second = made[1]["creationDate"]
    assert ids(listed(**{"creationDate.gt": second})) == {made[2]["id"], made[3]["id"]}
    assert ids(listed(**{"creationDate.gte": second})) == {made[1]["id"], made[2]["id"], made[3]["id"]}
    assert ids(listed(**{"creationDate.lt": second})) == {made[0]["id"]}
    assert ids(listed(**{"creationDate.lte": second, "creationDate.gte": second})) == {made[1]["id"]}
    assert ids(listed(**{"creationDate.gte": second[:10]})) == ids(everything), "a date alone is midnight UTC"
    done_at = resolved.json()["resolutionDate"]
    assert ids(listed(**{"resolutionDate.gte": done_at})) == {made[0]["id"]}
    assert listed(**{"resolutionDate.gt": done_at}) == []
    assert ids(listed(ticketType="complaint", fields="id,name")) == {made[0]["id"], made[3]["id"]}


BAD_FILTERS = [("severity", "Majr"), ("status", "open"), ("status", "acknowledged,closd"), ("ticketType", "fault!"),
               ("priority", "Urgent"), ("creationDate.gt", "yesterday"), ("creationDate.lt", "0001-01-01"),
               ("resolutionDate.gte", "9999-12-31T00:00:00Z"), ("relatedParty.id", "99999999999999999999"),
               ("colour", "red"), ("creationDate", "2026-11-01")]


def test_bad_filter_values_are_400_naming_the_attribute(client: TestClient, agent: dict[str, str],
                                                        spec: Spec) -> None:
    for attr, value in BAD_FILTERS:
        r = client.get(f"{B}/troubleTicket", params={attr: value}, headers=agent)
        body = tmf_error(r, 400, spec, field=attr)
        assert value.split(",")[-1] in body["message"] or attr in ("colour", "creationDate"), body


def test_no_message_shows_its_raw_template() -> None:
    """The finding: ``{field} 的取值无效：{value}`` reached the client, because an error's field was not one of
    its message's parameters and a missing parameter returned the template unformatted."""
    assert BadRequest("tmf.bad_value", field="status", value="open").message("zh-CN") == "status 的取值无效：open"
    for key in MESSAGES:
        for lang in LANGUAGES:
            assert not TEMPLATE.search(t(key, lang)), f"{key} [{lang}] renders {t(key, lang)!r} without parameters"


def test_patch_with_a_bad_status_names_it(client: TestClient, agent: dict[str, str],
                                          named: dict[str, Any], spec: Spec) -> None:
    url = client.post(f"{B}/troubleTicket", json=named, headers=agent).headers["location"]
    body = tmf_error(patch(client, url, {"status": "open"}, agent), 400, spec, field="status")
    assert "open" in body["message"] and "inProgress" in body["message"], "names the value and the choices"
    tmf_error(patch(client, url, {"status": None}, agent), 400, spec, field="status")
    tmf_error(patch(client, url, {"status": "inProgress", "statusChangeReason": 42}, agent), 400, spec,
              field="body.statusChangeReason")
    tmf_error(patch(client, url, {"note": [{"text": "长" * 4001}]}, agent), 400, spec, field="body.note.0.text")
    tmf_error(patch(client, url, {"note": [{"author": "Jack"}]}, agent), 400, spec, field="body.note.0.text")
    assert "read-only" in tmf_error(patch(client, url, {"severity": "Minor"}, agent | {"Accept-Language": "en"}),
                                    400, spec, field="severity")["message"]
    assert "unknown" in tmf_error(patch(client, url, {"stauts": "resolved"}, agent | {"Accept-Language": "en"}),
                                  400, spec, field="stauts")["message"]
    assert client.get(url, headers=agent).json()["status"] == "acknowledged", "nothing changed"


def test_stale_if_match_is_412_on_every_write(client: TestClient, agent: dict[str, str],
                                              named: dict[str, Any], spec: Spec) -> None:
    created = client.post(f"{B}/troubleTicket", json=named, headers=agent)
    url, first = created.headers["location"], created.headers["etag"]
    moved = patch(client, url, {"status": "inProgress"}, agent, if_match=first)
    assert moved.status_code == 200, moved.text
    current = moved.headers["etag"]
    # the finding: the status the ticket already has, with a stale version, answered 200
    tmf_error(patch(client, url, {"status": "inProgress"}, agent, if_match=first), 412, spec)
    tmf_error(patch(client, url, {"note": [{"text": "补充说明"}]}, agent, if_match=first), 412, spec)
    tmf_error(client.delete(url, headers=agent | {"If-Match": first}), 412, spec)
    now = client.get(url, headers=agent)
    assert now.json()["status"] == "inProgress" and "note" not in now.json() and now.headers["etag"] == current
    same = patch(client, url, {"status": "inProgress"}, agent, if_match=current)
    assert same.status_code == 200 and same.headers["etag"] == current, "a current no-op changes nothing"
    noted = patch(client, url, {"note": [{"text": "补充说明"}]}, agent, if_match=current)
    assert noted.status_code == 200 and noted.headers["etag"] != current, "a new note is a new version"
    tmf_error(patch(client, url, {"note": [{"text": "再补充"}]}, agent, if_match=current), 412, spec)
    assert patch(client, url, {"status": "pending"}, agent, if_match="*").status_code == 200, "* matches any"
    assert client.delete(url, headers=agent | {"If-Match": client.get(url, headers=agent).headers["etag"]}
                         ).status_code == 204


def test_the_spec_create_sample(client: TestClient, agent: dict[str, str], customer_id: int, spec: Spec,
                                examples: Examples) -> None:
    """TM Forum's POST sample, copied as is: each refusal names what TelQC will not take, and why."""
    sample = examples("TroubleTicket_create_example_request")
    r = client.post(f"{B}/troubleTicket", json=sample, headers=agent)
    body = tmf_error(r, 400, spec, field="expectedResolutionDate")
    assert "status" in body["message"], "set by TelQC: expectedResolutionDate (the SLA) and status"
    for key in ("expectedResolutionDate", "status"):
        del sample[key]
    body = tmf_error(client.post(f"{B}/troubleTicket", json=sample, headers=agent), 400, spec, field="attachment")
    assert "relatedEntity" in body["message"], "not kept by TelQC, so refused rather than dropped"
    for key in ("attachment", "relatedEntity"):
        del sample[key]
    body = tmf_error(client.post(f"{B}/troubleTicket", json=sample, headers=agent), 400, spec, field="ticketType")
    assert "Bill Dispute" in body["message"] and "complaint" in body["message"]
    sample["ticketType"] = "complaint"
    body = tmf_error(client.post(f"{B}/troubleTicket", json=sample, headers=agent), 400, spec, field="channel")
    assert "self service" in body["message"] and "hotline" in body["message"]
    sample["channel"] = {"id": "web", "name": "网厅", "@type": "ChannelRef"}
    unknown = client.post(f"{B}/troubleTicket", json=sample, headers=agent)
    tmf_error(unknown, 422, spec, field="relatedParty")
    next(p for p in sample["relatedParty"] if p["role"] == "customer")["id"] = str(customer_id)
    r = client.post(f"{B}/troubleTicket", json=sample, headers=agent)
    assert r.status_code == 201, r.text
    ticket = r.json()
    spec.validate("TroubleTicket", ticket)
    assert ticket["name"] == "complaint over last bill" and ticket["ticketType"] == "complaint"
    assert [n["text"] for n in ticket.get("note", [])] == [sample["note"][0]["text"]], ticket
    assert {"id": str(customer_id), "role": "customer", "@referredType": "Customer"} in ticket["relatedParty"]


def test_the_spec_patch_samples(client: TestClient, agent: dict[str, str],
                                named: dict[str, Any], spec: Spec, examples: Examples) -> None:
    """The merge-patch sample (sent as merge patch and as plain JSON) works; the JSON Patch one is a 415 that
    says which syntax to use, not "body must be an object"."""
    for media in (MERGE, "application/json"):
        url = client.post(f"{B}/troubleTicket", json=named, headers=agent).headers["location"]
        assert patch(client, url, {"status": "inProgress"}, agent).status_code == 200
        sample = examples("TroubleTicket_partialupdate_example_application_merge_json_request")
        r = patch(client, url, sample, agent, media=media)
        assert r.status_code == 200, r.text
        spec.validate("TroubleTicket", r.json())
        assert r.json()["status"] == "resolved" and r.json()["statusChangeReason"] == sample["statusChangeReason"]
    json_patch = examples("TroubleTicket_partialupdate_example_application_json_patch_request")
    body = tmf_error(patch(client, url, json_patch, agent, media="application/json-patch+json"), 415, spec)
    assert "merge-patch" in body["message"]


def test_the_spec_list_sample(client: TestClient, clock: FrozenClock, agent: dict[str, str],
                              named: dict[str, Any], spec: Spec,
                              examples: Examples) -> None:
    """"priority High and fields id,href,name,@type,priority", narrowed with a TMF630 date range."""
    for i in range(3):
        client.post(f"{B}/troubleTicket", json={**named, "name": f"故障{i}"}, headers=agent)
        clock.advance(timedelta(minutes=5))
    everything = client.get(f"{B}/troubleTicket", headers=agent).json()
    shape = examples("TroubleTicket_list_with_filter_and_fields_example_response")
    priority = everything[0]["priority"]
    since = min(x["creationDate"] for x in everything)
    r = client.get(f"{B}/troubleTicket", params={"priority": priority, "fields": "id,href,name,@type,priority",
                                                 "creationDate.gt": since}, headers=agent)
    assert r.status_code == 200, r.text
    assert {x["name"] for x in r.json()} == {x["name"] for x in everything if x["creationDate"] > since}
    assert all(set(x) == set(shape[0]) for x in r.json()), "exactly the sample's attributes"
    assert r.headers["x-total-count"] == "2"


def test_the_spec_hub_sample(client: TestClient, agent: dict[str, str], spec: Spec, examples: Examples) -> None:
    """TM Forum's hub body has "@type" (EventSubscriptionInput is Extensible): accepted, unknown attributes not."""
    sample = examples.hub_request
    assert sample["@type"] == "Hub"
    r = client.post(f"{B}/hub", json=sample | {"callback": "http://127.0.0.1:9/listener",
                                               "query": "eventType=TroubleTicketStatusChangeEvent"}, headers=agent)
    assert r.status_code == 201, r.text
    assert "secret" in r.json(), "the deliveries' signing secret, once (TelQC's extension attribute)"
    spec.validate("EventSubscription", {k: v for k, v in r.json().items() if k != "secret"})
    tmf_error(client.post(f"{B}/hub", json=sample | {"colour": "red"}, headers=agent), 400, spec, field="body.colour")


def test_control_character_in_a_ticket_is_a_tmf_error(client: TestClient, agent: dict[str, str], spec: Spec) -> None:
    """A NUL in the description was stored on SQLite and a driver error (500) on PostgreSQL (issue 17)."""
    r = client.post(f"{B}/troubleTicket", json={**MANDATORY, "description": "掉线\x00"}, headers=agent)
    body = tmf_error(r, 400, spec, field="body.description")
    assert "U+0000" in body["message"]
    assert client.get(f"{B}/troubleTicket", headers=agent).json() == []
