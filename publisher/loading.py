"""Load an issue folder (issue.yaml + NN-slug.md files) into the model, strictly.

Every problem is collected with its file, line and what to do, and reported all
at once as :class:`ContentErrors`; nothing half-loaded goes further. Warnings
(things a channel may trip over, or an editor should look at) come back beside
the issue.
"""

from __future__ import annotations

import functools
import os
import re
import types
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Union, cast, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import BaseResolver

try:  # libyaml scans and parses (the bulk of loading an issue); our composer below checks what it builds
    from yaml._yaml import CParser as _Events
except ImportError:  # pragma: no cover - a PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Events(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


from publisher import text
from publisher.model import Article, Block, BlockKind, Issue, Kind, Section

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ISSUE_FILE = "issue.yaml"
ARTICLE_NAME = re.compile(r"^(\d+)-(.+)\.md$")

ISSUE_KEYS = set(Issue.model_fields) - {"id", "articles"}
ARTICLE_KEYS = set(Article.model_fields) - {"slug", "body", "file"}
#: Figure fields the loader sets; an article may not.
FIGURE_DERIVED = {"found"}


@functools.cache
def _markdown() -> MarkdownIt:
    """The Markdown parser, made at the first body parsed (a build reading its issue from the index needs none)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True})


@dataclass(frozen=True)
class Problem:
    """One finding about the content, pointing at a file and line (1-based).

    ``message`` is the CLI's English sentence; ``code`` and ``params`` say the same
    as data, so the admin can tell an editor in Chinese (``publisher.admin.problems``).
    """

    path: Path
    line: int | None
    message: str
    code: str = ""
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class ContentErrors(Exception):
    """The content could not be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Loaded:
    issue: Issue
    warnings: list[Problem] = field(default_factory=list)


class _Collector:
    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, path: Path, line: int | None, message: str, code: str = "", **params: Any) -> None:
        self.errors.append(Problem(path, line, message, code, params))

    def warn(self, path: Path, line: int | None, message: str, code: str = "", **params: Any) -> None:
        self.warnings.append(Problem(path, line, message, code, params))


class _YamlError(Exception):
    def __init__(self, line: int | None, message: str, code: str = "yaml", **params: Any):
        self.line, self.message, self.code, self.params = line, message, code, params


_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"


class _CoreResolver(BaseResolver):
    """YAML 1.2's core schema: only true/false are booleans, and no timestamps, yes/no/on/off or 1:20 sexagesimals.

    YAML 1.1 (PyYAML's default) reads ``section: on`` as True and ``date: 2025-02-30`` as a date that
    cannot exist (failing the whole file); here both stay text, and the model checks them with their key.
    """


_CoreResolver.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_CoreResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"),
)
_CoreResolver.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


class _CoreConstructor(SafeConstructor):
    """SafeConstructor reading YAML 1.2 integers (``0o17``; a leading zero is decimal, not octal)."""

    def construct_yaml_int(self, node):  # noqa: ANN001 - PyYAML's signature
        value = self.construct_scalar(node)
        if value.startswith("0o"):
            return int(value[2:], 8)
        return int(value, 0) if value.startswith("0x") else int(value)


# PyYAML's stubs expect a function of a Loader; this is a method of the constructor every such loader has.
_CoreConstructor.add_constructor(
    "tag:yaml.org,2002:int", cast(Callable[[yaml.SafeLoader, yaml.Node], int], _CoreConstructor.construct_yaml_int)
)

#: How a model field is read: "text" (str or enum), a model class, ("items", shape) for a tuple, else None.
Shape = Union[str, type[BaseModel], tuple[str, "Shape"], None]


def _shape(annotation: Any) -> Shape:
    """How a model field is read: "text" (str or enum), a model class, ("items", shape) for a tuple, else None."""
    origin, args = get_origin(annotation), [a for a in get_args(annotation) if a is not type(None)]
    if origin in (Union, types.UnionType):
        return _shape(args[0]) if len(args) == 1 else None
    if origin is tuple and args:
        return ("items", _shape(args[0]))
    if annotation is str or (isinstance(annotation, type) and issubclass(annotation, Enum)):
        return "text"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _keep_text(node: yaml.Node, shape: Shape) -> None:
    """Tag every plain scalar of a text field as a string: ``headline: no`` is the headline "no", never False."""
    if isinstance(node, yaml.ScalarNode):
        # A model given as one scalar is an author's name; an empty value stays null (the field is left out).
        if (shape == "text" or isinstance(shape, type)) and not node.style and node.tag != _NULL:
            node.tag = _STR
    elif isinstance(node, yaml.SequenceNode) and isinstance(shape, tuple):
        for item in node.value:
            _keep_text(item, shape[1])
    elif isinstance(node, yaml.MappingNode) and isinstance(shape, type):
        for key, value in node.value:
            found = shape.model_fields.get(key.value) if isinstance(key.value, str) else None
            if found is not None:
                _keep_text(value, _shape(found.annotation))


class _StrictLoader(Composer, _Events, _CoreConstructor, _CoreResolver):
    """A safe YAML 1.2 core loader that refuses anchors, aliases and duplicate keys (no alias bombs, no silent overrides)."""

    first_line = 1  # line of the file where this YAML starts

    def __init__(self, stream: str) -> None:
        _Events.__init__(self, stream)
        Composer.__init__(self)
        _CoreConstructor.__init__(self)
        _CoreResolver.__init__(self)

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark if event is not None else None
            raise _YamlError(
                (mark.line if mark is not None else 0) + self.first_line,
                "YAML anchors and aliases (&name, *name) are not allowed in content; write the value out",
                "yaml-alias",
            )
        node = super().compose_node(parent, index)
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key, _ in node.value:
                if key.value in seen:
                    raise _YamlError(
                        key.start_mark.line + self.first_line,
                        f"key {key.value!r} appears twice (first on line {seen[key.value]}); keep one",
                        "duplicate-key",
                        key=key.value,
                        first=seen[key.value],
                    )
                seen[key.value] = key.start_mark.line + self.first_line
        return node


def _parse_yaml(source: str, first_line: int, model: type[BaseModel]) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document whose text fields are ``model``'s; line numbers are shifted by ``first_line - 1``."""
    loader = _StrictLoader(source)
    loader.first_line = first_line
    try:
        node = loader.get_single_node()
        if node is not None:
            _keep_text(node, model)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        raise _YamlError(line, f"not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise _YamlError(None, f"not valid YAML: {exc}") from None
    except ValueError as exc:  # a number YAML's pattern admits and Python refuses: keep the line
        raise _YamlError(first_line, f"bad value: {exc}", "bad-value") from None
    finally:
        loader.dispose()
    return data, node


def _node_line(node: yaml.Node | None, loc: tuple[Any, ...], first_line: int) -> int | None:
    """Line of the YAML value at ``loc`` (a pydantic error location), as near as it can be found."""
    line = node.start_mark.line + first_line if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                return line
            line = match[0].start_mark.line + first_line
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + first_line
        else:
            return line
    return line


def inside(folder: Path, path: Path) -> bool:
    """Whether ``path``, all symlinks followed, is within ``folder`` (also followed): no link leads out of an issue."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def _read_text(path: Path, out: _Collector) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        out.error(path, None, f"cannot read the file: {exc.strerror}", "unreadable")
        return None
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        out.error(path, line, "is not UTF-8 text; save it as UTF-8 (GB18030/GBK files must be converted)", "not-utf8")
        return None
    cleaned = text.clean(source)
    if cleaned != source.replace("\r\n", "\n").replace("\r", "\n"):
        first = next(i for i, (a, b) in enumerate(zip(source, cleaned)) if a != b)
        out.warn(path, source[:first].count("\n") + 1, "control characters were removed from this file", "control-chars")
    return cleaned


def _mapping(data: Any, path: Path, line: int, what: str, out: _Collector) -> dict | None:
    if not isinstance(data, dict):
        out.error(path, line, f"{what} must be a YAML mapping of key: value lines", "not-mapping")
        return None
    return data


def _unknown_keys(data: dict, allowed: set[str], node, path: Path, first_line: int, out: _Collector) -> bool:
    bad = [k for k in data if k not in allowed]
    for key in bad:
        out.error(
            path,
            _node_line(node, (key,), first_line),
            f"unknown key {key!r}; allowed keys are: {', '.join(sorted(allowed))}",
            "unknown-key",
            key=str(key),
        )
    return not bad


def _validation_errors(exc: ValidationError, node, path: Path, first_line: int, out: _Collector) -> None:
    for err in exc.errors():
        loc = tuple(err["loc"])
        field_name = ".".join(str(p) for p in loc) or "value"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = f"{field_name!r} is required; add a line '{loc[-1]}: …'"
        elif err["type"].startswith("date_"):
            message = f"{field_name}: {err['input']!r} 不是有效的日期；请写成“年-月-日”，例如 2025-04-19"
        else:
            message = f"{field_name}: {message}"
        limit = next(iter((err.get("ctx") or {}).values()), None)
        code = "missing" if err["type"] == "missing" else "invalid"
        out.error(path, _node_line(node, loc, first_line), message, code, field=field_name, type=err["type"], limit=limit)


def _split_front_matter(source: str, path: Path, out: _Collector) -> tuple[str, str, int] | None:
    """Return (front matter, body, first body line)."""
    lines = source.split("\n")
    if not lines or lines[0].strip() != "---":
        out.error(path, 1, "must start with a '---' line, then the front matter (headline: …), then '---'", "no-front-matter")
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    out.error(path, 1, "the front matter is not closed: add a '---' line after it", "front-matter-open")
    return None


def _join_lines(lines: list[str]) -> str:
    """Join wrapped lines: CJK next to CJK joins directly, anything else with a space."""
    joined = ""
    for line in (ln.strip() for ln in lines):
        if joined and line and not (text.has_cjk(joined[-1]) or text.has_cjk(line[0])):
            joined += " "
        joined += line
    return joined


def _parse_body(body: str, first_line: int, path: Path, out: _Collector) -> tuple[Block, ...]:
    """Split the body into blocks: paragraphs, '## ' subheads and '> ' quotes."""
    blocks: list[Block] = []
    chunk: list[str] = []
    start = first_line

    def flush() -> None:
        if not chunk:
            return
        kind = BlockKind.paragraph
        lines = list(chunk)
        if re.match(r"#{1,6}\s", lines[0]):
            kind = BlockKind.subhead
            lines[0] = lines[0].lstrip("#")
        elif all(ln.startswith(">") for ln in lines):
            kind = BlockKind.quote
            lines = [ln[1:] for ln in lines]
        markup = text.sanitize_inline(_markdown().renderInline(_join_lines(lines)))
        plain = text.html_to_text(markup).strip()
        if plain:
            blocks.append(Block(kind=kind, html=markup.strip(), text=plain))
        else:
            out.warn(path, start, "this block has no text left after removing unsafe markup; it is skipped", "empty-block")
        chunk.clear()

    for number, line in enumerate(body.split("\n"), start=first_line):
        if line.strip():
            if not chunk:
                start = number
            chunk.append(line)
        else:
            flush()
    flush()
    return tuple(blocks)


def _clean_strings(value: Any) -> Any:
    if isinstance(value, str):
        return text.clean(value)
    if isinstance(value, list):
        return [_clean_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean_strings(v) for k, v in value.items()}
    return value


def _load_article(path: Path, issue_dir: Path, sections: set[str], out: _Collector) -> Article | None:
    source = _read_text(path, out)
    if source is None:
        return None
    parts = _split_front_matter(source, path, out)
    if parts is None:
        return None
    front, body, body_line = parts
    try:
        data, node = _parse_yaml(front, 2, Article)
    except _YamlError as exc:
        out.error(path, exc.line, exc.message, exc.code, **exc.params)
        return None
    data = _mapping(data, path, 1, "the front matter", out)
    if data is None or not _unknown_keys(data, ARTICLE_KEYS, node, path, 2, out):
        return None
    if "section" in data and data["section"] not in sections:
        out.error(
            path,
            _node_line(node, ("section",), 2),
            f"section {data['section']!r} is not declared in {ISSUE_FILE}; use one of: {', '.join(sorted(sections))}",
            "unknown-section",
            section=str(data["section"]),
        )
        return None
    match = ARTICLE_NAME.match(path.name)
    slug = match.group(2) if match else path.stem
    data = _clean_strings(data)
    authors = data.get("authors")
    if isinstance(authors, list):
        data["authors"] = [{"name": a} if isinstance(a, str) else a for a in authors]
    linked_out = False
    for index, fig in enumerate(data.get("figures") or []):
        if not isinstance(fig, dict):
            continue
        for key in FIGURE_DERIVED & set(fig):
            out.error(
                path,
                _node_line(node, ("figures", index, key), 2),
                f"figures: {key!r} is set by publisher; remove it",
                "derived-key",
                key=key,
            )
            return None
        src = fig.get("src")
        if not isinstance(src, str):
            continue
        line = _node_line(node, ("figures", index, "src"), 2)
        fig["found"] = _inside(issue_dir, src)
        if not inside(issue_dir, issue_dir / src):
            linked_out = True
            out.error(
                path,
                line,
                f"figures.{index}.src: {src!r} 是指向本期文件夹之外的链接，不能使用；请把图片文件本身复制到本期文件夹里",
            )
    if not linked_out:
        _check_figures(data, body, node, path, issue_dir, out)
    try:
        if linked_out:
            Article.model_validate({"slug": slug, "file": path.name, **data})  # still report the article's other errors
            return None
        return Article(slug=slug, file=path.name, body=_parse_body(body, body_line, path, out), **data)
    except ValidationError as exc:
        _validation_errors(exc, node, path, 2, out)
        return None


def _sections(raw: Any, node, path: Path, out: _Collector) -> tuple[Section, ...] | None:
    """The declared sections, each error with its own line and key (``sections.1.page``); None if any is bad."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        out.error(path, _node_line(node, ("sections",), 1), "sections: 应是栏目列表，每项写 slug: 和 name:（可加 page:）")
        return None
    sections, ok = [], True
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            out.error(
                path, _node_line(node, ("sections", index), 1), f"sections.{index}: 每个栏目需写 slug: 和 name:（可加 page:）"
            )
            ok = False
            continue
        try:
            sections.append(Section(**item))
        except ValidationError as exc:
            ok = False
            for err in exc.errors():
                loc = ("sections", index, *err["loc"])
                message = err["msg"].removeprefix("Value error, ")
                out.error(path, _node_line(node, loc, 1), f"{'.'.join(map(str, loc))}: {message}")
        except TypeError:
            ok = False
            out.error(path, _node_line(node, ("sections", index), 1), f"sections.{index}: 栏目只能写 slug、name、page、editor")
    return tuple(sections) if ok else None


def _check_figures(data: dict, body: str, node, path: Path, issue_dir: Path, out: _Collector) -> None:
    """Warn of what no channel will print: a caption without its picture, a picture that cannot be read,
    a photo story with no picture (left out of every channel)."""
    from publisher import images  # Pillow, only when an issue is parsed: a listing from the index needs none

    given = data.get("figures")
    figures = given if isinstance(given, list) else []
    usable = 0
    for index, fig in enumerate(figures):
        if not isinstance(fig, dict):
            continue
        src = fig.get("src")
        line = _node_line(node, ("figures", index, "src" if src else "caption"), 2)
        if not isinstance(src, str) or not src:
            if fig.get("caption"):
                out.warn(path, line, "图说没有图片文件（缺少 src），任何版本都不会印这段图说；请补上图片并写明 src，或删去这一图")
            continue
        if not fig.get("found"):
            out.warn(path, line, f"图片文件 {src} 不在本期文件夹中，这张图和它的图说不会发布；请补上文件")
            continue
        try:
            images.check(issue_dir / src, src)
        except images.PhotoError as exc:
            out.warn(path, line, f"{exc}；这篇文章不会发布")
            continue
        usable += 1
    if data.get("kind") == Kind.photo.value and not usable and not body.strip():
        out.warn(path, _node_line(node, ("kind",), 2), "这是图片报道（kind: photo），但没有可用的图片，不会发布；请补上图片文件")


def _inside(issue_dir: Path, src: str) -> bool:
    """Whether ``src`` is a file whose real path (symlinks resolved) lies inside ``issue_dir``."""
    path = issue_dir / src
    return path.is_file() and inside(issue_dir, path)


def list_issue_ids(content_dir: Path) -> list[str]:
    """Ids of the issues under ``content_dir/issues``, oldest first (ids start with the date)."""
    root = Path(content_dir) / "issues"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / ISSUE_FILE).is_file())


class IssuePage(NamedTuple):
    """Some of the newest issues, and where they stand among the issue folders (counted, not looked into)."""

    ids: list[str]  # newest first
    folders: int  # the folders under issues/ in all
    older: int  # of those, the ones older than the last of ``ids``

    @property
    def next(self) -> str | None:
        """The ``before`` of the page after this one (its last id), or None when no folder is older."""
        return self.ids[-1] if self.older and self.ids else None


def issue_page(content_dir: Path, count: int | None, before: str | None = None) -> IssuePage:
    """The ``count`` (None: every) newest issues older than ``before`` (when given), as :func:`list_issue_ids` has them.

    One listing of the issues folder, and only the folders returned are looked into (for their
    ``issue.yaml``), so a page of an archive of thousands of issues costs the same as of ten.
    """
    root = Path(content_dir) / "issues"
    if not root.is_dir():
        return IssuePage([], 0, 0)
    with os.scandir(root) as entries:
        names = sorted((e.name for e in entries if e.is_dir()), reverse=True)
    ids: list[str] = []
    rest = 0  # the folders after the last id found
    for at, name in enumerate(names):
        if len(ids) == count:
            break
        if (before is None or name < before) and (root / name / ISSUE_FILE).is_file():
            ids.append(name)
            rest = len(names) - at - 1
    return IssuePage(ids, len(names), rest)


def newest_issue_ids(content_dir: Path, before: str, count: int) -> list[str]:
    """The ids of the ``count`` newest issues older than ``before``, newest first (see :func:`issue_page`)."""
    return issue_page(content_dir, count, before).ids if count > 0 else []


def has_issue(content_dir: Path | str, issue_id: str) -> bool:
    """Whether ``issue_id`` is one of :func:`list_issue_ids`, by a look into that folder alone."""
    return (
        issue_id not in ("", ".", "..")
        and "/" not in issue_id
        and (Path(content_dir) / "issues" / issue_id / ISSUE_FILE).is_file()
    )


def issue_dir(content_dir: Path | str, issue_id: str) -> Path:
    return Path(content_dir) / "issues" / issue_id


def load(folder: Path) -> Loaded:
    """Load the issue in ``folder``; raise :class:`ContentErrors` listing every problem."""
    folder = Path(folder)
    out = _Collector()
    meta_path = folder / ISSUE_FILE
    if not meta_path.is_file():
        raise ContentErrors([Problem(meta_path, None, f"no {ISSUE_FILE} here; every issue folder needs one", "no-issue-file")])
    if not inside(folder, meta_path):
        raise ContentErrors([Problem(meta_path, None, "此文件是指向本期文件夹之外的链接，不能使用；请把文件本身放进本期文件夹")])
    source = _read_text(meta_path, out)
    data = node = None
    if source is not None:
        try:
            data, node = _parse_yaml(source, 1, Issue)
        except _YamlError as exc:
            out.error(meta_path, exc.line, exc.message, exc.code, **exc.params)
        else:
            data = _mapping(data, meta_path, 1, ISSUE_FILE, out)
            if data is not None and not _unknown_keys(data, ISSUE_KEYS, node, meta_path, 1, out):
                data = None
    if data is None:
        raise ContentErrors(out.errors)
    data = _clean_strings(data)
    sections = _sections(data.get("sections"), node, meta_path, out)
    if sections is None:
        raise ContentErrors(out.errors)
    # The issue's own fields are checked now, so their errors come with the articles' (articles=() for now).
    try:
        Issue(id=folder.name, **{**data, "sections": sections})
    except ValidationError as exc:
        _validation_errors(exc, node, meta_path, 1, out)
    section_slugs = {s.slug for s in sections}

    articles: list[Article] = []
    first_file: dict[str, Path] = {}
    files = sorted(p for p in folder.iterdir() if p.suffix == ".md" and p.is_file())
    for path in files:
        if not inside(folder, path):
            out.error(path, None, "此文件是指向本期文件夹之外的链接，不能使用；请把文件本身放进本期文件夹")
            continue
        if not ARTICLE_NAME.match(path.name):
            out.error(path, None, "article files are named NN-slug.md (e.g. 03-jishu-zhongxin.md); rename it", "bad-name")
            continue
        article = _load_article(path, folder, section_slugs, out)
        if article is None:
            continue
        if article.slug in first_file:
            out.error(
                path,
                None,
                f"slug {article.slug!r} is already used by {first_file[article.slug].name}; rename one file",
                "duplicate-slug",
                other=first_file[article.slug].name,
            )
            continue
        first_file[article.slug] = path
        articles.append(article)
    if out.errors:
        raise ContentErrors(out.errors)
    for section in sections:
        if not any(a.section == section.slug for a in articles):
            out.warn(
                meta_path,
                _node_line(node, ("sections",), 1),
                f"section {section.name} ({section.slug}) has no articles",
                "empty-section",
                section=section.name,
            )
    if isinstance(data.get("print_pdf"), dict):
        printed = data["print_pdf"]
        if "found" in printed:
            out.error(meta_path, _node_line(node, ("print_pdf", "found"), 1), "print_pdf: 'found' is set by publisher; remove it")
            raise ContentErrors(out.errors)
        if isinstance(printed.get("file"), str):
            printed["found"] = _inside(folder, printed["file"])
            if not printed["found"]:
                out.warn(
                    meta_path,
                    _node_line(node, ("print_pdf", "file"), 1),
                    f"print PDF {printed['file']!r} is not in the issue folder",
                )
    try:
        issue = Issue(id=folder.name, articles=tuple(articles), **{**data, "sections": sections})
    except ValidationError as exc:
        _validation_errors(exc, node, meta_path, 1, out)
        raise ContentErrors(out.errors) from None
    return Loaded(issue, out.warnings)


def load_issue(folder: Path) -> Issue:
    """Load the issue in ``folder`` (see :func:`load`), without the warnings."""
    return load(folder).issue
