"""Network-incident tables (网络故障): the incident, its history, the complaints linked to it, the
detection state, planned works, network KPI samples and the post-incident review.

Orders are referenced by plain integers (`order_id`): incidents learns about orders from their events
(`order.created`) and changes them only through `telqc.orders.service`, never through their tables.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")
_STATES = "'suspected','confirmed','restoring','restored','verified','reviewed','archived','dismissed'"
_KINDS = "'storm','network','manual'"


class SeverityLevel(Base):
    """One grade of the severity scale (特别重大 / 重大 / 较大 / 一般): how fast netops must respond, how often
    affected customers hear news, who is told, and whether a joint test must precede verification."""

    __tablename__ = "incident_severity_levels"
    __table_args__ = (CheckConstraint("response_min > 0 and update_min > 0", name="intervals"),)

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)  # 1 = most severe
    name: Mapped[str] = mapped_column(String(20))
    name_en: Mapped[str] = mapped_column(String(40))
    response_min: Mapped[int] = mapped_column(Integer)
    update_min: Mapped[int] = mapped_column(Integer)
    notify_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    joint_test_required: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DetectionRule(Base):
    """Mass-complaint threshold (KPI.md 批量投诉): `threshold` complaints of `category` in one district within
    `window_min` minutes propose a suspected incident; `confirm_threshold` confirms it. NULL = any."""

    __tablename__ = "incident_detection_rules"
    __table_args__ = (
        UniqueConstraint("category", "area_type", name="scope"),
        CheckConstraint("threshold > 0 and window_min > 0 and confirm_threshold >= threshold", name="values"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str | None] = mapped_column(String(40))
    area_type: Mapped[str | None] = mapped_column(String(8))
    threshold: Mapped[int] = mapped_column(Integer)
    window_min: Mapped[int] = mapped_column(Integer)
    confirm_threshold: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Incident(Base):
    """A network incident affecting many customers. `open_key` is set while a detected incident is open
    (district|category) and unique, so one burst can never open two incidents, whichever process sees it."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(f"status in ({_STATES})", name="status"),
        CheckConstraint(f"kind in ({_KINDS})", name="kind"),
        Index("ix_incidents_province_status", "province_code", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(120))
    severity: Mapped[str] = mapped_column(ForeignKey("incident_severity_levels.code"))
    status: Mapped[str] = mapped_column(String(12), default="suspected")
    open_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    province_code: Mapped[str] = mapped_column(String(12))
    city_code: Mapped[str | None] = mapped_column(String(12))
    district_code: Mapped[str | None] = mapped_column(String(12))
    cells: Mapped[list[str]] = mapped_column(JSON, default=list)  # cell ids or broadband access points
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)  # order categories it explains
    services: Mapped[list[str]] = mapped_column(JSON, default=list)  # mobile | broadband | iptv | voice
    cause: Mapped[str | None] = mapped_column(Text)
    prepared_answer: Mapped[str | None] = mapped_column(Text)  # 统一答复口径 the agents read out
    estimated_restore_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())  # first complaint or alarm of the burst
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last broadcast of progress
    joint_test: Mapped[str | None] = mapped_column(Text)  # 联合测试 record after the fix
    joint_test_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    linked_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class IncidentHistory(Base):
    """One change of an incident (status, severity, estimate, note…); `public` rows reach customers."""

    __tablename__ = "incident_history"
    __table_args__ = (Index("ix_incident_history_incident", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    field: Mapped[str] = mapped_column(String(20))
    from_value: Mapped[str | None] = mapped_column(String(60))
    to_value: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)


class PlannedWork(Base):
    """割接 / 维护窗口 registered ahead: customers in the area are told beforehand, and complaints inside
    the window link to it instead of counting toward a mass-complaint burst."""

    __tablename__ = "incident_planned_works"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="window"),
        CheckConstraint("status in ('scheduled','cancelled','done')", name="status"),
        Index("ix_incident_planned_works_window", "province_code", "end_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    province_code: Mapped[str] = mapped_column(String(12))
    city_code: Mapped[str | None] = mapped_column(String(12))
    district_code: Mapped[str | None] = mapped_column(String(12))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    linked_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class IncidentLink(Base):
    """An order explained by an incident or a planned work (one of the two); `resolved_at` is set in the
    same transaction as the order's resolution, so a resumed bulk resolution skips it."""

    __tablename__ = "incident_links"
    __table_args__ = (
        CheckConstraint("(incident_id is null) <> (planned_work_id is null)", name="target"),
        CheckConstraint("how in ('detected','auto','manual')", name="how"),
        Index("ix_incident_links_incident", "incident_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(BigId, unique=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    planned_work_id: Mapped[int | None] = mapped_column(ForeignKey("incident_planned_works.id", ondelete="CASCADE"),
                                                        index=True)
    customer_id: Mapped[int] = mapped_column(Integer, index=True)
    how: Mapped[str] = mapped_column(String(10))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ComplaintSignal(Base):
    """A watched complaint as it arrived (from `order.created`): what the sliding window counts."""

    __tablename__ = "incident_signals"
    __table_args__ = (Index("ix_incident_signals_window", "district_code", "category", "at"),)

    order_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    province_code: Mapped[str] = mapped_column(String(12))
    city_code: Mapped[str | None] = mapped_column(String(12))
    district_code: Mapped[str] = mapped_column(String(12))
    area_type: Mapped[str] = mapped_column(String(8))
    site_id: Mapped[str | None] = mapped_column(String(40), index=True)  # the cell / access point complained of
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    counted: Mapped[bool] = mapped_column(Boolean, default=True)  # False: explained by a planned work


class Detector(Base):
    """One row per district × category, locked while a complaint is counted: detectors in several processes
    count the same window one after another, so the complaint that crosses the threshold is seen once."""

    __tablename__ = "incident_detectors"

    district_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IncidentNotice(Base):
    """A broadcast to one affected customer; `key` is unique so each kind of news reaches them once."""

    __tablename__ = "incident_notices"
    __table_args__ = (Index("ix_incident_notices_unsent", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    planned_work_id: Mapped[int | None] = mapped_column(ForeignKey("incident_planned_works.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class IncidentEscalation(Base):
    """The grade's "who is told" (操作流程 四.4: a major fault is reported at once to the departments and leaders
    concerned): one internal message per staff member of the grade's roles in the incident's region, its `key`
    unique per incident × grade × user, so a confirmation or a raise to a grade tells each of them once."""

    __tablename__ = "incident_escalations"
    __table_args__ = (Index("ix_incident_escalations_unsent", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    severity: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class NetworkSample(Base):
    """One network KPI reading for an area (utilisation, latency, packet loss, call drop rate, availability)."""

    __tablename__ = "incident_network_samples"
    __table_args__ = (
        UniqueConstraint("district_code", "metric", "at", name="reading"),
        CheckConstraint("metric in ('utilisation','latency_ms','packet_loss','call_drop','availability')",
                        name="metric"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    province_code: Mapped[str] = mapped_column(String(12))
    district_code: Mapped[str] = mapped_column(String(12))
    metric: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[float] = mapped_column(Float)


class NetworkAlarm(Base):
    """A threshold or trend alarm raised from the samples; it opens (or joins) a suspected incident."""

    __tablename__ = "incident_network_alarms"
    __table_args__ = (UniqueConstraint("district_code", "metric", "at", "kind", name="alarm"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(12))
    metric: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(10))  # threshold | trend
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[float] = mapped_column(Float)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))


class IncidentReview(Base):
    """复盘: timeline, cause, impact (customers, orders, SLA breaches), actions and lessons."""

    __tablename__ = "incident_reviews"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    timeline: Mapped[str] = mapped_column(Text)
    cause: Mapped[str] = mapped_column(Text)
    impact: Mapped[dict[str, int]] = mapped_column(JSON)
    actions: Mapped[str] = mapped_column(Text)
    lessons: Mapped[str] = mapped_column(Text)
    improvement: Mapped[str | None] = mapped_column(Text)  # the improvement action it asks for
    improvement_plan_id: Mapped[int | None] = mapped_column(Integer)  # the PDCA plan it opened (improvement)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
