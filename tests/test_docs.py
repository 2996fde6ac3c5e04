"""The documentation keeps up with the code, in Datasette's manner: what exists is documented, or a test fails."""

from __future__ import annotations

import dataclasses
import inspect
import re

from pydantic import BaseModel

from publisher.channel import BuildContext
from publisher.config import Config

from .conftest import REPO

DOCS = REPO / "docs"


def config_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every settable key of the configuration, dotted (``site.url``); ``base_dir`` is not a setting."""
    keys = []
    for name, field in model.model_fields.items():
        if name == "base_dir":
            continue
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            keys += config_keys(kind, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def documented(path) -> set[str]:
    """Everything written as code (`like this`) in a document."""
    return set(re.findall(r"`([^`\n]+)`", path.read_text(encoding="utf-8")))


def test_every_config_key_is_documented():
    keys = config_keys(Config)
    assert {"site.url", "queue.workers", "database.url", "channels"} <= set(keys)
    missing = [
        k
        for k in keys
        if k not in documented(DOCS / "configuration.md") and f"{k}.<name>" not in documented(DOCS / "configuration.md")
    ]
    assert missing == [], f"document these keys in docs/configuration.md: {missing}"


def test_every_member_of_the_channel_context_is_documented():
    members = [f.name for f in dataclasses.fields(BuildContext)]
    members += [name for name, _ in inspect.getmembers(BuildContext, inspect.isfunction) if not name.startswith("_")]
    assert {"out", "options", "archive", "warn", "figure_file"} <= set(members)
    missing = [m for m in members if m not in documented(DOCS / "plugins.md")]
    assert missing == [], f"document these BuildContext members in docs/plugins.md: {missing}"


def test_every_documented_context_member_exists():
    """The other way round: the table in docs/plugins.md names no member that is gone."""
    text = (DOCS / "plugins.md").read_text(encoding="utf-8")
    table = text[text.index("## What a channel renders with") :]
    named = re.findall(r"^\| `(\w+)` \|", table, flags=re.M)
    assert (
        named
        and [n for n in named if not hasattr(BuildContext, n) and n not in {f.name for f in dataclasses.fields(BuildContext)}]
        == []
    )


def test_the_readme_tour_names_every_package():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    tour = readme[readme.index("## A tour of the code") :]
    packages = [p.parent.relative_to(REPO).as_posix() for p in REPO.glob("publisher*/**/__init__.py")]
    packages = [p for p in packages if "templates" not in p]
    assert {"publisher/store", "publisher_channels/pdf", "publisher/cli"} <= set(packages)
    missing = [
        p for p in packages if f"`{p}/`" not in tour and f"`{p}`" not in tour and p.replace("publisher_channels/", "") not in tour
    ]
    assert missing == [], f"the README's tour misses: {missing}"


def test_every_local_link_in_the_docs_resolves():
    for page in [REPO / "README.md", *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#\s]+)\)", page.read_text(encoding="utf-8")):
            if "://" not in target:
                assert (page.parent / target).exists(), f"{page.name} links to {target}, which does not exist"
