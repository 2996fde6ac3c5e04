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
from publisher.importer import rules

#: Lines that can sit inside a cut sentence without belonging to it.
FLOATABLE = {L.SHORT, L.CAPTION, L.CREDIT, L.SOURCE, L.FURNITURE}
#: Lines that end the search for a continuation: a new story starts there.
STOPS = {L.LABEL, L.EDNOTE, L.BYLINE, L.SPEAKER, L.MASTHEAD, L.NAMES, L.AUTHOR_UNIT, L.CONTINUED}


@dataclass
class TextPiece:
    """A unit of reading order: one line, or a paragraph rejoined from several."""

    lines: list[L.InputLine]
    floating: bool = False  # lifted out of a cut sentence

    @property
    def first(self) -> L.InputLine:
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
            if out and out[-1].isascii() and out[-1].isalnum() and line.text[:1].isascii() and line.text[:1].isalnum():
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
    pieces: list[TextPiece]
    joins: list[tuple[int, int, str]] = field(default_factory=list)  # (line a, line b, how)
    loose_ends: list[int] = field(default_factory=list)  # lines that stop mid-sentence, continuation not found


def _compatible(a: L.InputLine, b: L.InputLine) -> bool:
    """Quote marks left open at the end of ``a`` must be closed at the start of ``b``, and no others."""
    return L.quote_balance(a.text)[1] == L.quote_balance(b.text)[0]


def _is_lead(line: L.InputLine) -> bool:
    return bool(rules.NEWS_LEAD.match(line.text) or rules.BRIEF_LEAD.match(line.text))


def _opens_story(items: list[L.InputLine], k: int) -> bool:
    """A dated lead under a head line (新华社北京1月14日电 …): a new story opens; a sentence cut before
    it goes on in no paragraph past it."""
    return k > 0 and _is_lead(items[k]) and items[k - 1].kind == L.SHORT


def _block_end(items: list[L.InputLine], start: int, continuation: int) -> int:
    """Last index of the displaced block that starts at ``start`` and is followed by ``continuation``."""
    return max(k for k in range(start, continuation) if items[k].kind == L.PARA)


def _context(items: list[L.InputLine], a: int) -> set[str]:
    """Bigrams of the paragraphs leading up to ``a`` (its story so far)."""
    texts = []
    for k in range(a, max(-1, a - 8), -1):
        if items[k].kind in STOPS:
            break
        texts.append(items[k].text)
    return L.bigrams("".join(texts))


def _candidates(items: list[L.InputLine], a: int, start: int, claimed: set[int]) -> list[int]:
    """Paragraphs after the block starting at ``start`` that could continue ``items[a]``."""
    out = []
    for j in range(start + 1, len(items)):
        if items[j].kind in STOPS or _opens_story(items, j):
            break
        if items[j].kind == L.PARA and j not in claimed and _compatible(items[a], items[j]) and not _is_lead(items[j]):
            out.append(j)
    return out


def _after_open_block(items: list[L.InputLine], a: int, start: int, claimed: set[int]) -> int | None:
    """The usual case: the displaced block ends mid-sentence too; ``a`` continues right after it."""
    return next((j for j in _candidates(items, a, start, claimed) if items[_block_end(items, start, j)].is_open), None)


def _after_block(items: list[L.InputLine], a: int, start: int, claimed: set[int], owner: int | None) -> int | None:
    """Where ``items[a]`` continues past a block (from ``start``) that ends with a whole paragraph:
    at the first paragraph whose wording is no closer to the block (and to the story the block
    belongs to, ``owner``'s) than to ``a``'s story.
    """
    candidates = _candidates(items, a, start, claimed)
    story = _context(items, a)
    other = _context(items, owner) if owner is not None else set()
    for j in candidates:
        block = other | L.bigrams("".join(items[k].text for k in range(start, j) if items[k].kind == L.PARA))
        own = L.bigrams(items[j].text)
        if L.cosine(own, story) >= L.cosine(own, block):
            return j
    return None


def _next_paragraph(items: list[L.InputLine], a: int, claimed: set[int]) -> tuple[str, int] | None:
    """What follows the open paragraph ``a``: ('join', k) its continuation, ('block', k) the start
    of a displaced block of another story, or None (a new story starts)."""
    gap_short = False
    for k in range(a + 1, len(items)):
        line = items[k]
        if line.kind in STOPS:
            return None
        if line.kind in FLOATABLE:
            if line.kind == L.SHORT:
                follows_credit = k + 1 < len(items) and items[k + 1].kind == L.CREDIT
                gap_short = gap_short or not follows_credit
            continue
        if k in claimed or _is_lead(line):
            return None
        if _compatible(items[a], line) and (not gap_short or L.starts_mid(line.text)):
            return "join", k
        return ("block", k) if L.starts_mid(line.text) else None
    return None


def rejoin(items: list[L.InputLine]) -> Rejoined:
    """Link every cut paragraph to its continuation and return the pieces in reading order."""
    links: dict[int, int] = {}
    joins: list[tuple[int, int, str]] = []

    def link(a: int, b: int, how: str) -> None:
        links[a] = b
        joins.append((items[a].last, items[b].no, how))
        if how != "displaced block":
            gaps.add(a)

    gaps: set[int] = set()  # links whose lines in between float out of the sentence

    open_ends = [a for a, line in enumerate(items) if line.is_open]
    deferred: dict[int, int] = {}  # open paragraph -> start of the block between it and its continuation
    blocks: dict[int, int] = {}  # block start -> block end
    for a in open_ends:
        found = _next_paragraph(items, a, set(links.values()))
        if found and found[0] == "join":
            link(a, found[1], "next")
        elif found:
            start = found[1]
            after = _after_open_block(items, a, start, set(links.values()))
            if after is None:
                deferred[a] = start
            else:
                link(a, after, "after a displaced block")
                blocks[start] = _block_end(items, start, after)
    # An open paragraph followed by a new story continues in a block that starts mid-sentence elsewhere.
    owners: dict[int, int] = {}  # block start -> the paragraph it continues
    starts = sorted(set(deferred.values())) + list(range(len(items)))
    for a in (a for a in open_ends if a not in links and a not in deferred):
        claimed = set(links.values())
        b = next(
            (
                b
                for b in starts
                if b != a
                and b not in claimed
                and items[b].kind == L.PARA
                and L.starts_mid(items[b].text)
                and _compatible(items[a], items[b])
                and not _is_lead(items[b])
            ),
            None,
        )
        if b is not None:
            link(a, b, "displaced block")
            owners[b] = a
    for a, start in deferred.items():
        after = _after_block(items, a, start, set(links.values()), owners.get(start))
        if after is not None:
            link(a, after, "after a displaced block")
            blocks[start] = _block_end(items, start, after)
    for start, owner in owners.items():
        blocks.setdefault(start, _open_end(items, start, owner))
    return _order(items, links, gaps, blocks, joins)


def _open_end(items: list[L.InputLine], start: int, owner: int) -> int:
    """The end of a block nobody skipped over: its first open paragraph, or its last before a new
    story (or before ``owner``, the paragraph it continues)."""
    last = start
    for k in range(start, len(items)):
        if items[k].kind in STOPS or k == owner:
            break
        if items[k].kind == L.PARA:
            last = k
            if items[k].is_open:
                break
    return last


def _order(items: list[L.InputLine], links: dict[int, int], gaps: set[int], chunks: dict[int, int], joins) -> Rejoined:
    """Walk the stream, following links; floats go right after the rejoined paragraph.

    A displaced block (``chunks``: first index -> last index) whose first paragraph
    continues another paragraph is skipped where it stands and read after that paragraph.
    """
    moved = {start: end for start, end in chunks.items() if start in links.values()}
    targets = set(links.values())  # read only where the paragraph they continue is read
    done: set[int] = set()
    pieces: list[TextPiece] = []

    def inside_moved(index: int) -> bool:
        return any(start <= index <= end for start, end in moved.items())

    def emit_from(k: int, stop: int) -> None:
        while k <= stop:
            if k in done or (k in targets and k not in moved):
                k += 1
            elif k in moved:
                k = moved[k] + 1
            else:
                emit_piece(k)
                k += 1

    def emit_piece(k: int) -> None:
        done.add(k)
        piece, floats, remainders = TextPiece([items[k]]), [], []
        cur = k
        while cur in links and links[cur] not in done:
            nxt = links[cur]
            for g in range(cur + 1, nxt) if cur in gaps else ():
                if g not in done and not inside_moved(g):
                    done.add(g)
                    floats.append(TextPiece([items[g]], floating=True))
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
    for k in range(len(items)):  # never lose a line, whatever the links said
        if k not in done:
            emit_piece(k)
    loose = [p.lines[-1].last for p in pieces if p.kind == L.PARA and p.is_open]
    return Rejoined(pieces, joins, loose)
