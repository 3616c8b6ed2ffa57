"""The retention engine: eligibility by stage, holdout never tasked, balance within a region, determinism."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.insight import offers, retention
from telqc.insight.retention import Agent, Candidate

RULES = retention.load_rules()
STAGES = ("contract_expiring", "churn_risk", "lapsed", "mature", "new")
PROVINCES = ("440000", "330000", "110000")

candidates = st.lists(st.builds(Candidate, customer_id=st.integers(1, 10**6), province=st.sampled_from(PROVINCES),
                                stage=st.sampled_from(STAGES),
                                churn=st.none() | st.floats(0, 1, allow_nan=False)), max_size=120,
                      unique_by=lambda c: c.customer_id)
agents = st.lists(st.tuples(st.integers(1, 50), st.sampled_from(PROVINCES[:2])), max_size=8,
                  unique_by=lambda a: a[0]).map(lambda xs: [Agent(u, (p,)) for u, p in xs])


def test_the_rules_file_maps_each_stage_to_its_action() -> None:
    assert RULES.stages["contract_expiring"].action == "offer"
    assert RULES.stages["churn_risk"].action == "callback" and RULES.stages["lapsed"].action == "fault_check"
    assert 0 < RULES.holdout_share <= 0.5


def test_a_small_run_by_hand() -> None:
    cs = [Candidate(1, "440000", "contract_expiring", None, "2027-01-31"), Candidate(2, "440000", "mature"),
          Candidate(3, "440000", "churn_risk", 0.1), Candidate(4, "440000", "churn_risk", 0.8),
          Candidate(5, "330000", "lapsed")]  # nobody covers 330000: left out before the draw
    rules = RULES.model_copy(update={"holdout_share": 0.0})
    picks = retention.plan("c1", cs, [Agent(7, ("440000",)), Agent(9, ("440000",))], rules)
    assert [(p.customer_id, p.action, p.agent_id) for p in picks] == [(1, "offer", 7), (4, "callback", 9)]
    assert picks[0].reason == "合约将于 2027-01-31 到期"


@settings(max_examples=150, deadline=None)
@given(candidates, agents, st.floats(0, 0.5))
def test_holdout_gets_no_task_and_tasks_are_balanced_and_deterministic(cs: list[Candidate], ags: list[Agent],
                                                                       share: float) -> None:
    rules = RULES.model_copy(update={"holdout_share": share})
    picks = retention.plan("camp", cs, ags, rules)
    assert picks == retention.plan("camp", list(reversed(cs)), list(reversed(ags)), rules), "deterministic"
    covered = {p for a in ags for p in a.provinces}
    assert all(p.province in covered for p in picks)
    assert len({p.customer_id for p in picks}) == len(picks)
    for p in picks:
        assert (p.agent_id is None) == p.holdout
        assert p.stage in RULES.stages
    by_agent = {a.user_id: a.provinces[0] for a in ags}
    for prov in covered:
        load = Counter(p.agent_id for p in picks if not p.holdout and p.province == prov)
        counts = [load.get(u, 0) for u, pv in by_agent.items() if pv == prov]
        assert all(u is not None and by_agent[u] == prov for u in load), "an agent of the customer's region"
        assert max(counts) - min(counts) <= 1, "balanced within the region"


def test_holdout_share_is_roughly_kept_and_reseeded_by_the_seed() -> None:
    cs = [Candidate(i, "440000", "lapsed") for i in range(1, 4001)]
    picks = retention.plan("big", cs, [Agent(1, ("440000",))], RULES)
    held = {p.customer_id for p in picks if p.holdout}
    assert 0.08 < len(held) / len(picks) < 0.12
    other = retention.plan("big", cs, [Agent(1, ("440000",))], RULES.model_copy(update={"seed": 7}))
    assert held != {p.customer_id for p in other if p.holdout}


def test_conversion_counts_only_decided_offers() -> None:
    rows = [("agent", "gold", True, 2), ("agent", "gold", False, 6), ("agent", "gold", None, 10),
            ("retention", "vip", True, 1), ("retention", "vip", False, 3)]
    out = {(c.channel, c.segment): c for c in offers.rates(rows)}
    a = out[("agent", "gold")]
    assert (a.shown, a.decided, a.accepted, a.rate) == (18, 8, 2, 0.25)
    assert out[("retention", "vip")].rate == 0.25
    assert offers.rates([("agent", "x", None, 3)])[0].rate is None
