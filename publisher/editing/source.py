"""The content format read and written as editable data: an article file's fields and Markdown body, issue.yaml.

Reading keeps the values as they are written (the Markdown body, not its
rendering); writing produces the format the importer and editors write by hand,
so a file saved here reads back as the same fields. A revision tag is a hash of
a file's bytes: it changes whenever the file does, by this editor, by hand or by git.
"""

from __future__ import annotations

import hashlib
import re

import yaml

from publisher import loading

#: The article fields in the order they are written, as editors read them in a file.
ARTICLE_FIELDS = (
    "headline",
    "kicker",
    "subtitle",
    "section",
    "series",
    "byline",
    "authors",
    "source",
    "kind",
    "editor_note",
    "figures",
)
#: The text fields of an article (a value or None).
TEXT_FIELDS = ("headline", "kicker", "subtitle", "section", "series", "byline", "source", "kind", "editor_note")
#: The masthead fields of issue.yaml editors may change (date and number name the issue and stay).
MASTHEAD_FIELDS = ("paper", "paper_en", "serial", "grade", "publisher", "sponsor", "website")
ISSUE_ORDER = ("paper", "paper_en", "date", "number", "serial", "grade", "publisher", "sponsor", "website", "language")


def revision(data: bytes) -> str:
    """The revision tag of a file's bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def dump_yaml(data: dict) -> str:
    """Plain block YAML, Chinese as it is, keys in the order given."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000)


def article_slug(name: str) -> str | None:
    match = loading.ARTICLE_NAME.match(name)
    return match.group(2) if match else None


def article_number(name: str) -> int:
    match = loading.ARTICLE_NAME.match(name)
    return int(match.group(1)) if match else 0


class Unreadable(Exception):
    """A file is not in the content format at all (no front matter, not YAML): edit it by hand or restore a revision."""


def parse_article(source: str) -> dict:
    """An article file's fields (as written) plus ``body``, the Markdown after the front matter."""
    lines = source.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise Unreadable("文件开头没有“---”和题头信息")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise Unreadable("题头信息没有以“---”结束") from None
    try:
        front = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError:
        raise Unreadable("题头信息不是有效的 YAML") from None
    if not isinstance(front, dict):
        raise Unreadable("题头信息不是“键: 值”的形式")
    fields = {key: front.get(key) for key in ARTICLE_FIELDS}
    fields.update({k: v for k, v in front.items() if k not in fields})  # unknown keys kept, so check names them
    fields["authors"] = [{"name": a} if isinstance(a, str) else a for a in (front.get("authors") or [])]
    fields["figures"] = list(front.get("figures") or [])
    fields["body"] = "\n".join(lines[end + 1 :]).strip("\n")
    return fields


def _text(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _authors(value) -> list[dict]:
    out = []
    for author in value or []:
        if isinstance(author, str):
            author = {"name": author}
        if not isinstance(author, dict):
            out.append(author)  # check() names what is wrong with it
            continue
        name, role = _text(author.get("name")), _text(author.get("role"))
        if name or role:
            out.append({"name": name or "", **({"role": role} if role else {})})
    return out


def _figures(value) -> list[dict]:
    out = []
    for figure in value or []:
        if not isinstance(figure, dict):
            out.append(figure)
            continue
        entry = {k: _text(figure.get(k)) for k in ("caption", "credit", "src")}
        if any(entry.values()):
            out.append({"caption": entry["caption"] or "", **{k: entry[k] for k in ("credit", "src") if entry[k]}})
    return out


def article_source(fields: dict) -> str:
    """The file text for ``fields`` (as :func:`parse_article` returns them): front matter, then the body."""
    front: dict = {}
    for key in ARTICLE_FIELDS:
        value = fields.get(key)
        if key == "authors":
            value = _authors(value)
        elif key == "figures":
            value = _figures(value)
        elif key == "editor_note":
            value = _text(value)
        else:
            value = _text(value) if value is None or isinstance(value, str) else value
        if value not in (None, "", []):
            front[key] = value
    for key, value in fields.items():  # unknown keys stay in the file, where check() reports them
        if key not in ARTICLE_FIELDS and key not in ("body", "slug", "revision", "file") and value is not None:
            front[key] = value
    body = "\n".join(line.rstrip() for line in str(fields.get("body") or "").replace("\r\n", "\n").split("\n")).strip("\n")
    return f"---\n{dump_yaml(front)}---\n" + (body + "\n" if body else "")


def parse_issue(source: str) -> dict:
    try:
        data = yaml.safe_load(source) or {}
    except yaml.YAMLError:
        raise Unreadable("issue.yaml 不是有效的 YAML") from None
    if not isinstance(data, dict):
        raise Unreadable("issue.yaml 不是“键: 值”的形式")
    return data


def issue_source(data: dict) -> str:
    """issue.yaml text: the masthead in the usual order, then sections, furniture and anything else."""
    out = {k: data[k] for k in ISSUE_ORDER if data.get(k) not in (None, "")}
    sections = []
    for section in data.get("sections") or []:
        if isinstance(section, dict):
            section = {k: v for k, v in section.items() if v not in (None, "")}
        sections.append(section)
    out["sections"] = sections
    out.update({k: v for k, v in data.items() if k not in out and k != "sections" and v is not None})
    return dump_yaml(out)


def paragraphs(body: str) -> list[str]:
    """The blocks of a Markdown body (separated by blank lines), as written."""
    return [block.strip("\n") for block in re.split(r"\n[ \t]*\n", body.strip("\n")) if block.strip()]
