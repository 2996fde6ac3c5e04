"""Turn an e-paper's extracted text into a draft issue folder and a report for the editor.

    result = import_text(path_or_bytes, "paper.txt")   # ImportResult(issue_files, issue, report)
    folder = write_issue(result, content_dir / "issues")

Steps: decode (UTF-8, UTF-16 with BOM, GB18030) → put ``pdftotext -layout`` text's columns
in reading order (:mod:`.strips`) → classify lines (:mod:`.lines`,
conventions in :mod:`.rules`) → read the masthead → rejoin paragraphs cut by
column breaks (:mod:`.rejoin`) → group into sections and articles
(:mod:`.assemble`) → write the content format (:mod:`.render`) and load it
back with the normal loader, so the model is exactly what ``publisher show``
will see.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from publisher import loading, writer
from publisher import text as textlib
from publisher.importer import columns, glued, masthead, render, strips
from publisher.importer import lines as L
from publisher.importer.assemble import Assembler
from publisher.importer.lines import ImportFailure
from publisher.importer.rejoin import rejoin
from publisher.importer.report import Report
from publisher.importer.rules import DEFAULT_VOCABULARY, Vocabulary
from publisher.importer.script import PLAIN, Script
from publisher.model import Issue

__all__ = ["ImportFailure", "ImportResult", "MastheadMismatch", "Vocabulary", "import_text", "known_section_slugs", "write_issue"]

REPORT_JSON = "import-report.json"
REPORT_TEXT = "import-report.txt"
#: Input lines kept before and after each unsure decision in the report.
CONTEXT_LINES = 3


class MastheadMismatch(ImportFailure):
    """The date, number or paper given differs from what the masthead prints; ``differences``: (field, printed, given)."""

    def __init__(self, differences: list[tuple[str, object, object]]):
        self.differences = differences
        listed = "; ".join(f"{k}: the masthead prints {p}, you gave {g}" for k, p, g in differences)
        super().__init__(f"{listed}; check the file, or confirm that what you gave is right")


@dataclass
class ImportResult:
    issue_files: dict[str, str]  # file name in the issue folder -> text
    issue: Issue
    report: Report
    binaries: dict[str, bytes] = field(default_factory=dict)  # images, the original PDF: name -> bytes


def known_section_slugs(content_dir: str | os.PathLike | None) -> dict[str, str]:
    """Section name -> slug as the issues already in ``content_dir`` use them (the newest issue wins),
    so that a section keeps its slug, and its feed, from one issue to the next."""
    if content_dir is None:
        return {}
    out: dict[str, str] = {}
    for issue_id in loading.list_issue_ids(Path(content_dir)):
        try:
            data = yaml.safe_load((loading.issue_dir(Path(content_dir), issue_id) / loading.ISSUE_FILE).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        for section in (data or {}).get("sections") or [] if isinstance(data, dict) else []:
            if isinstance(section, dict) and isinstance(section.get("name"), str) and isinstance(section.get("slug"), str):
                out[section["name"]] = section["slug"]
    return out


def read_source(source: bytes | str | os.PathLike, filename: str | None, fallback: str) -> tuple[bytes, str]:
    """An importer's input as bytes, and the name its messages call it by: ``filename``, else a path's
    own name (never its folder), else ``fallback``."""
    if not isinstance(source, (str, os.PathLike)):
        return bytes(source), filename or fallback
    path = Path(source)
    try:
        return path.read_bytes(), filename or path.name
    except OSError as exc:
        raise ImportFailure(f"无法读取 {path.name}（{exc.strerror}）。请确认文件还在、可以打开后再导入。") from None


def given_fields(date: dt.date | None, number: int | None, paper: str | None, script: Script = PLAIN) -> dict:
    """The masthead fields the caller gave (--date/--number/--paper, the admin's form); the paper's name in
    Simplified, as its masthead is read."""
    paper = script.simplified(paper) if paper else paper
    return {k: v for k, v in (("date", date), ("number", number), ("paper", paper)) if v is not None}


def missing_fields(fields: dict) -> list[str]:
    """The fields an issue cannot do without that neither the masthead nor the caller gave."""
    return [k for k in ("paper", "date", "number") if k not in fields]


def apply_known_slugs(sections, known: dict[str, str] | None, script: Script = PLAIN) -> None:
    """Give each draft section the slug an earlier issue gave the same name (names read in Simplified)."""
    names = {script.simplified(name): slug for name, slug in (known or {}).items()}
    for section in sections:
        if section.name in names:
            section.slug = names[section.name]


def import_text(
    source: bytes | str | os.PathLike,
    filename: str | None = None,
    *,
    date: dt.date | None = None,
    number: int | None = None,
    paper: str | None = None,
    vocabulary: Vocabulary = DEFAULT_VOCABULARY,
    known_sections: dict[str, str] | None = None,
    override_masthead: bool = False,
) -> ImportResult:
    """Import extracted e-paper text (bytes, or a path to a file); raise :class:`ImportFailure` on bad input.

    ``date``, ``number`` and ``paper`` stand in for what the masthead does not print; where
    it prints something else, :class:`MastheadMismatch` is raised unless ``override_masthead``.
    ``known_sections`` (from :func:`known_section_slugs`) keeps section slugs stable across issues.
    """
    started = time.perf_counter()
    data, name = read_source(source, filename, "the upload")
    decoded, encoding = L.decode(data, name)
    script = Script.of(decoded)
    decoded = script.simplified(decoded.lstrip("\ufeff"))  # read by the rules in Simplified, written back as printed
    original = decoded.replace("\r\n", "\n").replace("\r", "\n")
    layout = strips.read(original)  # pdftotext -layout: columns side by side
    unglued = None if layout else glued.read(original)  # default mode, columns' lines run together
    decoded = layout.text if layout else unglued.text if unglued else decoded
    cleaned = textlib.clean(decoded)
    warnings = []
    if len(cleaned) != len(decoded.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")):
        warnings.append("control characters were removed from the input")
    cleaned = L.unspaced(cleaned)
    vocabulary = vocabulary.with_page_names(cleaned.split("\n"))
    unwrapped = columns.unwrap(cleaned, vocabulary, layout)
    items = unwrapped.items if unwrapped else L.split(cleaned)
    L.classify(items, vocabulary)
    if unwrapped:
        unwrapped.settle()
    head = masthead.read(items)
    fields = dict(head.fields)
    given = given_fields(date, number, paper, script)
    differs = [(k, fields[k], v) for k, v in given.items() if k in fields and fields[k] != v]
    if differs and not override_masthead:
        raise MastheadMismatch(differs)
    fields.update(given)
    if missing := missing_fields(fields):
        hints = {"paper": "--paper 某某报", "date": "--date 2025-04-19", "number": "--number 1330"}
        raise ImportFailure(
            f"{name}: the masthead does not give the {', '.join(missing)} (paper name line, a date like 2025年4月19日, 总第N期); "
            f"pass {' '.join(hints[k] for k in missing)}"
        )
    body = [x for x in items if x.kind != L.MASTHEAD]
    L.mark_running_heads(body, fields["paper"])
    if unwrapped:
        body = unwrapped.reorder(body)
    joined = rejoin(body)
    assembly = Assembler(joined.pieces, vocabulary).run()
    if not any(
        d.head_lines and not any(x["kind"] == "no-headline" and x["article"] is d for x in assembly.decisions)
        for d in assembly.articles
    ):
        raise ImportFailure(
            f"{name}: no recognisable headline (a short line above a story, 本报讯 …); is this the text of a newspaper page?"
        )
    apply_known_slugs(assembly.sections, known_sections, script)
    render.assign_slugs(assembly)
    issue_id = f"{fields['date'].isoformat()}-{fields['number']}"
    issue_furniture = [t for _, t in head.furniture] + assembly.issue_furniture
    files = script.restored_all(render.files(fields, assembly, issue_furniture))
    issue, load_warnings = load_rendered(files, issue_id)
    pasted = textlib.clean(original)
    moved = layout or unglued  # the reading's lines in another order than the pasted input's
    place = moved.source if moved else (lambda n: n)  # a line of the reading -> the pasted input's line
    report = Report(name, encoding, pasted.count("\n") + 1, issue_id, issue.title, warnings=warnings + load_warnings)
    report.columns = "side by side" if layout else "run together" if unglued else "one after another" if unwrapped else ""
    report.masthead = [{"line": place(no), "text": t, "field": f} for no, t, f in head.printed]
    report.sections = [{"slug": s.slug, "name": s.name, "line": place(s.line) if s.line else s.line} for s in assembly.sections]
    report.articles = []
    for draft in assembly.articles:
        where = [place(n) for n in draft.lines or [draft.first_line]]
        report.articles.append(
            {"slug": draft.slug, "headline": draft.headline, "section": draft.section.slug, "lines": [min(where), max(where)]}
        )
    decisions: list[dict[str, Any]] = [
        {
            "kind": "rejoin",
            "lines": [a, b],
            "chose": f"paragraph continues at line {b} ({how})",
            "alternative": None,
            "article": None,
        }
        for a, b, how in joined.joins
    ]
    decisions += [
        {
            "kind": "loose-end",
            "lines": [n],
            "chose": "paragraph stops mid-sentence; its continuation was not found",
            "alternative": None,
            "article": None,
        }
        for n in joined.loose_ends
    ]
    decisions += assembly.decisions
    owner = {n: d.slug for d in assembly.articles for n in d.lines}
    for d in decisions:
        article = d["article"]
        d["article"] = article.slug if article is not None else owner.get(d["lines"][0])
    reading = cleaned.split("\n")
    input_lines = pasted.split("\n")
    for d in decisions:  # numbers of the pasted input, and the input around each decision (1-based)
        if moved:
            d["read"] = [[place(n), reading[n - 1].strip()] for n in d["lines"] if 0 < n <= len(reading)]
            d["chose"], d["alternative"] = _renumbered(d["chose"], place), _renumbered(d["alternative"], place)
        d["lines"] = sorted({place(n) for n in d["lines"]}, key=[place(n) for n in d["lines"]].index)
        if moved:  # the reading's lines come from input lines all over the page: the lines around each
            near = {k for n in d["lines"] for k in range(n - CONTEXT_LINES, n + CONTEXT_LINES + 1)}
        else:
            near = set(range(min(d["lines"]) - CONTEXT_LINES, max(d["lines"]) + CONTEXT_LINES + 1))
        d["context"] = [
            [n, input_lines[n - 1]] for n in sorted(near) if 1 <= n <= len(input_lines) and input_lines[n - 1].strip()
        ]
    report.decisions = sorted(decisions, key=lambda d: d["lines"][0])
    report.furniture = sorted(
        [{"line": place(no), "text": t, "why": "masthead"} for no, t in head.furniture]
        + [{"line": place(no), "text": t, "why": why} for no, t, why in assembly.furniture],
        key=lambda f: f["line"],
    )
    report.synthesized = [{"article": d.slug, "field": f, "text": t} for d, f, t in assembly.synthesized]
    report.seconds = time.perf_counter() - started
    return ImportResult(files, issue, restored_report(report, script))


def restored_report(report: Report, script: Script) -> Report:
    """The report in the paper's own characters (see :mod:`publisher.importer.script`)."""
    for name in ("masthead", "sections", "articles", "decisions", "furniture", "synthesized"):
        setattr(report, name, script.restored_all(getattr(report, name)))
    return report


def _renumbered(text: str | None, place) -> str | None:
    """A decision's wording with the line numbers it names (line 12, lines 12–40) put in the input's numbers."""
    if text is None:
        return None

    def one(match: re.Match[str]) -> str:
        numbers = sorted(place(int(n)) for n in match.group(2, 3) if n)
        return f"{match.group(1)} {numbers[0]}" + (f"–{numbers[-1]}" if len(numbers) > 1 else "")

    return re.sub(r"\b(lines?) (\d+)(?:–(\d+))?", one, text)


def load_rendered(files: dict[str, str], issue_id: str, binaries: dict[str, bytes] | None = None) -> tuple[Issue, list[str]]:
    """Load the rendered files with the normal loader, so the model is what 'publisher show' sees."""
    with tempfile.TemporaryDirectory(prefix="publisher-import-") as tmp:
        folder = Path(tmp) / issue_id
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        for name, data in (binaries or {}).items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        try:
            loaded = loading.load(folder)
        except loading.ContentErrors as exc:
            problems = "; ".join(f"{p.path.name}:{p.line or ''} {p.message}" for p in exc.problems[:5])
            raise ImportFailure(f"the imported issue does not load ({problems}); please report this input") from None
    return loaded.issue, [f"{p.path.name}: {p.message}" for p in loaded.warnings]


def write_issue(result: ImportResult, out_dir: str | os.PathLike, *, force: bool = False) -> Path:
    """Write the issue folder ``out_dir/<issue id>/`` (with the import report) atomically; return it.

    ``out_dir`` is a content folder's ``issues/``. An existing issue folder is only replaced with ``force``.
    """
    out_dir = Path(out_dir)
    final = out_dir / result.issue.id
    if final.exists() and not force:
        raise ImportFailure(f"{final} already exists; remove it, choose another --out, or pass --force to replace it")
    staged = out_dir / f".{result.issue.id}.import-{os.getpid()}"
    for name, text in result.issue_files.items():
        writer.write_text(staged / name, text)
    for name, data in result.binaries.items():
        writer.write_bytes(staged / name, data)
    writer.write_text(staged / REPORT_JSON, result.report.to_json())
    writer.write_text(staged / REPORT_TEXT, result.report.summary())
    writer.replace_dir(staged, final)
    return final
