"""Bidirectional controls, invisible characters and C1 controls in ticket text, sent as an attacker would
(issue 17): an order title whose right-to-left override shows another amount than the one stored, a customer
name with a zero-width space that makes a look-alike of a real customer, a TMF621 ticket or note hiding a
word from keyword inspection. Each is a 422 (400 under /tmf-api) naming the field, the character and its
position, and nothing is stored; Chinese text and emoji (joined by U+200D, flags, skin tones) pass unchanged.

Before, every one of these requests was accepted and stored (only C0 controls and DEL were refused)."""

from __future__ import annotations

import unicodedata

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from helpers import customer_payload, page_login
from orders.orders_helpers import World
from telqc.core.schemas import refuse_unsafe_characters
from telqc.core.textchars import MARKS, ZWJ, Kind, first_unsafe, has_rtl_letter

B = "/tmf-api/troubleTicket/v4"
RLO, LRI, PDI, ZWSP, BOM, NEL, CSI = "\u202e", "\u2066", "\u2069", "\u200b", "\ufeff", "\x85", "\x9b"
ATTACKS = {
    RLO: "string_bidi_control", LRI: "string_bidi_control", "\u200f": "string_bidi_control",
    ZWSP: "string_invisible_character", BOM: "string_invisible_character", "\u2060": "string_invisible_character",
    "\u3164": "string_invisible_character", NEL: "string_control_character", CSI: "string_control_character",
}
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
LEGIT = ("张伟 👨\u200d👩\u200d👧 🧑🏽\u200d💻 ❤\ufe0f\u200d🔥 👍🏻 🇨🇳 " + SCOTLAND
         + " 葛\U000e0100 1️⃣ 龘 ㊗ 😀\n第二行\r\n\t缩进")
"""Chinese (a CJK ideographic variation sequence too), ZWJ emoji sequences (after a skin tone, after U+FE0F),
a skin tone, a regional-indicator flag, a subdivision flag (tag characters), a keycap and line breaks."""


def _orders(client: TestClient, headers: dict[str, str]) -> int:
    body = client.get("/api/v1/orders", headers=headers).json()
    return len(body["items"] if isinstance(body, dict) else body)


def _refused(r: Response, field: str, char: str) -> None:
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["field"] == field and error["type"] == ATTACKS[char], error
    assert f"U+{ord(char):04X}" in error["msg"]


@pytest.mark.parametrize("char", ATTACKS)
def test_an_order_title_with_a_bidi_or_invisible_character_is_refused(app: FastAPI, client: TestClient,
                                                                       char: str) -> None:
    """"退款 1000 元" with an override reads as another amount on every page that shows it."""
    w = World(app, client)
    before = _orders(client, w.agent)
    r = client.post("/api/v1/orders", headers=w.agent, json={
        "type": "complaint", "category": "complaint.billing", "customer_id": w.customer_id,
        "title": f"退款{char}0001 元", "description": "本月话费比上月多出 80 元"})
    _refused(r, "body.title", char)
    assert "第 3 个字符" in r.json()["detail"][0]["msg"], "the position, counted in characters"
    assert _orders(client, w.agent) == before


@pytest.mark.parametrize("char", [ZWSP, RLO, BOM])
def test_a_customer_name_or_tag_with_an_invisible_character_is_refused(app: FastAPI, client: TestClient,
                                                                        char: str) -> None:
    """"张\u200b伟" looks exactly like 张伟: a second customer nobody can tell from the first."""
    w = World(app, client)
    r = client.post("/api/v1/customers", json=customer_payload(phone="13900001111", name=f"张{char}伟"),
                    headers=w.admin)
    _refused(r, "body.name", char)
    r = client.patch(f"/api/v1/customers/{w.customer_id}", json={"tags": ["5G用户", f"{char}VIP"]}, headers=w.admin)
    _refused(r, "body.tags", char)
    assert client.get(f"/api/v1/customers/{w.customer_id}", headers=w.admin).json()["tags"] == ["5G用户"]


def test_a_note_hiding_a_word_from_inspection_is_refused(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    order = w.create()
    r = client.post(f"/api/v1/orders/{order['id']}/notes", json={"body": f"客户说要投{ZWSP}诉到工信部"},
                    headers=w.agent)
    _refused(r, "body.body", ZWSP)


def test_a_search_parameter_with_an_override_is_refused(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    r = client.get("/api/v1/customers", params={"name": f"张{RLO}伟"}, headers=w.admin)
    assert r.status_code == 422 and "U+202E" in r.text, r.text


def test_the_order_form_refuses_an_isolate_and_names_the_field(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    token = page_login(client, "agent1")
    before = _orders(client, w.agent)
    r = client.post("/orders/new", follow_redirects=False, data={
        "type": "complaint", "category": "complaint.billing", "customer_id": str(w.customer_id),
        "title": f"话费{LRI}多扣{PDI}", "description": "本月话费多扣了30元，要求退还", "csrf_token": token})
    assert r.status_code == 422, r.text
    assert "标题" in r.text and "U+2066" in r.text and "双向文本控制字符" in r.text
    assert _orders(client, w.agent) == before


@pytest.mark.parametrize(("where", "char"), [("description", RLO), ("name", ZWSP), ("note", LRI)])
def test_a_tmf621_ticket_with_a_bidi_or_invisible_character_is_a_400(app: FastAPI, client: TestClient,
                                                                      where: str, char: str) -> None:
    w = World(app, client)
    body: dict[str, object] = {"description": "宽带晚上经常掉线，已重启光猫无效", "severity": "Major",
                               "ticketType": "incident", "name": "宽带掉线",
                               "relatedParty": [{"id": str(w.customer_id), "role": "customer"}]}
    if where == "note":
        body["note"] = [{"text": f"客户{char}情绪激动"}]
    else:
        body[where] = f"宽带{char}掉线"
    r = client.post(f"{B}/troubleTicket", json=body, headers=w.agent)
    assert r.status_code == 400, r.text
    assert f"U+{ord(char):04X}" in r.json()["message"], r.json()
    assert client.get(f"{B}/troubleTicket", headers=w.agent).json() == []


def test_chinese_text_and_emoji_are_stored_unchanged(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    order = w.create(title="宽带掉线 😡👍🏻", description=LEGIT)
    assert order["description"] == LEGIT and order["title"] == "宽带掉线 😡👍🏻"
    r = client.post(f"{B}/troubleTicket", headers=w.agent, json={
        "description": LEGIT, "severity": "Major", "ticketType": "incident",
        "relatedParty": [{"id": str(w.customer_id), "role": "customer"}]})
    assert r.status_code == 201, r.text
    assert r.json()["description"] == LEGIT


# --- the validator itself --------------------------------------------------------------------------------------

REFUSED_ELSEWHERE = "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"
"""Refused characters outside the categories Cc, Cf and Cs (the fillers are letters, the others marks)."""
SAFE = st.characters(blacklist_categories=["Cc", "Cf", "Cs"], blacklist_characters=REFUSED_ELSEWHERE)
REFUSED = st.one_of(
    st.sampled_from([c for c in map(chr, range(0xA0)) if unicodedata.category(c) == "Cc" and c not in "\t\n\r"]),
    st.sampled_from("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"),
    st.sampled_from("\u00ad\u200b\u200c\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\ufff9\ufffa\ufffb\ud800\udfff"
                    + REFUSED_ELSEWHERE),
)
EMOJI = st.characters(whitelist_categories=["So"])
LTR_ONLY = SAFE.filter(lambda c: unicodedata.bidirectional(c) not in ("R", "AL"))
UYGHUR = st.sampled_from("ئابپتجچخدرزژسشغفقكگڭلمنھوۇۆۈۋېىي")


@given(st.text(alphabet=SAFE | st.sampled_from("\t\n\r\ufe0f\U000e0100")))
def test_text_without_unsafe_characters_passes_unchanged(text: str) -> None:
    assert first_unsafe(text) is None
    assert refuse_unsafe_characters({"k": [text, text]}) == {"k": [text, text]}


@given(st.text(alphabet=SAFE, max_size=20), REFUSED, st.text(max_size=20))
def test_any_unsafe_character_is_refused_at_its_position(head: str, bad: str, tail: str) -> None:
    found = first_unsafe(head + bad + tail)
    assert found is not None and (found.char, found.index) == (bad, len(head))
    assert found.kind == (Kind.control if unicodedata.category(bad) == "Cc"
                          else Kind.bidi if unicodedata.bidirectional(bad) in ("LRE", "RLE", "LRO", "RLO", "PDF",
                                                                                "LRI", "RLI", "FSI", "PDI")
                          or bad in "\u061c\u200e\u200f" else Kind.invisible)
    with pytest.raises(PydanticCustomError) as e:
        refuse_unsafe_characters(["ok", head + bad + tail])
    assert f"U+{ord(bad):04X}" in str(e.value) and f"第 {len(head) + 1} 个字符" in str(e.value)


@given(st.lists(EMOJI, min_size=2, max_size=5), st.sampled_from(["", "\ufe0f", "\U0001f3fd"]))
def test_a_joiner_between_emoji_passes(emoji: list[str], modifier: str) -> None:
    assert first_unsafe((modifier + ZWJ).join(emoji)) is None


@given(st.text(alphabet=SAFE, max_size=5), st.text(alphabet=SAFE, max_size=5))
def test_a_joiner_not_between_two_emoji_is_refused(head: str, tail: str) -> None:
    for text in (f"{head}张{ZWJ}{tail}", f"😀{ZWJ}张{tail}", f"{head}😀{ZWJ}", f"{ZWJ}😀{tail}"):
        found = first_unsafe(text)
        assert found is not None and found.char == ZWJ, text


def test_tag_characters_only_inside_a_flag() -> None:
    assert first_unsafe(f"苏格兰{SCOTLAND}队") is None
    for text in ("投\U000e0041诉", "\U0001f3f4\U000e0067\U000e0062", "\U000e007f", "😀\U000e0067\U000e007f"):
        found = first_unsafe(text)
        assert found is not None and found.kind == Kind.invisible, text


# --- the direction marks (LRM, RLM, ALM): allowed where right-to-left letters are --------------------------------

UYGHUR_NAME = "ئابدۇرېھىم\u200f (阿卜杜热依木)\u200e ۋە\u061c 12"
"""A Uyghur name as an RTL keyboard types it: marks around the bracketed Chinese name and the digits."""


@given(st.text(alphabet=SAFE, max_size=10), UYGHUR, st.sampled_from(MARKS), st.text(alphabet=SAFE, max_size=10))
def test_a_mark_passes_in_text_with_a_right_to_left_letter(head: str, letter: str, mark: str, tail: str) -> None:
    """LRM, RLM and ALM cannot reorder text (they act as a letter of their direction would), and Uyghur and
    Arabic editors put them into names: wherever the mark stands, before or after the letter."""
    assert first_unsafe(head + letter + tail + mark) is None
    assert first_unsafe(mark + head + letter + tail) is None


@given(st.text(alphabet=LTR_ONLY, max_size=20), st.sampled_from(MARKS), st.text(alphabet=LTR_ONLY, max_size=20))
def test_a_mark_is_refused_in_text_without_a_right_to_left_letter(head: str, mark: str, tail: str) -> None:
    """In Chinese or Latin text a mark has nothing to do but hide inside a word or make a look-alike name."""
    found = first_unsafe(head + mark + tail)
    assert found is not None and (found.char, found.index, found.kind) == (mark, len(head), Kind.bidi)


@given(st.text(alphabet=SAFE, max_size=10), UYGHUR, st.sampled_from("\u202a\u202b\u202d\u202e\u2066\u2067\u2068"))
def test_overrides_and_isolates_stay_refused_in_right_to_left_text(head: str, letter: str, control: str) -> None:
    text = head + letter
    assert has_rtl_letter(text)
    found = first_unsafe(text + control)
    assert found is not None and (found.char, found.index, found.kind) == (control, len(text), Kind.bidi)


def test_a_uyghur_name_with_marks_is_stored_and_a_chinese_one_refused(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    r = client.post("/api/v1/customers", json=customer_payload(phone="13900002222", name=UYGHUR_NAME),
                    headers=w.admin)
    assert r.status_code == 201, r.text
    assert client.get(f"/api/v1/customers/{r.json()['id']}", headers=w.admin).json()["name"] == UYGHUR_NAME
    for name in ("张\u200f伟", "Li\u200eMing", "投\u061c诉"):
        r = client.post("/api/v1/customers", json=customer_payload(phone="13900003333", name=name), headers=w.admin)
        assert r.status_code == 422, r.text
        [error] = r.json()["detail"]
        assert error["field"] == "body.name" and error["type"] == "string_bidi_control", error
