"""Group the pieces (in reading order) into sections and articles.

The reading of a page is a sequence of *head runs* (short lines: labels,
headlines, bylines, captions) and *bodies* (paragraphs). A head run followed by
a body opens a story; one followed by nothing is a headline printed after its
story (when it carries a byline) or an orphan waiting for a story that lost its
own headline. Every choice that could have gone another way is logged as a
decision with its line numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from publisher.importer import lines as L
from publisher.importer import rules
from publisher.importer.rejoin import Piece

HEAD_KINDS = {L.SHORT, L.NAMES, L.BYLINE, L.CAPTION, L.CREDIT, L.LABEL, L.FURNITURE}
BODY_KINDS = {L.PARA, L.CONTINUED, L.AUTHOR_UNIT}


@dataclass
class Block:
    kind: str  # paragraph | subhead
    text: str
    lines: list[int]


@dataclass
class FigureDraft:
    caption: str = ""
    credit: str | None = None
    lines: list[int] = field(default_factory=list)


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
    body: list[Block] = field(default_factory=list)
    kind: str | None = None
    lead: str | None = None  # news | brief
    ended: bool = False
    jump_out: bool = False  # continued on another page: (下转第N版)
    lines: list[int] = field(default_factory=list)
    slug: str = ""

    def touch(self, numbers: list[int]) -> None:
        self.lines.extend(numbers)

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.body if b.kind == "paragraph"]


@dataclass
class Assembly:
    sections: list[SectionDraft]
    articles: list[Draft]
    furniture: list[tuple[int, str, str]]  # (line, text, why)
    issue_furniture: list[str]  # whole lines worth keeping in issue.yaml
    decisions: list[dict]


def topic_split(paras: list[str], old_head: str, new_head: str) -> int | None:
    """Where a run of paragraphs turns from the old headline's story to the new one's (index, at least 1).

    A split scores by how much more each paragraph shares (character bigrams, on average) with
    its own side than with the other, each side led by its headline, less how much the two
    paragraphs at the split share with each other (text tiling: stories change at a valley).
    """
    grams = [L.bigrams(p) for p in paras]
    old, new = L.bigrams(old_head), L.bigrams(new_head)
    best, best_score = None, float("-inf")
    for k in range(1, len(paras)):
        sides = ([old] + grams[:k], [new] + grams[k:])
        total = 0.0
        for i, g in enumerate(grams):
            own, other = sides if i < k else sides[::-1]
            mine = [x for x in own if x is not g]
            total += sum(L.cosine(g, x) for x in mine) / len(mine) - sum(L.cosine(g, x) for x in other) / len(other)
        score = total / len(grams) - L.cosine(grams[k - 1], grams[k])
        if score > best_score:
            best, best_score = k, score
    return best


def _parts(text: str) -> list[str]:
    """Split a heading at white space that is not inside quotes or brackets."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in rules.OPENERS:
            depth += 1
        elif ch in rules.CLOSERS:
            depth = max(0, depth - 1)
        if ch.isspace() and depth == 0:
            if cur:
                parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


def split_heading(text: str) -> tuple[str | None, str, str | None] | None:
    """A one-line head that holds two of kicker/headline/subtitle side by side, else None.

    '某某电厂 营造…氛围': a short name before a long headline is its kicker;
    '以一为基 勇争第一 六大核心理念之…': a couplet before a longer phrase is the headline, the rest its subtitle.
    """
    parts = _parts(text)
    if len(parts) == 2:
        a, b = parts
        if len(a) <= 10 and len(b) >= 10 and len(a) <= 0.6 * len(b) and not re.search(r"[：:，,]", a):
            return a, b, None
    if len(parts) >= 3:
        a, b, rest = parts[0], parts[1], " ".join(parts[2:])
        if len(a) == len(b) <= 8 and len(rest) >= 1.5 * len(a):
            return None, f"{a} {b}", rest
    return None


class Assembler:
    def __init__(self, pieces: list[Piece], vocabulary: rules.Vocabulary):
        self.pieces = pieces
        self.vocabulary = vocabulary
        self.sections: list[SectionDraft] = []
        self.articles: list[Draft] = []
        self.furniture: list[tuple[int, str, str]] = []
        self.issue_furniture: list[str] = []
        self.decisions: list[dict] = []
        self.cur: Draft | None = None
        self.section: SectionDraft | None = None
        self.pending_section: Piece | None = None
        self.pending_series: Piece | None = None
        self.pending_note: tuple[list[str], list[int]] | None = None
        self.pending_figures: list[FigureDraft] = []
        self.orphans: list[tuple[int, list[Piece]]] = []  # (index of the next article, head pieces)
        self.prev: Piece | None = None
        self.note_open = False  # paragraphs after a bare 编者按 line belong to the note

    # -- helpers ------------------------------------------------------------------------------
    def decide(self, kind: str, lines: list[int], chose: str, alternative: str | None = None, article: Draft | None = None) -> None:
        self.decisions.append(
            {"kind": kind, "lines": sorted(set(lines)), "chose": chose, "alternative": alternative, "article": article}
        )

    def drop(self, piece: Piece, why: str, keep: bool = True) -> None:
        """Record a piece as furniture (``keep``: also list it in issue.yaml's furniture)."""
        self.furniture.append((piece.no, piece.text, why))
        if keep:
            self.issue_furniture.append(piece.text)

    def open_section(self) -> SectionDraft:
        if self.pending_section is not None:
            label = self.pending_section
            self.pending_section = None
            section = SectionDraft(label.text, self.vocabulary.slug(label.text), label.no)
            self.sections.append(section)
            self.section = section
        elif self.section is None:
            name, slug = self.vocabulary.front_page
            self.section = SectionDraft(name, slug, None, page=1)
            self.sections.append(self.section)
        return self.section

    def new_article(self, first_line: int) -> Draft:
        draft = Draft(section=self.open_section(), first_line=first_line)
        if self.pending_series is not None:
            draft.series = self.pending_series.text
            draft.touch([self.pending_series.no])
            self.pending_series = None
        if self.pending_note is not None:
            draft.editor_note, numbers = self.pending_note
            draft.touch(numbers)
            self.pending_note = None
        if self.pending_figures:
            draft.figures.extend(self.pending_figures)
            self.pending_figures = []
        self.articles.append(draft)
        self.cur = draft
        return draft

    def set_head(self, draft: Draft, heads: list[Piece]) -> None:
        texts = [p.text for p in heads]
        numbers = [n for p in heads for n in p.numbers]
        draft.head_lines = numbers
        draft.touch(numbers)
        kicker = subtitle = None
        if len(texts) == 1:
            split = split_heading(texts[0])
            if split:
                kicker, headline, subtitle = split
                what = "kicker + headline" if kicker else "headline + subtitle"
                self.decide("headline", numbers, f"one line read as {what}", "the whole line as the headline", draft)
            else:
                headline = texts[0]
        elif len(texts) == 2:
            split = split_heading(texts[1])
            a, b = texts
            if split and split[0] is None and split[2]:
                kicker, headline, subtitle = a, split[1], split[2]
                self.decide("headline", numbers, "kicker + headline + subtitle (second line split)", "kicker + headline", draft)
            elif b.startswith(("——", "──", "—", "-")) or (re.search(r"[，！？,!?].", a) and not re.search(r"[，！？,!?]", b)):
                headline, subtitle = a, b
                self.decide("headline", numbers, "headline + subtitle", "kicker + headline", draft)
            else:
                kicker, headline = a, b
                self.decide("headline", numbers, "kicker + headline", "headline + subtitle", draft)
        else:
            kicker, headline, subtitle = " ".join(texts[:-2]), texts[-2], texts[-1]
            self.decide("headline", numbers, "kicker + headline + subtitle", None, draft)
        draft.kicker, draft.headline, draft.subtitle = kicker, headline, subtitle

    def add_byline(self, draft: Draft, piece: Piece, head: bool) -> None:
        data = piece.first.data
        draft.touch(piece.numbers)
        if draft.byline is not None:
            self.drop(piece, "a second byline", keep=False)
            self.decide("byline", piece.numbers, "kept the first byline; this one is listed as furniture", None, draft)
            return
        draft.byline = piece.text
        draft.head_byline = head
        if piece.kind == L.SPEAKER:
            draft.authors = [(data["name"], data["role"])]
        elif piece.kind == L.NAMES:
            draft.authors = [(n, None) for n in data["names"]]
        else:
            draft.authors = list(data["authors"])

    def add_figure(self, draft: Draft | None, piece: Piece) -> None:
        data = piece.first.data
        if piece.kind == L.CAPTION:
            if "mark" in data:
                self.furniture.append((piece.no, data["mark"], "caption marker"))
            figure = FigureDraft(data["caption"], data.get("credit"), piece.numbers)
        elif piece.kind == L.CREDIT:
            target = draft.figures[-1] if draft and draft.figures and draft.figures[-1].credit is None else None
            if target is not None:
                target.credit = piece.text
                target.lines.extend(piece.numbers)
                draft.touch(piece.numbers)
                return
            figure = FigureDraft("", piece.text, piece.numbers)
        else:  # a floating short line: a chart title or pull quote
            figure = FigureDraft(piece.text, None, piece.numbers)
        if draft is None:
            self.pending_figures.append(figure)
        else:
            draft.figures.append(figure)
            draft.touch(piece.numbers)

    def add_paragraph(self, draft: Draft, piece: Piece) -> None:
        text = piece.text
        draft.touch(piece.numbers)
        if (jump := rules.JUMP_OUT.search(text)) and jump.start() > 0:
            self.furniture.append((piece.lines[-1].no, jump.group(0), "jump line"))
            text = text[: jump.start()].rstrip()
            draft.jump_out, draft.ended = True, True
        if not draft.body and draft.lead is None:
            if lead := rules.NEWS_LEAD.match(text):
                draft.lead = "news"
                byline = lead.group(1).strip()
                inner = re.search(r"[（(]([^（()）]*)[）)]", byline)
                if draft.byline is None:
                    draft.byline = byline
                    draft.authors = rules.bracket_authors(inner.group(1)) if inner else []
                else:
                    self.furniture.append((piece.no, byline, "a second byline"))
                text = text[lead.end():]
            elif rules.BRIEF_LEAD.match(text):
                draft.lead = "brief"
        if (trailing := rules.TRAILING_NAMES.search(text)) and (names := rules.role_names(trailing.group(1))):
            if not draft.authors:
                draft.authors = names
            draft.ended = True
        if text.strip():
            draft.body.append(Block("paragraph", text.strip(), piece.numbers))

    # -- the walk -----------------------------------------------------------------------------
    def run(self) -> Assembly:
        pieces = self.pieces
        i = 0
        while i < len(pieces):
            piece = pieces[i]
            if piece.floating:
                self.floating(piece, pieces[i + 1] if i + 1 < len(pieces) else None)
                i += 1
            elif piece.kind in HEAD_KINDS:
                j = i
                while j < len(pieces) and pieces[j].kind in HEAD_KINDS and not pieces[j].floating:
                    j += 1
                self.head_run(pieces[i:j], pieces[j] if j < len(pieces) else None)
                i = j
            else:
                self.body_piece(piece, pieces, i)
                i += 1
            self.prev = pieces[i - 1]
        self.finish()
        return Assembly(self.sections, self.articles, self.furniture, self.issue_furniture, self.decisions)

    def floating(self, piece: Piece, nxt: Piece | None) -> None:
        cur = self.cur
        if piece.kind == L.SHORT:
            if cur is not None and cur.headline is None:
                self.set_head(cur, [piece])
                self.decide("headline", piece.numbers, "headline printed inside its story's text (in a column gap)", None, cur)
                return
            if nxt is not None and nxt.floating and nxt.kind == L.CREDIT:
                self.add_figure(cur, piece)
                return
            self.add_figure(cur, piece)
            self.decide("float", piece.numbers, "short line inside a cut sentence kept as a figure caption", "a pull quote", cur)
        elif piece.kind in (L.CAPTION, L.CREDIT):
            self.add_figure(cur, piece)
        elif piece.kind == L.SOURCE and cur is not None and cur.source is None:
            cur.source = piece.text
            cur.touch(piece.numbers)
        else:
            self.drop(piece, "page furniture inside a cut sentence")

    def body_piece(self, piece: Piece, pieces: list[Piece], i: int) -> None:
        cur = self.cur
        kind = piece.kind
        if kind == L.MASTHEAD:
            return
        if kind == L.EDNOTE:
            self.editor_note(piece, pieces, i)
            return
        if kind == L.SOURCE:
            if cur is not None and cur.source is None:
                cur.source = piece.text
                cur.touch(piece.numbers)
                cur.ended = True
            else:
                self.drop(piece, "a source line with no story to belong to")
            return
        if kind == L.SPEAKER:
            if cur is not None and cur.body:
                self.add_byline(cur, piece, head=False)
                cur.kind = cur.kind or "speech"
                cur.ended = True
                self.decide("byline", piece.numbers, "signature line after the text: the speaker's byline", None, cur)
            else:
                self.add_paragraph(self.cur or self.new_article(piece.no), piece)
            return
        if kind == L.CONTINUED and piece.first.data.get("jump"):
            self.jump(piece, piece.first.data["jump"], piece.text)
            return
        if kind == L.PARA and (jump_in := rules.JUMP_IN.match(piece.text)):
            self.jump(piece, "in", jump_in.group(0))
            piece = Piece([L.Line(piece.no, piece.text[jump_in.end():].strip(), L.PARA)] + piece.lines[1:])
            cur = self.cur
            if cur is not None and not cur.ended:
                self.add_paragraph(cur, piece)
                return
        if self.pending_note is not None and self.note_open and kind == L.PARA:
            self.pending_note[0].append(piece.text)
            self.pending_note[1].extend(piece.numbers)
            return
        is_lead = bool(rules.NEWS_LEAD.match(piece.text) or rules.BRIEF_LEAD.match(piece.text))
        if cur is None or cur.ended or (is_lead and cur.body):
            cur = self.new_article(piece.no)
        self.add_paragraph(cur, piece)
        if kind == L.AUTHOR_UNIT:
            cur.ended = True
            cur.kind = cur.kind or "essay"

    def jump(self, piece: Piece, way: str, marker: str) -> None:
        """(下转第N版) closes a story for now; (上接第N版) takes it up again, after its repeated headline."""
        self.furniture.append((piece.no, marker, "jump line"))
        cur = self.cur
        if way == "out":
            if cur is not None:
                cur.jump_out, cur.ended = True, True
            return
        target = next((a for a in reversed(self.articles) if a.jump_out), None)
        if target is None:
            self.decide("jump", piece.numbers, "continued from another page, but the start was not found", None, cur)
            return
        if cur is not None and cur is not target and not cur.body and cur.headline is not None:
            self.articles.remove(cur)
            for text in (cur.kicker, cur.headline, cur.subtitle, cur.byline):
                if text:
                    self.furniture.append((cur.head_lines[0], text, "repeated headline of a continued story"))
            target.figures.extend(cur.figures)
            target.touch(cur.lines)
        target.jump_out, target.ended = False, False
        self.cur = target
        self.decide("jump", [*target.head_lines[:1], piece.no], "story continued from another page joined to its start", None, target)

    def editor_note(self, piece: Piece, pieces: list[Piece], i: int) -> None:
        rest = piece.first.data.get("rest", "")
        self.furniture.append((piece.no, piece.first.data["label"], "editor's note label"))
        cur = self.cur
        if cur is not None and cur.headline and not cur.body and not cur.editor_note:
            # printed under a headline: the note is this line's text, or the next paragraph
            if rest:
                cur.editor_note = [rest]
            elif i + 1 < len(pieces) and pieces[i + 1].kind == L.PARA:
                nxt = pieces.pop(i + 1)
                cur.editor_note = [nxt.text]
                cur.touch(nxt.numbers)
                self.decide("editor-note", nxt.numbers, "one paragraph after 编者按 is the note", "more paragraphs", cur)
            cur.touch(piece.numbers)
            return
        if cur is not None:
            cur.ended = True
        self.pending_note = ([rest] if rest else [], list(piece.numbers))
        self.note_open = not rest

    def place_note(self) -> None:
        """A note standing after a section's stories that names the section or a column introduces that story."""
        texts, numbers = self.pending_note
        note = "".join(texts)
        names = {a.series for a in self.articles if a.section is self.section and a.series}
        if self.section is not None and self.section.line is not None:
            names.add(self.section.name)
        target = next(
            (a for a in self.articles if a.section is self.section and not a.editor_note and ((a.series in names and a.series in note) or (self.section.name in names and self.section.name in note))),
            None,
        )
        if target is not None and any(name in note for name in names):
            target.editor_note = texts
            target.touch(numbers)
            self.pending_note = None
            self.decide("editor-note", numbers, "editor's note placed with the story whose section/column it names", "the next story's note", target)

    # -- head runs ----------------------------------------------------------------------------
    def head_run(self, run: list[Piece], nxt: Piece | None) -> None:
        """Split a run of short lines at its labels and read each segment."""
        if self.note_open:
            self.place_note()
        self.note_open = False
        items: list[Piece | list[Piece]] = []
        segment: list[Piece] = []
        for k, piece in enumerate(run):
            if piece.kind in (L.LABEL, L.FURNITURE):  # page furniture marks a page break: it splits too
                if segment:
                    items.append(segment)
                    segment = []
                items.append(piece)
                continue
            signed = any(p.kind in (L.BYLINE, L.NAMES) for p in segment[1:])
            next_signs = k + 1 < len(run) and run[k + 1].kind in (L.BYLINE, L.NAMES)
            if piece.kind == L.SHORT and signed and next_signs:  # a new headline + byline after a signed one
                items.append(segment)
                segment = []
            segment.append(piece)
        if segment:
            items.append(segment)
        # Photos extracted just before a section label (same page: no furniture between) are on its page.
        for k in range(len(items) - 1):
            item, following = items[k], items[k + 1]
            if isinstance(item, list) and _only_figures(item) and isinstance(following, Piece) and following.label_kind == "section":
                items[k], items[k + 1] = following, item
        body_follows = nxt is not None and (nxt.kind in BODY_KINDS or nxt.kind == L.EDNOTE)
        for k, item in enumerate(items):
            last = k == len(items) - 1
            if isinstance(item, Piece) and item.kind == L.FURNITURE:
                self.drop(item, "page furniture")
            elif isinstance(item, Piece):
                self.label(item, items[k + 1] if not last else None, nxt, items[k - 1] if k else None)
            else:
                before = items[k - 1] if k else self.prev
                self.segment(item, last and body_follows, before, nxt, items[k + 1] if not last else None)

    def label(self, piece: Piece, following, nxt: Piece | None, before) -> None:
        if piece.label_kind == "section":
            if self.pending_section is not None:
                self.drop(self.pending_section, "a section label with no story under it")
            if self.pending_series is not None:
                self.drop(self.pending_series, "a column label with no story under it")
                self.pending_series = None
            self.pending_section = piece
            return
        cur = self.cur
        leads_to_news = isinstance(following, list) and nxt is not None and bool(rules.NEWS_LEAD.match(nxt.text))
        previous = before[-1] if isinstance(before, list) else before if before is not None else self.prev
        after_signature = previous is not None and cur is not None and previous.text == cur.byline
        if cur is not None and cur.series is None and cur.body and (after_signature or leads_to_news):
            cur.series = piece.text
            cur.touch(piece.numbers)
            self.decide("series", piece.numbers, "column label printed after its story", "the next story's column", cur)
            return
        if self.pending_series is not None:
            self.drop(self.pending_series, "a column label with no story under it")
        self.pending_series = piece

    def segment(self, seg: list[Piece], bodied: bool, before, nxt: Piece | None, following) -> None:
        """Read one segment of a head run (no labels inside); ``before`` is the label or piece before it."""
        labels_before = isinstance(before, Piece) and before.kind == L.LABEL
        heads: list[Piece] = []
        bylines: list[Piece] = []
        figures: list[Piece] = []
        verse: list[Piece] = []  # short lines under a byline: a poem's lines
        for k, piece in enumerate(seg):
            under_headline = k > 0 and seg[k - 1].kind == L.SHORT and not bylines
            if piece.kind == L.BYLINE or (piece.kind == L.NAMES and under_headline):
                bylines.append(piece)
            elif piece.kind in (L.CAPTION, L.CREDIT):
                figures.append(piece)
            elif bylines and heads:
                verse.append(piece)
            else:
                heads.append(piece)  # SHORT, or a names line under no headline
        cur = self.cur
        bodied = bodied or bool(verse)
        if len(heads) > 3 and not bylines and bodied:
            keep = 0 if cur is not None and not cur.ended else 1
            heads, verse = heads[:keep], heads[keep:]
            self.decide("verse", [n for p in verse for n in p.numbers], "a run of short lines read as lines of text (verse)", "headlines", cur)
            if not heads:
                for piece in verse:
                    self.add_paragraph(cur, piece)
                for piece in figures:
                    self.add_figure(cur, piece)
                return
        if not heads:
            if bylines:
                target = cur if cur is not None and cur.body and cur.byline is None else None
                for piece in bylines:
                    if target is not None:
                        self.add_byline(target, piece, head=False)
                        target.ended = True
                        self.decide("byline", piece.numbers, "byline printed after the text", None, target)
                    else:
                        self.drop(piece, "a byline with no story to belong to")
            self.figures_only(figures, bodied)
            return
        if not bodied:
            self.bodyless(heads, bylines, figures, following, isinstance(before, Piece) and before.kind == L.SOURCE)
            return
        next_is_lead = nxt is not None and bool(rules.NEWS_LEAD.match(nxt.text) or rules.BRIEF_LEAD.match(nxt.text))
        new = (
            cur is None
            or cur.ended
            or bool(bylines)
            or len(heads) >= 2
            or labels_before
            or self.pending_note is not None
            or next_is_lead
            or (cur.headline is not None and not cur.body)
        )
        if not new:
            block = heads[0]
            cur.body.append(Block("subhead", block.text, block.numbers))
            cur.touch(block.numbers)
            for piece in figures:
                self.add_figure(cur, piece)
            return
        draft = self.new_article(heads[0].no)
        self.set_head(draft, heads)
        for piece in bylines:
            self.add_byline(draft, piece, head=True)
        for piece in figures:
            self.add_figure(draft, piece)
        if verse:
            draft.kind = "essay"
            self.decide("verse", [n for p in verse for n in p.numbers], "short lines under the byline read as lines of verse", "headlines", draft)
        for piece in verse:
            self.add_paragraph(draft, piece)

    def figures_only(self, figures: list[Piece], bodied: bool) -> None:
        """Captions in a run of their own: the open story's figures, photo stories, or the next story's."""
        cur = self.cur
        for piece in figures:
            if (piece.kind == L.CREDIT and cur is not None) or (cur is not None and not cur.ended and cur.body):
                self.add_figure(cur, piece)
            elif piece.kind == L.CAPTION and not bodied:
                self.photo(piece)
            else:
                self.add_figure(None, piece)

    def photo(self, piece: Piece) -> None:
        """A captioned photo standing on its own: a photo story whose headline is the caption."""
        data = piece.first.data
        draft = self.new_article(piece.no)
        draft.headline = data["caption"]
        draft.head_lines = piece.numbers
        draft.kind = "photo"
        draft.ended = True
        draft.touch(piece.numbers)
        if "mark" in data:
            self.furniture.append((piece.no, data["mark"], "caption marker"))
        draft.figures.append(FigureDraft("", data.get("credit"), piece.numbers))
        self.decide("orphan-caption", piece.numbers, "a caption outside any story became a photo story", "a figure of the story before", draft)

    def bodyless(self, heads: list[Piece], bylines: list[Piece], figures: list[Piece], following, after_source: bool) -> None:
        cur = self.cur
        numbers = [n for p in heads + bylines for n in p.numbers]
        if cur is not None and cur.body and (bylines or after_source):
            target = self.headline_after_body(cur, heads)
            for piece in bylines:
                self.add_byline(target, piece, head=True)
            for piece in figures:
                self.add_figure(target, piece)
            target.ended = True
            return
        text = heads[0].text
        if (
            len(heads) == 1
            and not bylines
            and isinstance(following, Piece)
            and re.fullmatch(f"{rules.HAN}{{2,6}}", text)
        ):
            heads[0].first.label_kind = "section"
            self.pending_section = heads[0]
            self.decide("label", numbers, "short line above a label read as a section label", "a kicker", None)
            return
        if self.orphans and self.orphans[-1][0] == len(self.articles):
            self.orphans[-1][1].extend(heads + bylines)
        else:
            self.orphans.append((len(self.articles), heads + bylines))
        for piece in figures:
            self.add_figure(cur, piece)

    def headline_after_body(self, cur: Draft, heads: list[Piece], at: int | None = None) -> Draft:
        """The head printed after its story: split the story before it where the topic changes.

        The new story goes at the end (``at`` None: during the walk, it becomes the current
        story) or at index ``at`` of the articles (after the walk).
        """
        numbers = [n for p in heads for n in p.numbers]
        if cur.headline is None:
            self.set_head(cur, heads)
            self.decide("headline", numbers, "headline printed after its story", None, cur)
            return cur
        paras = cur.body
        new_head = " ".join(p.text for p in heads)
        old_head = " ".join(x for x in (cur.kicker, cur.headline, cur.subtitle) if x)
        best = topic_split([b.text for b in paras], old_head, new_head)
        draft = Draft(section=cur.section, first_line=paras[best].lines[0] if best is not None else heads[0].no)
        if at is None:
            self.articles.append(draft)
            self.cur = draft
        else:
            self.articles.insert(at, draft)
        self.set_head(draft, heads)
        if best is None:
            self.decide("headline-after-body", numbers, "headline with no text of its own (story not found)", None, draft)
            return draft
        moved = paras[best:]
        cur.body = paras[:best]
        draft.body = moved
        draft.touch([n for b in moved for n in b.lines])
        if cur.source is not None:
            draft.source, cur.source = cur.source, None
        cur.lines = [n for n in cur.lines if n not in set(draft.lines)]
        self.decide(
            "headline-after-body",
            numbers + [moved[0].lines[0]],
            f"headline printed after its story; the story starts at line {moved[0].lines[0]}",
            f"the story starts elsewhere in lines {paras[0].lines[0]}–{moved[-1].lines[-1]}",
            draft,
        )
        return draft

    # -- after the walk -----------------------------------------------------------------------
    def finish(self) -> None:
        if self.pending_section is not None:
            self.drop(self.pending_section, "a section label with no story under it")
        if self.pending_series is not None:
            self.drop(self.pending_series, "a column label with no story under it")
        if self.pending_note is not None:
            words, numbers = self.pending_note
            for text in words:
                self.furniture.append((numbers[0], text, "an editor's note with no story under it"))
        for figure in self.pending_figures:
            for no in figure.lines[:1]:
                self.furniture.append((no, " ".join(x for x in (figure.caption, figure.credit) if x), "a caption with no story"))
        self.adopt_orphans()
        for draft in self.articles:
            self.rejoin_short_lines(draft)
            if draft.headline is None:
                self.find_headline(draft)
            draft.kind = draft.kind or infer_kind(draft)

    def adopt_orphans(self) -> None:
        for index, heads in self.orphans:
            numbers = [n for p in heads for n in p.numbers]
            target = next((a for a in self.articles[index:] if _lost_its_headline(a)), None)
            before = self.articles[index - 1] if index else None
            if target is None and before is not None and len(before.paragraphs) >= 2:
                draft = self.headline_after_body(before, [p for p in heads if p.kind != L.BYLINE], at=index)
                for piece in (p for p in heads if p.kind == L.BYLINE):
                    self.add_byline(draft, piece, head=True)
                self.decide("orphan-headline", numbers, "a headline with no story of its own: read as printed after its story", "a headline with no story", None)
                continue
            if target is None:
                for piece in heads:
                    self.drop(piece, "a headline with no story")
                self.decide("orphan-headline", numbers, "a headline with no story: listed as furniture", None, None)
                continue
            old = target.headline
            if old is not None:
                target.body.insert(0, Block("subhead", old, list(target.head_lines)))
            self.set_head(target, [p for p in heads if p.kind != L.BYLINE])
            for piece in (p for p in heads if p.kind == L.BYLINE):
                self.add_byline(target, piece, head=True)
            self.decide(
                "orphan-headline",
                numbers + target.body[0].lines,
                "a headline printed away from its story; the story's first line becomes a subhead",
                f"'{old}' as the headline",
                target,
            )

    def rejoin_short_lines(self, draft: Draft) -> None:
        """Merge 'subheads' that break the pattern of their siblings into the paragraph they begin."""
        subheads = [b for b in draft.body if b.kind == "subhead"]
        if len(subheads) < 3:
            return
        counts: dict[str, int] = {}
        for block in subheads:
            for mark in rules.structural_marks(block.text):
                counts[mark] = counts.get(mark, 0) + 1
        mark, count = max(counts.items(), key=lambda kv: kv[1], default=(None, 0))
        if mark is None or count < 2 or count * 2 < len(subheads):
            return
        body: list[Block] = []
        skip = False
        for k, block in enumerate(draft.body):
            if skip:
                skip = False
                continue
            nxt = draft.body[k + 1] if k + 1 < len(draft.body) else None
            if block.kind == "subhead" and mark not in rules.structural_marks(block.text) and nxt and nxt.kind == "paragraph":
                body.append(Block("paragraph", block.text + nxt.text, block.lines + nxt.lines))
                self.decide("rejoin", block.lines + nxt.lines[:1], "short line unlike the story's subheads: start of the next paragraph", "a subhead", draft)
                skip = True
            else:
                body.append(block)
        draft.body = body

    def find_headline(self, draft: Draft) -> None:
        first = next((b for b in draft.body if b.kind == "subhead"), None)
        if first is not None:
            draft.body.remove(first)
            draft.headline = first.text
            draft.head_lines = first.lines
            self.decide("headline", first.lines, "story without a headline: its first subhead is used", None, draft)
            return
        lead = draft.paragraphs[0] if draft.paragraphs else None
        if lead is not None:
            sentence = re.split(r"(?<=[。！？])", lead.text, maxsplit=1)[0]
            draft.headline = sentence[:40]
            draft.head_lines = lead.lines[:1]
            self.decide("no-headline", lead.lines[:1], "no headline found: the first sentence stands in (edit it)", None, draft)


def _only_figures(seg: list[Piece]) -> bool:
    return all(p.kind in (L.CAPTION, L.CREDIT) for p in seg)


def _lost_its_headline(draft: Draft) -> bool:
    """A story whose 'headline' has the form of its own subheads: it is really the first subhead."""
    if draft.headline is None:
        return True
    if draft.head_byline or draft.kicker or draft.subtitle or draft.lead or len(draft.head_lines) != 1:
        return False
    marks = rules.structural_marks(draft.headline)
    return bool(marks) and any(b.kind == "subhead" and marks & rules.structural_marks(b.text) for b in draft.body)


def infer_kind(draft: Draft) -> str:
    head = " ".join(x for x in (draft.series, draft.headline, draft.byline) if x)
    if re.search(r"评论员|时评|短评|述评|社论|评论", head):
        return "commentary"
    if draft.lead == "brief":
        return "brief"
    if draft.lead == "news":
        return "news"
    if re.search(r"讲话|致辞|发言", draft.headline or ""):
        return "speech"
    if re.search(r"照片|图片|影像|摄影", draft.series or ""):
        return "photo"
    if re.search(r"访谈|专访|对话", head):
        return "interview"
    if re.search(r"公告|通知|启事|声明", draft.headline or ""):
        return "notice"
    if draft.source:
        return "news"
    return "feature"
