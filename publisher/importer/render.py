"""Write the assembled issue in the content format: issue.yaml and one NN-slug.md per article."""

from __future__ import annotations

import re

import yaml

from publisher.importer.assemble import Assembly, Draft
from publisher.text import slugify

#: Characters Markdown would read as markup anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]<>&])")


def md_escape(text: str) -> str:
    """Escape ``text`` so that Markdown renders it back as exactly this plain text."""
    text = _INLINE.sub(r"\\\1", text)
    if text.startswith("#"):
        text = "\\" + text
    return text


class FlowList(list):
    """A short list of numbers written on one line: [39.7, 242.4, 540.9, 285.5]."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's emitter where PyYAML has it (the same text as PyYAML's own, several times faster)."""


_Dumper.add_representer(FlowList, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True))


def _dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10_000)


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in used:
        n += 1
        candidate = f"{slug}-{n}"
    used.add(candidate)
    return candidate


def assign_slugs(assembly: Assembly) -> None:
    """Section slugs from the vocabulary, else the label's pinyin; article slugs from the headline's pinyin."""
    used: set[str] = set()
    for index, section in enumerate(assembly.sections, start=1):
        section.slug = _unique(section.slug or slugify(section.name) or f"section-{index}", used)
    used = set()
    for index, draft in enumerate(assembly.articles, start=1):
        draft.slug = _unique(slugify(draft.headline or "") or f"{draft.section.slug}-{index}", used)


def issue_yaml(fields: dict, assembly: Assembly, furniture: list[str]) -> str:
    data = {
        k: fields[k]
        for k in ("paper", "paper_en", "date", "number", "serial", "grade", "publisher", "sponsor", "website", "print_pdf")
        if fields.get(k) is not None
    }
    data["language"] = "zh-CN"
    used = {d.section.slug for d in assembly.articles}
    data["sections"] = [
        {"slug": s.slug, "name": s.name, **({"page": s.page} if s.page else {})} for s in assembly.sections if s.slug in used
    ]
    if furniture:
        data["furniture"] = furniture
    return _dump(data)


def article_md(draft: Draft) -> str:
    front: dict = {"headline": draft.headline}
    for key in ("kicker", "subtitle"):
        if getattr(draft, key):
            front[key] = getattr(draft, key)
    front["section"] = draft.section.slug
    for key in ("series", "byline"):
        if getattr(draft, key):
            front[key] = getattr(draft, key)
    if draft.authors:
        front["authors"] = [{"name": n, **({"role": r} if r else {})} for n, r in draft.authors]
    if draft.source:
        front["source"] = draft.source
    front["kind"] = draft.kind
    if draft.editor_note:
        front["editor_note"] = "\n\n".join(draft.editor_note)
    if draft.figures:
        front["figures"] = [
            {
                **({"caption": f.caption} if f.caption else {}),
                **({"credit": f.credit} if f.credit else {}),
                **({"src": f.src} if f.src else {}),
            }
            or {"caption": ""}
            for f in draft.figures
        ]
    if draft.print_boxes:
        front["print_boxes"] = draft.print_boxes
    blocks = [("## " + md_escape(b.text)) if b.kind == "subhead" else md_escape(b.text) for b in draft.body]
    return f"---\n{_dump(front)}---\n" + "".join(f"{b}\n\n" for b in blocks).rstrip("\n") + "\n"


def files(fields: dict, assembly: Assembly, furniture: list[str]) -> dict[str, str]:
    """Relative file name -> text, for the whole issue folder."""
    out = {"issue.yaml": issue_yaml(fields, assembly, furniture)}
    width = max(2, len(str(len(assembly.articles))))
    for number, draft in enumerate(assembly.articles, start=1):
        out[f"{number:0{width}d}-{draft.slug}.md"] = article_md(draft)
    return out
