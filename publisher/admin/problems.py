"""Content problems told to an editor: which article (by headline), which field, what to do; never a server path.

:mod:`publisher.loading` reports each problem as data (a code and its
parameters) beside the CLI's English sentence; this module writes the editor's
sentence in the admin's language from that data.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from publisher.admin.messages import scrub
from publisher.loading import ISSUE_FILE, Problem
from publisher.text import has_cjk

#: Field names an editor knows, for the model's keys.
FIELD_NAMES = {
    "headline": lazy_gettext("标题"),
    "kicker": lazy_gettext("引题"),
    "subtitle": lazy_gettext("副题"),
    "section": lazy_gettext("版面"),
    "series": lazy_gettext("专栏"),
    "byline": lazy_gettext("署名"),
    "authors": lazy_gettext("作者"),
    "source": lazy_gettext("来源"),
    "kind": lazy_gettext("体裁"),
    "editor_note": lazy_gettext("编者按"),
    "figures": lazy_gettext("图片"),
    "text": lazy_gettext("正文"),
    "paper": lazy_gettext("报名"),
    "date": lazy_gettext("日期"),
    "number": lazy_gettext("期号"),
    "sections": lazy_gettext("版面设置"),
    "title": lazy_gettext("报头"),
}
_HEADLINE = re.compile(r"^headline:\s*(.+?)\s*$", re.M)


def field_name(key: str) -> str:
    """``figures.0.caption`` → 图片 (the first part an editor knows)."""
    head = str(key).split(".")[0]
    return str(FIELD_NAMES.get(head, head))


def headline_of(path: Path) -> str | None:
    """The headline written in an article file, read loosely (the file may not load)."""
    try:
        found = _HEADLINE.search(path.read_text(encoding="utf-8", errors="replace")[:4000])
    except OSError:
        return None
    return found.group(1).strip("\"'“”") if found else None


def where(problem: Problem) -> str:
    """The article by its headline (or the masthead), and the line, without any folder."""
    path = Path(problem.path)
    line = _("（第 %(line)s 行）", line=problem.line) if problem.line else ""
    if path.name == ISSUE_FILE:
        return _("报头与版面设置") + line
    headline = headline_of(path)
    if headline:
        return _("文章《%(headline)s》", headline=headline) + line
    return _("文章文件 %(name)s", name=path.name) + line


def _invalid(params: dict) -> str:
    name, kind, limit = field_name(params.get("field", "")), params.get("type", ""), params.get("limit")
    if kind == "string_too_short":
        return _("「%(field)s」不能为空，请填写。", field=name)
    if kind == "string_too_long":
        return _("「%(field)s」太长了，最多 %(limit)s 个字，请删减。", field=name, limit=limit)
    if kind in ("greater_than_equal", "greater_than"):
        return _("「%(field)s」必须不小于 %(limit)s，请改正。", field=name, limit=limit)
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("「%(field)s」应当是一个整数，请改正。", field=name)
    if kind.startswith("date"):
        return _("「%(field)s」应当是日期，写成 2025-04-19 的样子。", field=name)
    if kind == "enum":
        return _("「%(field)s」只能填写规定的值之一：%(limit)s。", field=name, limit=limit)
    if kind in ("string_type", "list_type", "dict_type", "model_type"):
        return _("「%(field)s」的写法不对，请对照内容格式说明改正。", field=name)
    return _("「%(field)s」填写有误，请对照内容格式说明改正。", field=name)


def describe(problem: Problem) -> str:
    """One sentence for an editor: where (headline, line), what is wrong, what to do."""
    p = problem.params
    messages = {
        "unreadable": lambda: _("文件无法读取，请联系管理员检查文件权限。"),
        "not-utf8": lambda: _("文件不是 UTF-8 编码；请用 UTF-8 另存（GB18030/GBK 文件需要转换）。"),
        "control-chars": lambda: _("文件里的控制字符已被去掉；请核对这一处的文字。"),
        "not-mapping": lambda: _("开头的信息应当是“键: 值”一行一项，请按内容格式说明改写。"),
        "unknown-key": lambda: _("有一项不认识的字段「%(key)s」，请删除它或改成正确的字段名。", key=p.get("key")),
        "missing": lambda: _("缺少「%(field)s」，请补上。", field=field_name(p.get("field", ""))),
        "invalid": lambda: _invalid(p),
        "no-front-matter": lambda: _("文章开头缺少以 --- 包围的标题等信息，请补上。"),
        "front-matter-open": lambda: _("标题等信息后面缺少结束的 --- 一行，请补上。"),
        "empty-block": lambda: _("有一段去掉不安全的标记后没有文字了，已略去；请检查这一段。"),
        "yaml": lambda: _("这里的格式写错了：常见原因是冒号后少了空格、引号没有配对或缩进不齐。请改正后再保存。"),
        "yaml-alias": lambda: _("这里用了 & 或 * 引用写法，内容中不允许；请把值直接写出来。"),
        "duplicate-key": lambda: _("「%(field)s」写了两次，请只保留一处。", field=field_name(p.get("key", ""))),
        "bad-value": lambda: _("这里有一个无效的值（例如不存在的日期），请改正。"),
        "unknown-section": lambda: _(
            "版面「%(section)s」没有在本期的版面设置里，请改成已有的版面，或先添加这个版面。", section=p.get("section")
        ),
        "image-missing": lambda: _("图片 %(src)s 不在本期的文件夹里，请上传这张图片或删去它。", src=Path(str(p.get("src"))).name),
        "derived-key": lambda: _("图片的「%(key)s」由系统自动填写，请删去这一行。", key=p.get("key")),
        "no-issue-file": lambda: _("这一期缺少报头文件（issue.yaml），无法读取。"),
        "sections": lambda: _("版面设置写法有误：每个版面需要代号（slug）和名称（name），可选页码（page）。"),
        "bad-name": lambda: _("文章文件名应当是“两位序号-代号.md”，例如 03-jishu-zhongxin.md，请改名。"),
        "duplicate-slug": lambda: _("与 %(other)s 用了同一个代号，请给其中一篇改名。", other=p.get("other")),
        "empty-section": lambda: _("版面「%(section)s」还没有文章。", section=p.get("section")),
    }
    found = messages.get(problem.code)
    if found:
        what = found()
    elif has_cjk(problem.message):  # the loader already wrote it in Chinese
        what = scrub(problem.message)
    else:
        what = _("这里的内容有误，请核对；改不好请找技术编辑协助。")
    return f"{where(problem)}：{what}"
