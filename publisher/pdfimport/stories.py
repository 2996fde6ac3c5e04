"""Regions into draft articles: head tiers, bylines, notes, paragraphs and subheads, captions, jumps.

Single lines are read with the text importer's conventions (:mod:`publisher.importer.rules`
through :func:`publisher.importer.lines.classify_line`); what the PDF adds is geometry:
sizes for the head's tiers, indents and line ends for paragraphs, small type for captions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from publisher.importer import lines as L
from publisher.importer import rules
from publisher.importer.drafts import Draft, DraftBlock, FigureDraft, SectionDraft
from publisher.importer.heads import infer_kind
from publisher.pdfimport.extract import EmbeddedImage
from publisher.pdfimport.layout import Head, PageLayout, StoryRegion
from publisher.pdfimport.textlines import PrintedLine, _cjk

_DASH = re.compile(r"^(?:——|──|—|-{2})\s*")


@dataclass
class PrintedStory:
    """A draft article with where it was printed."""

    draft: Draft
    regions: list[StoryRegion] = field(default_factory=list)
    pictures: list[tuple[EmbeddedImage, FigureDraft]] = field(default_factory=list)
    jump_to: int | None = None  # (下转第N版): the page it continues on
    caption_boxes: dict[int, tuple[float, float, float, float]] = field(default_factory=dict)  # id(figure) -> box
    synthesized: str | None = None  # a headline the importer made up


@dataclass
class Reading:
    stories: list[PrintedStory]
    furniture: list[tuple[PrintedLine, str, str]]  # (line, text, why)
    decisions: list[dict]
    sections: list[SectionDraft]


def join(parts: list[str]) -> str:
    """Lines of one paragraph joined: no space between CJK, one between Latin words."""
    out = ""
    for part in parts:
        if out and part and not (_cjk(out[-1]) or _cjk(part[0])) and out[-1].isalnum() and part[0].isalnum():
            out += " "
        out += part
    return out


def _goes_on(line: PrintedLine, first: PrintedLine, body: float) -> bool:
    """``first`` (the next leaf's first line) is small type set right under ``line`` from the same edge: the caption
    runs on (set tight, its lines may come apart in two leaves)."""
    return first.size < body * 0.97 and abs(first.x0 - line.x0) < 1 and 0 <= first.y0 - line.y1 < line.height


def _left_open(text: str) -> bool:
    """A bracket opened and not closed: the line goes on into the next (本报讯（记者 张三 李 | 四）…)."""
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def _line_kind(text: str, vocabulary: rules.Vocabulary) -> L.InputLine:
    item = L.InputLine(0, text)
    L.classify_line(item, vocabulary)
    return item


class PageReader:
    """Reads every page's regions into stories, in reading order, joining jumps."""

    def __init__(self, vocabulary: rules.Vocabulary):
        self.vocabulary = vocabulary
        self.stories: list[PrintedStory] = []
        self.furniture: list[tuple[PrintedLine, str, str]] = []
        self.decisions: list[dict] = []
        self.sections: list[SectionDraft] = []
        self.section: SectionDraft | None = None

    def drop(self, line: PrintedLine, text: str, why: str) -> None:
        if text.strip():
            self.furniture.append((line, text.strip(), why))

    def decide(self, kind: str, line: PrintedLine, chose: str, alternative: str | None, story: PrintedStory | None) -> None:
        self.decisions.append(
            {
                "kind": kind,
                "page": line.page,
                "box": [round(v, 1) for v in line.box],
                "chose": chose,
                "alternative": alternative,
                "article": story,
            }
        )

    def open_section(self, name: str | None, label: PrintedLine | None, page: int) -> SectionDraft:
        """The section a label (or a running head) names, new or met before; no name: the current one.
        A label of a section met before (it goes on over several pages) is furniture."""
        if name is None:
            if self.section is not None:
                return self.section
            name = self.vocabulary.front_page[0]
        existing = next((s for s in self.sections if s.name == name), None)
        if existing is None:
            slug = self.vocabulary.slug(name) or (
                self.vocabulary.front_page[1] if name == self.vocabulary.front_page[0] else None
            )
            existing = SectionDraft(name, slug, label.id if label else None, page)
            self.sections.append(existing)
        elif label is not None:
            self.drop(label, label.text, "section label")
        self.section = existing
        return existing

    def read(self, layouts: list[PageLayout]) -> Reading:
        for layout in layouts:
            for line, why in layout.furniture:
                self.drop(line, line.text, why)
            number = layout.page.number
            section = self.open_section(layout.section, layout.section_line, number)
            below = {id(band): self.open_section(band.text.replace(" ", ""), band, number) for band in layout.bands}
            for region in layout.regions:
                self.region(region, below[id(region.band)] if region.band is not None else section, layout)
        for story in self.stories:
            if story.jump_to is not None:
                last = story.regions[-1]
                line = last.lines[-1] if last.lines else anchor_of(last)
                self.decide("jump", line, f"continued on page {story.jump_to}, but the rest was not found", None, story)
            draft = story.draft
            if draft.headline is None:
                self.headless(story)
            draft.kind = draft.kind or infer_kind(draft)
        return Reading(self.stories, self.furniture, self.decisions, self.sections)

    # -- one region ---------------------------------------------------------------------------
    def region(self, region: StoryRegion, section: SectionDraft, layout: PageLayout) -> None:
        if region.alone:
            self.picture_story(region, section)
            return
        leaves = region.leaves()
        first = leaves[0][0] if leaves and leaves[0] else None
        if first is None:
            if region.head is None:  # images above every head and no text: the story before's
                if self.stories:
                    self.stories[-1].regions.append(region)
                    self.attach_pictures(self.stories[-1], region)
                return
            anchor = region.head.lines[0]
        else:
            anchor = first
        jump_in = first is not None and bool(rules.JUMP_IN.match(first.text))
        target = None
        if jump_in or region.head is None:
            target = next((s for s in reversed(self.stories) if s.jump_to == layout.page.number), None)
            if target is None and region.head is None and self.stories and not jump_in:
                target = self.stories[-1]  # text above every head: the end of the story before
                self.decide(
                    "headless",
                    anchor,
                    "text above every headline joined to the story before",
                    "a story of its own",
                    target,
                )
        if target is not None:
            if region.head is not None:
                for line in region.head.lines + region.head.above:
                    self.drop(line, line.text, "repeated headline of a continued story")
            target.jump_to = None
            target.regions.append(region)
            self.body(target, leaves, layout, continued=True)
            self.attach_pictures(target, region)
            self.decide("jump", anchor, "story continued from another page joined to its start", None, target)
            return
        draft = Draft(section=section, first_line=anchor.id)
        story = PrintedStory(draft, [region])
        self.stories.append(story)
        if region.head is not None:
            self.head(story, region.head)
            if region.head.vertical:
                self.tier_atop(story, leaves, layout.body, region.head.size)
        self.body(story, leaves, layout, continued=False)
        self.attach_pictures(story, region)

    def tier_atop(self, story: PrintedStory, leaves: list[list[PrintedLine]], body: float, head: float) -> None:
        """A line in a head's type atop the text of a story whose head stands vertical at its right is that head's
        kicker, or its subtitle when it opens with a dash (it has no room over a head it does not stand above)."""
        draft = story.draft
        if not leaves or len(leaves[0]) != 1 or draft.kicker or draft.subtitle:
            return
        line = leaves[0][0]
        if not (body * 1.06 <= line.size < head and len(line.text) <= 40):
            return
        if rules.ENDS_SENTENCE.search(line.text):
            return
        leaves.pop(0)
        line.role = "head"
        draft.head_lines.append(line.id)
        if dash := _DASH.match(line.text):
            self.drop(line, dash.group(0), "subtitle dash")
            draft.subtitle = line.text[dash.end() :] or None
        else:
            draft.kicker = line.text
        self.decide(
            "headline", line, "a line in a head's type atop the text beside a vertical head", "the text's first line", story
        )

    def picture_story(self, region: StoryRegion, section: SectionDraft) -> None:
        """A picture on its own with its caption: a picture story whose headline is the caption (as the text
        importer reads a caption outside every story)."""
        lines = [x for leaf in region.leaves() for x in leaf]  # as read, whatever order they were drawn in
        draft = Draft(section=section, first_line=lines[0].id, kind="photo")
        story = PrintedStory(draft, [region])
        self.stories.append(story)
        self.caption(story, lines, story.caption_boxes)
        if not draft.figures:  # the caption read as a source line: the picture's words all the same
            draft.figures.append(FigureDraft(join([x.text for x in lines]), None, [x.id for x in lines]))
            draft.source = None
        figure = draft.figures[-1]
        draft.headline, figure.caption = figure.caption or figure.credit or "", ""
        draft.head_lines = [x.id for x in lines]
        self.attach_pictures(story, region)
        self.decide("photo", lines[0], "a picture on its own became a picture story", "a figure of the story beside it", story)

    def series(self, story: PrintedStory, line: PrintedLine) -> None:
        """A column label (【某某观察】) over the story: its series, the brackets dropped."""
        draft = story.draft
        label = self.vocabulary.read(line.text)
        name = label["name"] if label else line.text.strip("【】[]［］ ")
        draft.series = name if draft.series is None else f"{draft.series} {name}"
        self.drop(line, line.text.replace(name, "", 1), "label decoration")

    def head(self, story: PrintedStory, head: Head) -> None:
        draft = story.draft
        for line in head.above:
            self.series(story, line)
        size = head.size
        main = [x for x in head.lines if x.size >= size * 0.92]
        top, bottom = main[0].y0, main[-1].y1
        above = [x for x in head.lines if (x.y0 + x.y1) / 2 < top and x not in main]
        below = [x for x in head.lines if (x.y0 + x.y1) / 2 > bottom and x not in main]
        odd = [x for x in head.lines if x not in main and x not in above and x not in below]
        main += odd
        main.sort(key=lambda x: (x.y0, x.x0))
        if main and all(x.vertical for x in main) and len(main) > 1:
            main.sort(key=lambda x: -x.x0)  # vertical lines read right to left
        draft.headline = join([x.text for x in main])
        if above:
            draft.kicker = join([x.text for x in above])
        if below:
            text = join([x.text for x in below])
            if dash := _DASH.match(text):
                self.drop(below[0], dash.group(0), "subtitle dash")
                text = text[dash.end() :]
            draft.subtitle = text or None
        draft.head_lines = [x.id for x in head.lines]
        if len(main) > 1 and len({round(x.size) for x in main}) > 1:
            self.decide("headline", main[0], "lines of nearly the same size read as one headline", "kicker + headline", story)

    def attach_pictures(self, story: PrintedStory, region: StoryRegion) -> None:
        """Each image takes the figure whose caption stands nearest it (below, or beside); else a bare figure."""
        draft = story.draft
        free = [f for f in draft.figures if not any(f is g for _, g in story.pictures)]
        boxes = story.caption_boxes
        for picture in region.pictures:
            px0, py0, px1, py1 = picture.box
            best, best_d = None, None
            for figure in free:
                box = boxes.get(id(figure))
                if box is None:
                    continue
                x0, y0, x1, y1 = box
                dy = max(0.0, y0 - py1, py0 - y1)
                dx = max(0.0, x0 - px1, px0 - x1)
                d = dy + dx * 2
                if d < 4 * (y1 - y0 + 10) and (best_d is None or d < best_d):
                    best, best_d = figure, d
            if best is None:
                best = FigureDraft("", None, [])
                draft.figures.append(best)
                self.decide("figure", _box_line(picture, region.page), "an image with no caption near it", None, story)
            else:
                free.remove(best)
            story.pictures.append((picture, best))

    # -- the body -----------------------------------------------------------------------------
    def body(self, story: PrintedStory, leaves: list[list[PrintedLine]], layout: PageLayout, continued: bool) -> None:
        draft = story.draft
        body = layout.body
        boxes = story.caption_boxes
        open_para: list[str] | None = None  # texts of the paragraph still open (continues in the next leaf)
        if (
            continued
            and draft.body
            and draft.body[-1].kind == "paragraph"
            and not rules.ENDS_SENTENCE.search(draft.body[-1].text)
        ):
            open_para = [draft.body.pop().text]
        caption: list[PrintedLine] = []  # small lines read together: a caption, a source, a late byline

        def flush_caption() -> None:
            if caption:
                self.caption(story, list(caption), boxes)
                caption.clear()

        at_top = not continued and not draft.body
        for n, leaf in enumerate(leaves):
            x0 = min(x.x0 for x in leaf)
            x1 = max(x.x1 for x in leaf)
            k = 0
            if rules.EDITOR_NOTE.match(leaf[0].text) and not draft.body and not draft.editor_note:
                if open_para is not None:
                    self.paragraph(story, open_para)
                    open_para = None
                self.editor_note(story, leaf, x0, x1)
                continue
            while k < len(leaf):
                line = leaf[k]
                text = line.text
                item = _line_kind(text, self.vocabulary)
                small = line.size < body * 0.97
                # jumps
                if item.kind == L.CONTINUED and item.data.get("jump"):
                    flush_caption()
                    self.drop(line, text, "jump line")
                    if item.data["jump"] == "out":
                        story.jump_to = _page_of(text)
                    k += 1
                    continue
                if (jump := rules.JUMP_IN.match(text)) and jump.start() == 0:
                    self.drop(line, jump.group(0), "jump line")
                    text = text[jump.end() :].strip()
                    if not text:
                        k += 1
                        continue
                if (jump := rules.JUMP_OUT.search(text)) and jump.start() > 0:
                    self.drop(line, jump.group(0), "jump line")
                    story.jump_to = _page_of(jump.group(0))
                    text = text[: jump.start()].rstrip()
                # bylines right under the head
                if at_top and not draft.body and open_para is None and draft.byline is None:
                    byline, taken = self.byline(item, text, line, body), 1
                    if not byline and small:
                        byline, taken = self.wrapped_byline(leaf, k, x1, body)
                    if byline and _left_open(text) and not small:
                        byline = None  # a lead's dateline whose bracket closes on the next line: the paragraph's
                    if byline:
                        draft.byline, draft.authors = byline
                        draft.head_byline = True
                        k += taken
                        continue
                if item.kind == L.SOURCE and draft.source is None:
                    flush_caption()
                    draft.source = text
                    k += 1
                    continue
                if item.kind == L.SPEAKER and (draft.body or open_para) and draft.byline is None:
                    flush_caption()
                    if open_para is not None:
                        self.paragraph(story, open_para)
                        open_para = None
                    draft.byline, draft.authors = text, [(item.data["name"], item.data["role"])]
                    k += 1
                    continue
                if item.kind == L.BYLINE and rules.BOX_BYLINE.match(text) and (draft.body or open_para):
                    flush_caption()
                    if open_para is not None:
                        self.paragraph(story, open_para)
                        open_para = None
                    if self.closing_byline(draft, text, item):
                        k += 1
                        continue
                if small:
                    caption.append(line)
                    k += 1
                    continue
                flush_caption()
                at_top = False
                # subheads: bold or centred body-size lines between paragraphs
                if self.is_subhead(line, leaf, k, x0, x1, open_para):
                    run = [line]
                    while (
                        k + 1 < len(leaf)
                        and leaf[k + 1].bold
                        and leaf[k + 1].size == line.size
                        and run[-1].x1 >= x1 - line.size * 1.5
                    ):
                        k += 1
                        run.append(leaf[k])
                    if open_para is not None:
                        self.paragraph(story, open_para)
                        open_para = None
                    draft.body.append(DraftBlock("subhead", join([x.text for x in run]), [x.id for x in run]))
                    k += 1
                    continue
                indented = line.x0 - x0 >= 0.9 * line.size
                if open_para is not None and (indented or (k == 0 and self.starts_fresh(text))):
                    self.paragraph(story, open_para)
                    open_para = None
                if open_para is None:
                    open_para = []
                open_para.append(text)
                short = line.x1 < x1 - 1.2 * line.size
                if short and rules.ENDS_SENTENCE.search(text):
                    self.paragraph(story, open_para)
                    open_para = None
                k += 1
            if not (caption and n + 1 < len(leaves) and _goes_on(caption[-1], leaves[n + 1][0], body)):
                flush_caption()
        if open_para is not None:
            self.paragraph(story, open_para)

    def closing_byline(self, draft: Draft, text: str, item: L.InputLine) -> bool:
        """A writers' line marked ■ or □ after the text (■记者某某) signs the story: its byline, also over a
        dateline that names no one (【本报讯】), which goes back to the head of the text it opened."""
        bare = draft.lead == "news" and draft.byline is not None and not draft.authors and not draft.head_byline
        if draft.byline is not None and not bare:
            return False
        if bare and draft.body:
            first = draft.body[0]
            draft.body[0] = DraftBlock(first.kind, f"{draft.byline}{first.text}", first.lines)
        draft.byline, draft.authors = text, list(item.data.get("authors") or [])
        return True

    def starts_fresh(self, text: str) -> bool:
        return bool(rules.NEWS_LEAD.match(text))

    def is_subhead(self, line: PrintedLine, leaf, k, x0, x1, open_para) -> bool:
        if rules.NEWS_LEAD.match(line.text) or len(line.text) > rules.HEADING_MAX:
            return False
        if open_para and not rules.ENDS_SENTENCE.search(open_para[-1]):
            return False
        nxt = leaf[k + 1] if k + 1 < len(leaf) else None
        if nxt is not None and not (nxt.bold or nxt.x0 - x0 >= 0.9 * nxt.size or nxt.size != line.size):
            if not (line.bold and nxt.bold):
                return False  # the next line runs on from this one: a paragraph's first line
        if line.bold:
            return True
        centred = (
            line.x0 - x0 > 1.5 * line.size
            and x1 - line.x1 > 1.5 * line.size
            and abs((line.x0 - x0) - (x1 - line.x1)) < 1.5 * line.size
        )
        return centred and not rules.ENDS_SENTENCE.search(line.text)

    def wrapped_byline(self, leaf: list[PrintedLine], k: int, x1: float, body: float):
        """A signature under the head too long for its column (a title and a name), wrapped onto a line or two
        more of its small type: (byline, lines taken), or (None, 1)."""
        line = leaf[k]
        end = k + 1
        while end < min(len(leaf), k + 3) and abs(leaf[end].size - line.size) < 0.1 and leaf[end - 1].x1 >= x1 - 2 * line.size:
            end += 1
            text = join([x.text for x in leaf[k:end]])
            if byline := self.byline(_line_kind(text, self.vocabulary), text, line, body):
                return byline, end - k
        return None, 1

    def byline(self, item: L.InputLine, text: str, line: PrintedLine, body: float):
        if item.kind in (L.CREDIT, L.CAPTION):
            return None
        if item.kind == L.BYLINE:
            return text, list(item.data.get("authors") or [])
        if item.kind == L.NAMES:
            return text, [(n, None) for n in item.data["names"]]
        if item.kind == L.SPEAKER:
            return text, [(item.data["name"], item.data["role"])]
        if rules.CREDIT_END.search(text):
            return None  # a short caption that ends in its photo credit (… 张三 摄) names the photographer
        if line.size < body * 0.99 and len(text) <= 30 and not any(ch in text for ch in "。，；"):
            names = rules.role_names(text, strict=False)
            if names:
                return text, names
        return None

    def paragraph(self, story: PrintedStory, parts: list[str]) -> None:
        draft = story.draft
        text = join(parts).strip()
        if not text:
            return
        if not draft.body and draft.lead is None and (lead := rules.NEWS_LEAD.match(text)):
            draft.lead = "news"
            byline = lead.group(1).strip()
            inner = re.search(r"[（(]([^（()）]*)[）)]", byline)
            rest = text[lead.end() :]
            authors = rules.bracket_authors(inner.group(1)) if inner else []
            if inner is None and (names := rules.LEAD_NAMES.match(rest)):
                byline = f"{byline} {names.group(1)}"
                authors = rules.role_names(names.group(1), strict=False) or []
                rest = rest[names.end() :]
            if draft.byline is None:
                draft.byline, draft.authors = byline, authors
                text = rest.strip()
        elif not draft.body and draft.lead is None and rules.BRIEF_LEAD.match(text):
            draft.lead = "brief"
        if (trailing := rules.TRAILING_NAMES.search(text)) and (signed := rules.role_names(trailing.group(1))):
            if not draft.authors:
                draft.authors = signed
        if text:
            draft.body.append(DraftBlock("paragraph", text, []))

    def editor_note(self, story: PrintedStory, leaf: list[PrintedLine], x0: float, x1: float) -> None:
        note = rules.EDITOR_NOTE.match(leaf[0].text)
        if note is None:
            return
        self.drop(leaf[0], note.group(0), "editor's note label")
        paras: list[list[str]] = [[leaf[0].text[note.end() :].strip()]]
        for line in leaf[1:]:
            if line.x0 - x0 >= 0.9 * line.size:
                paras.append([])
            paras[-1].append(line.text)
        story.draft.editor_note = [t for t in (join(p).strip() for p in paras) if t]

    def caption(self, story: PrintedStory, lines: list[PrintedLine], boxes: dict) -> None:
        """Small lines together: a caption (with its credit), a source, or a byline after the text."""
        draft = story.draft
        text = join([x.text for x in lines]).strip()
        item = _line_kind(text, self.vocabulary)
        if item.kind == L.SOURCE and draft.source is None:
            draft.source = text
            return
        if item.kind == L.SPEAKER and draft.byline is None and draft.body:
            draft.byline, draft.authors = text, [(item.data["name"], item.data["role"])]
            return
        if item.kind in (L.BYLINE, L.NAMES) and draft.byline is None and draft.body:
            draft.byline = text
            draft.authors = [(n, None) for n in item.data["names"]] if item.kind == L.NAMES else list(item.data["authors"])
            return
        if item.kind == L.LABEL and item.label_kind == "series" and len(lines) == 1 and not draft.body:
            self.series(story, lines[0])  # set atop the story's text, away from its head (a vertical one)
            return
        caption, credit = text, None
        if item.kind == L.CAPTION:
            if "mark" in item.data:
                self.drop(lines[0], item.data["mark"], "caption marker")
            caption, credit = item.data["caption"], item.data.get("credit")
        elif item.kind == L.CREDIT:
            caption, credit = "", text
        else:
            found = rules.CREDIT_END.search(text)
            if found and found.start() > 0:
                caption, credit = text[: found.start()].strip(), found.group(1).strip()
            elif (tail := re.search(r"\s(\S*(?:图片|照片|供图|摄)\S*)$", text)) and rules.CREDIT_LINE.match(tail.group(1)):
                caption, credit = text[: tail.start()].strip(), tail.group(1)
        figure = FigureDraft(caption, credit, [x.id for x in lines])
        draft.figures.append(figure)
        boxes[id(figure)] = (
            min(x.x0 for x in lines),
            min(x.y0 for x in lines),
            max(x.x1 for x in lines),
            max(x.y1 for x in lines),
        )

    def headless(self, story: PrintedStory) -> None:
        """A story with no head on its page: its first subhead, else its first sentence, stands in."""
        draft = story.draft
        first = next((b for b in draft.body if b.kind == "subhead"), None)
        region = story.regions[0]
        line = region.lines[0] if region.lines else None
        if first is not None:
            draft.body.remove(first)
            draft.headline = first.text
            if line:
                self.decide("headline", line, "story without a headline: its first subhead is used", None, story)
            return
        lead = draft.paragraphs[0] if draft.paragraphs else None
        text = lead.text if lead else (draft.figures[0].caption if draft.figures else "")
        sentence = re.split(r"(?<=[。！？])", text, maxsplit=1)[0][:40] or "无标题"
        draft.headline = sentence
        story.synthesized = sentence
        if line:
            self.decide("no-headline", line, "no headline found: the first sentence stands in (edit it)", None, story)


def anchor_of(region: StoryRegion) -> PrintedLine:
    """The line a decision about a region points at: its head's first line, else its first line."""
    if region.head is not None:
        return region.head.lines[0]
    return region.lines[0]


def _page_of(text: str) -> int | None:
    match = re.search(r"第?\s*([0-9]{1,2}|[一二三四五六七八九十]{1,2})\s*版", text)
    if not match:
        return None
    value = match.group(1)
    if value.isdigit():
        return int(value)
    digits = "一二三四五六七八九"
    if value == "十":
        return 10
    if value.startswith("十"):
        return 10 + digits.index(value[1]) + 1
    return (
        digits.index(value[0]) + 1
        if len(value) == 1
        else (digits.index(value[0]) + 1) * 10 + (digits.index(value[2]) + 1 if len(value) > 2 else 0)
    )


def _box_line(picture: EmbeddedImage, page: int) -> PrintedLine:
    x0, y0, x1, y1 = picture.box
    return PrintedLine(page, [], x0=x0, y0=y0, x1=x1, y1=y1)
