"""The import report: every unsure decision with its line numbers, the furniture, a readable summary."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass
class Report:
    source: str
    encoding: str
    lines: int
    issue_id: str
    title: str
    seconds: float = 0.0
    masthead: list[dict] = field(default_factory=list)  # {line, text, field}: lines that are a masthead field
    sections: list[dict] = field(default_factory=list)  # {slug, name, line}
    articles: list[dict] = field(default_factory=list)  # {slug, headline, section, lines: [first, last]}
    decisions: list[dict] = field(default_factory=list)  # {kind, lines, chose, alternative, article}
    furniture: list[dict] = field(default_factory=list)  # {line, text, why}: text in no article
    synthesized: list[dict] = field(default_factory=list)  # {article, field, text}: made up, not in the input
    warnings: list[str] = field(default_factory=list)
    #: How the text sets its columns, when it does: "side by side" (as `pdftotext -layout` prints a page),
    #: "run together" (each row's columns on one line) or "one after another" (pdftotext's default mode); "" for a
    #: paragraph a line. Heads and reading order are then guessed from the text, which the print PDF itself tells.
    columns: str = ""

    def data(self) -> dict:
        return {
            "source": self.source,
            "encoding": self.encoding,
            "lines": self.lines,
            "issue": self.issue_id,
            "title": self.title,
            "seconds": round(self.seconds, 3),
            "masthead": self.masthead,
            "sections": self.sections,
            "articles": self.articles,
            "decisions": self.decisions,
            "furniture": self.furniture,
            "synthesized": self.synthesized,
            "warnings": self.warnings,
            "columns": self.columns,
        }

    def to_json(self) -> str:
        return json.dumps(self.data(), ensure_ascii=False, indent=2) + "\n"

    def summary(self) -> str:
        """The report as plain text for the editor: what was made, then where to look."""
        out = [
            f"Imported {self.title} ({self.issue_id}) from {self.source} ({self.encoding}, {self.lines} lines) in {self.seconds:.2f} s",
            f"{len(self.articles)} articles in {len(self.sections)} sections; {len(self.decisions)} decisions to review.",
            "",
        ]
        for section in self.sections:
            where = _where(section) if section["line"] else "not printed"
            out.append(f"[{section['name']}] ({section['slug']}, {where})")
            for article in (a for a in self.articles if a["section"] == section["slug"]):
                first, last = article["lines"]
                where = f"page {', '.join(map(str, article['pages']))}" if article.get("pages") else f"lines {first}-{last}"
                out.append(f"  {article['slug']:<22} {where}  {article['headline']}")
        if self.decisions:
            out += ["", "Check these (where they are in the input):"]
            for d in self.decisions:
                lines = ", ".join(str(n) for n in d["lines"][:6]) + ("…" if len(d["lines"]) > 6 else "")
                where = f"page {d['page']}" if d.get("page") else f"line {lines}"
                alt = f" (or: {d['alternative']})" if d.get("alternative") else ""
                who = f" [{d['article']}]" if d.get("article") else ""
                out.append(f"  {where}: {d['kind']}: {d['chose']}{alt}{who}")
        if self.furniture:
            out += ["", "Not in any article (page furniture, labels, markers):"]
            for f in self.furniture:
                out.append(f"  {_where(f)}: {f['text'][:60]}  ({f['why']})")
        if self.columns:
            out += [
                "",
                f"The text sets its columns {self.columns}, as pdftotext prints a print PDF: heads, columns and reading order",
                "are guessed from it. Where the print PDF is at hand, `publisher import-pdf` reads its type sizes, positions",
                "and photos instead.",
            ]
        for warning in self.warnings:
            out.append(f"warning: {warning}")
        return "\n".join(out) + "\n"


def _where(entry: dict) -> str:
    """Where an entry stands in the input: its line of the text, or its page and line of that page (a PDF)."""
    return f"page {entry['page']}, line {entry['line']}" if entry.get("page") else f"line {entry['line']}"
