"""Identity before an account change as a dialogue state machine (telqc.inspection.dialogue).

The order of events decides the fatal item: asked → supplied / refused / failed → action. A generic
"done" verb (提交了, 关掉了, 恢复了) is the action only once the call is about an account change.
The Hypothesis test drives the tracker with random event sequences and compares it with a
reference written from the specification, in batch and live.
"""

from __future__ import annotations

from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.inspection.calls import SpeakerName, Turn
from telqc.inspection.engine import Inspector, LiveSession
from telqc.inspection.rules import load_default_scorecard

RULE = "unverified_account_change"
INSPECTOR = Inspector(load_default_scorecard())
GREET = ("agent", "您好，工号1234为您服务。")

# One canned turn per event; each text triggers exactly its own event.
EVENTS: dict[str, tuple[str, str]] = {
    "request": ("customer", "我想加一张副卡。"),
    "ask": ("agent", "请您报一下服务密码。"),
    "supply": ("customer", "802136。"),
    "refuse": ("customer", "我忘了。"),
    "fail": ("agent", "验证失败。"),
    "confirm": ("agent", "验证通过。"),
    "done": ("agent", "好的，我这边提交了。"),
    "change": ("agent", "已经为您开通了彩铃。"),
    "repair": ("agent", "我这边给您提交了报修工单。"),
    "chat": ("customer", "好的。"),
}


def _turns(lines: list[tuple[str, str]]) -> list[Turn]:
    return [Turn(cast(SpeakerName, sp), i * 4000, i * 4000 + 3000, text)
            for i, (sp, text) in enumerate([GREET, *lines])]


def _hits(lines: list[tuple[str, str]]) -> list[int | None]:
    return [h.turn_index for h in INSPECTOR.evaluate(_turns(lines)) if h.rule_id == RULE]


def _live(lines: list[tuple[str, str]]) -> list[int | None]:
    session = LiveSession(INSPECTOR)
    for turn in _turns(lines):
        session.feed(turn)
    session.finish()
    return [h.turn_index for h in session.hits if h.rule_id == RULE]


def _reference(events: list[str]) -> list[int]:
    """The specification: the first account-changing action is a hit unless ID was supplied or verified."""
    state, requested = "none", False
    for ti, ev in enumerate(events, start=1):
        if ev == "request":
            requested = True
        elif ev == "ask" and state not in ("supplied", "verified"):
            state = "asked"
        elif ev == "supply" and state in ("asked", "failed", "refused"):
            state = "supplied"
        elif ev == "refuse" and state in ("asked", "failed", "refused"):
            state = "refused"
        elif ev == "fail" and state in ("asked", "supplied"):
            state = "failed"
        elif ev == "confirm":
            state = "verified"
        elif ev == "change" or (ev == "done" and requested):
            return [] if state in ("supplied", "verified") else [ti]
    return []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(sorted(EVENTS)), min_size=1, max_size=9))
def test_tracker_follows_the_specification(events: list[str]) -> None:
    lines = [EVENTS[e] for e in events]
    assert _hits(lines) == _reference(events)
    assert _live(lines) == _reference(events)


@pytest.mark.parametrize(
    ("lines", "turn"),
    [
        # the change first, verification asked afterwards "for the record": still a violation
        ([EVENTS["request"], ("agent", "副卡我这边提交了。麻烦您报一下服务密码，我做个登记。"), EVENTS["supply"]], 2),
        ([EVENTS["request"], EVENTS["done"], EVENTS["ask"], EVENTS["supply"], EVENTS["confirm"]], 2),
        # failed verification (wrong password, then "记不住了"), changed anyway
        ([EVENTS["request"], EVENTS["ask"], ("customer", "一二三四五六？"), ("agent", "密码不正确呢。"),
          ("customer", "那我真记不住了。"), ("agent", "那行，副卡已经帮您解绑了。")], 6),
        # generic completions once the call is about roaming / a loss report
        ([("customer", "我也不出国，能把国际漫游给关了吗？"), ("agent", "可以的，我这边给您关掉了。")], 2),
        ([("customer", "手机找到了，之前挂失了。"), ("agent", "好了，已经恢复了。")], 2),
        # a bare "verb + 了" once the request is named is the change done, verification asked only afterwards
        ([("customer", "把我副卡取消了吧。"), ("agent", "行，取消了。"), EVENTS["ask"], EVENTS["supply"]], 2),
        # the account as subject, but a change was requested: a report of the change, not a status read-out
        ([("customer", "帮我把彩铃退订了。"), ("agent", "您的号码已经取消彩铃了。")], 2),
        # the code never arrived ("没收着"), changed anyway with a bare "改了"
        ([("customer", "我想换个便宜点的套餐。"), ("agent", "我给您发个验证码。"), ("customer", "没收着啊。"),
          ("agent", "行吧，那我直接给您改了。")], 4),
        # digits supplied but "跟系统里的不太一样" is a failed check
        ([EVENTS["request"], EVENTS["ask"], EVENTS["supply"],
          ("agent", "跟系统里的不太一样，那我先给您提交了吧。")], 4),
    ],
)
def test_violations(lines: list[tuple[str, str]], turn: int) -> None:
    assert _hits(lines) == [turn]


@pytest.mark.parametrize(
    "lines",
    [
        # a completion in a repair call is a ticket, not an account change
        [("customer", "家里宽带断了，灯一直闪红。"), ("agent", "好的，我这边提交了，师傅两小时内联系您。")],
        [("customer", "光猫坏了。"), ("agent", "已经给您换好了新的光猫，明天送到。")],
        [("customer", "这个月账单不对。"), ("agent", "我这边提交了账单核查，三个工作日内回复。")],
        [("customer", "我上网很慢。"), ("agent", "网络已经恢复了，您再试试。")],
        # a status read-out: the account is the subject, nobody acts, nothing was requested
        [("customer", "我换了新手机，能用高清通话吗？"), ("agent", "您的号码已经开通了VoLTE，打开开关就行。")],
        [("customer", "我现在是什么套餐？"), ("agent", "您目前已开通一百二十八元套餐。")],
        # "了" after the verb with no request in the call is not enough
        [("customer", "我想问问流量。"), ("agent", "上个月那个活动取消了。")],
        # verified before the change
        [EVENTS["request"], EVENTS["ask"], EVENTS["supply"], EVENTS["confirm"], EVENTS["done"]],
    ],
)
def test_not_violations(lines: list[tuple[str, str]]) -> None:
    assert _hits(lines) == []


def test_hit_names_the_state_it_was_judged_in() -> None:
    lines = [EVENTS["request"], EVENTS["ask"], EVENTS["refuse"], EVENTS["done"]]
    hit = next(h for h in INSPECTOR.evaluate(_turns(lines)) if h.rule_id == RULE)
    assert hit.turn_index == 4 and hit.text == "我这边提交了" and "未能提供" in hit.why
