"""Channel discovery through the ``publisher.channels`` entry-point group.

Built-in channels are registered in our own pyproject exactly as a third-party
package would register one. Discovery runs when the CLI or the app starts,
never at import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points

from publisher.channel import Channel

GROUP = "publisher.channels"


class PluginError(Exception):
    """Two packages claim one channel name; the message names both."""


@dataclass(frozen=True)
class Installed:
    name: str
    cls: type[Channel] | None
    package: str
    target: str
    error: str | None = None  # why it could not be loaded


def discover(only: Iterable[str] | None = None) -> dict[str, Installed]:
    """Every channel installed (or only those named), by name; broken ones are kept with their error, for reporting.

    Only the channels asked for are imported, so building the feed never pays for the PDF channel's WeasyPrint.
    """
    wanted = set(only) if only is not None else None
    found: dict[str, Installed] = {}
    for ep in entry_points(group=GROUP):
        if wanted is not None and ep.name not in wanted:
            continue
        package = ep.dist.name if ep.dist else "(unknown package)"
        if ep.name in found and found[ep.name].package != package:
            raise PluginError(
                f"channel name {ep.name!r} is registered twice: by {found[ep.name].package} "
                f"({found[ep.name].target}) and by {package} ({ep.value}); uninstall one of them"
            )
        try:
            cls = ep.load()
        except Exception as exc:  # a broken plugin must not take the others down
            found[ep.name] = Installed(ep.name, None, package, ep.value, f"cannot be imported: {exc!r}")
            continue
        if not (isinstance(cls, type) and issubclass(cls, Channel)):
            found[ep.name] = Installed(ep.name, None, package, ep.value, "is not a publisher.channel.Channel subclass")
            continue
        if getattr(cls, "name", None) != ep.name:
            found[ep.name] = Installed(
                ep.name, None, package, ep.value, f"declares name {getattr(cls, 'name', None)!r}, not {ep.name!r}"
            )
            continue
        found[ep.name] = Installed(ep.name, cls, package, ep.value)
    return dict(sorted(found.items()))


def usable(found: dict[str, Installed] | None = None) -> dict[str, type[Channel]]:
    """The channels that can be built here (broken plugins left out), by name: the one list every caller uses."""
    found = discover() if found is None else found
    return {name: info.cls for name, info in found.items() if info.cls is not None}
