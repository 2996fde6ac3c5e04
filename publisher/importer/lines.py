"""Decode the extracted text and classify each non-blank line by what it looks like on its own.

Context (what comes before and after) is the assembler's job; a line here only
knows its own shape: masthead, furniture, label, byline, caption, paragraph,
or a short line that may be a headline, subhead, kicker or subtitle.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from publisher import text as textlib
from publisher.importer import rules


class ImportFailure(Exception):
    """The input cannot be imported; the message says what to do instead."""


# Line kinds.
MASTHEAD = "masthead"
FURNITURE = "furniture"
LABEL = "label"
EDNOTE = "editor-note"
BYLINE = "byline"  # □ name, 本报评论员, 策划：…
NAMES = "names"  # a line of personal names (a byline when it sits under a headline)
SPEAKER = "speaker"  # a signature line closing a speech
SOURCE = "source"
CAPTION = "caption"
CREDIT = "credit"
CONTINUED = "continued"  # (接上期): kept in the body
AUTHOR_UNIT = "author-unit"  # 作者单位 …: kept in the body, closes the story
SHORT = "short"  # a heading of some sort
PARA = "para"


@dataclass
class InputLine:
    """One non-blank input line (``no`` is 1-based) and what it looks like."""

    no: int
    text: str
    kind: str = PARA
    label_kind: str | None = None  # 'section' or 'series' for labels
    data: dict = field(default_factory=dict)
    end: int | None = None  # the number of its last line, when several printed lines were read as one

    @property
    def last(self) -> int:
        return self.end or self.no

    @property
    def is_open(self) -> bool:
        """A paragraph that stops mid-sentence (a column break cut it)."""
        return self.kind == PARA and not rules.ENDS_SENTENCE.search(self.text)


def decode(data: bytes, name: str = "the file") -> tuple[str, str]:
    """Return (text, encoding) for UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 bytes."""
    if not data.strip():
        raise ImportFailure(f"{name} is empty; export the e-paper's text again (e.g. pdftotext paper.pdf paper.txt)")
    if data.startswith(b"%PDF"):
        raise ImportFailure(f"{name} is a PDF, not text; extract its text first: pdftotext {name} out.txt, then import out.txt")
    if data.startswith(b"PK\x03\x04"):
        raise ImportFailure(f"{name} is a zip/Word/EPUB file, not text; save it as plain text (.txt, UTF-8) and import that")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFailure(f"{name} starts like UTF-16 but does not decode; save it as UTF-8") from None
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in sample or controls > len(sample) // 50:
        raise ImportFailure(
            f"{name} looks like a binary file, not text; import the text extracted from the e-paper (UTF-8 or GB18030)"
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        decoded = data.decode("gb18030")
    except UnicodeDecodeError:
        line = data[: utf8_error.start].count(b"\n") + 1
        raise ImportFailure(
            f"{name} is neither UTF-8 nor GB18030 text (first bad byte on line {line}); save it as UTF-8 and import it again"
        ) from None
    if not textlib.has_cjk(decoded):
        raise ImportFailure(f"{name} is not UTF-8 and holds no Chinese text as GB18030; save it as UTF-8 and import it again")
    return decoded, "gb18030"


#: A space between a CJK character (or CJK punctuation) and a Latin letter or digit: the gap a layout system sets
#: there, which pdftotext prints as a space (新华社北京 1 月 5 日电); Chinese text writes none.
_CJK = rules.CJK + "\u3000-\u303f\uff00-\uffef"
_CJK_LATIN_SPACE = re.compile(rf"(?<=[{_CJK}]) (?=[A-Za-z0-9])|(?<=[A-Za-z0-9]) (?=[{_CJK}])")
_CJK_LATIN = re.compile(rf"[{_CJK}][A-Za-z0-9]|[A-Za-z0-9][{_CJK}]")
#: The spaces are the extraction's when most places where CJK meets Latin have one (2025 年 4 月), and so
#: many that they are the pages' convention, not a head's phrases set apart (立法 5月1日起施行).
SPACED_SHARE = 0.5
SPACED_MIN = 10


def unspaced(text: str) -> str:
    """``text`` without the spaces extraction put between CJK and Latin throughout (a line keeps its place)."""
    spaced = len(_CJK_LATIN_SPACE.findall(text))
    if spaced < SPACED_MIN or spaced < SPACED_SHARE * (spaced + len(_CJK_LATIN.findall(text))):
        return text
    return _CJK_LATIN_SPACE.sub("", text)


def split(source: str) -> list[InputLine]:
    """The non-blank lines of ``source`` (already cleaned), with their 1-based numbers."""
    out = []
    for number, raw in enumerate(source.split("\n"), start=1):
        stripped = raw.strip()
        if stripped:
            out.append(InputLine(number, stripped))
    return out


def masthead_lines(lines: list[InputLine]) -> tuple[int, set[int]]:
    """Where the masthead (paper name, serial, date, 总第N期 …) ends among the leading lines, and which of them
    are its lines: the page's flag printed inside it (要闻, repeating the running head's name) names the section."""
    # a running head printed above the masthead (要闻 第1版) comes first in extracted text
    lead = next((i for i, x in enumerate(lines[:3]) if not rules.PAGE_HEAD.match(x.text)), 0)
    count = lead
    names = {rules.page_head_name(x.text) for x in lines[: 12 + lead]} - {None}
    flags = set()
    for index, line in enumerate(lines[: 12 + lead]):
        t = line.text
        if index < lead:
            continue
        if index > lead and rules.PAGE_HEAD.match(t):
            continue  # a running head printed beside the masthead
        if index > lead and t.strip() in names:
            flags.add(index)
            continue
        if (
            (rules.PAPER_NAME.match(t) and (index == lead or lines[0].text.startswith(t)))
            or rules.PAPER_EN.match(t)
            or rules.GRADE.match(t)
            or rules.SERIAL.search(t)
            or rules.NUMBER.search(t)
            or rules.MASTHEAD_WORDS.search(t)
            or (rules.DATE.search(t) and len(t) <= 40)
        ):
            count = index + 1
        else:
            break
    return count, set(range(count)) - flags


def classify(lines: list[InputLine], vocabulary: rules.Vocabulary) -> None:
    """Set ``kind`` (and parsed ``data``) on every line, in place."""
    head, masthead = masthead_lines(lines)
    for index, line in enumerate(lines):
        if index in masthead:
            line.kind = MASTHEAD
        else:
            classify_line(line, vocabulary)
    _column_lines(lines[head:])
    for before, line in zip(lines[head:], lines[head + 1 :], strict=False):
        if line.kind == SPEAKER and before.kind == SHORT:
            signs_head(line)


def signs_head(line: InputLine) -> None:
    """A title and a name right under a headline sign the piece there (a signature closes a speech): a byline."""
    line.kind, line.data = BYLINE, {"authors": [(line.data["name"], line.data["role"])]}


#: Text set in columns: this share of its lines fill the column's measure.
SET_IN_COLUMNS = 0.4


def _width(text: str) -> float:
    """A line's printed width in em: CJK and full-width characters one, Latin letters, digits and spaces half."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.5 for ch in text)


def _column_lines(lines: list[InputLine]) -> None:
    """In text extracted from pages set in columns (most lines fill the same measure), a short line that
    fills the measure, after a line cut mid-sentence, and does not end a sentence itself is a piece of a
    paragraph cut by the column, not a heading (a headline spanning columns can fill the measure too)."""
    widths = Counter(round(_width(x.text)) for x in lines if _width(x.text) >= 8)
    if not widths:
        return
    measure, count = widths.most_common(1)[0]
    filled = count + widths.get(measure - 1, 0)
    if filled < SET_IN_COLUMNS * sum(widths.values()):
        return
    for before, line in zip([None, *lines], lines, strict=False):
        runs_on = before is not None and not rules.ENDS_SENTENCE.search(before.text)  # the line before it is cut too
        if line.kind == SHORT and runs_on and _width(line.text) >= measure - 1 and not rules.ENDS_SENTENCE.search(line.text):
            line.kind = PARA


def classify_line(line: InputLine, vocabulary: rules.Vocabulary) -> None:
    t = line.text
    short = len(t) <= rules.HEADING_MAX and "。" not in t[:-1]
    if any(p.match(t) for p in rules.FURNITURE):
        line.kind = FURNITURE
    elif rules.CONTINUED.match(t):
        line.kind = CONTINUED
    elif rules.AUTHOR_UNIT.match(t):
        line.kind = AUTHOR_UNIT
    elif (jump := rules.JUMP_IN.match(t) or rules.JUMP_OUT.search(t)) and jump.group(0) == t:
        line.kind, line.data = CONTINUED, {"jump": "in" if rules.JUMP_IN.match(t) else "out"}
    elif label := vocabulary.read(t):
        line.kind, line.label_kind, line.data = LABEL, label["kind"], label
    elif note := rules.EDITOR_NOTE.match(t):
        line.kind = EDNOTE
        line.data = {"label": note.group(0).strip(), "rest": t[note.end() :].strip()}
    elif rules.COMMENTATOR.match(t):
        line.kind, line.data = BYLINE, {"authors": [(t, None)]}
    elif (box := rules.BOX_BYLINE.match(t)) and (rules.COMMENTATOR.match(box.group(1)) or rules.role_names(box.group(1))):
        inner = box.group(1)
        authors = None if rules.COMMENTATOR.match(inner) else rules.role_names(inner)
        line.kind, line.data = BYLINE, {"authors": authors or [(inner, None)]}
    elif short and (authors := rules.role_names(t)) and any(role for _, role in authors):
        line.kind, line.data = BYLINE, {"authors": authors}
    elif (role := rules.ROLE_BYLINE.match(t)) and len(t) <= 40:
        line.kind, line.data = BYLINE, {"authors": [(role.group(2).strip(), role.group(1))]}
    elif rules.SOURCE.match(t):
        line.kind = SOURCE
    elif mark := rules.CAPTION_MARK.match(t):
        line.kind = CAPTION
        line.data = {"mark": mark.group(1), **caption_parts(mark.group(2))}
    elif rules.CAPTION_START.match(t) and len(t) <= 160:
        line.kind, line.data = CAPTION, caption_parts(t)
    elif rules.CREDIT_LINE.match(t) and len(t) <= 60:
        line.kind = CREDIT
    elif short and rules.looks_like_names(t):
        line.kind, line.data = NAMES, {"names": rules.split_names(t)}
    elif short and (sp := rules.speaker(t)):
        line.kind, line.data = SPEAKER, {"role": sp[0], "name": sp[1]}
    elif short and heading_shape(t):
        line.kind = SHORT
        if bullet := re.match(r"^([■●◆◇□○◎]+)\s*(?=\S)", t):  # ■某某车间开展技能比武: an item's headline
            line.data = {"bullet": bullet.group(1), "rest": t[bullet.end() :]}
    else:
        line.kind = PARA


def mark_running_heads(lines: list[InputLine], paper: str) -> None:
    """Page heads that repeat the paper's name ('某某报 2025年5月10日 第2版') are furniture."""
    for line in lines:
        rest = line.text[len(paper) :] if line.text.startswith(paper) else None
        if rest is not None and (not rest.strip() or rules.DATE.search(rest) or re.search(r"第?\s*\d+\s*版|星期", rest)):
            line.kind = FURNITURE


def signs(text: str, vocabulary: rules.Vocabulary = rules.DEFAULT_VOCABULARY) -> bool:
    """A line that is a byline (记者 … 通讯员 …, □ name, a title and a name) when it stands alone."""
    probe = InputLine(0, text)
    classify_line(probe, vocabulary)
    return probe.kind in (BYLINE, NAMES, SPEAKER)


def heading_shape(t: str) -> bool:
    """Could this short line be a heading? Not when it ends or runs on like a sentence."""
    if t.endswith(("。", "，", "、", "；", "：", ":", ";", ",", "…")):
        return False
    if t.endswith(("？", "！", "?", "!")) and ("，" in t or len(t) > 24):
        return False
    if re.match(rf"^{rules.HAN}{{1,6}}[：:]", t) and t.endswith(("？", "！", "?", "!")):
        return False  # 问：… ? — a line of an interview
    if quote_balance(t)[1] > 0:  # an opened quote that never closes: a cut paragraph
        return False
    if (lead := rules.NEWS_LEAD.match(t)) and lead.end() < len(t):  # 新华社北京1月5日电1月4日，…: a story's first line
        return False
    commas = t.count("，") + t.count(",")
    return commas < 2 and not ("、" in t and commas) and not (commas and len(t) >= 26)


def caption_parts(body: str) -> dict:
    """Split '图为…。 普光进 摄' into caption and credit."""
    credit = rules.CREDIT_END.search(body)
    if credit and credit.start() > 0:
        return {"caption": body[: credit.start()].strip(), "credit": credit.group(1).strip()}
    return {"caption": body, "credit": None}


def quote_balance(value: str) -> tuple[int, int]:
    """(closers needed from before, openers left open at the end) for “”, （） and 《》 pairs."""
    depth = lowest = 0
    for ch in value:
        if ch in "“「『（(《":
            depth += 1
        elif ch in "”」』）)》":
            depth -= 1
            lowest = min(lowest, depth)
    return -lowest, max(0, depth - lowest)


def starts_mid(value: str) -> bool:
    """True when a paragraph visibly starts in the middle of a sentence."""
    return bool(rules.STARTS_MID.match(value)) or quote_balance(value)[0] > 0


def bigrams(value: str) -> set[str]:
    """Character bigrams of the letters and digits in ``value``: a cheap fingerprint of its wording."""
    value = re.sub(rf"[^{rules.CJK}0-9A-Za-z]", "", value)
    return {value[i : i + 2] for i in range(len(value) - 1)}


def cosine(x: set[str], y: set[str]) -> float:
    return len(x & y) / (len(x) * len(y)) ** 0.5 if x and y else 0.0
