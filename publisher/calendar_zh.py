"""Chinese calendar facts derived from a date: weekday, lunar date, date words.

The lunar conversion comes from the ``lunardate`` library (tables from the
Purple Mountain Observatory); only the naming is done here.
"""

from __future__ import annotations

import datetime as dt

from lunardate import LunarDate

_WEEKDAYS = "一二三四五六日"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_MONTHS = ["正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊"]
_DIGITS = "一二三四五六七八九十"


def weekday(date: dt.date) -> str:
    """星期一 … 星期日."""
    return "星期" + _WEEKDAYS[date.weekday()]


def date_zh(date: dt.date) -> str:
    """2025年4月19日."""
    return f"{date.year}年{date.month}月{date.day}日"


def _lunar_day(day: int) -> str:
    if day == 10:
        return "初十"
    if day == 20:
        return "二十"
    if day == 30:
        return "三十"
    tens = "初十廿三"[day // 10]
    return tens + _DIGITS[day % 10 - 1]


def lunar_date(date: dt.date) -> str:
    """The lunar date with its sexagenary year, e.g. 乙巳年三月廿二 (闰 for a leap month)."""
    lunar = LunarDate.from_solar_date(date.year, date.month, date.day)
    cycle = (lunar.year - 4) % 60
    year = _STEMS[cycle % 10] + _BRANCHES[cycle % 12]
    month = ("闰" if lunar.is_leap_month else "") + _MONTHS[lunar.month - 1] + "月"
    return f"{year}年{month}{_lunar_day(lunar.day)}"
