"""Characters into printed lines: runs on one baseline, cut at column gutters; vertical runs too."""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from publisher.importer import rules
from publisher.pdfimport.extract import Char, PdfPage

#: Horizontal gap (in ems of the smaller size) that ends a line: a column gutter.
GUTTER = 1.25
#: Widest gap (in ems) across which a run drawn later still goes on a line: a space, never a gutter.
TOUCH = 0.35
#: Characters that end a sentence.
ENDS = "。？！?!…"
#: Gap (in ems) read as a space when the PDF has no space character there.
SPACE = 0.55
#: Punctuation a paper may hang past the column edge.
HANGING = "，。、；：？！”’）》」』,.;:!?"
#: Between two CJK characters (which never have a space between words) it must be wider.
CJK_SPACE = 0.45
#: Between two Han characters, which a line sets evenly (justifying spreads every gap alike), a gap this much
#: wider than the line's usual one is a space the PDF leaves out (names in a byline: 张三 李四); also after a
#: closing bracket (a title and the name it signs: …(部长) 张三).
NAME_SPACE = 0.2
CLOSING = ")）】」"


@dataclass
class PrintedLine:
    """One line of type on a page, left to right (or top to bottom when ``vertical``)."""

    page: int
    chars: list[Char]
    text: str = ""
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0
    size: float = 0.0
    bold: bool = False
    vertical: bool = False
    id: int = 0  # position in the page's reading of lines, for the report
    role: str = ""  # what the layout made of it (the report's furniture 'why' and the overlay)

    def finish(self) -> PrintedLine:
        chars = self.chars
        self.x0 = min(c.x0 for c in chars)
        self.x1 = max(c.x1 for c in chars)
        self.y0 = min(c.y0 for c in chars)
        self.y1 = max(c.y1 for c in chars)
        visible = [c for c in chars if c.c != " "] or chars
        self.size = statistics.median_low([round(c.size, 1) for c in visible])
        self.bold = sum(c.bold for c in visible) * 2 > len(visible)
        usual = usual_gap(self)  # justified lines spread every gap alike
        out = []
        for prev, ch in zip([None, *chars], chars, strict=False):
            if prev is not None and ch.c != " " and prev.c != " ":
                gap = _gap(prev, ch, self.vertical) - usual
                if gap > SPACE * min(ch.size, prev.size) and not (_cjk(ch.c) and _cjk(prev.c)):
                    out.append(" ")
                elif gap > (NAME_SPACE if _han(ch.c) and (_han(prev.c) or prev.c in CLOSING) else CJK_SPACE) * min(
                    ch.size, prev.size
                ):
                    out.append(" ")
            out.append(ch.c)
        self.text = "".join(out).strip()
        return self

    @property
    def core_x1(self) -> float:
        """Where the line ends leaving out punctuation hung into the margin (标点悬挂)."""
        for ch in reversed(self.chars):
            if ch.c != " " and ch.c not in HANGING:
                return ch.x1
        return self.x1

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0, self.x1, self.y1)


def usual_gap(line: PrintedLine) -> float:
    """The blank a line sets between its characters: the tracking, or what justifying spread."""
    chars = line.chars
    gaps = [_gap(a, b, line.vertical) for a, b in zip(chars, chars[1:], strict=False) if a.c != " " and b.c != " "]
    return max(0.0, statistics.median(gaps)) if gaps else 0.0


def _gap(a: Char, b: Char, vertical: bool) -> float:
    """The blank between two characters of a line; down a vertical one, between their em boxes (centre to centre,
    as a bracket turned upright has a short box)."""
    if vertical:
        return (b.y0 + b.y1 - a.y0 - a.y1) / 2 - (a.size + b.size) / 2
    return b.x0 - a.x1


_HAN = re.compile(rules.HAN)


def _han(ch: str) -> bool:
    return _HAN.match(ch) is not None


def _cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or "\u3000" <= ch <= "\u303f" or "\uf900" <= ch <= "\ufaff"


def _same_line(a: Char, b: Char) -> bool:
    """b continues a's line: their vertical extents mostly overlap and b starts just after a."""
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    if overlap < 0.6 * min(a.y1 - a.y0, b.y1 - b.y0):
        return False
    gap = b.x0 - a.x1
    return -2.5 * min(a.size, b.size) <= gap <= GUTTER * min(a.size, b.size)


def _below(a: Char, b: Char) -> bool:
    """b stands under a in a vertical line (one character wide), one character's pitch down: set solid or
    looser (0.8–1.6 em), or tighter where the engine stacks glyphs by their cap height or turns digits sideways
    (2025 down the line, half an em each), or two pitches down across the blank between a head's two phrases
    (…接任　料力推…)."""
    overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
    aligned = overlap > 0.7 * min(a.x1 - a.x0, b.x1 - b.x0) or abs(a.x0 + a.x1 - b.x0 - b.x1) / 2 <= 0.45 * a.size
    pitch = (b.y0 + b.y1 - a.y0 - a.y1) / 2  # centre to centre: a bracket turned upright has a short box
    return aligned and 0.45 * a.size <= pitch <= 2.6 * a.size


def page_lines(page: PdfPage) -> list[PrintedLine]:
    """The page's lines in the order the PDF draws them, runs split at gutters and joined across runs."""
    runs: list[list[Char]] = []
    for ch in page.chars:
        if runs:
            last = runs[-1]
            ref = next((c for c in reversed(last) if c.c != " "), last[-1])
            if ch.c == " " and abs(ch.y0 - ref.y0) < 0.5 * ref.size and ch.x0 >= ref.x1 - 1:
                last.append(ch)
                continue
            if _same_line(ref, ch):
                last.append(ch)
                continue
        runs.append([ch])
    runs = [r for r in (_strip(r) for r in runs) if r]
    lines = _vertical(runs)
    lines = _merge(lines)
    for n, line in enumerate(lines, start=1):
        line.id = n
    return lines


def _strip(run: list[Char]) -> list[Char]:
    while run and run[-1].c == " ":
        run.pop()
    while run and run[0].c == " ":
        run.pop(0)
    return run


def _vertical(runs: list[list[Char]]) -> list[PrintedLine]:
    """Single characters stacked one under another, three or more, become one vertical line (a vertical
    headline), found by where they stand, not by the order the PDF draws them in."""
    singles = sorted((k for k, run in enumerate(runs) if len(run) == 1), key=lambda k: runs[k][0].y0)

    def key(ch: Char) -> int:  # by the centre: punctuation down a vertical line sits at the right of its em box
        return int((ch.x0 + ch.x1) // 16)

    columns: dict[int, list[int]] = {}
    for k in singles:
        columns.setdefault(key(runs[k][0]), []).append(k)
    below: dict[int, int] = {}
    for k in singles:
        a = runs[k][0]
        near = [j for n in (key(a) - 1, key(a), key(a) + 1) for j in columns.get(n, [])]
        under = [j for j in near if j != k and _below(a, runs[j][0])]
        if under:
            below[k] = min(under, key=lambda j: runs[j][0].y0)
    above: dict[int, int] = {}  # each character stands under one other at most: the nearest
    for k, j in below.items():
        if j not in above or runs[k][0].y0 > runs[above[j]][0].y0:
            above[j] = k
    below = {k: j for j, k in above.items()}
    tops = set(below) - set(below.values())
    stacks: dict[int, list[int]] = {}
    for k in tops:
        chain = [k]
        while chain[-1] in below:  # each step goes down the page: no chain comes back on itself
            chain.append(below[chain[-1]])
        if len(chain) >= 3:
            stacks[k] = chain
    stacked = {j for chain in stacks.values() for j in chain}
    out = []
    for k, run in enumerate(runs):
        if k in stacks:
            out.append(PrintedLine(0, [runs[j][0] for j in stacks[k]], vertical=True).finish())
        elif k not in stacked:
            out.append(PrintedLine(0, run).finish())
    return out


def _merge(lines: list[PrintedLine]) -> list[PrintedLine]:
    """Join runs that the PDF drew apart but that print as one line: one drawn right after the other (a bold
    dateline, then the text), or anywhere later but touching it in the same type (an engine that draws a
    head's Latin letters after the text under it)."""
    out: list[PrintedLine] = []
    for line in lines:
        prev = out[-1] if out else None
        if prev is not None and not prev.vertical and not line.vertical and _same_line(prev.chars[-1], line.chars[0]):
            prev.chars.extend(line.chars)
            prev.finish()
            continue
        out.append(line)
    return _touching(out)


def _touching(lines: list[PrintedLine]) -> list[PrintedLine]:
    """Each line joined with one drawn later that goes on from its last character: the same size, on its
    baseline, at most TOUCH ems after it (no column's gutter is that narrow)."""
    starts: dict[int, list[PrintedLine]] = {}
    for line in lines:
        if not line.vertical:
            starts.setdefault(round(line.chars[0].y1), []).append(line)

    def follower(line: PrintedLine, gone: set[int]) -> PrintedLine | None:
        if line.vertical:
            return None
        last = line.chars[-1]
        near = [m for key in (round(last.y1) - 1, round(last.y1), round(last.y1) + 1) for m in starts.get(key, [])]
        return next((m for m in near if m is not line and id(m) not in gone and _goes_on(last, m.chars[0])), None)

    gone = join_on(lines, follower)
    return [x for x in lines if id(x) not in gone]


def join_on(lines: list[PrintedLine], follower: Callable[[PrintedLine, set[int]], PrintedLine | None]) -> set[int]:
    """Each line takes on, again and again, the line ``follower`` finds going on from it (given those already
    taken); the ids of the lines taken, which are gone."""
    gone: set[int] = set()
    for line in lines:
        while id(line) not in gone and (follow := follower(line, gone)) is not None:
            line.chars.extend(follow.chars)
            line.finish()
            gone.add(id(follow))
    return gone


def _goes_on(a: Char, b: Char) -> bool:
    """b, drawn apart, carries on a's line; never after a sentence's end (a head hung into the gutter there
    stands beside the next one)."""
    return (
        a.c not in ENDS
        and abs(a.size - b.size) <= 0.05 * a.size
        and abs(a.y1 - b.y1) <= 0.15 * a.size
        and -0.2 * a.size <= b.x0 - a.x1 <= TOUCH * a.size
    )
