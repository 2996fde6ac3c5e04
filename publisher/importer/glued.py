"""Default-mode pdftotext text whose columns came out on one line: the lines of a story's columns side by side.

A gutter of about one character's width reads to pdftotext as a word space, so it prints each row of a
story's columns as one line, the columns' lines joined by a space (…国家发展 升企业核心竞争力…), and
where a column's line ends short or is set in (a paragraph's end or start) the gap is wider and the
row comes out as two lines, left then right. Here each block of such rows is cut back into its columns
and printed column after column, as pdftotext prints a page whose gutters are wider; a line of the text
keeps the number of the input line it came from. A column's lines all fill its measure but the last of
a paragraph, so the cut is the space where the line's text so far fills the measure most of the block's
lines share; text with no such block is left alone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from publisher.importer import rules
from publisher.importer.columns import COLUMN_MAX, INDENT, width

#: A block is cut into columns when at least this many of its lines, and this share of its lines wider
#: than its measure, hold a line of each of two columns or more.
MIN_ROWS = 3
SHARE = 0.5
#: Columns are this wide (em) at least (at most COLUMN_MAX), and a cut falls within this much of the measure (a
#: space may be a Latin word's or CJK's set off from Latin, punctuation may be set half wide or hang).
MIN_MEASURE = 8
SLACK = 2.5
#: A line more of whose characters than this are spaces is type spaced out, not columns (the spaces an engine sets
#: between CJK and digits aside).
LOOSE = 0.15
#: A space between a digit and a CJK character, either way round.
SET_OFF = re.compile(r"(?<=\d) (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) (?=\d)")
#: A vertical head prints at least this many characters, each a line of its own.
VERTICAL = 3
#: A piece ending a sentence (closing quotes and brackets aside) is a paragraph's last line, no fragment.
ENDS = tuple(rules.SENTENCE_END + "：:")


@dataclass
class Unglued:
    """The text in reading order, and where each of its lines stands in the input (for the report)."""

    text: str
    #: The input line each line of ``text`` came from (1-based).
    sources: list[int]

    def source(self, number: int) -> int:
        return self.sources[number - 1] if 0 < number <= len(self.sources) else number


def _cuts(line: str) -> list[tuple[float, int]]:
    """Each space between two printed characters: the width of the text before it, and its position (none in
    a line spaced out character by character, as pdftotext prints type set loose)."""
    out: list[tuple[float, int]] = []
    set_off = set_off_spaces(line)
    if line.count(" ") - len(set_off) > LOOSE * len(line):
        return out
    for i, ch in enumerate(line):
        if ch == " " and 0 < i < len(line) - 1 and line[i - 1] != " " and line[i + 1] != " " and i not in set_off:
            out.append((width(line[:i]), i))
    return out


def without_set_off(line: str) -> str:
    """``line`` without the spaces an engine sets between CJK and digits (新华社北京 1 月 6 日电 reads as a dateline)."""
    spaces = set_off_spaces(line)
    return "".join(ch for k, ch in enumerate(line) if k not in spaces)


def set_off_spaces(line: str) -> set[int]:
    """Where ``line`` holds the spaces an engine sets between CJK and digits (4 月 15 日), when it sets two at least:
    such spaces part no columns (a single one may be a gutter: 超30 把…)."""
    found = {m.start() for m in SET_OFF.finditer(line)}
    return found if len(found) >= 2 else set()


def _split(line: str, measure: float) -> list[str]:
    """``line`` cut into column lines wherever its text so far fills ``measure`` (each column as wide), or the
    measure but a paragraph's indent (its first line: pdftotext prints no indent)."""
    parts, whole = [], line
    while width(line) > measure + SLACK:
        cuts = _cuts(line)
        near = [(abs(w - measure), i) for w, i in cuts if measure - INDENT - SLACK <= w <= measure + SLACK]
        if not near:
            return [whole]  # (a paragraph printed on one line: no column is that wide)
        cut = min(near)[1]
        parts.append(line[:cut])
        line = line[cut + 1 :]
    return [*parts, line]


def _fragments_joined(parts: list[tuple[int, str]], measure: float) -> list[tuple[int, str]]:
    """Column lines with the pieces pdftotext parts a line into at a pair of quotes (…示范企业” | “国家…) put
    back: a piece short of the measure that ends or starts at a quote, when the next one fills it up and it ends
    no sentence."""
    out: list[tuple[int, str]] = []
    for n, text in parts:
        if out:
            before = out[-1][1]
            short = width(before) < measure - SLACK
            at_quotes = before.endswith("”") or text.startswith("“")
            if (
                short
                and at_quotes
                and abs(width(before) + width(text) - measure) <= SLACK
                and not before.rstrip(rules.CLOSERS).endswith(ENDS)
            ):
                out[-1] = (out[-1][0], before + text)
                continue
        out.append((n, text))
    return out


def _measure(lines: list[str]) -> float | None:
    """The width most of a block's spaces fall at: its columns' measure, if its lines hold columns side by side."""
    votes: Counter[float] = Counter()
    for line in lines:
        total = width(line)
        for w, _ in _cuts(line):
            if MIN_MEASURE <= w <= COLUMN_MAX and total - w >= 4:
                votes[round(w * 2) / 2] += 1
    if not votes:
        return None
    return max(votes, key=lambda m: (sum(n for w, n in votes.items() if abs(w - m) <= SLACK / 2), m))


def cut(texts: list[str]) -> tuple[float, list[list[str]]] | None:
    """The measure of a block's lines and each line cut into the lines of its columns, when enough of them
    hold columns side by side (else None)."""
    measure = _measure(texts)
    if measure is None:
        return None
    parts = [_split(t, measure) for t in texts]
    glued = sum(len(p) > 1 for p in parts)
    if glued < MIN_ROWS or glued < SHARE * sum(width(t) > measure + SLACK for t in texts):
        return None
    return measure, parts


def _block(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A block's lines, column after column, when its rows hold columns side by side."""
    found = cut([t for _, t in lines])
    if found is None:
        return lines
    measure, parts = found
    split = [(n, p) for (n, _), p in zip(lines, parts, strict=True)]
    columns = max(len(parts) for _, parts in split)
    first = next(k for k, (_, parts) in enumerate(split) if len(parts) > 1)
    for _ in range(columns - len(split[first][1])):  # the first row's first lines, each alone (a paragraph's first)
        if first and width(lines[first - 1][1]) <= measure + SLACK:
            first -= 1
    last = max(k for k, (_, parts) in enumerate(split) if len(parts) > 1)
    upright = [(n, t) for n, t in lines[first:] if len(t.strip()) == 1]  # a vertical head's characters, a line each
    upright = upright if len(upright) >= VERTICAL else []
    rows = [(n, part) for n, parts in split[first : last + 1] for part in parts if (n, part) not in upright]
    out: list[list[tuple[int, str]]] = [[] for _ in range(columns)]
    for k, item in enumerate(_fragments_joined(rows, measure)):  # row after row, a line of every column each
        out[k % columns].append(item)
    out[0] += [item for item in lines[last + 1 :] if item not in upright]  # (under the last row: the longest column's)
    above = lines[:first] + upright  # (the heads over the columns; a vertical one beside them, read as it stands)
    blank = (lines[first][0], "")  # between the heads and each column, as pdftotext parts blocks
    return [item for part in [above, *out] if part for item in [*part, blank]][:-1]


def read(text: str) -> Unglued | None:
    """``text`` with every block of columns printed side by side cut back into its columns, or None when it
    has none."""
    rows = text.split("\n")
    out: list[tuple[int, str]] = []
    block: list[tuple[int, str]] = []
    changed = False
    for number, line in enumerate([*rows, ""], start=1):
        if line.strip() and "\f" not in line:
            block.append((number, line))
            continue
        read_block = _block(block) if len(block) >= MIN_ROWS else block
        changed = changed or read_block != block
        out += read_block
        block = []
        if number <= len(rows):
            out.append((number, line))
    if not changed:
        return None
    return Unglued("\n".join(t for _, t in out), [n for n, _ in out])
