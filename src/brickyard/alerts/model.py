"""Alert rules and where alerts go (`alerts:` in brickyard.yml).

    alerts:
      destinations:
        team: {type: webhook, url_env: SLACK_WEBHOOK_URL}        # Slack-compatible {"text": …}
        oncall:
          type: email
          to: [oncall@example.com]
          smtp: {host: smtp.example.com, port: 587, starttls: true,
                 username_env: SMTP_USER, password_env: SMTP_PASSWORD}
      rules:
        - {id: etl-failed, type: failed_run, jobs: [etl_job], notify: [team, oncall]}
        - {id: etl-slower, type: duration_regression, runs: 10, factor: 1.5, notify: [team]}
        - {id: orders-quality, type: expectation_failure_rate, pipelines: [sales], threshold: 0.05,
           notify: [team]}
        - {id: orders-volume, type: volume_drop, datasets: [orders], drop: 0.5, runs: 5, notify: [team]}

Secrets stay out of the file: a webhook URL (which carries its token) and SMTP credentials are
named by environment variable; `url:` is for endpoints without one (a relay on the same host).
Empty `jobs`, `pipelines`, `datasets` or `targets` mean all of them.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SmtpServer(_Model):
    host: str
    port: int = Field(default=25, ge=1, le=65535)
    starttls: bool = False
    ssl: bool = False
    """SMTP over TLS from the first byte (port 465) instead of STARTTLS."""
    username_env: str | None = None
    password_env: str | None = None
    timeout: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _one_tls(self) -> SmtpServer:
        if self.ssl and self.starttls:
            raise ValueError("choose one of ssl and starttls")
        if (self.username_env is None) != (self.password_env is None):
            raise ValueError("username_env and password_env go together")
        return self


class WebhookDestination(_Model):
    type: Literal["webhook"]
    url: str | None = None
    url_env: str | None = None
    """The environment variable holding the URL (most webhook URLs carry their token)."""

    @model_validator(mode="after")
    def _one_url(self) -> WebhookDestination:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("a webhook needs exactly one of url, url_env")
        if self.url is not None and not re.match(r"https?://", self.url):
            raise ValueError("url must start with http:// or https://")
        return self


class EmailDestination(_Model):
    type: Literal["email"]
    to: list[str] = Field(min_length=1)
    sender: str = Field(default="brickyard@localhost", alias="from")
    smtp: SmtpServer

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        bad = [a for a in value if not re.fullmatch(r"[^@\s]+@[^@\s]+", a)]
        if bad:
            raise ValueError(f"not an email address: {', '.join(bad)}")
        return value


Destination = Annotated[WebhookDestination | EmailDestination, Field(discriminator="type")]


class _Rule(_Model):
    id: str
    notify: list[str] = Field(min_length=1)
    """Destination names."""
    targets: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
            raise ValueError("rule ids are letters, digits, '.', '_' and '-'")
        return value


class FailedRunRule(_Rule):
    """The newest finished run of a job did not succeed."""

    type: Literal["failed_run"]
    jobs: list[str] = Field(default_factory=list)


class DurationRegressionRule(_Rule):
    """The newest finished run took more than `factor` × the median of the `runs` before it."""

    type: Literal["duration_regression"]
    jobs: list[str] = Field(default_factory=list)
    runs: int = Field(default=10, ge=1)
    factor: float = Field(default=1.5, gt=1)
    min_runs: int = Field(default=3, ge=1)
    """Fewer earlier runs than this and the rule stays quiet (a new job has no baseline)."""


class ExpectationRateRule(_Rule):
    """In the newest update, an expectation failed more than `threshold` of the records it checked."""

    type: Literal["expectation_failure_rate"]
    pipelines: list[str] = Field(default_factory=list)
    datasets: list[str] = Field(default_factory=list)
    threshold: float = Field(ge=0, lt=1)


class VolumeDropRule(_Rule):
    """In the newest completed update, a dataset wrote fewer than (1 - `drop`) × the median rows of
    the `runs` completed updates before it."""

    type: Literal["volume_drop"]
    pipelines: list[str] = Field(default_factory=list)
    datasets: list[str] = Field(default_factory=list)
    drop: float = Field(gt=0, le=1)
    runs: int = Field(default=5, ge=1)


AlertRule = Annotated[
    FailedRunRule | DurationRegressionRule | ExpectationRateRule | VolumeDropRule,
    Field(discriminator="type"),
]
JOB_RULES = (FailedRunRule, DurationRegressionRule)


class AlertSettings(_Model):
    destinations: dict[str, Destination] = Field(default_factory=dict)
    rules: list[AlertRule] = Field(default_factory=list)

    @field_validator("rules")
    @classmethod
    def _known_destinations(cls, rules: list[AlertRule], info: ValidationInfo) -> list[AlertRule]:
        known = set(info.data.get("destinations") or {})
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"two rules have the id {rule.id!r}")
            seen.add(rule.id)
            unknown = [name for name in rule.notify if name not in known]
            if unknown:
                raise ValueError(
                    f"rule {rule.id!r} notifies {', '.join(map(repr, unknown))}, which is not in "
                    f"alerts.destinations (known: {', '.join(sorted(known)) or 'none'})"
                )
        return rules
