"""The e-paper importer: accuracy against the hand-curated sample and our own inputs, nothing lost, errors, CLI."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from publisher import loading
from publisher.cli import main
from publisher.importer import (
    REPORT_JSON,
    REPORT_TEXT,
    ImportFailure,
    columns,
    glued,
    heads,
    import_text,
    rules,
    strips,
    write_issue,
)
from publisher.importer import lines as L
from publisher.model import Kind
from publisher.serialize import issue_data

from . import corpus
from .conftest import REPO, SAMPLE_CONTENT, SAMPLE_ID, SEED
from .corpus import metrics
from .corpus.metrics import norm, output_chars

INPUTS = Path(__file__).parent / "roots" / "import"
OWN = ["huaxia-862", "huaxia-863", "reordered-1331", "conventions-12"]
SAMPLE_DIR = SAMPLE_CONTENT / "issues" / SAMPLE_ID
IMPORTER_SRC = REPO / "publisher" / "importer"


def scores(issue, expected: list[dict]) -> dict:
    """Headline precision/recall; byline, section, kicker/subtitle accuracy over the matched articles."""
    got = {norm(a.headline): a for a in issue.articles}
    want = {norm(e["headline"]): e for e in expected}
    matched = sorted(set(got) & set(want))

    def share(ok) -> float:
        return sum(1 for h in matched if ok(got[h], want[h])) / len(matched)

    return {
        "precision": len(matched) / len(got),
        "recall": len(matched) / len(want),
        "bylines": share(lambda g, w: norm(g.byline) == norm(w.get("byline"))),
        "sections": share(lambda g, w: issue.section(g.section).name == w["section"]),
        "heads": share(lambda g, w: (norm(g.kicker), norm(g.subtitle)) == (norm(w.get("kicker")), norm(w.get("subtitle")))),
        "missing": sorted(set(want) - set(got)),
        "extra": sorted(set(got) - set(want)),
    }


def rejoins(result) -> set[tuple[int, int]]:
    return {tuple(d["lines"][:2]) for d in result.report.decisions if d["kind"] == "rejoin"}


def input_chars(data: bytes) -> Counter:
    text, _ = L.decode(data)
    return Counter(ch for ch in text.lstrip("\ufeff") if not ch.isspace())


@pytest.fixture(scope="module")
def seed_result():
    return import_text(SEED)


@pytest.fixture(scope="module")
def own_results():
    return {name: import_text(INPUTS / f"{name}.txt") for name in OWN}


# --- accuracy -----------------------------------------------------------------------------------


def test_sample_accuracy_against_the_curated_issue(seed_result):
    curated = loading.load_issue(SAMPLE_DIR)
    expected = [
        {
            "headline": a.headline,
            "byline": a.byline,
            "section": curated.section(a.section).name,
            "kicker": a.kicker,
            "subtitle": a.subtitle,
        }
        for a in curated.articles
    ]
    s = scores(seed_result.issue, expected)
    assert s["precision"] >= 0.95 and s["recall"] >= 0.95, s
    assert s["bylines"] >= 0.9, s
    assert s["sections"] >= 0.9, s
    assert s["heads"] >= 0.9, s


def test_sample_rejoined_paragraphs_are_the_curated_ones(seed_result):
    """Each paragraph the importer put together is a curated paragraph, and each curated paragraph
    made of several seed lines was put together by the importer."""
    curated = loading.load_issue(SAMPLE_DIR)
    seed_lines = {norm(line) for line in SEED.read_text(encoding="utf-8").split("\n")}
    theirs = {norm(b.text) for a in curated.articles for b in a.body}
    ours = {norm(b.text) for a in seed_result.issue.articles for b in a.body}
    joined_by_curator = {p for p in theirs if p not in seed_lines and not p.startswith(("本报讯", "据"))}
    assert len(joined_by_curator) >= 15
    assert joined_by_curator <= ours, sorted(x[:20] for x in joined_by_curator - ours)
    joined_by_us = {p for p in ours if p not in seed_lines}
    assert joined_by_us <= theirs, sorted(x[:20] for x in joined_by_us - theirs)
    assert len(rejoins(seed_result)) >= 20


@pytest.mark.parametrize("name", OWN)
def test_own_inputs_accuracy(own_results, name):
    expected = yaml.safe_load((INPUTS / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    result = own_results[name]
    s = scores(result.issue, expected["articles"])
    assert s["precision"] >= 0.95 and s["recall"] >= 0.95, s
    assert s["bylines"] >= 0.9 and s["sections"] >= 0.9 and s["heads"] >= 0.9, s
    for key, value in expected["issue"].items():
        assert str(getattr(result.issue, key)) == str(value), key
    assert rejoins(result) == {tuple(p) for p in expected["rejoins"]}


def test_column_breaks_are_rejoined_in_reading_order(own_results):
    essay = next(a for a in own_results["huaxia-862"].issue.articles if a.headline == "父亲的安全帽")
    assert any("他都要把它擦得锃亮锃亮的，挂在门后" in b.text for b in essay.body)
    other = next(a for a in own_results["huaxia-862"].issue.articles if a.headline == "炉前十年")
    assert "干活就要干出个样子，不然对不起这身工装。”" in other.text
    assert other.text.endswith("炉前十年，我学会的不只是技术，更是一份沉甸甸的责任。")
    lead = own_results["huaxia-862"].issue.articles[0]
    assert "新材料板块实现利润4.2亿元" in lead.text
    assert [f.credit for f in lead.figures] == ["本报记者 林晓 摄"]


def test_jumps_verse_and_interviews(own_results):
    articles = {a.headline: a for a in own_results["huaxia-863"].issue.articles}
    meeting = articles["华夏有色召开2025年安全生产工作会议"]
    assert len(meeting.paragraphs) == 4 and meeting.text.endswith("进行了表彰。")
    assert [(a.name, a.role) for a in meeting.authors] == [("陈思", "本报记者"), ("马骏", "通讯员")]
    poem = articles["炉火"]
    assert [b.text for b in poem.body] == ["深夜的车间里", "炉火映红了脸庞", "我们把汗水", "浇铸成银色的光"]
    assert articles["对话劳模：让每一块铝锭都经得起检验"].text.startswith("记者：从一名普通铸造工")
    assert articles["安全生产没有旁观者"].series == "短评"
    furniture = {f["text"]: f["why"] for f in own_results["huaxia-863"].report.furniture}
    assert furniture["（上接第1版）"] == "jump line" and furniture["华夏铝业电解槽“换心”成功 2版"] == "page furniture"


def test_labels_bylines_and_items(own_results):
    result = own_results["conventions-12"]
    issue = result.issue
    assert [(s.name, s.page) for s in issue.sections] == [("要闻", 1), ("快讯", None), ("副刊·文苑", 3)]
    first = issue.articles[0]
    assert [(a.name, a.role) for a in first.authors] == [("张明", "记者"), ("李华", "通讯员")]
    assert first.lead.startswith("6月5日")
    assert [a.kind.value for a in issue.articles] == ["news", "brief", "brief", "feature", "brief", "speech"]
    assert issue.articles[3].authors[0].role == "经济日报记者"
    assert len(issue.articles[3].paragraphs) == 4  # 问：… ？ lines are paragraphs, not subheads
    why = {f["text"]: f["why"] for f in result.report.furniture}
    assert why["【】"] == why["第3版"] == "label decoration" and why["■"] == "bullet"


# --- nothing lost -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", OWN)
def test_nothing_is_lost_own_inputs(own_results, name):
    assert output_chars(own_results[name]) == input_chars((INPUTS / f"{name}.txt").read_bytes())


def test_nothing_is_lost_sample(seed_result):
    assert output_chars(seed_result) == input_chars(SEED.read_bytes())


def _scrambled(lines: list[str], rng) -> list[str]:
    head, body = lines[:12], list(lines[12:])
    mode = rng.choice(["blocks", "drop", "dup", "swap"])
    if mode == "blocks":
        cuts = sorted(rng.sample(range(len(body)), rng.randint(2, 8)))
        blocks = [body[i:j] for i, j in zip([0, *cuts], [*cuts, len(body)])]
        rng.shuffle(blocks)
        body = [line for block in blocks for line in block]
    elif mode == "drop":
        body = [line for line in body if rng.random() > 0.2]
    elif mode == "dup":
        body += rng.sample(body, min(20, len(body)))
    else:
        for _ in range(10):
            i, j = rng.randrange(len(body)), rng.randrange(len(body))
            body[i], body[j] = body[j], body[i]
    return head + body


def test_a_paper_in_traditional_characters_reads_as_the_same_paper(seed_result):
    """The sample set in Traditional characters (OpenCC s2hk, as a Hong Kong paper prints): the same articles with
    the same bylines and sections, each in the paper's own characters; nothing lost, nothing turned Simplified."""
    import opencc

    to_hk = opencc.OpenCC("s2hk")
    text = to_hk.convert(SEED.read_text(encoding="utf-8"))
    result = import_text(text.encode("utf-8"), "traditional.txt")

    def record(issue, convert):
        return [(convert(a.headline), convert(a.byline or ""), convert(issue.section(a.section).name)) for a in issue.articles]

    assert record(result.issue, str) == record(seed_result.issue, to_hk.convert)
    assert result.issue.paper == to_hk.convert(seed_result.issue.paper) != seed_result.issue.paper
    assert output_chars(result) == input_chars(text.encode("utf-8"))


def test_scrambled_layouts_lose_nothing_and_never_crash():
    """Blocks moved, lines dropped, duplicated or swapped: every character still lands somewhere."""
    import random

    rng = random.Random(1330)
    sources = [(INPUTS / f"{name}.txt").read_text(encoding="utf-8").split("\n") for name in OWN]
    for _ in range(60):
        data = "\n".join(_scrambled(rng.choice(sources), rng)).encode()
        try:
            result = import_text(data, "scrambled.txt")
        except ImportFailure:
            continue
        assert output_chars(result) == input_chars(data)


def test_every_decision_points_at_input_lines(seed_result):
    total = seed_result.report.lines
    kinds = Counter(d["kind"] for d in seed_result.report.decisions)
    assert {"rejoin", "headline", "orphan-caption", "headline-after-body", "loose-end"} <= set(kinds)
    for d in seed_result.report.decisions:
        assert d["lines"] and all(1 <= n <= total for n in d["lines"]), d
    summary = seed_result.report.summary()
    assert "line 565, 579: rejoin" in summary
    assert f"{len(seed_result.issue.articles)} articles" in summary


# --- output format ------------------------------------------------------------------------------


def _config(tmp_path: Path) -> Path:
    (tmp_path / "content" / "issues").mkdir(parents=True)
    config = tmp_path / "config.yaml"
    config.write_text(
        f"content: {tmp_path / 'content'}\noutput: {tmp_path / 'out'}\ndata: {tmp_path / 'data'}\n", encoding="utf-8"
    )
    return config


def test_cli_json_equals_show_and_folder_passes_check(tmp_path):
    config = _config(tmp_path)
    runner = CliRunner()
    source = INPUTS / "huaxia-862.txt"
    imported = runner.invoke(main, ["--config", str(config), "import-text", str(source), "--json"])
    assert imported.exit_code == 0, imported.output
    printed = imported.stdout[imported.stdout.index("{") :]
    shown = runner.invoke(main, ["--config", str(config), "show", "2025-05-10-862", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(printed) == json.loads(shown.stdout)
    assert len(json.loads(printed)["articles"]) == 14
    checked = runner.invoke(main, ["--config", str(config), "check", "2025-05-10-862"])
    assert checked.exit_code == 0 and "ok, 14 articles" in checked.output
    # The only warnings: pictures the text import could not have (captions, photo stories): nothing prints them empty.
    warnings = [line for line in checked.output.splitlines() if line.startswith("warning:")]
    assert warnings and all("图片报道（kind: photo），但没有可用的图片" in w or "图说没有图片文件" in w for w in warnings)
    folder = tmp_path / "content" / "issues" / "2025-05-10-862"
    report = json.loads((folder / REPORT_JSON).read_text(encoding="utf-8"))
    assert report["issue"] == "2025-05-10-862" and report["decisions"]
    assert "Check these" in (folder / REPORT_TEXT).read_text(encoding="utf-8")
    again = runner.invoke(main, ["--config", str(config), "import-text", str(source)])
    assert again.exit_code == 1 and "--force" in again.output


def test_api_for_uploads_bytes_and_write_issue(tmp_path):
    data = (INPUTS / "huaxia-862.txt").read_bytes()
    result = import_text(data, "upload.txt")
    assert result.report.source == "upload.txt"
    folder = write_issue(result, tmp_path)
    assert folder == tmp_path / "2025-05-10-862"
    assert issue_data(loading.load_issue(folder)) == issue_data(result.issue)
    assert set(result.issue_files) | {REPORT_JSON, REPORT_TEXT} == {p.name for p in folder.iterdir()}
    with pytest.raises(ImportFailure, match="already exists"):
        write_issue(result, tmp_path)
    write_issue(result, tmp_path, force=True)


def test_markdown_characters_survive_the_round_trip():
    text = "测试报\n\n2025年6月1日 总第7期\n\n*星号* 与 <b>标签</b> 的标题\n\n本报讯 正文含 _下划线_、[链接](x)、&amp; 和 `代码`。\n\n# 井号开头的段落。\n"
    result = import_text(text.encode("utf-8"), "t.txt")
    article = result.issue.articles[0]
    assert article.headline == "*星号* 与 <b>标签</b> 的标题"
    assert [b.text for b in article.body] == ["正文含 _下划线_、[链接](x)、&amp; 和 `代码`。", "# 井号开头的段落。"]


# --- encodings and bad input --------------------------------------------------------------------


def test_gb18030_input_is_detected_and_decoded(own_results):
    data = (INPUTS / "huaxia-862.txt").read_text(encoding="utf-8").encode("gb18030")
    result = import_text(data, "gbk.txt")
    assert result.report.encoding == "gb18030"
    assert issue_data(result.issue) == issue_data(own_results["huaxia-862"].issue)


def test_utf16_and_bom_inputs(own_results):
    text = (INPUTS / "huaxia-862.txt").read_text(encoding="utf-8")
    for data in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        assert issue_data(import_text(data, "x.txt").issue) == issue_data(own_results["huaxia-862"].issue)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b" \n\n\t\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdftotext"),
        (b"PK\x03\x04" + bytes(40), "zip/Word"),
        (b"\xff\xfe\xff\xfe\x00", "UTF-16"),
        (b"\x80\xff\xfe abc \xff\xff", "neither UTF-8 nor GB18030"),
        (
            "中国铝业报\n\n2025年4月19日 总第1330期\n\n这是一段没有标题的文字，只有句子。\n\n又是一段文字，也没有标题。\n".encode(),
            "no recognisable headline",
        ),
        ("一段标题\n\n本报讯 正文。\n".encode(), "--date"),
    ],
)
def test_bad_input_fails_clearly(data, message):
    with pytest.raises(ImportFailure, match=re.escape(message)):
        import_text(data, "bad.txt")


def test_cli_reports_bad_input_without_traceback(tmp_path):
    config = _config(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["--config", str(config), "import-text", str(empty)])
    assert result.exit_code == 1
    assert "is empty" in result.output and "Traceback" not in result.output


def test_overrides_stand_in_for_a_missing_masthead():
    import datetime as dt

    data = "一段标题\n\n本报讯 正文。\n".encode()
    result = import_text(data, "x.txt", date=dt.date(2025, 6, 1), number=7, paper="测试报")
    assert result.issue.id == "2025-06-01-7" and result.issue.paper == "测试报"
    assert result.issue.articles[0].headline == "一段标题"


def test_newsroom_labels_extend_the_vocabulary(tmp_path):
    from publisher.importer.rules import DEFAULT_VOCABULARY

    text = "测试周报\n\n2025年6月7日 总第12期\n\n冶金之光\n\n炉前的坚守\n\n本报讯 近日，某某厂完成检修。\n".encode()
    assert [s.name for s in import_text(text, "t.txt").issue.sections] == ["要闻"]
    labels = tmp_path / "labels.yaml"
    labels.write_text("sections:\n  冶金之光: yejin-zhiguang\n", encoding="utf-8")
    issue = import_text(text, "t.txt", vocabulary=DEFAULT_VOCABULARY.extended(labels)).issue
    assert [(s.slug, s.name) for s in issue.sections] == [("yejin-zhiguang", "冶金之光")]
    labels.write_text("colours: [red]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="sections"):
        DEFAULT_VOCABULARY.extended(labels)


# --- rules stay general -------------------------------------------------------------------------


def test_rules_name_none_of_the_samples_stories_or_people():
    curated = loading.load_issue(SAMPLE_DIR)
    source = "".join(p.read_text(encoding="utf-8") for p in IMPORTER_SRC.glob("*.py"))
    names = {norm(x) for a in curated.articles for x in [a.headline, a.kicker, a.subtitle, *a.author_names] if x}
    names |= {curated.paper, "中铝", "铝业", "驰宏", "包头", "六盘山", "会泽"}
    names -= {"本报评论员"}  # a role every paper prints, not a person
    assert not [n for n in names if len(n) >= 2 and n in source]


@pytest.mark.parametrize(
    "line, teaser",
    [
        ("铝业高质量发展再上新台阶 （第2版）", True),
        ("一线职工的技术革新 ▶第十版", True),
        ("专题：走进基层班组 见第十二版", True),
        ("读者来信选登 （第１２版）", True),
        ("本报记者走访了第一线。", False),
        ("第2版", False),
    ],
)
def test_teaser_lines_name_a_page_in_any_numeral(line, teaser):
    """A 导读 entry ends with its page in Arabic, full-width or Chinese numerals (第九版, 第十二版 too)."""
    assert bool(rules.TEASER.match(line)) is teaser


# --- column-set text: what pdftotext's default mode makes of pages in columns (real corpus articles) ---


def _pdftotext(issue, style: str, folder: Path):
    """One corpus issue laid out by ReportLab in ``style``, as pdftotext prints it, and the gold."""
    pdf = folder / f"{style}-{issue.date}.pdf"
    gold = corpus.render(issue, style, pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    return text, gold


@pytest.fixture(scope="module")
def columns_text(tmp_path_factory):
    folder = tmp_path_factory.mktemp("columns")
    rmrb, dskb = corpus.dated("rmrb", "2026-01-06"), corpus.dated("dskb", "2026-03-28")
    out = {}
    for key, issue, style in (("rmrb", rmrb, "four-col"), ("dskb", dskb, "five-col")):
        text, gold = _pdftotext(issue, style, folder)
        result = import_text(text, f"{key}.txt", number=int(issue.date.strftime("%Y%m%d")), paper=issue.paper)
        out[key] = (issue, text.decode("utf-8"), gold, result)
    return out


def _article(result, headline: str):
    return next(a for a in result.issue.articles if norm(a.headline) == norm(headline))


def _printed(tmp_path: Path, issue, style: str, layout: bool = False):
    """A corpus issue laid out by ReportLab in ``style``, read back by import-text from what pdftotext makes of
    it (with ``layout``: ``pdftotext -layout``), which it keeps beside the PDF."""
    pdf = tmp_path / f"{style}.pdf"
    corpus.render(issue, style, pdf)
    mode = ["-layout"] if layout else []
    text = subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    pdf.with_suffix(".txt").write_bytes(text)
    return import_text(text, f"{style}.txt", number=issue.number or int(issue.date.strftime("%Y%m%d")), paper=issue.paper)


def test_column_set_text_is_unwrapped_into_its_paragraphs(columns_text):
    """pdftotext prints every printed line; a line that fills the measure and stops mid-sentence runs on,
    a line set in by the indent opens a paragraph. Text with a paragraph a line (the seed) is left alone."""
    assert columns.unwrap(SEED.read_text(encoding="utf-8"), rules.DEFAULT_VOCABULARY) is None
    issue, text, _, result = columns_text["rmrb"]
    unwrapped = columns.unwrap(text, rules.DEFAULT_VOCABULARY)
    assert unwrapped is not None and 15 <= unwrapped.measure <= 20
    piece = next(p for p in issue.pieces if p.headline == "习近平同韩国总统李在明举行会谈")
    # 习近平向韩国人民致以诚挚新年祝福。 fills a set-in first line; the full line under it goes on the paragraph
    # up to the block's end (a column's foot), where rejoin takes it on
    assert any(piece.paragraphs[1].startswith(x.text) and len(x.text) > 3 * unwrapped.measure for x in unwrapped.items)
    body = [b.text for b in _article(result, piece.headline).body]
    assert body[0] == piece.paragraphs[0].removeprefix(piece.gold_byline).strip()
    assert body[1] == piece.paragraphs[1]


def test_heads_printed_side_by_side_take_their_stories_in_the_same_order(columns_text):
    """Two heads in a row come out one after the other, then their stories' column blocks left to right:
    each opening block (a dateline) goes to the next head waiting for its text, each block that goes on a
    sentence cut at a column's foot to the story that stopped first."""
    issue, text, _, result = columns_text["rmrb"]
    lines = [x.strip() for x in text.split("\n") if x.strip()]
    first, second = "习近平会见爱尔兰总理马丁", "习近平致电祝贺敦布亚当选几内亚总统"
    assert lines.index(second) == lines.index(first) + 1  # the convention this pins, in the real text
    for headline in (first, second):
        piece = next(p for p in issue.pieces if p.headline == headline)
        article = _article(result, headline)
        assert norm(article.byline) == norm(piece.gold_byline)
        got = norm("".join(b.text for b in article.body))
        printed = "".join(piece.paragraphs).removeprefix(piece.gold_byline).replace("·", "")  # the font has no ·
        assert got == norm(printed)


def test_a_headline_wrapped_above_its_dateline_is_one_headline(columns_text):
    """平陆运河…建 / 成通车 / 本报南宁…电 （记者…）: the short line is the head's end, not a name byline,
    because the dateline names the writers."""
    issue, _, _, result = columns_text["rmrb"]
    piece = next(p for p in issue.pieces if p.headline.startswith("平陆运河"))
    assert norm(_article(result, piece.headline).byline) == norm(piece.gold_byline)


def test_a_caption_ending_in_its_credit_is_a_figure_not_the_byline(columns_text):
    issue, _, _, result = columns_text["dskb"]
    piece = next(p for p in issue.pieces if p.photos and p.byline_line)
    article = _article(result, piece.headline)
    assert article.byline == piece.byline_line
    caption, credit = piece.photos[0]
    assert [(f.caption, f.credit) for f in article.figures] == [(caption, credit)]


def test_column_set_text_scores_and_loses_nothing(columns_text):
    for key, (_, text, gold, result) in columns_text.items():
        counts = metrics.score(result.issue, gold)
        r = metrics.rates(counts)
        # 0.2–0.3 before the column rules, 0.5 before the head rules
        assert r["precision"] >= 0.85 and r["recall"] >= 0.85, (key, r)
        assert not any(norm(a.headline).endswith("社出版") for a in result.issue.articles)  # masthead, not a head
        assert input_chars(text.encode("utf-8")) - output_chars(result) == Counter()


# --- layout-mode text: what `pdftotext -layout` makes of the same pages (columns side by side) ---


@pytest.fixture(scope="module")
def layout_text(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout")
    out = {}
    for key, name, date, style in (("rmrb", "rmrb", "2026-01-06", "four-col"), ("dskb", "dskb", "2026-03-28", "five-col")):
        issue = corpus.dated(name, date)
        pdf = folder / f"{style}-{issue.date}.pdf"
        gold = corpus.render(issue, style, pdf)
        text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
        result = import_text(text, f"{key}.txt", number=int(issue.date.strftime("%Y%m%d")), paper=issue.paper)
        out[key] = (issue, text.decode("utf-8"), gold, result)
    return out


def _story_text(piece) -> str:
    return norm("".join(piece.paragraphs).removeprefix(piece.gold_byline).replace("·", ""))  # the font has no ·


def test_only_layout_mode_text_is_split_into_column_strips(layout_text, columns_text):
    """Many lines with gaps at recurring positions: layout mode. pdftotext's default mode and the seed's
    one paragraph a line have no such gaps and are read exactly as before."""
    assert strips.read(SEED.read_text(encoding="utf-8")) is None
    for _, text, _, _ in columns_text.values():
        assert strips.read(text) is None
    for _, text, _, _ in layout_text.values():
        assert strips.read(text) is not None


def test_a_pair_of_stories_side_by_side_gets_its_own_text_each(layout_text):
    """Layout mode prints the two heads on one line and the four columns under them line by line; cut at
    the columns' starts and read strip after strip, each story has exactly its own text and byline."""
    issue, text, _, result = layout_text["rmrb"]
    first, second = "习近平会见爱尔兰总理马丁", "习近平致电祝贺敦布亚当选几内亚总统"
    row = next(x for x in text.split("\n") if first in x)
    assert second in row and re.search(rf"{first} {{3,}}{second}", row)  # the convention this pins, in the real text
    reading = strips.read(text).text.split("\n")
    assert reading.index(first) < reading.index(second)
    for headline in (first, second):
        piece = next(p for p in issue.pieces if p.headline == headline)
        article = _article(result, headline)
        assert norm(article.byline) == norm(piece.gold_byline)
        assert norm("".join(b.text for b in article.body)) == _story_text(piece)


def test_stories_side_by_side_on_alternate_rows_keep_their_paragraphs(layout_text):
    """Two stories side by side whose baselines differ come on alternate rows, each column's lines with an
    empty cell between them: the empty cell does not cut a paragraph."""
    issue, text, _, result = layout_text["dskb"]
    piece = next(p for p in issue.pieces if p.headline.startswith("捐钱、捐房、捐遗体"))
    rows = [x for x in text.split("\n") if x.strip()]
    opening = next(k for k, x in enumerate(rows) if piece.paragraphs[0][:8] in x.replace(" ", ""))
    assert piece.paragraphs[0][:8] not in rows[opening + 1].replace(" ", "")  # the next row is the neighbour's
    article = _article(result, piece.headline)
    assert [norm(b.text) for b in article.body] == [norm(p) for p in piece.paragraphs]


def test_layout_text_scores_and_loses_nothing(layout_text):
    for key, (_, text, gold, result) in layout_text.items():
        r = metrics.rates(metrics.score(result.issue, gold))
        # 0 before the column strips, 0.65 before the head rules
        assert r["precision"] >= 0.85 and r["recall"] >= 0.85, (key, r)
        assert input_chars(text.encode("utf-8")) - output_chars(result) == Counter()


# --- conventions of the column readers, on more real corpus pages (both pdftotext modes) ----------


@pytest.fixture(scope="module")
def corpus_pages(tmp_path_factory):
    """Corpus issues laid out by ReportLab, as pdftotext prints them in both modes, and what import-text
    makes of each: key -> {mode: (text, result)}, with the issue and its gold."""
    folder = tmp_path_factory.mktemp("pages")
    issues = corpus.issues()
    chosen = {
        "sample": (corpus.sample(), "five-col"),
        "rmrb-0107": (next(i for i in issues if i.date.isoformat() == "2026-01-07"), "four-col"),
        "rmrb-0108": (next(i for i in issues if i.date.isoformat() == "2026-01-08"), "four-col"),
        "rmrb-0114": (next(i for i in issues if i.date.isoformat() == "2026-01-14"), "five-col"),
        "rmrb-0105": (next(i for i in issues if i.date.isoformat() == "2026-01-05"), "six-col-vertical-jump"),
        "dskb-0404": (next(i for i in issues if i.date.isoformat() == "2026-04-04"), "five-col"),
        "dskb-0329": (next(i for i in issues if i.date.isoformat() == "2026-03-29"), "five-col"),
        "dskb-0404-four": (next(i for i in issues if i.date.isoformat() == "2026-04-04"), "four-col"),
        "sample-four": (corpus.sample(), "four-col"),
    }
    out = {}
    for key, (issue, style) in chosen.items():
        pdf = folder / f"{key}.pdf"
        gold = corpus.render(issue, style, pdf)
        out[key] = {"issue": issue, "gold": gold}
        for mode, flags in (("default", []), ("layout", ["-layout"])):
            text = subprocess.run(["pdftotext", *flags, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
            number = issue.number or int(issue.date.strftime("%Y%m%d"))
            out[key][mode] = (text.decode("utf-8"), import_text(text, f"{key}.txt", number=number, paper=issue.paper))
    return out


def _settled(text: str) -> list[L.InputLine]:
    """Default-mode column text read back into paragraphs and classified, as the importer reads it."""
    unwrapped = columns.unwrap(text, rules.DEFAULT_VOCABULARY)
    assert unwrapped is not None
    L.classify(unwrapped.items, rules.DEFAULT_VOCABULARY)
    unwrapped.settle()
    return unwrapped.items


def _wrapped_heads():
    """Every headline the corpus layouts print on two lines or more, and every kicker over its headline, as
    (line, next line, the issue's printed text): what head_goes_on has to tell apart."""
    from .corpus.layout import MARGIN, PAGE_W, STYLES, Printer, wrap

    wraps, kickers = [], []
    for issue in corpus.issues():
        for style in STYLES.values():
            col_w = (PAGE_W - 2 * MARGIN - (style.columns - 1) * 12) / style.columns
            printed = [line for p in issue.pieces for para in p.paragraphs for line in wrap(para, col_w, style.body, indent=2)]
            for index, piece in enumerate(issue.pieces):
                if index in style.vertical:
                    continue
                span = min(style.spans[index % len(style.spans)], style.columns)
                width = span * col_w + (span - 1) * 12
                head = wrap(piece.headline, width, Printer.head_size(None, span))  # type: ignore[arg-type]
                wraps += [(a, b, printed) for a, b in zip(head, head[1:], strict=False)]
                if piece.kicker:
                    kickers.append((wrap(piece.kicker, width, style.body * 1.25)[-1], head[0], printed))
    return wraps, kickers


def test_a_head_wraps_only_where_its_break_cuts_a_word():
    """A headline broken over two lines goes on where the break cuts a word or a phrase (the rest is a few
    characters, closes a quotation or bracket, the two characters either side of the break stand
    together elsewhere in the text, or it is under half the line's width: a head under a kicker is set
    larger); a kicker ends a phrase of its own, so it is never joined to its head."""
    wraps, kickers = _wrapped_heads()
    assert len(wraps) >= 100 and len(kickers) >= 50
    joined = [columns.head_goes_on(a, b, columns.pairs(text)) for a, b, text in wraps]
    assert sum(joined) >= 0.85 * len(joined), sum(joined) / len(joined)
    assert not [(a, b) for a, b, text in kickers if columns.head_goes_on(a, b, columns.pairs(text))]
    some = columns.pairs(["此次金融统计制度明确了“五篇大文章”的统计口径"])
    assert columns.head_goes_on("四部门发文明确金融“五篇", "大文章”统计标准", some)  # the quote closes below
    assert columns.head_goes_on("以共赢思路打通联动堵点（贯彻四中全会精", "神一线见闻）", some)  # so does the bracket
    assert columns.head_goes_on("马杜罗再次出庭 瘦了13公", "斤", some)  # a few characters
    # the rest under 45% of the line, no space inside: a head under a kicker is set larger than that
    assert columns.head_goes_on("千岛湖旅游全球品牌口号征集参与", "投票赢奖品", some)
    assert columns.head_goes_on("“华人神探”李昌钰逝世：我一辈", "子都在做傻瓜", some)
    assert columns.head_goes_on("滨江这个喷水池“石头日历”谁做的？", "太浪漫了", some)  # after a question too
    assert not columns.head_goes_on("“以一为基谋新局 勇争第一创价值” 主题大讨论系列特别策划之四", "以一为基 勇争第一", some)
    assert not columns.head_goes_on("一季度国内生产总值同比增长5.4%", "我国经济起步稳开局好", some)  # kicker, head
    assert not columns.head_goes_on("霍尔木兹海峡停摆，全球航运巨头齐涨价", "宁波船商逆势承诺“不加价”！", some)


def test_layout_text_keeps_each_lines_indent(corpus_pages):
    """pdftotext -layout keeps a paragraph's first-line indent as spaces: in each strip, the first line of
    every printed paragraph starts two to five positions right of where the strip's lines start."""
    text, _ = corpus_pages["sample"]["layout"]
    reading = strips.read(text)
    lines = [norm(line) for line in reading.text.split("\n")]
    found = []
    for piece in corpus_pages["sample"]["issue"].pieces:
        for para in piece.paragraphs[1:]:  # (the first may open with a dateline, or stand under a photo)
            at = next((n for n, line in enumerate(lines, start=1) if len(line) >= 8 and norm(para).startswith(line)), None)
            if at is not None and at in reading.indents:
                found.append(reading.indents[at])
    assert len(found) >= 100 and all(k in columns.SET_IN for k in found), sorted(found)
    assert sum(1 for k in reading.indents.values() if k == 0) > 0.7 * len(reading.indents)


def test_a_filled_line_cut_mid_sentence_goes_on_to_a_line_that_looks_set_in(corpus_pages):
    """A line that breaks before a long number or a Latin word is justified with fewer characters, so by its
    width it looks set in; a filled line cut mid-sentence goes on all the same. In layout text the indent
    itself says the line is flush; in default text a line no head ends like (a comma) goes on."""
    text, result = corpus_pages["sample"]["layout"]
    reading = strips.read(text).text.split("\n")
    at = reading.index("电脑，没有CAD软件，只能实地")  # the real line pair of the sample's 老照片故事
    assert reading[at - 1].endswith("测绘人员没有") and columns._set_in(reading[at], 15)
    assert any("测绘人员没有电脑，没有CAD软件" in b.text for a in result.issue.articles for b in a.body)
    # pdftotext's default mode, our own pdf channel's page of the sample's 我国经济起步稳开局好 (measure 15)
    assert columns._runs_on("就业收入总体稳定。一季度，", "全国城镇调查失业率平均值为", 15, rules.DEFAULT_VOCABULARY)
    assert not columns._runs_on("一文讲清不同人群分别要缴多少钱", "日前，中办、国办联合印发《", 15, rules.DEFAULT_VOCABULARY)


def test_a_filled_head_shaped_line_goes_on_where_its_break_cuts_a_word():
    """A line of text that fills the measure, stops mid-word and holds no sentence's end has a head's shape;
    when the two characters either side of the break stand together elsewhere in the text and the next
    line is no short rest, the line goes on, even to a line that looks set in (our own pdf channel's page
    of the sample, pdftotext's default mode, measure 15: the line under it breaks before a number)."""
    words = columns.pairs(["目承载着提升生产效率、降低能耗"])
    line, after = "运行超7200小时，数据准确率提", "升至92%，实时检测数据与实验"
    assert columns._runs_on(line, after, 15, rules.DEFAULT_VOCABULARY, True, None, words) == columns.LINE
    assert columns._runs_on(line, after, 15, rules.DEFAULT_VOCABULARY, True, None, frozenset()) == ""


def test_heads_still_waiting_keep_waiting_when_more_dated_stories_follow(tmp_path):
    """A head printed in a column gap waits for its text; when the next run of heads has fewer heads than the
    datelines that open stories under it, the heads still waiting keep waiting, and a dated block goes to
    the waiting head its first sentence repeats (three-col-boxed, 人民日报 2026-01-10, default mode)."""
    issue = next(i for i in corpus.issues() if i.date.isoformat() == "2026-01-10")
    result = _printed(tmp_path, issue, "three-col-boxed")
    article = _article(result, "丁薛祥会见美国华特迪士尼公司首席执行官艾格")
    assert article.text.startswith("中共中央政治局常委、国务院副总理丁薛祥9日") and "邮政" not in article.text
    assert _article(result, "2025年快递业务量完成近2000亿件").text.startswith("记者从国家邮政局获悉")


def test_the_mastheads_weekday_lunar_date_and_website_on_lines_of_their_own_are_furniture():
    """pdftotext may print the masthead's weekday, lunar date and website after the 导读 box beside it, each on
    a line of its own: they are page furniture, never a head (our own pdf channel's front page)."""
    for text in ("星期六", "农历乙巳年三月廿二", "乙巳年三月廿二", "https://www.chinalco.com.cn"):
        line = L.InputLine(1, text)
        L.classify_line(line, rules.DEFAULT_VOCABULARY)
        assert line.kind == L.FURNITURE, text


def test_parallel_bare_heads_after_a_story_are_its_subheads():
    """Heads of one form (a word of the same length, a colon, a phrase) with no byline, dateline or kicker of
    their own, read as stories after a signed story, are that story's subheads (the sample's 驰宏锗业 piece,
    whose column breaks make each subhead look like a story's head in pdftotext's default mode)."""
    from publisher.importer.assemble import Assembler
    from publisher.importer.drafts import Draft, DraftBlock, SectionDraft

    section = SectionDraft("要闻", "yaowen", 38)

    def draft(headline, line, byline=None):
        text = DraftBlock("paragraph", "驰宏锗业始终将服务国家战略置于企业发展的核心位置。", [line + 1])
        return Draft(section, line, headline=headline, head_lines=[line], byline=byline, body=[text])

    assembler = Assembler([], rules.DEFAULT_VOCABULARY)
    owner = draft("驰宏锗业：以“四种思维”铸就“专精特新”之路", 370, "□ 陈晓玲")
    heads = ["战略优化：全链布局 打造锗产业生态圈", "治理升级：市场化机制激发企业活力", "创新突破：广搭平台 汇聚英才"]
    assembler.articles = [owner, *(draft(h, 400 + 10 * k) for k, h in enumerate(heads))]
    assembler.keep_parallel_subheads()
    assert assembler.articles == [owner] and [b.text for b in owner.body if b.kind == "subhead"] == heads
    assembler.articles = [owner, draft("紧急提醒：这种“钱”不要用", 500)]  # one such head is a story's
    assembler.keep_parallel_subheads()
    assert len(assembler.articles) == 2
    owner = draft("我国经济起步稳开局好", 461, "熊丽")  # short plain phrases are parallel too
    assembler.articles = [owner, draft("经济运行稳中回升", 487), draft("高质量发展新向好", 515)]
    assembler.keep_parallel_subheads()
    assert assembler.articles == [owner] and len(owner.body) == 5


def test_a_head_with_its_columns_tag_starts_a_story_and_a_sentences_rest_is_no_head(tmp_path):
    """A head that ends in its column's tag (（今日谈）, （编辑手记）) ends there and starts a story of its own: a
    subhead carries no tag. A short line that starts with the rest of a sentence and ends it (万元！”, after a
    column break) is a cut paragraph's end, not a head (five-col, 人民日报 2026-01-08, default mode)."""
    assert columns._runs_on("让好政策能落地、见成效（编辑手记）", "购物、出行、育儿、办企……", 15, rules.DEFAULT_VOCABULARY) == ""
    issue = next(i for i in corpus.issues() if i.date.isoformat() == "2026-01-08")
    result = _printed(tmp_path, issue, "five-col")
    assert _article(result, "把惠民利民的好事办实（今日谈）").text.startswith("2026年育儿补贴1月5日起正式全面开放申领")
    assert _article(result, "让好政策能落地、见成效（编辑手记）").text.startswith("购物、出行、育儿、办企")
    assert not [a for a in result.issue.articles if a.headline.startswith("万元")]


def test_a_photo_features_head_is_a_story_of_its_own_not_a_kicker():
    """图片报道 over a photo names a photo feature: it heads a story of its own, never the kicker of the head that
    pdftotext prints after it (人民日报 2026-01-13, five-col, default mode)."""
    from publisher.importer.assemble import Assembler
    from publisher.importer.rejoin import TextPiece

    lines = [
        (30, "图片报道", L.SHORT),
        (32, "“832平台”激发脱贫地区产业活力", L.SHORT),
        (33, "本报北京1月12日电 （记者王观）新疆墨玉县的葡萄干、灰枣，西藏的高原土蜂蜜、青稞饼干……", L.PARA),
    ]
    pieces = [TextPiece([L.InputLine(no, text, kind)]) for no, text, kind in lines]
    articles = Assembler(pieces, rules.DEFAULT_VOCABULARY).run().articles
    assert [(a.headline, a.kicker) for a in articles] == [("图片报道", None), ("“832平台”激发脱贫地区产业活力", None)]


def test_a_question_under_a_kicker_in_a_block_of_its_own_is_the_head():
    """pdftotext's default mode parts type of other sizes into blocks: a one-line question (…，还能用吗？) right
    under a head line that is a block of its own (the kicker) is display type, the head, though it is no wider
    than the column (four-col, 都市快报 2026-04-04)."""
    text = "\n".join(
        [
            "充电宝新国标来了",
            "",
            "之前买的3C认证的充电宝，还能用吗？",
            "由工业和信息化部组织制定的强制性",
            "国家标准GB 47372-2026《移动电源安全技",
            "术规范》4月3日正式发布。《技术规范》",
            "在原有的两项通用强制性国家标准要求的",
            "基础上明确了多项关键要求。",
            "",
            "移动电源包括便携式移动电源和便携",
            "式储能电源，也就是俗称的“充电宝”和",
            "“户外电源”。《技术规范》要求强化电",
            "池本质安全，在标准中引入针刺试验，明",
            "确提升移动电源在高温、过度充电、挤压",
        ]
    )
    kinds = {x.text: x.kind for x in _settled(text)}
    assert kinds["充电宝新国标来了"] == kinds["之前买的3C认证的充电宝，还能用吗？"] == L.SHORT


def test_a_line_at_a_blocks_end_whose_word_the_next_block_takes_up_is_text():
    """A head-shaped line that fills a set-in line at a block's end, cut mid-sentence, is a paragraph's first
    line when the next block takes up the word it cuts (负责人表 / 示，…: 表示 stands together elsewhere in the
    text); our own pdf channel's page of the sample, pdftotext's default mode."""
    text = "\n".join(
        [
            "一季度，高耗能制造业销售收入占",
            "制造业比重为29.2%，较上年同期",
            "下降1.4个百分点，反映降碳减排",
            "成效明显。制造业企业采购环境治",
            "理服务金额同比增长13%，增速较",
            "2024年加快4.6个百分点，反映绿",
            "色治理投入持续加大。",
            "国家税务总局相关负责人表",
            "",
            "示，税务部门将进一步落实落细各",
            "项支持制造业高质量发展的税费优",
            "惠政策，依托税收大数据深化拓",
            "展“政策找人”，优化办税缴费服",
            "务，主动回应企业诉求，积极帮助",
            "盛来运表示，一季度，新质生",
        ]
    )
    assert next(x for x in _settled(text) if x.text == "国家税务总局相关负责人表").kind == L.PARA


def test_two_heads_and_a_byline_each_a_block_of_their_own_are_two_stories(corpus_pages):
    """pdftotext's default mode prints a byline under its head in the head's block (under a kicker's head
    too), so two head lines and a byline, each a block of its own, are the heads of two stories side by side,
    signed under the first; the text read first is the second's (four-col, the sample)."""
    text, result = corpus_pages["sample-four"]["default"]
    assert "驰宏锗业：以“四种思维”\n铸就“专精特新”之路\n\n中铝环保在线分析系统助力氧化铝生产数智化转型\n\n□ 陈晓玲" in text
    assert _article(result, "驰宏锗业：以“四种思维”铸就“专精特新”之路").byline == "□ 陈晓玲"
    assert _article(result, "中铝环保在线分析系统助力氧化铝生产数智化转型").text.startswith("近日，中铝环保在线分析系统")
    assert _article(result, "世界钱王“嘉靖通宝”迁徙之路").byline == "崔献刚 陆开明 何丹"
    # also among the heads of a page's run: 党建领航… / the next story's kicker / the first's byline
    assert _article(result, "党建领航强引擎 勇争第一促发展").byline == "中铝股份党委副书记、工会主席 毛世清"
    assert _article(result, "以一为基 勇争第一").kicker == "“以一为基谋新局 勇争第一创价值” 主题大讨论系列特别策划之四"


def test_a_line_with_a_comma_alone_in_its_block_over_a_head_is_a_kicker():
    """A head-shaped line that fills the column and holds a comma reads as a paragraph cut at a block's end;
    not when it is a block of its own over a head: pdftotext's default mode parts type of other sizes into
    blocks, so that is a kicker, and the three head lines are kicker, head and subtitle (four-col, 都市快报
    2026-03-28)."""
    lines = ["西站旁“云廊”飞架，骑行绿道贯通", "", "云门公园最新进展来了", "", "云廊长度约329米", ""]
    lines += ["本报讯 （记者 陆丹）杭州西站枢纽", "南侧的云门公园建设近日迎来重要节点，", "公园内两座钢箱梁桥——云廊与飞云桥完"]
    lines += ["成架设，正进行桥面焊接作业。", "", "云门公园总面积超30公顷，分四期建", "设，定位为杭州城市重要新中心的“生态"]
    lines += ["绿心”与面向多元人群的“活力引擎”。"]
    unwrapped = columns.unwrap("\n".join(lines), rules.DEFAULT_VOCABULARY)
    assert unwrapped is not None and unwrapped.measure == 18
    L.classify(unwrapped.items, rules.DEFAULT_VOCABULARY)
    unwrapped.settle()
    assert [x.kind for x in unwrapped.items[:3]] == [L.SHORT, L.SHORT, L.SHORT]


def test_a_number_broken_across_lines_is_one_paragraph():
    """No head breaks inside a number: a line that ends in a digit goes on to a line that starts with one, however
    the lines look (three-col-boxed, 人民日报 2026-01-13, default mode: the first line is wider than the column
    and head-shaped, the second ends a sentence); the number is not parted by a space."""
    text = "\n".join(
        [
            "本报北京1月12日电 （记者邱超奕）记者从中国",
            "民航局获悉：2025年，民航全行业完成运输总周转量1",
            "",
            "640.8亿吨公里、旅客运输量7.7亿人次、货邮运输量10",
            "17.2万吨，同比分别增长10.5%、5.5%、13.3%。",
            "",
            "“832平台”激发脱贫地区产业活力",
            "本报北京1月12日电 （记者王观）新疆墨玉县的",
            "葡萄干、灰枣，西藏的高原土蜂蜜、青稞饼干……在",
        ]
    )
    line, after = "640.8亿吨公里、旅客运输量7.7亿人次、货邮运输量10", "17.2万吨，同比分别增长10.5%、5.5%、13.3%。"
    assert columns._runs_on(line, after, 23, rules.DEFAULT_VOCABULARY) == columns.LINE
    unwrapped = columns.unwrap(text, rules.DEFAULT_VOCABULARY)
    assert unwrapped is not None
    assert any(x.text == line + after for x in unwrapped.items)


def test_a_head_over_text_that_opens_saying_when_starts_a_story():
    """A news story's first words say when (近日，… / 2025年，…); a subhead's text goes on its story's argument. So
    a head after a story's finished paragraph over such text starts a story (four-col, 都市快报 2026-04-04; the
    sample's 驰宏锗业 piece for a subhead)."""
    from publisher.importer.assemble import Assembler
    from publisher.importer.rejoin import TextPiece

    lines = [
        (13, "充电宝新国标来了", L.SHORT),
        (
            28,
            "等场景下的安全防护能力。为了降低移动电源长期使用后的内部短路风险，新增了循环老化方面的专业检测，同时要求标明建议安全使用年限，提醒消费者及时更换安全性差的移动电源。",
            L.PARA,
        ),
        (34, "一小区楼栋加装电梯，只通其中一层", L.SHORT),
        (
            35,
            "近日，IP地址为江苏的一位网友发布视频显示，一小区楼栋外加装的一部电梯，只通向该楼栋的其中一层，视频引发网友热议。",
            L.PARA,
        ),
        (38, "治理升级：市场化机制激发企业活力", L.SHORT),
        (
            39,
            "驰宏锗业坚持市场化改革方向，对选人用人和激励约束机制进行革新，经理层全面推行职业经理人制度，全员竞聘上岗，8.53%员工实现市场化退出。",
            L.PARA,
        ),
    ]
    pieces = [TextPiece([L.InputLine(no, text, kind)]) for no, text, kind in lines]
    articles = Assembler(pieces, rules.DEFAULT_VOCABULARY).run().articles
    assert [a.headline for a in articles] == ["充电宝新国标来了", "一小区楼栋加装电梯，只通其中一层"]
    assert [b.text for b in articles[1].body if b.kind == "subhead"] == ["治理升级：市场化机制激发企业活力"]


def test_a_title_and_a_name_under_a_head_sign_the_piece(corpus_pages):
    """中铝股份党委副书记、工会主席 毛世清 under its head is the piece's byline (a signature closes a speech
    in text with a paragraph a line); it never runs on into the head above it."""
    for mode in ("default", "layout"):
        result = corpus_pages["sample"][mode][1]
        for piece in corpus_pages["sample"]["issue"].pieces:
            if piece.byline_line and rules.speaker(piece.byline_line) and piece.headline.startswith(("高质量党建", "突出关键")):
                article = _article(result, piece.headline)
                assert article.byline == piece.byline_line, (mode, article.byline)
                assert article.authors and article.authors[0].name == rules.speaker(piece.byline_line)[1]


def test_a_line_glued_to_the_next_columns_text_is_cut_there(corpus_pages):
    """pdftotext -layout keeps one space where a line of one column ends right where the next column's text
    begins: the wrapped head's last characters (理马丁) come glued to the column before. Cut where the line
    below or above starts, the head is whole and its story its own."""
    text, result = corpus_pages["rmrb-0107"]["layout"]
    assert any(re.search(r"\S 理马丁$", line.rstrip()) for line in text.split("\n"))  # the convention, in the real text
    reading = strips.read(text).text.split("\n")
    assert "理马丁" in reading
    piece = next(p for p in corpus_pages["rmrb-0107"]["issue"].pieces if p.headline.startswith("赵乐际"))
    article = _article(result, piece.headline)
    assert norm(article.byline) == norm(piece.gold_byline)
    assert norm("".join(b.text for b in article.body)) == _story_text(piece)


def test_heads_side_by_side_in_display_type_are_cut_where_the_row_beside_starts():
    """Display type is wider than the body's grid: pdftotext -layout prints two heads side by side with one
    space or none between them (and a wrapped head's last character one space after the column before),
    while the shorter row next to them keeps the gap, its piece starting at the same position. Cut there,
    each head heads its own strip, the second over the column whose text opens with its dateline."""
    rows = [  # three-col-boxed, 都市快报 2026-04-04, as pdftotext -layout prints it
        "滨江这个喷水池“石头日历”谁做的？ 千岛湖旅游全球品牌口号征集参与投",
        "太浪漫了              票赢奖品",
        "记者 董吕平",
        "                                  本报讯（记者 王夏琴）“水秀天下 语动全球”。",
        "  近日，有网友发帖称，滨江一处喷水池里摆放着         今年1月1日，千岛湖旅游发出品牌口号全球征集令，",
        "用石头铺成的日历，“能想出这个主意的人，一定非         三个月时间，收到了来自世界各地近5000条创意口号。",
        "常热爱生活、非常浪漫吧！”帖子引发不少网友点赞，          经过多天的小组集中评审，30条候选口号已经突",
        "还有人留言：“能帮我拍一张生日那天的日期吗？这         围而出。现在，轮到你了！哪一句最能打动你？哪一",
        "样我过生日也能发个朋友圈。”                  句最能代表千岛湖？",
        "  4月1日上午10点，记者找到了网友拍摄的地点—",
        "—滨江区文化中心丹枫路与泰安路交叉口的喷泉处。",
    ]
    reading = [c.text for c in strips._block(list(enumerate(rows, start=1)))]
    assert reading[:3] == ["滨江这个喷水池“石头日历”谁做的？", "太浪漫了", "记者 董吕平"]
    second = reading.index("千岛湖旅游全球品牌口号征集参与投")
    assert reading[second + 1 : second + 3] == ["票赢奖品", "本报讯（记者 王夏琴）“水秀天下 语动全球”。"]
    rows = [  # four-col, 人民日报 2026-01-07
        "公布《商事调解条例》                                 港珠澳大桥珠海公路口岸出入境旅客超1亿人",
        "   新华社北京1月6日电 国务院总理李      《条例》旨在规范商事调解活动，有 次",
        "强日前签署国务院令，公布《商事调解条      效解决商事争议，保护当事人合法权益，",
        "例》（以下简称《条例》），自2026年5    促进商事调解行业发展，优化营商环境。      本报珠海1月6日电 （记者贺林平）   已突破1亿人次。",
        "月1日起施行。                 《条例》共33条，主要规定了以下内容。   刷脸开闸、核验指纹、查验放行……1月6       港珠澳大桥2018年10月建成开通，从",
    ]
    reading = [c.text for c in strips._block(list(enumerate(rows, start=1)))]
    head = reading.index("港珠澳大桥珠海公路口岸出入境旅客超1亿人")
    assert reading[head + 1] == "次" and "《条例》旨在规范商事调解活动，有" in reading


def test_a_head_wider_than_the_column_takes_back_its_last_characters_from_the_line_under_it():
    """pdftotext's default mode prints a head across columns, wrapped, and then the row its last characters
    share with the column before's text: that line ends in them after one space. A byline or a dateline
    that ends in a name after a space keeps it."""
    raw = ["赵乐际分别会见韩国总统李在明、爱尔兰总", "会谈前，李强在人民大会堂北大厅为 理马丁"]  # four-col, 人民日报 2026-01-07
    assert columns._glued_tails(raw, 18, frozenset(), rules.DEFAULT_VOCABULARY) == (
        ["赵乐际分别会见韩国总统李在明、爱尔兰总理马丁", "会谈前，李强在人民大会堂北大厅为"],
        {1},
    )
    for line in ("中国铝业人力资源部(党委组织部)总经理(部长) 王 星", "本报讯（见习记者 何丹）"):  # the sample's heads' bylines
        glued, _ = columns._glued_tails(
            ["构建干部人才培养新机制 赋能企业高质量发展", line], 12, frozenset(), rules.DEFAULT_VOCABULARY
        )
        assert glued[1] == line


def test_a_name_between_a_head_and_an_agencys_dateline_is_the_heads_end():
    """艾格 under 丁薛祥会见美国华特迪士尼公司首席执行官 and over 新华社北京1月9日电: a dateline with no writers is
    the agency's, which names no writer on a line of its own either; the short line is the head's last word."""
    rows = [
        "丁薛祥会见美国华特迪士尼公司首席执行官",
        "艾格",
        "新华社北京1月9日电 中共中央政治",
        "局常委、国务院副总理丁薛祥9日在北京",
        "会见美国华特迪士尼公司首席执行官艾格。",
    ]  # four-col, 人民日报 2026-01-10, pdftotext's default mode
    items = _settled("\n".join(rows))
    assert items[0].text == "丁薛祥会见美国华特迪士尼公司首席执行官艾格"
    assert not any(x.kind == L.NAMES for x in items)


def test_a_line_that_holds_a_sentences_end_or_rest_is_no_head():
    """猝死套餐”也迅速走红。这些东西真的能 opens a strip (a photo above it) but starts with the rest of a quotation
    and holds a full stop: no head's line, so its paragraph goes on at 防猝死、保健康吗？, which ends a question
    as heads may (four-col, 都市快报 2026-03-29, pdftotext -layout)."""
    line, after = "猝死套餐”也迅速走红。这些东西真的能", "防猝死、保健康吗？"
    assert columns._runs_on(line, after, 18, rules.DEFAULT_VOCABULARY, True, False) == columns.LINE


def test_a_head_alone_in_its_strip_beside_the_next_head_gets_its_own_story(tmp_path):
    """Layout mode: 宁波舟山港… heads its strip over a photo, 中国物流业景气指数为52.4% the next strip: two heads
    side by side (a kicker stands in its head's strip), not kicker and head. The first one's text comes after
    the second story's, where that text turns to its words."""
    issue = corpus.dated("rmrb", "2026-01-09")
    pdf = tmp_path / "four-col.pdf"
    corpus.render(issue, "four-col", pdf)
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    result = import_text(text, "rmrb.txt", number=20260109, paper=issue.paper)
    first = _article(result, "宁波舟山港成为全球首个年货物吞吐量超14亿吨大港")
    second = _article(result, "中国物流业景气指数为52.4%")
    assert second.kicker is None and first.text.startswith("浙江宁波舟山港发布数据显示")
    assert "宁波" not in "".join(b.text for b in second.body)
    assert any(d["kind"] == "orphan-headline" for d in result.report.decisions)
    assert input_chars(text) - output_chars(result) == Counter()


def test_heads_side_by_side_the_first_signed_the_second_dated(corpus_pages):
    """杭州正在打造全球首个“人机共治社区” / ——在超市、早餐店、快递驿站上班的，都是机器人 / 记者 徐盈盈 / 全国首部 …
    / 本报讯（记者 林建安 通讯员 黄小依）: a subtitle's dash under its head is a head line, commas and all; a head
    after the signed one, with a dateline under it, is the next story's head (no line of a poem)."""
    for mode in ("default", "layout"):
        result = corpus_pages["dskb-0329"][mode][1]
        first = _article(result, "杭州正在打造全球首个“人机共治社区”")
        assert first.subtitle == "——在超市、早餐店、快递驿站上班的，都是机器人" and first.byline == "记者 徐盈盈", mode
        second = _article(result, "全国首部 杭州为具身智能机器人立法 5月1日起施行")
        assert norm(second.byline) == norm("本报讯（记者 林建安 通讯员 黄小依）"), mode


def test_a_head_across_columns_goes_on_past_a_blank_line():
    """A head across columns is set so large that pdftotext -layout leaves a blank row between its lines: the
    short rest after it (神, cut off 全会精) is still the head's (six-col, 人民日报 2026-01-15, as read)."""
    rows = [  # the reading's lines (its column strip)
        "学习贯彻习近平总书记在二十届中央",
        "纪委五次全会上的重要讲话和全会精",
        "",
        "神",
        "新华社北京1月14日电 1",
        "月14日，国务院总理、党组",
        "书记李强主持召开国务院党",
        "组会议，学习贯彻习近平总",
    ]
    text = "\n".join(rows)
    unwrapped = columns.unwrap(text, rules.DEFAULT_VOCABULARY)
    assert unwrapped is not None
    assert unwrapped.items[0].text == "学习贯彻习近平总书记在二十届中央纪委五次全会上的重要讲话和全会精神"


def test_a_head_line_ending_in_a_colon_goes_on(tmp_path):
    """A head line ending in a colon announces what the next line says: that line is the head's rest, not
    a head under a kicker (seven-col, 都市快报 2026-03-29, pdftotext -layout)."""
    issue = corpus.dated("dskb", "2026-03-29")
    result = _printed(tmp_path, issue, "seven-col", layout=True)
    story = _article(result, "“华人神探”李昌钰逝世：我一辈子都在做傻瓜")
    assert story.kicker is None and story.text.startswith("美国康涅狄格州纽黑文大学")


def test_a_head_across_columns_parted_by_a_blank_row_stays_a_head(tmp_path):
    """Layout text shows the indent, so the rest of a head across columns that a blank row parts from it
    (次全国代表大会召开) may be as long as a line set in: set flush, shorter than the measure, it is still the
    head's; and that head is display type, not a paragraph cut at its block's end (six-col-vertical-jump,
    人民日报 2026-01-07, pdftotext -layout)."""
    issue = corpus.dated("rmrb", "2026-01-07")
    result = _printed(tmp_path, issue, "six-col-vertical-jump", layout=True)
    story = _article(result, "中共中央致电祝贺老挝人民革命党第十二次全国代表大会召开")
    assert story.byline == "新华社北京1月6日电" and story.text.startswith("1月6日，中国共产党中央委员会致电祝贺")


def test_a_head_wrapped_in_its_column_beside_the_next_head_is_cut_where_the_row_below_goes_on():
    """Display type leaves one space between two heads side by side; when the row below, at the first head's
    position, takes up what the part before that space cuts (here a number: 超30 / 00万人次), the head beside
    starts after the space (seven-col, 人民日报 2026-01-08, pdftotext -layout)."""
    rows = [
        "广深港高铁2025年跨境旅客超30 把惠民利民的好事办实（今日谈）",
        "00万人次                                                  2026年育儿补贴1月5   个家庭。",
        "                                                     日起正式全面开放申领。        育儿是家庭大事，",
        "   本报深圳1月7日电         西九龙站口岸开通以来       累计查验出入境人员超1    自去年7月制定出台实施",
        "（记者李刚）记者从广           总客流量的30%，较上年     亿人次。           方案以来，这项惠民利",
    ]
    texts = [c.text for c in strips._block(list(enumerate(rows, start=1)))]
    assert texts[:3] == ["广深港高铁2025年跨境旅客超30", "00万人次", "本报深圳1月7日电"]
    assert "把惠民利民的好事办实（今日谈）" in texts
    rows = [  # a quotation left open (seven-col, 都市快报 2026-03-29)
        "杭州正在打造全球首个“ 全国首部 杭州为具身智能机器人立法 5月1日",
        "人机共治社区”",
        "——在超市、早餐店、快递驿站上班的，                    起施行",
        "都是机器人",
        "记者 徐盈盈                                   本报讯（记者 林建     地方性法规——《杭州   第二十三次会议审议批     出台，为具身智能这一",
        "                                      安 通讯员 黄小依）3月26   市促进具身智能机器人   准，将于今年5月1日起施   未来产业在地方立法护",
    ]
    texts = [c.text for c in strips._block(list(enumerate(rows, start=1)))]
    assert texts[:2] == ["杭州正在打造全球首个“", "人机共治社区”"]
    assert texts[6:8] == ["全国首部 杭州为具身智能机器人立法 5月1日", "起施行"]


def test_a_wider_head_line_under_a_line_across_the_columns_starts_the_head(tmp_path):
    """Layout text: lines in no strip are display type, which no column's measure fills. A wrapped head's
    first line is its widest, so a wider head line under a head-shaped one (no break cutting a word) is the
    head under its kicker (six-col-vertical-jump, 都市快报 2026-04-04, pdftotext -layout)."""
    issue = corpus.dated("dskb", "2026-04-04")
    result = _printed(tmp_path, issue, "six-col-vertical-jump", layout=True)
    story = _article(result, "父亲带6岁男孩爬桐庐大奇山被困11小时")
    assert story.kicker == "走着走着就往野路上走" and story.byline == "记者 董吕平 通讯员 何超"


def test_text_after_a_heads_short_rest_and_a_gap_is_the_next_columns():
    """pdftotext -layout counts a character of display type as one position, so on the row of a wrapped
    head's short rest (日谈）) the next column's text prints left of its place; a gap parts columns, so it
    goes to the next column, not onto the head (seven-col, 人民日报 2026-01-10, pdftotext -layout)."""
    rows = [
        "心之所系，行之所至（今 我国每万人口高价值发明专利拥有量达16件",
        "日谈）          本报北京1月9日电 25年，我国授权发明专利 截 至 目 前 ， 我 国 国 发明专利拥有量达16件，",
        "  1月9日，国家医保局          符合人民生活新需求，    （记者谷业凯）记者从     97.2万件，注册商标420.6   内发明专利有效量超过50     超额完成“十四五”规",
        "会同财政部发布通知，            富有启示意义。       国家知识产权局获悉：20   万件。                0万件，每万人口高价值      划目标。",
        "将职工基本医疗保险个              心之所系，行之所",
    ]
    texts = [c.text for c in strips._block(list(enumerate(rows, start=1)))]
    assert texts[:3] == ["心之所系，行之所至（今", "日谈）", "1月9日，国家医保局"]
    assert "本报北京1月9日电" in texts


def test_the_rest_of_a_head_beside_a_head_rows_under_its_cut_stays_with_it(tmp_path):
    """Two heads side by side, both wrapped: the second one's rest (离世) comes rows under the row that cuts
    it off the first (display type takes more leading), left of its column's place; a short piece there is
    that head's rest, so both stories keep their heads and bylines (seven-col, 都市快报 2026-03-28,
    pdftotext -layout)."""
    issue = corpus.dated("dskb", "2026-03-28")
    result = _printed(tmp_path, issue, "seven-col", layout=True)
    assert _article(result, "宁波船商逆势承诺“不加价”！").byline == "记者 夏裕 通讯员 宋兵"
    assert _article(result, "捐钱、捐房、捐遗体 浙江97岁“三捐”老人离世").byline == "记者 董齐"


def test_a_head_cut_off_a_head_goes_to_the_column_that_opens_with_its_writers(tmp_path):
    """A head cut off the head beside it heads the column whose text opens as a story's does: with a dateline
    or with the writers' line (记者 董齐), whose story then keeps its text (seven-col, 都市快报 2026-03-28,
    pdftotext -layout)."""
    issue = corpus.dated("dskb", "2026-03-28")
    result = _printed(tmp_path, issue, "seven-col", layout=True)
    story = _article(result, "捐钱、捐房、捐遗体 浙江97岁“三捐”老人离世")
    assert story.text.startswith("昨天，97岁的单厚生在绍兴市中医院安详离世")


def test_a_head_cut_off_a_head_goes_to_the_column_its_story_opens_in(corpus_pages):
    """构建干部人才培养新机制 … 聚焦人才强企战略 为高质量发展提: display type counts a character as one position, so the
    second head prints left of its column's place; it goes to the empty column whose text opens as a story's
    (a title and a name: 中铝资产人力资源部总经理 李文军), which keeps its text (five-col, the sample,
    pdftotext -layout)."""
    _, result = corpus_pages["sample"]["layout"]
    story = _article(result, "聚焦人才强企战略 为高质量发展提供保障")
    assert story.byline == "中铝资产人力资源部总经理 李文军" and story.text.startswith("人力资源是企业发展的核心动能")


def test_a_head_line_ending_in_an_enumeration_comma_goes_on_past_a_blank_row(tmp_path):
    """A head across columns whose line ends in 、 lists on: its rest past the blank row of display leading
    goes on it, the whole head judged for its shape (seven-col, 人民日报 2026-01-07, pdftotext -layout)."""
    issue = corpus.dated("rmrb", "2026-01-07")
    result = _printed(tmp_path, issue, "seven-col", layout=True)
    story = _article(result, "赵乐际分别会见韩国总统李在明、爱尔兰总理马丁")
    assert story.byline == "新华社北京1月6日电" and story.text.startswith("全国人大常委会委员长赵乐际6日上午")


def test_a_byline_under_the_first_of_two_heads_side_by_side_reads_with_it():
    """A block of two rows shows no columns: the heads side by side and the first one's byline under it
    come in the order of the columns their pieces start in, so the byline follows its own head (four-col,
    the sample, pdftotext -layout)."""
    rows = ["在深化内化转化上下功夫                                  易门铜业第一炉阳极铜出炉", "□ 本报评论员"]
    assert [c.text for c in strips._block(list(enumerate(rows, start=1)))][:3] == [
        "在深化内化转化上下功夫",
        "□ 本报评论员",
        "易门铜业第一炉阳极铜出炉",
    ]


def test_a_head_beside_a_signed_one_waits_for_its_dated_story(tmp_path):
    """在深化内化转化上下功夫 / □ 本报评论员 / 易门铜业第一炉阳极铜出炉, then the commentary's text, then 本报讯…: one
    head-shaped line under a signed head is no poem, and with a dated text still to come it is a head printed
    beside the signed one: it heads that story (three-col-boxed, the sample, pdftotext -layout)."""
    pdf = tmp_path / "three-col-boxed.pdf"
    corpus.render(corpus.sample(), "three-col-boxed", pdf)
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    result = import_text(text, "sample.txt", number=1330, paper=corpus.sample().paper)
    commentary, news = _article(result, "在深化内化转化上下功夫"), _article(result, "易门铜业第一炉阳极铜出炉")
    assert commentary.byline == "□ 本报评论员" and "易门铜业" not in commentary.text
    assert news.byline == "本报讯" and news.text.startswith("近日，易门铜业阳极精炼节能减排项目")
    assert any(d["kind"] == "orphan-headline" and d["alternative"] is None for d in result.report.decisions)
    assert input_chars(text) - output_chars(result) == Counter()


def test_a_head_beside_a_signed_one_waits_for_its_story_under_a_photo(tmp_path):
    """在深化内化转化上下功夫 / □ 本报评论员 / 易门铜业第一炉阳极铜出炉: the second head stands over a photo, its dated
    story (本报讯…) under the pictures' captions; a caption is no head, so the head still waits for that story
    (four-col, the sample, pdftotext -layout)."""
    pdf = tmp_path / "four-col.pdf"
    corpus.render(corpus.sample(), "four-col", pdf)
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    result = import_text(text, "sample.txt", number=1330, paper=corpus.sample().paper)
    news = _article(result, "易门铜业第一炉阳极铜出炉")
    assert news.byline == "本报讯" and news.text.startswith("近日，易门铜业阳极精炼节能减排项目")
    assert "易门铜业" not in _article(result, "在深化内化转化上下功夫").text


def test_a_kicker_on_a_line_of_its_own_in_layout_text_stays_the_kicker(layout_text):
    """pdftotext -layout prints a kicker and its head that run across the columns as lines of their own,
    one under the other: in default text a shorter head-shaped line in a head's block is the head's rest,
    since that mode parts lines set in other sizes into blocks of their own; layout text keeps no such
    blocks, so there the two stay kicker and head."""
    kicker, head = "西站旁“云廊”飞架，骑行绿道贯通", "云门公园最新进展来了"  # 都市快报 2026-03-28
    assert columns._runs_on(kicker, head, 18, rules.DEFAULT_VOCABULARY, True, None) == columns.HEAD
    assert columns._runs_on(kicker, head, 18, rules.DEFAULT_VOCABULARY, True, None, blocks=False) == ""
    article = _article(layout_text["dskb"][3], head)
    assert article.kicker == kicker and article.series == "楼市情报站"


def test_a_jump_line_under_a_continued_storys_head_is_a_line_of_its_own():
    """The rest of a jumped story comes under a repeat of its head and （上接第1版）: a jump line never goes on the
    line above it, however wide that is (six-col-vertical-jump, 都市快报 2026-04-04, pdftotext -layout)."""
    head = "之前买的3C认证的充电宝，还能用吗？"
    assert columns._runs_on(head, "（上接第1版）", 12, rules.DEFAULT_VOCABULARY, True, None, blocks=False) == ""
    assert columns._runs_on("后，旅客此前已购买的通过", "（下转第2版）", 12, rules.DEFAULT_VOCABULARY, False, None) == ""


def test_a_vertical_head_comes_one_character_a_line_and_is_one_head(corpus_pages):
    """A headline set vertically comes out of pdftotext one character a line, after its story's columns:
    those lines are one head, the head of the story printed beside it (not a kicker of the next head)."""
    piece = corpus_pages["rmrb-0105"]["issue"].pieces[1]  # the six-column layout sets this one vertically
    for mode in ("default", "layout"):
        text, result = corpus_pages["rmrb-0105"][mode]
        read = strips.read(text).text if mode == "layout" else text  # (layout mode: in the reading's strip)
        singles = [x.strip() for x in read.split("\n") if len(x.strip()) == 1]
        assert piece.headline in "".join(singles)  # the convention, in the real text
        unwrapped = columns.unwrap(read, rules.DEFAULT_VOCABULARY)
        assert any(x.text == piece.headline and x.data.get("vertical") for x in unwrapped.items)
        assert _article(result, piece.headline)
        assert not any(a.kicker == piece.headline for a in result.issue.articles)
    layout = corpus_pages["rmrb-0105"]["layout"][1]
    assert norm(_article(layout, piece.headline).byline) == norm(piece.gold_byline)


def test_a_column_set_narrower_is_read_by_its_own_measure(corpus_pages):
    """The story beside the vertical head is set narrower than the page's columns (10 em, not 12): a block of
    default text, a strip of layout text, whose lines fill that measure, is read by it, so its lines run on
    into paragraphs instead of standing as short lines (heads)."""
    piece = corpus_pages["rmrb-0105"]["issue"].pieces[1]
    text, result = corpus_pages["rmrb-0105"]["default"]
    raw = text.split("\n")
    assert {raw[n - 1]: m for n, m in columns.block_measures(raw, 12).items()}.get("习近平表示，惊悉") == 10
    text, result = corpus_pages["rmrb-0105"]["layout"]
    reading = strips.read(text)
    lines = reading.text.split("\n")
    assert {lines[n - 1]: m for n, m in columns.strip_measures(lines, 12, reading.strips).items()}.get("习近平表示，惊悉") == 10
    assert norm(piece.paragraphs[1]) in [norm(b.text) for b in _article(result, piece.headline).body]


def test_a_section_label_starts_a_story_and_keeps_its_photos(corpus_pages):
    """A head read right under a page's section label starts a story of that section (it is no subhead of the
    previous page's last story); captions under the label are that page's, not the story before's."""
    result = corpus_pages["dskb-0404"]["default"][1]
    article = _article(result, "敏昂莱当选缅甸总统")
    assert result.issue.section(article.section).name == "很短很新鲜"
    for mode in ("default", "layout"):
        sample = corpus_pages["sample"][mode][1]
        photos = [a for a in sample.issue.articles if a.headline.startswith("图为")]
        assert photos and all(sample.issue.section(a.section).name == "亮点" for a in photos), mode


def test_captions_read_before_a_new_story_s_head_are_pictures_of_their_own(corpus_pages):
    """亮点 opens with two pictures, captioned and credited, above the page's first story: read before that head,
    after the label, they are two photo stories headed by their captions (a story's own picture is set under
    its head), not the first story's figures."""
    for mode in ("default", "layout"):
        result = corpus_pages["sample-four"][mode][1]
        for caption, credit in (("图为六冶员工参加洛阳市涧西区“悦跑”活动。", "秦亮摄"), ("图为凉山矿业员工工作场景。", "王武摄")):
            story = _article(result, caption)
            assert story.kind == "photo" and [(f.caption, f.credit) for f in story.figures] == [("", credit)], mode
            assert result.issue.section(story.section).name == "亮点", mode
        first = _article(result, "文化“软实力”变发展“硬支撑”")
        assert not any("六冶" in (f.caption or "") or "凉山" in (f.caption or "") for f in first.figures), mode


def test_a_quotation_over_a_head_is_its_kicker():
    """“吸粪车婚车队，全球第一个！” over 上班开粪车下班开奔驰的小伙结婚了: a line that is one quotation is the voice
    leading into the head, though it holds a comma and the head none (which else makes 主题 + 副题)."""
    kicker, head = "“吸粪车婚车队，全球第一个！”", "上班开粪车下班开奔驰的小伙结婚了"
    assert heads.read_head([kicker, head])[:3] == (kicker, head, None)
    assert heads.read_head(["大伯四个月前捡到项链 报警后跑了十趟询问进展", "——“请快报帮忙，一定要找到失主”"])[1:3] == (
        "大伯四个月前捡到项链 报警后跑了十趟询问进展",
        "——“请快报帮忙，一定要找到失主”",
    )
    assert heads.quotation(kicker) and heads.quotation("“请快报帮忙，一定要找到失主”")
    assert not heads.quotation("“小切口”撬动“大民生”")  # two quotations, words between them


def test_the_rest_of_a_quotation_at_a_column_s_top_ends_the_paragraph_before(corpus_pages):
    """…“如今一亩蓝莓 / 能卖两万元！” at the top of the next column: a short line that closes a quotation the
    paragraph before left open, and ends the sentence, is that paragraph's end, not a head (in layout text;
    the default mode prints that column's top after another story's head)."""
    piece = next(p for p in corpus_pages["rmrb-0108"]["issue"].pieces if "许泽" in p.paragraphs[0])
    paragraph = next(p for p in piece.paragraphs if p.endswith("能卖两万元！”"))
    result = corpus_pages["rmrb-0108"]["layout"][1]
    assert not any(a.headline.endswith("万元！”") for a in result.issue.articles)
    assert norm(paragraph) in [norm(b.text) for b in _article(result, piece.headline).body]


def test_a_head_right_of_every_column_heads_a_strip_of_its_own(corpus_pages):
    """图片报道 printed beside the head of the story to its left, over a picture, on the first row of a block
    whose three columns are that story's: it starts right of where their lines end, so it is no line of the
    third column but the head of a strip of its own; its picture's credit wraps before its last word
    (崔正博 / 摄（影像中国）) and the caption goes on there."""
    text, result = corpus_pages["rmrb-0114"]["layout"]
    rows = text.split("\n")
    top = next(n for n, row in enumerate(rows) if row.rstrip().endswith("图片报道"))
    block = rows[top : rows.index("", top)]
    assert len(strips._columns(block)) == 4
    piece = next(p for p in corpus_pages["rmrb-0114"]["issue"].pieces if p.headline == "图片报道")
    story = _article(result, "图片报道")
    assert norm(piece.paragraphs[0]) in [norm(b.text) for b in story.body]
    assert [(norm(f.caption), f.credit) for f in story.figures] == [(norm(piece.photos[0][0]), "崔正博摄（影像中国）")]
    assert not any(a.headline.startswith("摄") for a in result.issue.articles)


def test_a_short_line_under_a_head_closed_by_its_subtitle_is_a_caption(corpus_pages):
    """梅鹤堂… / ——这片石库门后… / 主厨金大闡在制作酱蟹 / 本报讯（…）: the head ends with its subtitle, so the
    short line between it and the dateline is the photo's caption, not a head of its own."""
    for mode in ("default", "layout"):
        result = corpus_pages["dskb-0404"][mode][1]
        article = _article(result, "梅鹤堂新添一家韩国米其林餐厅")
        assert norm(article.subtitle).endswith("这片石库门后，藏着三张美食名片"), mode
        assert [f.caption for f in article.figures] == ["主厨金大闡在制作酱蟹"], mode
        assert norm(article.byline) == norm("本报讯（记者 王青 通讯员 包成勇）"), mode
        assert not any(a.headline == "主厨金大闡在制作酱蟹" for a in result.issue.articles)


def test_a_question_wider_than_the_column_is_a_head(corpus_pages):
    """之前买的3C认证的充电宝，还能用吗？ on a line of its own, wider than the column's measure: no line of text
    set in the column is that wide, so it is display type, the head under its kicker (a question with a comma
    inside reads as text otherwise)."""
    for mode in ("default", "layout"):
        text, result = corpus_pages["dskb-0404"][mode]
        article = _article(result, "之前买的3C认证的充电宝，还能用吗？")
        assert article.kicker == "充电宝新国标来了", mode
        assert not L.heading_shape("之前买的3C认证的充电宝，还能用吗？")


def test_a_question_set_flush_at_a_strip_s_top_under_a_kicker_is_the_head(corpus_pages):
    """In four columns the same question fits the column; but layout text shows it set flush at the top of
    its strip, under the kicker, over a paragraph set in: a paragraph's first line would be set in too,
    and there is no paragraph before it to go on, so it is display type."""
    text, result = corpus_pages["dskb-0404-four"]["layout"]
    article = _article(result, "之前买的3C认证的充电宝，还能用吗？")
    assert article.kicker == "充电宝新国标来了" and not any(a.headline == "充电宝新国标来了" for a in result.issue.articles)


def test_a_row_of_heads_over_columns_is_read_as_their_tops(corpus_pages):
    """中铝环保在线分析系统助力氧化铝生产数智 beside 「铜冶炼」赋能冶炼终点预测 and its writers, a blank row (display
    type's leading), then the columns under them, the first head's last characters (化转型) at the top of its
    column: each head starts where a column of text does, so it is read at that column's top, its rest under it."""
    text, result = corpus_pages["sample"]["layout"]
    rows = text.split("\n")
    top = next(n for n, row in enumerate(rows) if row.startswith("中铝环保在线分析系统"))
    gap = rows.index("", top)
    block = [(n + 1, rows[n]) for n in range(top, gap)]
    below = [(n + 1, rows[n]) for n in range(gap + 1, rows.index("", gap + 1))]
    assert strips._heads_over(block, below)
    story = _article(result, "中铝环保在线分析系统助力氧化铝生产数智化转型")
    assert story.body[0].text.startswith("近日，中铝环保在线分析系统")
    assert not any(a.headline == "化转型" for a in result.issue.articles)


def test_a_line_a_little_over_a_narrow_measure_is_text_not_a_head_across_columns():
    """Seven columns of ten em: justified lines with Latin digits run up to an em over the (rounded) measure
    (站出发，可直达全国96个); only a line more than an em wider than the column is a head across columns."""
    line, after = "站出发，可直达全国96个", "站点，每日班次不少于20"  # 人民日报 2026-01-08
    assert columns.width(line) > 10.5
    assert columns._runs_on(line, after, 10, rules.DEFAULT_VOCABULARY, False, False) == columns.LINE
    head = "广深港高铁2025年跨境旅客超3000万人次"
    assert columns._runs_on(head, "本报深圳1月7日电", 10, rules.DEFAULT_VOCABULARY, True, False) == ""


def test_two_heads_side_by_side_are_cut_where_the_row_under_them_keeps_a_gap_a_position_off():
    """Seven columns (中国铝业报, pdftotext -layout): 新一代煤电升级专项行动 四部门发文… with one space between the two
    heads, and under them the first head's rest (开启) and a gap, the second story's text starting one position
    further right (display type's widths are rounded): the heads are cut at that space all the same."""
    heads = "新一代煤电升级专项行动 四部门发文明确金融“五篇大文章”统计标准"
    under = "开启           据新华社消息，为 体推进、重点突破、标"
    assert strips._split_aside(strips._pieces(heads), strips._gap_starts(under), [0, 13]) == [
        (0, "新一代煤电升级专项行动"),
        (12, "四部门发文明确金融“五篇大文章”统计标准"),
    ]


def test_a_subtitle_never_runs_on_into_its_head(corpus_pages):
    """早上锦昌文华二期地下架空层起火 fills the column's measure and ends no sentence, but the line under it opens
    with a subtitle's dash: the head ends there, however the widths go."""
    for mode in ("default", "layout"):
        result = corpus_pages["dskb-0329"][mode][1]
        article = _article(result, "早上锦昌文华二期地下架空层起火")
        assert norm(article.subtitle).endswith("多位居民反映架空层里住了人") and article.byline == "记者 陈卫民", mode


def test_a_caption_that_ends_in_its_source_is_a_figure():
    """A short line ending in where its picture comes from after a space (… 图片来自《某某报》, as the sample's
    财经聚焦 page prints it under a photo) is a caption with its credit, like … 张三 摄."""
    line = "国家统计局数据显示，初步核算 图片来自《经济日报》"  # the real line, pdftotext -layout of the sample in four-col
    match = columns.CREDITED.match(line)
    assert match and match.groups() == ("国家统计局数据显示，初步核算", "图片来自《经济日报》")
    assert columns.CREDITED.match("滨江樱花大道 橙友“高山浓茶” 摄")
    assert not columns.CREDITED.match("增长1.3%，我国一季度外贸平稳开局")


def test_a_column_label_in_brackets_and_a_unit_before_a_writer(columns_text, layout_text):
    """【楼市情报站】 on a line of its own is the story's column label (no vocabulary needed); 记者 宣涛 建德微融圈
    李孟 is a writers' line (a unit named before its writer)."""
    assert rules.DEFAULT_VOCABULARY.read("【楼市情报站】")["kind"] == "series"
    assert rules.DEFAULT_VOCABULARY.read("【编者按】") is None  # an editor's note, not a label
    assert rules.role_names("记者 宣涛 建德微融圈 李孟") == [("宣涛", "记者"), ("李孟", "建德微融圈")]
    for fixture in (columns_text, layout_text):
        issue, _, _, result = fixture["dskb"]
        piece = next(p for p in issue.pieces if p.byline_line == "记者 宣涛 建德微融圈 李孟")
        assert _article(result, piece.headline).byline == piece.byline_line
    _, _, _, result = columns_text["dskb"]
    piece = next(p for p in issue.pieces if p.series)
    article = _article(result, piece.headline)
    assert (article.series, article.kicker) == (piece.series, piece.kicker)


def test_heads_side_by_side_the_first_undated_the_second_dated(corpus_pages):
    """Default mode prints two heads side by side one after the other, then the first story's text (no
    dateline) and the second's (本报讯…): two stories, each with its own text."""
    text, result = corpus_pages["sample-four"]["default"]
    lines = [x for x in text.split("\n") if x.strip()]
    at = lines.index("在深化内化转化上下功夫")
    assert lines[at + 1] == "易门铜业第一炉阳极铜出炉"  # the convention, in the real text
    commentary = _article(result, "在深化内化转化上下功夫")
    news = _article(result, "易门铜业第一炉阳极铜出炉")
    assert commentary.text.startswith("4月15日至16日举行的") and "八项规定" in commentary.text
    assert "阳极铜" not in commentary.text and "八项规定" not in news.text


def test_layout_report_lines_are_the_pasted_inputs(layout_text, corpus_pages):
    """Every line number the report gives for layout text points at the pasted file's line: the text read
    there is in it (a masthead line, furniture, each decision's lines), the context is the input's."""
    cases = [(text, result) for _, text, _, result in layout_text.values()]
    cases += [corpus_pages[key]["layout"] for key in ("sample", "rmrb-0105")]
    for text, result in cases:
        pasted = text.replace("\f", "").split("\n")
        data = result.report.data()
        assert data["lines"] == len(pasted)

        def there(number: int, said: str, pasted: list[str] = pasted) -> bool:
            return set(norm(said)[:8]) <= set(norm(pasted[number - 1]))

        assert all(there(m["line"], m["text"]) for m in data["masthead"])
        assert all(there(f["line"], f["text"]) for f in data["furniture"]), [
            f for f in data["furniture"] if not there(f["line"], f["text"])
        ][:3]
        for d in data["decisions"]:
            assert d["read"] and all(there(n, said) for n, said in d["read"]), d
            assert {n for n, _ in d["context"]} >= {n for n in d["lines"] if pasted[n - 1].strip()}
            assert all(pasted[n - 1] == line for n, line in d["context"])
        for a in data["articles"]:
            assert 1 <= a["lines"][0] <= a["lines"][1] <= len(pasted)


def test_rules_name_none_of_the_corpus_stories_or_people():
    """No rule names the crawled papers' headlines, kickers, subtitles, columns or writers either."""
    source = "".join(p.read_text(encoding="utf-8") for p in IMPORTER_SRC.glob("*.py"))
    names = set()
    for issue in corpus.crawled():
        names.add(issue.paper)
        for p in issue.pieces:
            names |= {norm(x) for x in (p.headline, p.kicker, p.subtitle, p.series) if x}
            names |= {n for n in re.findall(rf"{rules.HAN}{{2,4}}", p.gold_byline or "") if rules.is_name(n)}
    names -= {"记者", "通讯员"}
    assert not sorted(n for n in names if len(n) >= 2 and n in source)


def test_switching_a_one_line_reading_takes_the_text_read_not_the_input_row():
    """An input row of layout text holds several columns: switching "one line read as kicker + headline" to
    the whole line takes the text the importer read at that line (the decision's ``read``), not the row."""
    from publisher.editing import readings

    row = "霍尔木兹海峡停摆，全球航运巨头齐涨价          捐钱、捐房、捐遗体 浙江97岁“三捐”老人离世"  # a real row
    decision = {
        "chose": readings.ONE_LINE,
        "alternative": readings.WHOLE_LINE,
        "lines": [68],
        "read": [[68, "捐钱、捐房、捐遗体 浙江97岁“三捐”老人离世"]],
        "context": [[67, ""], [68, row]],
    }
    article = {"kicker": "捐钱、捐房、捐遗体", "headline": "浙江97岁“三捐”老人离世"}
    assert readings.field_switch(decision, article) == {"kicker": None, "headline": "捐钱、捐房、捐遗体 浙江97岁“三捐”老人离世"}
    del decision["read"]  # the text importer's default mode and older reports: the input line is the line read
    assert readings.field_switch(decision, article) == {"kicker": None, "headline": row}


def test_corpus_pages_lose_nothing(corpus_pages):
    for key, page in corpus_pages.items():
        for mode in ("default", "layout"):
            text, result = page[mode]
            assert input_chars(text.encode("utf-8")) - output_chars(result) == Counter(), (key, mode)


def test_two_heads_printed_in_one_row_are_two_heads():
    """Default mode prints two heads set side by side as one line, a space between, and their rests as the
    next line: the left's rest cuts its word (召 / 开, 召开 stands in the text) or closes its bracket, or both
    halves wrap (seven-col, 人民日报 2026-01-06 and 2026-01-09, 都市快报 2026-03-28 and the sample, as read)."""
    rows = [
        "全国宣传部长会议在京召 韩正会见加拿大前总理克雷蒂安",
        "开",
        "本报北京1月5日电",
        "（记者赵兵）全国宣传",
        "部长会议5日在京召开。",
        "中共中央政治局常委、",
        "",
        "中铝环保在线分析系统助 「铜冶炼」赋能冶炼终点",
        "力氧化铝生产数智化转型 预测",
        "",
        "本报讯近日，中铝",
        "环保在线分析系统自主",
        "研发的铝酸钠浆液在线",
        "分析系统设备，为氧化",
        "",
        "把数据资源用好护好（编 新生命 新希望（记录中国）",
        "辑手记）",
        "",
        "有没有合适的服务、购",
        "买方不方便、价格咋定、",
        "",
        "宁波船商逆势承诺“不加 捐钱、捐房、捐遗体 浙江97岁“三捐”老人",
        "价”！",
        "离世",
        "记者 夏裕 通讯员 宋兵",
        "",
        "这两天，航运圈里",
        "朱传树火了。",
    ]
    unwrapped = columns.unwrap("\n".join(rows), rules.DEFAULT_VOCABULARY)
    assert unwrapped is not None
    texts = [item.text for item in unwrapped.items]
    assert texts[:2] == ["全国宣传部长会议在京召开", "韩正会见加拿大前总理克雷蒂安"]
    assert "中铝环保在线分析系统助力氧化铝生产数智化转型" in texts
    assert "「铜冶炼」赋能冶炼终点预测" in texts
    assert "把数据资源用好护好（编辑手记）" in texts  # the rest closes the bracket the left half leaves open
    assert "新生命 新希望（记录中国）" in texts
    at = texts.index("宁波船商逆势承诺“不加价”！")  # the right half takes its own short rest on the line after
    assert texts[at + 1 : at + 3] == ["捐钱、捐房、捐遗体 浙江97岁“三捐”老人离世", "记者 夏裕 通讯员 宋兵"]
    assert unwrapped.items[at + 1].no in unwrapped.block_ends  # the byline under the left half, a block of its own
    assert unwrapped.items[at + 2].no == rows.index("记者 夏裕 通讯员 宋兵") + 1  # every line keeps its number


def test_a_head_with_a_space_that_wraps_stays_one_head():
    """A head of two phrases a space apart wraps its second phrase: the rest cuts no word of the first, so the
    line is one head, not two (four-col, 都市快报 2026-03-28, as read)."""
    rows = [
        "大伯四个月前捡到项链 报警后跑了十趟询问",
        "进展",
        "本报讯 记者 王家琪 昨天上午，",
        "一位大伯来到派出所，说四个月前",
        "他捡到一条项链，交给了民警。",
    ]
    unwrapped = columns.unwrap("\n".join(rows), rules.DEFAULT_VOCABULARY)
    assert unwrapped is not None
    assert unwrapped.items[0].text.replace(" ", "") == "大伯四个月前捡到项链报警后跑了十趟询问进展"


def test_a_sentence_cut_before_a_dated_story_goes_on_past_none(tmp_path):
    """A head over a dated lead (本报北京1月14日电 …) opens a story: a paragraph cut mid-sentence before it (here
    by a pull quote pdftotext ran into the columns) never goes on past it, so the heads stay heads, not
    floats of the cut sentence (five-col, 人民日报 2026-01-15, as read)."""
    issue = corpus.dated("rmrb", "2026-01-15")
    text, _ = _pdftotext(issue, "five-col", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260115, paper=issue.paper)
    cars = _article(result, "2025年我国汽车产销双超3400万辆")
    assert cars.text.startswith("中国汽车工业协会14日发布的最新数据显示")
    assert _article(result, "向新向优，我国外贸九连增（权威发布）").text.startswith("1月14日，国务院新闻办举行")


def test_a_wrapped_head_across_columns_goes_on_to_the_line_over_its_dateline():
    """A head wider than the column wraps; the shorter line under it in its block, with the dateline right
    under them, is its rest, not a head of its own (seven-col, 人民日报 2026-01-10, as read)."""
    rows = [
        "丁薛祥会见美国华特迪士尼公",
        "司首席执行官艾格",
        "新华社北京1月9日电",
        "中共中央政治局常委、",
        "国务院副总理丁薛祥9日",
        "在北京会见美国华特迪",
        "",
        "士尼公司首席执行官艾",
        "格。",
        "艾格表示，迪士尼",
        "公司对中国发展充满信",
        "",
        "心，将继续扩大在华投",
        "资，更好促进美中交流",
        "合作。",
    ]
    items = _settled("\n".join(rows))
    assert items[0].text == "丁薛祥会见美国华特迪士尼公司首席执行官艾格"


def test_a_wrapped_head_across_columns_goes_on_to_the_line_over_a_first_line():
    """The shorter head-shaped line under a head wider than the column, right over a paragraph's first line
    (set in), is the head's rest, not a one-line paragraph (a first line that ends no sentence runs on)
    (six-col-vertical-jump, 人民日报 2026-01-15, as read)."""
    rows = [
        "中国共产党第二十届中央纪律检查委员会",
        "第五次全体会议公报",
        "中国共产党第二十届中",
        "央纪律检查委员会第五次全",
        "体会议，于2026年1月12日至",
        "",
        "14日在北京举行。出席这次",
        "全会的有中央纪委委员120",
        "人，列席265人。",
        "",
        "中共中央总书记、国家",
        "主席、中央军委主席习近平",
    ]
    items = _settled("\n".join(rows))
    assert items[0].text == "中国共产党第二十届中央纪律检查委员会第五次全体会议公报"
    assert items[1].text.startswith("中国共产党第二十届中央纪律检查委员会第五次全体会议，")


def test_a_first_line_opening_with_a_squeezed_quote_is_set_in():
    """An opening quotation mark at a line's start is set half an em wide: the first line of a paragraph that
    opens with one is still set in by the indent, so the head over it stays a head (seven-col, 人民日报
    2026-01-05, as read)."""
    rows = [
        "老杨小杨思想“转弯”记",
        "“埋头拉车摔跟头，",
        "抬头看路尝甜头。学习",
        "新思想方向明，楚源集",
        "团认高质量发展这个新",
        "时代的硬道理！”",
        "一进楚源厂区，党",
        "委书记、董事长杨鹏拉",
        "",
        "着记者直奔数字监控中",
        "心。",
        "近5年记者五进楚源，",
        "变化有形又无形。",
    ]
    unwrapped = columns.unwrap("\n".join(rows), rules.DEFAULT_VOCABULARY)
    assert unwrapped is not None
    assert [item.text for item in unwrapped.items][:2] == [
        "老杨小杨思想“转弯”记",
        "“埋头拉车摔跟头，抬头看路尝甜头。学习新思想方向明，楚源集团认高质量发展这个新时代的硬道理！”",
    ]


def test_display_type_wider_than_the_column_may_break_after_a_comma():
    """A head wider than the column may wrap after an enumeration comma; the line under it is its rest, even
    one as short as a first line set in; a text line in the measure that ends so goes on as text (seven-col,
    人民日报 2026-01-07, as read)."""
    rows = [
        "赵乐际分别会见韩国总统李在明、",
        "爱尔兰总理马丁",
        "新华社北京1月6日电",
        "全国人大常委会委员长",
        "赵乐际6日上午在北京分",
        "别会见韩国总统李在明、",
        "",
        "爱尔兰总理马丁。",
        "李在明表示，我同",
        "习近平主席就推动韩中",
        "关系发展达成重要共识。",
    ]
    unwrapped = columns.unwrap("\n".join(rows), rules.DEFAULT_VOCABULARY)
    assert unwrapped is not None
    assert unwrapped.items[0].text == "赵乐际分别会见韩国总统李在明、爱尔兰总理马丁"
    assert [item.text for item in unwrapped.items][-2] == "爱尔兰总理马丁。"


def test_display_type_wider_than_the_column_may_break_after_a_colon():
    """A head wider than the column wraps after its colon; the line under it in its block is its rest, so the
    head is one, not a paragraph ending in a colon (seven-col, 都市快报 2026-03-29, as read)."""
    rows = [
        "“华人神探”李昌钰逝世：",
        "我一辈子都在做傻瓜",
        "美国康涅狄格州纽",
        "黑文大学3月27日发布公",
        "告说，美籍华裔刑事鉴",
        "识专家李昌钰当天在位",
        "于内华达州的家中逝世，",
        "享年87岁。",
    ]
    unwrapped = columns.unwrap("\n".join(rows), rules.DEFAULT_VOCABULARY)
    assert unwrapped is not None
    assert unwrapped.items[0].text == "“华人神探”李昌钰逝世：我一辈子都在做傻瓜"


def test_a_vertical_head_printed_after_other_stories_heads_its_page_s_headless_story(tmp_path):
    """pdftotext prints a vertical head one character a line after its story's columns, here after the page's
    other stories: it heads the story its page opens with, read without a head, not the story before it
    (six-col-vertical-jump, 人民日报 2026-01-10)."""
    issue = corpus.dated("rmrb", "2026-01-10")
    text, _ = _pdftotext(issue, "six-col-vertical-jump", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260110, paper=issue.paper)
    meeting = _article(result, "丁薛祥会见美国华特迪士尼公司首席执行官艾格")
    assert meeting.text.startswith("中共中央政治局常委、国务院副总理丁薛祥9日在北京会见")
    assert meeting.byline == "新华社北京1月9日电"


def test_two_heads_in_one_row_the_left_a_question_signed_under_it(tmp_path):
    """谁做的？ 千岛湖…参与投 / 太浪漫了 / 票赢奖品 / 记者 董吕平: a head that asks goes on to its short rest, the
    right one to its own; the byline alone in its block under the two is the first's (its story's text comes
    first, undated; the second's is dated) (three-col-boxed, 都市快报 2026-04-04)."""
    issue = corpus.dated("dskb", "2026-04-04")
    text, _ = _pdftotext(issue, "three-col-boxed", tmp_path)
    result = import_text(text, "dskb.txt", number=20260404, paper=issue.paper)
    fountain = _article(result, "滨江这个喷水池“石头日历”谁做的？太浪漫了")
    vote = _article(result, "千岛湖旅游全球品牌口号征集参与投票赢奖品")
    assert fountain.byline == "记者 董吕平" and fountain.text.startswith("近日，有网友发帖称，滨江一处喷水池")
    assert vote.byline == "本报讯（记者 王夏琴）" and "“水秀天下 语动全球”" in vote.text


def test_two_wrapped_heads_and_a_byline_each_a_block_are_two_stories_signed_under_the_first(corpus_pages):
    """Two heads side by side, each wrapped in a block of its own, then a byline alone in its block: the byline
    stands under the first head, its story's text comes first (four-col, 都市快报 2026-04-04)."""
    result = corpus_pages["dskb-0404-four"]["default"][1]
    fountain = _article(result, "滨江这个喷水池“石头日历”谁做的？太浪漫了")
    assert fountain.byline == "记者 董吕平" and fountain.text.startswith("近日，有网友发帖称，滨江一处喷水")
    assert _article(result, "千岛湖旅游全球品牌口号征集参与投票赢奖品").byline == "本报讯（记者 王夏琴）"


def test_a_head_left_with_no_text_takes_the_later_block_that_tells_its_story(tmp_path):
    """A head across columns printed inside the text of the story above it, its own text (under its photo's
    caption) after the next story's: the block whose first sentence says what the head says (宁波舟山港 …
    吞吐量超14亿吨的大港) is its text; the head is no kicker of the next (four-col, 人民日报 2026-01-09)."""
    issue = corpus.dated("rmrb", "2026-01-09")
    text, _ = _pdftotext(issue, "four-col", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260109, paper=issue.paper)
    port = _article(result, "宁波舟山港成为全球首个年货物吞吐量超14亿吨大港")
    assert port.text.startswith("浙江宁波舟山港发布数据显示")
    logistics = _article(result, "中国物流业景气指数为52.4%")
    assert logistics.kicker is None and "宁波舟山港" not in logistics.text


def test_text_under_heads_whose_stories_come_later_goes_on_the_story_read(tmp_path):
    """Two heads printed one after the other over the text of the first; the second's text comes after the
    page's other stories: the undated paragraph after the first's dated block is the first's, and the second
    head takes the block that tells its story (three-col-boxed, 人民日报 2026-01-07)."""
    issue = corpus.dated("rmrb", "2026-01-07")
    text, _ = _pdftotext(issue, "three-col-boxed", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260107, paper=issue.paper)
    talks = _article(result, "李强同爱尔兰总理马丁会谈")
    assert "北大厅为马丁举行欢迎仪式" in talks.text
    meeting = _article(result, "赵乐际分别会见韩国总统李在明、爱尔兰总理马丁")
    assert meeting.text.startswith("全国人大常委会委员长赵乐际6日上午在北京分别会见") and "欢迎仪式" not in meeting.text


def test_an_editor_s_note_under_a_head_stays_before_its_story_s_text():
    """编者按 printed under a head, before the story's text (a block of its own in pdftotext's default mode),
    is that story's: read back in reading order it stays between the head and the text, so a subhead
    further down is no new story's head (our own pdf channel, the sample, as read)."""
    rows = [
        "中铝集团新能源项目领跑铝行业低碳革命",
        "编者按 为加快推动中央企业布局战略性新兴产业，更好发挥科技创新、产业控制、安全支撑作用，国务院国资委启动了央企战略性新兴产业“百大工程”。",
        "在广袤的达茂旗草原上，巨大",
        "的白色风电机组错落有致地矗立在",
        "草原上，叶片在微风中缓缓转动，",
        "与蓝天白云、碧草原相互映衬，勾",
        "勒出“风车矩阵”与“生态屏",
        "障”共生的工业奇观。",
    ]
    unwrapped = columns.unwrap("\n".join(rows), rules.DEFAULT_VOCABULARY)
    assert unwrapped is not None
    L.classify(unwrapped.items, rules.DEFAULT_VOCABULARY)
    unwrapped.settle()
    kinds = [item.kind for item in unwrapped.reorder(unwrapped.items)]
    assert kinds[:3] == [L.SHORT, L.EDNOTE, L.PARA]


def test_two_heads_in_one_row_the_left_ones_rest_printed_lines_later(tmp_path):
    """…当选几内亚总 全国宣传部长会议在京召开 over other columns' text, 统 alone lines further: the left head takes
    that rest (总 / 统 stand together in the text), the right is a head of its own, neither the other's kicker
    (six-col-vertical-jump, 人民日报 2026-01-06)."""
    issue = corpus.dated("rmrb", "2026-01-06")
    text, _ = _pdftotext(issue, "six-col-vertical-jump", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260106, paper=issue.paper)
    heads = {norm(a.headline) for a in result.issue.articles}
    assert {norm("习近平致电祝贺敦布亚当选几内亚总统"), norm("全国宣传部长会议在京召开")} <= heads
    assert not _article(result, "全国宣传部长会议在京召开").kicker


def test_two_heads_in_one_row_are_heads_of_stories_side_by_side(tmp_path):
    """新一代煤电升级专项行动 四部门发文明确金融“五篇大文章”统计标准 / 开启, over one block holding both stories'
    first lines: the right head is a head of its own, the left one no kicker over it (seven-col, the sample)."""
    text, _ = _pdftotext(corpus.sample(), "seven-col", tmp_path)
    result = import_text(text, "sample.txt", number=1330, paper=corpus.sample().paper)
    assert _article(result, "新一代煤电升级专项行动开启")
    assert not _article(result, "四部门发文明确金融“五篇大文章”统计标准").kicker


def test_a_wrapped_heads_row_ending_short_of_the_next_column_is_cut_before_its_short_rest(tmp_path):
    """中铝环保在线分析系统助 / 力氧化铝生产数智化转型 预测 beside 「铜冶炼」赋能冶炼终点: display type counts a character as
    one position, so the second row ends short of the next column's start; the short rest after its single
    space is the head beside's, and both heads come out whole (seven-col, the sample, pdftotext -layout)."""
    issue = corpus.sample()
    result = _printed(tmp_path, issue, "seven-col", layout=True)
    assert _article(result, "中铝环保在线分析系统助力氧化铝生产数智化转型").text.startswith("近日，中铝环保在线分析系统")
    assert _article(result, "「铜冶炼」赋能冶炼终点预测")


def test_a_two_line_head_at_a_strips_top_beside_a_head_is_no_text_cut_by_the_column(tmp_path):
    """宁波舟山港成为全球首个年货 / 物吞吐量超14亿吨大港, its last line as wide as the column, alone at its strip's top over a
    picture: the strip beside opens with a head too, so no text it would go on to follows; it heads the story
    under the picture (seven-col, 人民日报 2026-01-09, pdftotext -layout)."""
    issue = next(i for i in corpus.issues() if i.date.isoformat() == "2026-01-09")
    result = _printed(tmp_path, issue, "seven-col", layout=True)
    story = _article(result, "宁波舟山港成为全球首个年货物吞吐量超14亿吨大港")
    assert story.text.startswith("浙江宁波舟山港发布数据显示")


def test_two_heads_on_one_printed_row_are_two_heads_not_kicker_and_head(tmp_path):
    """宁波舟山港成为全球首个年货物吞吐量超14亿吨大港 and 中国物流业景气指数为52.4% print on the same row, in a block too
    short to show its columns: a kicker stands over its head, so the first heads a story of its own (the one
    under the picture), not the second's kicker (three-col-boxed, 人民日报 2026-01-09, pdftotext -layout)."""
    issue = next(i for i in corpus.issues() if i.date.isoformat() == "2026-01-09")
    result = _printed(tmp_path, issue, "three-col-boxed", layout=True)
    assert _article(result, "中国物流业景气指数为52.4%").kicker is None
    assert _article(result, "宁波舟山港成为全球首个年货物吞吐量超14亿吨大港").text.startswith("浙江宁波舟山港发布数据显示")


def test_a_short_head_left_of_a_blocks_columns_is_a_column_of_its_own(tmp_path):
    """图片报道 printed on the row of 带头、“线头”与劲头（人民论坛）, left of where that story's columns start: it heads
    the picture story under it (a photo story), not the head beside as its kicker (six-col-vertical-jump, 人民日报 2026-01-13,
    pdftotext -layout)."""
    issue = next(i for i in corpus.issues() if i.date.isoformat() == "2026-01-13")
    result = _printed(tmp_path, issue, "six-col-vertical-jump", layout=True)
    assert _article(result, "带头、“线头”与劲头（人民论坛）").kicker is None
    assert _article(result, "图片报道").kind == Kind.photo


def test_a_vertical_head_with_no_story_of_its_own_is_no_kicker_of_the_next(tmp_path):
    """更加科学有效地把权力关进制度笼子 printed down the page's edge, then 图片报道 at the next block's top: both wait for
    their stories, but a vertical head stands for itself, so it heads one rather than kicking the next head
    (six-col-vertical-jump, 人民日报 2026-01-14, pdftotext -layout)."""
    issue = next(i for i in corpus.issues() if i.date.isoformat() == "2026-01-14")
    result = _printed(tmp_path, issue, "six-col-vertical-jump", layout=True)
    assert _article(result, "更加科学有效地把权力关进制度笼子")
    assert _article(result, "图片报道").kicker is None


def _block_around(text: str, start: str) -> list[str]:
    """The block (lines between blank lines) of layout text that holds the line starting with ``start``."""
    rows = text.split("\n")
    at = next(n for n, row in enumerate(rows) if row.lstrip().startswith(start))
    top = max(n for n in range(at + 1) if n == 0 or not rows[n - 1].strip())
    return rows[top : rows.index("", at)]


def test_a_caption_left_of_a_blocks_columns_lower_down_is_a_column_of_its_own(corpus_pages):
    """图为广西华界厂区。 韦韦摄 printed on the third row of the block of 文化“软实力”变发展“硬支撑”, left of where that
    story's columns start (the picture is set beside them): a column of its own, not the start of the text line
    it shares a row with (four-col, the sample, pdftotext -layout)."""
    text, result = corpus_pages["sample-four"]["layout"]
    block = _block_around(text, "图为广西华界厂区。")
    assert strips._columns(block)[0] == 0
    assert not any("图为广西华界厂区" in b.text for a in result.issue.articles for b in a.body)


def test_a_caption_between_a_kicker_and_its_head_is_a_photo_of_its_own(corpus_pages):
    """山西华兴山西中润 / 图为广西华界厂区。 韦韦摄 / 文化“软实力”变发展“硬支撑”: layout text reads the caption's column
    between the kicker and its head, which are set together, so it is a picture standing on its own (a photo
    story), not the story's (four-col, the sample, pdftotext -layout)."""
    result = corpus_pages["sample-four"]["layout"][1]
    photo = _article(result, "图为广西华界厂区。")
    assert photo.kind == Kind.photo and [f.credit for f in photo.figures] == ["韦韦摄"]
    assert not _article(result, "文化“软实力”变发展“硬支撑”").figures


def test_a_line_ending_in_an_enumerations_comma_goes_on_to_the_next_names():
    """丁薛祥、何立峰、 (set in) / 张国清、刘国中、王小 (seven-col, 人民日报 2026-01-15, pdftotext -layout): the second line
    alone reads as a names byline, but the list is still going on at the first line's 、, so it is that
    paragraph's next line, not a head's writers."""
    vocabulary = rules.DEFAULT_VOCABULARY
    assert L.signs("张国清、刘国中、王小", vocabulary)
    assert columns._runs_on("丁薛祥、何立峰、", "张国清、刘国中、王小", 10, vocabulary, True, False) == columns.LINE


def test_two_heads_on_one_row_split_where_a_headless_story_repeats_the_second(tmp_path):
    """在深化内化转化上下功夫 易门铜业第一炉阳极铜出炉 / □ 本报评论员: both pdftotext modes print two heads set side by side as
    one line, a space between, the left one's byline under it. The dated story further down the page (本报讯近日，易门铜业
    阳极精炼节能减排项目投料带负荷试车成功，第一炉阳极铜顺利出炉。) has no head of its own and its first sentence repeats
    the second half, not the first: that half is its head (seven-col, the sample)."""
    for layout in (False, True):
        result = _printed(tmp_path, corpus.sample(), "seven-col", layout=layout)
        assert _article(result, "在深化内化转化上下功夫").byline == "□ 本报评论员", layout
        assert _article(result, "易门铜业第一炉阳极铜出炉").text.startswith("近日，易门铜业阳极精炼"), layout


def test_a_line_under_display_type_in_no_strip_is_not_set_in_by_its_width():
    """社会融资规模增量超15万亿元！金融 / “活水”激发经济活力 (six-col-vertical-jump, the sample, pdftotext -layout): the head is
    wider than the column and in no strip, so the line under it is display type too, whose width tells no indent
    (it is about two em short of the measure); the break cuts 金融“活水” (the subhead 金融“活水”浇灌到了哪里？ holds the
    pair), so the head goes on."""
    words = columns.pairs(["金融“活水”浇灌到了哪里？"])
    vocabulary = rules.DEFAULT_VOCABULARY
    head, rest = "社会融资规模增量超15万亿元！金融", "“活水”激发经济活力"
    assert columns._runs_on(head, rest, 12, vocabulary, True, None, words, False) == columns.HEAD
    # default mode parts type of other sizes into blocks: there a line set in by its width under the head is text
    assert columns._runs_on(head, rest, 12, vocabulary, True, None, words, True) == ""


def test_a_head_glued_to_the_head_before_at_a_columns_start_goes_where_its_byline_is(tmp_path):
    """中铝环保在线分析系统助 「铜冶炼」赋能冶炼终点 / 力氧化铝生产数智化转型 预测 / 王永娟 王富强 陈恩林 on a block's first rows
    (seven-col, the sample, pdftotext -layout): the second head, one space after the first at the next column's start,
    prints left of its place; it goes to the column that opens with its writers, not to the first head's next column."""
    result = _printed(tmp_path, corpus.sample(), "seven-col", layout=True)
    assert _article(result, "「铜冶炼」赋能冶炼终点预测").byline == "王永娟 王富强 陈恩林"
    assert not any(norm(a.headline) == norm("王永娟 王富强 陈恩林") for a in result.issue.articles)


def test_a_subhead_set_in_as_a_paragraph_goes_on_to_its_flush_rest(corpus_pages):
    """构建绿色低碳发展体系，打造 / 示范性新能源项目 (five-col, the sample, pdftotext -layout): the first line is set in by the
    indent and fills the rest of the measure with no sentence ended, the second is flush: a paragraph's first line
    running on, though the first line alone has a head's shape and the rest is short. One subhead of its story."""
    result = corpus_pages["sample"]["layout"][1]
    story = _article(result, "中铝集团新能源项目领跑铝行业低碳革命")
    assert "构建绿色低碳发展体系，打造示范性新能源项目" in [b.text for b in story.body if b.kind == "subhead"]
    assert not any(a.headline == "构建绿色低碳发展体系，打造" for a in result.issue.articles)


def test_a_kicker_over_columns_across_display_types_leading_is_no_line_of_text(tmp_path):
    """山西华兴山西中润 over the columns of 文化“软实力”变发展“ / 硬支撑”, a blank row between (seven-col, the sample, pdftotext
    -layout): read at its column's top it fills most of the measure, cut mid-sentence, but the blank row is display
    type's leading, so it goes on only as a head wraps; it stays the kicker."""
    result = _printed(tmp_path, corpus.sample(), "seven-col", layout=True)
    assert _article(result, "文化“软实力”变发展“硬支撑”").kicker == "山西华兴山西中润"


def test_a_space_inside_a_heads_quotation_parts_no_columns(tmp_path):
    """文化“软实力”变发展“ 营造“亲而有度 清而有为”廉洁氛围 on one row (seven-col, the sample, pdftotext -layout): the second
    head's own space falls at a column's start, but the part before it opens a quotation that the part after closes,
    so the head is one, not the ends of two columns' lines."""
    assert strips._quoted_space("营造“亲而有度", "清而有为”廉洁氛围")
    assert not strips._quoted_space("要坚持“当下改”和“", "长久立”相结合")  # a column's line ending on a hanging quote
    result = _printed(tmp_path, corpus.sample(), "seven-col", layout=True)
    assert _article(result, "营造“亲而有度 清而有为”廉洁氛围")
    assert not any(a.headline.startswith("清而有为") for a in result.issue.articles)


def test_a_waiting_head_is_no_head_of_a_story_sections_later(tmp_path):
    """“以一为基谋新局 勇争第一创价值” 主题大讨论系列特别策划之四, over the 热议 page's heads, waits for a story (three-col-boxed,
    the sample, pdftotext -layout); the story sections later that opens with 拓荒：土坯房里的初心烙印 (its head of the form
    of its subheads 破冰：… / 革新：…) is not it: a head waits on its own pages."""
    result = _printed(tmp_path, corpus.sample(), "three-col-boxed", layout=True)
    assert _article(result, "拓荒：土坯房里的初心烙印")
    assert not any(a.headline.endswith("主题大讨论系列特别策划之四") for a in result.issue.articles)


def test_a_head_with_a_space_stays_whole_when_a_story_repeats_its_second_half_only_in_part(tmp_path):
    """党建领航强引擎 勇争第一促发展 (three-col-boxed, the sample, pdftotext's default mode): a story read without a head further
    on opens with a long sentence that holds 勇争第一 (…积极践行“以一为基 勇争第一”价值追求…), four of the second half's six
    pairs; a story's first sentence repeats nearly all of its head, so the head is one."""
    result = _printed(tmp_path, corpus.sample(), "three-col-boxed")
    assert _article(result, "党建领航强引擎 勇争第一促发展").byline == "中铝股份党委副书记、工会主席 毛世清"


def test_a_head_across_columns_takes_its_rest_set_in_and_no_text_after_it(tmp_path):
    """以共赢思路打通联动堵点（贯彻四中 / 全会精神一线见闻） (six-col-vertical-jump, 人民日报 2026-01-08, pdftotext -layout): the
    head is wider than the column and its rest comes rows later, three positions in: display type, no paragraph's
    indent, so the head goes on to it; and the column's text under the rest (助力人口高质量发展…) does not run on to the
    head as a line of text would."""
    issue = next(i for i in corpus.issues() if i.date.isoformat() == "2026-01-08")
    result = _printed(tmp_path, issue, "six-col-vertical-jump", layout=True)
    assert _article(result, "以共赢思路打通联动堵点（贯彻四中全会精神一线见闻）")


def test_a_strips_last_two_rows_printed_the_wrong_way_round_are_put_back(tmp_path):
    """举行欢迎仪式。 / 动。 / 吴政隆参加上述活 at the foot of a column of 李强同爱尔兰总理马丁会谈 (seven-col, 人民日报 2026-01-07,
    pdftotext -layout): the short flush line that ends a sentence comes a row before the set-in line that opens it, as
    baselines of stories side by side differ by less than a row; a paragraph's first line is set in, so the set-in line
    goes first and the paragraph reads 吴政隆参加上述活动。"""
    issue = next(i for i in corpus.issues() if i.date.isoformat() == "2026-01-07")
    result = _printed(tmp_path, issue, "seven-col", layout=True)
    assert "吴政隆参加上述活动。" in [b.text for b in _article(result, "李强同爱尔兰总理马丁会谈").body]
    assert not any(a.headline == "吴政隆参加上述活" for a in result.issue.articles)


def test_a_long_rest_of_a_head_across_columns_glued_after_the_columns_before(tmp_path):
    """学习贯彻习近平总书记在二十届中央纪委五 over “腐败是…的 腐败斗争…部署 次全会上的重要讲话和全会精神: the head, beside
    更加清醒坚定地推进反腐败斗争, wraps into a long rest printed after the two columns' text on its row (五 / 次 stand together
    in the text); the head ends there, so the row's text is the story beside's, and the dated block the wrapped head's
    (four-col, 人民日报 2026-01-15)."""
    issue = corpus.dated("rmrb", "2026-01-15")
    text, _ = _pdftotext(issue, "four-col", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260115, paper=issue.paper)
    assert _article(result, "学习贯彻习近平总书记在二十届中央纪委五次全会上的重要讲话和全会精神").byline == "新华社北京1月14日电"
    beside = _article(result, "更加清醒坚定地推进反腐败斗争")
    assert beside.byline is None and beside.text.startswith("“腐败是党和国家事业发展进程中的")


def test_a_glued_head_tail_ends_its_block_the_rows_text_is_the_column_befores(tmp_path):
    """形势政策系列报告会第五场报告会在北京举 / 本报北京1月13日电 （记者郑海鸥） 场所演出）… 行: the head's 行 goes back on it, and
    the dateline left on that row is the story beside's (2025年全国营业性演出票房收入超616亿元), not the wrapped head's
    (four-col, 人民日报 2026-01-14)."""
    issue = corpus.dated("rmrb", "2026-01-14")
    text, _ = _pdftotext(issue, "four-col", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260114, paper=issue.paper)
    assert _article(result, "形势政策系列报告会第五场报告会在北京举行").byline == "新华社北京1月13日电"
    assert "记者郑海鸥" in (_article(result, "2025年全国营业性演出票房收入超616亿元").byline or "")


def test_a_head_of_its_own_told_past_the_next_heads_leaves_the_text_under_it_to_the_story_before(tmp_path):
    """宁波舟山港成为全球首个年货物吞吐量超14亿吨大港, a block of its own over the last column of the story above (习近平强调，…),
    then 中国物流业景气指数为52.4% and its text: the block that tells the head's story (…成为全球首个年货物吞吐量超14亿吨的大港)
    comes past the next head, under its picture; the undated text under the head is the story before's
    (three-col-boxed, 人民日报 2026-01-09)."""
    issue = corpus.dated("rmrb", "2026-01-09")
    text, _ = _pdftotext(issue, "three-col-boxed", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260109, paper=issue.paper)
    assert _article(result, "宁波舟山港成为全球首个年货物吞吐量超14亿吨大港").text.startswith("浙江宁波舟山港发布数据显示")
    assert "习近平强调，文明交流互鉴" in _article(result, "习近平向2026年“中非人文交流年”开幕式致贺信").text


def test_a_set_in_first_line_ending_a_sentence_opens_a_paragraph_when_its_paragraph_goes_on(tmp_path):
    """“天价罚单”震惊湖北，震动沿江。 opens a column of 老杨小杨思想“转弯”记, its paragraph going on past it (涉事企业…): a
    set-in first line that happens to end a sentence, not the last line of 习近平表示，惊悉瑞士瓦莱州克朗— cut at the column's
    foot, which goes on at 蒙大拿镇…, under the head beside (four-col, 人民日报 2026-01-05)."""
    issue = corpus.dated("rmrb", "2026-01-05")
    text, _ = _pdftotext(issue, "four-col", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260105, paper=issue.paper)
    assert "克朗—蒙大拿镇不幸发生一起严重火灾" in _article(result, "习近平就瑞士瓦莱州火灾事件向瑞士联邦主席帕姆兰致慰问电").text
    assert _article(result, "凝聚复兴伟力绘就时代华章").text.startswith("2025年，是“十四五”收官")
    assert "“天价罚单”震惊湖北" in _article(result, "老杨小杨思想“转弯”记").text


def test_a_heads_last_word_of_four_characters_glued_after_the_columns_goes_back_on_it():
    """四部门发文明确金融“五篇大文章” over 据《中国环境报》消息，国家 指导现役机组… 以满足电网快速调节需求的地区， 统计标准: the
    head's last word, after a closing quote (no pair of characters to tell the cut), is printed at the end of the row it
    shares with the columns before (five-col, the sample, pdftotext's default mode)."""
    raw = [
        "四部门发文明确金融“五篇大文章”",
        "据《中国环境报》消息，国家 指导现役机组改造升级、新建机组 以满足电网快速调节需求的地区， 统计标准",
    ]
    glued, _ = columns._glued_tails(raw, 15, frozenset(), rules.DEFAULT_VOCABULARY)
    assert glued[0] == "四部门发文明确金融“五篇大文章”统计标准"


def test_a_heads_last_characters_glued_to_the_second_row_under_it():
    """港珠澳大桥珠海公路口岸出入境旅客超1亿人 over two rows of the columns before, the second ending … 人合法权益，促进商事调解
    行业发 次: display type takes more leading, so the head's rest shares the second row; it cuts the head's word (人 / 次
    stand together), and goes back on the head (five-col, 人民日报 2026-01-07, pdftotext's default mode)."""
    raw = [
        "港珠澳大桥珠海公路口岸出入境旅客超1亿人",
        "新华社北京1月6日电 国务院 动，有效解决商事争议，保护当事",
        "总理李强日前签署国务院令，公布 人合法权益，促进商事调解行业发 次",
    ]
    glued, ends = columns._glued_tails(raw, 15, frozenset({"人次"}), rules.DEFAULT_VOCABULARY)
    assert glued[0] == "港珠澳大桥珠海公路口岸出入境旅客超1亿人次" and glued[2].endswith("行业发") and ends == {1}


def test_a_set_in_line_under_text_at_a_blocks_end_is_a_first_line_cut_by_the_column(tmp_path):
    """《条例》旨在规范, set in by the indent under …起施行。 at its block's end, the next block going on (商事调解活动，…): a
    paragraph's first line cut at the column's foot, not a head (seven-col, 人民日报 2026-01-07)."""
    issue = corpus.dated("rmrb", "2026-01-07")
    text, _ = _pdftotext(issue, "seven-col", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260107, paper=issue.paper)
    assert "《条例》旨在规范" in _article(result, "公布《商事调解条例》").text
    assert not any(norm(a.headline) == norm("《条例》旨在规范") for a in result.issue.articles)


def test_a_filled_last_line_ending_in_a_quoted_term_is_cut_mid_sentence(tmp_path):
    """…习近平总书记着眼于为实现“十五五” fills the measure and ends in a term in quotation marks, no sentence's end: the
    paragraph goes on at 时期目标任务提供坚强保障…, printed under the photo feature's head 图片报道, which heads its picture.
    Of the two stories then cut, the block opening with a dash's rest (—这是历史的结论…) goes on the one ending in its
    first half (…事业兴—) (four-col, 人民日报 2026-01-14)."""
    issue = corpus.dated("rmrb", "2026-01-14")
    text, _ = _pdftotext(issue, "four-col", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260114, paper=issue.paper)
    assert "时期目标任务提供坚强保障" in _article(result, "更加科学有效地把权力关进制度笼子").text
    assert "事业兴——这是历史的结论" in _article(result, "只留清气满乾坤").text
    assert _article(result, "图片报道")


def test_a_quotation_under_a_head_is_no_head_under_a_kicker():
    """紧急提醒：这种“钱”不要用, then “吸粪车婚车队，全球第一个！” (the kicker of the story beside, whose head comes later): a
    quotation leads into a head from above it, so under a head it is no head, and the line over it is the head
    (four-col, 都市快报 2026-03-29, pdftotext's default mode)."""
    head, quoted = "紧急提醒：这种“钱”不要用", "“吸粪车婚车队，全球第一个！”"
    assert heads.read_head([head, quoted])[:3] == (None, head, quoted)


def test_a_couplet_head_ending_in_its_columns_tag_starts_a_story(tmp_path):
    """新生命 新希望（记录中国）, two phrases a space apart and the column's tag, under the end of the story before: a head
    that ends in its column's tag starts a story, never a subhead (five-col, 人民日报 2026-01-09)."""
    issue = corpus.dated("rmrb", "2026-01-09")
    text, _ = _pdftotext(issue, "five-col", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260109, paper=issue.paper)
    assert _article(result, "新生命新希望（记录中国）").text.startswith("西藏定日县长所乡通来村")


def test_text_in_a_heads_own_block_is_its_story_even_with_a_dateline_still_to_come(tmp_path):
    """凝聚复兴伟力 绘就时代华章 / 2025年，是“十四五”… in one block, after a story jumped to page 2, a dated block (新华社北京1月4日电)
    still to come: the text the head's block runs on into is its own, not the story before's, and the dateline is the
    vertical head's story's (six-col-vertical-jump, 人民日报 2026-01-05)."""
    issue = corpus.dated("rmrb", "2026-01-05")
    text, _ = _pdftotext(issue, "six-col-vertical-jump", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260105, paper=issue.paper)
    essay = _article(result, "凝聚复兴伟力绘就时代华章")
    assert essay.byline is None and essay.text.startswith("2025年，是“十四五”收官")
    assert _article(result, "习近平就瑞士瓦莱州火灾事件向瑞士联邦主席帕姆兰致慰问电").byline == "新华社北京1月4日电"


def test_a_block_whose_sentence_the_block_telling_a_waiting_heads_story_goes_on_opens_that_story(tmp_path):
    """更加清醒坚定地推进反腐败斗争, printed into the column of the story above, waits for the block that says what it says
    (…强调“更加清醒坚定地推进反腐败斗争”); the block before that one, “腐败是…准确把, stops in the sentence it goes on
    (握反腐败斗争…), so it opens the waiting head's story (three-col-boxed, 人民日报 2026-01-15)."""
    issue = corpus.dated("rmrb", "2026-01-15")
    text, _ = _pdftotext(issue, "three-col-boxed", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260115, paper=issue.paper)
    assert _article(result, "更加清醒坚定地推进反腐败斗争").text.startswith("“腐败是党和国家事业发展进程中的拦路虎")


def test_text_opening_with_a_date_and_a_time_of_day_starts_a_story(tmp_path):
    """学校职工举报自己违规调动、吃空饷 over 3月27日晚，“太原教育”微信公众号…, after a finished paragraph of the story above:
    text that opens saying when, a time of day after the date, starts a story; the head is no subhead (five-col, 都市快报
    2026-03-28)."""
    issue = corpus.dated("dskb", "2026-03-28")
    text, _ = _pdftotext(issue, "five-col", tmp_path)
    result = import_text(text, "dskb.txt", number=20260328, paper=issue.paper)
    assert _article(result, "学校职工举报自己违规调动、吃空饷").text.startswith("3月27日晚，“太原教育”微信公众号")


def test_two_heads_signed_apart_the_second_signed_where_its_text_starts(tmp_path):
    """百舸争流 奋楫者先 / 高质量党建引领保障高质量发展 / 中铝高端副总经理，…董事 李 响, each a block of its own: heads side by
    side signed under the first. A title and a name (中铝国际党委副书记、工会主席 刘东军) opening a later block sign the second,
    whose text follows it, so the text read first is the first's (three-col-boxed, the sample)."""
    text, _ = _pdftotext(corpus.sample(), "three-col-boxed", tmp_path)
    result = import_text(text, "sample.txt", number=1330, paper=corpus.sample().paper)
    assert _article(result, "百舸争流 奋楫者先").text.startswith("近年来，中铝材料院")
    second = _article(result, "高质量党建引领保障高质量发展")
    assert second.byline == "中铝国际党委副书记、工会主席 刘东军" and second.text.startswith("中铝国际党委全面贯彻")


def test_a_block_too_short_to_show_its_measure_takes_the_narrow_one_before():
    """会谈前，李强在人 / 民大会堂北大厅为马丁 / 举行欢迎仪式。/ 吴政隆参加上述活 / 动。 under a block set ten em wide beside a
    vertical head: too short to show its own measure, it fills the same narrow column, so its set-in lines are
    paragraphs' first lines, not heads (six-col-vertical-jump, 人民日报 2026-01-07, pdftotext's default mode)."""
    raw = [
        "新华社北京1月6日",
        "电 （记者冯歆然）1月6",
        "日下午，国务院总理李",
        "强在北京人民大会堂同",
        "来华进行正式访问的爱",
        "尔兰总理马丁举行会谈。",
        "",
        "会谈前，李强在人",
        "民大会堂北大厅为马丁",
        "举行欢迎仪式。",
        "吴政隆参加上述活",
        "动。",
    ]
    measures = columns.block_measures(raw, 12)
    assert measures.get(8) == measures.get(10) == 10


def test_a_story_told_by_a_first_sentence_cut_at_its_blocks_end(tmp_path):
    """习近平会见爱尔兰总理马丁, a block of its own, its story told past the next head by a dated block whose one paragraph is
    cut at the block's end (…在北京人民大会堂会见来华进行正式 / 访问的爱尔兰总理马丁。): the first sentence read on into the
    next block says what the head says, so the head waits for it and the text under it is the story before's
    (three-col-boxed, 人民日报 2026-01-06)."""
    issue = corpus.dated("rmrb", "2026-01-06")
    text, _ = _pdftotext(issue, "three-col-boxed", tmp_path)
    result = import_text(text, "rmrb.txt", number=20260106, paper=issue.paper)
    assert "会见来华进行正式访问的爱尔兰总理马丁" in _article(result, "习近平会见爱尔兰总理马丁").text
    assert "中方愿同韩方一道" in _article(result, "习近平同韩国总统李在明举行会谈").text


def test_a_filled_head_shaped_line_goes_on_to_a_last_line_that_ends_a_sentence_inside():
    """Q10、鱼油等保健品的所谓“防猝死套餐”也迅速走 fills the measure, cut mid-word, over 红。这些东西真的能防猝死、保健康吗？: a line
    holding a full stop, shorter than a first line set in, is a paragraph's last line, no head's rest, so the filled line
    goes on to it as text (three-col-boxed, 都市快报 2026-03-29, pdftotext's default mode)."""
    rows = [
        "3月27日，中国人民银行、民政部、市场监管总局",
        "等部门公布5起非法制售“人民币版”冥币典型案例，",
        "提醒商家不制作、不售卖“人民币版”冥币，广大公",
        "众则不要购买和使用。",
        "据规定，禁止制作、仿制、买卖人民币图样，不",
        "得在祭祀用品、生活用品、票券上使用人民币图样。",
        "",
        "Q10、鱼油等保健品的所谓“防猝死套餐”也迅速走",
        "红。这些东西真的能防猝死、保健康吗？",
        "",
        "此次公布的案例显示，2025年4月，江苏省淮安市",
        "金湖县某殡葬用品店销售“人民币版”冥币。当地相",
    ]
    item = next(x for x in _settled("\n".join(rows)) if x.text.startswith("Q10"))
    assert item.kind == L.PARA and item.text.endswith("也迅速走红。这些东西真的能防猝死、保健康吗？")


def test_a_line_leaving_a_book_title_open_is_no_head():
    """《关于将“嘉靖通宝”古钱币移交会泽县, under a folio at a column's foot: the title mark 《 never closes on the line, as
    an opened quotation does not in a head: a paragraph cut by the column (four-col, the sample, pdftotext's default mode)."""
    assert not L.heading_shape("《关于将“嘉靖通宝”古钱币移交会泽县")
    assert L.heading_shape("公布《商事调解条例》")


def test_the_mastheads_paper_name_is_a_line_of_its_own_not_the_section_labels_start(tmp_path):
    """Default mode prints the masthead's name (蘋果日報) and the section label under it (港聞) as one block; the
    name, which the running head over the page opens with, is type of its own: the label is the section's name
    (蘋果日報 2015-06-10, four-col; the Traditional text is read through the Simplified rules)."""
    issue = corpus.dated("hkad", "2015-06-10")
    result = _printed(tmp_path, issue, "four-col")
    assert [s["name"] for s in result.report.sections][0] == "港聞"
    assert result.report.masthead[0]["text"] == "蘋果日報"


def test_a_head_of_two_phrases_over_its_writers_line_is_one_head(tmp_path):
    """Layout mode: 投行高層　法拉利撞死保安 sets its two phrases apart by display type's wide space, and the writers'
    line under it spaces its names as widely (記者：謝志輝　詹家志　黎家駒); one writers' line signs one story, so the
    row over it is one head and the line one byline (蘋果日報 2015-06-10, four-col)."""
    issue = corpus.dated("hkad", "2015-06-10")
    result = _printed(tmp_path, issue, "four-col", layout=True)
    article = _article(result, "投行高層　法拉利撞死保安")
    assert norm(article.byline) == norm("記者：謝志輝　詹家志　黎家駒")
    assert article.text.startswith("全球最大投資銀行之一德意志銀行")


def test_a_writers_line_and_a_head_spaced_as_widely_come_back_in_default_mode(tmp_path):
    """Default mode prints the pieces of 投行高層　法拉利撞死保安 and of the writers' line under it,
    記者：謝志輝　詹家志　黎家駒, each as a block, the two rows' pieces in turn: the names go back on the writers' line and the phrase
    between them on the head (蘋果日報 2015-06-10, five-col)."""
    issue = corpus.dated("hkad", "2015-06-10")
    result = _printed(tmp_path, issue, "five-col")
    article = _article(result, "投行高層　法拉利撞死保安")
    assert norm(article.byline) == norm("記者：謝志輝　詹家志　黎家駒")
    assert article.text.startswith("全球最大投資銀行之一德意志銀行")


def test_a_writers_line_after_the_text_signs_the_story_over_a_dateline_naming_no_one(tmp_path):
    """同事聞古Sir死訊痛哭 opens with 【本報訊】, which names no one, and closes with ■記者詹家志: the writers' line signs
    the story, and the dateline stays at the start of its text (蘋果日報 2015-06-10, four-col, layout mode)."""
    issue = corpus.dated("hkad", "2015-06-10")
    result = _printed(tmp_path, issue, "four-col", layout=True)
    article = _article(result, "同事聞古Sir死訊痛哭")
    assert article.byline == "■記者詹家志"
    assert article.text.startswith("【本報訊】在漾日居停車場遭法拉利撞斃")


def test_a_heads_second_phrase_over_the_next_strip_goes_back_on_its_first(tmp_path):
    """Layout mode: 唔講贏梗　唐改稱全力以赴 prints its second phrase over the next strip, whose text goes on the sentence
    cut at the foot of the strip the first phrase heads (…只稱會全力以 / 赴。…): one head, one story (蘋果日報
    2012-03-15, four-col)."""
    issue = corpus.dated("hkad", "2012-03-15")
    result = _printed(tmp_path, issue, "four-col", layout=True)
    article = _article(result, "唔講贏梗　唐改稱全力以赴")
    assert "全力以赴。唐又指" in article.text.replace("\n", "")


# --- default-mode text whose columns pdftotext ran together (a gutter about a character wide) -------------


def _sample_by_typst(folder: Path, styles: tuple[str, ...], *flags: str) -> dict[str, tuple[str, list[str]]]:
    """The sample (real articles) set by Typst, whose gutters are one character wide, as pdftotext prints it (with
    ``flags``): style -> (text, the paragraphs of the articles printed, 30 characters or longer)."""
    issue, out = corpus.sample(), {}
    for style in styles:
        gold = corpus.render(issue, style, folder / f"{style}.pdf")
        text = subprocess.run(
            ["pdftotext", *flags, "-enc", "UTF-8", str(folder / f"{style}.pdf"), "-"], capture_output=True, check=True
        )
        heads = {norm(g["headline"]) for g in gold}
        paragraphs = [norm(p) for piece in issue.pieces if norm(piece.headline) in heads for p in piece.paragraphs]
        out[style] = (text.stdout.decode("utf-8"), [p for p in paragraphs if len(p) >= 30])
    return out


@pytest.fixture(scope="module")
def run_together(tmp_path_factory):
    """The sample set by Typst as pdftotext's default mode prints it."""
    return _sample_by_typst(tmp_path_factory.mktemp("glued"), ("typst-four-col", "typst-six-col-vertical"))


@pytest.mark.slow
@pytest.mark.parametrize("style", ["typst-four-col", "typst-six-col-vertical"])
def test_columns_run_together_on_a_line_are_read_column_after_column(run_together, style):
    """Each row of a story's columns comes out as one line (…国家发展 升企业核心竞争力…): cut at the measure
    and read column after column, far more of the articles' paragraphs read whole, no character is lost or
    added, and each line keeps the input line it came from."""
    text, paragraphs = run_together[style]
    unglued = glued.read(text)
    assert unglued is not None
    flat = lambda value: re.sub(r"\s+", "", value)  # noqa: E731
    before = sum(p in flat(text) for p in paragraphs)
    after = sum(p in flat(unglued.text) for p in paragraphs)
    assert after >= before + 25 and len(paragraphs) > 150, (before, after)
    assert Counter(flat(unglued.text)) == Counter(flat(text))
    rows, lines = text.split("\n"), [(n, t.strip()) for n, t in enumerate(unglued.text.split("\n"), start=1) if t.strip()]
    kept = sum(t in rows[unglued.source(n) - 1] for n, t in lines)  # (a piece parted at a pair of quotes is put back)
    assert kept >= 0.97 * len(lines)


@pytest.mark.slow
def test_a_story_whose_columns_ran_together_gets_its_paragraphs_back(run_together):
    """Import-text on that text: the first story's first paragraph whole, its dateline's spaces (2024 年（第 31 批）,
    which pdftotext prints where the engine sets CJK off from digits) gone."""
    text, _ = run_together["typst-four-col"]
    result = import_text(text.encode(), "typst.txt", number=1330)
    first = corpus.sample().pieces[0]
    article = _article(result, first.headline)
    assert norm(article.byline) == "本报讯（见习记者何丹）"
    assert article.body[0].text == first.paragraphs[0].removeprefix("本报讯（见习记者 何丹）")
    assert "2024年（第31批）" in article.body[0].text
    rows = text.split("\n")
    start = result.report.data()["articles"][0]["lines"][0]  # a line of the input (a label above it), not of the reading
    assert any(first.headline in row for row in rows[start - 1 : start + 2])


@pytest.mark.slow
def test_text_whose_columns_stand_apart_is_left_as_it_is(corpus_pages):
    """pdftotext prints columns a gutter apart as blocks of their own, and the seed puts a paragraph on a line:
    nothing is cut, and spaces between CJK and Latin a page prints only here and there (a head's phrases set
    apart: 立法 5月1日起施行) stay."""
    for key in ("sample", "rmrb-0107", "dskb-0404", "sample-four"):
        assert glued.read(corpus_pages[key]["default"][0]) is None, key
    seed = SEED.read_text(encoding="utf-8")
    assert glued.read(seed) is None and L.unspaced(seed) == seed
    page = corpus_pages["sample"]["default"][0]
    assert len(re.findall(r"[\u4e00-\u9fff] [0-9A-Za-z]|[0-9A-Za-z] [\u4e00-\u9fff]", page)) >= 10
    assert L.unspaced(page) == page


@pytest.fixture(scope="module")
def run_together_layout(tmp_path_factory):
    """The sample set by Typst as `pdftotext -layout` prints it."""
    styles = ("typst-four-col", "typst-six-col-vertical", "typst-five-col-jump")
    return _sample_by_typst(tmp_path_factory.mktemp("glued-layout"), styles, "-layout")


@pytest.mark.slow
@pytest.mark.parametrize("style", ["typst-four-col", "typst-six-col-vertical"])
def test_layout_rows_whose_columns_stand_a_space_apart_are_cut_at_the_measure(run_together_layout, style, monkeypatch):
    """A gutter about a character wide prints as one space in layout mode too, so a row's two columns read as one
    piece (…科技储备等指 率显著提高…): cut where its text so far fills the block's measure, each strip reads its
    own column's lines, far more of the articles' paragraphs read whole, no character is lost or added, and each
    line keeps the input row it came from."""
    text, paragraphs = run_together_layout[style]
    flat = lambda value: re.sub(r"\s+", "", value)  # noqa: E731
    rows = text.split("\n")
    glued_rows = [r for r in rows if re.search(r"[\u4e00-\u9fff，。、；][ ][\u4e00-\u9fff“]", r)]
    assert len(glued_rows) >= 100  # the convention, in the real text
    reading = strips.read(text)
    assert reading is not None
    after = sum(p in flat(reading.text) for p in paragraphs)
    monkeypatch.setattr(strips, "_gutters_opened", lambda block: block)
    before = sum(p in flat(strips.read(text).text) for p in paragraphs)
    assert after >= before + 35 and len(paragraphs) > 150, (before, after)
    assert Counter(flat(reading.text)) == Counter(flat(text))
    lines = [(n, t.strip()) for n, t in enumerate(reading.text.split("\n")) if t.strip()]
    assert sum(t in rows[reading.sources[n] - 1] for n, t in lines) >= 0.97 * len(lines)


@pytest.mark.slow
def test_layout_text_of_several_measures_is_read_by_its_strips_measures(run_together_layout, monkeypatch):
    """Typst's five-col-jump sets stories of two wide columns and of three narrow ones on one page, so no one measure
    is filled by most of the text's lines and the text would be read a line a paragraph. Each strip fills its own: the
    text is read by the measure of the strips holding most lines, the others by their own, and the paragraphs read
    whole again, the first story's first one too."""
    text, paragraphs = run_together_layout["typst-five-col-jump"]
    reading = strips.read(text)
    assert columns.measure([t.strip() for t in reading.text.split("\n") if t.strip()]) is None  # the convention

    def bodies() -> set[str]:
        result = import_text(text.encode(), "typst.txt", number=1330)
        return {norm(b.text) for a in result.issue.articles for b in a.body}

    read = bodies()
    assert norm(corpus.sample().pieces[0].paragraphs[0].removeprefix("本报讯（见习记者 何丹）")) in read
    monkeypatch.setattr(columns, "_strips_measure", lambda raw, strip_of: None)
    unread = bodies()
    before, after = sum(p in unread for p in paragraphs), sum(p in read for p in paragraphs)
    assert after >= before + 20 and after >= 0.25 * len(paragraphs), (before, after)


@pytest.mark.slow
def test_a_flag_inside_the_masthead_names_the_section_and_the_masthead_goes_on_under_it(run_together_layout):
    """Typst prints the page's flag (要闻) between the paper's name and the masthead's date, 总第N期 and publisher:
    the flag names the section, the lines under it are still masthead, never a head and its kicker; a head beside
    another on a row, over a column of its own, is a head of its own; digits the engine sets off with spaces
    (4 月 15 日至 16 日) part no columns."""
    text, _ = run_together_layout["typst-five-col-jump"]
    top = [row.strip() for row in text.split("\n")[:12] if row.strip()]
    assert top.index("要闻") < top.index("总第 1330 期")  # the convention, in the real text
    result = import_text(text.encode(), "typst.txt", number=1330)
    furniture = {norm(x["text"]) for x in result.report.furniture if x["why"] == "masthead"}
    assert {"总第1330期", "中国铝业报社出版"} <= {norm(x["text"]) for x in result.report.masthead} | furniture
    assert [s["name"] for s in result.report.sections][0] == "要闻"
    sample = corpus.sample().pieces
    first = _article(result, sample[0].headline)
    assert first.kicker is None and norm(first.byline) == "本报讯（见习记者何丹）"
    commentary = _article(result, "在深化内化转化上下功夫")
    assert norm(commentary.byline) == "□本报评论员" and commentary.body[0].text.startswith("4月15日至16日举行的")
    assert not any("\u3000" in a.headline for a in result.issue.articles)  # (the paper sets no head in two phrases)


@pytest.mark.slow
def test_a_strip_set_wider_than_the_text_is_read_by_its_own_measure(tmp_path):
    """A picture's story set wider than the page's columns (人民日报 2026-01-13, Typst four-col: 图片报道 over its
    picture, 26 em against the columns' 20): its strip's lines fill a measure of their own, so they run on into one
    paragraph, none of them a head."""
    issue = corpus.dated("rmrb", "2026-01-13")
    result = _printed(tmp_path, issue, "typst-four-col", layout=True)
    piece = next(p for p in issue.pieces if p.headline == "图片报道")
    article = _article(result, "图片报道")
    assert [norm(b.text) for b in article.body][:1] == [norm(piece.paragraphs[0])]
    assert not any(a.headline.startswith(piece.paragraphs[0][:10]) for a in result.issue.articles)
    # a story's columns set only a character or two wider (20 em against 18: ReportLab four-col, 2026-01-07) read by the
    # text's measure still, so a head as wide as them is a head, not a line of text that runs on to its wrapped rest
    issue = corpus.dated("rmrb", "2026-01-07")
    result = _printed(tmp_path, issue, "four-col", layout=True)
    assert {norm(a.headline) for a in result.issue.articles} >= {norm("港珠澳大桥珠海公路口岸出入境旅客超1亿人次")}
    assert not any(a.headline.startswith("本报珠海") for a in result.issue.articles)


@pytest.mark.slow
def test_heads_wrapped_in_display_type_beside_narrow_columns(tmp_path):
    """Typst six-col-vertical (人民日报), as `pdftotext -layout` prints it: a head's rest prints rows below its first
    line, display type taking more leading than the columns beside it, over its story's first line (set in, so
    the rest is never cut where that line starts: 港珠澳…出入境旅 / 客超 1 亿人次), nor a head whose first line opens
    with digits the engine sets off where its story's first line starts (2025 年…收入超 / 616 亿元)."""
    heads = {}
    for date in ("2026-01-07", "2026-01-14"):
        result = _printed(tmp_path, corpus.dated("rmrb", date), "typst-six-col-vertical", layout=True)
        heads[date] = {norm(a.headline): a for a in result.issue.articles}
    assert norm("港珠澳大桥珠海公路口岸出入境旅客超1亿人次") in heads["2026-01-07"]
    assert not any(h.startswith(norm("客超1")) for h in heads["2026-01-07"])
    assert norm("2025年全国营业性演出票房收入超616亿元") in heads["2026-01-14"]
    assert not any(h.startswith(norm("2025616")) for h in heads["2026-01-14"])


@pytest.mark.slow
def test_layout_text_whose_columns_mostly_stand_a_space_apart_is_layout_text(tmp_path):
    """Typst five-col-jump (都市快报 2026-04-04), as `pdftotext -layout` prints it: gutters a character wide print as
    one space, so few rows show pieces side by side, but many print a column's text far right of the margin, the
    columns left of it empty on that row (default mode never sets a line in so far), starting at positions that
    recur give or take a position: it is read as layout text, and the head over a column of its own is found."""
    issue = corpus.dated("dskb", "2026-04-04")
    result = _printed(tmp_path, issue, "typst-five-col-jump", layout=True)
    text = (tmp_path / "typst-five-col-jump.txt").read_text(encoding="utf-8")
    rows = [row for row in text.split("\n") if row.strip()]
    assert sum(len(strips._pieces(row)) > 1 for row in rows) < 0.3 * len(rows)  # (the convention, in the real text)
    assert strips.is_layout(text)
    assert norm("一小区楼栋加装电梯，只通其中一层") in {norm(a.headline) for a in result.issue.articles}
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "typst-five-col-jump.pdf"), "-"], capture_output=True)
    assert not strips.is_layout(raw.stdout.decode())


@pytest.mark.slow
def test_a_head_beside_a_wrapped_head_goes_over_its_story_s_dated_column(tmp_path):
    """Typst five-col-jump (人民日报 2026-01-07), `pdftotext -layout`: a wide head wraps (…全国代表大 / 会召开), and the head
    beside it on the row keeps one space from it, while its story's text starts on that row in the columns right of
    it, no column left empty: the row below holds the first head's short last word, so the second is cut off at the
    space; it goes on a row of its own over the column that opens with its dateline (新华社北京 1 月 6 日电, digits set
    off with spaces)."""
    result = _printed(tmp_path, corpus.dated("rmrb", "2026-01-07"), "typst-five-col-jump", layout=True)
    first = _article(result, "中共中央致电祝贺老挝人民革命党第十二次全国代表大会召开")
    beside = _article(result, "李强同爱尔兰总理马丁会谈")
    assert norm(first.byline or "").startswith(norm("新华社北京1月6日电")) and first.kicker is None
    assert norm(beside.byline or "") == norm("新华社北京1月6日电（记者冯歆然）")


def test_spaces_set_between_cjk_and_digits_neither_part_columns_nor_make_a_line_loose():
    """A commentary's two columns a space apart (Typst six-col-vertical, 人民日报 2026-01-08): the engine sets digits
    off with spaces (2026 年育儿补贴 1 月 5 日), so many that the row would count as type spaced out; those spaces are
    not counted, nor cut at, and the rows are cut at the gutter's space. A single space between a digit and CJK may
    be the gutter itself (超30 把…: ReportLab sets no digit off)."""
    rows = [
        "2026 年育儿补贴 1 月 5 日起正式 每孩每月能领 300 元补贴，既能直接",
        "全面开放申领。自去年 7 月制定出台实 减轻生育养育负担，推动建设生育友",
        "施方案以来，这项惠民利民的好政策 好型社会，也能以“小切口”撬动“大",
        "育儿是家庭大事，也是国之大事。 品质生活，体现的正是“投资于人”的",
    ]
    found = glued.cut(rows)
    assert found is not None
    assert [parts[0] for parts in found[1]] == [
        "2026 年育儿补贴 1 月 5 日起正式",
        "全面开放申领。自去年 7 月制定出台实",
        "施方案以来，这项惠民利民的好政策",
        "育儿是家庭大事，也是国之大事。",
    ]
    assert [i for _, i in glued._cuts("广深港高铁2025年跨境旅客超30 把惠民利民的好事办实（今日谈）")] == [17]


def test_a_line_that_opens_with_a_dateline_and_goes_on_is_a_story_s_first_line_never_a_head():
    """A head printed straight above its story, no blank line between (Typst four-col, 人民日报 2026-01-06, as
    pdftotext's default mode prints it): the line under it opens with the dateline and goes on with the story's
    first words, shorter than the measure once the spaces the engine set off digits with are out. It is no head
    (no head opens with 新华社…电), so the head above keeps its story and the dateline signs it."""
    text = "\n".join(
        [
            "习近平致电祝贺敦布亚当选几内亚总统",
            "新华社北京 1 月 5 日电 1 月 4 日，国家主席习近平致电",
            "马马迪·敦布亚，祝贺他当选几内亚共和国总统。",
            "习近平指出，几内亚是新中国在撒哈拉以南非洲首个建",
            "交国。长期以来，双方始终坚持相互尊重、平等互利，在涉",
            "及彼此核心利益和重大关切问题上相互支持，在共同发展中",
            "",
            "平陆运河 4 座跨运河桥梁建成通车",
            "本报南宁 1 月 5 日电 （记者祝佳祺、庞革平）位于广西的平陆运河金海湾大桥、万胜",
            "塘大桥、旧州大桥、大田坪村大桥 4 座跨运河桥梁 1 月 1 日同步建成通车。此前，平陆运河",
            "南珠大街跨江桥主线桥、丁屋村大桥等在 2025 年 12 月陆续建成通车。平陆运河上规划建设",
            "跨运河主航道桥梁 27 座，共建成 19 座、通车 13 座，在建的 8 座桥梁建设进度超 90%。",
        ]
    )
    assert not L.heading_shape("新华社北京1月5日电1月4日，国家主席习近平致电")
    assert L.heading_shape("新华社记者走进平陆运河")  # a head may name the agency: only a dateline that goes on is text
    result = import_text(text.encode(), "typst.txt", number=1, paper="人民日报", date=datetime.date(2026, 1, 6))
    articles = result.issue.articles
    assert [a.headline for a in articles] == ["习近平致电祝贺敦布亚当选几内亚总统", "平陆运河4座跨运河桥梁建成通车"]
    assert [a.byline for a in articles] == ["新华社北京1月5日电", "本报南宁1月5日电 （记者祝佳祺、庞革平）"]
    assert articles[0].body[0].text == "1月4日，国家主席习近平致电马马迪·敦布亚，祝贺他当选几内亚共和国总统。"


def test_a_running_head_is_matched_in_one_pass_over_a_long_paragraph():
    """The masthead's reading asks of its first lines, whole paragraphs once unwrapped, whether each is a running head:
    a section name is runs of Han characters apart by separators, each run taken whole, so a paragraph of hundreds of
    them fails at once (a name as groups of two to eight characters, any run cut any way, took exponential time)."""
    paragraph = "国家统计局数据显示初步核算一季度国内生产总值同比增长" * 12
    assert rules.page_head_name(paragraph) is None and rules.page_head_name(paragraph + " 第1版") is not None
    assert [rules.page_head_name(t) for t in ("财经聚焦·经济信息 第4版", "第4版 很短很新鲜", "要闻第1版")] == [
        "财经聚焦·经济信息",
        "很短很新鲜",
        "要闻",
    ]


def test_the_running_heads_name_the_sections_their_pages_flag_again():
    """Each page's running head prints its 版名 and number (很短很新鲜 第 4 版, Typst four-col, 都市快报 2026-03-28,
    as pdftotext's default mode prints it), and the flag under it prints the name again. Names no vocabulary
    knows: the running head teaches them, so each flag opens its section and heads no story."""
    text = "\n".join(
        [
            "都市快报 2026 年 3 月 28 日 星期六",
            "",
            "很短很新鲜 第 4 版",
            "",
            "很短很新鲜",
            "",
            "马杜罗再次出庭 瘦了 13 公斤",
            "当地时间 3 月 26 日上午，遭美国强行控制的委内瑞拉总统马杜罗在美国纽约南区联邦",
            "地区法院再次出庭，其撤案请求遭法官驳回。",
            "当天新华社记者通过内部闭路电视观看聆讯，屏幕很小，且画面角度有限。尽管如此，",
            "记者依然能看出马杜罗消瘦了很多。有媒体报道，马杜罗从 1 月初到现在瘦了 13 公斤。",
            "",
            "—4—",
            "",
            "都市快报 2026 年 3 月 28 日 星期六",
            "",
            "天气与生活 第 5 版",
            "",
            "天气与生活",
            "",
            "周末好天气，抓紧赏樱花",
            "——今年首场强对流天气即将来袭",
            "记者 朱娅珍",
            "",
            "“春天孩儿脸”，说变就变。这段时间，雨水说来就来，说走就走，下下停停。",
        ]
    )
    result = import_text(text.encode(), "typst.txt", number=1, paper="都市快报", date=datetime.date(2026, 3, 28))
    issue = result.issue
    assert [s.name for s in issue.sections] == ["很短很新鲜", "天气与生活"]
    assert [(a.headline, issue.section(a.section).name) for a in issue.articles] == [
        ("马杜罗再次出庭 瘦了13公斤", "很短很新鲜"),
        ("周末好天气，抓紧赏樱花", "天气与生活"),
    ]
    assert issue.articles[1].subtitle == "——今年首场强对流天气即将来袭"
    assert (
        rules.DEFAULT_VOCABULARY.with_page_names(["都市快报 第 2 版", "要闻"]) is rules.DEFAULT_VOCABULARY
    )  # the paper is no section


def test_spaces_extraction_puts_between_cjk_and_latin_throughout_are_taken_out():
    """新华社北京 1 月 5 日电: where a page sets CJK off from Latin, pdftotext prints a space; where most such meetings
    have one, they are the extraction's (Chinese text writes none), and go; Latin words keep theirs."""
    typst = "新华社北京 1 月 5 日电 记者 张三\n2025 年 4 月 19 日，AI 技术 Deep Seek 发布 3 款\n" * 3
    assert L.unspaced(typst) == "新华社北京1月5日电 记者 张三\n2025年4月19日，AI技术Deep Seek发布3款\n" * 3
    few = "立法 5月1日起施行，2025年4月19日，第1330期，3月26日上午，共8章73条，14亿吨，309条，200多个\n"
    assert L.unspaced(few) == few


def test_a_column_tag_wrapped_off_its_head_ends_that_head_never_heads_a_story_of_its_own():
    """A head that ends with its column's tag in brackets (以共赢思路打通联动堵点（贯彻四中全会精神一线见闻）,
    Typst four-col, 人民日报 2026-01-08, as pdftotext's default mode prints it), the tag wrapped onto lines of its
    own: the tag is the head's end, so the story under it keeps its head and no kicker."""
    text = "\n".join(
        [
            "把惠民利民的好事办实（今日谈）",
            "2026 年育儿补贴 1 月 5 日起正式全面开放申领。自去年",
            "7 月制定出台实施方案以来，这项惠民利民的好政策惠及上",
            "千万个家庭。",
            "育儿是家庭大事，也是国之大事。通过财政资金的精准",
            "发放，育儿家庭每孩每月能领 300 元补贴，既能直接减轻生",
            "",
            "以共赢思路打通联动堵点",
            "（贯彻四中全会精神一线见",
            "闻）",
            "年收入涨了 3 倍，许泽只花了 3 年。如",
            "何实现的？",
            "云南省红河哈尼族彝族自治州蒙自市",
            "的冬日，风还有些暖。草坝镇仙景社区居民",
            "许泽一身工装站在蓝莓田间，满是汗珠子",
            "的脸上掩不住笑意：",
            "“采了 300 多斤，能卖",
            "两万元！”",
            "3 年多前，许泽还只是当地一家蓝莓公",
            "司的运输工，起早贪黑，收入上不去。如今，",
        ]
    )
    result = import_text(text.encode(), "typst.txt", number=1, paper="人民日报", date=datetime.date(2026, 1, 8))
    articles = result.issue.articles
    assert articles[0].headline == "把惠民利民的好事办实（今日谈）"
    assert (articles[1].kicker, articles[1].headline) == (None, "以共赢思路打通联动堵点（贯彻四中全会精神一线见闻）")
    assert articles[1].body[0].text == "年收入涨了3倍，许泽只花了3年。如何实现的？"


def test_a_running_head_that_names_the_page_after_its_number_dates_the_issue_and_names_the_sections():
    """A web-to-print page (Chromium, five-col-rules: 人民日报 2026-01-05 and 都市快报 2026-03-28, as pdftotext's
    default mode prints them) heads each page 第N版 and its name, and pdftotext reads that running head, the flag
    under it and the running head naming the paper and the day before the masthead's own lines. The day is the
    running head's; each name after a page's number is a section, so its flag opens it and heads no story."""
    front = [
        "人民日报",
        "",
        "第1版 要闻",
        "",
        "要闻",
        "",
        "人民日报 2026年1月5日 星期一",
        "",
        "2026年1月5日 星期一",
        "人民日报社出版",
        "",
        "老杨小杨思想“转弯”记",
        "“埋头拉车摔跟头，抬头看路尝甜头。学习新思",
        "近5年记者五进楚源，变化有形又无形。",
    ]
    result = import_text("\n".join(front).encode(), "chromium.txt", number=1)
    assert result.issue.date == datetime.date(2026, 1, 5) and result.issue.paper == "人民日报"
    assert [(a.headline, result.issue.section(a.section).name) for a in result.issue.articles] == [
        ("老杨小杨思想“转弯”记", "要闻")
    ]
    pages = [
        "第4版 很短很新鲜",
        "",
        "很短很新鲜",
        "",
        "马杜罗再次出庭 瘦了13公斤",
        "",
        "都市快报 2026年3月28日 星期六",
        "",
        "当地时间3月26日上午，遭美国强行控制的委内瑞拉总统马杜罗在美国纽约南区联邦地区法院再次出庭，其撤案请求遭法官驳回。",
        "",
        "第6版 玩转大杭州",
        "",
        "玩转大杭州",
        "",
        "都市快报 2026年3月28日 星期六",
        "",
        "4月大慈岩，全球免门票",
        "记者 宣涛 建德微融圈 李孟",
        "",
        "你知道吗？建德大慈岩景区今年40岁啦。",
    ]
    result = import_text("\n".join(pages).encode(), "chromium.txt", number=1, paper="都市快报", date=datetime.date(2026, 3, 28))
    issue = result.issue
    assert [(a.headline, issue.section(a.section).name) for a in issue.articles] == [
        ("马杜罗再次出庭 瘦了13公斤", "很短很新鲜"),
        ("4月大慈岩，全球免门票", "玩转大杭州"),
    ]
    assert rules.page_head_name("第 12 版  财经·观察") == "财经·观察" and rules.page_head_name("第1版") is None


@pytest.mark.slow
def test_a_head_joined_with_its_tag_under_a_kicker_never_crashes(tmp_path):
    """A two-line head under a kicker whose last line is a tag of its own ((第一期), as Chromium's narrow head
    breaks the sample's 读书班 head in layout mode): the head and its tag are one piece, not one of the run's
    pieces, and finding the captions before it took the run's pieces for the head's (a ValueError)."""
    issue = corpus.sample()
    result = _printed(tmp_path, issue, "chromium-five-col-rules", layout=True)
    text = (tmp_path / "chromium-five-col-rules.txt").read_bytes()
    assert output_chars(result) == input_chars(text)
    tagged = [a for a in result.issue.articles if a.headline.endswith("（第一期）")]
    assert len(tagged) == 1 and tagged[0].byline == "本报讯（见习记者 黎佩佩）" and len(tagged[0].body) >= 3


def test_a_heads_two_phrases_on_a_row_of_layout_text_are_one_head(tmp_path):
    """蘋果日報's heads print two phrases parted by display type's wide space (京整頓港澳系統　張曉明高危), which
    `pdftotext -layout` prints as a gap as wide as a gutter, the second phrase over the next column (at its very
    start, too). They are one head, never a kicker and its head, because the text under the first phrase runs on
    into the column under the second; a head beside them on the row heads its own story."""
    issue = corpus.dated("hkad", "2020-01-05")
    result = _printed(tmp_path, issue, "five-col", layout=True)
    got = {norm(a.headline): a for a in result.issue.articles}
    phrased = [p for p in issue.pieces if "\u3000" in p.headline]
    assert len(phrased) >= 3
    for piece in phrased:
        article = got[norm(piece.headline)]
        assert article.headline == piece.headline and article.kicker is None
    assert set(got) == {norm(p.headline) for p in issue.pieces}  # the heads beside them stay heads of their own


@pytest.mark.slow
def test_a_heads_two_phrases_over_one_column_are_one_head(tmp_path):
    """Typst four-col (蘋果日報 2020-01-05): a story set across a wide column prints its head's two phrases both over
    that column, the second holding digits set off with spaces (關閉兩月　又一城有望 16 日重開). A column's top heads one
    story, so they are one head, not a kicker and its head; two heads on a row over columns of their own, the first
    far left of its column (a picture under it), stay two."""
    issue = corpus.dated("hkad", "2020-01-05")
    result = _printed(tmp_path, issue, "typst-four-col", layout=True)
    piece = next(p for p in issue.pieces if p.headline.startswith("關閉兩月"))
    article = _article(result, piece.headline)
    assert article.headline == piece.headline and article.kicker is None
    assert norm(article.body[0].text).startswith(norm("關閉近兩個月的九龍塘又一城商場"))
    result = _printed(tmp_path, corpus.dated("rmrb", "2026-01-09"), "seven-col", layout=True)
    assert {norm("宁波舟山港成为全球首个年货物吞吐量超14亿吨大港"), norm("中国物流业景气指数为52.4%")} <= {
        norm(a.headline) for a in result.issue.articles
    }


@pytest.mark.slow
def test_a_heads_two_phrases_under_the_top_of_a_story_beside(tmp_path):
    """ReportLab six-col-vertical-jump (蘋果日報 2015-06-10): the story right of the head starts a row higher, so the
    head's row of two phrases (投行高層　法拉利撞死保安) is its block's second: its phrases are joined there too, while
    the piece further right on that row, under the text of the story beside, stays that story's text."""
    issue = corpus.dated("hkad", "2015-06-10")
    result = _printed(tmp_path, issue, "six-col-vertical-jump", layout=True)
    piece = next(p for p in issue.pieces if p.headline.startswith("投行高層"))
    assert "\u3000" in piece.headline
    article = _article(result, piece.headline)
    assert article.headline == piece.headline and article.kicker is None
    assert not any("居停車場" in a.headline for a in result.issue.articles)


def test_a_heads_first_phrase_may_span_columns_and_its_story_opens_set_in_under_it(tmp_path):
    """Seven narrow columns (蘋果日報 2020-01-05): the head's first phrase, in display type, spans two columns, so its
    second one stands over the third, into which the text under the first runs on. The phrases are one head; the line
    under it, set in by the indent, opens the story: its strip is measured without the head on its first row (a head
    as wide as the strip's lines would make its measure), so the line fills that measure but the indent and goes on."""
    issue = corpus.dated("hkad", "2020-01-05")
    result = _printed(tmp_path, issue, "seven-col", layout=True)
    piece = next(p for p in issue.pieces if p.headline.startswith("京整頓港澳系統"))
    article = _article(result, piece.headline)
    assert article.kicker is None and article.body[0].text.startswith("北京昨日突然宣佈撤換中聯辦主任王志民")
