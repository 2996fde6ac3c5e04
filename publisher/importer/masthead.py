"""Read the masthead lines: paper name, English name, grade, serial, date, number, sponsor, publisher, website."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from publisher.importer import lines as L
from publisher.importer import rules


@dataclass
class Masthead:
    fields: dict = field(default_factory=dict)  # Issue fields found
    printed: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, field) for lines that ARE a field
    furniture: list[tuple[int, str]] = field(default_factory=list)  # other masthead lines, kept verbatim


def read(lines: list[L.InputLine]) -> Masthead:
    """Parse the masthead lines (kind MASTHEAD); without a date among them, a running head's (某某日报 2026年1月5日)."""
    out = Masthead()
    for line in (x for x in lines if x.kind == L.MASTHEAD):
        t = line.text
        if "paper" not in out.fields and rules.PAPER_NAME.match(t):
            out.fields["paper"] = t
            out.printed.append((line.no, t, "paper"))
            continue
        if "paper_en" not in out.fields and rules.PAPER_EN.match(t):
            out.fields["paper_en"] = t
            out.printed.append((line.no, t, "paper_en"))
            continue
        if "grade" not in out.fields and rules.GRADE.match(t):
            out.fields["grade"] = t
            out.printed.append((line.no, t, "grade"))
            continue
        out.furniture.append((line.no, t))
        if serial := rules.SERIAL.search(t):
            out.fields.setdefault("serial", "CN " + "".join(serial.group(0).split())[2:])
        if (date := _date(t)) is not None:
            out.fields.setdefault("date", date)
        if number := rules.NUMBER.search(t):
            out.fields.setdefault("number", int(number.group(1)))
        if site := rules.WEBSITE.search(t):
            url = site.group(0)
            out.fields.setdefault("website", url if url.startswith("http") else f"https://{url}")
        if sponsor := rules.SPONSOR.search(t):
            out.fields.setdefault("sponsor", sponsor.group(1).strip())
        if publisher := rules.PUBLISHER.search(t):
            out.fields.setdefault("publisher", publisher.group(1).strip())
    if "date" not in out.fields:  # a running head printed amid the masthead names the paper and the day
        for line in lines[:12]:
            found = rules.DATE.search(line.text)
            if line.kind != L.MASTHEAD and found and rules.PAPER_NAME.match(line.text[: found.start()].strip()):
                if (date := _date(line.text)) is not None:
                    out.fields["date"] = date
                    break
    return out


def _date(text: str) -> dt.date | None:
    """The first date the text prints (2025年4月19日), if it is one."""
    if found := rules.DATE.search(text):
        try:
            return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        except ValueError:
            return None
    return None
