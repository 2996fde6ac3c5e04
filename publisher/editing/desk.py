"""The desk: every editing operation on an issue folder, for the admin, the API and tests alike.

Each operation is planned against the folder's current files while the issue
is locked (a thread lock and an ``flock`` in the data folder, so threads and
processes take turns), checked with the loader's rules (:mod:`checks`), and only
then written: each file atomically (:mod:`publisher.writer`), renames last. A
plan that would leave the issue invalid raises :class:`Invalid` before a byte is
written. A save names the revision it was based on; when the file has changed
since (another editor, a hand edit, git), it raises :class:`Conflict` with the
current version. Every changed file becomes a revision in the store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Iterator

from publisher import loading, writer
from publisher.editing import diff, figures, source
from publisher.editing.checks import FieldProblem, check_files
from publisher.text import slugify

TRASH = ".trash"
_SAFE_NAME = re.compile(r"^(?:(?:images|\.trash)/)?[A-Za-z0-9][A-Za-z0-9._-]*$")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class EditError(Exception):
    """An edit that was not made; the message says why and what to do, in Chinese."""


class NotFound(EditError):
    pass


class Invalid(EditError):
    """The edit would make the issue fail ``publisher check``; ``problems`` name the fields."""

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        super().__init__("保存会使本期内容无法通过检查，未作任何修改：" + "；".join(p.message for p in problems[:5]))


class Conflict(EditError):
    """The file changed since the editor opened it; ``current`` is the version now on disk."""

    def __init__(self, current: dict):
        self.current = current
        super().__init__(
            f"《{current.get('headline') or current.get('paper')}》在您打开之后已被修改（别人保存过，或文件被直接改动），您的修改尚未保存。"
        )


@dataclass
class Outcome:
    """What an operation did: the revisions recorded, warnings of the check, and the new state of what it touched."""

    revisions: list[int] = field(default_factory=list)
    warnings: list[FieldProblem] = field(default_factory=list)
    article: dict | None = None
    renamed: dict[str, str] = field(default_factory=dict)


Plan = Callable[[dict[str, bytes]], dict[str, bytes | None]]


class Desk:
    """Editing operations on the issues under ``content_dir``; revisions go to ``store`` (None: not recorded)."""

    def __init__(self, content_dir: Path, store=None, data_dir: Path | None = None):
        self.content_dir = Path(content_dir)
        self.store = store
        self.data_dir = Path(data_dir) if data_dir else (Path(store.data_dir) if store is not None else None)

    # ---- reading ------------------------------------------------------------------------------

    def folder(self, issue_id: str) -> Path:
        if not loading.has_issue(self.content_dir, issue_id):
            raise NotFound(f"没有第 {issue_id} 期；请从期次列表中选择。")
        return loading.issue_dir(self.content_dir, issue_id)

    def files(self, issue_id: str) -> dict[str, bytes]:
        """issue.yaml and every article file of the issue, by name."""
        folder = self.folder(issue_id)
        found = {loading.ISSUE_FILE: (folder / loading.ISSUE_FILE).read_bytes()}
        for path in sorted(folder.glob("*.md")):
            if path.is_file():
                found[path.name] = path.read_bytes()
        return found

    @staticmethod
    def article_names(files: dict[str, bytes]) -> dict[str, str]:
        """slug → file name, in reading order."""
        return {slug: n for n in sorted(files) if (slug := source.article_slug(n))}

    def _name(self, files: dict[str, bytes], slug: str) -> str:
        name = self.article_names(files).get(slug)
        if name is None:
            raise NotFound("找不到这篇稿件，可能已被删除或移到回收站；请回到本期稿件列表。")
        return name

    @staticmethod
    def _article(name: str, data: bytes) -> dict:
        try:
            fields = source.parse_article(data.decode("utf-8"))
        except (source.Unreadable, UnicodeDecodeError) as exc:
            raise EditError(f"稿件文件 {name} 无法在后台编辑（{exc}）；请直接修改文件，或恢复一个早先的版本。") from None
        return {**fields, "slug": source.article_slug(name), "file": name, "revision": source.revision(data)}

    def article(self, issue_id: str, slug: str) -> dict:
        """An article's editable fields, its Markdown ``body``, ``slug``, ``file`` and ``revision`` tag."""
        files = self.files(issue_id)
        name = self._name(files, slug)
        return self._article(name, files[name])

    def issue(self, issue_id: str) -> dict:
        """issue.yaml as data with its ``revision``, and the articles (slug, headline, section) in reading order."""
        files = self.files(issue_id)
        data = source.parse_issue(files[loading.ISSUE_FILE].decode("utf-8"))
        articles = []
        for slug, name in self.article_names(files).items():
            try:
                fields = source.parse_article(files[name].decode("utf-8"))
            except (source.Unreadable, UnicodeDecodeError):
                fields = {"headline": None, "section": None}
            articles.append({"slug": slug, "file": name, "headline": fields.get("headline"), "section": fields.get("section")})
        return {**data, "id": issue_id, "revision": source.revision(files[loading.ISSUE_FILE]), "articles": articles}

    def layout(self, issue_id: str) -> list[tuple[str, list[str]]]:
        """Sections in order, each with its article slugs in reading order."""
        return _layout(self.files(issue_id))

    # ---- checking and committing -----------------------------------------------------------------

    def check(self, issue_id: str, slug: str, fields: dict) -> tuple[list[FieldProblem], list[FieldProblem]]:
        """What saving ``fields`` into article ``slug`` would give: (errors, warnings) of that article's fields."""
        files = self.files(issue_id)
        name = self._name(files, slug)
        current = self._article(name, files[name])
        errors = normalize(fields)
        if errors:
            return errors, []
        staged = {**files, name: source.article_source({**current, **fields}).encode("utf-8")}
        errors, warnings = check_files(self.folder(issue_id), issue_id, staged)
        return [p for p in errors if p.file == name] or errors, [w for w in warnings if w.file == name]

    @contextlib.contextmanager
    def _locked(self, issue_id: str) -> Iterator[None]:
        with _locks_guard:
            lock = _locks.setdefault(issue_id, threading.Lock())
        with lock:
            if self.data_dir is None:
                yield
                return
            path = self.data_dir / "locks" / f"{issue_id}.lock"
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def commit(self, issue_id: str, user: str | None, action: str, plan: Plan) -> Outcome:
        """Run ``plan`` on the current files under the issue's lock; check the result; write it; record revisions.

        ``plan`` returns the changes: file name → new bytes, or None to delete. Names are
        issue.yaml, NN-slug.md, images/<name> or .trash/<name>: nothing outside the folder.
        """
        folder = self.folder(issue_id)
        with self._locked(issue_id):
            files = self.files(issue_id)
            changes = plan(files)
            for name in changes:
                if not _SAFE_NAME.match(name) or ".." in name:
                    raise EditError("文件名不合规，未作修改。")
            staged = {k: v for k, v in {**files, **changes}.items() if v is not None and not k.startswith(TRASH)}
            errors, warnings = check_files(folder, issue_id, staged)
            if errors:
                raise Invalid(errors)
            entries, renamed = self._write(folder, files, changes)
        outcome = Outcome(warnings=warnings, renamed=renamed)
        if self.store is not None and entries:
            outcome.revisions = self.store.add_revisions(issue_id, user, action, entries)
        elif self.store is not None and renamed:  # only the order changed: no revision, but the history says who
            self.store.record(user, action, issue_id, detail="调整了稿件顺序")
        return outcome

    def _write(self, folder: Path, files: dict[str, bytes], changes: dict[str, bytes | None]):
        """Write ``changes``: new files and new contents first (atomically), then renames, then deletions."""
        old_by_slug = {source.article_slug(n): n for n in files if source.article_slug(n)}
        new_names = {n for n, v in changes.items() if v is not None and source.article_slug(n) and "/" not in n}
        renames = {}
        for name in new_names:
            old = old_by_slug.get(source.article_slug(name))
            if old and old != name and changes.get(old, b"") is None:
                renames[old] = name
        entries = []
        for name, data in changes.items():  # images and trash first: an article may point at a new image
            if data is not None and "/" in name:
                writer.write_bytes(folder / name, data)
        for name in sorted(n for n in changes if changes[n] is not None and "/" not in n):
            old = next((o for o, n in renames.items() if n == name), name if name in files else None)
            before = files.get(old) if old else None
            data = changes[name]
            assert data is not None  # chosen above
            if before != data:
                writer.write_bytes(folder / (old or name), data)
                entries.append(self._entry(name, before, data))
            if old and old != name:
                os.replace(folder / old, folder / name)
        for name in (n for n, v in changes.items() if v is None and n not in renames):
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
            if name in files and "/" not in name:
                entries.append(self._entry(name, files[name], None))
        return entries, renames

    @staticmethod
    def _entry(name: str, before: bytes | None, after: bytes | None) -> dict:
        b = before.decode("utf-8", "replace") if before is not None else None
        a = after.decode("utf-8", "replace") if after is not None else None
        summary, text = diff.describe(name, b, a)
        return {"target": source.article_slug(name) or name, "summary": summary, "diff": text, "before": b, "after": a}

    # ---- articles -------------------------------------------------------------------------------

    def save_article(self, issue_id: str, slug: str, fields: dict, revision: str | None, user: str | None) -> Outcome:
        """Save changed ``fields`` of article ``slug`` if its file is still at ``revision`` (else :class:`Conflict`)."""
        problems = normalize(fields)
        if problems:
            raise Invalid(problems)

        def plan(files):
            name = self._name(files, slug)
            current = self._article(name, files[name])
            if revision is not None and current["revision"] != revision:
                raise Conflict(current)
            return {name: source.article_source({**current, **fields}).encode("utf-8")}

        outcome = self.commit(issue_id, user, "article-saved", plan)
        outcome.article = self.article(issue_id, slug)
        return outcome

    def create_article(self, issue_id: str, fields: dict, user: str | None, slug: str | None = None) -> Outcome:
        """A new article at the end of its section; the slug from the headline's pinyin unless given."""
        problems = normalize(fields)
        if problems:
            raise Invalid(problems)
        if not (fields.get("headline") or "").strip():
            raise Invalid([FieldProblem("headline", "标题不能为空")])

        created: list[str] = []

        def plan(files):
            names = self.article_names(files)
            new_slug = slug or _unique(slugify(fields["headline"]) or "gao-jian", set(names))
            if new_slug in names:
                raise Invalid([FieldProblem("slug", f"已有一篇稿件使用“{new_slug}”作为网址名，请换一个")])
            created.append(new_slug)
            layout = _layout(files)
            section = fields.get("section") or (layout[0][0] if layout else None)
            text = source.article_source({"kind": "news", **fields, "section": section}).encode("utf-8")
            return _renumber(files, _insert(layout, section, new_slug), extra={new_slug: text})

        outcome = self.commit(issue_id, user, "article-created", plan)
        outcome.article = self.article(issue_id, created[-1])
        return outcome

    def delete_article(self, issue_id: str, slug: str, user: str | None, revision: str | None = None) -> Outcome:
        """Move an article into the issue's trash (``.trash/``), from where :meth:`restore` brings it back."""

        def plan(files):
            name = self._name(files, slug)
            if revision is not None and source.revision(files[name]) != revision:
                raise Conflict(self._article(name, files[name]))
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
            return {name: None, f"{TRASH}/{stamp}-{secrets.token_hex(2)}-{name}": files[name]}

        return self.commit(issue_id, user, "article-deleted", plan)

    def trash(self, issue_id: str) -> list[dict]:
        """What is in the issue's trash, newest first: name, slug, headline, when it was deleted."""
        folder = self.folder(issue_id) / TRASH
        out = []
        for path in sorted(folder.glob("*.md"), reverse=True) if folder.is_dir() else []:
            stamp, _, rest = (path.name.split("-", 2) + ["", ""])[:3]
            try:
                fields = source.parse_article(path.read_text(encoding="utf-8"))
            except (source.Unreadable, UnicodeDecodeError):
                fields = {}
            when = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S").replace(tzinfo=dt.timezone.utc) if stamp else None
            out.append(
                {"name": path.name, "slug": source.article_slug(rest), "headline": fields.get("headline"), "deleted_at": when}
            )
        return out

    def restore(self, issue_id: str, trash_name: str, user: str | None) -> Outcome:
        """Bring an article back from the trash, at the end of its section (the first section if its own is gone)."""
        path = self.folder(issue_id) / TRASH / trash_name
        slug = source.article_slug(trash_name.split("-", 2)[-1])  # None: not a name the desk gives the trash
        if "/" in trash_name or not path.is_file() or slug is None:
            raise NotFound("回收站里没有这篇稿件了。")
        data = path.read_bytes()

        def plan(files):
            if slug in self.article_names(files):
                raise EditError(f"本期已有网址名为“{slug}”的稿件，不能恢复；请先改名或删除那一篇。")
            fields = source.parse_article(data.decode("utf-8"))
            sections = [s for s, _ in _layout(files)]
            section = fields.get("section") if fields.get("section") in sections else sections[0]
            text = data if fields.get("section") == section else source.article_source({**fields, "section": section}).encode()
            changes = _renumber(files, _insert(_layout(files), section, slug), extra={slug: text})
            changes[f"{TRASH}/{trash_name}"] = None
            return changes

        outcome = self.commit(issue_id, user, "article-restored", plan)
        outcome.article = self.article(issue_id, slug)
        return outcome

    # ---- arranging ------------------------------------------------------------------------------

    def arrange(self, issue_id: str, layout: list[tuple[str, list[str]]], user: str | None) -> Outcome:
        """Put every article where ``layout`` says (section order, articles in order); sections are kept as declared."""

        def plan(files):
            current = _layout(files)
            want = [s for _, slugs in layout for s in slugs]
            have = [s for _, slugs in current for s in slugs]
            if sorted(want) != sorted(have):
                raise EditError("排版清单与本期稿件不一致（有稿件缺少或重复）；请刷新页面后再排。")
            declared = {s for s, _ in current}
            if any(s not in declared for s, _ in layout):
                raise EditError("排版清单里有本期没有的版面；请刷新页面后再排。")
            order = {s: i for i, (s, _) in enumerate(current)}
            return _renumber(files, sorted(layout, key=lambda item: order[item[0]]))

        return self.commit(issue_id, user, "arranged", plan)

    def move_article(self, issue_id: str, slug: str, user: str | None, *, section: str | None = None, step: int = 0) -> Outcome:
        """Move an article ``step`` places up (−1) or down (+1) in its section, or to the end of ``section``."""
        layout = [(s, list(slugs)) for s, slugs in self.layout(issue_id)]
        home = next((s for s, slugs in layout if slug in slugs), None)
        if home is None:
            raise NotFound("找不到这篇稿件，可能已被删除；请刷新页面。")
        for s, slugs in layout:
            if s == home:
                index = slugs.index(slug)
                slugs.remove(slug)
                if section is None or section == home:
                    slugs.insert(max(0, min(len(slugs), index + step)), slug)
        if section is not None and section != home:
            target = next((slugs for s, slugs in layout if s == section), None)
            if target is None:
                raise EditError("没有这个版面；请刷新页面后再选。")
            target.append(slug)
        return self.arrange(issue_id, layout, user)

    def split_article(
        self, issue_id: str, slug: str, at: int, headline: str, user: str | None, revision: str | None = None
    ) -> Outcome:
        """Split an article before paragraph ``at`` (1-based, at least 2): the rest becomes a new article after it."""

        def plan(files):
            name = self._name(files, slug)
            current = self._article(name, files[name])
            if revision is not None and current["revision"] != revision:
                raise Conflict(current)
            blocks = source.paragraphs(current["body"])
            if not 2 <= at <= len(blocks):
                raise EditError(f"只能在第2段到第{len(blocks)}段之前拆分。")
            new_slug = _unique(slugify(headline) or f"{slug}-xu", set(self.article_names(files)))
            first = {**current, "body": "\n\n".join(blocks[: at - 1])}
            second = {k: current.get(k) for k in ("section", "series", "kind")}
            second.update(headline=headline.strip() or f"{current['headline']}（续）", body="\n\n".join(blocks[at - 1 :]))
            layout = [(s, [x for y in slugs for x in ([y, new_slug] if y == slug else [y])]) for s, slugs in _layout(files)]
            texts = {slug: source.article_source(first).encode("utf-8"), new_slug: source.article_source(second).encode("utf-8")}
            return _renumber(files, layout, extra=texts)

        return self.commit(issue_id, user, "article-split", plan)

    def merge_articles(self, issue_id: str, first: str, second: str, user: str | None) -> Outcome:
        """Append ``second``'s body and figures to ``first``; ``second`` goes into the trash."""
        if first == second:
            raise EditError("请选择两篇不同的稿件来合并。")

        def plan(files):
            a_name, b_name = self._name(files, first), self._name(files, second)
            a, b = self._article(a_name, files[a_name]), self._article(b_name, files[b_name])
            merged = {**a, "body": "\n\n".join(x for x in (a["body"], b["body"]) if x), "figures": a["figures"] + b["figures"]}
            stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
            return {
                a_name: source.article_source(merged).encode("utf-8"),
                b_name: None,
                f"{TRASH}/{stamp}-{secrets.token_hex(2)}-{b_name}": files[b_name],
            }

        outcome = self.commit(issue_id, user, "articles-merged", plan)
        outcome.article = self.article(issue_id, first)
        return outcome

    # ---- figures --------------------------------------------------------------------------------

    def add_photo(
        self,
        issue_id: str,
        slug: str,
        data: bytes,
        filename: str | None,
        user: str | None,
        caption: str = "",
        credit: str = "",
        revision: str | None = None,
    ) -> Outcome:
        """Keep an uploaded photo under images/ and add it as a figure of the article (checked with Pillow first)."""
        extension, _ = figures.check_image(data)
        image = figures.image_name(filename, extension)

        def plan(files):
            name = self._name(files, slug)
            current = self._article(name, files[name])
            if revision is not None and current["revision"] != revision:
                raise Conflict(current)
            entry = {"caption": caption.strip(), "credit": credit.strip() or None, "src": image}
            return {
                image: data,
                name: source.article_source({**current, "figures": [*current["figures"], entry]}).encode("utf-8"),
            }

        outcome = self.commit(issue_id, user, "photo-added", plan)
        outcome.article = self.article(issue_id, slug)
        return outcome

    # ---- sections and masthead ------------------------------------------------------------------

    def _issue_plan(self, change: Callable[[dict], None], revision: str | None = None) -> Plan:
        def plan(files):
            data = source.parse_issue(files[loading.ISSUE_FILE].decode("utf-8"))
            if revision is not None and source.revision(files[loading.ISSUE_FILE]) != revision:
                raise Conflict({**data, "revision": source.revision(files[loading.ISSUE_FILE])})
            change(data)
            return {loading.ISSUE_FILE: source.issue_source(data).encode("utf-8")}

        return plan

    def save_masthead(self, issue_id: str, fields: dict, revision: str | None, user: str | None) -> Outcome:
        unknown = [k for k in fields if k not in source.MASTHEAD_FIELDS]
        if unknown:
            raise Invalid([FieldProblem(k, "这一项不能在报头里修改（日期和期号决定了期次，不能改）") for k in unknown])

        def change(data):
            for key, value in fields.items():
                data[key] = (str(value).strip() or None) if value is not None else None

        return self.commit(issue_id, user, "masthead-saved", self._issue_plan(change, revision))

    def add_section(
        self, issue_id: str, name: str, user: str | None, slug: str | None = None, page: int | None = None
    ) -> Outcome:
        name = (name or "").strip()
        if not name:
            raise Invalid([FieldProblem("name", "版面名称不能为空")])

        def change(data):
            used = {s.get("slug") for s in data.get("sections") or [] if isinstance(s, dict)}
            new = slug or _unique(slugify(name) or "banmian", used)
            if new in used:
                raise Invalid([FieldProblem("slug", f"已有版面使用“{new}”，请换一个")])
            data.setdefault("sections", []).append({"slug": new, "name": name, **({"page": page} if page else {})})

        return self.commit(issue_id, user, "section-added", self._issue_plan(change))

    def rename_section(
        self, issue_id: str, slug: str, name: str, user: str | None, page: int | None = None, editor: str | None = None
    ) -> Outcome:
        """A new name (and page, editor) for a section; its slug, and so its feed address, stays."""

        def change(data):
            for section in data.get("sections") or []:
                if isinstance(section, dict) and section.get("slug") == slug:
                    section["name"] = (name or "").strip()
                    section["page"] = page
                    section["editor"] = (editor or "").strip() or None
                    return
            raise NotFound("没有这个版面；请刷新页面。")

        return self.commit(issue_id, user, "section-renamed", self._issue_plan(change))

    def move_section(self, issue_id: str, slug: str, step: int, user: str | None) -> Outcome:
        """Move a section up or down; the articles are renumbered so the files read in the new order."""

        def plan(files):
            data = source.parse_issue(files[loading.ISSUE_FILE].decode("utf-8"))
            sections = data.get("sections") or []
            index = next((i for i, s in enumerate(sections) if isinstance(s, dict) and s.get("slug") == slug), None)
            if index is None:
                raise NotFound("没有这个版面；请刷新页面。")
            target = max(0, min(len(sections) - 1, index + step))
            sections.insert(target, sections.pop(index))
            files = {**files, loading.ISSUE_FILE: source.issue_source(data).encode("utf-8")}
            return {loading.ISSUE_FILE: files[loading.ISSUE_FILE], **_renumber(files, _layout(files))}

        return self.commit(issue_id, user, "section-moved", plan)

    # ---- issues and revisions -------------------------------------------------------------------

    def create_issue(
        self, date: dt.date, number: int, user: str | None, *, from_last: bool = True, paper: str | None = None
    ) -> str:
        """A new issue folder with issue.yaml only: the last issue's masthead and sections, or an empty one."""
        issue_id = f"{date.isoformat()}-{number}"
        if loading.has_issue(self.content_dir, issue_id):
            raise EditError(f"第 {issue_id} 期已经存在；请打开它编辑，或换一个日期和期号。")
        newest = loading.issue_page(self.content_dir, 1).ids
        data: dict = {}
        if from_last and newest:
            last = source.parse_issue(
                (loading.issue_dir(self.content_dir, newest[0]) / loading.ISSUE_FILE).read_text(encoding="utf-8")
            )
            data = {k: last.get(k) for k in source.ISSUE_ORDER if k not in ("date", "number")}
            data["sections"] = [
                {k: s.get(k) for k in ("slug", "name", "page", "editor")}
                for s in last.get("sections") or []
                if isinstance(s, dict)
            ]
        data.update(date=date, number=number)
        if paper:
            data["paper"] = paper
        data.setdefault("language", "zh-CN")
        if not data.get("sections"):
            data["sections"] = [{"slug": "yaowen", "name": "要闻", "page": 1}]
        text = source.issue_source(data).encode("utf-8")
        root = self.content_dir / "issues"
        root.mkdir(parents=True, exist_ok=True)
        errors, _ = check_files(root / issue_id, issue_id, {loading.ISSUE_FILE: text})
        if errors:
            raise Invalid(errors)
        staging = root / f".{issue_id}.new-{secrets.token_hex(3)}"
        staging.mkdir()
        writer.write_bytes(staging / loading.ISSUE_FILE, text)
        try:
            os.rename(staging, root / issue_id)  # fails if it appeared meanwhile; never replaces
        except OSError:
            (staging / loading.ISSUE_FILE).unlink()
            staging.rmdir()
            raise EditError(f"第 {issue_id} 期已经存在；请打开它编辑。") from None
        if self.store is not None:
            self.store.add_revisions(
                issue_id,
                user,
                "issue-created",
                [
                    {
                        "target": loading.ISSUE_FILE,
                        "summary": f"新建第 {issue_id} 期",
                        "diff": "",
                        "before": None,
                        "after": text.decode(),
                    }
                ],
            )
        return issue_id

    def restore_revision(self, revision_id: int, user: str | None) -> Outcome:
        """Make the article (or issue.yaml) read as it did right after revision ``revision_id`` (before it, for a deletion)."""
        rev = self.store.get_revision(revision_id) if self.store is not None else None
        if rev is None:
            raise NotFound("没有这个版本。")
        text = rev.after if rev.after is not None else rev.before
        if text is None:
            raise EditError("这个版本没有可恢复的内容。")

        def plan(files):
            if rev.target == loading.ISSUE_FILE:
                return {loading.ISSUE_FILE: text.encode("utf-8")}
            names = self.article_names(files)
            if rev.target in names:
                return {names[rev.target]: text.encode("utf-8")}
            try:
                section = source.parse_article(text).get("section")
            except source.Unreadable:
                section = None
            sections = [s for s, _ in _layout(files)]
            return _renumber(
                files,
                _insert(_layout(files), section if section in sections else sections[0], rev.target),
                extra={rev.target: text.encode("utf-8")},
            )

        return self.commit(rev.issue_id, user, "revision-restored", plan)


# ---- helpers ---------------------------------------------------------------------------------------


def normalize(fields: dict) -> list[FieldProblem]:
    """Shape checks the loader cannot point at (wrong JSON types, unknown fields); fixes harmless shapes in place."""
    problems = []
    allowed = set(source.ARTICLE_FIELDS) | {"body"}
    for key in list(fields):
        value = fields[key]
        if key not in allowed:
            problems.append(FieldProblem(key, f"不认识的字段“{key}”；可改的字段有：{'、'.join(sorted(allowed))}"))
        elif key in source.TEXT_FIELDS + ("body",) and value is not None and not isinstance(value, str):
            problems.append(FieldProblem(key, f"{diff.LABELS.get(key, key)}必须是文字"))
        elif key in ("authors", "figures"):
            if value is None:
                fields[key] = []
            elif not isinstance(value, list) or not all(isinstance(v, (dict, str) if key == "authors" else dict) for v in value):
                problems.append(FieldProblem(key, f"{diff.LABELS[key]}必须是一组条目"))
    if "headline" in fields and not (fields.get("headline") or "").strip():
        problems.append(FieldProblem("headline", "标题不能为空"))
    return problems


def _layout(files: dict[str, bytes]) -> list[tuple[str, list[str]]]:
    data = source.parse_issue(files[loading.ISSUE_FILE].decode("utf-8"))
    sections = [s["slug"] for s in data.get("sections") or [] if isinstance(s, dict) and s.get("slug")]
    placed: dict[str, list[str]] = {s: [] for s in sections}
    for name in sorted(files):
        slug = source.article_slug(name)
        if not slug:
            continue
        try:
            section = source.parse_article(files[name].decode("utf-8")).get("section")
        except (source.Unreadable, UnicodeDecodeError):
            section = None
        placed.setdefault(section if section in placed else (sections[0] if sections else ""), []).append(slug)
    return list(placed.items())


def _insert(layout, section: str | None, slug: str):
    return [(s, [*slugs, slug] if s == section else list(slugs)) for s, slugs in layout]


def _renumber(files: dict[str, bytes], layout, extra: dict[str, bytes] | None = None) -> dict[str, bytes | None]:
    """The changes that name every article NN-slug.md in ``layout`` order, its section field set to where it is."""
    extra = extra or {}
    names = Desk.article_names(files)
    order = [(section, slug) for section, slugs in layout for slug in slugs]
    width = max(2, len(str(len(order))))
    changes: dict[str, bytes | None] = {}
    for number, (section, slug) in enumerate(order, start=1):
        new_name = f"{number:0{width}d}-{slug}.md"
        data = extra[slug] if slug in extra else files[names[slug]]
        fields = source.parse_article(data.decode("utf-8"))
        if fields.get("section") != section:
            data = source.article_source({**fields, "section": section}).encode("utf-8")
        old = names.get(slug)
        if old != new_name or files.get(old) != data:
            changes[new_name] = data
            if old and old != new_name:
                changes[old] = None
    return changes


def _unique(slug: str, used: Collection[str | None]) -> str:
    candidate, n = slug, 1
    while candidate in used:
        n += 1
        candidate = f"{slug}-{n}"
    return candidate
