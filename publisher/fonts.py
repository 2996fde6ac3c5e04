"""The CJK typefaces for a language tag: the regional face of Noto Serif/Sans CJK whose glyph forms readers expect.

Simplified Chinese (zh-CN, zh-Hans) reads in the SC faces; Taiwan (zh-TW, zh-Hant) in TC,
Hong Kong and Macau (zh-HK, zh-MO, zh-Hant-HK) in HK. All of them are in Debian's
fonts-noto-cjk (one .ttc holds every region), so fontconfig finds each by family name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CjkFonts:
    serif: str  # body text, headlines, masthead
    sans: str  # labels, captions, bylines
    region: str  # SC, TC, HK


def region(language: str) -> str:
    parts = [p.lower() for p in language.split("-")]
    if parts[0] != "zh":
        return "SC"
    if "hk" in parts or "mo" in parts:
        return "HK"
    if "hant" in parts or "tw" in parts:
        return "TC"
    return "SC"


def cjk(language: str) -> CjkFonts:
    """The faces for text in ``language`` (a BCP 47 tag)."""
    code = region(language)
    return CjkFonts(f"Noto Serif CJK {code}", f"Noto Sans CJK {code}", code)
