"""The admin speaks Chinese: every page and template without English leftovers, server paths, environment
variables or "None"; content problems by headline and field; times in the paper's time zone; English per editor."""

from __future__ import annotations

import html
import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale

from publisher.admin import HERE
from publisher.admin.messages import say
from tests.conftest import root
from tests.test_admin import ISSUE, PASSWORD, Site, admin_rules, sample_values, sign_in, token

#: English a Chinese page may show: channel titles, formats and units, the language switch's own name.
ALLOWED = re.compile(r"HTML digest|RSS/Atom|EPUB|PDF|RSS|Atom|XML|KiB|KB|MB|English|editor|admin|publisher|utf-8", re.I)
#: The editing desk's own pages (merged from issue-13b) have no English yet; they show their Chinese in English too.
DESK = re.compile(r"(templates/)?(editor|_desk|review)")
_HIDDEN = re.compile(r"<(script|style|pre|code|title)\b.*?</\1>|<[^>]+>", re.S | re.I)


def visible(page: str) -> str:
    """The text a reader sees (no markup, no raw XML or code blocks)."""
    return html.unescape(_HIDDEN.sub(" ", page))


def english_words(text: str) -> list[str]:
    """Runs of two or more English words left in a Chinese page."""
    return re.findall(r"[A-Za-z]{2,}(?:[\s,;:'-]+[A-Za-z]{2,})+", ALLOWED.sub(" ", text))


def leaks(page: str, tmp_path: Path) -> list[str]:
    found = [s for s in (str(tmp_path), "/tmp/", "$PUBLISHER", "PUBLISHER_", "Traceback", "config.yaml") if s in page]
    text = visible(page)
    found += [w for w in ("None", "publisher user", "publisher check") if re.search(rf"\b{w}\b", text)]
    return found


def test_every_admin_page_is_chinese_without_server_paths(tmp_path):
    s = Site(tmp_path)
    first = s.first = s.build()  # sample_values() builds URLs with the site's first build
    s.store.publish(first.id, "editor")
    c = s.app.test_client()
    assert "用户名" in c.get("/login").get_data(as_text=True)
    sign_in(c)
    checked = 0
    for rule in admin_rules(s.app):
        if "GET" not in rule.methods or rule.endpoint in ("admin.build_file", "admin.epub_member", "admin.build_status"):
            continue  # build files are the channels' own output; the status JSON is checked below
        values = sample_values(rule, s) if rule.arguments else {}
        url = s.app.url_map.bind("localhost").build(rule.endpoint, values)
        response = c.get(url, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert '<html lang="zh-CN">' in page, url
        assert leaks(page, tmp_path) == [], url
        assert english_words(visible(page)) == [], url
        checked += 1
    assert checked >= 10
    status = c.get(f"/admin/builds/{first.id}/status").get_json()
    assert leaks(status["log"], tmp_path) == [] and english_words(status["log"]) == []
    for path in ("/admin/nothing-here", "/issues/nope/", "/nope.xml"):
        page = c.get(path).get_data(as_text=True)
        assert "找不到这个页面" in page and english_words(visible(page)) == [], path
    s.queue.close()


def test_no_template_has_english_text_outside_its_messages():
    """Every word an editor reads in a template is a Chinese source string (``_('…')``) or data."""
    for template in sorted((HERE / "templates").glob("*.html")):
        source = template.read_text(encoding="utf-8")
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", source, flags=re.S)
        left = english_words(visible(text))
        assert left == [], (template.name, left)


def test_the_english_catalogue_covers_every_message():
    """Every ``_('…')`` of the admin is in messages.po with its English, and the compiled .mo is current."""
    folder = HERE / "translations" / "en" / "LC_MESSAGES"
    catalogue = read_po((folder / "messages.po").open("rb"))
    assert len([m for m in catalogue if m.id and m.string]) > 250
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
    found = extract_from_dir(str(HERE), method_map, keywords=keywords)
    used = {msg for name, _, msg, *_ in found if not DESK.match(name)}
    missing = sorted(m for m in used if isinstance(m, str) and not (catalogue.get(m) and catalogue.get(m).string))
    assert missing == [], "run pybabel extract/update (see publisher/admin/babel.cfg) and translate: " + ", ".join(missing)
    compiled = read_mo((folder / "messages.mo").open("rb"))
    assert {m.id: m.string for m in compiled if m.id} == {m.id: m.string for m in catalogue if m.id and m.string}, (
        "run pybabel compile"
    )


def test_each_editor_chooses_english_and_keeps_it(tmp_path):
    s = Site(tmp_path)
    s.store.add_user("chief", PASSWORD)
    c = s.app.test_client()
    sign_in(c)
    page = c.get("/admin/").get_data(as_text=True)
    assert "各期" in page and 'value="en"' in page  # the header's switch offers English
    switched = c.post("/admin/language", data={"csrf_token": token(c, "/admin/"), "lang": "en", "next": f"/admin/issues/{ISSUE}"})
    assert switched.headers["Location"] == f"/admin/issues/{ISSUE}"
    page = c.get(f"/admin/issues/{ISSUE}").get_data(as_text=True)
    assert '<html lang="en">' in page and "Build all channels" in page and "Sections and articles" in page
    assert "中国铝业报 2025年5月1日 总第1331期" in page  # the content stays as written
    assert s.store.get_user("editor").locale == "en"
    elsewhere = s.app.test_client()  # the choice is the editor's, not the browser's
    sign_in(elsewhere)
    assert "Build all channels" in elsewhere.get(f"/admin/issues/{ISSUE}").get_data(as_text=True)
    other = s.app.test_client()
    sign_in(other, "chief")
    assert "生成全部" in other.get(f"/admin/issues/{ISSUE}").get_data(as_text=True)
    assert "已撤下" not in c.get("/admin/").get_data(as_text=True)
    assert "找不到这个页面" in c.get("/issues/nope/").get_data(as_text=True)  # the public site stays Chinese
    c.post("/admin/language", data={"csrf_token": token(c, "/admin/"), "lang": "zh_CN", "next": "/admin/"})
    assert "生成全部" in c.get(f"/admin/issues/{ISSUE}").get_data(as_text=True)
    assert [e.action for e in s.store.history(3)][0] == "language-changed"
    assert "Sign in" in s.app.test_client().get("/login?lang=en").get_data(as_text=True)  # before signing in
    s.queue.close()


def test_content_problems_name_the_article_and_the_field_in_chinese(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(root("tiny"), content)
    folder = content / "issues" / ISSUE
    first = folder / "01-lvse-dixing.md"
    first.write_text(first.read_text("utf-8").replace("section: yaowen", "section: tiyu"), "utf-8")
    second = folder / "02-pinglun.md"
    second.write_text(second.read_text("utf-8").replace("kind: commentary", "kind: commentary\nkind: news"), "utf-8")
    (folder / "03-wu.md").write_text("---\nheadline: 缺了冒号的一篇\nbyline 本报记者\n---\n\n正文。\n", "utf-8")
    (folder / "04-kong.md").write_text("---\nsection: yaowen\n---\n\n没有标题。\n", "utf-8")
    s = Site(tmp_path, content)
    c = s.app.test_client()
    sign_in(c)
    page = c.get(f"/admin/issues/{ISSUE}").get_data(as_text=True)
    problems = visible(page[page.index("稿件错误") :])
    assert "文章《绿色低碳项目全面投产》（第 5 行）：版面「tiyu」没有在本期的版面设置里" in problems
    assert "文章《在深化内化转化上下功夫》" in problems and "「体裁」写了两次，请只保留一处。" in problems
    assert "文章《缺了冒号的一篇》" in problems and "这里的格式写错了" in problems
    assert "文章文件 04-kong.md" in problems and "缺少「标题」，请补上。" in problems
    assert leaks(page, tmp_path) == [] and "YAML" not in problems and "could not find" not in problems
    assert "稿件有 4 处错误，改正后才能生成。" in page
    s.queue.close()


def test_times_and_the_build_log_are_in_the_papers_time_zone(tmp_path):
    s = Site(tmp_path)
    record = s.build()
    c = s.app.test_client()
    sign_in(c)
    beijing = record.started_at.astimezone(ZoneInfo("Asia/Shanghai"))
    page = c.get(f"/admin/builds/{record.id}").get_data(as_text=True)
    assert record.created_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M") in page
    log = c.get(f"/admin/builds/{record.id}/status").get_json()["log"]
    stamp = datetime.strptime(log.split(" ", 1)[0], "%H:%M:%S").time()
    assert abs(stamp.hour * 60 + stamp.minute - (beijing.hour * 60 + beijing.minute)) <= 1
    assert re.search(r"中国铝业报 2025年5月1日 总第1331期：2 篇文章，\d+ 条内容提醒", log) and "正在生成…" in log
    s.queue.close()


def test_channel_messages_are_told_by_headline_in_chinese_and_as_written_in_english(tmp_path):
    s = Site(tmp_path)
    named = {"lvse-dixing": "绿色低碳项目全面投产", "pinglun": "在深化内化转化上下功夫"}
    epub = (
        "EPUB not built: 01-lvse-dixing.md: image file 'a.jpg' is not in the issue folder; add it or remove the figure's src; "
        "02-pinglun.md: image 'b.bmp' is not a JPEG, PNG or GIF file; convert it to JPEG or PNG"
    )
    feed = "lvse-dixing: image /srv/paper/x.jpg is missing; the feed shows its caption only"
    with s.app.test_request_context("/admin/"):
        assert say(epub, named) == (
            "电子书没有生成：文章《绿色低碳项目全面投产》：图片 a.jpg 不在本期的文件夹里；请上传这张图片或删去它；"
            "文章《在深化内化转化上下功夫》：图片 b.bmp 不是 JPEG、PNG 或 GIF 格式；请转换成 JPEG 或 PNG 后重新上传。"
        )
        assert say(feed, named) == "文章《绿色低碳项目全面投产》：图片 x.jpg 缺失，订阅源只显示图片说明；请上传这张图片。"
        assert say("section 热议 (redian) has no articles; it is left out of the PDF") == "版面「热议」没有文章，已略去。"
        assert say("set $PUBLISHER_QUEUE_URL in /etc/publisher/config.yaml") == "set （服务器设置） in config.yaml"
    with s.app.test_request_context("/admin/?lang=en"):
        assert say(feed, named) == "绿色低碳项目全面投产: image x.jpg is missing; the feed shows its caption only"
    s.queue.close()


def _readings_written() -> set[str]:
    """Every reading (what an importer chose where unsure, or the other reading) the importers write as a literal:
    the third and fourth arguments of their ``decide`` calls, ``chose``/``alternative`` values, and what
    ``read_head`` returns; an f-string with 1 for each value it fills in."""
    import ast

    from publisher import importer, pdfimport

    found: set[str] = set()
    files = [*Path(importer.__file__).parent.glob("*.py"), *Path(pdfimport.__file__).parent.glob("*.py")]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            values: list[ast.AST] = []
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "decide":
                values = node.args[2:4]
            elif isinstance(node, ast.Dict):
                values = [
                    v
                    for k, v in zip(node.keys, node.values)
                    if isinstance(k, ast.Constant) and k.value in ("chose", "alternative")
                ]
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) >= 4:
                values = node.value.elts[3:5]
            for value in values:
                parts = [n for n in ast.walk(value) if isinstance(n, ast.JoinedStr)]
                inner = {id(v) for f in parts for v in f.values}
                texts = [n.value for n in ast.walk(value) if isinstance(n, ast.Constant) and id(n) not in inner]
                texts += ["".join(v.value if isinstance(v, ast.Constant) else "1" for v in f.values) for f in parts]
                found.update(t for t in texts if isinstance(t, str) and re.search(r"[a-z]{2,}\W+[a-z]{2,}", t))
    return found


def test_every_reading_the_importers_write_is_shown_in_chinese(tmp_path):
    """The import report keeps the importers' readings in English (for the CLI); the report and review pages show
    each one in Chinese, the parts they fill in (line numbers, a headline) kept, and in English for an English
    editor."""
    from publisher.admin import readings

    written = _readings_written()
    assert len(written) >= 50 and {"kicker + headline", "paragraph continues at line 1 (1)"} <= written
    content = tmp_path / "content"
    shutil.copytree(root("tiny"), content)
    s = Site(tmp_path, content)
    with s.app.test_request_context():
        untold = [r for r in written if readings.describe(r) == r or english_words(readings.describe(r))]
        assert untold == []
        assert readings.describe("paragraph continues at line 19 (next)") == "与第 19 行接成一段（紧接着）"
        assert readings.describe("one line read as headline + subtitle") == "一行拆成主题 + 副题"
        assert readings.describe("continued on page 3, but the rest was not found") == "转第 3 版，但没有找到后文"
        assert readings.describe("'某某某某' as the headline") == "以“某某某某”作主题"
        assert readings.describe("习近平会见爱尔兰总理马丁") == "习近平会见爱尔兰总理马丁"  # the paper's own text
        assert readings.describe(None) == "–"
    with s.app.test_request_context(), force_locale("en"):
        assert readings.describe("paragraph continues at line 19 (next)") == "paragraph continues at line 19 (next)"
    s.queue.close()
