"""Build an issue into channels: one channel at a time, each failure recorded, never raised.

Each channel renders into a private staging folder; only a channel that
finished is moved into ``<out>/<issue id>/<channel>/`` (replacing the older
build of that channel in one rename). A failed channel leaves the older output
untouched and its error in the report. Channels are built after the channels
they ``require`` (added when installed) or ``use`` (when in the build), and fail
without rendering when a channel they require failed.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pydantic import ValidationError

from publisher import editions, loading, plugins, serialize, templates, writer
from publisher.channel import BuildContext, Channel, ChannelError, as_written
from publisher.config import Config
from publisher.index import IssueIndex
from publisher.model import Issue
from publisher.results import BuildState, ChannelFile, ChannelResult

log = logging.getLogger(__name__)
#: Compiled templates, in the data folder.
TEMPLATE_CACHE = "cache/templates"


@dataclass
class BuildReport:
    """The outcome of :func:`build`: one :class:`ChannelResult` per channel, in build order."""

    issue: str
    out_root: Path
    results: list[ChannelResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def paths(self, result: ChannelResult) -> list[Path]:
        """Where the files of ``result`` are now."""
        return [self.out_root / self.issue / result.channel / f.path for f in result.files]

    @property
    def errors(self) -> list[dict[str, str]]:
        return [{"channel": r.channel, "message": r.error or ""} for r in self.results if not r.ok]

    @property
    def warnings(self) -> list[dict[str, str]]:
        return [{"channel": r.channel, "message": w} for r in self.results for w in r.warnings]

    def manifest(self) -> dict:
        """The JSON manifest of ``publisher build --json``."""
        artifacts = [
            {"channel": r.channel, "path": str(path), "media_type": f.media_type, "bytes": f.bytes, "seconds": r.seconds}
            for r in self.results
            for f, path in zip(r.files, self.paths(r))
        ]
        return {"issue": self.issue, "artifacts": artifacts, "errors": self.errors, "warnings": self.warnings}


#: Progress callback: (event, channel name, result or None); events are "start" and "done".
#: Returning False at "start" stops the build before that channel (the queue does when a build was cancelled).
Progress = Callable[[str, str, ChannelResult | None], bool | None]
#: Renders one channel: (channel, issue, issue folder, config, output root, channels of this edition finished so far,
#: edition) → result; in-process or sandboxed.
Runner = Callable[[type[Channel], Issue, Path, Config, Path, frozenset[str], str | None], ChannelResult]


def archive_loader(
    index: IssueIndex, issue: Issue, convert: Callable[[Issue], Issue] | None = None
) -> Callable[[int], list[Issue]]:
    """A function giving the newest ``n`` issues up to and including ``issue``, newest first.

    Only the issues asked for are read, and each from the index unless its files
    changed, so a feed over the last ten issues costs the same with a thousand issues
    on disk. An earlier issue that fails to load raises :class:`ChannelError` naming it.
    ``convert`` (an edition's) is applied to each earlier issue as it is read.
    """
    content_dir = index.content_dir

    def load(issue_id: str, outline: bool) -> Issue:
        try:
            loaded = index.load(issue_id, outline)
            return convert(loaded) if convert else loaded
        except loading.ContentErrors as exc:
            raise ChannelError(
                f"the earlier issue {issue_id} cannot be loaded ({exc.problems[0]}); fix it (see 'publisher check {issue_id}')"
            ) from None

    def archive(n: int, outline: bool = False) -> list[Issue]:
        return [issue, *(load(i, outline) for i in loading.newest_issue_ids(content_dir, issue.id, n - 1))]

    return archive


def in_order(channels: list[type[Channel]], available: dict[str, type[Channel]] | None = None) -> list[type[Channel]]:
    """``channels`` and what they require (looked up in ``available``), each after what it requires or uses.

    A requirement that is not available, or a cycle, is left for :func:`unmet` to report at build time.
    """
    known = {**(available or {}), **{c.name: c for c in channels}}
    wanted = {c.name for c in channels}
    ordered: list[type[Channel]] = []

    def visit(cls: type[Channel], path: frozenset[str]) -> None:
        if cls in ordered or cls.name in path:
            return
        for name in (*cls.requires, *(n for n in cls.uses if n in wanted)):
            if name in known:
                visit(known[name], path | {cls.name})
        if cls not in ordered:
            ordered.append(cls)

    for cls in channels:
        visit(cls, frozenset())
    return ordered


def unmet(cls: type[Channel], outcomes: dict[str, str | None]) -> str | None:
    """Why ``cls`` cannot be built now (a requirement failed or was not built), else None.

    ``outcomes`` maps each channel built so far in this build to its error (None when it succeeded).
    """
    for name in cls.requires:
        if name not in outcomes:
            return (
                f"{cls.name} 需要先构建 {name}，但这次构建没有 {name}（未安装或顺序有环）；安装 {name} 后重新构建"
                f" ({cls.name} requires the {name} channel, which this build does not have)"
            )
        if outcomes[name] is not None:
            return (
                f"{name} 构建失败，所以依赖它的 {cls.name} 没有构建；先修好 {name}（{outcomes[name]}）再重新构建"
                f" ({cls.name} requires {name}, which failed)"
            )
    return None


def build_channel(
    cls: type[Channel],
    issue: Issue,
    issue_dir: Path,
    config: Config,
    out_root: Path,
    built: frozenset[str] = frozenset(),
    edition: str | None = None,
) -> ChannelResult:
    """Render one channel into staging and move it into place; record any failure.

    ``built`` names the channels of this edition the build has finished so far: of those the channel ``uses``,
    only they are given. For an ``edition``, ``issue`` is already converted (see :func:`build`); the channel's
    output goes to ``<out>/<issue>/<edition>/<channel>/`` and its URLs below the edition's path.
    """
    name = editions.target(edition, cls.name)
    chosen = config.edition(edition)
    started = time.perf_counter()
    final = Path(out_root) / issue.id / name
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{cls.name}.staging-", dir=final.parent))
    ctx = None
    try:
        try:
            options = cls.Options(**config.channel_options(cls.name))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ChannelError(f"config.yaml channels.{cls.name}: {problems}") from None
        convert = editions.converter(chosen) if chosen else None
        edition_name = chosen.name if chosen else None
        ctx = BuildContext(
            out=staging,
            issue_dir=issue_dir,
            options=options,
            urls=editions.urls(config, chosen),
            templates=templates.environment(
                cls.name,
                cls.template_folder(),
                config.templates_dir,
                config.data_dir / TEMPLATE_CACHE,
                convert,
                edition_name,
            ),
            archive=archive_loader(IssueIndex.of(config), issue, editions.archive_convert(chosen)),
            site=config.site,
            required={
                other: Path(out_root) / issue.id / editions.target(edition_name, other)
                for other in (*cls.requires, *(n for n in cls.uses if n in built))
            },
            editions=editions.links(config, edition_name),
            localize=convert or as_written,
        )
        with writer.synced_together(staging):
            outputs = cls().render(issue, ctx)
        if not outputs:
            raise ChannelError("the channel produced no files")
        for output in outputs:
            if not (staging / output.path).is_file():
                raise ChannelError(f"the channel reported {output.path} but did not write it")
        writer.replace_dir(staging, final)
    except Exception as exc:
        shutil.rmtree(staging, ignore_errors=True)
        seconds = round(time.perf_counter() - started, 3)
        message = (
            str(exc)
            if isinstance(exc, ChannelError)
            else templates.site_fault(exc, config.templates_dir) or f"{type(exc).__name__}: {exc}"
        )
        log.warning("channel %s failed for %s: %s", name, issue.id, message)
        return ChannelResult.failed(name, message, seconds, ctx.warnings if ctx else (), traceback.format_exc())
    seconds = round(time.perf_counter() - started, 3)
    files = tuple(ChannelFile(o.path, o.media_type, (final / o.path).stat().st_size) for o in outputs)
    return ChannelResult(name, BuildState.SUCCEEDED, seconds, files, warnings=tuple(ctx.warnings))


def build(
    issue: Issue,
    channels: list[type[Channel]],
    config: Config,
    out_root: Path | None = None,
    issue_dir: Path | None = None,
    progress: Progress | None = None,
    runner: Runner = build_channel,
    edition: str | None = None,
) -> BuildReport:
    """Build ``issue`` into each of ``channels`` (and the installed channels they require, first);
    one failing channel never stops the others, only those that require it.

    The CLI runs channels in this process; the queue passes a ``runner`` that renders
    each in a sandboxed child and a ``progress`` that records each step in the store.
    For an ``edition`` (config.yaml ``editions:``) the issue is converted once, here,
    before any channel renders; results are named ``<edition>/<channel>``.
    """
    out_root = Path(out_root) if out_root else config.output_dir
    issue_dir = Path(issue_dir) if issue_dir else loading.issue_dir(config.content_dir, issue.id)
    report = BuildReport(issue.id, out_root)
    # The issue as data (as written) beside its channels: what publishing indexes for search.
    writer.write_text(out_root / issue.id / "issue.json", json.dumps(serialize.issue_data(issue), ensure_ascii=False))
    chosen = config.edition(edition)
    edition = chosen.name if chosen else None  # zh-Hans is the source: no edition
    if chosen:
        issue = editions.convert(issue, chosen)
    outcomes: dict[str, str | None] = {}
    for cls in in_order(channels, plugins.usable() if any(c.requires for c in channels) else None):
        name = editions.target(edition, cls.name)
        if progress and progress("start", name, None) is False:
            break
        reason = unmet(cls, outcomes)
        if reason:
            result = ChannelResult.failed(name, reason, 0.0)
        else:
            done = frozenset(n for n, error in outcomes.items() if error is None)
            result = runner(cls, issue, issue_dir, config, out_root, done, edition)
        outcomes[cls.name] = None if result.ok else (result.error or "failed")
        report.results.append(result)
        if progress:
            progress("done", name, result)
    return report
