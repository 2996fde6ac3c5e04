"""After the walk: orphan headlines, headlines printed after their story, short lines that are
really paragraph starts, stories still without a headline."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from publisher.importer import lines as L
from publisher.importer import rules
from publisher.importer.columns import TWO_HEADS
from publisher.importer.drafts import Draft, DraftBlock, FigureDraft
from publisher.importer.heads import infer_kind, lost_its_headline, topic_split
from publisher.importer.rejoin import TextPiece

#: Character pairs of a head that the paragraph where a story turns to it must repeat.
TURN_WORDS = 3
#: The share of a head's character pairs that its story's first sentence repeats, nearly all (:meth:`AfterWalk.head_beside`).
SAID = 0.75


class AfterWalk:
    """Mixed into the assembler: the steps that need the whole issue read first."""

    # Provided by the class this is mixed into (publisher.importer.assemble.Assembler).
    articles: list[Draft]
    furniture: list[tuple[int, str, str]]
    synthesized: list[tuple[Draft, str, str]]
    cur: Draft | None
    pending_section: TextPiece | None
    pending_series: TextPiece | None
    pending_note: tuple[list[str], list[int]] | None
    pending_figures: list[FigureDraft]
    orphans: list[tuple[int, list[TextPiece]]]

    if TYPE_CHECKING:

        def decide(
            self,
            kind: str,
            lines: list[int],
            chose: str,
            alternative: str | None = None,
            article: Draft | None = None,
        ) -> None: ...

        def drop(self, piece: TextPiece, why: str, keep: bool = True) -> None: ...

        def set_head(self, draft: Draft, heads: list[TextPiece]) -> None: ...

        def add_byline(self, draft: Draft, piece: TextPiece, head: bool) -> None: ...

    def headline_after_body(self, cur: Draft, heads: list[TextPiece], at: int | None = None) -> Draft:
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
        self.keep_parallel_subheads()
        for draft in self.articles:
            self.rejoin_short_lines(draft)
            if draft.headline is None:
                self.find_headline(draft)
            draft.kind = draft.kind or infer_kind(draft)

    def adopt_orphans(self) -> None:
        for index, heads in self.orphans:
            numbers = [n for p in heads for n in p.numbers]
            before = self.articles[index - 1] if index else None
            after = self.articles[index] if index < len(self.articles) else None
            if before is not None and before.headline is None:
                target: Draft | None = before  # a story without a headline, just before: printed after it
            else:
                near = [a for a in self.articles[index:] if _near(a, before, after)]
                target = next((a for a in near if lost_its_headline(a)), None)
            if target is None and heads[0].first.data.get("waits") and after is not None and turns_to(after, heads):
                self.headline_after_body(after, [p for p in heads if p.kind != L.BYLINE], at=index + 1)
                self.decide(
                    "orphan-headline",
                    numbers,
                    "a headline beside the next one: its story is where the next story's text turns to it",
                    "a headline with no story",
                    None,
                )
                continue
            if target is None and before is not None and len(before.paragraphs) >= 2:
                draft = self.headline_after_body(before, [p for p in heads if p.kind != L.BYLINE], at=index)
                for piece in (p for p in heads if p.kind == L.BYLINE):
                    self.add_byline(draft, piece, head=True)
                self.decide(
                    "orphan-headline",
                    numbers,
                    "a headline with no story of its own: read as printed after its story",
                    "a headline with no story",
                    None,
                )
                continue
            if target is None:
                for piece in heads:
                    self.drop(piece, "a headline with no story")
                self.decide("orphan-headline", numbers, "a headline with no story: listed as furniture", None, None)
                continue
            old = target.headline
            if old is not None:
                target.body.insert(0, DraftBlock("subhead", old, list(target.head_lines)))
            self.set_head(target, [p for p in heads if p.kind != L.BYLINE])
            for piece in (p for p in heads if p.kind == L.BYLINE):
                self.add_byline(target, piece, head=True)
            if old is None:  # a story read with no head of its own (its text opens with a dateline)
                chose, other = "a headline printed away from its story heads the story read without one", None
            else:
                chose, other = (
                    "a headline printed away from its story; the story's first line becomes a subhead",
                    f"'{old}' as the headline",
                )
            self.decide("orphan-headline", numbers + target.body[0].lines, chose, other, target)

    def keep_parallel_subheads(self) -> None:
        """Stories read from a run of bare heads of one form (战略优化：… / 治理升级：…: a word, a colon, a phrase;
        or short plain phrases: 经济运行稳中回升 / 高质量发展新向好) with no byline, dateline or kicker of their own,
        after a story, are that story's subheads: parallel subheads part one story, while stories of their own
        each carry their own head's furniture."""
        kept: list[Draft] = []
        run: list[Draft] = []
        for draft in [*self.articles, None]:
            if draft is not None and kept and _bare_parallel(draft) and draft.section is kept[-1].section:
                if not run or _form(draft.headline) == _form(run[0].headline):
                    run.append(draft)
                    continue
            if len(run) >= 2:
                self.subheads_of(kept[-1], run)
            else:
                kept.extend(run)
            run = []
            if draft is not None:
                (run if _bare_parallel(draft) and kept else kept).append(draft)
        self.articles[:] = kept

    def subheads_of(self, owner: Draft, run: list[Draft]) -> None:
        """Fold the stories of ``run`` into ``owner``, each headline a subhead over its text."""
        for draft in run:
            owner.body.append(DraftBlock("subhead", draft.headline or "", list(draft.head_lines)))
            owner.body.extend(draft.body)
            owner.figures.extend(draft.figures)
            owner.touch(draft.lines)
        self.decide(
            "headline",
            [n for d in run for n in d.head_lines],
            "parallel heads of one form after a story: its subheads",
            "stories of their own",
            owner,
        )

    def rejoin_short_lines(self, draft: Draft) -> None:
        """Merge 'subheads' that break the pattern of their siblings into the paragraph they begin."""
        subheads = [b for b in draft.body if b.kind == "subhead"]
        if len(subheads) < 3:
            return
        counts: dict[str, int] = {}
        mark: str | None
        for block in subheads:
            for mark in rules.structural_marks(block.text):
                counts[mark] = counts.get(mark, 0) + 1
        mark, count = max(counts.items(), key=lambda kv: kv[1], default=(None, 0))
        if mark is None or count < 2 or count * 2 < len(subheads):
            return
        body: list[DraftBlock] = []
        skip = False
        for k, block in enumerate(draft.body):
            if skip:
                skip = False
                continue
            nxt = draft.body[k + 1] if k + 1 < len(draft.body) else None
            if block.kind == "subhead" and mark not in rules.structural_marks(block.text) and nxt and nxt.kind == "paragraph":
                body.append(DraftBlock("paragraph", block.text + nxt.text, block.lines + nxt.lines))
                self.decide(
                    "rejoin",
                    block.lines + nxt.lines[:1],
                    "short line unlike the story's subheads: start of the next paragraph",
                    "a subhead",
                    draft,
                )
                skip = True
            else:
                body.append(block)
        draft.body = body

    def head_beside(self, draft: Draft) -> bool:
        """Two heads set side by side on one row come as one line, a space between (A B), which reads as one head
        with a space inside: a story read without a head whose first sentence repeats B, and not A, is B's (the
        nearest such head before it in its section). Whether it found one."""
        lead = draft.paragraphs[0].text if draft.paragraphs else ""
        sentence = L.bigrams(re.split(r"(?<=[。！？])", lead, maxsplit=1)[0])
        for other in reversed(self.articles[: self.articles.index(draft)]):
            pair = TWO_HEADS.match(other.headline or "") if other.section is draft.section else None
            said = [len(L.bigrams(half) & sentence) / max(1, len(L.bigrams(half))) for half in pair.groups()] if pair else []
            if pair and said[1] >= SAID > said[0]:
                other.headline, draft.headline, draft.head_lines = pair[1], pair[2], other.head_lines
                self.decide(
                    "headline",
                    other.head_lines,
                    "two heads side by side on one row: the second heads the story its first sentence tells",
                    "one head",
                    draft,
                )
                return True
        return False

    def find_headline(self, draft: Draft) -> None:
        if self.head_beside(draft):
            return
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
            self.synthesized.append((draft, "headline", draft.headline))
            self.decide("no-headline", lead.lines[:1], "no headline found: the first sentence stands in (edit it)", None, draft)


def turns_to(draft: Draft, heads: list[TextPiece]) -> bool:
    """Does ``draft``'s text turn to the story of ``heads`` (a head printed beside its own): the paragraph
    where the topic changes repeats some of its words (a story's first sentence repeats its head)?"""
    paras = [b.text for b in draft.body]
    head = " ".join(p.text for p in heads)
    at = topic_split(paras, draft.headline or "", head) if len(paras) >= 2 else None
    return at is not None and len(L.bigrams(head) & L.bigrams(paras[at])) >= TURN_WORDS


#: A head of the form a word, a colon, a phrase (战略优化：全链布局): parallel subheads share the word's length.
PARALLEL_HEAD = re.compile(rf"^({rules.HAN}{{2,4}})[：:]\S")
#: A plain short phrase, or two parted by a space (经济运行稳中回升, 外贸规模增长 出口质量提升): a subhead's form too.
PLAIN_HEAD = re.compile(rf"{rules.HAN}{{2,8}}(?: {rules.HAN}{{2,8}})?")
#: The form code of a plain head (a colon's form is the length of the word before it).
PLAIN = -1


def _form(headline: str | None) -> int:
    """The form a subhead shares with its parallels: the word before its colon (its length), plain, or none (0)."""
    headline = headline or ""
    if match := PARALLEL_HEAD.match(headline):
        return len(match.group(1))
    return PLAIN if PLAIN_HEAD.fullmatch(headline) and len(headline) <= 13 else 0


def _bare_parallel(draft: Draft) -> bool:
    """A story read from a bare head of the parallel form: no byline, dateline, kicker, subtitle or label."""
    furnished = draft.byline or draft.lead or draft.kicker or draft.subtitle or draft.series or draft.editor_note
    return bool(_form(draft.headline)) and not furnished


def _near(draft: Draft, before: Draft | None, after: Draft | None) -> bool:
    """Is ``draft`` in the section of the story read before a waiting head or of the one read after it (any, when
    there is neither)? A head waits for its story on its own pages, never in a later section's."""
    sections = [d.section for d in (before, after) if d is not None]
    return not sections or any(draft.section is s for s in sections)
