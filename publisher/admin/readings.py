"""The importers' readings (what they chose where unsure, and the other reading) in the editors' words.

The import report keeps each reading as the importer wrote it, in English, for the CLI's user and for the review
page's switches; the admin shows every one in the editor's language. A reading holding the paper's own text (a
headline the importer read) is shown as it is.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext

#: Readings written out in full, as the importers write them.
FIXED = {
    "kicker + headline": lazy_gettext("引题 + 主题"),
    "headline + subtitle": lazy_gettext("主题 + 副题"),
    "kicker + headline + subtitle": lazy_gettext("引题 + 主题 + 副题"),
    "kicker + headline + subtitle (second line split)": lazy_gettext("引题 + 主题 + 副题（第二行拆开）"),
    "kicker + headline (a quotation over the head)": lazy_gettext("引题 + 主题（标题上方的引语作引题）"),
    "headline + subtitle (a quotation under the head)": lazy_gettext("主题 + 副题（标题下方的引语作副题）"),
    "the whole line as the headline": lazy_gettext("整行作主题"),
    "paragraph stops mid-sentence; its continuation was not found": lazy_gettext("段落在句子中间断开，没有找到接续的文字"),
    "a caption outside any story became a photo story": lazy_gettext("不在任何文章里的图说，单独成了一篇图片报道"),
    "a figure of the story before": lazy_gettext("前一篇文章的配图"),
    "a figure of the story beside it": lazy_gettext("旁边那篇文章的配图"),
    "a kicker": lazy_gettext("引题"),
    "a subhead": lazy_gettext("小标题"),
    "a subhead of the story before": lazy_gettext("前一篇文章的小标题"),
    "a pull quote": lazy_gettext("引语"),
    "a story of its own": lazy_gettext("单独一篇文章"),
    "stories of their own": lazy_gettext("各自单独成篇"),
    "one head": lazy_gettext("同一个标题"),
    "headlines": lazy_gettext("标题"),
    "more paragraphs": lazy_gettext("更多段落"),
    "the text's first line": lazy_gettext("正文的第一行"),
    "the kicker of the next head": lazy_gettext("下一个标题的引题"),
    "the next story's column": lazy_gettext("下一篇文章的专栏"),
    "the next story's note": lazy_gettext("下一篇文章的编者按"),
    "a headline with no story": lazy_gettext("没有正文的标题"),
    "a photo feature's head: a story of its own": lazy_gettext("图片报道的标题：单独一篇"),
    "a run of short lines read as lines of text (verse)": lazy_gettext("一串短行读作正文的诗行"),
    "a signed piece after a signed story: its subhead is its headline": lazy_gettext(
        "署名文章后面又一篇署名文章：它的小标题就是它的标题"
    ),
    "a vertical head printed after its story's columns heads it": lazy_gettext("印在正文各栏之后的竖排标题，是这篇文章的标题"),
    "byline printed after the text": lazy_gettext("署名印在正文之后"),
    "column label printed after its story": lazy_gettext("专栏名印在文章之后"),
    "continued from another page, but the start was not found": lazy_gettext("从别的版转来，但没有找到前文"),
    "editor's note placed with the story whose section/column it names": lazy_gettext("编者按归到它点名的版面或专栏的文章"),
    "headline printed inside its story's text (in a column gap)": lazy_gettext("标题印在正文中间（栏与栏之间）"),
    "kept the first byline; this one is listed as furniture": lazy_gettext("保留第一个署名；这一个列为版面装饰"),
    "one paragraph after 编者按 is the note": lazy_gettext("“编者按”后面的一段是编者按"),
    "short line above a label read as a section label": lazy_gettext("栏目标签上方的短行读作版名"),
    "short line inside a cut sentence kept as a figure caption": lazy_gettext("断句中间的短行作为图说保留"),
    "short lines under the byline read as lines of verse": lazy_gettext("署名下面的短行读作诗行"),
    "signature line after the text: the speaker's byline": lazy_gettext("正文后的落款行：讲话人的署名"),
    "story continued from another page joined to its start": lazy_gettext("从别的版转来的后文已接到前文后面"),
    "a headline beside the next one: its story is where the next story's text turns to it": lazy_gettext(
        "与下一个标题并排的标题：它的正文在下一篇正文转到它的地方"
    ),
    "a headline with no story of its own: read as printed after its story": lazy_gettext(
        "没有自己正文的标题：当作印在正文之后的标题"
    ),
    "a headline with no story: listed as furniture": lazy_gettext("没有正文的标题：列为版面装饰"),
    "headline printed after its story": lazy_gettext("标题印在正文之后"),
    "headline with no text of its own (story not found)": lazy_gettext("标题没有自己的正文（没有找到文章）"),
    "no headline found: the first sentence stands in (edit it)": lazy_gettext("没有找到标题：暂用第一句话代替（请改正）"),
    "parallel heads of one form after a story: its subheads": lazy_gettext("文章后面格式相同的几行标题：是它的小标题"),
    "short line unlike the story's subheads: start of the next paragraph": lazy_gettext("与小标题格式不同的短行：下一段的开头"),
    "story without a headline: its first subhead is used": lazy_gettext("文章没有标题：用它的第一个小标题"),
    "two heads side by side on one row: the second heads the story its first sentence tells": lazy_gettext(
        "同一行并排的两个标题：第二个是第一句话所讲那篇文章的标题"
    ),
    "a headline printed away from its story heads the story read without one": lazy_gettext(
        "印在别处的标题，归给没有标题的那篇文章"
    ),
    "a headline printed away from its story; the story's first line becomes a subhead": lazy_gettext(
        "标题印在别处；文章原来的第一行改作小标题"
    ),
    "a line in a head's type atop the text beside a vertical head": lazy_gettext("竖排标题旁正文上方一行标题字号的文字"),
    "a picture on its own became a picture story": lazy_gettext("单独的一张图片，成了一篇图片报道"),
    "an image with no caption near it": lazy_gettext("附近没有图说的图片"),
    "lines of nearly the same size read as one headline": lazy_gettext("字号相近的几行读作同一个标题"),
    "text above every headline joined to the story before": lazy_gettext("所有标题上方的文字接到前一篇文章"),
}
#: How a paragraph cut by a column's or a page's end was joined again.
JOINS = {
    "next": lazy_gettext("紧接着"),
    "after a displaced block": lazy_gettext("隔着一段插在中间的文字"),
    "displaced block": lazy_gettext("插在别处的一段"),
}
_JOIN = re.compile(r"paragraph continues at line (\d+) \((.+)\)")
_AFTER = re.compile(r"headline printed after its story; the story starts at line (\d+)")
_ELSEWHERE = re.compile(r"the story starts elsewhere in lines (\d+)–(\d+)")
_JUMP = re.compile(r"continued on page (.+), but the rest was not found")
_ONE_LINE = re.compile(r"one line read as (.+)")
_AS_HEADLINE = re.compile(r"'(.+)' as the headline")


def describe(reading: str | None) -> str:
    """``reading`` in the editor's language ("–" for none); a reading of the paper's own text as it is."""
    if not reading:
        return "–"
    if reading in FIXED:
        return str(FIXED[reading])
    if m := _JOIN.fullmatch(reading):
        how = JOINS.get(m[2], m[2])
        return _("与第 %(line)s 行接成一段（%(how)s）", line=m[1], how=how)
    if m := _AFTER.fullmatch(reading):
        return _("标题印在正文之后；正文从第 %(line)s 行开始", line=m[1])
    if m := _ELSEWHERE.fullmatch(reading):
        return _("正文在别处，第 %(first)s–%(last)s 行", first=m[1], last=m[2])
    if m := _JUMP.fullmatch(reading):
        return _("转第 %(page)s 版，但没有找到后文", page=m[1])
    if m := _ONE_LINE.fullmatch(reading):
        return _("一行拆成%(what)s", what=describe(m[1]))
    if m := _AS_HEADLINE.fullmatch(reading):
        return _("以“%(text)s”作主题", text=m[1])
    return reading
