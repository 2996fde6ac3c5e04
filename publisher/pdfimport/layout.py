"""A page's structure from its lines: body size, furniture, masthead, section label, heads, article regions.

Sizes are ranked against the page's body size (the size most characters are set in), never
by font names: a line well above it is display type (a headline), a bold line a little above
it is a small headline; lines under a head and inside its width belong to that head's story.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from publisher.importer import rules
from publisher.pdfimport import textlines
from publisher.pdfimport.extract import EmbeddedImage, PdfPage
from publisher.pdfimport.textlines import PrintedLine

#: Display type: at least this many times the body size.
DISPLAY = 1.25
#: A bold line at least this many times the body size is a (small) headline too.
BOLD_DISPLAY = 1.04
_PAGE_MARK = re.compile(r"第?\s*[0-9０-９一二三四五六七八九十]{1,3}\s*版|^[-—–\s]*[0-9０-９]{1,3}[-—–\s]*$")
#: A running head's section name(s) beside the page number, before it or after it (要闻 第1版, 第2版 要闻); several
#: (要闻·财经·…) when sections share the page.
_NAMES_IN_HEAD = rf"(?:{rules.HAN}{{2,8}}[·•・])*{rules.HAN}{{2,8}}"
_SECTION_IN_HEAD = re.compile(
    rf"(?P<name>{_NAMES_IN_HEAD})\s*(?:第\s*[0-9一二三四五六七八九十]{{1,3}}\s*版|[0-9]{{1,2}}\s*$)"
    rf"|第\s*[0-9一二三四五六七八九十]{{1,3}}\s*版\s*(?P<after>{_NAMES_IN_HEAD})(?![^\s])"
)


@dataclass
class Head:
    """The head of a story on a page: its lines top to bottom (kicker, headline, subtitle)."""

    page: int
    lines: list[PrintedLine]
    above: list[PrintedLine] = field(default_factory=list)  # a column label printed over it

    @property
    def box(self) -> tuple[float, float, float, float]:
        lines = self.lines + self.above
        return (min(x.x0 for x in lines), min(x.y0 for x in lines), max(x.x1 for x in lines), max(x.y1 for x in lines))

    @property
    def size(self) -> float:
        return max(x.size for x in self.lines)

    @property
    def vertical(self) -> bool:
        return any(x.vertical for x in self.lines)


@dataclass
class StoryRegion:
    """One story's share of one page: its head (None for text above every head) and its other lines."""

    page: int
    head: Head | None
    lines: list[PrintedLine] = field(default_factory=list)
    pictures: list[EmbeddedImage] = field(default_factory=list)
    band: PrintedLine | None = None  # the section label it stands under, when one is set across the page above it
    alone: bool = False  # a picture on its own with its caption under it (a picture story, its caption the head)
    breaks: list[float] = field(default_factory=list)  # where a pull quote is set across all its columns

    def leaves(self) -> list[list[PrintedLine]]:
        """Its lines in reading order: the columns above a pull quote set across them all, then those under it."""
        cuts = sorted(self.breaks)
        bands: list[list[PrintedLine]] = [[] for _ in range(len(cuts) + 1)]
        for line in self.lines:
            bands[bisect.bisect(cuts, (line.y0 + line.y1) / 2)].append(line)
        return [leaf for band in bands for leaf in columns(band)]

    @property
    def boxes(self) -> list[tuple[float, float, float, float]]:
        """Rectangles covering the region: its head and each column of its text."""
        out = [self.head.box] if self.head else []
        for leaf in self.leaves():
            out.append((min(x.x0 for x in leaf), min(x.y0 for x in leaf), max(x.x1 for x in leaf), max(x.y1 for x in leaf)))
        out += [p.box for p in self.pictures]
        return out


@dataclass
class PageLayout:
    page: PdfPage
    body: float
    lines: list[PrintedLine]
    furniture: list[tuple[PrintedLine, str]] = field(default_factory=list)
    masthead: list[PrintedLine] = field(default_factory=list)
    section: str | None = None
    section_line: PrintedLine | None = None
    bands: list[PrintedLine] = field(default_factory=list)  # section labels set across the page lower down
    regions: list[StoryRegion] = field(default_factory=list)


def body_size(lines: list[PrintedLine]) -> float:
    """The size most characters are set in (rounded to a tenth of a point)."""
    count: Counter = Counter()
    for line in lines:
        count[round(line.size, 1)] += len(line.text)
    return count.most_common(1)[0][0] if count else 10.0


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def analyse(page: PdfPage, lines: list[PrintedLine], body: float, vocabulary: rules.Vocabulary, first: bool) -> PageLayout:
    out = PageLayout(page, body, lines)
    rest = _furniture(out, lines)
    if first:
        rest = _guide(out, _masthead(out, rest))
    rest = _bands(out, _section_band(out, rest, vocabulary))
    heads, rest = _heads(out, _phrases(out, rest))
    heads, quotes = _pull_quotes(out, heads, rest)
    _regions(out, heads, rest, quotes)
    return out


#: What is printed beyond the trim box, in a printer's PDF: the plate's name, date and time beside the crop marks.
MARKS = "printer's marks outside the trimmed page"


def _furniture(out: PageLayout, lines: list[PrintedLine]) -> list[PrintedLine]:
    """Printer's marks, then running heads and folios: small lines in the top and bottom margins."""
    height, body = out.page.height, out.body
    content = [x for x in lines if x.size >= body * 0.98]
    top = min((x.y0 for x in content), default=0)
    bottom = max((x.y1 for x in content), default=height)
    rest = []
    for line in lines:
        if not (0 <= (line.x0 + line.x1) / 2 <= out.page.width and 0 <= (line.y0 + line.y1) / 2 <= height):
            line.role = MARKS
            out.furniture.append((line, MARKS))
            continue
        small = line.size <= body * 1.05
        outer = line.y1 < 0.12 * height or line.y0 > 0.88 * height
        margin = (line.y1 <= top + 1 or line.y0 >= bottom - 1) and outer
        lone_folio = outer and _PAGE_MARK.fullmatch(line.text.strip())  # — 5 —, also level with a column's last lines
        if small and (margin or lone_folio):
            line.role = "folio" if _PAGE_MARK.search(line.text) and len(line.text) <= 8 else "running head"
            out.furniture.append((line, line.role))
            if (m := _SECTION_IN_HEAD.search(line.text)) and out.section is None:
                out.section = re.split("[·•・]", m.group("name") or m.group("after"))[0]  # the page opens with the first
        else:
            rest.append(line)
    return rest


_MAST_FIELD = [rules.PAPER_NAME, rules.PAPER_EN, rules.GRADE, rules.SERIAL, rules.DATE, rules.NUMBER, rules.WEBSITE]


def _masthead(out: PageLayout, lines: list[PrintedLine]) -> list[PrintedLine]:
    """The front page's masthead: everything down to the lowest masthead line in the top quarter."""
    name = max(
        (x for x in lines if rules.PAPER_NAME.match(x.text.replace(" ", "")) and x.y1 < out.page.height * 0.3),
        key=lambda x: x.size,
        default=None,
    )
    if name is None:
        return lines
    # the masthead ends where display type below the name begins (the section band, the first headline)
    below = [x.y0 for x in lines if x.y0 >= name.y1 - 1 and x is not name and x.size >= out.body * DISPLAY]
    limit = min([out.page.height * 0.25, *below])
    marks = [
        x
        for x in lines
        if x.y0 < limit
        and (any(p.search(x.text) for p in _MAST_FIELD) or rules.MASTHEAD_WORDS.search(x.text) or x is name)
        and x.size < name.size * 0.5 + (x is name) * 1000
    ]
    bottom = max(x.y1 for x in marks + [name])
    rest = []
    for line in lines:
        if line.y1 <= bottom + 1 and (line.size <= out.body * 1.2 or line is name or line in marks):
            line.role = "masthead"
            out.masthead.append(line)
        else:
            rest.append(line)
    return rest


def _guide(out: PageLayout, lines: list[PrintedLine]) -> list[PrintedLine]:
    """The front page's 导读 box: rows of teasers (a headline, often after its section, ending with the page it
    is on), with the box's label beside or above them. It points into the issue; it is not a story."""
    teasers = [
        x for x in lines if rules.TEASER.match(x.text) and not (rules.JUMP_IN.match(x.text) or rules.JUMP_OUT.search(x.text))
    ]
    # a teaser whose page is set flush right, apart from its headline (a row of a table, dots or space between)
    for ref in (x for x in lines if rules.PAGE_REF.fullmatch(x.text.replace(" ", ""))):
        left = [
            x for x in lines if x is not ref and x.x1 <= ref.x0 and overlap((x.y0, x.y1), (ref.y0, ref.y1)) > 0.5 * ref.height
        ]
        if left:
            teasers += [max(left, key=lambda x: x.x1), ref]
    teasers = sorted({id(x): x for x in teasers}.values(), key=lambda x: (x.y0, x.x0))
    groups: list[list[PrintedLine]] = []
    for line in teasers:
        if groups and line.y0 - max(x.y1 for x in groups[-1]) < line.size:
            groups[-1].append(line)
        else:
            groups.append([line])
    rest = lines
    for group in (g for g in groups if sum(not rules.PAGE_REF.fullmatch(x.text.replace(" ", "")) for x in g) >= 2):
        x0, y0 = min(x.x0 for x in group), min(x.y0 for x in group)
        x1, y1 = max(x.x1 for x in group), max(x.y1 for x in group)
        size = max(x.size for x in group)
        labels = [
            x
            for x in rest
            if rules.GUIDE_LABEL.match(x.text.replace(" ", ""))
            and (
                (overlap((x.y0, x.y1), (y0, y1)) > 0 and 0 <= x0 - x.x1 < 4 * size)
                or (overlap((x.x0, x.x1), (x0, x1)) > 0 and 0 <= y0 - x.y1 < 2 * size)
            )
        ]
        inside = [x for x in rest if x.x0 >= x0 - 1 and x.x1 <= x1 + 1 and x.y0 >= y0 - 1 and x.y1 <= y1 + 1]
        for line in labels + inside:
            line.role = "guide"
            out.furniture.append((line, "导读 (a list of what is inside the issue)"))
        taken = {id(x) for x in labels + inside}
        rest = [x for x in rest if id(x) not in taken]
    return rest


def _section_band(out: PageLayout, lines: list[PrintedLine], vocabulary: rules.Vocabulary) -> list[PrintedLine]:
    """A section label printed across the top of the page (版名), with the date beside it."""
    if not lines:
        return lines
    top = min(x.y0 for x in lines)
    row = [x for x in lines if x.y0 < top + 3 * out.body]
    label = next(
        (
            x
            for x in sorted(row, key=lambda x: -x.size)
            if x.size >= out.body * 1.2
            and x.size < out.body * 2.2
            and re.fullmatch(f"[{rules.CJK}·•・]{{2,8}}", x.text.replace(" ", ""))
            and (
                any(y is not x and (rules.DATE.search(y.text) or rules.WEEKDAY.search(y.text)) for y in row)
                or _on_plate(x, out.page.plates)
                or x.text.replace(" ", "") == out.section  # the name the running head gives the page
            )
        ),
        None,
    )
    if label is None:
        for x in row:
            if (found := vocabulary.read(x.text)) and found["kind"] == "section" and x.size <= out.body * 2.2:
                label = x
                break
    if label is None:
        return lines
    out.section = label.text.replace(" ", "")
    out.section_line = label
    label.role = "section"
    rest = []
    for line in lines:
        if line is label:
            continue
        beside = overlap((line.y0, line.y1), (label.y0, label.y1)) > 0 and line.size < label.size
        if beside and (
            rules.DATE.search(line.text) or rules.WEEKDAY.search(line.text) or any(p.match(line.text) for p in rules.FURNITURE)
        ):
            line.role = "page head"
            out.furniture.append((line, "page head beside the section label"))
        else:
            rest.append(line)
    return rest


def _on_plate(line: PrintedLine, plates: list[tuple[float, float, float, float]]) -> bool:
    """The line is printed in reverse: inside a filled box little bigger than itself."""
    pad = line.size
    return any(
        x0 - 1 <= line.x0
        and line.x1 <= x1 + 1
        and y0 - 1 <= line.y0
        and line.y1 <= y1 + 1
        and x1 - x0 <= line.x1 - line.x0 + 6 * pad
        for x0, y0, x1, y1 in plates
    )


def _bands(out: PageLayout, lines: list[PrintedLine]) -> list[PrintedLine]:
    """Section labels set across the page between rules (or in a frame), wherever a section starts on it.

    A band is a short label a little above the body size, alone in its row but for small type, with a
    drawn strip nearly as wide as the text above and below it; small furniture beside it (责任编辑 …) is dropped.
    """
    if not lines:
        return lines
    left, right = min(x.x0 for x in lines), max(x.x1 for x in lines)
    wide = [s for s in out.page.strips if s[2] - s[0] >= 0.8 * (right - left)]
    bands = []
    for line in lines:
        if not (
            out.body * 1.2 <= line.size < out.body * 2.2 and re.fullmatch(f"[{rules.CJK}·•・]{{2,8}}", line.text.replace(" ", ""))
        ):
            continue
        reach = 1.2 * line.size
        above = any(s[1] <= line.y0 + 1 and line.y0 - s[1] < reach for s in wide)
        below = any(s[3] >= line.y1 - 1 and s[3] - line.y1 < reach for s in wide)
        row = [x for x in lines if x is not line and overlap((x.y0, x.y1), (line.y0, line.y1)) > 0]
        if above and below and all(x.size < line.size * 0.8 for x in row):
            bands.append(line)
    taken = {id(x) for x in bands}
    for band in bands:
        band.role = "section"
        for line in lines:
            if id(line) in taken or overlap((line.y0, line.y1), (band.y0, band.y1)) <= 0:
                continue
            if any(p.match(line.text) for p in rules.FURNITURE):
                line.role = "page head"
                out.furniture.append((line, "page head beside the section label"))
                taken.add(id(line))
    rest = [x for x in lines if id(x) not in taken]
    if bands and out.section_line is None and bands[0].y0 <= min((x.y0 for x in rest), default=bands[0].y0):
        first = bands.pop(0)  # the band above everything is the page's own section label
        out.section, out.section_line = first.text.replace(" ", ""), first
    out.bands = bands
    return rest


def _is_display(line: PrintedLine, body: float) -> bool:
    if line.size >= body * DISPLAY:
        return True
    return line.bold and line.size >= body * BOLD_DISPLAY and len(line.text) <= rules.HEADING_MAX


#: The blank between a head's two phrases, less the tracking at both its sides (ems): an ideographic space.
PHRASE = (0.8, 1.3)
#: A head is tracked (字距: its characters set apart) when its usual blank is this wide (ems) at least.
TRACKED = 0.08


def _phrases(out: PageLayout, lines: list[PrintedLine]) -> list[PrintedLine]:
    """A head's two phrases an ideographic space apart, in tracked type, came out as two lines (the blank, an em and
    the tracking twice, is wider than a gutter): the second goes on the first when both are display type of one
    size on one baseline and the text under the head runs across where the second begins. Two stories' heads side
    by side have each its own text under it, a gutter apart."""
    display = sorted((x for x in lines if not x.vertical and x.size >= out.body * DISPLAY), key=lambda x: x.x0)

    def follower(line: PrintedLine, gone: set[int]) -> PrintedLine | None:
        track = textlines.usual_gap(line)
        if line.text[-1:] in textlines.ENDS or track < TRACKED * line.size:
            return None
        return next((m for m in display if id(m) not in gone and _phrase_after(line, m, track, lines, out.body)), None)

    gone = textlines.join_on(display, follower)
    return [x for x in lines if id(x) not in gone]


def _phrase_after(line: PrintedLine, other: PrintedLine, track: float, lines: list[PrintedLine], body: float) -> bool:
    blank = (other.x0 - line.x1 - 2 * track) / line.size
    if other is line or abs(other.size - line.size) > 0.02 * line.size or abs(other.y1 - line.y1) > 0.1 * line.size:
        return False
    if not PHRASE[0] <= blank <= PHRASE[1]:
        return False
    return any(
        x.size < line.size and 0 <= x.y0 - line.y1 < 3 * line.size and x.x0 < other.x0 - body and x.x1 > other.x0 for x in lines
    )


def _heads(out: PageLayout, lines: list[PrintedLine]) -> tuple[list[Head], list[PrintedLine]]:
    body = out.body
    display = sorted((x for x in lines if _is_display(x, body)), key=lambda x: (x.y0, x.x0))
    heads: list[Head] = []
    for line in display:
        for head in heads:
            x0, y0, x1, y1 = head.box
            gap = line.y0 - y1
            # a head set upright and one set across never stack into one (a story's vertical head over the next one's)
            if line.vertical != head.vertical:
                continue
            if overlap((x0, x1), (line.x0, line.x1)) > 0 and -0.5 * line.size < gap < 0.9 * min(line.size, head.size):
                head.lines.append(line)
                break
        else:
            heads.append(Head(out.page.number, [line]))
    used = {id(x) for h in heads for x in h.lines}
    rest = [x for x in lines if id(x) not in used]
    # kicker and subtitle: lines a little bigger than the body right above or below a head
    changed = True
    while changed:
        changed = False
        for line in list(rest):
            for head in heads:
                x0, y0, x1, y1 = head.box
                if overlap((x0, x1), (line.x0, line.x1)) <= 0:
                    continue
                near_above = -0.5 * line.size <= y0 - line.y1 < 0.9 * line.size and line.y0 < y0
                near_below = -0.5 * line.size <= line.y0 - y1 < 0.9 * line.size and line.y1 > y1
                tier = line.size >= body * 1.06 and len(line.text) <= 60
                dashed = line.text.startswith(("——", "—", "──")) and near_below
                if (near_below or near_above) and (tier or dashed):
                    head.lines.append(line)
                    rest.remove(line)
                    changed = True
                    break
                label = len(line.text) <= 10 and line.size < head.size and (line.bold or vocabulary_like(line.text))
                # a column label stands over its head up to a line of its own type apart
                over = -0.5 * line.size <= y0 - line.y1 < 1.5 * line.size and line.y0 < y0
                if over and label and abs(line.x0 - x0) < 2 * body and not rules.DATE.search(line.text):
                    head.above.append(line)
                    rest.remove(line)
                    changed = True
                    break
    for head in heads:
        head.lines.sort(key=lambda x: (x.y0, x.x0))
        for line in head.lines:
            line.role = "head"
        for line in head.above:
            line.role = "column label"
    return heads, rest


#: A sentence's end (a head may end with a bracket or a title mark, never with a full stop).
_SENTENCE = re.compile(rf"[。！？!?…][{rules.CLOSERS}]*$")
#: What a pull quote is listed as among the furniture.
PULL_QUOTE = "pull quote (a sentence of the story repeated in display type)"


def _pull_quotes(out: PageLayout, heads: list[Head], lines: list[PrintedLine]) -> tuple[list[Head], list[Head]]:
    """The heads that are no heads: a sentence of a story set again in display type amid its columns (a pull
    quote), its text running on right above it. They are furniture, and the text under them is the story's."""
    kept, quotes = [], []
    for head in heads:
        said = re.sub(r"\s+", "", "".join(x.text for x in head.lines))
        x0, y0, x1, _ = head.box
        wide = (x0 - (x1 - x0), x1 + (x1 - x0))  # set centred, a quote may be narrower than the columns it is amid
        amid = any(overlap((x.x0, x.x1), wide) > 0 and 0 <= y0 - x.y1 < 2.5 * out.body for x in lines)
        quote = said.strip(rules.OPENERS + rules.CLOSERS)
        if amid and not head.vertical and len(quote) >= 8 and _SENTENCE.search(said) and _printed(quote, lines):
            for line in head.lines + head.above:
                line.role = "pull quote"
                out.furniture.append((line, PULL_QUOTE))
            quotes.append(head)
        else:
            kept.append(head)
    return kept, quotes


def _printed(text: str, lines: list[PrintedLine]) -> bool:
    """``text`` is set in the body, line after line down a column and on at the top of the next one."""
    texts = {id(x): re.sub(r"\s+", "", x.text) for x in lines}

    def next_to(line: PrintedLine, down: bool) -> PrintedLine | None:
        """The line set right under ``line`` in its column (or right over it)."""
        near = [
            x
            for x in lines
            if (x.y0 > line.y0 if down else x.y0 < line.y0)
            and overlap((x.x0, x.x1), (line.x0, line.x1)) > 0.5 * min(x.width, line.width)
            and (x.y0 - line.y1 if down else line.y0 - x.y1) < line.height
        ]
        return min(near, key=lambda x: abs(x.y0 - line.y0), default=None)

    def after(line: PrintedLine) -> PrintedLine | None:
        if (under := next_to(line, down=True)) is not None:
            return under
        top = line
        while (up := next_to(top, down=False)) is not None:
            top = up
        beside = [x for x in lines if line.x1 < x.x0 < line.x1 + 3 * line.height and top.y0 - line.height < x.y0 < line.y0]
        return min(beside, key=lambda x: (x.y0, x.x0), default=None)

    for line in lines:
        own = texts[id(line)]
        if text in own:
            return True
        for start in (i for i in range(len(own)) if text.startswith(own[i:])):
            rest, here = text[len(own) - start :], after(line)
            while rest and here is not None and (rest.startswith(texts[id(here)]) or texts[id(here)].startswith(rest)):
                rest = rest[len(texts[id(here)]) :]
                here = after(here) if rest else None
            if not rest:
                return True
    return False


def vocabulary_like(text: str) -> bool:
    return bool(re.fullmatch(f"[【\\[［]?{rules.HAN}{{2,8}}[】\\]］]?", text.replace(" ", "")))


def _regions(out: PageLayout, heads: list[Head], lines: list[PrintedLine], quotes: list[Head]) -> None:
    """Each line goes to the nearest head above it whose width it sits under (else to the page's headless region);
    a pull quote with none of its story's lines beside it is set across the story's columns, which break there."""
    bands = sorted(out.bands, key=lambda x: x.y0)

    def under(y: float) -> PrintedLine | None:
        """The band a thing starting at ``y`` stands under (None: the page's own section)."""
        return next((b for b in reversed(bands) if b.y1 <= y + 1), None)

    regions = {id(h): StoryRegion(out.page.number, h, band=under(h.box[1])) for h in heads}
    orphans = StoryRegion(out.page.number, None)
    reach = {id(h): _reach(h, heads, lines, [p.box for p in out.page.pictures]) for h in heads}
    boxes = {id(h): h.box for h in heads}
    # a vertical head stands at the right of its story: its text runs to its left, and on down its columns to
    # the next head set in them
    beside = {}
    for head in (h for h in heads if h.vertical):
        hx0, hy0, hx1, hy1 = head.box
        lefts = [h.box[2] for h in heads if h is not head and h.box[2] <= hx0 and overlap((h.box[1], h.box[3]), (hy0, hy1)) > 0]
        left = max(lefts, default=min((x.x0 for x in lines), default=0.0))
        below = [h.box[1] for h in heads if h.box[1] > hy1 and overlap((h.box[0], h.box[2]), (left, hx0)) > 0]
        beside[id(head)] = (left, hx0, hy0, min(below, default=max([hy1, *(x.y1 for x in lines)])))

    under_foot: dict[int, list[PrintedLine]] = {}  # per head, the lines starting right under it

    def runs_under(head: Head, x0: float, x1: float) -> bool:
        """The head stands over x0..x1, or its story's text starts right under it there (a head narrower than its
        story)."""
        hx0, _, hx1, foot = boxes[id(head)]
        if id(head) not in under_foot:
            under_foot[id(head)] = [x for x in lines if foot - 1 <= x.y0 <= foot + 2.5 * out.body]
        return overlap((hx0, hx1), (x0, x1)) > 0 or any(overlap((x.x0, x.x1), (x0, x1)) > 0 for x in under_foot[id(head)])

    def owner(box: tuple[float, float, float, float]) -> StoryRegion:
        x0, y0, x1, y1 = box
        width = max(x1 - x0, 1.0)
        candidates = []
        for head in heads:
            hx0, hy0, hx1, hy1 = boxes[id(head)]
            rx0, rx1 = reach[id(head)]
            if hy0 > y0 + 1 or overlap((rx0, rx1), (x0, x1)) < 0.5 * min(width, rx1 - rx0):
                continue
            if regions[id(head)].band is not under(y0):  # a band between them: a section starts
                continue
            candidates.append(head)
        best = max((h for h in candidates if not h.vertical), key=lambda h: boxes[id(h)][3], default=None)
        for key, (left, right, top, foot) in beside.items():
            if not (x0 >= left - 1 and x1 <= right + 1 and y0 >= top - 2 * out.body and y1 <= foot):
                continue
            # beside a vertical head that starts below the nearest head across (that head's story is further up), or
            # beside that head where its text does not run on under it, or with the vertical head between them (no
            # story's text runs across another's head)
            if (
                best is None
                or top >= boxes[id(best)][3] - 1
                or boxes[key][2] <= boxes[id(best)][0] + 1
                or not runs_under(best, x0, x1)
            ):
                return regions[key]
        if not candidates:
            return orphans
        best = max(candidates, key=lambda h: boxes[id(h)][3])
        bx0, by0, bx1, by1 = boxes[id(best)]
        if overlap((bx0, bx1), (x0, x1)) < 0.5 * width:  # a glyph's box reaching over is no head standing over it
            # a head side by side with the nearest one, whose own text stands over this line, owns it
            siblings = [
                h
                for h in candidates
                if overlap((boxes[id(h)][1], boxes[id(h)][3]), (by0, by1)) > 0
                and overlap((boxes[id(h)][0], boxes[id(h)][2]), (x0, x1)) >= 0.5 * width
            ]
            if siblings:
                best = max(siblings, key=lambda h: boxes[id(h)][3])
            else:  # no head stands over it: the story whose head starts nearest to its left runs on into it
                band = [
                    h
                    for h in candidates
                    if overlap((boxes[id(h)][1], boxes[id(h)][3]), (by0, by1)) > 0 and boxes[id(h)][0] <= x0 + 1
                ]
                if band:
                    best = max(band, key=lambda h: boxes[id(h)][0])
        return regions[id(best)]

    alone = []
    leads: dict[int, StoryRegion] = {}  # caption lines of pictures set atop a story, by line
    for picture in out.page.pictures:
        if (lead := _lead_picture(picture.box, heads, lines, out)) is not None:
            head, caption = lead
            regions[id(head)].pictures.append(picture)
            leads.update({id(x): regions[id(head)] for x in caption})
            continue
        region = owner(picture.box)
        over = region.head
        level = over is not None and over.box[1] - 1 <= picture.box[1] <= over.box[3] + 2 * out.body  # beside a short head
        if over is None or (
            not over.vertical and overlap((over.box[0], over.box[2]), (picture.box[0], picture.box[2])) <= 0 and not level
        ):
            # under no head (a vertical head's story is at its left): a picture standing for itself
            alone.append(StoryRegion(out.page.number, None, pictures=[picture], band=under(picture.box[1]), alone=True))
        else:
            region.pictures.append(picture)
    captions = _captions(alone, lines, out.body, [p.box for p in out.page.pictures])
    for region in alone:
        if region.alone and _in_text(region, lines, captions, out.body):
            region.alone = False  # its caption, then its story's text: it stands in that story's column
            captions = {k: r for k, r in captions.items() if r is not region}
    for region in [r for r in alone if not r.alone]:  # no caption under it: a picture of the story around it
        owner(region.pictures[0].box).pictures.append(region.pictures[0])
    alone = [r for r in alone if r.alone]
    for line in lines:
        (captions.get(id(line)) or leads.get(id(line)) or owner(line.box)).lines.append(line)
    for quote in quotes:
        region = owner(quote.box)
        if not any(overlap((x.y0, x.y1), (quote.box[1], quote.box[3])) > 0 for x in region.lines):
            region.breaks.append((quote.box[1] + quote.box[3]) / 2)
    ordered = sorted([*regions.values(), *alone], key=_reading_key)
    out.regions = ([orphans] if orphans.lines or orphans.pictures else []) + ordered


def _lead_picture(
    box: tuple[float, float, float, float],
    heads: list[Head],
    lines: list[PrintedLine],
    out: PageLayout,
) -> tuple[Head, list[PrintedLine]] | None:
    """A picture set atop a story: its caption (small type line after line under it), then, a line's space or less
    below and with no rule between, the story's head across the picture's width (or another such picture). The
    picture is that story's, captioned where it stands, not a picture story of its own nor the story's above it."""
    x0, top, x1, foot = box
    if any(
        x.size >= out.body * 0.95
        and 0 <= top - x.y1 < 1.5 * out.body
        and overlap((x.x0, x.x1), (x0, x1)) > 0.5 * min(x.width, x1 - x0)
        for x in lines
    ):
        return None  # under a column's text: it stands in the story above's columns, at their foot
    caption: list[PrintedLine] = []
    for line in sorted(lines, key=lambda x: x.y0):
        if line.y1 <= foot or overlap((line.x0, line.x1), (x0, x1)) < 0.5 * line.width:
            continue
        if line.size >= out.body * 0.95 or line.y0 > foot + 1.5 * line.height:
            break
        caption.append(line)
        foot = max(foot, line.y1)
    for head in sorted((h for h in heads if not h.vertical), key=lambda h: h.box[1]):
        hx0, hy0, hx1, _ = head.box
        if not foot - 1 <= hy0 <= foot + 1.8 * out.body:
            continue
        if overlap((hx0, hx1), (x0, x1)) < 0.5 * min(hx1 - hx0, x1 - x0) or abs(hx0 - x0) > 2 * out.body:
            continue
        if any(foot - 1 <= (s[1] + s[3]) / 2 <= hy0 + 1 and overlap((s[0], s[2]), (x0, x1)) > 0 for s in out.page.strips):
            continue  # a rule between them: the head opens a story of its own under a picture that is not its
        return head, caption
    for picture in out.page.pictures:  # pictures stacked atop the story, each with its caption
        px0, py0, px1, _ = picture.box
        if foot - 1 <= py0 <= foot + 1.8 * out.body and overlap((px0, px1), (x0, x1)) > 0.5 * min(px1 - px0, x1 - x0):
            below = _lead_picture(picture.box, heads, lines, out)
            return (below[0], caption) if below is not None else None
    return None


def _captions(
    alone: list[StoryRegion], lines: list[PrintedLine], body: float, pictures: list[tuple[float, float, float, float]]
) -> dict[int, StoryRegion]:
    """The lines of small type set right under a picture on its own, line after line: its caption."""
    out: dict[int, StoryRegion] = {}
    for region in alone:
        x0, _, x1, foot = region.pictures[0].box
        bottom = foot
        for line in sorted(lines, key=lambda x: x.y0):
            # set tight, a caption's line box may reach a little up over the picture's foot
            up = foot - max(1.0, 0.4 * (line.y1 - line.y0))
            if line.y0 < up or id(line) in out or overlap((line.x0, line.x1), (x0, x1)) < 0.5 * (line.x1 - line.x0):
                continue
            if line.y0 > bottom + 1.5 * (line.y1 - line.y0) or line.size >= body * 0.95:
                break
            out[id(line)] = region
            bottom = max(bottom, line.y1)
        if not any(r is region for r in out.values()):
            out.update({id(x): region for x in _caption_beside(region.pictures[0].box, lines, body, out, pictures)})
        region.alone = any(r is region for r in out.values())
    return out


def _caption_beside(
    box: tuple[float, float, float, float],
    lines: list[PrintedLine],
    body: float,
    taken: dict[int, StoryRegion],
    pictures: list[tuple[float, float, float, float]],
) -> list[PrintedLine]:
    """A caption set in a narrow column at the picture's right, within its height (often from its foot up): small
    type starting a gutter's width from its edge, nothing else in that column beside the picture."""
    x0, y0, x1, y1 = box
    # the column runs to the next picture at its right (a row of pictures, each captioned beside), or the page's edge
    right = min([p[0] for p in pictures if p[0] >= x1 and overlap((p[1], p[3]), (y0, y1)) > 0], default=float("inf"))
    level = [
        x for x in lines if id(x) not in taken and x1 <= x.x0 and x.x1 <= right and y0 - 1 <= x.y0 and x.y1 <= y1 + 0.5 * x.height
    ]
    if not any(x.x0 <= x1 + 2 * x.size for x in level):
        return []
    return level if all(x.size < body * 0.95 for x in level) else []


def _in_text(region: StoryRegion, lines: list[PrintedLine], captions: dict[int, StoryRegion], body: float) -> bool:
    """Body text goes on right under the picture's caption, in its column: the picture stands in a story's text
    (a column wide, the columns running on under it), not on its own."""
    x0, _, x1, bottom = region.pictures[0].box
    bottom = max([bottom] + [x.y1 for x in lines if captions.get(id(x)) is region])
    return any(
        abs(x.size - body) < 0.1 * body and overlap((x.x0, x.x1), (x0, x1)) > 0.5 * x.width and 0 <= x.y0 - bottom < 1.2 * x.size
        for x in lines
        if id(x) not in captions
    )


def _reach(
    head: Head, heads: list[Head], lines: list[PrintedLine], pictures: list[tuple[float, float, float, float]]
) -> tuple[float, float]:
    """How far a head's story may run sideways: to the nearest text, head or picture printed beside it, else the
    page's printed edge."""
    x0, y0, x1, y1 = head.box
    left = min([x.x0 for x in lines] + [p[0] for p in pictures] + [x0])  # the printed edge: text or a picture
    right = max([x.x1 for x in lines] + [p[2] for p in pictures] + [x1])
    beside = [x.box for x in lines] + [h.box for h in heads if h is not head] + pictures
    for bx0, by0, bx1, by1 in beside:
        if overlap((by0, by1), (y0, y1)) <= 0.25 * (by1 - by0):  # a line whose top touches the head's foot is under it
            continue
        if bx0 >= x1 - 0.5:
            right = min(right, bx0 - 0.5)
        elif bx1 <= x0 + 0.5:
            left = max(left, bx1 + 0.5)
    return left, right


def _reading_key(region: StoryRegion) -> tuple[float, float]:
    """Stories are read by where their heads (or pictures on their own) stand: top to bottom, then left to right
    within a band."""
    x0, y0, _, _ = region.head.box if region.head else region.pictures[0].box
    return (round(y0 / 40), x0)


def columns(lines: list[PrintedLine]) -> list[list[PrintedLine]]:
    """The lines in reading order as leaves of an XY cut: columns left to right, bands top to bottom."""
    if not lines:
        return []
    return [sorted(leaf, key=lambda x: (x.y0, x.x0)) for leaf in _cut(list(lines))]


def _cut(lines: list[PrintedLine]) -> list[list[PrintedLine]]:
    if len(lines) <= 1:
        return [lines]
    size = sorted(x.size for x in lines)[len(lines) // 2]
    # vertical cut: a gutter no line crosses
    spans = sorted((x.x0, x.core_x1) for x in lines)
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach >= 0.5 * size:
            left = [x for x in lines if x.x0 < x0]
            right = [x for x in lines if x.x0 >= x0]
            return _cut(left) + _cut(right)
        reach = max(reach, x1)
    # horizontal cut: a gap across the whole width
    spans = sorted((x.y0, x.y1) for x in lines)
    reach = spans[0][1]
    for y0, y1 in spans[1:]:
        if y0 - reach >= 0.3 * size:
            top = [x for x in lines if x.y1 <= reach + 0.01]
            low = [x for x in lines if x.y1 > reach + 0.01]
            return _cut(top) + _cut(low)
        reach = max(reach, y1)
    return [lines]
