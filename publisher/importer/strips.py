"""Text extracted with ``pdftotext -layout``: a page's columns back into reading order.

Layout mode prints each printed line of a page with its columns side by side, separated by runs
of spaces at the same character positions line after line; form feeds separate pages. Read as it
stands, every line mixes two or more stories. Here each page's blocks (runs of lines between
blank lines) are cut at the positions where their columns start, and each column strip is read
top to bottom, the strips left to right, as a block of its own, which is what pdftotext's default
mode prints and :mod:`.columns` reads. A headline over some of the columns goes with the column it
starts in (it heads that strip); a line whose text runs across all of them (a running head, an
editor's note across the page) is kept as it is and parts the block into bands. Text that has no
such columns (default mode, one paragraph a line) is left alone.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from publisher.importer import glued, rules
from publisher.importer import lines as L
from publisher.importer.columns import SET_IN, measure, width

#: Columns are separated by at least this many spaces.
GAP = re.compile(r" {3,}")
#: Text is in layout mode when this share of its lines (and at least MIN_LINES) print columns side by side.
SIDE_BY_SIDE = 0.2
MIN_LINES = 8
#: A column starts where at least this many lines of a block start a piece of text (give or take TOLERANCE,
#: the first-line indent and hanging punctuation) to the right of where most lines of the column before end
#: (a subhead centred in its column starts inside it).
MIN_STARTS = 2
TOLERANCE = 3
#: A paragraph's first line starts up to this many positions right of its column (the indent).
SET_IN_MAX = 6
#: A wrapped head's rest on a row of its own holds at most this many characters.
HEAD_REST = 6
#: A head's phrase holds at most this many characters.
PHRASE_MAX = 16
#: A head row is one of its block's first this many rows (the story beside may start higher).
HEAD_ROWS = 3
#: A block of this many rows at least, each a single piece, is one column's strip (a story set alone, as wide as it is).
COLUMN_ROWS = 3
#: Empty rows in a column strip that part it into blocks.
GAP_ROWS = 2


def _pieces(line: str) -> list[tuple[int, str]]:
    """A line's pieces of text between gaps, with the character position each starts at."""
    out, at = [], 0
    for part in GAP.split(line):
        stripped = part.lstrip(" ")
        if stripped.strip():
            out.append((at + len(part) - len(stripped), stripped.rstrip()))
        at += len(part)
        match = GAP.match(line, at)
        at = match.end() if match else at
    return out


def _writers_row(line: str) -> str:
    """A writers' line (记者：某某 / 某某 / 某某) spaces its names as widely as the columns' gaps, yet it is one
    line of one column: its pieces, when a writers' line opens the row and only names follow, joined by a
    space (else the row as it is)."""
    pieces = _pieces(line)
    if len(pieces) < 2 or not all(rules.NAMES_LINE.match(text) for _, text in pieces[1:]):
        return line
    joined = " ".join(text for _, text in pieces)
    if not (L.signs(pieces[0][1]) and L.signs(joined) and rules.ROLE_BYLINE.match(pieces[0][1])):
        return line
    return " " * pieces[0][0] + joined


def _signed_head(block: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A block of a head row over one writers' line (:func:`_writers_row`) and nothing else: the writers' line
    signs one story, so the row's head-shaped pieces are that story's head, its phrases set apart by display
    type's wide space (某某某某　某某某某某), not heads side by side; they are joined by a space."""
    if len(block) != 2 or len(_pieces(block[1][1])) != 1 or not rules.ROLE_BYLINE.match(block[1][1].strip()):
        return block
    pieces = _pieces(block[0][1])
    if len(pieces) < 2 or not all(L.heading_shape(text) for _, text in pieces):
        return block
    return [(block[0][0], " " * pieces[0][0] + " ".join(text for _, text in pieces)), block[1]]


def _head_phrases(
    head: str, body: list[str], beneath: set[int] | frozenset[int] = frozenset(), above: set[int] | frozenset[int] = frozenset()
) -> str:
    """A head row over ``body``, the rows of its story's columns, with a head's second phrase joined to its first by
    an ideographic space. Display type's wide space between a head's two phrases (某某某某　某某某某某) prints as a gap as
    wide as a gutter, so the row reads as two heads side by side. The phrases are one head when the text under the
    first runs on, unfinished, from the column before the second's into the column under the second (the column
    whose start is nearest, and whose lines end right of where the phrase starts), whose first line is flush with it
    and no dateline; or when both stand over one column, the first at its start and the second before its lines' end
    (a column's top heads one story). Display type is larger than the text's, so each phrase is shorter than the
    lines under it (a row of text across the columns is no head). A head beside it heads a story of its own, whose
    text opens a paragraph; a phrase with a line of its own printed under it (``beneath``: where the pieces of the
    head's block below it start; a byline, a subtitle) is a head of its own, a second phrase with a piece printed
    above it (``above``: where the pieces of the rows over the head start; the text of the column of a story beside,
    starting higher) is that text, and a date or a phrase that holds a sentence's stops is no head's phrase."""
    pieces = _pieces(head)
    columns = _columns(body)
    if len(pieces) < 2 or not columns or len(body) < 2:
        return head
    flat = [piece for line in body for piece in _pieces(line)]

    def column(at: int) -> int:  # the column a piece starts over: the one whose start is nearest
        return min(columns, key=lambda c: abs(c - at))

    def under(c: int) -> list[tuple[int, str]]:
        return [(start, text) for start, text in flat if column(start) == c]

    out: list[tuple[int, str]] = [pieces[0]]
    for at, text in pieces[1:]:
        first_at, first = out[-1]
        phrases = all(_phrase(t) for t in (first, text)) and not any(
            abs(start - x) <= TOLERANCE for start in beneath for x in (first_at, at)
        )
        phrases = phrases and not any(abs(start - at) <= TOLERANCE for start in above)
        k = columns.index(column(at))
        one_column = k == columns.index(column(first_at)) and abs(first_at - column(at)) <= TOLERANCE
        if phrases and one_column and under(column(at)) and at < _common_end(flat, column(at)):
            out[-1] = (first_at, f"{first}\u3000{text}")  # both over one column, which heads one story: one head
            continue
        left, right = under(columns[k - 1]), under(column(at))  # (the first phrase's display type may span columns)
        goes_on = (
            k > columns.index(column(first_at))
            and bool(left and right)
            and at < _common_end(flat, column(at))
            and all(len(t) < max(len(x) for _, x in side) for t, side in ((first, left), (text, right)))
            and not rules.ENDS_SENTENCE.search(left[-1][1])
            and right[0][0] - column(at) <= 1
            and not _dated(right[0][1])
        )
        if phrases and goes_on:
            out[-1] = (first_at, f"{first}\u3000{text}")  # the head's own space: never a kicker beside its head
        else:
            out.append((at, text))
    if len(out) == len(pieces):
        return head
    line = ""
    for at, text in out:  # each piece where it started (a gap of three spaces at least)
        line += " " * (at if not line else max(at - len(line), 3)) + text
    return line


def _phrase(text: str) -> bool:
    """Could this piece of a head row be one phrase of a head: head-shaped, short, no stop or space inside but those
    an engine sets digits off with (a couplet is two phrases already), no date?"""
    return (
        L.heading_shape(text)
        and len(text) <= PHRASE_MAX
        and not re.search(r"[。，；、,; ]", glued.without_set_off(text))
        and not (rules.DATE.search(text) or rules.WEEKDAY.search(text))
    )


def _gutters_opened(block: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A block's rows with a gap opened where a single space parts two columns' lines. A gutter about a
    character wide prints as one space in layout mode too, so the lines of a row's columns read as one piece;
    it is cut where its text so far fills the measure most of the block's pieces fill (as :mod:`.glued` cuts
    default-mode lines), the rest moved right to leave a gap, taken back from the gap after it where that is wide."""
    rows = [(n, _pieces(line)) for n, line in block]
    found = glued.cut([text for _, pieces in rows for _, text in pieces])
    if found is None:
        return block
    parts = iter(found[1])
    out = []
    for n, pieces in rows:
        line = ""
        for at, text in pieces:
            start = at
            for part in next(parts):
                line += " " * (start if not line else max(start - len(line), 3)) + part
                start += len(part) + 1
        out.append((n, line))
    return out


def is_layout(text: str) -> bool:
    """Many lines print pieces of text side by side, or a column's text right of the margin (set in further than a
    paragraph's indent: the columns left of it are empty on that row), and their pieces start at recurring
    positions (give or take a position or two: display type and digits shift what follows them)."""
    lines = [x for x in text.replace("\f", "\n").split("\n") if x.strip()]
    split = [[(0, "")] + p if p[0][0] >= SET_IN_MAX else p for p in (_pieces(x) for x in lines)]
    split = [p for p in split if len(p) >= 2]
    if len(split) < MIN_LINES or len(split) < SIDE_BY_SIDE * len(lines):
        return False
    starts = Counter(at for pieces in split for at, _ in pieces[1:])
    near = {at: sum(n for p, n in starts.items() if abs(p - at) <= TOLERANCE - 1) for at in starts}
    recurring = sum(n for at, n in starts.items() if near[at] >= MIN_STARTS)
    return recurring >= 0.5 * sum(starts.values())


def _columns(block: list[str]) -> list[int]:
    """Where the block's columns start: positions at which several of its lines start a piece of text,
    right of the column before it; and where a piece on the block's first row starts right of where every
    column's lines end (a head over columns of its own that start lower down, under a picture), or a short one
    left of where the first column starts (a head whose story is under a picture, beside another's columns; a
    single character is a wrapped head's rest); lower down, any piece that ends left of that start (a picture's
    caption set under it, beside the columns of a story that is not the picture's)."""
    pieces = [p for line in block for p in _pieces(line)]
    starts = Counter(at for at, _ in pieces)
    top = {at for at, _ in _pieces(block[0])} if block else set()
    columns: list[int] = []
    for at in sorted(starts):
        if columns and at <= _common_end(pieces, columns[-1]):
            continue
        if sum(n for p, n in starts.items() if at <= p <= at + TOLERANCE) >= MIN_STARTS:
            columns.append(at)
        elif len(columns) >= 2 and at in top and at > _common_end(pieces, columns[-1]):
            columns.append(at)
    if len(columns) < 2:
        return []
    left = [
        at
        for n, line in enumerate(block)
        for at, text in _pieces(line)
        if 1 < len(text) and (n or len(text) <= HEAD_REST) and at + len(text) < columns[0] - TOLERANCE
    ]
    return left[:1] + columns


def _common_end(pieces: list[tuple[int, str]], column: int) -> float:
    """Where the pieces of text that start at ``column`` end, for most of them (the median)."""
    ends = sorted(at + len(text) for at, text in pieces if column <= at <= column + TOLERANCE)
    return ends[len(ends) // 2] if ends else column + TOLERANCE


@dataclass
class Cell:
    """One line of a column strip: its text, whether it is on its band's first row (``top``), the input
    line it comes from (1-based), how far right of its strip's usual start it begins (``indent``, in
    character positions; None when the line is not in a strip) and whether it opens its strip (``opens``:
    its first line, or a line of its own)."""

    text: str
    top: bool = False
    source: int = 0
    indent: int | None = None
    opens: bool = True  # the first line of its strip (or a line of its own)
    strip: int = 0  # which strip it is in (0: none), numbered through the text


def _starts(line: str) -> set[int]:
    """Where the line's pieces of text start, and where text starts after a single space inside one (the
    next row may be glued to its neighbour at the same place)."""
    out = set()
    for at, piece in _pieces(line):
        out.add(at)
        out.update(at + k + 1 for k, ch in enumerate(piece) if ch == " " and 0 < k < len(piece) - 1)
    return out


def _gap_starts(line: str) -> set[int]:
    """Where the line's pieces of text start after a wide gap (a third of the way there, and two TOLERANCEs
    at least): the short rest of a wrapped head beside the rest of another, not the gap between columns."""
    pieces = _pieces(line)
    return {at for (before, text), (at, _) in itertools.pairwise(pieces) if at - before - len(text) >= max(2 * TOLERANCE, at / 3)}


def _wrap_cuts(line: str, below: str) -> set[int]:
    """Where a head wrapped in its column ends on this row, the head beside it starting one space after it:
    display type leaves one space between heads side by side, and the row below, at the same position, takes
    up what the part before the space cuts (it closes a quotation or bracket left open there, goes on a
    number or a sentence: 心之所系，行之所至（今 / 日谈）; or it is a head's short last word under a first line
    twice as long as the head beside: …全国代表大 / 会召开). The position after that space, for :func:`_split_aside`."""
    rests = {at: piece for at, piece in _pieces(below)}
    out = set()
    for at, piece in _pieces(line):
        rest = next((r for p, r in rests.items() if abs(p - at) <= TOLERANCE), None)
        k = piece.find(" ")
        if rest is None or k < 4 or len(piece) - k - 1 < 4:
            continue
        before, after = piece[:k], rest.split(" ")[0]
        if not L.heading_shape(before + after):
            continue
        closes = L.quote_balance(before)[1] > 0 and L.quote_balance(after)[0] > 0
        number = before[-1].isdigit() and after[0].isdigit()
        # a head's short last word under a first line twice as long as the head beside (a head across two columns
        # beside one over one), not a head of two phrases wrapped (某某某某某 某某某 / 某某)
        ends_short = len(rest) <= HEAD_REST and len(before) >= 2 * (len(piece) - k - 1)
        if closes or number or ends_short or rules.STARTS_MID.match(after):
            out.add(at + k + 1)
    return out


def _heads_glued(pieces: list[tuple[int, str]], columns: list[int], ends: list[float], near: set[int]) -> set[int]:
    """Where a block's first row cuts a head off the head before it at a column's start (:func:`_split_at_columns`):
    two heads side by side, each a head's width and shape (not a caption's credit). Display type counts a character
    as one position, so the second prints left of its place: it goes where its story opens (:func:`_place_aside`)."""
    split = _split_at_columns(pieces, columns, ends, near)
    return {
        at
        for (_, before), (at, text) in itertools.pairwise(split)
        if at not in {p for p, _ in pieces} and all(len(h) > HEAD_REST and L.heading_shape(h) for h in (before, text))
    }


def _split_aside(pieces: list[tuple[int, str]], beside: set[int] | frozenset[int], columns: list[int]) -> list[tuple[int, str]]:
    """Pieces cut where a row above or below starts a piece of text after a gap (``beside``): display type
    is wider than the body's grid, so a row of two heads side by side (or a wrapped head's last characters
    beside the text of the column before) keeps one space or none between them, while the shorter row next
    to it keeps the gap, its piece starting at the same position. With no space the cut is never at a
    column's start or within a first line's indent (a head across columns over the text's rows), and never
    within the indent of the column the piece starts at (a head's short rest over the story's first line)."""
    out = []
    for at, piece in pieces:
        start = 0
        for c in range(TOLERANCE + 1, len(piece)):
            spaced = piece[c - 1] == " "
            # after a space the gap beside may start a position off (display type's widths are rounded)
            near = at + c in beside or (spaced and (at + c - 1 in beside or at + c + 1 in beside))
            if not near or piece[c] == " " or c - start <= TOLERANCE:
                continue
            if not spaced and any(column - TOLERANCE <= at + c < column + SET_IN_MAX for column in columns):
                continue
            if any(
                abs(at + start - column) <= TOLERANCE and column + SET_IN.start <= at + c < column + SET_IN_MAX
                for column in columns
            ):
                continue  # (where the piece's own column sets a paragraph's first line in)
            out.append((at + start, piece[start : c - 1 if spaced else c]))
            start = c
        out.append((at + start, piece[start:]))
    return out


def _split_at_columns(
    pieces: list[tuple[int, str]], columns: list[int], ends: list[float], near: set[int] | frozenset[int]
) -> list[tuple[int, str]]:
    """A piece that runs on into the next column with a single space near that column's start (give or take
    TOLERANCE) is two pieces: pdftotext -layout keeps only one space where a line of one column ends right
    where the next column's text begins (a wrapped head's last characters beside the text of the column
    before, a dateline beside the next column's line), when the text before the space ends about where the
    column's lines end (``ends``: for each column) and the line above or below has text starting where the
    rest starts (``near``: where their pieces start, or their text after a single space: rows glued at the
    same place); a head over several columns with a space inside is one."""
    out = []
    todo = list(pieces)
    while todo:
        at, piece = todo.pop(0)
        if " " not in piece or not any(at < start < at + len(piece) + TOLERANCE for start in columns):
            out.append((at, piece))
            continue
        for k, start in enumerate(columns):
            spaces = sorted(range(start - at - 1 - TOLERANCE, start - at + TOLERANCE), key=lambda c: abs(c - (start - at - 1)))
            cut = next((c for c in spaces if 0 < c < len(piece) - 1 and piece[c] == " "), None)
            if (
                at < start < at + len(piece) + TOLERANCE
                and cut is not None
                and (start < at + len(piece) or _short_rest(piece, cut))
                and k
                and at + cut >= ends[k - 1] - TOLERANCE
                and any(abs(at + cut + 1 - n) <= TOLERANCE for n in near)
                and not _quoted_space(piece[:cut], piece[cut + 1 :])
                and not _digits_set_off(piece, cut)
            ):
                out.append((at, piece[:cut]))
                todo.insert(0, (at + cut + 1, piece[cut + 1 :]))
                break
        else:
            out.append((at, piece))
    return out


def _digits_set_off(piece: str, cut: int) -> bool:
    """Is the space at ``cut`` one the engine sets between CJK and digits (4 月 15 日至 16 日), as it does elsewhere in
    the piece? Such a line's digits take more positions than their width, so a space inside it may fall where the next
    column starts on the rows around it; it parts no columns."""
    return cut in glued.set_off_spaces(piece)


def _dated(text: str) -> bool:
    """Does ``text`` open with a dateline (本报北京 1 月 6 日电, digits set off or not)?"""
    return bool(rules.NEWS_LEAD.match(glued.without_set_off(text)))


def _opens_story(text: str) -> bool:
    """Does a story's text open with ``text``: a dateline or a writers' line?"""
    return _dated(text) or L.signs(text)


def _quoted_space(before: str, after: str) -> bool:
    """Is the space between ``before`` and ``after`` inside a head's quotation (营造“亲而有度 清而有为”廉洁氛围)? The head
    opens a quotation that the part after the space closes: one head with a space inside, not two columns' text (a
    line of text set in a column may end on an opening quote, hanging)."""
    opened = L.quote_balance(before)[1] > 0 and not before.endswith(tuple(rules.OPENERS))
    return opened and L.quote_balance(after)[0] > 0 and L.heading_shape(before + after)


def _short_rest(piece: str, cut: int) -> bool:
    """Does ``piece``, ending short of the next column's start, end in a head's short rest after the single
    space at ``cut``? Display type counts a character as one position, so a wrapped head's row beside the
    rest of the head beside it can end before that column starts (letter-spaced type is one head)."""
    return " " not in piece[:cut] and len(piece) - cut - 1 <= HEAD_REST


def _pushed(text: str, piece: str, before: str) -> bool:
    """Is ``piece``, after a gap (``before``: the three positions before it) in a column whose row holds
    ``text`` already, the next column's? pdftotext -layout counts a character of display type as one
    position, so the row of a wrapped head's short rest (日谈）) prints the next column's text left of its
    place; a gap always parts columns, and a head's rest is short while that text runs on."""
    return 0 < len(text) <= HEAD_REST < len(piece) and before == "   "


def _cut(
    line: str,
    columns: list[int],
    ends: list[float],
    near: set[int] | frozenset[int] = frozenset(),
    beside: set[int] | frozenset[int] = frozenset(),
    heads: set[int] | frozenset[int] = frozenset(),
    rests: set[int] | frozenset[int] = frozenset(),
) -> tuple[list[tuple[str, int]], list[tuple[int, str, int]]] | None:
    """The line's text in each column with the position it starts at (a piece running across column
    starts, such as a story's headline over its columns, in the column it starts in), or None when a
    piece runs across all of them; and the pieces of display type that start where this row or the next
    cuts a head off a head (``heads``, :func:`_split_aside`: display type counts a character as one
    position, so such a head prints left of its column's place), or short pieces where a row two or three
    above did (``rests``: the head beside wraps, display type taking more leading): (position, text, the
    column it fell in)."""
    cells: list[tuple[str, int]] = [("", -1)] * len(columns)
    aside: list[tuple[int, str, int]] = []
    for at, piece in _split_at_columns(_split_aside(_pieces(line), beside, columns), columns, ends, near):
        k = max((i for i, start in enumerate(columns) if start <= at + TOLERANCE), default=0)
        if (
            k + 1 < len(columns)
            and not cells[k + 1][0]
            and cells[k][1] >= columns[k] - TOLERANCE
            and _pushed(cells[k][0], piece, line[max(0, at - 3) : at])
        ):
            k += 1
        text, first = cells[k]
        if (at in heads or len(piece) <= HEAD_REST and at in rests) and k + 1 < len(columns):
            aside.append((at, piece, k))  # a head beside a head: set in a larger size than the grid
            continue
        if k == 0 and at + len(piece) > columns[-1]:
            return None
        cells[k] = (f"{text} {piece}", first) if text else (piece, at)
    return cells, aside


def _place_aside(rows: list[tuple[int, list[tuple[str, int]]]], asides: list[list[tuple[int, str, int]]]) -> None:
    """Put each piece set aside by :func:`_cut` in a column the row leaves empty, the one it fell in or one
    right of it: the first whose text below opens with a dateline or a writers' line (the head's story
    starts there), else the first. With none empty, a head whose story opens on that row in a column right of it
    with a dateline or a writers' line goes on a row of its own over that column's line (the same input line)."""
    heads = []
    for n, ((source, cells), aside) in enumerate(zip(rows, asides, strict=True)):
        for at, piece, k in aside:
            free = [j for j in range(k, len(cells)) if not cells[j][0]]
            if not free:
                opens = [j for j in range(k + 1, len(cells)) if _opens_story(cells[j][0])]
                if opens:
                    heads.append((n, source, opens[0], piece, at))
                    continue
                text, first = cells[k]
                cells[k] = (f"{text} {piece}", first)
                continue
            below = {j: next((c[j][0] for _, c in rows[n + 1 :] if c[j][0]), "") for j in free}
            dated = [j for j in free if _opens_story(below[j])]
            j = (dated or free)[0]
            cells[j] = (piece, at)
    for n, source, j, piece, at in reversed(heads):
        row: list[tuple[str, int]] = [("", -1)] * len(rows[n][1])
        row[j] = (piece, at)
        rows.insert(n, (source, row))


def _band(rows: list[tuple[int, list[tuple[str, int]]]]) -> list[Cell]:
    """A band's column strips, each read top to bottom, left to right (a cell on the band's first row, or on a row
    from the same input line, heads it). Lines of two stories side by side whose baselines differ come on alternate
    rows, so only a gap of GAP_ROWS rows or more parts a strip. A cell's indent counts from where most of its
    strip's lines start (a paragraph's first line is set in by two em: two to five positions)."""
    out: list[Cell] = []
    for k in range(len(rows[0][1])):
        strip = next(_STRIPS)
        starts = Counter(cells[k][1] for _, cells in rows if cells[k][0])
        flush = starts.most_common(1)[0][0] if starts else 0
        empty = 0
        opens = True
        for n, (source, cells) in enumerate(rows):
            text, at = cells[k]
            if not text:
                empty += 1
                continue
            if empty >= GAP_ROWS and out and out[-1].text and not _head_rest_below(out, text, rows[n + 1 :], k):
                out.append(Cell(""))
            empty = 0
            out.append(Cell(text, source == rows[0][0], source, at - flush, opens, strip))
            opens = False
        _last_rows_in_order(out)
        if out and out[-1].text:
            out.append(Cell(""))
    return _second_phrase(out)


def _head_rest_below(out: list[Cell], text: str, below: list[tuple[int, list[tuple[str, int]]]], k: int) -> bool:
    """Is ``text``, rows under a head that starts its strip or a part of it (the last of ``out``) with the column
    empty between them, that head's wrapped rest? Display type takes more leading than the body beside it, so
    the rest prints rows lower; it is shorter than the head, a head's shape, ends no sentence, and the story's
    text starts on the row under it."""
    head = out[-1]
    starts = len(out) < 2 or not out[-2].text or out[-2].strip != head.strip
    return (
        starts
        and L.heading_shape(head.text)
        and L.heading_shape(text)
        and len(text) < len(head.text)
        and not rules.ENDS_SENTENCE.search(head.text + text)
        and bool(below)
        and bool(below[0][1][k][0])
    )


def _second_phrase(out: list[Cell]) -> list[Cell]:
    """A head's second phrase, set apart by display type's wide space, prints over the next strip, whose text goes on
    the sentence cut at the foot of the strip its first phrase heads (某某某某　某某某某某 / … 某某某某 / 某。…):
    it goes back on the first phrase (a whole one: text, not a wrapped head's rest, under it), printed left of that strip's text (display type counts a character as one
    position). A head beside it heads its own story, whose text opens a paragraph."""
    strips = [list(g) for _, g in itertools.groupby([c for c in out if c.text], key=lambda c: c.strip)]
    merged: set[int] = set()
    for a, b in itertools.pairwise(strips):
        if len(a) < 2 or len(b) < 2 or not (a[0].top and b[0].top) or id(a[0]) in merged or len(a[1].text) <= HEAD_REST:
            continue
        heads = all(L.heading_shape(c.text) and not rules.ENDS_SENTENCE.search(c.text) for c in (a[0], b[0]))
        left = b[0].indent is not None and b[0].indent < 0  # it prints left of the strip's text, beside the first
        goes_on = left and b[1].indent is not None and b[1].indent < 2 and not _dated(b[1].text)
        if heads and goes_on and not rules.ENDS_SENTENCE.search(a[-1].text):
            a[0].text = f"{a[0].text} {b[0].text}"
            b[1].opens = True
            merged.add(id(b[0]))
    return [c for c in out if id(c) not in merged]


def _last_rows_in_order(cells: list[Cell]) -> None:
    """Put a strip's last two lines back in order where pdftotext printed them one row apart the wrong way round
    (baselines of stories side by side differ by less than a row): a short flush line that ends a sentence, after a
    blank or a line that ends one (a paragraph's first line is set in), and under it a set-in line that ends none and
    is the strip's last: the set-in line opens the paragraph the short one ends (吴政隆参加上述活 / 动。)."""
    if len(cells) < 3 or not all(c.text and c.indent is not None for c in cells[-2:]):
        return
    before, short, last = cells[-3:]
    ends = [not c.text or bool(rules.ENDS_SENTENCE.search(c.text)) for c in (before, short, last)]
    set_in = [c.indent is not None and 2 <= c.indent <= SET_IN_MAX for c in (short, last)]
    if (
        ends == [True, True, False]
        and set_in == [False, True]
        and len(short.text) <= HEAD_REST
        and last.source == short.source + 1
    ):
        cells[-2], cells[-1] = last, short
        last.opens, short.opens = short.opens, False


def _one_column(block: list[tuple[int, str]]) -> bool:
    """Is ``block`` one column of text, as wide as it is set (a picture's story wider than the page's columns)? A piece
    a row, at least COLUMN_ROWS rows, and lines that fill its measure, hold a sentence's stops and run on, mid-sentence
    (heads never do)."""
    if len(block) < COLUMN_ROWS or any(len(_pieces(line)) != 1 for _, line in block):
        return False
    texts = [line.strip() for _, line in block]
    full = measure(texts)
    run_on = [
        t
        for t in texts
        if full and abs(width(t) - full) <= 1 and re.search("[，。；、]", t) and not rules.ENDS_SENTENCE.search(t)
    ]
    return len(run_on) >= 2


def _side_by_side(block: list[tuple[int, str]]) -> list[Cell]:
    """A block too short to show its columns (two heads side by side, a byline under the first): its pieces
    left to right by where the pieces beside others start, each such column top to bottom, so a line under
    the first head reads with it, not after the head beside it."""
    beside = sorted({at for _, line in block for at, _ in _pieces(line)[1:]})
    pieces = [(source, at, piece) for source, line in block for at, piece in _pieces(line)]

    def column(at: int) -> int:
        return sum(1 for start in beside if start <= at + TOLERANCE)

    return [Cell(piece, True, source) for source, at, piece in sorted(pieces, key=lambda p: column(p[1]))]


def _heads_over(block: list[tuple[int, str]], after: list[tuple[int, str]]) -> bool:
    """Is ``block`` a row of heads side by side over the columns of the block ``after`` it (display type takes
    more leading, so a blank row comes between)? It is too short to show columns of its own, and each of
    its pieces starts where one of those columns does, a column of text that runs down a third of the
    block at least (not a picture's caption beside the text)."""
    if len(block) > 3 or after[0][0] - block[-1][0] > 2 or _columns([line for _, line in block]):
        return False
    pieces = [_pieces(line) for _, line in block]
    rows = [{at for at, _ in _pieces(line)} for _, line in after]
    columns = [
        c
        for c in _columns([line for _, line in after])
        if 3 * sum(1 for row in rows if any(c - TOLERANCE <= at <= c + SET_IN_MAX for at in row)) >= len(rows)
    ]
    if not columns or max(len(p) for p in pieces) < 2:
        return False
    return all(any(abs(at - c) <= TOLERANCE for c in columns) for row in pieces for at, _ in row)


def _block(block: list[tuple[int, str]]) -> list[Cell]:
    """One block's lines (input line number, text) as cells in reading order, a blank cell after each strip."""
    columns = _columns([line for _, line in block])
    pieces = [p for _, line in block for p in _pieces(line)]
    ends = [_common_end(pieces, c) for c in columns]
    if not columns and _one_column(block):
        return _band([(source, [(line.strip(), len(line) - len(line.lstrip()))]) for source, line in block])
    if not columns:
        return _side_by_side(block) + [Cell("")]
    out: list[Cell] = []
    rows: list[tuple[int, list[tuple[str, int]]]] = []
    asides: list[list[tuple[int, str, int]]] = []
    starts = [_starts(line) for _, line in block]
    gaps = [_gap_starts(line) for _, line in block]
    wraps = [_wrap_cuts(line, block[n + 1][1]) if n + 1 < len(block) else set() for n, (_, line) in enumerate(block)]

    def around(values: list[set[int]], n: int) -> set[int]:
        return (values[n - 1] if n else set()) | (values[n + 1] if n + 1 < len(block) else set())

    cuts = []  # where each row cuts a head off a head
    for n, (_, line) in enumerate(block):
        pieces = _pieces(line)
        split = _split_aside(pieces, around(gaps, n) | wraps[n], columns)
        glued = _heads_glued(split, columns, ends, around(starts, n)) if n == 0 else set()
        cuts.append({at for at, _ in split} - {at for at, _ in pieces} | glued)
    for n, (source, line) in enumerate(block):
        rests = set().union(*cuts[max(0, n - 3) : max(0, n - 1)])
        cut = _cut(line, columns, ends, around(starts, n), around(gaps, n) | wraps[n], cuts[n] | around(cuts, n), rests)
        if cut is None:
            if rows:
                _place_aside(rows, asides)
                out += _band(rows)
                rows, asides = [], []
            out += [Cell(line.strip(), True, source), Cell("")]
        else:
            rows.append((source, cut[0]))
            asides.append(cut[1])
    if rows:
        _place_aside(rows, asides)
        out += _band(rows)
    return out


_STRIPS = itertools.count(1)


@dataclass
class Strips:
    """Layout-mode text in reading order. ``tops``: numbers of its lines printed on a band's first row (the
    top of its columns), where a head starts a story; ``sources``: the input line each line comes from
    (``sources[n - 1]`` for line n; 0 for the blank lines that part strips); ``indents``: how far each line
    in a strip starts right of the strip's usual start, by line number; ``opens``: the lines that open a
    strip (a column's top in its band: the text above it, in reading order, is another column's);
    ``strips``: which strip each line of a strip is in."""

    text: str
    tops: set[int]
    sources: list[int]
    indents: dict[int, int]
    opens: set[int] = field(default_factory=set)
    strips: dict[int, int] = field(default_factory=dict)  # line number -> the strip it is in

    def source(self, number: int) -> int:
        """The input line of line ``number`` of the reading (the nearest line before it for a blank one)."""
        for n in range(min(number, len(self.sources)), 0, -1):
            if self.sources[n - 1]:
                return self.sources[n - 1]
        return 1


def read(text: str) -> Strips | None:
    """Layout-mode text as column strips in reading order, page after page, or None when
    the text is not in layout mode."""
    if not is_layout(text):
        return None
    blocks: list[tuple[int, list[tuple[int, str]]]] = []  # (page, block)
    block: list[tuple[int, str]] = []
    page = 0
    for number, line in enumerate(text.split("\n") + [""], start=1):
        parts = line.split("\f")  # a page ends before a form feed: its last block ends there too
        for k, part in enumerate(parts):
            if k:
                blocks += [(page, block)] if block else []
                block = []
                page += 1
            if part.strip():
                block.append((number, _writers_row(part.rstrip())))
            elif block and k == len(parts) - 1:
                blocks.append((page, block))
                block = []
    blocks += [(page, block)] if block else []
    blocks = [(page, _signed_head(_gutters_opened(block))) for page, block in blocks]
    for k, (page, block) in enumerate(blocks):  # a head row over its columns, or a block of its own over them
        after = blocks[k + 1] if k + 1 < len(blocks) and blocks[k + 1][0] == page else None
        for r in range(min(HEAD_ROWS, len(block))):  # (a story beside, right of the head, may start a row or two higher)
            above = {at for _, line in block[:r] for at, _ in _pieces(line)}  # (a column's text goes on under it)
            pieces = _pieces(block[r][1])
            if r and (len(pieces) < 2 or min(above) <= pieces[1][0] + len(pieces[1][1])):
                continue
            if len(block) > 3 or after is None:
                block[r] = (block[r][0], _head_phrases(block[r][1], [line for _, line in block[r + 1 :]], above=above))
            else:
                beneath = {at for _, line in block[r + 1 :] for at, _ in _pieces(line)}
                block[r] = (block[r][0], _head_phrases(block[r][1], [line for _, line in after[1]], beneath, above))
    cells: list[Cell] = []
    for k, (page, block) in enumerate(blocks):
        after = blocks[k + 1] if k + 1 < len(blocks) else None
        if after is not None and after[0] == page and _heads_over(block, after[1]):
            gap = [(n, "") for n in range(block[-1][0] + 1, after[1][0][0])]
            blocks[k + 1] = (page, block + gap + after[1])  # read as the tops of those columns
        else:
            cells += _block(block)
    lines = [c.text for c in cells]
    tops = {n for n, c in enumerate(cells, start=1) if c.text and c.top}
    indents = {n: c.indent for n, c in enumerate(cells, start=1) if c.text and c.indent is not None}
    opens = {n for n, c in enumerate(cells, start=1) if c.text and c.opens}
    strip = {n: c.strip for n, c in enumerate(cells, start=1) if c.text and c.strip}
    return Strips("\n".join(lines), tops, [c.source for c in cells], indents, opens, strip)
