"""What a save changed, in words an editor reads: 标题由「…」改为「…」, 正文第3段…, one line per change."""

from __future__ import annotations

import difflib

from publisher.editing import source

LABELS = {
    "headline": "标题",
    "kicker": "引题",
    "subtitle": "副题",
    "section": "版面",
    "series": "专栏",
    "byline": "署名",
    "authors": "作者",
    "source": "来源",
    "kind": "体裁",
    "editor_note": "编者按",
    "figures": "图片",
    "body": "正文",
    "paper": "报名",
    "paper_en": "英文报名",
    "date": "日期",
    "number": "总期号",
    "serial": "国内统一连续出版物号",
    "grade": "报纸级别",
    "publisher": "出版",
    "sponsor": "主管",
    "website": "网址",
    "language": "语言",
    "sections": "版面设置",
    "furniture": "版面杂项",
}


def _show(value) -> str:
    if value in (None, "", []):
        return "（空）"
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                parts.append(" ".join(str(v) for v in item.values() if v))
            else:
                parts.append(str(item))
        return "、".join(parts)
    return str(value)


def _clip(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _changed_span(old: str, new: str) -> str:
    """The changed stretch of a paragraph (between the common start and end): 「近日」改为「日前」."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    a, b = old[start : len(old) - end], new[start : len(new) - end]
    context = f"（…{_clip(new[max(0, start - 8) : start + len(b) + 8])}…）"
    if not a:
        return f"加入「{_clip(b)}」{context}"
    if not b:
        return f"删去「{_clip(a)}」（…{_clip(old[max(0, start - 8) : start + len(a) + 8])}…）"
    return f"「{_clip(a)}」改为「{_clip(b)}」"


def body_changes(old: str, new: str) -> list[str]:
    """One line per changed paragraph of the body."""
    a, b = source.paragraphs(old or ""), source.paragraphs(new or "")
    lines = []
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and a2 - a1 == b2 - b1:
            for offset in range(a2 - a1):
                lines.append(f"正文第{b1 + offset + 1}段：{_changed_span(a[a1 + offset], b[b1 + offset])}")
            continue
        for index in range(a1, a2):
            lines.append(f"正文删去第{index + 1}段：「{_clip(a[index])}」")
        for index in range(b1, b2):
            lines.append(f"正文新增第{index + 1}段：「{_clip(b[index])}」")
    return lines


def section_changes(old: list | None, new: list | None) -> list[str]:
    """Sections added, removed, renamed (the slug stays) and reordered."""
    a = {s.get("slug"): s for s in old or [] if isinstance(s, dict)}
    b = {s.get("slug"): s for s in new or [] if isinstance(s, dict)}
    lines = [f"新增版面「{b[s].get('name')}」" for s in b if s not in a]
    lines += [f"删去版面「{a[s].get('name')}」" for s in a if s not in b]
    for slug in (s for s in b if s in a):
        for key, label in (("name", "名称"), ("page", "版次"), ("editor", "责任编辑")):
            if a[slug].get(key) != b[slug].get(key):
                lines.append(
                    f"版面「{a[slug].get('name')}」{label}由「{_show(a[slug].get(key))}」改为「{_show(b[slug].get(key))}」"
                )
    kept = [s for s in a if s in b]
    if kept != [s for s in b if s in a]:
        lines.append("版面顺序调整为：" + "、".join(str(b[s].get("name")) for s in b))
    return lines


def field_changes(old: dict, new: dict) -> list[str]:
    """One line per changed field (the body paragraph by paragraph, sections one by one)."""
    lines = []
    for key in list(dict.fromkeys([*LABELS, *old, *new])):
        if key == "body":
            continue
        if key == "sections":
            lines += section_changes(old.get(key), new.get(key))
            continue
        before, after = old.get(key), new.get(key)
        if (before or None) == (after or None):
            continue
        label = LABELS.get(key, key)
        lines.append(f"{label}由「{_clip(_show(before))}」改为「{_clip(_show(after))}」")
    return lines + body_changes(old.get("body") or "", new.get("body") or "")


def describe(name: str, before: str | None, after: str | None) -> tuple[str, str]:
    """(summary, diff) of one file's change; the summary names the article by its headline."""
    is_issue = name == "issue.yaml"
    parse = source.parse_issue if is_issue else source.parse_article
    try:
        old = parse(before) if before is not None else {}
        new = parse(after) if after is not None else {}
    except source.Unreadable:
        lines = [f"{'报头' if is_issue else '稿件'}文件整体替换"]
        old, new = {}, {}
    else:
        lines = field_changes(old, new) if before is not None and after is not None else []
    title = "报头" if is_issue else f"《{(new or old).get('headline') or name}》"
    if before is None:
        summary = f"新建{title}"
    elif after is None:
        summary = f"删除{title}（可从回收站恢复）"
    else:
        summary = f"修改{title}：{len(lines)}处" if lines else f"{title}内容未变"
    return summary, "\n".join(lines)
