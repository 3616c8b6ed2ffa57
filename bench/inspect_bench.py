"""Throughput of the automatic-inspection engine against a bare Aho-Corasick ceiling.

One run builds N synthetic hotline calls (deterministic seed, ~60 turns of templated
Chinese each) and a 300-phrase monitored-words lexicon added to the default scorecard,
then times on one core, in CPU time of this process so a busy machine skews less:
(a) ``Inspector.evaluate`` over every call; (b) the ceiling, a bare pyahocorasick scan
of the very same texts with the very same phrases (every literal the engine looks for: the
automata's phrases and the learned checks' n-grams, which the engine cuts in numpy instead,
see telqc.inspection.model_batch); and prints both and the ratio (target >= 0.25). Both are
timed ``--repeat`` times, interleaved, and the best of each is kept.

    .venv/bin/python bench/inspect_bench.py            # 10,000 calls
    .venv/bin/python bench/inspect_bench.py --n 1000   # quicker
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

import ahocorasick

from telqc.inspection.calls import Transcript, Turn
from telqc.inspection.engine import Inspector
from telqc.inspection.rules import PhraseRule, Scorecard, Severity, load_default_scorecard

PLANS = ["59元畅享套餐", "99元5G套餐", "129元融合套餐", "19元流量包", "39元家庭套餐", "千兆宽带套餐"]
ISSUES = ["话费", "流量", "宽带", "信号", "扣费", "积分", "合约", "副卡", "国际漫游", "来电显示"]
PLACES = ["小区", "公司", "家里", "地下车库", "学校附近", "老家", "营业厅门口"]
MONTHS = ["一月", "二月", "三月", "上个月", "这个月", "上周", "前天"]

AGENT_OPEN = [
    "您好，很高兴为您服务，请问有什么可以帮您？",
    "您好，工号{n}为您服务，请问有什么可以帮到您？",
    "欢迎致电客服热线，我是{n}号客服代表，请问有什么可以帮您？",
]
AGENT_VERIFY = [
    "为了保障您的账户安全，需要先核实一下您的身份，请提供机主姓名和身份证后四位。",
    "请您输入一下服务密码，我这边验证一下您的身份。",
    "好的，身份核实通过，感谢您的配合。",
]
AGENT = [
    "好的，我这边帮您查询一下{issue}的情况，请您稍等。",
    "感谢您的耐心等待，系统显示您{month}的{issue}共计{amt}元。",
    "您目前使用的是{plan}，每月包含{gb}G国内流量和{min}分钟通话。",
    "这个问题我已经记录下来了，会在{h}小时内给您回复。",
    "建议您把手机重启一下，再看看{place}的信号有没有恢复。",
    "您说的{issue}问题我理解，我们会尽快安排工程师上门处理。",
    "如果您需要的话，我可以为您办理{plan}，次月生效。",
    "我这边看到您的宽带账号是{acct}，目前状态正常。",
    "请问您还有其他{issue}方面的问题需要咨询吗？",
    "非常抱歉给您带来不便，我们会跟进处理并短信通知您。",
    "您可以通过手机营业厅查询{issue}的详细账单。",
    "好的，我复述一下，您反映的是{place}的{issue}问题，对吗？",
    "这边帮您申请了{amt}元的话费补偿，预计三个工作日到账。",
    "嗯，明白，您稍等，我再帮您确认一下。",
]
AGENT_CLOSE = [
    "请问还有其他可以帮您的吗？",
    "感谢您的来电，祝您生活愉快，再见。",
    "稍后请对我的服务做出评价，感谢来电，再见。",
]
CUSTOMER = [
    "你好，我想问一下我{month}的{issue}怎么这么多。",
    "我用的是{plan}，但是流量好像不太够用。",
    "我在{place}的时候手机经常没有信号。",
    "嗯，好的，那我等一下。",
    "对，就是这个问题，已经好几天了。",
    "那大概什么时候能处理好？",
    "我的号码是1{phone}，你帮我看看。",
    "好的，明白了，谢谢你。",
    "之前说{h}小时内回复，到现在也没人联系我。",
    "那我要是换成{plan}的话，月租是多少？",
    "行，那就这样吧。",
    "我不生气，就是想把{issue}的事情弄清楚。",
    "我没有不满意，就是问一下。",
]
CUSTOMER_RARE = [  # incidents the scorecard should catch, a few per hundred customer turns
    "你们这个{issue}扣得莫名其妙，我真的很生气。",
    "这已经是我第三次打电话反映了。",
    "再这样我就要去工信部投诉了。",
    "我要打12300投诉你们乱扣费。",
    "你们这服务太差了，我非常失望。",
]
MONITORED_HEADS = [
    "免费",
    "赠送",
    "返还",
    "补偿",
    "减免",
    "升级",
    "降档",
    "取消",
    "暂停",
    "恢复",
    "加装",
    "退订",
    "续约",
    "折扣",
    "专属",
]
MONITORED_TAILS = [
    "宽带提速",
    "流量包",
    "话费券",
    "合约机",
    "副卡",
    "彩铃",
    "视频会员",
    "国际漫游",
    "来电提醒",
    "家庭网",
    "亲情号",
    "靓号",
    "积分兑换",
    "云盘",
    "权益包",
    "机顶盒",
    "光猫",
    "千兆套餐",
    "月租",
    "违约金",
]


def monitored_lexicon() -> list[str]:
    """300 phrases an operator might monitor (offers, retention terms): 15 × 20 combinations."""
    return [h + t for h in MONITORED_HEADS for t in MONITORED_TAILS]


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        n=rng.randint(1000, 9999),
        issue=rng.choice(ISSUES),
        month=rng.choice(MONTHS),
        amt=rng.randint(5, 300),
        plan=rng.choice(PLANS),
        gb=rng.choice([10, 20, 30, 40, 100]),
        min=rng.choice([100, 300, 500, 1000]),
        h=rng.choice([2, 24, 48, 72]),
        place=rng.choice(PLACES),
        acct=rng.randint(10**9, 10**10 - 1),
        phone=rng.randint(10**9, 10**10 - 1),
    )


def make_call(rng: random.Random, turns: int, monitored: list[str]) -> Transcript:
    """A plausible call: greeting, verification, business talk, rare incidents, closing."""
    out: list[Turn] = []
    now = rng.randint(200, 1500)
    for i in range(turns):
        agent = i % 2 == 0 if rng.random() > 0.1 else i % 2 == 1
        if i == 0:
            agent, text = True, _fill(rng, rng.choice(AGENT_OPEN))
        elif i >= turns - 2:
            agent, text = True, rng.choice(AGENT_CLOSE)
        elif agent and 2 <= i <= 6 and rng.random() < 0.4:
            text = rng.choice(AGENT_VERIFY)
        elif not agent and rng.random() < 0.04:
            text = _fill(rng, rng.choice(CUSTOMER_RARE))
        else:
            text = _fill(rng, rng.choice(AGENT if agent else CUSTOMER))
        if rng.random() < 0.03:
            text += f"另外关于{rng.choice(monitored)}的事情也说一下。"
        if agent and rng.random() < 0.003:
            text = "这个我不知道，你自己看吧。"
        dur = int(len(text) * 1000 / rng.uniform(3.2, 5.5))
        if rng.random() < 0.01:
            now += rng.randint(10_000, 20_000)  # dead air
        elif rng.random() < 0.03 and out:
            now = max(out[-1].start_ms, out[-1].end_ms - rng.randint(500, 2000))  # talk-over
        out.append(Turn("agent" if agent else "customer", now, now + dur, text))
        now = max(now + dur, out[-1].end_ms) + rng.randint(200, 1500)
    return Transcript(tuple(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="number of interactions")
    parser.add_argument("--turns", type=int, default=60, help="turns per interaction")
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--live", action="store_true", help="also time LiveSession (turn by turn)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs of ceiling and engine; best of each")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    monitored = monitored_lexicon()
    t0 = time.process_time()
    calls = [make_call(rng, args.turns, monitored) for _ in range(args.n)]
    gen_s = time.process_time() - t0

    base = load_default_scorecard()
    extra = PhraseRule(
        id="monitored_words", kind="phrase", phrases=monitored, severity=Severity.info, scorecard_item="监控词/营销用语"
    )
    card: Scorecard = base.model_copy(update={"rules": (*base.rules, extra)})
    t0 = time.process_time()
    inspector = Inspector(card)
    compile_ms = (time.process_time() - t0) * 1000
    phrases = sorted(inspector.rules.phrases())

    ceiling = ahocorasick.Automaton()
    for i, phrase in enumerate(phrases):
        ceiling.add_word(phrase, (len(phrase), i))
    ceiling.make_automaton()
    texts = [turn.text for call in calls for turn in call.turns]
    n_turns, n_chars = len(texts), sum(map(len, texts))

    ceiling_s = engine_s = float("inf")
    evaluate = inspector.evaluate
    for _ in range(max(1, args.repeat)):  # interleaved, best of each: a busy machine slows both alike
        t0 = time.process_time()
        raw_matches = 0
        for text in texts:
            for _ in ceiling.iter(text):
                raw_matches += 1
        ceiling_s = min(ceiling_s, time.process_time() - t0)

        kinds: Counter[str] = Counter()
        t0 = time.process_time()
        for call in calls:
            for hit in evaluate(call):
                kinds[hit.rule_id] += 1
        engine_s = min(engine_s, time.process_time() - t0)

    rows = [
        (
            "interactions × turns",
            f"{args.n:,} × {args.turns}",
            f"{n_turns:,} turns, {n_chars / n_turns:.1f} chars/turn",
        ),
        ("phrases (engine = ceiling)", f"{len(phrases):,}", f"{len(monitored)} monitored + default scorecard"),
        ("generate / compile", f"{gen_s:.1f} s", f"compile {compile_ms:.0f} ms"),
        ("ceiling: bare AC scan", f"{args.n / ceiling_s:,.0f} calls/s", f"{ceiling_s:.2f} s, {raw_matches:,} matches"),
        (
            "engine: Inspector.evaluate",
            f"{args.n / engine_s:,.0f} calls/s",
            f"{engine_s:.2f} s, {sum(kinds.values()):,} hits",
        ),
    ]
    if args.live:
        t0 = time.process_time()
        for call in calls:
            session = inspector.session()
            for turn in call.turns:
                session.feed(turn)
            session.finish()
        live_s = time.process_time() - t0
        rows.append(("engine: LiveSession", f"{args.n / live_s:,.0f} calls/s", f"{live_s:.2f} s"))
    ratio = ceiling_s / engine_s
    rows.append(("ratio engine / ceiling", f"{ratio:.2f}", "target ≥ 0.25: " + ("PASS" if ratio >= 0.25 else "FAIL")))
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>18}  {note}")
    print("hits per rule:", ", ".join(f"{k}={v:,}" for k, v in kinds.most_common()))


if __name__ == "__main__":
    main()
