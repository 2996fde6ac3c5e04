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

from publisher.importer import lines as L
from publisher.importer import rules
from publisher.importer.drafts import Assembly, Draft, DraftBlock, FigureDraft, SectionDraft
from publisher.importer.finish import AfterWalk
from publisher.importer.heads import only_figures, read_head
from publisher.importer.rejoin import TextPiece

HEAD_KINDS = {L.SHORT, L.NAMES, L.BYLINE, L.CAPTION, L.CREDIT, L.LABEL, L.FURNITURE}
BODY_KINDS = {L.PARA, L.CONTINUED, L.AUTHOR_UNIT}
# a bracketed column tag that ends a headline: （今日谈）, （一线见闻）; wrapped onto a line of its own it is
# still the head's end, never a head of its own
COLUMN_TAG = re.compile(r"^[（(][^（()）]{2,16}[）)]$")


class Assembler(AfterWalk):
    def __init__(self, pieces: list[TextPiece], vocabulary: rules.Vocabulary):
        self.pieces = pieces
        self.vocabulary = vocabulary
        self.sections: list[SectionDraft] = []
        self.articles: list[Draft] = []
        self.furniture: list[tuple[int, str, str]] = []
        self.issue_furniture: list[str] = []
        self.decisions: list[dict] = []
        self.synthesized: list[tuple[Draft, str, str]] = []
        self.cur: Draft | None = None
        self.section: SectionDraft | None = None
        self.pending_section: TextPiece | None = None
        self.pending_series: TextPiece | None = None
        self.pending_note: tuple[list[str], list[int]] | None = None
        self.pending_figures: list[FigureDraft] = []
        self.after_run = 0  # the index of the piece after the run of heads being read
        self.orphans: list[tuple[int, list[TextPiece]]] = []  # (index of the next article, head pieces)
        self.prev: TextPiece | None = None
        self.note_open = False  # paragraphs after a bare 编者按 line belong to the note

    # -- helpers ------------------------------------------------------------------------------
    def decide(
        self, kind: str, lines: list[int], chose: str, alternative: str | None = None, article: Draft | None = None
    ) -> None:
        self.decisions.append(
            {"kind": kind, "lines": sorted(set(lines)), "chose": chose, "alternative": alternative, "article": article}
        )

    def drop(self, piece: TextPiece, why: str, keep: bool = True) -> None:
        """Record a piece as furniture (``keep``: also list it in issue.yaml's furniture)."""
        self.furniture.append((piece.no, piece.text, why))
        if keep:
            self.issue_furniture.append(piece.text)

    def label_name(self, piece: TextPiece) -> str:
        """The label's name; what was printed around it ('【】', a page number) goes to the furniture."""
        data = piece.first.data
        if data.get("extra"):
            self.furniture.append((piece.no, data["extra"], "label decoration"))
        return data.get("name", piece.text)

    def open_section(self) -> SectionDraft:
        if self.pending_section is not None:
            label = self.pending_section
            self.pending_section = None
            name = self.label_name(label)
            section = SectionDraft(name, self.vocabulary.slug(name), label.no, label.first.data.get("page"))
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
            draft.series = self.label_name(self.pending_series)
            draft.touch([self.pending_series.no])
            self.pending_series = None
        if self.pending_note is not None:
            draft.editor_note, numbers = self.pending_note
            draft.touch(numbers)
            self.pending_note = None
            self.note_open = False
        if self.pending_figures:
            draft.figures.extend(self.pending_figures)
            self.pending_figures = []
        self.articles.append(draft)
        self.cur = draft
        return draft

    def set_head(self, draft: Draft, heads: list[TextPiece]) -> None:
        numbers = [n for p in heads for n in p.numbers]
        draft.head_lines = numbers
        draft.touch(numbers)
        draft.kicker, draft.headline, draft.subtitle, chose, alternative = read_head([p.text for p in heads])
        if chose:
            self.decide("headline", numbers, chose, alternative, draft)

    def add_byline(self, draft: Draft, piece: TextPiece, head: bool) -> None:
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

    def add_figure(self, draft: Draft | None, piece: TextPiece) -> None:
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
                assert draft is not None  # target is one of draft's figures
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

    def add_paragraph(self, draft: Draft, piece: TextPiece) -> None:
        names: re.Match[str] | list[tuple[str, str | None]] | None  # a names line, then the trailing names
        text = piece.text
        draft.touch(piece.numbers)
        if (jump := rules.JUMP_OUT.search(text)) and jump.start() > 0:
            self.furniture.append((piece.lines[-1].last, jump.group(0), "jump line"))
            text = text[: jump.start()].rstrip()
            draft.jump_out, draft.ended = True, True
        if not draft.body and draft.lead is None:
            if lead := rules.NEWS_LEAD.match(text):
                draft.lead = "news"
                byline = lead.group(1).strip()
                inner = re.search(r"[（(]([^（()）]*)[）)]", byline)
                text = text[lead.end() :]
                authors = rules.bracket_authors(inner.group(1)) if inner else []
                if inner is None and (names := rules.LEAD_NAMES.match(text)):
                    byline = f"{byline} {names.group(1)}"
                    authors = rules.role_names(names.group(1), strict=False) or []
                    text = text[names.end() :]
                if draft.byline is None:
                    draft.byline, draft.authors = byline, authors
                else:
                    self.furniture.append((piece.no, byline, "a second byline"))
            elif rules.BRIEF_LEAD.match(text):
                draft.lead = "brief"
        if (trailing := rules.TRAILING_NAMES.search(text)) and (names := rules.role_names(trailing.group(1))):
            if not draft.authors:
                draft.authors = names
            draft.ended = True
        if text.strip():
            draft.body.append(DraftBlock("paragraph", text.strip(), piece.numbers))

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
                self.after_run = j
                self.head_run(pieces[i:j], pieces[j] if j < len(pieces) else None)
                i = j
            else:
                self.body_piece(piece, pieces, i)
                i += 1
            self.prev = pieces[i - 1]
        self.finish()
        return Assembly(self.sections, self.articles, self.furniture, self.issue_furniture, self.decisions, self.synthesized)

    def dated_later(self) -> bool:
        """Does a text that opens with a dateline follow the body after the last run of heads, before the
        next head? (Not the body right after the run; a photo's caption is no head: a head over a photo has
        its text under the picture.)"""
        pieces = self.pieces[self.after_run :]
        for k, piece in enumerate(pieces):
            if piece.kind in HEAD_KINDS - {L.CAPTION, L.CREDIT} and not piece.floating:
                return False
            if k and piece.kind == L.PARA and rules.NEWS_LEAD.match(piece.text):
                return True
        return False

    def floating(self, piece: TextPiece, nxt: TextPiece | None) -> None:
        cur = self.cur
        if piece.kind == L.SHORT:
            if cur is not None and cur.headline is None:
                self.set_head(cur, [piece])
                self.decide("headline", piece.numbers, "headline printed inside its story's text (in a column gap)", None, cur)
                return
            self.add_figure(cur, piece)
            if not (nxt is not None and nxt.floating and nxt.kind == L.CREDIT):  # a caption when a credit follows
                self.decide(
                    "float", piece.numbers, "short line inside a cut sentence kept as a figure caption", "a pull quote", cur
                )
        elif piece.kind in (L.CAPTION, L.CREDIT):
            self.add_figure(cur, piece)
        elif piece.kind == L.SOURCE and cur is not None and cur.source is None:
            cur.source = piece.text
            cur.touch(piece.numbers)
        else:
            self.drop(piece, "page furniture inside a cut sentence")

    def body_piece(self, piece: TextPiece, pieces: list[TextPiece], i: int) -> None:
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
            if cur is not None and cur.byline is not None and any(b.kind == "subhead" for b in cur.body):
                cur = self.split_at_last_subhead(cur, piece)
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
            piece = TextPiece([L.InputLine(piece.no, piece.text[jump_in.end() :].strip(), L.PARA)] + piece.lines[1:])
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

    def split_at_last_subhead(self, cur: Draft, signature: TextPiece) -> Draft:
        """A signature under a story that is already signed: the last 'subhead' headed a piece of its own."""
        at = max(k for k, b in enumerate(cur.body) if b.kind == "subhead")
        head, moved = cur.body[at], cur.body[at + 1 :]
        cur.body = cur.body[:at]
        draft = Draft(section=cur.section, first_line=head.lines[0], headline=head.text, head_lines=list(head.lines))
        draft.body = moved
        draft.touch(head.lines + [n for b in moved for n in b.lines])
        self.articles.append(draft)
        self.cur = draft
        self.decide(
            "headline",
            head.lines + signature.numbers,
            "a signed piece after a signed story: its subhead is its headline",
            "a subhead of the story before",
            draft,
        )
        return draft

    def jump(self, piece: TextPiece, way: str, marker: str) -> None:
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
            for text in (cur.series, cur.kicker, cur.headline, cur.subtitle, cur.byline, cur.source, *cur.editor_note):
                if text:
                    self.furniture.append((cur.head_lines[0], text, "repeated headline of a continued story"))
            target.figures.extend(cur.figures)
            target.touch(cur.lines)
        target.jump_out, target.ended = False, False
        self.cur = target
        self.decide(
            "jump", [*target.head_lines[:1], piece.no], "story continued from another page joined to its start", None, target
        )

    def editor_note(self, piece: TextPiece, pieces: list[TextPiece], i: int) -> None:
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
        """A note standing after a section's stories that names the section or one of its columns
        introduces that section's (or column's) first story."""
        if self.pending_note is None or self.section is None:
            return
        texts, numbers = self.pending_note
        note = "".join(texts)
        mine = [a for a in self.articles if a.section is self.section and not a.editor_note]
        if self.section.line is not None and self.section.name in note:
            target = mine[0] if mine else None
        else:
            target = next((a for a in mine if a.series and a.series in note), None)
        if target is not None:
            target.editor_note = texts
            target.touch(numbers)
            self.pending_note = None
            self.decide(
                "editor-note",
                numbers,
                "editor's note placed with the story whose section/column it names",
                "the next story's note",
                target,
            )

    # -- head runs ----------------------------------------------------------------------------
    def head_run(self, run: list[TextPiece], nxt: TextPiece | None) -> None:
        """Split a run of short lines at its labels and read each segment."""
        if self.note_open:
            self.place_note()
        self.note_open = False
        items: list[TextPiece | list[TextPiece]] = []
        segment: list[TextPiece] = []
        for k, piece in enumerate(run):
            if piece.kind in (L.LABEL, L.FURNITURE):  # page furniture marks a page break: it splits too
                if segment:
                    items.append(segment)
                    segment = []
                items.append(piece)
                continue
            if piece.first.data.get("vertical") or (segment and segment[-1].first.data.get("vertical")):
                if segment:  # a vertical head stands for itself: it is no kicker, nor one for the head after it
                    items.append(segment)
                    piece.first.data["story"] = piece.kind == L.SHORT  # which starts a story of its own
                segment = []
            if segment and piece.first.data.get("beside"):  # a head beside the one before, in a strip of its own
                items.append(segment)
                segment = []
            signed = any(p.kind in (L.BYLINE, L.NAMES) for p in segment[1:])
            after = k + 1 + (k + 1 < len(run) and run[k + 1].kind == L.SHORT and run[k + 1].text.startswith(("——", "—")))
            next_signs = after < len(run) and run[after].kind in (L.BYLINE, L.NAMES)  # past a subtitle (——…)
            # or the run ends there and a dateline follows: a news story's head (a poem's lines have none)
            next_signs = next_signs or (after == len(run) and nxt is not None and bool(rules.NEWS_LEAD.match(nxt.text)))
            if piece.kind == L.SHORT and signed and next_signs:  # a new headline + byline after a signed one
                items.append(segment)
                segment = []
            segment.append(piece)
        if segment:
            items.append(segment)
        # Photos extracted just before a section label (same page: no furniture between) are on its page.
        for k in range(len(items) - 1):
            item, following = items[k], items[k + 1]
            if (
                isinstance(item, list)
                and only_figures(item)
                and isinstance(following, TextPiece)
                and following.label_kind == "section"
            ):
                items[k], items[k + 1] = following, item
        body_follows = nxt is not None and (nxt.kind in BODY_KINDS or nxt.kind == L.EDNOTE)
        for k, item in enumerate(items):
            last = k == len(items) - 1
            if isinstance(item, TextPiece) and item.kind == L.FURNITURE:
                self.drop(item, "page furniture")
            elif isinstance(item, TextPiece):
                self.label(item, items[k + 1] if not last else None, nxt, items[k - 1] if k else None)
            else:
                before = items[k - 1] if k else self.prev
                self.segment(item, last and body_follows, before, nxt, items[k + 1] if not last else None)

    def label(self, piece: TextPiece, following, nxt: TextPiece | None, before) -> None:
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
        bracketed = bool(rules.BRACKETED_LABEL.match(piece.text))  # 【…】 heads the story under it
        if cur is not None and cur.series is None and cur.body and (after_signature or leads_to_news) and not bracketed:
            cur.series = self.label_name(piece)
            cur.touch(piece.numbers)
            self.decide("series", piece.numbers, "column label printed after its story", "the next story's column", cur)
            return
        if self.pending_series is not None:
            self.drop(self.pending_series, "a column label with no story under it")
        self.pending_series = piece

    def segment(self, seg: list[TextPiece], bodied: bool, before, nxt: TextPiece | None, following) -> None:
        """Read one segment of a head run (no labels inside); ``before`` is the label or piece before it."""
        labels_before = isinstance(before, TextPiece) and before.kind == L.LABEL
        heads: list[TextPiece] = []
        bylines: list[TextPiece] = []
        figures: list[TextPiece] = []
        verse: list[TextPiece] = []  # short lines under a byline: a poem's lines
        for k, piece in enumerate(seg):
            under_headline = k > 0 and seg[k - 1].kind == L.SHORT and not bylines
            if piece.kind == L.BYLINE or (piece.kind == L.NAMES and under_headline):
                bylines.append(piece)
            elif piece.kind in (L.CAPTION, L.CREDIT):
                figures.append(piece)
            elif (
                piece.kind == L.SHORT
                and len(heads) >= 2
                and heads[-1].text.startswith(("——", "─"))
                and not piece.text.startswith(("—", "─"))
                and not piece.first.data.get("story")
            ):
                figures.append(piece)  # under a head closed by its subtitle (——…): a photo's caption
            elif bylines and heads:
                verse.append(piece)
            elif heads and heads[-1].kind == L.SHORT and COLUMN_TAG.match(piece.text):
                heads[-1] = TextPiece(heads[-1].lines + piece.lines)
            else:
                heads.append(piece)  # SHORT, or a names line under no headline
        if len(heads) >= 2 and rules.PHOTO_FEATURE.match(heads[0].text):
            self.photo_feature(heads.pop(0))  # 摄影报道 over a photo: a story of its own, never a kicker
        if len(heads) == 1 and heads[0].first.data.get("vertical") and (headless := self.headless_on_page()) is not None:
            self.set_head(headless, heads)
            self.decide(
                "headline", heads[0].numbers, "a vertical head printed after its story's columns heads it", None, headless
            )
            for piece in figures:
                self.add_figure(self.cur, piece)
            return
        cur = self.cur
        waiting = None
        if bodied and len(verse) == 1 and self.dated_later():
            # one head-shaped line under a signed head, the signed piece's text next and a dated text after
            # it: a head printed beside the signed one, whose story comes later (one line is no poem)
            waiting, verse = verse[0], []
        bodied = bodied or bool(verse)
        if len(heads) > 3 and not bylines and bodied:
            keep = 0 if cur is not None and not cur.ended else 1
            heads, verse = heads[:keep], heads[keep:]
            self.decide(
                "verse",
                [n for p in verse for n in p.numbers],
                "a run of short lines read as lines of text (verse)",
                "headlines",
                cur,
            )
            if not heads:
                assert cur is not None  # keep was 0: there is an open story
                for piece in verse:
                    self.add_paragraph(cur, piece)
                for piece in figures:
                    self.add_figure(cur, piece)
                return
        if not heads:
            if bylines:
                signs = (
                    cur is not None
                    and cur.body
                    and (cur.byline is None or (_unsigned_dateline(cur) and _closes(cur, self.prev, bylines[0])))
                )
                target = cur if signs else None
                for piece in bylines:
                    if target is not None:
                        if _unsigned_dateline(target):  # (checked to close it above)
                            _dateline_to_text(target)
                        self.add_byline(target, piece, head=False)
                        target.ended = True
                        self.decide("byline", piece.numbers, "byline printed after the text", None, target)
                    else:
                        self.drop(piece, "a byline with no story to belong to")
            self.figures_only(figures, bodied)
            return
        if not bodied:
            self.bodyless(heads, bylines, figures, following, isinstance(before, TextPiece) and before.kind == L.SOURCE)
            return
        next_is_lead = nxt is not None and bool(rules.NEWS_LEAD.match(nxt.text) or rules.BRIEF_LEAD.match(nxt.text))
        bulleted = heads[0].first.data.get("bullet") is not None
        # one head line right after (上接第N版): the continued story's text resumes with its subhead
        resumed = isinstance(before, TextPiece) and before.kind == L.CONTINUED and before.first.data.get("jump") == "in"
        resumed = resumed and cur is not None and not cur.ended and len(heads) == 1 and not bylines
        new = not resumed and (
            cur is None
            or cur.ended
            or bool(bylines)
            or len(heads) >= 2
            or labels_before
            or self.pending_section is not None  # under a section label read just before: a new page's story
            or self.pending_note is not None
            or next_is_lead
            or bool(nxt is not None and rules.NEWS_OPENING.match(nxt.text))  # text that opens saying when: a story
            or (cur.headline is not None and not cur.body)
            or (cur.section.line is not None and bool(rules.BRIEF_SECTION.search(cur.section.name)))
            or bulleted
            or bool(heads[0].first.data.get("story"))  # column-set text: its reading order says a story starts
            or cur.lead == "brief"  # brief items have no subheads
        )
        if not new:
            assert cur is not None  # new is True when there is no current story
            block = heads[0]
            if cur.verse:  # one more line of a poem
                self.add_paragraph(cur, block)
            else:
                cur.body.append(DraftBlock("subhead", block.text, block.numbers))
                cur.touch(block.numbers)
            for piece in figures:
                self.add_figure(cur, piece)
            return
        figures = self.pictures_before(seg, heads[-1], figures)
        draft = self.new_article(heads[0].no)
        if bulleted:
            first = heads[0].first
            self.furniture.append((first.no, first.data["bullet"], "bullet"))
            heads[0] = TextPiece([L.InputLine(first.no, first.data["rest"], L.SHORT)])
            draft.lead = "brief"
        self.set_head(draft, heads)
        for piece in bylines:
            self.add_byline(draft, piece, head=True)
        for piece in figures:
            self.add_figure(draft, piece)
        if verse:
            draft.kind, draft.verse = "essay", True
            self.decide(
                "verse",
                [n for p in verse for n in p.numbers],
                "short lines under the byline read as lines of verse",
                "headlines",
                draft,
            )
        for piece in verse:
            self.add_paragraph(draft, piece)
        if waiting is not None:
            self.orphans.append((len(self.articles), [waiting]))

    def headless_on_page(self) -> Draft | None:
        """The last story of the open story's page read without a head (its text opens the page's columns)."""
        cur = self.cur
        if cur is None:
            return None
        return next((a for a in reversed(self.articles) if a.section is cur.section and a.headline is None and a.body), None)

    def pictures_before(self, seg: list[TextPiece], head: TextPiece, figures: list[TextPiece]) -> list[TextPiece]:
        """Captions read before a new story's head (its last line: a kicker and its head are set together, so a
        caption between them is in a column of its own), when the story before has ended: pictures standing on
        their own (a story's picture is set under its head); each becomes a photo story. The figures left for the
        story."""
        cur = self.cur
        if not (cur is None or cur.ended or self.pending_section is not None) or self.pending_series or self.pending_note:
            return figures
        # the head may be two pieces joined (a head and its tag on the next line): it starts where its first line is
        before = seg[: next(k for k, piece in enumerate(seg) if piece.first is head.first)]
        kept = []
        for piece in figures:
            if piece not in before:
                kept.append(piece)
            elif piece.kind == L.CAPTION:
                self.photo(piece)
            elif self.cur is not None and self.cur.kind == "photo":  # its credit, on a line of its own
                self.add_figure(self.cur, piece)
            else:
                kept.append(piece)
        return kept

    def photo_feature(self, piece: TextPiece) -> None:
        """A head that names a photo feature (摄影报道) heads the photo printed under it, a story of its own."""
        draft = self.new_article(piece.no)
        self.set_head(draft, [piece])
        draft.kind, draft.ended = "photo", True
        self.decide("headline", piece.numbers, "a photo feature's head: a story of its own", "the kicker of the next head", draft)

    def figures_only(self, figures: list[TextPiece], bodied: bool) -> None:
        """Captions in a run of their own: the open story's figures, photo stories, or the next story's."""
        cur = self.cur if self.pending_section is None else None  # under a new section label: not the story before
        for piece in figures:
            if (piece.kind == L.CREDIT and cur is not None) or (cur is not None and not cur.ended and cur.body):
                self.add_figure(cur, piece)
            elif piece.kind == L.CAPTION and not bodied:
                self.photo(piece)
            else:
                self.add_figure(None, piece)

    def photo(self, piece: TextPiece) -> None:
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
        self.decide(
            "orphan-caption",
            piece.numbers,
            "a caption outside any story became a photo story",
            "a figure of the story before",
            draft,
        )

    def bodyless(
        self, heads: list[TextPiece], bylines: list[TextPiece], figures: list[TextPiece], following, after_source: bool
    ) -> None:
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
            and self.pending_section is None
            and isinstance(following, TextPiece)
            and re.fullmatch(f"{rules.HAN}{{2,6}}", text)
        ):
            heads[0].first.label_kind = "section"
            self.pending_section = heads[0]
            self.decide("label", numbers, "short line above a label read as a section label", "a kicker", None)
            for piece in figures:
                self.add_figure(cur, piece)
            return
        if self.orphans and self.orphans[-1][0] == len(self.articles) and not self.orphans[-1][1][-1].first.data.get("vertical"):
            self.orphans[-1][1].extend(heads + bylines)  # (a vertical head stands for itself)
        else:
            self.orphans.append((len(self.articles), heads + bylines))
        for piece in figures:
            self.add_figure(cur, piece)


def _unsigned_dateline(draft: Draft) -> bool:
    """The headed story's byline is the dateline opening its lead and naming no one (【本报讯】): a writers' line
    printed after the text (■记者某某) signs the story instead (text read without its head is left as it is)."""
    unsigned = draft.byline is not None and draft.lead == "news" and not draft.authors and not draft.head_byline
    return unsigned and draft.headline is not None


def _dateline_to_text(draft: Draft) -> None:
    """Give a dateline that names no one back to the start of the lead it opens, where the paper prints it."""
    lead = draft.body[0]
    lead.text = f"{draft.byline}{lead.text}"
    draft.byline = None


def _closes(draft: Draft, previous: TextPiece | None, piece: TextPiece) -> bool:
    """The writers' line comes right under the story's last paragraph (``previous``, the piece read before it),
    which ends a sentence, and the story's head is right over its lead: it closes that story (text read out of
    order, a head given another story's text, leaves it under lines not the head's)."""
    last = draft.body[-1]
    if previous is None or previous.numbers != last.lines or not rules.ENDS_SENTENCE.search(last.text):
        return False
    return 0 < piece.no - previous.lines[-1].last <= 2 and 0 < draft.body[0].lines[0] - draft.head_lines[-1] <= 2
