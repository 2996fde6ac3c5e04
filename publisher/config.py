"""Typed configuration: ``config.yaml`` with embedded defaults, secrets from the environment.

Relative paths are resolved against the folder of the config file (or the
project root for the embedded defaults). Environment variables override the
file for deployment settings and are the only place for secrets.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

#: The repository root: holds the built-in ``layouts/`` and the sample ``content/``.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.yaml"


class ConfigError(Exception):
    """The configuration is invalid; the message says where and what to change."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteConfig(_Strict):
    url: str = "http://127.0.0.1:8000"
    title: str | None = None  # defaults to the paper's name
    timezone: str = "Asia/Shanghai"
    publish_hour: int = Field(default=6, ge=0, le=23)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("site.url must start with http:// or https://, e.g. https://news.example.com")
        return value.rstrip("/")


class QueueConfig(_Strict):
    url: str | None = None  # redis://… to use RQ; empty for the embedded queue
    workers: int = Field(default=1, ge=1, le=16)
    build_timeout: int = Field(default=600, ge=1)  # seconds per channel render
    memory_limit_mb: int = Field(default=2048, ge=64)  # address space per channel render


class DatabaseConfig(_Strict):
    url: str | None = None  # default: sqlite in the data folder


class Config(_Strict):
    site: SiteConfig = SiteConfig()
    content: Path = Path("content")
    output: Path = Path("out")
    data: Path = Path("data")
    templates: Path | None = None  # a folder whose <channel>/ subfolders override layouts
    database: DatabaseConfig = DatabaseConfig()
    queue: QueueConfig = QueueConfig()
    channels: dict[str, dict[str, Any]] = {}
    base_dir: Path = PROJECT_ROOT

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

    def channel_options(self, name: str) -> dict[str, Any]:
        return dict(self.channels.get(name) or {})


_ENV = {
    "PUBLISHER_SITE_URL": ("site", "url"),
    "PUBLISHER_DATABASE_URL": ("database", "url"),
    "PUBLISHER_QUEUE_URL": ("queue", "url"),
}


def load_config(path: Path | str | None = None) -> Config:
    """Read ``path`` (or $PUBLISHER_CONFIG, or ./config.yaml, or the project's), apply the environment."""
    candidates = [path, os.environ.get("PUBLISHER_CONFIG"), Path.cwd() / "config.yaml", DEFAULT_CONFIG]
    chosen = next((Path(c) for c in candidates if c), None)
    data: dict[str, Any] = {}
    base = PROJECT_ROOT
    if path is not None and not Path(path).is_file():
        raise ConfigError(f"{path}: no such config file; pass an existing file or leave --config out for the defaults")
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            chosen = Path(candidate).resolve()
            try:
                data = yaml.safe_load(chosen.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise ConfigError(f"{chosen}: not valid YAML: {exc}") from None
            if not isinstance(data, dict):
                raise ConfigError(f"{chosen}: must be a mapping of settings (site:, content:, …)")
            base = chosen.parent
            break
    for var, (group, key) in _ENV.items():
        if os.environ.get(var):
            data.setdefault(group, {})
            data[group] = {**(data[group] or {}), key: os.environ[var]}
    try:
        return Config(**{**data, "base_dir": base})
    except ValidationError as exc:
        lines = [f"{chosen}: invalid configuration:"]
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            lines.append(f"  {where}: {err['msg'].removeprefix('Value error, ')}")
        raise ConfigError("\n".join(lines)) from None
