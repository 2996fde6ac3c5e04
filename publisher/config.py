"""Typed configuration: ``config.yaml`` with embedded defaults, secrets from the environment.

Relative paths are resolved against the folder of the config file (or the
current folder for the embedded defaults). The sample issue ships inside the
package (:mod:`publisher.sample`); ``publisher init`` and ``publisher up`` copy
it into an empty content folder. Environment variables override the
file for deployment settings and are the only place for secrets.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class ConfigError(Exception):
    """The configuration is invalid; the message says where and what to change."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteConfig(_Strict):
    url: str = "http://127.0.0.1:8000"
    title: str | None = None  # defaults to the paper's name
    timezone: str = "Asia/Shanghai"
    publish_hour: int = Field(default=6, ge=0, le=23)

    def local(self, moment: datetime) -> datetime:
        """``moment`` (aware; naive means UTC, as stored) in the paper's time zone, for display."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(ZoneInfo(self.timezone))

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("site.url must start with http:// or https://, e.g. https://news.example.com")
        return value.rstrip("/")


class QueueConfig(_Strict):
    url: str | None = None  # redis://… to use RQ; empty for the embedded queue
    workers: int = Field(default=1, ge=1, le=16)
    build_timeout: int = Field(default=600, ge=1)  # seconds per channel render (time spent waiting for a CPU not counted)
    memory_limit_mb: int = Field(default=2048, ge=64)  # address space per channel render
    # Renders yield the CPU to the server: this niceness added to each render process (and its session's
    # autogroup), and the Linux scheduling policy "batch" (default), "idle" (only what nothing else wants)
    # or "normal" (as the server). render_nice: 0 and render_policy: normal render at the server's priority.
    render_nice: int = Field(default=10, ge=0, le=19)
    render_policy: Literal["batch", "idle", "normal"] = "batch"
    # Seconds between an RQ worker's heartbeats while it builds; a build whose worker has sent none for
    # LOST_AFTER of them (plus a margin) is failed as lost and its issue can be built again.
    heartbeat: int = Field(default=10, ge=1, le=300)


#: OpenCC conversion for a language variant when an edition names none (see publisher.editions).
CONVERSIONS = {"zh-Hant-TW": "s2twp", "zh-Hant-HK": "s2hk", "zh-Hant": "s2t"}
#: The edition the content is written in; ``--edition`` takes it like any other.
SOURCE_EDITION = "zh-Hans"


class EditionConfig(_Strict):
    """One entry of ``editions:`` in config.yaml."""

    name: str = Field(
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})+$", description="folder name and --edition value: a BCP 47 tag, e.g. zh-Hant"
    )
    variant: str = Field(description="the BCP 47 language tag every channel writes, e.g. zh-Hant-TW or zh-Hant-HK")
    conversion: str | None = Field(default=None, description="OpenCC configuration; default from the variant (s2twp, s2hk)")
    path: str | None = Field(default=None, description="URL prefix of the edition; default /<name in lower case>")
    label: str = Field(default="繁體", description="the edition's name in the 简/繁 switch")
    phrases: dict[str, str] = Field(default_factory=dict, description="extra fixes: source phrase → converted phrase")
    protect: tuple[str, ...] = Field(default=(), description="extra proper names that must stay exactly as written")

    @model_validator(mode="after")
    def _known(self) -> EditionConfig:
        if self.conversion is None and self.variant not in CONVERSIONS:
            raise ValueError(
                f"variant {self.variant!r} has no default conversion; set conversion (e.g. s2twp) or use one of {', '.join(CONVERSIONS)}"
            )
        if self.path is not None and not (self.path.startswith("/") and self.path.strip("/") and not self.path.endswith("/")):
            raise ValueError(f"path {self.path!r} must look like /zh-hant")
        return self

    @property
    def opencc_config(self) -> str:
        return self.conversion or CONVERSIONS[self.variant]

    @property
    def url_path(self) -> str:
        return self.path or "/" + self.name.lower()


class DatabaseConfig(_Strict):
    url: str | None = None  # default: sqlite in the data folder


class MailConfig(_Strict):
    """Where the newsletter and confirmation mails go out: ``smtp://user:pass@host:port`` (secrets: use the env)."""

    smtp_url: str | None = None  # smtp:// (STARTTLS when the server offers it), smtps:// (TLS from the start)
    sender: str | None = None  # From: address, e.g. 中国铝业报 <news@example.com>; default news@<SMTP host>
    starttls: bool | None = None  # None: STARTTLS whenever offered on smtp://; True: required; False: never
    timeout: int = Field(default=30, ge=1)  # seconds per SMTP operation
    reply_to: str | None = None

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("smtp://", "smtps://")):
            raise ValueError("mail.smtp_url must start with smtp:// or smtps://, e.g. smtp://user:password@mail.example.com:587")
        return value


class Config(_Strict):
    site: SiteConfig = SiteConfig()
    content: Path = Path("content")
    output: Path = Path("out")
    data: Path = Path("data")
    templates: Path | None = None  # a folder whose <channel>/ subfolders override layouts
    database: DatabaseConfig = DatabaseConfig()
    queue: QueueConfig = QueueConfig()
    mail: MailConfig = MailConfig()
    channels: dict[str, dict[str, Any]] = {}
    editions: tuple[EditionConfig, ...] = ()  # more scripts of every issue, e.g. [{name: zh-Hant, variant: zh-Hant-TW}]
    base_dir: Path = Field(default_factory=Path.cwd)

    def path(self, value: Path) -> Path:
        return value if value.is_absolute() else (self.base_dir / value).resolve()

    @property
    def content_dir(self) -> Path:
        return self.path(self.content)

    @property
    def output_dir(self) -> Path:
        return self.path(self.output)

    @property
    def data_dir(self) -> Path:
        return self.path(self.data)

    @property
    def templates_dir(self) -> Path | None:
        return self.path(self.templates) if self.templates else None

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{self.data_dir / 'publisher.db'}"

    @model_validator(mode="after")
    def _distinct_editions(self) -> Config:
        names = [e.name for e in self.editions]
        paths = [e.url_path for e in self.editions]
        if SOURCE_EDITION in names or len(set(names)) < len(names) or len(set(paths)) < len(paths):
            raise ValueError(
                f"editions: each needs its own name and path, and none may be {SOURCE_EDITION} (the content as written)"
            )
        return self

    def edition(self, name: str | None) -> EditionConfig | None:
        """The configured edition ``name``; None for the source edition (None or zh-Hans)."""
        if name in (None, SOURCE_EDITION):
            return None
        for edition in self.editions:
            if edition.name == name:
                return edition
        known = ", ".join([SOURCE_EDITION, *(e.name for e in self.editions)])
        raise ConfigError(f"there is no edition {name!r} in config.yaml (editions:); known: {known}")

    def channel_options(self, name: str) -> dict[str, Any]:
        return dict(self.channels.get(name) or {})


_ENV = {
    "PUBLISHER_SITE_URL": ("site", "url"),
    "PUBLISHER_DATABASE_URL": ("database", "url"),
    "PUBLISHER_QUEUE_URL": ("queue", "url"),
    "PUBLISHER_SMTP_URL": ("mail", "smtp_url"),
    "PUBLISHER_MAIL_FROM": ("mail", "sender"),
}


def _config_file(path: Path | str | None) -> Path | None:
    """The file named by ``path`` or $PUBLISHER_CONFIG (which must exist), else ./config.yaml, else none."""
    explicit = path or os.environ.get("PUBLISHER_CONFIG")
    if explicit:
        if not Path(explicit).is_file():
            raise ConfigError(
                f"{explicit}: no such config file; name an existing file, or neither --config nor $PUBLISHER_CONFIG for the defaults"
            )
        return Path(explicit).resolve()
    default = Path.cwd() / "config.yaml"
    return default.resolve() if default.is_file() else None


def load_config(path: Path | str | None = None) -> Config:
    """Read the config file (see :func:`_config_file`; embedded defaults when there is none), apply the environment."""
    chosen = _config_file(path)
    data: dict[str, Any] = {}
    if chosen is not None:
        try:
            data = yaml.safe_load(chosen.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{chosen}: not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{chosen}: must be a mapping of settings (site:, content:, …)")
        if "base_dir" in data:
            raise ConfigError(f"{chosen}: base_dir is not a setting; relative paths are relative to this file")
    for var, (group, key) in _ENV.items():
        if os.environ.get(var):
            data[group] = {**(data.get(group) or {}), key: os.environ[var]}
    try:
        return Config(**data, base_dir=chosen.parent if chosen else Path.cwd())
    except ValidationError as exc:
        lines = [f"{chosen or 'the embedded defaults'}: invalid configuration:"]
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            lines.append(f"  {where}: {err['msg'].removeprefix('Value error, ')}")
        raise ConfigError("\n".join(lines)) from None
