"""Runtime settings, read from the environment with the ``TELQC_`` prefix."""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development-only keys: usable for the embedded demo, refused in production.
DEV_PII_KEY = "dev1:" + base64.b64encode(b"telqc-dev-pii-key-do-not-use!!!!").decode()
DEV_INDEX_KEY = "telqc-dev-blind-index-key"
DEV_SECRET = "telqc-dev-secret"
DEV_AUDIT_KEY = "dev1:" + base64.b64encode(b"telqc-dev-audit-key-do-not-use!!").decode()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TELQC_", env_file=".env", extra="ignore")

    env: str = Field("development", description="development | test | production")
    data_dir: Path = Path("var")
    database_url: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"
    celery_broker_url: str = "redis://127.0.0.1:6379/1"
    # inline: events are delivered in-process right after each commit (embedded default, tests);
    # celery: a worker delivers them (production).
    jobs_mode: str = "inline"
    secret_key: str = DEV_SECRET
    # Comma-separated "keyid:base64(32 bytes)"; the first is used for new data.
    pii_keys: str = DEV_PII_KEY
    blind_index_key: str = DEV_INDEX_KEY
    session_hours: int = 12
    max_body_bytes: int = 2 * 1024 * 1024  # 413 above this (api/body_limit.py)
    max_upload_bytes: int = 64 * 1024 * 1024  # multipart file imports
    # A token verified against its session row is trusted for this long per process (0: every request).
    auth_cache_seconds: float = 10.0
    # Login throttle (core/login_throttle.py): failed attempts per account name and per client address within
    # a window that starts at the first failure; the next attempt is refused until the window ends (0 disables).
    login_max_failures: int = 5
    login_max_failures_per_address: int = 30
    login_window_minutes: int = 15
    verify_max_failures: int = 3
    verify_lockout_minutes: int = 30
    default_language: str = "zh-CN"
    timezone: str = "Asia/Shanghai"
    # Active subscribers each customer record stands for, when the subscriber base (the denominator of the
    # complaint rate, KPI.md "per 10,000 active subscribers") is recounted from customers: 1 for a full
    # customer base; a sample database (the demo's 2,000 customers) stands for a larger base.
    subscribers_per_customer: int = 1

    # --- audit: keyed chain and anchors (issue 17 item 4, core/audit_keys.py, core/audit_anchor.py) ---
    # Comma-separated "keyid:base64(32 bytes)"; the first signs new audit entries and anchors, all verify theirs.
    audit_keys: str = DEV_AUDIT_KEY
    # Audit rows with id <= this were chained unkeyed before migration 0005_audit (plain SHA-256); none after.
    audit_legacy_until: int = 0
    # Directory for the signed checkpoints of `telqc audit anchor` and the hourly job (default data_dir/audit-anchors).
    audit_anchor_dir: Path | None = None
    # TMF621 tickets created without a customer by an account that covers several regions (or all) go to
    # this province's unidentified-caller customer; unset, such a create must name its customer.
    tmf_unidentified_province: str | None = Field(None, pattern=r"^\d{6}$")

    # --- web hardening (issue 17 item 5, api/protect.py) ---
    # Comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed; empty:
    # the socket's peer address is the client (a client cannot choose its address for the login throttle).
    trusted_proxies: str = ""

    # --- TMF621 event hub (issue 17 item 1, api/tmf621/hub.py and callbacks.py) ---
    # Comma-separated host names or IP/CIDR ranges a callback may reach although loopback, private or
    # link-local (e.g. "127.0.0.1" for a test receiver, "10.20.0.0/16,crm.internal"); empty: public only.
    hub_allowed_hosts: str = ""
    hub_timeout_seconds: float = 5.0  # per delivery attempt, wall clock: connect, send, status line and headers
    hub_max_attempts: int = 10  # then the delivery is a dead letter, until an administrator replays it
    hub_max_subscriptions: int = 20  # per user: each subscription multiplies every event's deliveries

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> Settings:
        if self.env == "production":
            dev = {
                "secret_key": self.secret_key == DEV_SECRET,
                "pii_keys": self.pii_keys == DEV_PII_KEY,
                "blind_index_key": self.blind_index_key == DEV_INDEX_KEY,
                "audit_keys": DEV_AUDIT_KEY.partition(":")[2] in self.audit_keys,  # not even to verify old rows
            }
            bad = [name for name, is_dev in dev.items() if is_dev]
            if bad:
                raise ValueError(f"production refuses development secrets: set TELQC_{bad[0].upper()}")
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'telqc.db').resolve()}"

    @property
    def effective_audit_anchor_dir(self) -> Path:
        return self.audit_anchor_dir or self.data_dir / "audit-anchors"


@lru_cache
def get_settings() -> Settings:
    return Settings()
