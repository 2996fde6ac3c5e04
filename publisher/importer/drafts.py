"""The importer's working model: draft sections and articles, with the input lines they came from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DraftBlock:
    kind: str  # paragraph | subhead
    text: str
    lines: list[int]


@dataclass
class FigureDraft:
    caption: str = ""
    credit: str | None = None
    lines: list[int] = field(default_factory=list)
    src: str | None = None  # the image file in the issue folder, when the input had the picture


@dataclass
class SectionDraft:
    name: str
    slug: str | None
    line: int | None  # where the label is printed; None for the front page nobody labels
    page: int | None = None


@dataclass
class Draft:
    section: SectionDraft
    first_line: int
    kicker: str | None = None
    headline: str | None = None
    subtitle: str | None = None
    head_lines: list[int] = field(default_factory=list)
    series: str | None = None
    byline: str | None = None
    authors: list[tuple[str, str | None]] = field(default_factory=list)
    head_byline: bool = False
    source: str | None = None
    editor_note: list[str] = field(default_factory=list)
    figures: list[FigureDraft] = field(default_factory=list)
    body: list[DraftBlock] = field(default_factory=list)
    kind: str | None = None
    lead: str | None = None  # news | brief
    ended: bool = False
    jump_out: bool = False  # continued on another page: (下转第N版)
    verse: bool = False  # its short lines are lines of a poem, not subheads
    lines: list[int] = field(default_factory=list)
    slug: str = ""
    print_boxes: list[dict] = field(default_factory=list)  # [{page, boxes}] where a print PDF shows it

    def touch(self, numbers: list[int]) -> None:
        self.lines.extend(numbers)

    @property
    def paragraphs(self) -> list[DraftBlock]:
        return [b for b in self.body if b.kind == "paragraph"]


@dataclass
class Assembly:
    sections: list[SectionDraft]
    articles: list[Draft]
    furniture: list[tuple[int, str, str]]  # (line, text, why)
    issue_furniture: list[str]  # whole lines worth keeping in issue.yaml
    decisions: list[dict]
    synthesized: list[tuple[Draft, str, str]]  # (article, field, text) the importer made up: copies, not input
