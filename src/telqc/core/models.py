"""Organisation tables: regions, teams, users and their login sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime


class Region(Base):
    """Province → city → district; districts carry urban/rural, which changes service targets."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(10))  # province | city | district
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    area_type: Mapped[str | None] = mapped_column(String(8))  # urban | rural (districts)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"))
    # Province codes this user may read; NULL means all regions.
    region_scope: Mapped[list[str] | None] = mapped_column(JSON)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class AuthSession(Base):
    """A login: the web cookie and the API bearer token are the same opaque secret, stored hashed."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginFailure(Base):
    """Failed sign-ins per account name or client address, counted in a window (`telqc.core.login_throttle`).

    In the database rather than in memory, so that every API process counts the same attempts: a guesser
    spreading requests over processes (or over a restart) gets no more tries."""

    __tablename__ = "login_failures"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # account | address
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # the user name as typed, or the address
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
