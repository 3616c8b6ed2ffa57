"""Knowledge-base index benchmark: build time, search latency and one-article updates at scale.

Generates N synthetic telecom articles (default 100,000) from a fixed seed, so
runs are comparable across machines and commits.

Usage: python bench/kb_bench.py [--n 100000] [--queries 300]
"""

from __future__ import annotations

import argparse
import pickle
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from telqc.knowledge.evaluate import percentile
from telqc.knowledge.inverted_index import Article, KnowledgeIndex, loads
from telqc.knowledge.learned import CANDIDATES, Example, LearnedModel, fuse
from telqc.knowledge.segment import default

SEED = 7
BUSINESSES = [
    "宽带", "光猫", "机顶盒", "携号转网", "流量包", "副卡", "5G套餐", "国际漫游", "停机保号", "实名认证",
    "话费", "销户", "补卡", "路由器", "家庭网", "彩铃", "呼叫转移", "电子发票", "通话详单", "积分兑换",
    "固定电话", "网络电视", "防骚扰", "宽带提速", "移机", "服务密码", "语音信箱", "合约机", "物联网卡",
]  # fmt: skip
ACTIONS = ["办理", "取消", "查询", "变更", "故障处理", "资费说明", "生效时间", "办理条件", "续费", "升级"]
CITIES = ["北京", "上海", "广州", "深圳", "成都", "武汉", "西安", "杭州", "南京", "重庆", "天津", "长沙"]
PHRASES = [
    "可通过掌上营业厅App办理", "请携带本人身份证原件", "次月生效", "按自然月计费", "拨打客服热线咨询",
    "装维工程师将上门处理", "请先重启设备后再试", "欠费停机期间无法办理", "已扣费用不予退还",
    "办理成功后会收到短信通知", "合约期内不可降档", "节假日顺延处理", "支持线上线下同时办理",
    "如有疑问可到营业厅咨询", "需要号码已实名认证", "每月限办理一次", "不影响原有套餐使用",
]  # fmt: skip
QUERIES = [
    "宽带续费怎么办理", "光猫红灯一直闪", "携号转网需要什么条件", "流量包怎么取消", "国际漫游资费",
    "停机保号多少钱", "补卡要带什么", "5G套餐怎么升级", "话费查询", "无线猫连不上", "副卡怎么办理",
    "机顶盒没信号", "宽代续费", "销户需要什么条件", "彩铃怎么关",
]  # fmt: skip


def make_article(rng: random.Random, i: int, now: datetime) -> Article:
    biz, action, city = rng.choice(BUSINESSES), rng.choice(ACTIONS), rng.choice(CITIES)
    body = "，".join(rng.sample(PHRASES, 5)) + f"。{city}地区{biz}{action}的具体规则以当地公告为准。"
    return Article(
        id=f"a{i}",
        title=f"{city}{biz}{action}说明（{i}）",
        body=body,
        questions=(f"{biz}怎么{action}", f"{city}{biz}如何{action}"),
        category=biz,
        audience="public" if i % 5 else "internal",
        valid_from=now - timedelta(days=rng.randint(31, 400)),
        valid_to=None if i % 7 else now + timedelta(days=rng.randint(-30, 365)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(SEED)
    now = datetime(2025, 6, 1, tzinfo=UTC)
    articles = [make_article(rng, i, now) for i in range(args.n)]
    _ = default().tokenizer  # dictionary load is a one-off per process, not index build

    index = KnowledgeIndex()
    start = time.perf_counter()
    for art in articles:
        index.add(art)
    build_s = time.perf_counter() - start

    def timed_search(q: str, **kw: Any) -> float:
        t0 = time.perf_counter()
        index.search(q, limit=10, at=now, **kw)
        return (time.perf_counter() - t0) * 1000

    for q in QUERIES:  # first touch compiles each term's postings; measure the steady state
        timed_search(q)
    lat = [timed_search(QUERIES[i % len(QUERIES)]) for i in range(args.queries)]
    lat_cf = [timed_search(QUERIES[i % len(QUERIES)], customer_facing=True, category="宽带") for i in range(100)]

    upd: list[float] = []
    upd_query: list[float] = []
    for k in range(50):
        art = make_article(rng, rng.randrange(args.n), now)
        t0 = time.perf_counter()
        index.add(art)  # same id: replaces the article in place
        upd.append((time.perf_counter() - t0) * 1000)
        upd_query.append(timed_search(QUERIES[k % len(QUERIES)]))
    t0 = time.perf_counter()
    index.remove("a0")
    remove_ms = (time.perf_counter() - t0) * 1000

    # What a restarted or additional worker pays instead of a rebuild (knowledge/searcher.py snapshot).
    t0 = time.perf_counter()
    blob = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    save_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    loaded = loads(blob)
    load_s = time.perf_counter() - t0
    assert isinstance(loaded, KnowledgeIndex)
    def top(ix: KnowledgeIndex) -> list[str]:
        return [h.id for h in ix.search(QUERIES[0], at=now).hits]

    assert top(loaded) == top(index), "a loaded snapshot answers like the index it was saved from"

    # The learned component (issue 24): fitted on every article's title and questions plus one synthetic
    # resolved order per 5 articles, then searched as knowledge/searcher.py does (lexical top 50, fused).
    model = LearnedModel()
    texts = {a.id: "\n".join([a.title, *a.questions]) for a in articles}
    orders = [Example(f"客户说{rng.choice(QUERIES)}，{rng.choice(CITIES)}", f"a{rng.randrange(args.n)}",
                      now - timedelta(days=rng.randint(0, 180))) for _ in range(args.n // 5)]
    t0 = time.perf_counter()
    model.fit(texts, orders, now=now)
    train_s = time.perf_counter() - t0

    cpu_fused: list[float] = []  # the same searches' CPU time: on a shared machine wall time includes waiting

    def timed_fused(q: str) -> float:
        t0, c0 = time.perf_counter(), time.thread_time()
        hits = index.search(q, limit=CANDIDATES, at=now).hits
        fuse([(h.id, h.score) for h in hits], model, q, allowed=lambda aid: aid in index)
        cpu_fused.append((time.thread_time() - c0) * 1000)
        return (time.perf_counter() - t0) * 1000

    for q in QUERIES:
        timed_fused(q)
    cpu_fused.clear()
    lat_fused = [timed_fused(QUERIES[i % len(QUERIES)]) for i in range(args.queries)]
    cpu_lat_fused = list(cpu_fused)
    add_learned: list[float] = []
    for k in range(20):
        t0 = time.perf_counter()
        model.add_article(f"new{k}", f"新业务{k}办理说明")
        add_learned.append((time.perf_counter() - t0) * 1000)
    lat_after_add = [timed_fused(QUERIES[i % len(QUERIES)]) for i in range(50)]

    table = Table(title=f"KnowledgeIndex benchmark — {args.n:,} synthetic articles")
    table.add_column("measure")
    table.add_column("value", justify="right")

    def p50_p95(values: list[float]) -> str:
        return f"{percentile(values, 50):.2f} / {percentile(values, 95):.2f}"

    table.add_row("index build (s)", f"{build_s:.1f}")
    table.add_row("build throughput (articles/s)", f"{args.n / build_s:,.0f}")
    table.add_row(f"search p50 / p95 (ms, {args.queries} queries)", p50_p95(lat))
    table.add_row("search customer-facing + category p50 / p95 (ms)", p50_p95(lat_cf))
    table.add_row("update one article p50 / p95 (ms)", p50_p95(upd))
    table.add_row("search right after an update p50 / p95 (ms)", p50_p95(upd_query))
    table.add_row("remove one article (ms)", f"{remove_ms:.2f}")
    table.add_row("snapshot save / load (s)", f"{save_s:.1f} / {load_s:.1f}")
    table.add_row("snapshot size (MB)", f"{len(blob) / 1e6:.0f}")
    table.add_row(f"learned: train ({args.n:,} articles + {len(orders):,} orders) (s)", f"{train_s:.1f}")
    table.add_row("learned: own_scale (leave-one-out choice, part of train)", f"{model.own_scale:g}")
    table.add_row(f"learned: fused search p50 / p95 (ms, {args.queries} queries)", p50_p95(lat_fused))
    table.add_row("learned: fused search CPU time p50 / p95 (ms, same queries)", p50_p95(cpu_lat_fused))
    table.add_row("learned: add one article without refit p50 / p95 (ms)", p50_p95(add_learned))
    table.add_row("learned: fused search right after an add p50 / p95 (ms)", p50_p95(lat_after_add))
    Console(width=max(Console().width, 100)).print(table)


if __name__ == "__main__":
    main()
