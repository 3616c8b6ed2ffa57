"""Build the knowledge-base evaluation corpus (answers.jsonl + queries.jsonl).

SYNTHETIC corpus, a complement to the public InsuranceQA-zh evaluation
(bench/kb_insuranceqa.py): InsuranceQA has no telecom vocabulary, so this set
exercises the telecom dictionary and synonym table. Generated
deterministically (fixed seed):

* answers: one article per business x intent, with a title, two standard
  question variants and a body that shares vocabulary with sibling articles;
* queries: colloquial paraphrases. The *train* split uses one set of phrasings
  and business aliases, the *test* split a disjoint set, so anything tuned on
  train is measured on wording it never saw.

Usage: python bench/kb_corpus.py [--out var/kb/synthetic]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SEED = 20250101

# canonical name, aliases used by train queries, aliases used by test queries
BUSINESSES: list[tuple[str, list[str], list[str]]] = [
    ("宽带", ["家里宽带", "宽带"], ["家里的网", "宽带网"]),
    ("光猫", ["光猫", "光纤猫"], ["猫", "光调制解调器"]),
    ("机顶盒", ["机顶盒", "电视机顶盒"], ["电视盒子", "盒子"]),
    ("携号转网", ["携号转网", "转网"], ["携转", "号码转到别家"]),
    ("流量包", ["流量包", "加油包"], ["流量", "上网包"]),
    ("副卡", ["副卡", "附属卡"], ["副号卡", "家人用的副卡"]),
    ("5G套餐", ["5G套餐", "5g套餐"], ["5G的套餐", "五G套餐"]),
    ("国际漫游", ["国际漫游", "出国漫游"], ["境外漫游", "出国上网"]),
    ("停机保号", ["停机保号", "保号"], ["保号停机", "号码暂时不用"]),
    ("实名认证", ["实名认证", "实名"], ["实名登记", "身份认证"]),
    ("话费", ["话费", "电话费"], ["余额", "手机费"]),
    ("销户", ["销户", "注销号码"], ["销号", "号码不要了注销"]),
    ("补卡", ["补卡", "补办SIM卡"], ["换卡", "卡丢了补办"]),
    ("路由器", ["路由器", "无线路由器"], ["无线猫", "wifi路由"]),
    ("家庭网", ["家庭网", "亲情网"], ["家庭群组", "亲情号"]),
    ("彩铃", ["彩铃", "视频彩铃"], ["铃声", "来电铃音"]),
    ("呼叫转移", ["呼叫转移", "来电转移"], ["电话转接", "转接到别的号"]),
    ("电子发票", ["电子发票", "发票"], ["开票", "报销票据"]),
    ("通话详单", ["通话详单", "详单"], ["通话记录清单", "话单明细"]),
    ("积分兑换", ["积分兑换", "积分"], ["积分换礼品", "用积分换东西"]),
    ("固定电话", ["固定电话", "固话"], ["座机", "家里座机"]),
    ("网络电视", ["网络电视", "IPTV"], ["电视回看", "看电视"]),
    ("防骚扰", ["防骚扰", "骚扰拦截"], ["推销电话拦截", "屏蔽骚扰电话"]),
    ("宽带提速", ["宽带提速", "提速"], ["网速升级", "换千兆"]),
    ("移机", ["移机", "宽带移机"], ["搬家后宽带", "宽带换地址"]),
    ("服务密码", ["服务密码", "密码重置"], ["手机密码", "忘记密码"]),
    ("语音信箱", ["语音信箱", "留言信箱"], ["语音留言", "电话留言"]),
    ("合约机", ["合约机", "合约手机"], ["签约手机", "购机合约"]),
    ("物联网卡", ["物联网卡", "物联卡"], ["手表卡", "设备用的卡"]),
    ("信用额度", ["信用额度", "信用停机额度"], ["透支额度", "欠费额度"]),
]

# intent key, title, standard questions, body, train phrasings, test phrasings ({b}=business, {a}=alias)
INTENTS: list[tuple[str, str, list[str], str, list[str], list[str]]] = [
    (
        "apply",
        "{b}业务办理指南",
        ["如何办理{b}", "{b}怎么开通"],
        "{b}可通过营业厅、掌上营业厅App或拨打客服热线办理，办理时请携带本人有效身份证件，开通后短信通知。",
        ["我想开通{a}", "{a}在哪里办理"],
        ["{a}要怎么申请", "想弄个{a}去哪弄"],
    ),
    (
        "fee",
        "{b}资费标准说明",
        ["{b}怎么收费", "{b}的价格是多少"],
        "{b}资费为每月{n}元，按自然月计费，次月账单中扣除；办理当月按天折算收取费用。",
        ["{a}多少钱", "{a}收费吗"],
        ["{a}一个月要花多少", "{a}贵不贵"],
    ),
    (
        "cancel",
        "取消或退订{b}",
        ["如何退订{b}", "{b}怎么取消"],
        "如不再需要{b}，可发送短信、登录App或到营业厅退订，退订次月生效，已扣费用不予退还。",
        ["{a}不想要了", "怎么退订{a}"],
        ["{a}怎么关掉", "把{a}停了"],
    ),
    (
        "fault",
        "{b}无法使用的处理方法",
        ["{b}用不了怎么办", "{b}出现故障如何处理"],
        "{b}无法正常使用时，请先确认是否欠费停机，再重启设备；仍有故障可报障，装维工程师将在{n}小时内上门。",
        ["{a}用不了", "{a}坏了怎么办"],
        ["{a}出问题了", "{a}不能用了咋整"],
    ),
    (
        "query",
        "查询{b}使用情况",
        ["怎么查询{b}", "{b}使用情况在哪看"],
        "登录掌上营业厅App，在“我的”页面可查询{b}的使用情况和明细，也可发送短信查询，查询免费。",
        ["怎么查{a}", "{a}用了多少"],
        ["看一下{a}还剩多少", "{a}情况在哪看"],
    ),
    (
        "condition",
        "办理{b}需要的条件和材料",
        ["{b}办理条件是什么", "办{b}要带什么证件"],
        "办理{b}需满足：号码已实名认证、无欠费、非合约期限制；本人办理需携带身份证原件，代办需提供双方证件。",
        ["{a}有什么要求", "{a}需要带什么证件"],
        ["{a}要满足啥条件", "什么人能办{a}"],
    ),
    (
        "change",
        "{b}变更与升级",
        ["{b}怎么变更", "{b}可以升级吗"],
        "{b}支持变更或升级，新的设置于次月1日生效；变更期间原有功能不受影响，每月可变更一次。",
        ["{a}能换吗", "{a}怎么升级"],
        ["{a}想改一下", "换个{a}行不行"],
    ),
    (
        "time",
        "{b}生效时间说明",
        ["{b}什么时候生效", "{b}办理后多久可以用"],
        "{b}办理成功后一般在{n}小时内生效，生效后会收到短信提醒；节假日可能顺延。",
        ["{a}什么时候生效", "{a}多久能用"],
        ["{a}办完多久起作用", "{a}要等多长时间"],
    ),
]


def build(rng: random.Random) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    answers: list[dict[str, object]] = []
    train: list[dict[str, object]] = []
    test: list[dict[str, object]] = []
    for bi, (biz, train_aliases, test_aliases) in enumerate(BUSINESSES):
        for intent, title, questions, body, train_tpl, test_tpl in INTENTS:
            aid = f"kb-{bi:02d}-{intent}"
            n = rng.choice([2, 5, 10, 24, 30, 48])
            answers.append(
                {
                    "id": aid,
                    "title": title.format(b=biz),
                    "questions": [q.format(b=biz) for q in questions],
                    "text": body.format(b=biz, n=n),
                    "synthetic": True,
                }
            )
            for split, tpls, aliases in (("train", train_tpl, train_aliases), ("test", test_tpl, test_aliases)):
                for ti, tpl in enumerate(tpls):
                    question = tpl.format(a=rng.choice(aliases))
                    if rng.random() < 0.3:
                        question = rng.choice(["请问", "你好，", "我想问下"]) + question
                    row: dict[str, object] = {"id": f"{split}-{aid}-{ti}", "question": question, "answer_ids": [aid]}
                    (train if split == "train" else test).append(row)
    rng.shuffle(train)
    rng.shuffle(test)
    return answers, train, test


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("var/kb/synthetic"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    answers, train, test = build(random.Random(SEED))
    write_jsonl(args.out / "answers.jsonl", answers)
    write_jsonl(args.out / "queries_train.jsonl", train)
    write_jsonl(args.out / "queries.jsonl", test)
    print(f"SYNTHETIC corpus -> {args.out}: {len(answers)} answers, {len(train)} train / {len(test)} test queries")


if __name__ == "__main__":
    main()
