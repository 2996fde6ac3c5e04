"""Put paragraphs cut by column breaks back together, in reading order.

A paragraph that stops mid-sentence continues in a later paragraph: usually the
next one (perhaps after a caption, a credit, a source line or a headline
printed in the gap: those *float* out of the sentence), sometimes one further
on, when a block of another story was extracted in between (that block starts
mid-sentence itself, and is moved to follow the paragraph it continues).
Quote marks must balance across the join.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from publisher.importer import lines as L

#: Lines that can sit inside a cut sentence without belonging to it.
FLOATABLE = {L.SHORT, L.CAPTION, L.CREDIT, L.SOURCE, L.FURNITURE}
#: Lines that end the search for a continuation: a new story starts there.
STOPS = {L.LABEL, L.EDNOTE, L.BYLINE, L.SPEAKER, L.MASTHEAD, L.NAMES, L.AUTHOR_UNIT, L.CONTINUED}


@dataclass
class Piece:
    """A unit of reading order: one line, or a paragraph rejoined from several."""

    lines: list[L.Line]
    floating: bool = False  # lifted out of a cut sentence

    @property
    def first(self) -> L.Line:
        return self.lines[0]

    @property
    def kind(self) -> str:
        return self.first.kind

    @property
    def label_kind(self) -> str | None:
        return self.first.label_kind

    @property
    def no(self) -> int:
        return self.first.no

    @property
    def text(self) -> str:
        out = ""
        for line in self.lines:
            if out and out[-1].isascii() and out[-1].isalnum() and line.text[0].isascii() and line.text[0].isalnum():
                out += " "
            out += line.text
        return out

    @property
    def numbers(self) -> list[int]:
        return [line.no for line in self.lines]

    @property
    def is_open(self) -> bool:
        return self.lines[-1].is_open


@dataclass
class Rejoined:
    pieces: list[Piece]
    joins: list[tuple[int, int, str]] = field(default_factory=list)  # (line a, line b, how)
    loose_ends: list[int] = field(default_factory=list)  # lines that stop mid-sentence, continuation not found


def _compatible(a: L.Line, b: L.Line) -> bool:
    """Quote marks left open at the end of ``a`` must be closed at the start of ``b``, and no others."""
    return L.quote_balance(a.text)[1] == L.quote_balance(b.text)[0]


def _is_lead(line: L.Line) -> bool:
    from publisher.importer import rules

    return bool(rules.NEWS_LEAD.match(line.text) or rules.BRIEF_LEAD.match(line.text))


def _chunk_end(items: list[L.Line], start: int) -> int:
    """Index of the paragraph that ends the displaced block starting at ``start`` (its first open paragraph)."""
    for k in range(start, len(items)):
        if items[k].kind in STOPS:
            return k - 1
        if items[k].kind == L.PARA and items[k].is_open:
            return k
    return len(items) - 1


def _find_forward(items: list[L.Line], a: int, claimed: set[int]) -> tuple[int, tuple[int, int] | None] | None:
    """(index of the continuation, displaced block range or None), or None."""
    gap_short = False
    k = a + 1
    chunk: tuple[int, int] | None = None
    while k < len(items):
        line = items[k]
        if line.kind in STOPS:
            return None
        if line.kind in FLOATABLE:
            if line.kind == L.SHORT:
                follows_credit = k + 1 < len(items) and items[k + 1].kind == L.CREDIT
                gap_short = gap_short or not follows_credit
            k += 1
            continue
        # a paragraph
        if k in claimed or _is_lead(line):
            return None
        if _compatible(items[a], line) and (not gap_short or L.starts_mid(line.text)):
            return k, chunk
        if chunk is None and L.starts_mid(line.text):
            end = _chunk_end(items, k)
            chunk = (k, end)
            gap_short = False
            k = end + 1
            continue
        return None
    return None


def rejoin(items: list[L.Line]) -> Rejoined:
    """Link every cut paragraph to its continuation and return the pieces in reading order."""
    links: dict[int, int] = {}
    claimed: set[int] = set()
    owned_chunks: dict[int, int] = {}  # chunk start -> chunk end, for blocks moved elsewhere
    joins: list[tuple[int, int, str]] = []
    for a, line in enumerate(items):
        if not line.is_open:
            continue
        found = _find_forward(items, a, claimed)
        if found:
            b, chunk = found
            links[a], claimed = b, claimed | {b}
            joins.append((line.no, items[b].no, "next" if chunk is None else "after a displaced block"))
            if chunk:
                owned_chunks.setdefault(chunk[0], chunk[1])
    # Cut paragraphs still open: their continuation starts a displaced block somewhere else.
    for a, line in enumerate(items):
        if not line.is_open or a in links:
            continue
        for b, cand in enumerate(items):
            if b == a or b in claimed or cand.kind != L.PARA or not L.starts_mid(cand.text):
                continue
            if _compatible(line, cand) and not _is_lead(cand):
                links[a], claimed = b, claimed | {b}
                joins.append((line.no, cand.no, "displaced block"))
                owned_chunks[b] = _chunk_end(items, b)
                break
    return _order(items, links, owned_chunks, joins)


def _order(items: list[L.Line], links: dict[int, int], chunks: dict[int, int], joins) -> Rejoined:
    """Walk the stream, following links; floats go right after the rejoined paragraph.

    A displaced block (``chunks``: first index -> last index) whose first paragraph
    continues another paragraph is skipped where it stands and read after that paragraph.
    """
    moved = {start: end for start, end in chunks.items() if start in links.values()}
    done: set[int] = set()
    pieces: list[Piece] = []

    def inside_moved(index: int) -> bool:
        return any(start <= index <= end for start, end in moved.items())

    def emit_from(k: int, stop: int) -> None:
        while k <= stop:
            if k in done:
                k += 1
            elif k in moved:
                k = moved[k] + 1
            else:
                emit_piece(k)
                k += 1

    def emit_piece(k: int) -> None:
        done.add(k)
        piece, floats, remainders = Piece([items[k]]), [], []
        cur = k
        while cur in links:
            nxt = links[cur]
            for g in range(cur + 1, nxt):
                if g not in done and not inside_moved(g):
                    done.add(g)
                    floats.append(Piece([items[g]], floating=True))
            piece.lines.append(items[nxt])
            done.add(nxt)
            if nxt in moved:
                remainders.append((nxt + 1, moved[nxt]))
            cur = nxt
        pieces.append(piece)
        pieces.extend(floats)
        for start, end in remainders:
            emit_from(start, end)

    emit_from(0, len(items) - 1)
    loose = [p.lines[-1].no for p in pieces if p.kind == L.PARA and p.is_open]
    return Rejoined(pieces, joins, loose)
