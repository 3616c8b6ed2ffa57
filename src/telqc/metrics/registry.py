"""Every KPI of KPI.md, defined once: the only place a KPI formula exists.

A formula reads *parts* — additive sums kept in rollups (see ``telqc.metrics.facts``) — so the
same definition serves an hour of one agent and a quarter of the whole country. Dashboards,
reports, hotspots and the API all evaluate KPIs through ``KPI.value`` (one cell) or ``KPI.values``
(every cell of a rollup read at once, as numpy columns).

Formulas are written with ``ratio`` / ``per`` / ``when`` instead of ``if``, so the very same
expression evaluates on floats and on arrays, with the same IEEE operations in the same order:
a dashboard computed cell by cell and one computed column-wise give identical numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from telqc.metrics import sketch

PERIODS = ("hour", "day", "week", "month")
# API name -> rollup column; "period" is always allowed and is not listed.
DIMENSIONS: dict[str, str] = {
    "channel": "channel", "province": "province_code", "city": "city_code", "area_type": "area_type",
    "team": "team_id", "agent": "agent_id", "category": "category", "tier": "tier",
}
ALL = frozenset(DIMENSIONS)
GEO = frozenset({"province", "city", "area_type", "tier"})
SUBSCRIBER_BASE_DIMS = GEO  # the active-subscriber base is known by these only

Parts = Mapping[str, Any]          # part name -> float, or -> numpy column
Formula = Callable[[Parts], Any]   # a float / array; NaN where the KPI has no value


def ratio(num: Any, den: Any) -> Any:
    """num / den where den > 0, else NaN ("no data"): a ratio without a denominator has no value."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.full(np.broadcast(num, den).shape, np.nan), where=den > 0)


def per(num: Any, den: Any, scale: float) -> Any:
    """num / den × scale (per 10,000 subscribers, NPS points), NaN without a denominator."""
    return ratio(num, den) * scale


def when(cond: Any, value: Any) -> Any:
    return np.where(cond, value, np.nan)


@dataclass(frozen=True)
class KPI:
    name: str
    zh: str
    en: str
    unit: str            # ratio | seconds | count | per_10k | per_million | score | points | variance
    direction: str       # higher | lower | neutral
    target: float | None
    parts: tuple[str, ...]
    formula: Formula
    dims: frozenset[str] = ALL
    definition: str = ""
    # Targets that differ by a dimension value, e.g. rural field response (KPI.md).
    target_by: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    needs_subscribers: bool = False

    def value(self, parts: Parts) -> float | None:
        """One cell: missing parts read as zero; None when the KPI has no value (no denominator)."""
        v = self.formula(_Zero(parts))
        return None if v is None or math.isnan(v := float(v)) else v

    def values(self, cols: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        """Every cell at once from part columns of length n (missing parts are zero); NaN = no value."""
        zero = _Columns(cols, n)
        try:
            out = np.asarray(self.formula(zero), dtype=float)
        except (TypeError, ValueError):  # a formula registered with scalar-only code: cell by cell
            out = np.array([np.nan if (v := self.value({p: c[i] for p, c in cols.items()})) is None else v
                            for i in range(n)], dtype=float)
        return np.broadcast_to(out, (n,))

    def target_for(self, group: Mapping[str, str] | None = None) -> float | None:
        for dim, by in self.target_by.items():
            v = (group or {}).get(dim)
            if v is not None and v in by:
                return by[v]
        return self.target


class _Zero(dict[str, float]):
    """Missing parts read as zero: a bucket without abandoned contacts has none."""

    def __missing__(self, key: str) -> float:
        return 0.0


class _Columns(dict[str, np.ndarray]):
    def __init__(self, cols: Mapping[str, np.ndarray], n: int) -> None:
        super().__init__(cols)
        self.n = n

    def __missing__(self, key: str) -> np.ndarray:
        return np.zeros(self.n)


def status(kpi: KPI, value: float | None, target: float | None, amber_band: float = 0.10) -> str:
    """Traffic light: green meets target; amber within 10 % of it; red beyond; grey without data."""
    if value is None or target is None or kpi.direction == "neutral":
        return "grey"
    gap = value - target if kpi.direction == "higher" else target - value
    if gap >= 0:
        return "green"
    band = abs(target) * amber_band if target else 1.0
    return "amber" if -gap <= band else "red"


def _pct(metric: str, q: float) -> Formula:
    return lambda p: sketch.quantile(p, metric, q)


H = sketch.parts_of
_INCIDENT_DIMS = frozenset({"province", "city"})  # an incident's area; it has no channel, team or agent
_NPS = ("nps_n", "nps_pro", "nps_det")

KPIS: tuple[KPI, ...] = (
    # contact handling
    KPI("offered", "呼入量", "Offered contacts", "count", "neutral", None, ("offered",),
        lambda p: p["offered"], definition="进入队列的接触量"),
    KPI("service_level", "服务水平", "Service level", "ratio", "higher", 0.80,
        ("answered_20", "offered", "abandoned_short"),
        lambda p: ratio(p["answered_20"], p["offered"] - p["abandoned_short"]),
        definition="20秒内接通 /（呼入 − 5秒内放弃）"),
    KPI("answer_rate_15s", "15秒人工接通率", "15-second answer rate", "ratio", "higher", 0.85,
        ("answered_15", "offered"), lambda p: ratio(p["answered_15"], p["offered"]),
        definition="15秒内人工接通 / 转人工呼入"),
    KPI("abandonment_rate", "放弃率", "Abandonment rate", "ratio", "lower", 0.05,
        ("abandoned_late", "offered"), lambda p: ratio(p["abandoned_late"], p["offered"]),
        definition="5秒后放弃 / 呼入"),
    KPI("asa", "平均应答速度", "ASA", "seconds", "lower", 20.0, ("wait_sum", "handled"),
        lambda p: ratio(p["wait_sum"], p["handled"]), definition="已接通接触的平均排队时长"),
    KPI("asa_p90", "应答时长P90", "ASA p90", "seconds", "lower", 45.0, tuple(H("asa")), _pct("asa", 0.9),
        definition="已接通接触排队时长的90分位（分箱直方图）"),
    KPI("aht", "平均处理时长", "AHT", "seconds", "lower", 360.0, ("handle_sum", "handled"),
        lambda p: ratio(p["handle_sum"], p["handled"]), definition="平均（通话 + 保持 + 话后处理）"),
    KPI("aht_p90", "处理时长P90", "AHT p90", "seconds", "lower", 600.0, tuple(H("aht")), _pct("aht", 0.9),
        definition="处理时长的90分位（分箱直方图）"),
    KPI("occupancy", "坐席占用率", "Occupancy", "ratio", "higher", 0.85, ("handle_sum", "available_s"),
        lambda p: when(p["available_s"] > 0, ratio(p["handle_sum"], p["available_s"] + p["handle_sum"])),
        dims=frozenset({"channel", "team", "agent"}), definition="处理时长 /（空闲可用时长 + 处理时长）"),
    KPI("transfer_rate", "转接率", "Transfer rate", "ratio", "lower", 0.10, ("transferred", "handled"),
        lambda p: ratio(p["transferred"], p["handled"]), definition="至少转接一次的接触 / 已处理"),
    KPI("fcr", "首次解决率", "First-contact resolution", "ratio", "higher", 0.75,
        ("handled", "transferred", "fcr_repeat"),
        lambda p: ratio(p["handled"] - p["transferred"] - p["fcr_repeat"], p["handled"]),
        definition="7天内同客户同类别无重复来电且未转二线 / 已处理"),
    KPI("fcr_survey", "首次解决率（调查）", "FCR (survey)", "ratio", "higher", 0.75, ("fcrs_n", "fcrs_yes"),
        lambda p: ratio(p["fcrs_yes"], p["fcrs_n"]), definition="调查中回答“已解决”的比例"),
    # work orders and complaints
    KPI("first_response_time", "首次响应时长", "First-response time", "seconds", "lower", 1800.0,
        ("frt_sum", "frt_n"), lambda p: ratio(p["frt_sum"], p["frt_n"]), definition="创建 → 首次响应（工作时间）"),
    KPI("first_response_p90", "首次响应P90", "First-response p90", "seconds", "lower", 3600.0,
        tuple(H("frt")), _pct("frt", 0.9), definition="首次响应时长90分位"),
    KPI("resolution_time", "处理时长", "Resolution time", "seconds", "lower", 86400.0, ("res_sum", "resolved"),
        lambda p: ratio(p["res_sum"], p["resolved"]), definition="创建 → 解决（工作时间，不含挂起）"),
    KPI("resolution_p90", "处理时长P90", "Resolution p90", "seconds", "lower", 172800.0,
        tuple(H("res")), _pct("res", 0.9), definition="处理时长90分位"),
    KPI("sla_compliance", "时限达标率", "SLA compliance", "ratio", "higher", 0.95, ("resolved_in_time", "resolved"),
        lambda p: ratio(p["resolved_in_time"], p["resolved"]), definition="时限内解决 / 已解决工单"),
    KPI("complaint_rate", "投诉率", "Complaint rate", "per_10k", "lower", 2.0, ("complaints", "subscribers"),
        lambda p: per(p["complaints"], p["subscribers"], 10_000),
        dims=frozenset({"channel", "province", "city", "area_type", "tier", "category"}), needs_subscribers=True,
        definition="每万名在网用户投诉量"),
    KPI("timely_complaint_handling", "投诉处理及时率", "Timely complaint handling", "ratio", "higher", 0.98,
        ("cmp_closed_in_time", "cmp_closed"), lambda p: ratio(p["cmp_closed_in_time"], p["cmp_closed"]),
        definition="时限内关闭的投诉 / 关闭的投诉"),
    KPI("complaint_satisfaction", "投诉满意率", "Complaint satisfaction", "ratio", "higher", 0.90,
        ("cb_satisfied", "cb_answers"), lambda p: ratio(p["cb_satisfied"], p["cb_answers"]),
        definition="回访满意 / 回访应答（投诉）"),
    KPI("closed_loop_rate", "投诉闭环率", "Closed-loop rate", "ratio", "higher", 0.98,
        ("cmp_closed_loop", "cmp_closed"), lambda p: ratio(p["cmp_closed_loop"], p["cmp_closed"]),
        definition="已解决、已告知客户且已回访的投诉 / 关闭的投诉"),
    KPI("repeat_complaint_rate", "重复投诉率", "Repeat complaint rate", "ratio", "lower", 0.05,
        ("cmp_repeat", "complaints"), lambda p: ratio(p["cmp_repeat"], p["complaints"]),
        definition="30天内同客户同类别再次投诉 / 投诉"),
    KPI("escalated_complaint_rate", "越级投诉率", "Escalated complaint rate", "per_million", "lower", 10.0,
        ("complaints_regulator", "subscribers"),
        lambda p: per(p["complaints_regulator"], p["subscribers"], 1_000_000),
        dims=frozenset({"channel", "province", "city", "area_type", "tier", "category"}), needs_subscribers=True,
        definition="每百万用户向工信部/12300等外部越级投诉量"),
    KPI("mass_complaint", "批量投诉", "Mass complaints", "count", "lower", 0.0, ("mass",), lambda p: p["mass"],
        dims=frozenset({"province", "city", "category"}),
        definition="同一地市同一类别30分钟窗口内投诉≥10件的次数"),
    KPI("handling_accuracy", "业务办理准确率", "Handling accuracy", "ratio", "higher", 0.98,
        ("biz_accurate", "biz_completed"), lambda p: ratio(p["biz_accurate"], p["biz_completed"]),
        definition="无返工/更正完成的业务办理 / 完成的业务办理"),
    KPI("field_response_time", "故障响应时长", "Field response time", "seconds", "lower", 7200.0,
        ("field_sum", "field_n"), lambda p: ratio(p["field_sum"], p["field_n"]),
        target_by={"area_type": {"urban": 7200.0, "rural": 14400.0}},
        definition="报修 → 装维人员响应；城区2小时、农村4小时"),
    # customer voice and quality
    KPI("csat", "客户满意度", "CSAT", "ratio", "higher", 0.90, ("csat_good", "csat_n"),
        lambda p: ratio(p["csat_good"], p["csat_n"]), definition="评分4或5的回复 / 回复（1–5分）"),
    KPI("csat_mean", "满意度均分", "CSAT mean", "score", "higher", 4.5, ("csat_sum", "csat_n"),
        lambda p: ratio(p["csat_sum"], p["csat_n"]), definition="满意度评分均值（1–5分）"),
    KPI("nps", "净推荐值", "NPS", "points", "higher", 30.0, _NPS,
        lambda p: per(p["nps_pro"] - p["nps_det"], p["nps_n"], 100),
        definition="推荐者(9–10)% − 贬损者(0–6)%"),
    KPI("survey_response_rate", "回复率", "Survey response rate", "ratio", "higher", 0.20,
        ("survey_answered", "survey_invited"), lambda p: ratio(p["survey_answered"], p["survey_invited"]),
        definition="回复 / 发出的调查邀请"),
    KPI("qa_score", "质检得分", "QA score", "score", "higher", 90.0, ("qa_sum", "qa_n"),
        lambda p: ratio(p["qa_sum"], p["qa_n"]), definition="被质检交互的平均得分（0–100）"),
    KPI("qa_pass_rate", "质检合格率", "QA pass rate", "ratio", "higher", 0.95, ("qa_pass", "qa_n"),
        lambda p: ratio(p["qa_pass"], p["qa_n"]), definition="达到合格线且无致命项 / 质检量"),
    KPI("fatal_error_rate", "致命差错率", "Fatal error rate", "ratio", "lower", 0.01, ("qa_fatal", "qa_n"),
        lambda p: ratio(p["qa_fatal"], p["qa_n"]), definition="含致命项的质检 / 质检量"),
    KPI("calibration_variance", "校准偏差", "Calibration variance", "variance", "lower", 25.0,
        ("cal_n", "cal_var"), lambda p: ratio(p["cal_var"], p["cal_n"]), dims=frozenset(),
        definition="同一交互各质检员得分的方差（均值）"),
    # network incidents (the incidents domain's events; customers affected and complaints avoided by advance
    # notice count distinct customers, which rollups cannot add up: incidents.kpis computes those)
    KPI("incident_count", "网络事件数", "Network incidents", "count", "lower", None, ("inc_opened",),
        lambda p: p["inc_opened"], dims=_INCIDENT_DIMS, definition="由投诉或告警发现、或网络部门申报的网络事件"),
    KPI("grave_incident_count", "重大及以上事件数", "Major incidents", "count", "lower", None, ("inc_grave",),
        lambda p: p["inc_grave"], dims=_INCIDENT_DIMS, definition="开立时定级为特别重大或重大的网络事件"),
    KPI("time_to_detect", "事件发现时长", "Time to detect", "seconds", "lower", None,
        ("inc_detect_sum", "inc_detect_n"), lambda p: ratio(p["inc_detect_sum"], p["inc_detect_n"]),
        dims=_INCIDENT_DIMS, definition="首个相关投诉或告警 → 系统提出疑似事件（自动发现的事件）"),
    KPI("time_to_restore", "事件恢复时长", "Time to restore", "seconds", "lower", None,
        ("inc_restore_sum", "inc_restored"), lambda p: ratio(p["inc_restore_sum"], p["inc_restored"]),
        dims=_INCIDENT_DIMS, definition="事件发现 → 网络恢复"),
    KPI("incident_linked_orders", "事件关联工单数", "Orders linked to incidents", "count", "neutral", None,
        ("inc_linked",), lambda p: p["inc_linked"], dims=_INCIDENT_DIMS,
        definition="恢复时关联到事件、随之批量解决的工单"),
)

BY_NAME: dict[str, KPI] = {k.name: k for k in KPIS}


def get(name: str) -> KPI | None:
    return BY_NAME.get(name)


def register(kpi: KPI) -> None:
    """Open for KPIs that other domains add later (e.g. workforce adherence)."""
    global KPIS
    if kpi.name in BY_NAME:
        raise ValueError(f"KPI {kpi.name} already registered")
    BY_NAME[kpi.name] = kpi
    KPIS = (*KPIS, kpi)


# The KPI.md rows, by their registry name (mass complaint is a count of detected bursts).
KPI_MD = (
    "offered", "service_level", "answer_rate_15s", "abandonment_rate", "asa", "aht", "occupancy",
    "transfer_rate", "fcr", "first_response_time", "resolution_time", "sla_compliance", "complaint_rate",
    "timely_complaint_handling", "complaint_satisfaction", "closed_loop_rate", "repeat_complaint_rate",
    "escalated_complaint_rate", "mass_complaint", "handling_accuracy", "field_response_time", "csat", "nps",
    "survey_response_rate", "qa_score", "qa_pass_rate", "fatal_error_rate", "calibration_variance",
)
