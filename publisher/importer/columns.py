"""Text extracted from pages set in columns (pdftotext's default mode): lines back into paragraphs.

Such text prints every printed line as a line of its own, keeps each column's measure (most lines
fill it), drops the first-line indents, and separates its blocks (a column of one story, a head)
with blank lines. A paragraph runs on from a line that fills the measure (or, indented, two em
less) and stops mid-sentence; it ends at a short line, or at a full line that ends a sentence when
the next line is set in by the indent. Heads are lines of their own: a short line that ends no
sentence. Paragraphs cut by a column or block break are left to :mod:`.rejoin`; the stories' order
to :mod:`.assemble`.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from publisher.importer import lines as L
from publisher.importer import rules

if TYPE_CHECKING:  # (strips reads layout text with this module's measures)
    from publisher.importer import strips

#: Text is set in columns when this share of its lines of 8 em or more fill one measure.
SET_IN_COLUMNS = 0.4
#: Widest measure (em) read as a column: a page set across (the seed text's one line per paragraph) is not.
COLUMN_MAX = 30
#: Lines that head a story (read with the headline) and lines of its text.
HEADISH = {L.SHORT, L.BYLINE, L.NAMES, L.CAPTION, L.CREDIT}
BODY = {L.PARA, L.CONTINUED, L.AUTHOR_UNIT, L.SOURCE, L.SPEAKER}
#: The rest of a photo credit wrapped before its last word: 摄, 供图 (and the agency: 摄（影像中国）).
CREDIT_REST = re.compile(rf"^(?:摄|供图){rules.CREDIT_AGENCY}$")
#: A caption whose credit (a pen name, a group: not only a person's name) stands after a space: … 橙友“山茶” 摄,
#: … 图片来自《某某报》.
CREDITED = re.compile(r"^(\S.*?)\s+(\S{2,12}\s*(?:摄|供图)|(?:图片|照片|图)\s*(?:来自|来源|由)\S{1,24})$")
#: A paragraph's first line is set in by this many em.
INDENT = 2


def width(text: str) -> float:
    """A line's printed width in em: CJK characters and the punctuation set with them (quotes, dashes) one,
    Latin letters, digits and spaces half."""
    return sum(1.0 if ord(ch) >= 0x2000 else 0.5 for ch in text)


def measure(texts: list[str]) -> int | None:
    """The column measure (em) most lines fill, or None when the text is not set in columns. Lines that
    fill it and first lines set in by the indent (INDENT em short) both count for it, so that a column of
    short paragraphs, more of whose lines are first lines than full ones, still shows its measure."""
    widths = Counter(round(width(t)) for t in texts if width(t) >= 8)
    if not widths:
        return None
    common = max(widths, key=lambda m: (widths[m] + widths.get(m - INDENT, 0), m))
    filled = sum(n for w, n in widths.items() if common - INDENT - 1 <= w <= common + 1)
    if common > COLUMN_MAX or filled < SET_IN_COLUMNS * sum(widths.values()):
        return None
    return common


#: In pdftotext -layout text a line set in by the indent starts this many positions right of its strip.
SET_IN = range(2, 6)


def _centred_under(line: str, after: str, at: int | None, after_at: int | None, full: float) -> bool:
    """Layout text: is ``after`` the rest of a head ``line`` that fills the column flush, centred under it
    (set in further than a first line's indent, and as far from the column's right edge as from its
    left)? A subhead wrapped in its column: 构建绿色低碳发展体系，打造示范 / 性新能源项目."""
    if at != 0 or after_at is None or after_at < 3 or width(line) < full - INDENT - 1:
        return False
    if not (L.heading_shape(line) and L.heading_shape(after)) or _ends(line) or re.fullmatch(r"[（(][^（）()]*[）)]", after):
        return False  # a note in brackets under a head ((接上期)) is no part of it
    return full - after_at - width(after) >= after_at - 2


def _first_line_goes_on(line: str, after: str, at: int | None, after_set_in: bool | None, full: float) -> bool:
    """Layout text: is ``line``, set in by the indent (``at``: how far right of its strip it starts) and filling the
    rest of the measure with no sentence ended, a paragraph's first line that goes on to the flush line ``after``
    (``after_set_in`` False), head-shaped or not? A head is set flush or centred; a subhead set in as a paragraph
    is, and its rest runs on the same (构建绿色低碳发展体系，打造 / 示范性新能源项目). A dateline and a jump
    line stand apart as ever."""
    if at is None or not _indented(at) or after_set_in is not False or not _set_in(line, full) or _is_lead_text(line):
        return False
    return not (_is_lead_text(after) or rules.JUMP_OUT.search(after))


def _indented(offset: int) -> bool:
    return offset in SET_IN


def _set_in(text: str, full: float) -> bool:
    """A paragraph's first line: set in by the indent, about two em short of the measure, running on."""
    return _set_in_width(text, full) and not _ends(text)


def _set_in_width(text: str, full: float) -> bool:
    """A line about two em short of the measure, as one set in by the indent; an opening quotation mark or
    bracket at its start may be set half an em wide (punctuation squeezed)."""
    squeezed = 0.5 if text[:1] in rules.OPENERS else 0.0
    return full - INDENT - 1.5 <= width(text) - squeezed <= full - INDENT + 0.5


def _ends(text: str) -> bool:
    """The line ends a sentence: a full stop, ！？… (a closing quote or bracket may follow; alone it ends none)."""
    return bool(re.search(rf"[{rules.SENTENCE_END}][{rules.CLOSERS}]*$", text))


#: A column tag printed after a headline, on its own line when the head wraps: （某某谈）, （答记者问）.
HEAD_TAG = re.compile(r"^[（(【][^（()）【】]{1,12}[）)】]$")


#: A headline that ends in its column's tag: 某某的好事办实（某某谈）, 新生命 新希望（记录中国） (a couplet, a space between).
TAGGED_HEAD = re.compile(r"(?:\S{4,}|\S{2,} \S{3,})[（(][^（()）]{2,8}[）)]$")


def pairs(texts: list[str]) -> set[str]:
    """Every two characters printed side by side within a line of ``texts``: the words the text holds."""
    return {t[k : k + 2] for t in texts for k in range(len(t) - 1)}


#: Where display type wider than the column may break (a body line never runs past the measure).
DISPLAY_BREAKS = ("：", ":", "、", "，")


def _same_block_head(line: str, after: str, full: float) -> bool:
    """Default-mode text: ``after`` is a shorter heading line in the same block as the head line ``line``
    (no subtitle, label, dateline or caption)."""
    probe = L.InputLine(0, after)
    L.classify_line(probe, rules.DEFAULT_VOCABULARY)
    return (
        probe.kind == L.SHORT
        and not _set_in(after, full)
        and width(after) <= width(line)
        and (width(line) >= full * 0.6 or width(after) < full - INDENT - 1)
        and not after.startswith(("—", "─", "【", "[", "［"))
        and not rules.ENDS_SENTENCE.search(line)
    )


#: A line under a head line at most this share of its width, with no space inside, is the head's rest.
REST_SHARE = 0.45


def head_goes_on(line: str, after: str, words: set[str] | frozenset[str]) -> bool:
    """Is ``after`` the rest of a headline that ``line`` starts (a head wrapped over two lines), not a head
    under a kicker or a subtitle? It is when the break cuts a word or a phrase: the next line is only a
    few characters, closes a quotation or bracket left open, is a column tag in brackets, starts mid-
    sentence, or the two characters either side of the break stand together elsewhere in the text
    (``words``, from :func:`pairs`). A kicker ends a phrase of its own, so none of these holds for it."""
    after = after.strip()
    probe = L.InputLine(0, after)
    L.classify_line(probe, rules.DEFAULT_VOCABULARY)
    if not after or after.startswith(("—", "─", "【", "[", "［")) or probe.kind not in (L.SHORT, L.PARA, L.NAMES):
        return False
    if L.starts_mid(after) or (L.quote_balance(line)[1] > 0 and L.quote_balance(after)[0] > 0):
        return True
    if line.rstrip()[-1:] in "：:、":
        return True  # a head line ending in a colon announces what the next line says (某某逝世：/ 原话), an enumeration goes on
    # a head under its kicker is display type, set larger: it never holds much less than half the kicker
    # line's width, unless it is two phrases of its own (a space between them); a shorter rest wraps, also
    # after a question or an exclamation (谁做的？太浪漫了)
    short_rest = " " not in after and width(after) <= REST_SHARE * width(line)
    if _ends(line):
        return " " not in after and _after_question(line, after)  # else a head that ends a sentence is whole
    compact = re.sub(r"\s+", "", after)
    return len(compact) <= 3 or bool(HEAD_TAG.match(compact)) or (line[-1] + compact[0]) in words or short_rest


def _jump(text: str) -> bool:
    """A line of its own that says where a story goes on or comes from: （下转第2版）, （上接第1版）."""
    jump = rules.JUMP_IN.match(text) or rules.JUMP_OUT.search(text)
    return jump is not None and jump.group(0) == text


#: How a line goes on the one before it (:func:`_runs_on`): a headline wrapped, a paragraph.
HEAD, LINE = "head", "line"


def _runs_on(
    line: str,
    after: str,
    full: float,
    vocabulary: rules.Vocabulary,
    opens: bool = True,
    set_in: bool | None = None,
    words: set[str] | frozenset[str] = frozenset(),
    blocks: bool = True,
) -> str:
    """Does the paragraph of ``line`` go on at ``after``, the next line of the same block? ``opens``: ``line``
    is the first line of its paragraph (it may be a head); ``set_in``: whether ``after`` is set in by the
    indent, when the text shows it (pdftotext -layout keeps it as spaces), else None (guessed by width);
    ``words``: the text's pairs of characters (:func:`pairs`), which tell a wrapped head; ``blocks``: the
    text is pdftotext's default mode, whose blocks part lines set in different sizes. The answer is HEAD
    (a headline goes on), LINE (a paragraph goes on) or "" (no)."""
    w = width(line)
    if opens and re.search(r"\d{1,2}日$", line) and after.startswith("电") and _is_lead_text(line + after):
        return LINE  # a dateline broken before its 电 (新华社北京1月9日 / 电 …)
    if line[-1:].isdigit() and after[:1].isdigit() and not _is_lead_text(after):
        return LINE  # a number broken across the lines (…运输量10 / 17.2万吨): no head breaks inside a number
    if (L.signs(after, vocabulary) and not line.endswith("、")) or _is_lead_text(after) or _jump(after):
        # a head's byline, a dateline opening a story or a jump line ((上接第1版)) starts at ``after``; a line that
        # ends in an enumeration's 、 goes on to the list's next names (丁薛祥、何立峰、/ 张国清、…), never to a byline
        return ""
    cut = not rules.ENDS_SENTENCE.search(line) or L.quote_balance(line)[1] > 0
    filled = full - INDENT - 1 <= w <= full + 1
    # a head's line may stop at a quotation left open or a colon announcing the rest; display type wider than the
    # column may also break after a colon or a comma (…逝世： / 我一辈子都在做傻瓜)
    cut_head = L.quote_balance(line)[1] > 0 or line[-1:] in "：:"
    displayed = w > full + 1 and line.endswith(DISPLAY_BREAKS) and " " not in line and L.heading_shape(line[:-1])
    head = opens and (L.heading_shape(line) or displayed or (cut_head and L.heading_shape(line + after)))
    head = head and not L.starts_mid(line) and "。" not in line[:-1]  # a head holds no sentence's end or rest
    if head and after.startswith(("——", "──")):
        return ""  # a subtitle under its head, however wide the head
    if head and TAGGED_HEAD.search(line):
        return ""  # the column's tag (（今日谈）) closes a head: the head ends there
    if (
        head
        and set_in is None
        and not blocks
        and width(after) > w + 1
        and not re.search("[，、；]", line + after)
        and not _is_lead_text(line)
    ):
        # layout text, a line in no strip: display type. A wrapped head's first line is its widest, so a wider
        # head line under it starts a head of its own (the head under its kicker), unless the break cuts a word
        return HEAD if L.heading_shape(after) and head_goes_on(line, after, words) else ""
    if set_in is not None:
        if set_in:
            return ""  # a new paragraph starts at ``after``
        if filled and cut and not after.startswith(("—", "─")) and (not head or width(after) >= full - INDENT - 1):
            return LINE  # a filled line cut mid-sentence goes on to a line set flush (not a subtitle's dash)
    else:
        if filled and cut and not head:
            # a filled line cut mid-sentence goes on, also to a line that looks set in (a line that breaks
            # before a long number is justified with fewer characters), when it is no head: it goes on a
            # paragraph already, or no head ends like it
            return LINE
        if filled and cut and head and width(after) >= full - INDENT - 1.5 and (line[-1] + after[:1]) in words:
            return LINE  # a head-shaped filled line goes on too where its break cuts a word and no short rest follows
        if filled and cut and head and "。" in after[:-1] and width(after) < full - INDENT - 1.5:
            return LINE  # …也迅速走 / 红。这些…: a paragraph's last line, ending a sentence inside, is no head's rest
        if _set_in(after, full) and not displayed and (blocks or not head or w <= full + 1):
            # a new paragraph starts at ``after``; in layout text a line under display type in no strip (a head
            # wider than the column) is display type too, whose width tells no indent
            return ""
    if head and not (filled and width(after) >= full - INDENT - 1) and L.heading_shape(after):
        # a head's line, going on only when the head wraps; in pdftotext's default mode a kicker (set in
        # another size) comes as a block of its own, so a shorter head-shaped line in the head's block is
        # the head's rest
        wraps = head_goes_on(line, after, words) or (set_in is None and blocks and _same_block_head(line, after, full))
        wraps = wraps or displayed  # (a head line that ends in a colon or a comma has its rest still to come)
        return HEAD if wraps else ""
    if w > full + 1 and line[-1:] not in rules.SENTENCE_END + rules.CLOSERS + "，、":
        # wider than a column: a head across columns, going on only to a short line of its own
        return LINE if width(after) < full - INDENT - 1 and not rules.ENDS_SENTENCE.search(after) else ""
    if width(after) >= full - 0.5 and w >= full - INDENT - 1:
        return LINE  # a line that fills the measure never opens a paragraph (first lines are set in)
    if not rules.ENDS_SENTENCE.search(line) or L.quote_balance(line)[1] > 0:
        return LINE if w >= full - INDENT - 1 else ""  # a filled line cut mid-sentence (or inside a quotation)
    return LINE if w >= full - 0.5 else ""  # a filled line that ends a sentence, the next one not set in


@dataclass
class Unwrapped:
    """The paragraphs of column-set text, numbered by their first input line; ``last_lines``: the printed
    last line of each (by number), ``measure``: the column's width in em."""

    items: list[L.InputLine]
    measure: int
    first_lines: dict[int, str]
    last_lines: dict[int, str]
    block_ends: set[int]  # numbers of the paragraphs a blank line follows
    tops: set[int] | None = None  # text already in reading order (pdftotext -layout): lines that open a column strip
    indents: dict[int, int] = field(default_factory=dict)  # there: how far right of its strip's start a line begins
    opens: set[int] = field(default_factory=set)  # and the lines that open a strip
    words: set[str] = field(default_factory=set)  # the text's pairs of characters (:func:`pairs`)
    rows: dict[int, int] = field(default_factory=dict)  # layout text: the printed row each line comes from

    def settle(self) -> None:
        """After :func:`lines.classify`: a heading-shaped paragraph at a block's end whose last line fills a
        column and stops mid-sentence (and that runs over lines or holds a comma, as a headline rarely
        does) was cut by a column or block break; it is a paragraph."""
        full = self.measure
        for before, item, after in zip([None, *self.items], self.items, [*self.items[1:], None], strict=False):
            last = self.last_lines[item.no]
            # (a comma cuts no line that is a block of its own over a head: in default-mode text, whose blocks
            # part type of other sizes, that is a kicker: …飞架，…贯通)
            alone = self.tops is None and (before is None or before.no in self.block_ends) and item.text == last
            over_head = alone and after is not None and after.kind == L.SHORT
            commas = any(mark in item.text for mark in "，、；") and not over_head
            cut = item.text != last or commas or last.endswith(("—", "“", "（"))
            # or the next block takes up the word it cuts (负责人表 / 示，…)
            cut = cut or (after is not None and after.kind == L.PARA and (last[-1:] + after.text[:1]) in self.words)
            cut = cut or self.first_line_at_foot(before, item, after)
            # (layout text: a strip's top with no comma whose next strip opens with a head beside it goes on in neither)
            tops = self.tops or set()
            beside_head = not commas and after is not None and {item.no, after.no} <= tops and after.kind == L.SHORT
            if (
                item.kind == L.SHORT
                and item.no in self.block_ends
                and cut
                and not beside_head
                and not item.data.get("display")  # a head so large a blank line parts its lines: no text cut
                and not item.text.startswith(("——", "─"))  # a subtitle's dash: a head's, not a paragraph's
                and full - INDENT - 1 <= width(last) <= full + 0.5
                and not rules.ENDS_SENTENCE.search(last)
            ):
                item.kind = L.PARA
            elif item.kind == L.SHORT and L.starts_mid(item.text) and rules.ENDS_SENTENCE.search(item.text):
                item.kind = L.PARA  # the rest of a sentence, closed (万元！”): the end of a paragraph cut before it
            elif item.kind == L.SHORT and (credit := rules.CREDIT_END.search(item.text)) and credit.start() > 0:
                # a short line ending in a photo credit (… 张三 摄, …供图) is a caption
                item.kind, item.data = L.CAPTION, L.caption_parts(item.text)
            elif item.kind == L.SHORT and (credit := CREDITED.match(item.text)):
                item.kind, item.data = L.CAPTION, {"caption": credit.group(1), "credit": credit.group(2)}
        if self.tops is not None:
            # in reading order, a short line inside a column (not at the top of a strip) that goes on a paragraph
            # cut mid-sentence, or that the next paragraph goes on, is a piece of text, not a head
            for before, item, after in zip([None, *self.items], self.items, [*self.items[1:], None], strict=False):
                if item.kind != L.SHORT or rules.ENDS_SENTENCE.search(item.text):
                    continue
                goes_on = before is not None and item.no not in self.opens and self.is_open(before) and before.kind == L.PARA
                if goes_on or (after is not None and after.kind == L.PARA and L.starts_mid(after.text)):
                    item.kind = L.PARA
        for above, item in zip([None, *self.items], self.items, strict=False):
            text = item.text
            # display type: wider than the column, or under a head line where no paragraph starts: set flush at a
            # strip's top (layout text, where a paragraph's first line is set in), or under a head line that is a
            # block of its own (a kicker: pdftotext's default mode parts type of other sizes into blocks)
            under_head = above is not None and above.kind == L.SHORT
            flush = under_head and self.indents.get(item.no) == 0 and item.no in self.opens
            kicked = under_head and above is not None and above.no in self.block_ends and self.tops is None
            if (
                item.kind == L.PARA
                and self.first_lines.get(item.no) == text
                and (width(text) > self.measure + 1 or flush or kicked)
                and len(text) <= rules.HEADING_MAX
                and "。" not in text
                and text.endswith(("？", "！"))
                and not L.starts_mid(text)
                and not _is_lead(item)
            ):
                item.kind = L.SHORT  # a question of its own wider than the column: display type, a head (…，…吗？)
        for head, item in itertools.pairwise(self.items):
            if (
                item.kind == L.PARA
                and head.kind == L.SHORT
                and head.no not in self.block_ends
                and item.text.startswith(("——", "──"))
                and len(item.text) <= rules.HEADING_MAX
                and "。" not in item.text
            ):
                item.kind = L.SHORT  # a subtitle's dash right under its head: a head line, commas and all
        for k, item in enumerate(self.items[1:-1], start=1):
            head, lead = self.items[k - 1], self.items[k + 1]
            writers = rules.NEWS_LEAD.match(lead.text)
            # a paragraph's first line that ends no sentence runs on, so a head-shaped line right over one is display type
            opens = lead.kind == L.PARA and _set_in(self.first_lines.get(lead.no, lead.text), self.measure)
            display = item.kind == L.SHORT and _wrapped_display(head.text, item.text, self.measure) and (writers or opens)
            rest = (item.kind == L.NAMES and writers) or display
            if rest and head.kind == L.SHORT and head.no not in self.block_ends:
                # the dateline names the writers, or is the agency's: the short line under the head is the head's end
                item.kind, item.data = L.FURNITURE, {"merged": True}
                head.text += item.text
        for caption, item in itertools.pairwise(self.items):
            if caption.kind == L.CAPTION and not caption.data.get("credit") and CREDIT_REST.match(item.text):
                # 图为…曲目。 崔正博 / 摄（影像中国）: the credit wrapped before its last word, the caption goes on
                caption.text += item.text
                marked = rules.CAPTION_MARK.match(caption.text)
                caption.data = {**caption.data, **L.caption_parts(marked.group(2) if marked else caption.text)}
                item.kind, item.data = L.FURNITURE, {"merged": True}
        self.items[:] = [x for x in self.items if not x.data.get("merged")]

    def first_line_at_foot(self, before: L.InputLine | None, item: L.InputLine, after: L.InputLine | None) -> bool:
        """A line set in by the indent under a paragraph of its own block, at the block's end, the next block
        going on with text (…起施行。/ 《条例》旨在规范 / 商事调解活动，…): a paragraph's first line cut at the
        column's foot (a head, a block of its own or over its text, is not set in under text)."""
        under_text = before is not None and before.kind == L.PARA and before.no not in self.block_ends
        goes_on = after is not None and after.kind == L.PARA and self.continues(after)
        return under_text and goes_on and _set_in(item.text, self.measure)

    def is_open(self, item: L.InputLine) -> bool:
        """A paragraph that stops mid-sentence: its last line ends none, or (default mode, where no indent
        shows) fills the measure and ends in a term in quotation marks (…为实现“十五五”: a paragraph's last line
        that closes a sentence ends short)."""
        last = self.last_lines.get(item.no, item.text)
        filled = self.tops is None and width(last) >= self.measure - 0.5
        return item.kind in BODY and (not rules.ENDS_SENTENCE.search(last) or (filled and _quoted_term(last)))

    def takes_up(self, cut: L.InputLine, item: L.InputLine) -> bool:
        """Does ``item`` open with the rest of the dash (—— broken — / —) that paragraph ``cut`` ends in?"""
        last, first = self.last_lines.get(cut.no, cut.text), self.first_lines.get(item.no, item.text)
        return last.endswith("—") and not last.endswith("——") and first.startswith("—") and not first.startswith("——")

    def continues(self, item: L.InputLine) -> bool:
        """Can ``item`` go on a paragraph cut at a column's foot? Not when it opens with a dateline, or
        with a line set in by the indent (a new paragraph), also one that ends a sentence when its paragraph
        goes on past it (the last line of a paragraph cut above would end it there)."""
        if item.no in self.indents:
            return not _is_lead(item) and not _indented(self.indents[item.no])
        first = self.first_lines.get(item.no, item.text)
        set_in = _set_in(first, self.measure) or (item.text != first and _set_in_width(first, self.measure))
        return not _is_lead(item) and not set_in

    def fragments(self, items: list[L.InputLine]) -> list[tuple[str, list[L.InputLine]]]:
        """``items`` cut into ('head', run of head lines), ('body', paragraphs of one block) and
        ('other', a label, furniture …) pieces, in input order."""
        out: list[tuple[str, list[L.InputLine]]] = []
        for item in items:
            kind = "head" if item.kind in HEADISH else "body" if item.kind in BODY else "other"
            if out and out[-1][0] == kind and kind != "other" and (kind == "head" or out[-1][1][-1].no not in self.block_ends):
                out[-1][1].append(item)
            else:
                out.append((kind, [item]))
        return out

    def reorder(self, items: list[L.InputLine]) -> list[L.InputLine]:
        """Each story's text right after its head, as printed.

        pdftotext reads a row of stories set side by side as their heads one after the other, then
        their columns' blocks, left to right, row by row. So: a run of heads whose stories have not
        begun (as many as the datelines that follow, or split by their bylines) take the blocks that
        open a paragraph in their order; a block that goes on a sentence cut at a column's foot
        belongs to the story whose text stopped there first.
        """
        frags = self.fragments(items)
        if self.tops is not None:
            self.mark_stories(frags)
            return items
        slots: list[list[L.InputLine]] = []  # the output, a slot per story (its head, then its blocks)
        waiting: list[list[L.InputLine]] = []  # stories whose heads are read and text is not
        opened: list[list[L.InputLine]] = []  # stories that stop mid-sentence, the earliest first
        current: list[L.InputLine] | None = None
        before: list[L.InputLine] | None = None  # the story read before the last run of heads
        promised: dict[int, list[L.InputLine]] = {}  # a block's first line -> the head left waiting that it tells
        for n, (kind, part) in enumerate(frags):
            if kind == "other" and part[0].kind == L.EDNOTE and current is not None and current in waiting:
                current.extend(part)  # an editor's note under the head just read, before its text: that story's
                continue
            if kind == "other":
                slots.append(part)
                if _page_top(part[0]):
                    waiting, opened, current, before = [], [], None, None  # a new page: its stories start here
                    promised = {}
                continue
            if kind == "head":
                leads = _leads_before_head(frags[n + 1 :])
                stories = _stories(part, leads)
                apart = len(stories) == 1 and self.signed_apart(part)
                if len(stories) == 2 and self.signed_apart(part):
                    stories = [[part[0], part[2]], [part[1]]]  # one story each, the byline apart under the first head
                stories = [piece for story in stories for piece in self.parted(story)]
                # a subhead follows a finished paragraph of its story, and never carries a column's tag
                if opened or len(stories) > 1 or _tagged(part):
                    for story in stories:
                        story[0].data["story"] = True
                slots.extend(stories)
                before = current if current is not None and current not in stories and len(current) > 1 else None
                # heads still waiting keep waiting when more stories open below than this run has heads
                kept = waiting[len(waiting) - (leads - len(stories)) :] if leads > len(stories) else []
                for story in waiting[: len(waiting) - len(kept)]:
                    head = story[-1].kind == L.SHORT and not _ends(story[-1].text)  # (a caption ends its sentence)
                    if head and (told := _told_later(story, frags[n + 1 :])) is not None:
                        promised[told] = story  # a head left with no text waits for the block that tells its story
                waiting, current = [*kept, *stories], stories[-1]
                apart = apart and not _signed_later(frags[n + 1 :])
                if len(stories) > 1 and (apart or part[-1].no not in self.block_ends):
                    # the last head's block runs on into the text, or the first is signed under its head, in the
                    # column after the second's: the text that comes first is the last head's
                    waiting.insert(0, waiting.pop())
                continue
            if part[0].no in promised and not (self.continues(part[0]) and opened):
                target = promised.pop(part[0].no)
                if waiting and all(x.kind in (L.CAPTION, L.CREDIT) for x in waiting[-1]):
                    pictures = waiting.pop()  # the story's photos, their captions printed right over its text
                    slots[:] = [slot for slot in slots if slot is not pictures]
                    target.extend(pictures)
            elif self.continues(part[0]) and opened:
                target = next((s for s in opened if self.takes_up(s[-1], part[0])), opened[0])
            elif part[0].kind == L.SPEAKER and (signed := _signed_beside(waiting)) is not None:
                target = signed  # a title and a name opening a block: the signature under the head beside
                waiting.remove(signed)
                L.signs_head(part[0])
            elif (told := self.told_next(part, frags[n + 1 : n + 2], promised)) is not None:
                target = promised.pop(told)  # the block that tells a waiting head's story goes on this one's sentence
            elif (
                waiting
                and before is not None
                and not _is_lead(part[0])
                and not (current in waiting and current[-1].no not in self.block_ends)  # (the head's block runs on into it)
                and (
                    _dated_ahead(frags[n + 1 :]) >= len(waiting)
                    or (current in waiting and self.told_past_heads(waiting, frags[n + 1 :]))
                )
            ):
                # the heads wait for the datelines still to come, or (right under them) for blocks past the next
                # heads that tell their stories: this undated text goes on the story before, printed round the heads
                # (a head set into the column of the story above it)
                target = before
                for story in waiting:
                    story[0].data["story"] = True
            elif (
                waiting
                and current is not None
                and any(x.kind in BODY for x in current)  # (a story being read: heads with no text yet take theirs)
                and not _is_lead(part[0])
                and all(_told_later(x, frags[n + 1 :]) is not None for x in waiting)
            ):
                target = current  # the waiting heads' texts come later, each where a block tells it: this goes on
            elif waiting:
                target = waiting.pop(_likeliest(part, waiting))
            elif current is not None and not _is_lead(part[0]):
                target = current
            else:  # text before any head, or a dateline no head waits for: a story of its own
                target = []
                slots.append(target)
            target.extend(part)
            current = target
            opened = [s for s in opened if s is not target]
            if self.is_open(part[-1]):
                opened.append(target)
        return [item for slot in slots for item in slot]

    def told_next(self, part: list[L.InputLine], after, promised: dict) -> int | None:
        """The first line of the next block (``after``: the fragment after ``part``), when that block is the
        one that tells a waiting head's story (``promised``) and goes on the sentence ``part`` stops in:
        ``part`` then opens that story's text."""
        if not after or after[0][0] != "body" or after[0][1][0].no not in promised:
            return None
        block = after[0][1][0]
        return block.no if self.is_open(part[-1]) and self.continues(block) and not _is_lead(part[0]) else None

    def told_past_heads(self, waiting: list[list[L.InputLine]], frags) -> bool:
        """Is each waiting head a block of its own (a subhead is set in its text's block) whose story a block
        printed after the next run of heads tells (:func:`_told_later`)? Such a head's text comes after other
        stories' (its own text repeats its head further in)."""
        start = next((k for k, (kind, _) in enumerate(frags) if kind == "head"), len(frags))
        return all(
            story[-1].kind == L.SHORT and story[-1].no in self.block_ends and _told_later(story, frags[start:]) is not None
            for story in waiting
        )

    def parted(self, story: list[L.InputLine]) -> list[list[L.InputLine]]:
        """A story's head lines, or two stories' when they are signed apart (:meth:`signed_apart`): the first
        head with the byline under it, and the second head (which the assembler reads as a head of its own)."""
        if not self.signed_apart(story):
            return [story]
        story[1].data["beside"] = True
        return [[story[0], story[2]], [story[1]]]

    def signed_apart(self, run: list[L.InputLine]) -> bool:
        """Default-mode text: two heads (wrapped or not) and a byline, each a block of its own. A byline printed
        under its head comes in the head's block (a kicker's head too), so one apart from the head above it
        stands under the first head: the two are heads of stories side by side, and the byline the first's."""
        if len(run) != 3 or run[0].kind != L.SHORT or run[1].kind != L.SHORT or run[2].kind not in (L.BYLINE, L.NAMES):
            return False
        return all(x.no in self.block_ends for x in run) and run[2].end is None

    def by_strip(self, story: list[L.InputLine]) -> list[list[L.InputLine]]:
        """Layout text: a story's head lines cut where a head opens a column strip right after a head in
        another strip (heads side by side, each alone in its strip over a photo; a kicker stands in its
        head's strip), or where a head follows one on the same printed row (a kicker stands over its head)."""
        out = [story[:1]]
        for before, item in itertools.pairwise(story):
            stripped = before.no in self.indents and item.no in self.indents
            same_row = self.rows.get(before.no, 0) == self.rows.get(item.no, -1)
            if item.kind == before.kind == L.SHORT and item.no in self.opens and (stripped or same_row):
                item.data["beside"] = True  # (the assembler reads it as a head of its own,
                out[-1][0].data["waits"] = True  # and the head before it as one whose text comes after its neighbour's)
                out.append([])
            out[-1].append(item)
        return out

    def mark_stories(self, frags: list[tuple[str, list[L.InputLine]]]) -> None:
        """Text already in reading order: a head at the top of a column strip, after a story cut mid-sentence,
        or one of several heads in a row starts a story (a subhead goes on inside its column)."""
        assert self.tops is not None
        cut = False
        for n, (kind, part) in enumerate(frags):
            if kind == "head":
                stories = [s for story in _stories(part, _leads_before_head(frags[n + 1 :])) for s in self.by_strip(story)]
                if part[0].no in self.tops or cut or len(stories) > 1:
                    for story in stories:
                        story[0].data["story"] = True
            elif kind == "body":
                cut = self.is_open(part[-1])


#: A line ending in a term in quotation marks, no sentence's end inside it: …为实现“十五五”.
QUOTED_TERM = re.compile(rf"“[^“”{rules.SENTENCE_END}，,]{{1,12}}”$")


def _quoted_term(text: str) -> bool:
    return bool(QUOTED_TERM.search(text))


def _is_lead(item: L.InputLine) -> bool:
    return _is_lead_text(item.text)


def _is_lead_text(text: str) -> bool:
    return bool(rules.NEWS_LEAD.match(text) or rules.BRIEF_LEAD.match(text))


def _page_top(item: L.InputLine) -> bool:
    """A section label, or a running head with the page or the date (not a folio, which pdftotext may print
    before the rest of its page)."""
    return item.kind == L.LABEL or (item.kind == L.FURNITURE and ("版" in item.text or bool(rules.DATE.search(item.text))))


def _likeliest(part: list[L.InputLine], waiting: list[list[L.InputLine]]) -> int:
    """Which of the heads waiting for their text a block that opens with a dateline belongs to: the first
    whose head carries no column tag (（某某谈）: a column's piece is signed, not dated), unless another head's
    words recur in the block's first paragraph far more (a story's first sentence repeats its head: who met
    whom, what opened where)."""
    if len(waiting) < 2 or not _is_lead(part[0]):
        return 0
    text = L.bigrams(part[0].text)
    shared = [len(text & L.bigrams("".join(x.text for x in story if x.kind == L.SHORT))) for story in waiting]
    first = next((k for k, story in enumerate(waiting) if not _tagged(story)), 0)  # a column's piece is signed, not dated
    best = max(range(len(shared)), key=lambda k: (shared[k], -k))
    return best if shared[best] >= 2 * shared[first] + 2 else first


def _tagged(story: list[L.InputLine]) -> bool:
    return any(x.kind == L.SHORT and TAGGED_HEAD.search(x.text) for x in story)


def _signed_beside(waiting: list[list[L.InputLine]]) -> list[L.InputLine] | None:
    """The waiting story of a head printed beside a signed one (:meth:`Unwrapped.parted`), with no text yet."""
    return next((s for s in waiting if s[0].data.get("beside") and all(x.kind in HEADISH for x in s)), None)


def _signed_later(frags) -> bool:
    """Does a block after the first, before the next head, open with a title and a name on a line of its own?
    Under two heads signed apart, that signs the second head's story, printed after the first's text."""
    for k, (kind, part) in enumerate(frags):
        if kind == "head":
            return False
        if kind == "body" and k > 0 and part[0].kind == L.SPEAKER:
            return True
    return False


def _bodies_before_head(frags) -> Iterator[list[L.InputLine]]:
    """The text blocks before the next head (captions are read past: a photo between the stories' texts)."""
    for kind, part in frags:
        if kind == "head" and any(x.kind not in (L.CAPTION, L.CREDIT) for x in part):
            return
        if kind == "body":
            yield part


def _dated_ahead(frags) -> int:
    """How many blocks open with a dateline before the next head."""
    return sum(1 for part in _bodies_before_head(frags) if _is_lead(part[0]))


def _told_later(story: list[L.InputLine], frags) -> int | None:
    """The first line of the first block further on its page whose first paragraph repeats most of the
    words of ``story``'s head: a story's first sentence says what its head says (宁波舟山港
    … 成为全球首个年货物吞吐量超14亿吨的大港), so that block is the story's text, printed after other stories."""
    head = L.bigrams("".join(x.text for x in story if x.kind == L.SHORT))
    for (kind, part), after in zip(frags, [*frags[1:], ("other", [])], strict=False):
        if kind == "other" and _page_top(part[0]):
            break
        if kind == "body" and head and len(head & L.bigrams(_first_sentence(part, after))) >= 0.6 * len(head):
            return part[0].no
    return None


def _first_sentence(part: list[L.InputLine], after: tuple[str, list[L.InputLine]]) -> str:
    """A block's first paragraph, and when the block is that paragraph cut mid-sentence at its end, the first
    paragraph of the block after it (``after``), where that sentence most often goes on."""
    text = part[0].text
    if len(part) == 1 and not rules.ENDS_SENTENCE.search(text) and after[0] == "body":
        text += after[1][0].text
    return text


def _leads_before_head(frags) -> int:
    """How many stories open in the blocks before the next head: each block that opens with a dateline,
    and one more when the text starts without one and a dateline follows (heads side by side, the first
    story's text undated, the second's dated)."""
    blocks = list(_bodies_before_head(frags))
    count = sum(1 for part in blocks if _is_lead(part[0]))
    return count + (1 if count and not _is_lead(blocks[0][0]) else 0)


def _stories(run: list[L.InputLine], leads: int) -> list[list[L.InputLine]]:
    """A run of head lines as the heads of one story or of several printed side by side: one per
    headline when as many datelines follow, else split after each byline and round a headline that ends
    in its column's tag (（某某谈）: a column's piece has no kicker, and a kicker carries no tag) (a subtitle,
    ——…, a byline and a caption stay with the headline above them)."""
    units: list[list[L.InputLine]] = []
    for item in run:
        if item.kind == L.SHORT and not item.text.startswith("—"):
            units.append([item])
        elif units:
            units[-1].append(item)
        else:
            units.append([item])
    if len(units) > 1 and leads >= len(units):
        return units
    stories: list[list[L.InputLine]] = [[]]
    for unit in units:
        signed = any(x.kind in (L.BYLINE, L.NAMES) for x in stories[-1])
        if stories[-1] and (signed or _tagged(stories[-1]) or _tagged(unit) or unit[0].data.get("beside")):
            stories.append([])
        stories[-1].extend(unit)
    return stories


def block_measures(raw: list[str], full: int) -> dict[int, int]:
    """The measure of each block (lines between blank lines) set narrower than the text's own ``full``, by
    line number: a paragraph's lines but its last fill the column, so the widest width that at least three of
    the block's lines but its last share is the block's column (a story set narrow beside a vertical head),
    when none of its lines inside is wider; a block too short to show it, with a line as wide as the narrow
    block before it and none wider, is that column's."""
    out: dict[int, int] = {}
    block: list[int] = []
    before = None  # the narrow measure of the block before
    for number, text in enumerate([*raw, ""], start=1):
        if text.strip() or not block:
            block += [number] if text.strip() else []
            continue
        widths = Counter(round(width(raw[n - 1].strip())) for n in block[:-1])
        narrow = max((w for w, c in widths.items() if c >= 3 and 8 <= w < full - 1), default=None)
        if narrow is None and before is not None and widths.get(before):
            narrow = before  # a block too short to show its measure, filled as narrow as the one before: that column
        inner = [round(width(raw[n - 1].strip())) for n in block[1:-1]]  # (the first may be a head)
        if narrow is not None and all(w <= narrow + 1 for w in inner):
            out.update((n, narrow) for n in block)
        else:
            narrow = None
        before, block = narrow, []
    return out


#: A strip this many times as wide as the text's measure, or more, is read by its own (a picture's story set across it).
WIDER = 1.25


def strip_measures(
    raw: list[str], full: int, strip_of: dict[int, int], tops: set[int] | frozenset[int] = frozenset()
) -> dict[int, int]:
    """Layout text: the measure of each column strip set narrower than the text's own ``full``, or far wider (a
    picture's story across it), by line number (a strip is one column: its lines fill its own measure; a line on its
    band's first row, ``tops``, may be a head over it and counts for none). A strip a little wider is the text's own
    measure still: a story's columns set a character or two wider read as they did, so a head as wide as them stays
    a head."""
    out: dict[int, int] = {}
    for numbers in _by_strip(strip_of):
        here = _strip_measure(raw, [n for n in numbers if n not in tops])
        if here is not None and (here < full - 1 or here >= WIDER * full):
            out.update((n, here) for n in numbers)
    return out


def _strips_measure(raw: list[str], strip_of: dict[int, int]) -> int | None:
    """Layout text whose pages set columns of several measures (no one measure most lines fill): the measure of
    the strips that hold most lines, each strip filling its own."""
    votes: Counter[int] = Counter()
    for numbers in _by_strip(strip_of):
        if (here := _strip_measure(raw, numbers)) is not None:
            votes[here] += len(numbers)
    return max(votes, key=lambda m: (votes[m], m)) if votes else None


def _by_strip(strip_of: dict[int, int]) -> list[list[int]]:
    """The line numbers of each column strip."""
    lines: dict[int, list[int]] = {}
    for number, strip in strip_of.items():
        lines.setdefault(strip, []).append(number)
    return list(lines.values())


def _strip_measure(raw: list[str], numbers: list[int]) -> int | None:
    """The measure these lines of one strip fill (four lines at least show it)."""
    return measure([raw[n - 1].strip() for n in numbers]) if len(numbers) >= 4 else None


#: A vertical line of type comes out of pdftotext one character a line: at least this many in a row.
VERTICAL_MIN = 4


def vertical_runs(raw: list[str]) -> dict[int, tuple[int, str]]:
    """Runs of lines that hold one character each, most of them Chinese (blank lines between them allowed):
    a headline set vertically, which pdftotext prints one character a line (its quotes and digits too).
    First line number -> (last line, text)."""
    out: dict[int, tuple[int, str]] = {}
    run: list[tuple[int, str]] = []
    for number, text in enumerate([*raw, "."], start=1):
        text = text.strip()
        if not text and run:
            continue
        if len(text) == 1:
            run.append((number, text))
            continue
        if len(run) >= VERTICAL_MIN and sum(1 for _, ch in run if re.match(rules.HAN, ch)) >= 0.6 * len(run):
            out[run[0][0]] = (run[-1][0], "".join(ch for _, ch in run))
        run = []
    return out


#: A wrapped head's last characters (up to five, a line's short last word: 统计标准) printed on the next column's line
#: after a space: … 李强在人民大会堂北大厅为 理马丁.
GLUED_TAIL = re.compile(rf"^(.{{8,}}?) ({rules.HAN}{{1,5}}[{rules.CLOSERS}]?)$")
#: A longer rest of a head across columns, after the last space of the row it shares with the columns before.
GLUED_REST = re.compile(rf"^(.{{8,}}) ({rules.HAN}\S{{3,}})$")


def _glued_tails(
    raw: list[str], full: int, words: set[str] | frozenset[str], vocabulary: rules.Vocabulary
) -> tuple[list[str], set[int]]:
    """pdftotext's default mode prints a head wider than the column, wrapped, then the row its last
    characters share with the text of the columns before: that line ends in them after a space (a byline
    or a dateline ends in a name so too: those are no text). Display type takes more leading, so the row
    may be the second under the head (then the rest cuts the word of a head that is no row of columns). They go back on the head, which
    then ends its block (the numbers of such heads come second): the text left on that row is the columns'."""
    out = list(raw)
    breaks: set[int] = set()
    for n in range(len(out) - 1):
        head = out[n].strip()
        if not (width(head) > full + 0.5 and L.heading_shape(head) and not _ends(head)):
            continue
        for m in (n + 1, n + 2):
            line = out[m].strip() if m < len(out) else ""
            glued = _glued_tail(head, line, words, vocabulary) if line else None
            if glued is not None and (m == n + 1 or (" " not in head and _cut_before(head, glued[2], words))):
                out[n], out[m] = head + glued[2], glued[1]
                breaks.add(n + 1)
                break
            if " " not in line:
                break  # (the line under is no row of columns beside the head)
    return out, breaks


def _glued_tail(head: str, line: str, words: set[str] | frozenset[str], vocabulary: rules.Vocabulary) -> re.Match | None:
    """The head's last characters at the end of ``line`` after a space (groups: the line's own text, the
    rest), unless the line is a byline or a dateline, which ends in a name so too."""
    glued = GLUED_TAIL.match(line) or _glued_rest(head, line, words)
    if not glued or L.signs(line, vocabulary) or ((lead := rules.NEWS_LEAD.match(line)) and lead.end() >= glued.start(2)):
        return None
    return glued


def _glued_rest(head: str, line: str, words: set[str] | frozenset[str]) -> re.Match | None:
    """A head across two columns wraps into a rest longer than a few characters, printed after the text of
    the columns before on their row: it takes up the word the head breaks off and reads as a head's end."""
    glued = GLUED_REST.match(line)
    if glued is None or not head or not _cut_before(head, glued[2], words):
        return None
    rest = glued[2]
    return glued if L.heading_shape(head + rest) and not re.search(r"[，。；：]", rest) and width(rest) <= width(head) else None


def _wrapped_display(head: str, rest: str, full: float) -> bool:
    """A head wider than the column (display type across columns) and a shorter head-shaped line in its
    block: with the dateline right under them, that line is the head's rest (a subtitle opens with ——)."""
    return width(head) > full + 1 and width(rest) < width(head) and L.heading_shape(rest) and not rest.startswith(("—", "─"))


#: A line of two heads printed in one row: pdftotext's default mode prints them one space apart.
TWO_HEADS = re.compile(r"^(\S{6,}) (\S.{5,})$")

#: How far into the block under a row of two heads the left one's rest may be printed (:func:`_late_rest`).
LATE_REST_LINES = 8


def _cut_before(head: str, rest: str, words: set[str] | frozenset[str]) -> bool:
    """Does ``rest`` take up the word or the number ``head`` breaks off (the pair stands elsewhere), or close
    the bracket or quotation it leaves open?"""
    closes = L.quote_balance(head)[1] > 0 and L.quote_balance(rest)[0] > 0
    return closes or (head[-1] + rest[0]) in words or (head[-1].isdigit() and rest[0].isdigit())


def _closed(head: str) -> bool:
    """A head that can take no rest: it ends a statement or in its column's tag (…办实（今日谈）); a question
    or an exclamation may go on (谁做的？/ 太浪漫了)."""
    return (_ends(head) and not _asks(head)) or bool(TAGGED_HEAD.search(head))


def _asks(head: str) -> bool:
    """The head ends in a question or an exclamation mark (a closing quote or bracket may follow)."""
    return head.rstrip(rules.CLOSERS).endswith(("？", "！", "?", "!"))


def _after_question(head: str, rest: str) -> bool:
    """A head that asks or exclaims goes on to a short rest (谁做的？/ 太浪漫了, as :func:`head_goes_on` reads it)."""
    return _asks(head) and width(rest) <= REST_SHARE * width(head)


def _two_heads(line: str, after: str, words: set[str] | frozenset[str], vocabulary: rules.Vocabulary) -> tuple[str, str] | None:
    """Default mode prints two heads set side by side in one row as one line, a space between (A B), and
    their wrapped rests as the next line (A2 B2, or the left's rest alone): the two heads, when a rest goes
    on its own half's word, or the one rest cuts the left half's word, closes its bracket or follows its
    question, and the right half is whole."""
    pair, rests = TWO_HEADS.match(line), re.match(r"^(\S+) (\S+)$", after)
    if pair is None or not L.heading_shape(pair[2]) or _closed(pair[1]) or L.signs(after, vocabulary):
        return None
    left, right = pair.groups()
    if rests is not None and all(L.heading_shape(part) for part in rests.groups()):
        if L.heading_shape(left) and (head_goes_on(left, rests[1], words) or head_goes_on(right, rests[2], words)):
            return left + rests[1], right + rests[2]
        return None
    if not after or " " in after or not L.heading_shape(left + after) or len(after) > 6:
        return None
    if not (_cut_before(left, after, words) or _after_question(left, after)):
        return None
    return (left + after, right) if _closed(right) or not _cut_before(right, after, words) else None


def _late_rest(
    raw: list[str], n: int, words: set[str] | frozenset[str], vocabulary: rules.Vocabulary
) -> tuple[int, str, str] | None:
    """Two heads in one row (A B) that :func:`_two_heads` does not read: the line further in the block that
    holds only the left head's rest, which pdftotext prints where that short last line falls among the
    columns' lines (…当选几内亚总 / … / 统), when it cuts the left's word and not the right's: its index and
    the two heads; else None."""
    pair, after = TWO_HEADS.match(raw[n].strip()), raw[n + 1].strip()
    if pair is None or not after or not L.heading_shape(pair[1]) or not L.heading_shape(pair[2]) or _closed(pair[1]):
        return None
    for m in range(n + 2, min(n + LATE_REST_LINES, len(raw))):
        rest = raw[m].strip()
        if not rest:
            return None
        short = " " not in rest and len(rest) <= 6 and L.heading_shape(rest) and not L.signs(rest, vocabulary)
        if short and _cut_before(pair[1], rest, words) and (_closed(pair[2]) or not _cut_before(pair[2], rest, words)):
            return m, pair[1], pair[2]
    return None


def _split_two_heads(
    raw: list[str], words: set[str] | frozenset[str], vocabulary: rules.Vocabulary
) -> tuple[list[str], set[int], set[int]]:
    """Each row of two heads printed as one line (:func:`_two_heads`) as two heads, each ending a block, on
    the two lines the row and its rests took (every line keeps its number): the right one takes a short rest
    of its own on the line after (…老人 / 离世), and what follows (the left's byline, set under it) starts a
    block. Also the numbers of the lines that now end a block, and of the right heads: heads of their own
    beside the left (no kicker of theirs), unless a byline under the row signs the left."""
    out = list(raw)
    breaks: set[int] = set()
    beside: set[int] = set()
    for n in range(len(out) - 1):
        heads = None if n + 1 in breaks else _two_heads(out[n].strip(), out[n + 1].strip(), words, vocabulary)
        late = None if heads is not None or n + 1 in breaks else _late_rest(out, n, words, vocabulary)
        if late is not None:  # the lines between move down one, under the right head
            m, left, right = late
            out[n : m + 1] = [left + out[m].strip(), right, *out[n + 1 : m]]
            breaks |= {n + 1, n + 2}
            beside.add(n + 2)
            continue
        if heads is None:
            continue
        left, right = heads
        rest = out[n + 2].strip() if n + 2 < len(out) else ""
        short = len(rest) <= 3 or (len(rest) <= 6 and _cut_before(right, rest, words))
        if rest and " " not in rest and short and L.heading_shape(rest) and not _closed(right):
            right, out[n + 2] = right + rest, ""
        out[n], out[n + 1] = left, right
        breaks |= {n + 1, n + 2}
        under = next((line for line in out[n + 2 : n + 4] if line.strip()), "")
        if not L.signs(under, vocabulary):  # (a byline under them is the left's: its story reads on first)
            beside.add(n + 2)
    return out, breaks, beside


#: How many lines under a writers' line its names (and the head's phrases between them) may take (:func:`_writers_apart`).
WRITERS_LINES = 8


def _writers_apart(raw: list[str], vocabulary: rules.Vocabulary) -> list[str]:
    """Default mode: a writers' line under a head (记者：某某　某某　某某) spaces its names as widely as the head
    its phrases (某某某某　某某某某某), and pdftotext prints each piece as a block of its own, the two rows' pieces
    in turn. The names that follow the writers' line go back on it, and a head-shaped piece between two of them
    goes back on the head above it (every line keeps its number; the pieces' lines are left blank)."""
    out = list(raw)
    for n in range(1, len(out) - 1):
        head, writers = out[n - 1].strip(), out[n].strip()
        if not (rules.ROLE_BYLINE.match(writers) and L.heading_shape(head) and not L.signs(head, vocabulary)):
            continue
        pieces: list[tuple[int, str]] = []
        for m in range(n + 1, min(n + WRITERS_LINES, len(out))):
            text = out[m].strip()
            if text and not (L.heading_shape(text) or rules.NAMES_LINE.match(text)):
                break
            pieces += [(m, text)] if text else []
        while pieces and not (rules.NAMES_LINE.match(pieces[-1][1]) and L.signs(pieces[-1][1], vocabulary)):
            pieces.pop()  # the head's phrases lie between names: what follows the last name is no piece of the row
        if not pieces:
            continue
        names = [t for _, t in pieces if L.signs(t, vocabulary)]
        phrases = [t for _, t in pieces if not L.signs(t, vocabulary)]
        out[n - 1], out[n] = " ".join([head, *phrases]), " ".join([writers, *names])
        for m, _ in pieces:
            out[m] = ""
    return out


def _over_leading(layout: strips.Strips, number: int, printed: set[int]) -> bool:
    """Layout text: is line ``number - 1`` of the reading on its band's first row, a blank input row between it and
    line ``number`` (display type's leading: a row of heads or kickers read at the tops of the columns under it)?
    Such a line goes on only as a head wraps (its rest cuts its word), never as a filled line of text."""
    above, below = layout.sources[number - 2], layout.sources[number - 1]
    return number - 1 in layout.tops and above + 1 < below and not any(above < row < below for row in printed)


def _nameplate(text: str, page_top: str) -> bool:
    """The paper's name as its masthead prints it (the running head over the page opens with it): type of its
    own, so the line under it (the page's section label, set smaller) never goes on it."""
    return bool(rules.PAPER_NAME.match(text)) and page_top.startswith(text)


def _display_goes_on(line: str, after: str, full: float, words: set[str] | frozenset[str], set_in: bool | None) -> bool:
    """A head wider than the column (display type across columns) goes on past a blank line at ``after``,
    a short head-shaped rest that cuts its word (:func:`head_goes_on`). Short: shorter than a line set in
    by the indent, or, when the indent shows (``set_in`` False: layout text), than the measure."""
    return (
        width(line) > full + 0.5
        and L.heading_shape(line + after)
        and width(after) < full - (0.5 if set_in is not None else INDENT + 1)
        and L.heading_shape(after)
        and head_goes_on(line, after, words)
    )


def unwrap(source: str, vocabulary: rules.Vocabulary, layout: strips.Strips | None = None) -> Unwrapped | None:
    """The paragraphs of column-set ``source`` (cleaned text), or None when the text is not set in
    columns (then every input line is a paragraph); ``layout``: the text is pdftotext -layout text put in
    reading order already (:mod:`.strips`), which says where strips open and how far right of its strip's
    usual start each line begins (a paragraph's first line is set in by INDENT em: SET_IN positions)."""
    indents = layout.indents if layout else None
    raw = source.split("\n")
    texts = [t.strip() for t in raw if t.strip()]
    full = measure(texts) or (_strips_measure(raw, layout.strips) if layout is not None else None)
    if full is None:
        return None
    words = pairs(texts)
    breaks: set[int] = set()  # lines that end a block though no blank line follows
    beside: set[int] = set()  # heads of their own printed beside the head before
    if layout is None:
        raw, breaks, beside = _split_two_heads(_writers_apart(raw, vocabulary), words, vocabulary)
        raw, glued = _glued_tails(raw, full, words, vocabulary)
        breaks |= glued
    narrow = block_measures(raw, full) if layout is None else strip_measures(raw, full, layout.strips, layout.tops)
    out: list[L.InputLine] = []
    first: dict[int, str] = {}
    last: dict[int, str] = {}
    ends: set[int] = set()
    current: L.InputLine | None = None
    heading = True  # the paragraph so far may be a head (its lines went on as a headline does)
    previous = ""
    upright = vertical_runs(raw)
    printed = set(layout.sources) if layout is not None else set()  # the input rows that print text
    parted: tuple[L.InputLine, str] | None = None  # a head line a blank line follows, and its last line
    skip = 0
    for number, text in enumerate(raw, start=1):
        text = text.strip()
        if number <= skip:
            continue
        if number in upright:  # a vertical head: one line of its own
            if current is not None:
                ends.add(current.no)
            skip, joined = upright[number]
            current = L.InputLine(number, joined, data={"vertical": True})
            out.append(current)
            first[number] = last[number] = joined
            ends.add(number)
            current, previous = None, ""
            continue
        if not text or number - 1 in breaks:
            if current is not None:
                ends.add(current.no)
            parted = (current, previous) if current is not None and heading else None
            current, previous = None, ""
            if not text:
                continue
        set_in = _indented(indents[number]) if indents and number in indents else None
        here = narrow.get(number, full)
        joined = _runs_on(previous, text, here, vocabulary, heading, set_in, words, layout is None) if current is not None else ""
        if (
            current is not None
            and heading
            and indents
            and _centred_under(previous, text, indents.get(number - 1), indents.get(number), here)
        ):
            joined = HEAD
        if (
            current is not None
            and heading
            and indents
            and _first_line_goes_on(previous, text, indents.get(number - 1), set_in, here)
        ):
            joined = LINE
        if joined == LINE and layout is not None and _over_leading(layout, number, printed):
            joined = ""
        if joined == LINE and current is not None and current.data.get("display"):
            joined = ""  # a head across columns, its rest past a blank line (below): no line of text goes on it
        if parted is not None and _display_goes_on(parted[1], text, here, words, set_in):
            (current, previous), joined = parted, HEAD  # a head across columns so large a blank line parts its lines
            ends.discard(current.no)
            current.data["display"] = True
        parted = None
        if current is not None and _nameplate(current.text, texts[0]):
            joined = ""
        if current is not None and joined:
            heading = joined == HEAD
            ascii_pair = current.text[-1:].isascii() and current.text[-1:].isalnum() and text[:1].isascii() and text[:1].isalnum()
            ascii_pair = ascii_pair and not (current.text[-1:].isdigit() and text[:1].isdigit())  # (one number)
            current.text += (" " if ascii_pair else "") + text
            current.end = number
        else:
            current, heading = L.InputLine(number, text, data={"beside": True} if number in beside else {}), True
            out.append(current)
            first[number] = text
        last[current.no] = text
        previous = text
    if current is not None:
        ends.add(current.no)
    if layout is None:
        return Unwrapped(out, full, first, last, ends, words=words)
    rows = {n: row for n, row in enumerate(layout.sources, start=1) if row}
    return Unwrapped(out, full, first, last, ends, layout.tops, layout.indents, layout.opens, words, rows)
