"""Validation for the editor: the rules of ``publisher check`` (the loader itself), each problem tied to a field.

The proposed files are written into a scratch copy of the issue folder (other
files linked, not copied) and loaded there with :func:`publisher.loading.load`,
so what the editor is told is exactly what ``publisher check`` would say after
the save. Each problem is mapped to the field it concerns (from the message, or
from its line in the file) and worded for editors in Chinese.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from publisher import loading
from publisher.editing import source
from publisher.editing.diff import LABELS
from publisher.model import Kind


@dataclass(frozen=True)
class FieldProblem:
    """A problem with one field (``headline``, ``figures.0.src``, ``body``; ``file`` for the file as a whole)."""

    field: str
    message: str
    file: str | None = None  # the file it is in (issue.yaml, NN-slug.md), never a server path
    line: int | None = None

    def data(self) -> dict:
        return {"field": self.field, "message": self.message, "file": self.file, "line": self.line}


_FIELD_AT_START = re.compile(r"^'?([a-z_]+)((?:\.\d+(?:\.[a-z_]+)?)?)'?(?::| is required)")
_UNKNOWN_KEY = re.compile(r"^unknown key '([^']+)'")
_IMAGE = re.compile(r"^image file '([^']+)' is not in the issue folder")
_SECTION = re.compile(r"^section '([^']*)' is not declared")
KINDS = "、".join(k.value for k in Kind)


def _field_of_line(text: str, line: int | None, is_issue: bool) -> str:
    """The (dotted) key whose YAML covers ``line`` of ``text``; ``body`` below an article's front matter."""
    if line is None:
        return "file"
    first = 1 if is_issue else 2
    lines = text.split("\n")
    if not is_issue:
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            return "file"
        if line > end + 1:
            return "body"
        yaml_text = "\n".join(lines[1:end])
    else:
        yaml_text = text
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return "file"
    path: list[str] = []
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if isinstance(node, yaml.MappingNode):
            found = [(k, v) for k, v in node.value if k.start_mark.line + first <= line]
            if not found:
                break
            key, node = found[-1]
            path.append(str(key.value))
        else:
            found = [(i, v) for i, v in enumerate(node.value) if v.start_mark.line + first <= line]
            if not found:
                break
            index, node = found[-1]
            path.append(str(index))
    return ".".join(path) or "file"


def _zh(field: str, message: str) -> str:
    """The loader's message in the words of the newsroom (the common ones; others as the loader says them)."""
    top = field.split(".")[0]
    label = LABELS.get(top, top)
    if "is required" in message or "at least 1 character" in message:
        if top == "authors":
            return "作者姓名不能为空"
        return f"{label}不能为空"
    if found := _SECTION.match(message):
        return f"版面“{found.group(1)}”不存在，请选择本期已有的版面"
    if top == "kind":
        return f"体裁必须是其中之一：{KINDS}"
    if top == "figures" and "src" in field:
        return "图片路径必须在本期文件夹之内，例如 images/photo.jpg"
    if found := _IMAGE.match(message):
        return f"图片文件“{found.group(1)}”不在本期文件夹中，请重新上传照片"
    if found := _UNKNOWN_KEY.match(message):
        return f"不认识的字段“{found.group(1)}”，请删去"
    if "valid dictionary" in message or "valid list" in message or "valid tuple" in message:
        return f"{label}的格式不对"
    if "valid integer" in message or "greater than or equal" in message:
        return f"{label}必须是正整数"
    if "valid string" in message:
        return f"{label}必须是文字"
    if "not UTF-8" in message:
        return "文件不是 UTF-8 文本"
    if "has no articles" in message:
        return "这个版面还没有稿件"
    if "no text left" in message:
        return "这一段去掉不安全的标记后没有文字了，保存时会被略去"
    return message


def problem(p: loading.Problem, texts: dict[str, str]) -> FieldProblem:
    """A loader problem as a :class:`FieldProblem` of the file it is in."""
    name = p.path.name
    message = p.message
    match = _FIELD_AT_START.match(message) or _UNKNOWN_KEY.match(message)
    if match and (match.group(1) in source.ARTICLE_FIELDS or match.group(1) in source.ISSUE_ORDER or _UNKNOWN_KEY.match(message)):
        field = match.group(1) + (match.group(2) if match.re is _FIELD_AT_START else "")
    elif _SECTION.match(message):
        field = "section"
    elif _IMAGE.match(message):
        field = _field_of_line(texts.get(name, ""), p.line, name == loading.ISSUE_FILE)
    else:
        field = _field_of_line(texts.get(name, ""), p.line, name == loading.ISSUE_FILE)
    if name == loading.ISSUE_FILE and "has no articles" in message:
        field = "sections"
    return FieldProblem(field, _zh(field, message), name, p.line)


def link_tree(source: Path, target: Path) -> None:
    """Make ``target`` a copy of ``source`` made of hard links (a real copy across file systems).

    Not symlinks: the loader accepts only photos whose real path lies inside the issue folder.
    """
    if source.is_dir():
        target.mkdir(exist_ok=True)
        for entry in source.iterdir():
            if not (target / entry.name).exists():
                link_tree(entry, target / entry.name)
    elif source.is_file():
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def scratch_root(folder: Path) -> Path:
    """Where scratch copies of an issue go: beside it (same file system, so hard links work), hidden from listings."""
    return folder.parent


def check_files(folder: Path, issue_id: str, files: dict[str, bytes]) -> tuple[list[FieldProblem], list[FieldProblem]]:
    """(errors, warnings) of the issue ``folder`` would be with its content files replaced by ``files``.

    ``files`` maps issue.yaml and every NN-slug.md (and any new image under images/)
    to their bytes; the folder's other files are hard-linked into the scratch copy.
    """
    with tempfile.TemporaryDirectory(prefix=".publisher-check-", dir=scratch_root(folder)) as scratch:
        staged = Path(scratch) / issue_id
        staged.mkdir()
        for name, data in files.items():
            target = staged / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if folder.is_dir():
            for entry in folder.iterdir():
                if entry.name in files or entry.suffix == ".md" or entry.name in (loading.ISSUE_FILE, ".trash"):
                    continue
                link_tree(entry, staged / entry.name)
        texts = {name: data.decode("utf-8", "replace") for name, data in files.items()}
        try:
            loaded = loading.load(staged)
        except loading.ContentErrors as exc:
            return [problem(p, texts) for p in exc.problems], []
        return [], [problem(p, texts) for p in loaded.warnings]
