"""Text pasted from Word, WPS or a web page, made into the Markdown body we store.

Office and browsers bring indents of full-width spaces, non-breaking spaces,
zero-width characters, soft hyphens and lines broken where a column ended. This
keeps the words and the full-width punctuation (，。、“”) exactly, drops the
rest, and joins a paragraph's broken lines: a line break inside Chinese text is
not a paragraph unless the line ends a sentence or a blank line follows.
"""

from __future__ import annotations

import html
import re

from publisher import text

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile("[\u00a0\u2002\u2003\u2009\u202f\t]+")
_SENTENCE_END = tuple("。！？…”’）」』：；!?")
_BLOCK_HTML = re.compile(r"</?(?:p|div|h[1-6]|li|tr|blockquote)\b[^>]*>|<br\s*/?>", re.I)


def from_html(markup: str) -> str:
    """Pasted HTML (text/html of the clipboard) as plain text with one blank line between blocks."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", "", markup, flags=re.I | re.S)
    markup = _BLOCK_HTML.sub("\n\n", markup)
    return html.unescape(re.sub(r"<[^>]*>", "", text.sanitize_inline(markup)))


def clean_paste(value: str, markup: str | None = None) -> str:
    """The Markdown body for pasted text (or HTML, preferred when given): paragraphs separated by blank lines."""
    value = from_html(markup) if markup else value
    value = _INVISIBLE.sub("", text.clean(value))
    value = _SPACES.sub(" ", value)
    blank_separated = re.search(r"\n[ \u3000]*\n", value) is not None
    paragraphs: list[str] = []
    current = ""
    for raw in value.split("\n"):
        line = raw.strip(" \u3000")
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        starts_indented = raw.startswith(("\u3000", "  "))
        if current and (not blank_separated and (current.endswith(_SENTENCE_END) or starts_indented)):
            paragraphs.append(current)
            current = ""
        if current:
            joins_directly = text.has_cjk(current[-1]) or text.has_cjk(line[0]) or not current[-1].isalnum()
            current += line if joins_directly else " " + line
        else:
            current = line
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)
