"""Generate tests/inspection/data/labelled.jsonl: hand-labelled inspection cases.

Every case is a clean hotline call (greeting, verification, business, closing) with one
or two deliberate changes; ``expect`` lists exactly the rule ids of the default scorecard
that must fire, so both misses and false alarms count. Sentences are written by hand,
not drawn from the lexicon files, and each rule gets positives AND tricky negatives
(negated emotion, greeting in the second agent turn, verification before an account change, masked IDs,
"315" inside a phone number...). Deterministic: ``python tests/inspection/make_labelled.py``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("data") / "labelled.jsonl"
Script = list[dict[str, Any]]  # turns before timing: speaker, text, optional gap/cps/dur

GREETINGS = [
    "您好，很高兴为您服务，请问有什么可以帮您？",
    "您好，工号3021为您服务。",
    "欢迎致电客服热线，我是客服代表小李，请问有什么可以帮到您？",
]
OPENERS = [
    "你好，我想查一下我这个月的话费。",
    "喂，你好，我家宽带这两天网速有点慢。",
    "我想问问有没有便宜点的套餐。",
    "我手机在小区里信号一直不太稳定。",
    "我想了解一下副卡怎么收费。",
]
VERIFY_ASK = [
    "为了保障账户安全，需要先核实一下您的身份，请提供机主姓名。",
    "请您输入服务密码，我这边验证一下您的身份。",
]
VERIFY_ANSWER = ["好的，机主是我本人，姓王。", "我输好了。", "行，我叫李明。"]
VERIFY_OK = ["好的，身份核实通过，感谢您的配合。", "验证通过了，请您稍等，我这边帮您看一下。"]
CHANGE_OK = ["好的，现在为您变更套餐，下个月一号生效。", "已经为您办理了流量加油包，短信稍后会发送到您的手机。"]
AGENT_MID = [
    "我这边帮您查询了一下，您本月的费用主要是套餐月租和流量费用。",
    "系统显示您所在的区域最近在做网络优化，预计周五完成。",
    "建议您重启一下光猫，如果还是慢，我们安排师傅上门检测。",
    "您目前的套餐每月包含三十G流量和五百分钟通话。",
    "好的，您反映的问题我已经详细记录下来了。",
    "这边看到您的宽带账号状态是正常的，请您稍等片刻。",
]
CUST_MID = [
    "嗯，好的，那我等一下，你慢慢查，我这边不着急挂。",
    "那大概什么时候能处理好呢？我周末要在家办公用网络。",
    "明白了，那个优惠是每个月都有吗，还是只有第一个月有？",
    "对，就是晚上七八点用的时候特别卡，白天倒还好一些。",
    "行，那麻烦你帮我看看，顺便看看我的流量还剩多少。",
    "好的，这个我知道了，那我回头在手机上再看一下账单。",
    "那我周末在家，师傅可以上门吗？上午或者下午都可以。",
]
CLOSE_PRE = ["请问还有其他可以帮您的吗？", "请问还有什么可以帮您？"]
CUST_BYE = ["没有了，谢谢。", "没了，就这些。"]
CLOSE_FINAL = ["感谢您的来电，祝您生活愉快，再见。", "稍后请对我的服务做出评价，感谢来电，再见。"]

ID_BASE = ["11010119900307777", "44030519851121123", "32010219760815002", "44030519851120001", "37020219930101999"]


def id_number(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def spoken(digits: str, sep: str) -> str:
    table = dict(zip("0123456789X", ["零", "幺", "二", "三", "四", "五", "六", "七", "八", "九", "X"], strict=True))
    return sep.join(table[c] for c in digits)


def a(text: str, **kw: Any) -> dict[str, Any]:
    return {"speaker": "agent", "text": text, **kw}


def c(text: str, **kw: Any) -> dict[str, Any]:
    return {"speaker": "customer", "text": text, **kw}


def clean(rng: random.Random, change: bool | None = None) -> Script:
    """A call that should fire nothing: the template every case starts from."""
    script = [
        a(rng.choice(GREETINGS), gap=rng.randint(300, 2000)),
        c(rng.choice(OPENERS)),
        a(rng.choice(VERIFY_ASK)),
        c(rng.choice(VERIFY_ANSWER)),
        a(rng.choice(VERIFY_OK)),
    ]
    for _ in range(rng.randint(2, 4)):
        script += [c(rng.choice(CUST_MID)), a(rng.choice(AGENT_MID))]
    if change if change is not None else rng.random() < 0.5:
        script += [c("那就帮我换成那个套餐吧。"), a(rng.choice(CHANGE_OK))]
    script += [a(rng.choice(CLOSE_PRE)), c(rng.choice(CUST_BYE)), a(rng.choice(CLOSE_FINAL))]
    return script


def mid(rng: random.Random, script: Script) -> int:
    """An insertion point after verification and before the closing."""
    return rng.randint(5, len(script) - 3)


def timeline(rng: random.Random, script: Script) -> list[dict[str, Any]]:
    """Times from text length at a natural pace (3.5-5 chars/s) and 0.3-1.5 s gaps unless set."""
    turns: list[dict[str, Any]] = []
    end = 0
    for turn in script:
        start = max(end + turn.get("gap", rng.randint(300, 1500)), turns[-1]["start_ms"] if turns else 0)
        dur = turn.get("dur") or int(len(turn["text"]) * 1000 / turn.get("cps", rng.uniform(3.5, 5.0)))
        turns.append({"speaker": turn["speaker"], "start_ms": start, "end_ms": start + dur, "text": turn["text"]})
        end = max(end, start + dur)
    return turns


Case = tuple[Script, list[str], str]
Builder = Callable[[random.Random], Case]


def insert(rng: random.Random, turn: dict[str, Any], expect: list[str], note: str, **kw: Any) -> Case:
    script = clean(rng, **kw)
    script.insert(mid(rng, script), turn)
    return script, expect, note


# ------------------------------------------------------------------ cases per rule


def greeting(rng: random.Random, positive: bool, variant: int) -> Case:
    script = clean(rng)
    if positive and variant % 3 == 0:
        script[0] = a(rng.choice(["喂，请讲。", "嗯，请说。", "您请讲，我听着。"]), gap=800)
        return script, ["greeting_missing"], "first agent turn has no greeting"
    if positive and variant % 3 == 1:  # greeting only after 10 s, in the second agent turn
        script[0:1] = [
            a("喂？", gap=500),
            c("喂，能听到吗？我这边信号不好，你等一下啊，我换个地方说。", dur=9000),
            a(rng.choice(GREETINGS), gap=2500),
        ]
        return script, ["greeting_missing"], "greeting after 10 s, not in first agent turn"
    if positive:
        script[0] = a("请问是机主本人吗？", gap=600)
        script.insert(1, c("是我。"))
        return script, ["greeting_missing"], "opens with a question, never greets"
    if variant % 3 == 0:
        return script, [], "standard greeting in the first turn"
    if variant % 3 == 1:  # late first agent turn still counts: it IS the agent's first turn
        script.insert(0, c("喂？喂？有人吗？我等了好久了。", gap=400, dur=11000))
        script[1] = {**script[1], "gap": 1500}
        return script, [], "greeting in agent's first turn, which starts after 10 s"
    script[0] = a(rng.choice(["您好，8846号客服代表为您服务。", "下午好，我是话务员小陈，请讲。"]), gap=600)
    return script, [], "greeting with self-introduction in other words"


def closing(rng: random.Random, positive: bool, variant: int) -> Case:
    script = clean(rng)
    if positive and variant % 3 == 0:
        script[-3:] = [a("好的，那先这样。"), c("嗯。"), a("嗯，挂了。")]
        return script, ["closing_missing"], "no closing phrase at all"
    if positive and variant % 3 == 1:
        script[-1] = c("好，谢谢，再见。")
        script[-3] = a("那先这样吧。")
        script.append(a("嗯嗯。"))
        return script, ["closing_missing"], "only the customer says goodbye"
    if positive:
        script[-3:] = [
            a(rng.choice(CLOSE_FINAL)),
            c("等一下，我还想问个问题，宽带能提速吗？"),
            a("可以的，稍后发短信给您。"),
            c("好。"),
            a("嗯，好的。"),
        ]
        return script, ["closing_missing"], "closing said too early, not in the last two agent turns"
    if variant % 3 == 0:
        return script, [], "standard closing"
    if variant % 3 == 1:
        script.append(a("嗯嗯。"))
        return script, [], "closing in the second-to-last agent turn"
    script[-1] = a("祝您工作顺利，再见。")
    return script, [], "alternative closing phrase"


POS = {
    "forbidden_phrase": [
        a("这个我也没办法，系统就这样。"),
        a("你自己看短信吧，上面都写了。"),
        a("这不归我管，你问别人去。"),
        a("我不清楚，你去营业厅问吧。"),
        a("这个我真不知道。"),
        a("我已经说过了，就是这个价格。"),
    ],
    "agent_abusive": [
        a("神经病。"),
        a("闭嘴，听我说完。"),
        a("真是个白痴问题。"),
        a("滚，别再打过来了。"),
    ],
    "customer_abusive": [c("脑残。"), c("一群废物，什么都办不好。"), c("你给我闭嘴。"), c("去死吧你们。")],
    "escalation_threat": [
        c("我要去工信部投诉你们。"),
        c("再不解决我就打12300。"),
        c("我要找媒体曝光这件事。"),
        c("我明天就打315。"),
        c("我已经向消协反映了。"),
        c("你们等着，我找记者来。"),
    ],
    "customer_negative_emotion": [
        c("我真的非常生气！"),
        c("你们这服务太差劲了。"),
        c("乱扣费，太过分了。"),
        c("我对你们太失望了。"),
        c("简直是骗子公司。"),
        c("我快气死了，到底怎么回事。"),
    ],
    "agent_over_promise": [
        a("我保证给您退款。"),
        a("这个一定给您赔偿到位。"),
        a("百分之百帮您解决。"),
        a("肯定给您退费的。"),
    ],
    "repeat_contact": [
        c("这是我第三次打电话了。"),
        c("我都打了好几次了。"),
        c("我已经反映过三次了。"),
        c("第二次来电了还没解决。"),
    ],
}
NEG = {
    "forbidden_phrase": [
        a("不知道您是否还有其他疑问？"),
        a("如果有不清楚的地方可以随时来电。"),
        a("您知不知道机顶盒的型号？"),
        c("我不知道怎么弄，你教教我。"),
        c("我也没办法，只能打电话问。"),
    ],
    "agent_abusive": [
        a("账单明细可以在页面上滚动查看。"),
        a("您的手机可能中了病毒，建议查杀一下。"),
        c("页面一直在滚动。"),
        a("那个滚筒洗衣机的广告不是我们发的。"),
    ],
    "customer_abusive": [
        c("页面一直在滚动，看不清。"),
        c("SBC是什么业务？"),
        c("我妈妈让我问的，你妈妈也用这个套餐吗？"),
        a("您可以让家人帮您确认。"),
    ],
    "escalation_threat": [
        c("我不投诉，就是问问。"),
        c("我不想投诉，只要解决就行。"),
        c("我的号码是13153151234。"),
        a("如果对处理结果不满意，您也可以拨打12300。"),
        c("没打算投诉，你们快点处理就好。"),
    ],
    "customer_negative_emotion": [
        c("我不生气，就是想问清楚。"),
        c("我没有不满意，挺好的。"),
        c("不好意思，打扰你了。"),
        c("有点失望吧，不过还行。"),
        c("差不多就这样吧。"),
        a("您别生气，我马上处理。"),
        c("我一点也不生气。"),
    ],
    "agent_over_promise": [
        a("我们一定会认真核查的。"),
        a("退款需要三个工作日。"),
        c("你保证给我退款吗？"),
        a("我肯定会跟进的，有结果第一时间通知您。"),
    ],
    "repeat_contact": [
        c("这次的账单好像不对。"),
        c("我第一次用你们的宽带。"),
        c("一次性付清可以吗？"),
        a("这是您第二次来电，对吗？"),
    ],
}


def phrase_case(rule: str) -> Callable[[random.Random, bool, int], Case]:
    def build(rng: random.Random, positive: bool, variant: int) -> Case:
        pool = POS[rule] if positive else NEG[rule]
        turn = pool[variant % len(pool)]
        return insert(rng, dict(turn), [rule] if positive else [], turn["text"])

    return build


def order(rng: random.Random, positive: bool, variant: int) -> Case:
    script = clean(rng, change=True)
    if positive and variant % 3 == 0:
        script.insert(2, a(rng.choice(["好的，我直接为您变更套餐。", "可以，马上帮您办理停机保号。"])))
        return script, ["unverified_account_change"], "account change before verification"
    if positive and variant % 3 == 1:
        script[2:5] = [a("好的，这边给您办理补卡。"), c("好的。"), a(rng.choice(VERIFY_ASK))]
        return script, ["unverified_account_change"], "verification asked only after the change"
    if positive:
        script[2:5] = [a("没问题，为您取消这个业务。")]
        return script, ["unverified_account_change"], "no verification at all"
    if variant % 4 == 0:
        return script, [], "verification then account change"
    if variant % 4 == 1:
        script.insert(2, a("请问您要办理什么业务？"))
        return script, [], "asks what to handle before verifying: not a change"
    if variant % 4 == 2:
        script.insert(2, a("抱歉，这个业务暂时无法为您办理，需要先核实身份。"))
        return script, [], "refusal mentions 办理 before verification"
    script[2:5] = [c("我想变更套餐。"), a("身份验证通过，现在为您变更套餐。")]
    return script, [], "verification and change in the same turn, verification first"


def silence(rng: random.Random, positive: bool, variant: int) -> Case:
    script = clean(rng)
    at = mid(rng, script)
    gap = rng.randint(10_500, 25_000) if positive else rng.choice([9_500, 8_000, 6_000, 9_900])
    script[at] = {**script[at], "gap": gap}
    return script, ["long_silence"] if positive else [], f"gap {gap} ms"


def overlap(rng: random.Random, positive: bool, variant: int) -> Case:
    script = clean(rng)
    at = mid(rng, script)
    if positive:
        script[at : at + 1] = [
            c("我跟你说，这个问题从上个月就开始了，我打过电话还是老样子。", cps=4.0),
            a("好的，我理解，我先帮您查一下。", gap=-rng.randint(1_200, 3_000)),
        ]
        return script, ["agent_interrupts"], "agent talks over the customer"
    if variant % 3 == 0:
        script[at : at + 1] = [
            c("我跟你说，这个问题从上个月就开始了。", cps=4.0),
            a("好的，我先帮您查一下。", gap=-500),
        ]
        return script, [], "agent overlap 0.5 s: below threshold"
    if variant % 3 == 1:
        script[at : at + 1] = [a("系统显示您所在区域最近在做网络优化。", cps=4.0), c("那要多久啊？", gap=-2_000)]
        return script, [], "customer interrupts the agent: not the agent's fault"
    script[at : at + 1] = [c("那大概什么时候能好？"), a("预计周五之前完成。", gap=200)]
    return script, [], "agent answers right after"


def speech_rate(rng: random.Random, positive: bool, variant: int) -> Case:
    text = "您这个月的费用包括套餐月租五十九元和超出的流量费用十二元。"
    if positive and variant % 2 == 0:
        turn, note = a(text, cps=rng.uniform(8.0, 11.0)), "agent too fast"
    elif positive:
        turn, note = a(text, cps=rng.uniform(0.9, 1.6)), "agent too slow"
    elif variant % 3 == 0:
        turn, note = a("好的好的好的。", cps=10.0), "too short to judge"
    elif variant % 3 == 1:
        turn, note = a("这个费用是套餐月租加流量。", dur=1_500), "fast but under 2 s"
    else:
        turn, note = a(text, cps=rng.uniform(5.5, 6.2)), "brisk but within bounds"
    return insert(rng, turn, ["agent_speech_rate"] if positive else [], note)


def talk_ratio(rng: random.Random, positive: bool, variant: int) -> Case:
    script = clean(rng)
    at = mid(rng, script)
    long_agent = (
        "我给您详细介绍一下，我们现在的融合套餐包含宽带、手机流量和通话分钟数，每个月的费用根据档位不同有所区别。"
    )
    long_cust = (
        "我家里老人用的是老套餐，每个月话费不多，但是最近突然多了几十块钱，我也不知道是哪里来的，想让你帮我看看。"
    )
    if positive and variant % 2 == 0:
        script[at:at] = [
            a(long_agent),
            a(long_agent),
            a(long_agent),
            c("嗯。"),
            a(long_agent),
            a(long_agent),
            c("嗯。"),
        ] * 2
        return script, ["talk_ratio"], "agent monologue"
    if positive:
        script[0] = a("您好，工号1234为您服务。", gap=500)
        script[1:] = [
            c(long_cust),
            a("嗯。"),
            c(long_cust),
            a("嗯嗯。"),
            c(long_cust),
            a("好的。"),
            c(long_cust),
            a("我查一下。"),
            c(long_cust),
            a("再见。"),
        ]
        return script, ["talk_ratio"], "agent barely speaks"
    if variant % 2 == 0:
        script[at:at] = [a(long_agent), c(long_cust)]
        return script, [], "balanced call"
    script = [a("您好，工号2231，请讲。", gap=300), c("嗯。"), a(long_agent), c("好，谢谢，再见。")]
    script.append(a("感谢您的来电，再见。"))
    return script, [], "extreme ratio but the call is under 30 s"


def id_case(rng: random.Random, positive: bool, variant: int) -> Case:
    number = id_number(ID_BASE[variant % len(ID_BASE)])
    if positive:
        x_check = id_number(number[:17])[-1] == "X"
        texts = [
            f"您的身份证号码是{number}，对吗？",
            f"我念一下，{spoken(number, ' ')}。",
            f"身份证号{spoken(number[:6], '')}，{spoken(number[6:14], '')}，{spoken(number[14:], '')}。",
            f"您登记的证件是{number[:17]}X吗？" if x_check else f"证件号{number}。",
        ]
        text = texts[variant % 4]
        return insert(rng, a(text, cps=5.0), ["agent_reads_id_number"], "agent reads a full ID")
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    said = [
        c(f"我的身份证号是{number}。"),
        a(f"您的证件号是{number[:3]}***********{number[-4:]}。"),
        a(f"身份证后四位是{number[-4:]}，对吧？"),
        a(f"您的银行卡号是6222{number[:15]}。"),
        a(f"您的订单号是{wrong}。"),
    ][variant % 5]
    return insert(rng, {**said, "cps": 5.0}, [], "ID-like but not an agent reading a valid full ID")


def combo(rng: random.Random, variant: int) -> Case:
    script = clean(rng)
    at = mid(rng, script)
    script[at:at] = [c("你们这服务太差劲了，我要去工信部投诉！"), a("这个我也没办法，你自己看短信。")]
    expect = ["customer_negative_emotion", "escalation_threat", "forbidden_phrase"]
    if variant % 2:
        script[-1] = a("那先这样吧。")
        script[-3] = a("嗯。")
        expect.append("closing_missing")
    return script, expect, "angry escalating customer and a careless agent"


def build_cases() -> list[dict[str, Any]]:
    rng = random.Random(20240611)
    builders: dict[str, Callable[[random.Random, bool, int], Case]] = {
        "greeting_missing": greeting,
        "closing_missing": closing,
        "unverified_account_change": order,
        "long_silence": silence,
        "agent_interrupts": overlap,
        "agent_speech_rate": speech_rate,
        "talk_ratio": talk_ratio,
        "agent_reads_id_number": id_case,
        **{rule: phrase_case(rule) for rule in POS},
    }
    cases = []
    for rule, build in builders.items():
        for positive in (True, False):
            for variant in range(7):
                script, expect, note = build(rng, positive, variant)
                cases.append(
                    {
                        "focus": rule,
                        "positive": positive,
                        "note": note,
                        "expect": sorted(expect),
                        "turns": timeline(rng, script),
                    }
                )
    for variant in range(8):
        script, expect, note = combo(rng, variant)
        cases.append(
            {"focus": "combo", "positive": True, "note": note, "expect": sorted(expect), "turns": timeline(rng, script)}
        )
    for i, case in enumerate(cases):
        case["id"] = f"case-{i:03d}"
    return cases


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for case in build_cases():
            fh.write(json.dumps(case, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
