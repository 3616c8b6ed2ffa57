"""Scope of escalation threats, forbidden phrases and anger words (telqc.inspection.scope).

Issue 19's specification: a threat is the customer going outside the company *now* — not a body
named as someone's job, a suggestion reported and declined, or one taken back in the same
sentence; a forbidden phrase is the agent's own dismissive words — not a colleague's words quoted,
a promise never to say them, or a "no" followed by a way forward; anger is the customer's feeling
now, not one they say they had before.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.inspection.calls import SpeakerName, Turn
from telqc.inspection.engine import Inspector
from telqc.inspection.lexicon_files import load_scope
from telqc.inspection.rules import load_default_scorecard
from telqc.inspection.scope import Scope, clause, clause_at, mark_positions, sentence_start

INSPECTOR = Inspector(load_default_scorecard())
ESCALATION = load_scope("escalation_scope", None)


def _fires(speaker: SpeakerName, text: str, rule: str) -> bool:
    turns = [Turn("agent", 0, 3000, "您好，工号1234为您服务。"), Turn(speaker, 3500, 8000, text)]
    return rule in {h.rule_id for h in INSPECTOR.evaluate(turns)}


def test_after_and_bare_groups() -> None:
    scope = Scope(after=("没必要",), bare=("律师",), cue=("请", "找"))
    text = "我儿子是律师，我要找律师告你们"
    assert scope.why_not(text, 4, 6) is not None  # bare mention, no cue in its clause
    assert scope.why_not(text, 9, 11) is None  # 找 in the same clause
    said = "让我打12300，没必要。"
    assert scope.why_not(said, 3, 8) == "随后收回/另给办法"
    assert scope.why_not("让我打12300。没必要。", 3, 8) is None  # the next sentence is another sentence


@pytest.mark.parametrize(
    ("speaker", "rule", "text", "fires"),
    [
        ("customer", "escalation_threat", "再不给我处理，我明天就打12300投诉你们。", True),
        ("customer", "escalation_threat", "你们等着收律师函吧。", True),
        ("customer", "escalation_threat", "我朋友就在晚报当记者，你们再拖，我让她写篇报道登出来。", True),
        ("customer", "escalation_threat", "我要去消协告你们。", True),
        ("customer", "escalation_threat", "我女儿说让我打12300，我觉得没必要。", False),
        ("customer", "escalation_threat", "我就是做媒体工作的，经常出差要用流量。", False),
        ("customer", "escalation_threat", "我在法院上班，白天不方便接电话。", False),
        ("customer", "escalation_threat", "我儿子是律师，他帮我看了合同，条款写的是包月。", False),
        ("customer", "escalation_threat", "你们领导在吗？我要找你们上级部门反映一下。", False),
        ("customer", "escalation_threat", "我也懒得去投诉什么工信部，麻烦。", False),
        ("customer", "escalation_threat", "我这边是12345政务热线转过来的。", False),
        ("customer", "escalation_threat", "我表哥喊我去消协，我说算了，没那么大事。", False),
        ("customer", "escalation_threat", "我爸气得说要去找电视台，我劝住了。", False),
        ("customer", "escalation_threat", "我本来不想去工信部的，但你们要是还不退钱，我真就去了。", True),
        ("customer", "escalation_threat", "投诉信我都写好了，明天就寄给12300。", True),
        ("customer", "escalation_threat", "再这么搞我就把截图发上网，让大家评评理。", True),
        ("customer", "escalation_threat", "你们是不是要等我找记者才肯解决？", True),  # 是不是 asks, negates nothing
        ("customer", "escalation_threat", "12300那边让我先跟你们协商。", False),
        ("agent", "forbidden_phrase", "这个我真的不知道，你问别人吧。", True),
        ("agent", "forbidden_phrase", "这个不归我们部门管，您找别处。", True),
        ("agent", "forbidden_phrase", "我都跟您讲了好几遍了。", True),
        ("agent", "forbidden_phrase", "我跟您说了，这不归我管。", True),  # the agent's own words after 跟您说
        ("agent", "forbidden_phrase", "您说上次那位客服跟您说'不归我管'，这个确实是我们的问题，我向您道歉。", False),
        ("agent", "forbidden_phrase", "我们不会跟您说没办法的，一定帮您想办法。", False),
        ("agent", "forbidden_phrase", "您不知道密码也没关系，我们可以用短信验证码。", False),
        ("agent", "forbidden_phrase", "这种情况不可能再出现了，我已经给您加了保护。", False),
        ("agent", "forbidden_phrase", "之前的同事说没办法处理，是他理解错了，其实可以办。", False),
        ("agent", "forbidden_phrase", "这个套餐没办法直接改，但我可以帮您提交申请。", False),
        ("agent", "forbidden_phrase", "新号段什么时候放号我也不清楚，我这边给您登记一下，有消息短信通知您。", False),
        ("agent", "forbidden_phrase", "我没办法马上告诉您结果，要等后台回复。", False),
        ("agent", "forbidden_phrase", "我也没办法，我就是个接电话的。", True),
        ("agent", "forbidden_phrase", "您别问我，我也是刚来的。", True),
        ("customer", "customer_negative_emotion", "之前我挺生气的，不过后来那个客服帮我处理好了。", False),
        ("customer", "customer_negative_emotion", "当时我真的很生气，现在没事了。", False),
        ("customer", "customer_negative_emotion", "我现在非常生气！", True),
    ],
)
def test_threat_forbidden_and_anger_scope(speaker: SpeakerName, rule: str, text: str, fires: bool) -> None:
    assert _fires(speaker, text, rule) is fires


_BODIES = [m for m in ESCALATION.bare if not m.isascii()]
_FILLER = st.text(alphabet="的一是在有人这中大为上个国我以们地", max_size=6)


@settings(max_examples=60, deadline=None)
@given(body=st.sampled_from(_BODIES), filler=_FILLER)
def test_a_body_named_without_an_act_is_no_threat_but_going_to_it_is(body: str, filler: str) -> None:
    bare = f"{filler}是{body}{filler}"
    if any(c in bare for c in ESCALATION.cue) or any(m in bare for m in ESCALATION.negation):
        return
    spans = [(i, i + len(body)) for i in range(len(bare)) if bare.startswith(body, i)]
    assert all(ESCALATION.why_not(bare, s, e) is not None for s, e in spans)
    threat = f"我明天就去{body}投诉"
    start = threat.index(body)
    assert ESCALATION.why_not(threat, start, start + len(body)) is None


@given(st.text(alphabet="ab，。？！…\n;:", max_size=16), st.data())
def test_clause_and_sentence_bounds_are_the_marks_around_the_phrase(text: str, data: st.DataObject) -> None:
    """The one-search bounds equal the definition: just after the last mark before, up to the next mark."""
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    clause_marks, sentence_marks = "，,。！!？?；;：:…\n", "。！!？?；;\n"
    left = max((i + 1 for i in range(start) if text[i] in clause_marks), default=0)
    right = next((i for i in range(end, len(text)) if text[i] in clause_marks), len(text))
    assert clause(text, start, end) == (left, right) == clause_at(mark_positions(text), len(text), start, end)
    assert sentence_start(text, start) == max((i + 1 for i in range(start) if text[i] in sentence_marks), default=0)
