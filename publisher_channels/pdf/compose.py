"""Page make-up on a line grid: which article goes where, in how many columns, line by line.

Pure arithmetic, no WeasyPrint. Every height is a whole number of body lines
(the baseline grid): a page holds ``rows`` lines in each of ``columns``
columns. A story (one article as measured in the galley pass) has a header
whose height depends on how many columns it spans, and a body: blocks that
flow down the columns (paragraph lines split anywhere; subheads keep two lines
of what follows; the source line never splits) under its figures, which sit at
the top of the body.

A story split over pages carries jump lines, one grid line each: 下转第N版 at
the foot of its last column on the page it leaves, 上接第N版 at the head of its
first column where it goes on.

Columns are balanced by arithmetic (the smallest column height that holds the
body), which is what makes the print channel fast: WeasyPrint never balances
columns, it only sets lines at positions decided here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

#: Body lines a story must bring under its headline on a page: never a headline stranded at the foot.
MIN_BODY = 4
#: A story whose header alone needs more of the page than this is set as running text instead.
MAX_HEADER_SHARE = 0.6
#: Grid lines a jump line (下转第N版 / 上接第N版) takes.
JUMP_LINES = 1


@dataclass(frozen=True)
class GridBlock:
    """A body block: ``lines`` grid lines; paragraphs (``breakable``) split between any two lines."""

    lines: int
    breakable: bool = True
    keep_with_next: bool = False  # a subhead


@dataclass(frozen=True)
class Story:
    """One article as the composer sees it."""

    index: int
    header: dict[int, int]  # columns spanned -> header lines
    blocks: tuple[GridBlock, ...]
    figures: tuple[dict[int, int], ...] = ()  # per figure: its width in columns -> its lines

    @property
    def end(self) -> tuple[int, int]:
        return (len(self.blocks), 0)


@dataclass(frozen=True)
class FigureSlot:
    figure: int
    col: int  # first column, relative to the module
    top: int  # lines below the header
    span: int
    lines: int


Frag = tuple[int, int, int]  # block index, first line, end line
Position = tuple[int, int]  # block index, line


@dataclass
class Module:
    """A story's rectangle on a page: header across ``span`` columns, body in columns below it."""

    story: int
    col: int
    span: int
    top: int
    height: int
    header: int  # lines; 0 on a continuation
    columns: list[list[Frag]]
    figures: list[FigureSlot] = field(default_factory=list)
    jump_in: Position | None = None  # a continuation from where it starts: 上接 atop the first column
    jump_out: Position | None = None  # where the story goes on on the next page: 下转 at the foot of the last column

    def tops(self) -> list[int]:
        """Lines taken at the top of each body column: figures, and the 上接 line on a continuation."""
        taken = cuts(self.figures, self.span)
        if self.jump_in is not None:
            taken[0] += JUMP_LINES
        return taken


@dataclass
class Page:
    section: int
    masthead: int = 0  # lines taken by the masthead (page one)
    band: int = 0  # lines taken by the section band (a section's first page)
    modules: list[Module] = field(default_factory=list)
    flow: int | None = None  # a story too big for the grid, set as running text on its own pages
    gaps: int = 0  # spare lines, shared out between the rows
    bands: dict[int, tuple[int, int]] = field(default_factory=dict)  # later sections starting here: (top, lines)

    @property
    def used(self) -> int:
        bottoms = [m.top + m.height for m in self.modules] + [top + lines for top, lines in self.bands.values()]
        return max(bottoms, default=self.masthead + self.band)

    @property
    def next_top(self) -> int:
        """Where the next row starts: a line below the last story, or right under a band just set."""
        if self.bands and self.used == max(top + lines for top, lines in self.bands.values()):
            return self.used
        return self.used + (1 if self.modules else 0)


def filled(page: Page, grid: Grid) -> float:
    """The share of the page's grid lines (columns × rows) that carry something: furniture, headers, figures,
    text, jump lines and the rule line between two stories. Blank column feet and spare lines count as empty."""
    if page.flow is not None:
        return 1.0
    lines = (page.masthead + page.band + sum(lines for _, lines in page.bands.values())) * grid.columns
    under = {page.masthead + page.band} | {top + n for top, n in page.bands.values()}
    for m in page.modules:
        lines += m.header * m.span + sum(m.tops()) + (m.span if m.top not in under else 0)
        lines += sum(end - start for column in m.columns for _, start, end in column)
        lines += JUMP_LINES if m.jump_out is not None else 0
    return min(1.0, lines / (grid.columns * grid.rows))


@dataclass(frozen=True)
class Grid:
    columns: int
    rows: int  # lines per column on a page


def spans(columns: int, pairable: bool = True) -> list[int]:
    """Widths (in columns) a story can take: the full page, or (``pairable``) a share of a row of two."""
    return [*range(2, columns - 1), columns] if pairable else [columns]


def figure_slots(story: Story, span: int) -> list[FigureSlot]:
    """Figures side by side at the top of the body, two columns wide when the story spans four or more."""
    width = 2 if span >= 4 else 1
    slots: list[FigureSlot] = []
    col = top = row_height = 0
    for index, sizes in enumerate(story.figures):
        if col + width > span:
            col, top, row_height = 0, top + row_height, 0
        lines = sizes[width]
        slots.append(FigureSlot(index, col, top, width, lines))
        row_height = max(row_height, lines)
        col += width
    return slots


def cuts(slots: list[FigureSlot], span: int) -> list[int]:
    """Lines taken by figures at the top of each column."""
    taken = [0] * span
    for slot in slots:
        for col in range(slot.col, slot.col + slot.span):
            taken[col] = max(taken[col], slot.top + slot.lines)
    return taken


def fill(blocks: tuple[GridBlock, ...], start: tuple[int, int], caps: list[int]) -> tuple[list[list[Frag]], tuple[int, int]]:
    """Pour blocks from ``start`` into columns of ``caps`` lines; return the columns and where it stopped."""
    columns: list[list[Frag]] = []
    index, line = start
    tallest = max(caps, default=0)
    for cap in caps:
        column: list[Frag] = []
        room = cap
        while index < len(blocks) and room > 0:
            block = blocks[index]
            if block.breakable:
                take = min(room, block.lines - line)
                column.append((index, line, line + take))
                room -= take
                line += take
                if line >= block.lines:
                    index, line = index + 1, 0
                continue
            need = block.lines
            if block.keep_with_next and index + 1 < len(blocks):
                following = blocks[index + 1]
                need += min(2, following.lines) if following.breakable else following.lines
            fits = need <= room
            hopeless = room == cap == tallest and block.lines > cap  # no column will ever hold it
            if not (fits or hopeless):
                break
            column.append((index, 0, block.lines))
            room -= block.lines
            index += 1
        columns.append(column)
    return columns, (index, line)


def remaining_lines(story: Story, start: tuple[int, int]) -> int:
    index, line = start
    return sum(b.lines for b in story.blocks[index:]) - line


def balance(story: Story, span: int, start: tuple[int, int] = (0, 0), figures: bool = True):
    """The shortest body (lines) that holds the story from ``start`` in ``span`` columns, with its columns.

    Figures sit atop the story's start; a continuation (``start`` past the beginning) has its 上接 line instead.
    """
    slots = figure_slots(story, span) if figures else []
    taken = cuts(slots, span)
    if start != (0, 0):
        taken[0] += JUMP_LINES
    total = remaining_lines(story, start)
    height = max(math.ceil((total + sum(taken)) / span), max(taken, default=0))
    while True:
        columns, end = fill(story.blocks, start, [height - t for t in taken])
        if end >= story.end:
            break
        height += 1
    # A tall figure sets the height: spread the text evenly over the columns rather than filling the first.
    for text in range(math.ceil(total / span), height):
        shorter, end = fill(story.blocks, start, [min(text, height - t) for t in taken])
        if end >= story.end:
            return height, shorter, slots
    # The last column's shortfall spread over the others, a line each: 5 4 4 4 4 rather than 5 5 5 5 1.
    for short in range(span - 1, 0, -1):
        level, end = fill(story.blocks, start, [height - t - (j >= span - short) for j, t in enumerate(taken)])
        if end >= story.end:
            return height, level, slots
    return height, columns, slots


class Composer:
    """Lays out sections page by page on the grid; read ``pages`` afterwards."""

    def __init__(self, grid: Grid, masthead: int, bands: dict[int, int]):
        self.grid = grid
        self.masthead = masthead
        self.bands = bands
        self.pages: list[Page] = []
        self.current = 0  # the section being laid out
        self._heights: dict[tuple[int, int], int] = {}
        self._stories: dict[int, Story] = {}

    # -- pages ---------------------------------------------------------------
    def _new_page(self, section: int, first_of_section: bool) -> Page:
        masthead = self.masthead if not self.pages else 0
        band = self.bands[section] if first_of_section else 0
        page = Page(section, masthead=masthead, band=band)
        self.pages.append(page)
        return page

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def _close(self) -> None:
        """A page is done and another follows it: its spare lines go to its stories first, then between its rows."""
        self._loosen()
        self.page.gaps = self.grid.rows - self.page.used

    def _loosen(self) -> None:
        """Stack stories set side by side across the page, the lowest pair first, while the page still holds them.

        A page followed by another should look full: a row of two short stories is the tightest way to set them,
        but when nothing more fits on the page (the next section's band and opening, or the next row), the
        lines it saved would be blank between the rows; set across the page, the two stories take them as
        headlines and text over every column.
        """
        page, n = self.page, self.grid.columns
        for top in sorted({m.top for m in page.modules}, reverse=True):
            row = [m for m in page.modules if m.top == top]
            if len(row) != 2 or not all(m.header and m.jump_out is None for m in row):
                continue
            stories = [self._stories[m.story] for m in sorted(row, key=lambda m: m.col)]
            first = self._height(stories[0], n)
            grow = first + 1 + self._height(stories[1], n) - row[0].height
            if page.used + grow > self.grid.rows:
                continue
            for m in page.modules:
                m.top += grow if m.top > top else 0
            page.bands = {i: (t + grow if t > top else t, lines) for i, (t, lines) in page.bands.items()}
            at = page.modules.index(row[0])
            page.modules[at : at + 2] = [self._module(stories[0], n, top), self._module(stories[1], n, top + first + 1)]

    def section(self, section: int, stories: list[Story]) -> None:
        """Lay out ``section``'s stories in reading order, under its band on the page so far if its band and
        the first story's headline with a few lines fit there (short sections share a page), else on a new page."""
        self.current = section
        self._stories.update((s.index, s) for s in stories)
        if not self.pages or not self._room_for_band(section, stories[0]):
            if self.pages:
                self._close()
            self._new_page(section, True)
        else:
            page = self.page
            page.bands[section] = (page.used, self.bands[section])  # its rule is the gap above it
        for row in self._rows(stories):
            self._place(row)
        if self.page.used == 0 and self.page.flow is None:
            self.pages.pop()  # nothing came after a story set as running text

    def finish(self) -> list[Page]:
        """The pages; the last keeps its spare lines at the foot."""
        if self.pages:
            self.page.gaps = 0
        return self.pages

    def _room_for_band(self, section: int, first: Story) -> bool:
        page = self.page
        if page.flow is not None or self._oversize(first):
            return False
        n = self.grid.columns
        figures = max(cuts(figure_slots(first, n), n), default=0)
        need = self.bands[section] + first.header[n] + figures + MIN_BODY
        return page.used + need <= self.grid.rows

    # -- rows ----------------------------------------------------------------
    def _height(self, story: Story, span: int) -> int:
        key = (story.index, span)
        if key not in self._heights:
            self._heights[key] = story.header[span] + balance(story, span)[0]
        return self._heights[key]

    def _oversize(self, story: Story) -> bool:
        """Too tall for the grid: a huge header or figures (with a few body lines) over most of a page."""
        n = self.grid.columns
        figures = max(cuts(figure_slots(story, n), n), default=0)
        return story.header[n] + figures + MIN_BODY > self.grid.rows * MAX_HEADER_SHARE

    def _rows(self, stories: list[Story]) -> list[list[tuple[Story, int]]]:
        """Group stories into rows: two short stories side by side when that takes less height than stacking."""
        n = self.grid.columns
        rows: list[list[tuple[Story, int]]] = []
        i = 0
        while i < len(stories):
            story = stories[i]
            if i + 1 < len(stories) and not self._oversize(story) and not self._oversize(stories[i + 1]):
                other = stories[i + 1]
                stacked = self._height(story, n) + 1 + self._height(other, n)
                shares = [k for k in range(2, n - 1) if k in story.header and n - k in other.header]
                best = min((self._pair_cost(story, other, k), -k) for k in shares) if shares else None
                if best is not None and best[0] <= stacked:
                    k = -best[1]
                    if max(self._height(story, k), self._height(other, n - k)) < self.grid.rows - self._top_room():
                        rows.append([(story, k), (other, n - k)])
                        i += 2
                        continue
            rows.append([(story, n)])
            i += 1
        return rows

    def _pair_cost(self, left: Story, right: Story, k: int) -> float:
        """Height of a row of ``left`` in ``k`` columns beside ``right``, plus the space the shorter leaves empty."""
        n = self.grid.columns
        a, b = self._height(left, k), self._height(right, n - k)
        height = max(a, b)
        return height + (k * (height - a) + (n - k) * (height - b)) / n

    def _top_room(self) -> int:
        """Lines the page furniture may take at the top of a page (masthead and band)."""
        return self.masthead + max(self.bands.values(), default=0)

    # -- placing -------------------------------------------------------------
    def _place(self, row: list[tuple[Story, int]]) -> None:
        page = self.page
        if len(row) == 1 and self._oversize(row[0][0]):
            if page.modules:
                self._close()
                page = self._new_page(self.current, False)
            page.flow = row[0][0].index
            self._new_page(self.current, False)
            return
        top = page.next_top
        height = max(self._height(s, k) for s, k in row)
        if top + height <= self.grid.rows:
            col = 0
            for story, span in row:
                page.modules.append(self._module(story, span, top, height, col))
                col += span
            return
        if len(row) > 1:
            for single in row:
                self._place([(single[0], self.grid.columns)])
            return
        self._split(row[0][0], top)

    def _module(self, story: Story, span: int, top: int, height: int | None = None, col: int = 0) -> Module:
        """``story`` whole, balanced in ``span`` columns from ``col`` at ``top``, in a row ``height`` lines high."""
        _, columns, slots = balance(story, span)
        height = self._height(story, span) if height is None else height
        return Module(story.index, col, span, top, height, story.header[span], columns, slots)

    def _split(self, story: Story, top: int, start: tuple[int, int] = (0, 0)) -> None:
        """Set as much of ``story`` as fits below ``top``, then go on at the top of the next page.

        The part left behind ends with a 下转 line at the foot of its last column.
        """
        n = self.grid.columns
        jump_in = start if start != (0, 0) else None
        header = story.header[n] if jump_in is None else 0
        slots = figure_slots(story, n) if jump_in is None else []
        taken = cuts(slots, n)
        if jump_in is not None:
            taken[0] += JUMP_LINES
        room = self.grid.rows - top
        if room - header - max(taken, default=0) < MIN_BODY and self.page.modules:
            self._close()
            self._new_page(self.current, False)
            top = self.page.used
            self._continue(story, top, start, header > 0)
            return
        caps = [room - header - t for t in taken]
        columns, end = fill(story.blocks, start, caps)
        if end >= story.end:
            self.page.modules.append(Module(story.index, 0, n, top, room, header, columns, slots, jump_in))
            return
        caps[-1] -= JUMP_LINES
        columns, end = fill(story.blocks, start, caps)
        self.page.modules.append(Module(story.index, 0, n, top, room, header, columns, slots, jump_in, end))
        self._close()
        self._new_page(self.current, False)
        self._continue(story, self.page.used, end, False)

    def _continue(self, story: Story, top: int, start: tuple[int, int], with_header: bool) -> None:
        """Place the rest of ``story`` from ``start`` at ``top`` (balanced if it fits, else split again)."""
        n = self.grid.columns
        header = story.header[n] if with_header else 0
        body, columns, slots = balance(story, n, start, figures=with_header)
        if top + header + body <= self.grid.rows:
            jump_in = start if start != (0, 0) else None
            self.page.modules.append(Module(story.index, 0, n, top, header + body, header, columns, slots, jump_in))
            return
        self._split(story, top, start)


def compose(grid: Grid, masthead: int, bands: dict[int, int], sections: list[tuple[int, list[Story]]]) -> list[Page]:
    """Pages for ``sections`` (section index, its stories in reading order); empty sections are skipped."""
    composer = Composer(grid, masthead, bands)
    for section, stories in sections:
        if stories:
            composer.section(section, stories)
    return composer.finish()
