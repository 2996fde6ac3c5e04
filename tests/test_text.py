"""The shared text helpers: cleaning, sanitizing, leads, slugs."""

from __future__ import annotations

from publisher import text


def test_clean_drops_what_xml_cannot_carry_and_keeps_the_rest():
    assert text.clean("a\x00b\x0bc\x1bd\x7fe\x85f\ud800g\r\nh\ri") == "abcdefg\nh\ni"
    assert text.clean("罕见字𡃁 😀 مرحبا\t") == "罕见字𡃁 😀 مرحبا\t"


def test_sanitize_inline_keeps_safe_markup_only():
    html = text.sanitize_inline(
        '<b onclick="x()">粗</b><a href="javascript:alert(1)">坏</a><a href="https://a.example/">好</a>'
        "<script>alert(1)</script><img src=x onerror=alert(1)><svg><circle/></svg>"
    )
    assert html == '<b>粗</b><a>坏</a><a href="https://a.example/" rel="noopener noreferrer nofollow">好</a>'


def test_sanitize_article_makes_relative_links_absolute():
    html = text.sanitize_article('<p><img src="media/a.jpg" alt=""><a href="/x">x</a></p>', base="https://n.example/issues/1/")
    assert 'src="https://n.example/issues/1/media/a.jpg"' in html and 'href="https://n.example/x"' in html


def test_trim_at_sentence():
    sentence = "近日，国家发展改革委印发名单。"
    assert text.trim_at_sentence(sentence * 10, 40) == sentence * 2
    assert text.trim_at_sentence("没有句号的很长的一句话" * 10, 20) == ("没有句号的很长的一句话" * 2)[:19] + "…"


def test_slugify_gives_pinyin_ascii():
    assert text.slugify("中铝集团新增两家国家企业技术中心") == "zhong-lv-ji-tuan-xin-zeng"
    assert text.slugify("增长1.3%，我国一季度外贸", words=4) == "zeng-zhang-1-3"
    assert text.slugify("「铜冶炼」CHINALCO", words=4) == "tong-ye-lian-chinalco"
    assert text.slugify("！！——") == ""
    assert text.slugify("𡃁仔2025年") == "zai-2025-nian"  # a character pypinyin does not know is left out, no crash


def test_clean_and_the_sanitizer_drop_bidi_controls_also_as_character_references():
    assert text.clean("图片\u202egpj.exe\u202c \u2066甲\u2069\u200e\u200f\u061c") == "图片gpj.exe 甲"
    assert text.sanitize_inline("a&#x202E;b&#8238;c&rlm;d&lrm;e") == "abcde"
    assert text.html_to_text("x&#x2067;y") == "xy"
