"""The hand-curated sample issue (中国铝业报 No. 1330) loses nothing of its seed and invents nothing.

The seed is the raw text of the issue as it came out of its PDF, kept in
``tests/data/chinalco-news-1330.txt``. The sample issue shipped in
``publisher/sample/issues/2025-04-19-1330/`` is parsed
here on its own terms (``yaml.safe_load`` for issue.yaml and the front matter, a
plain split on blank lines for the body) so that this test does not depend on the
project's loader.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "tests/data/chinalco-news-1330.txt"
ISSUE = REPO / "publisher/sample/issues/2025-04-19-1330"

HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")
WS = re.compile(r"\s+")
FILE_NAME = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")

#: Article text fields whose Han characters count as "the content".
TEXT_FIELDS = ("headline", "kicker", "subtitle", "series", "byline", "source", "editor_note")
#: issue.yaml fields that carry masthead text.
MASTHEAD_FIELDS = ("paper", "paper_en", "serial", "grade", "publisher", "sponsor")

#: Paragraphs allowed to start *before* the previous one in the seed: a story that
#: the PDF split into blocks far apart. slug -> indexes (0-based) of such body blocks.
DECLARED_REJOINS = {
    # 连铝 story: starts at the end of the seed (seed lines 661-665), its second
    # paragraph continues in the middle of the 嘉靖通宝 story (line 567), and the
    # story goes on from there (破冰… line 569, its third body block).
    "lianlv-jizhi-teqiang": {2},
}

#: Paragraphs that may end without a sentence end: slug -> 0-based body block indexes.
DECLARED_OPEN_ENDS = {
    "chuangye-jiannan": {7},  # 作者单位 洛铜铝业 (seed line 647), the author's unit line
    "lianlv-jizhi-teqiang": {6},  # …人工换极变为AI精准 (line 577): the seed breaks off here
}
SENTENCE_END = re.compile(r"[。！？…”’」』）)]$")

# Exact structure, counted by reading the seed.
EXPECTED_SECTIONS = ["yaowen", "caijing-jujiao", "jingji-xinxi", "shendu-xuexi", "reyi", "liangdian", "wenrun-zhonglv"]
EXPECTED_PER_SECTION = {
    "yaowen": 8,
    "caijing-jujiao": 3,
    "jingji-xinxi": 4,  # three briefs and the 经济时评 commentary
    "shendu-xuexi": 1,
    "reyi": 8,  # the 党组声音 feature and the seven speeches
    "liangdian": 5,  # three photos and two stories
    "wenrun-zhonglv": 4,
}
EXPECTED_ARTICLES = 33
EXPECTED_SPEECHES_IN_REYI = 7
EXPECTED_BRIEFS_IN_JINGJI_XINXI = 3
MIN_COVERAGE = 0.99


# ---------------------------------------------------------------- reading


def _seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


def _norm(value: str) -> str:
    return WS.sub("", value)


def _han(value: str) -> Counter:
    return Counter(HAN.findall(value))


def _load_issue() -> tuple[dict, list[dict]]:
    assert ISSUE.is_dir(), f"{ISSUE} is missing"
    meta = yaml.safe_load((ISSUE / "issue.yaml").read_text(encoding="utf-8"))
    articles = []
    for path in sorted(ISSUE.glob("*.md")):
        source = path.read_text(encoding="utf-8")
        assert source.startswith("---\n"), f"{path.name}: no front matter"
        front, _, body = source[4:].partition("\n---\n")
        data = yaml.safe_load(front) or {}
        match = FILE_NAME.match(path.name)
        data["_file"] = path.name
        data["_number"] = int(match.group(1)) if match else None
        data["_slug"] = match.group(2) if match else None
        data["_blocks"] = [b.strip() for b in re.split(r"\n\s*\n", body) if b.strip()]
        articles.append(data)
    return meta, articles


def _block_text(block: str) -> str:
    """A body block without its Markdown marker ('## ' subhead, '> ' quote)."""
    if re.match(r"#{1,6}\s", block):
        return block.lstrip("#").strip()
    return "\n".join(line[1:] if line.startswith(">") else line for line in block.split("\n"))


def _article_texts(article: dict) -> list[str]:
    """Every printed-text field of an article (not authors, kind, section: those restate or classify)."""
    texts = [article[k] for k in TEXT_FIELDS if isinstance(article.get(k), str)]
    for fig in article.get("figures") or []:
        texts += [fig[k] for k in ("caption", "credit") if isinstance(fig.get(k), str)]
    texts += [_block_text(b) for b in article["_blocks"]]
    return texts


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    return _seed_lines()


@pytest.fixture(scope="module")
def issue() -> tuple[dict, list[dict]]:
    return _load_issue()


# ---------------------------------------------------------------- 1. coverage


def test_coverage_of_the_seed(seed_lines, issue):
    """At least 99% of the seed's Han characters (as a multiset) outside the furniture lines are in the content."""
    meta, articles = issue
    furniture = {_norm(f) for f in meta.get("furniture") or []}
    seed = Counter()
    for line in seed_lines:
        if _norm(line) not in furniture:
            seed += _han(line)
    content = Counter()
    for article in articles:
        for text in _article_texts(article):
            content += _han(text)
    for key in MASTHEAD_FIELDS:
        if isinstance(meta.get(key), str):
            content += _han(meta[key])
    for section in meta["sections"]:
        content += _han(section["name"])
    covered = sum((seed & content).values())
    total = sum(seed.values())
    ratio = covered / total
    missing = seed - content
    print(f"coverage: {covered}/{total} = {ratio:.4%}; missing: {''.join(sorted(missing.elements()))}")
    assert ratio >= MIN_COVERAGE, (
        f"only {ratio:.2%} of the seed's Han characters are in the content; missing ({sum(missing.values())}): "
        + "".join(f"{ch}×{n} " for ch, n in missing.most_common())
    )


# ---------------------------------------------------------------- 2. no invention


def test_no_invented_characters(seed_lines, issue):
    """No Han character is used more often in the content than in the seed; furniture lines are seed lines.

    Counted: every article text field and the furniture lines. The masthead
    fields of issue.yaml restate furniture lines (国内统一连续出版物号 CN 41-0063 …),
    so instead of being counted twice each must be a piece of one seed line;
    section names and authors (which restate a byline) must be seed text too.
    """
    meta, articles = issue
    seed = _han("\n".join(seed_lines))
    content = Counter()
    for article in articles:
        for text in _article_texts(article):
            content += _han(text)
    normalized_lines = {_norm(line) for line in seed_lines}
    for key in MASTHEAD_FIELDS:
        if isinstance(meta.get(key), str):
            value = _norm(meta[key])
            assert any(value in line for line in normalized_lines), f"issue.yaml {key}: {meta[key]!r} is not printed"
    for line in meta.get("furniture") or []:
        content += _han(line)
    excess = content - seed
    assert not excess, "characters used more often than the seed has them: " + "".join(
        f"{ch}×{n} " for ch, n in excess.most_common()
    )
    # Section names (a page without a printed name gets one) and authors must still be seed text.
    seed_set = set(seed)
    for section in meta["sections"]:
        assert set(_han(section["name"])) <= seed_set, f"section name {section['name']!r} is not seed text"
    for line in meta.get("furniture") or []:
        assert _norm(line) in normalized_lines, f"furniture {line!r} is not a line of the seed"
    for article in articles:
        printed = _norm("".join(_article_texts(article)))
        for author in article.get("authors") or []:
            author = author if isinstance(author, dict) else {"name": author}
            for key in ("name", "role"):
                if author.get(key):
                    assert _norm(author[key]) in printed, (
                        f"{article['_file']}: author {key} {author[key]!r} is printed nowhere in the article"
                    )


# ---------------------------------------------------------------- 3. order


class _Seed:
    """The seed with all white space removed, and where its (non-empty) lines start and end in it."""

    def __init__(self, lines: list[str]):
        parts, self.starts, self.ends = [], set(), set()
        offset = 0
        self.line_at: dict[int, str] = {}
        for line in lines:
            n = _norm(line)
            if not n:
                continue
            self.starts.add(offset)
            self.line_at[offset] = n
            parts.append(n)
            offset += len(n)
            self.ends.add(offset)
        self.text = "".join(parts)
        self.line_starts = sorted(self.starts)

    def occurrences(self, piece: str) -> list[int]:
        found, at = [], self.text.find(piece)
        while at != -1:
            found.append(at)
            at = self.text.find(piece, at + 1)
        return found

    def longest_prefix(self, value: str) -> int:
        """Length of the longest prefix of ``value`` found anywhere in the seed (binary search)."""
        lo, hi = 0, len(value)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if value[:mid] in self.text:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def line_start_before(self, at: int) -> int:
        import bisect

        return self.line_starts[bisect.bisect_right(self.line_starts, at) - 1]


def _locate(seed: _Seed, paragraph: str, byline: str, after: int) -> tuple[int, list[tuple[int, int]]]:
    """Split ``paragraph`` greedily into the longest pieces of the seed; return (first position, pieces).

    Raises AssertionError with the reason when the paragraph is not seed text joined at line breaks.
    """
    pieces: list[str] = []
    pos = 0
    while pos < len(paragraph):
        k = seed.longest_prefix(paragraph[pos:])
        assert k > 0, f"{paragraph[pos : pos + 30]!r}… is not in the seed"
        pieces.append(paragraph[pos : pos + k])
        pos += k
    assert len(pieces) <= 3, f"needs {len(pieces)} pieces of the seed (at most 3): {[p[:12] for p in pieces]}"
    placed: list[tuple[int, int]] = []
    for index, piece in enumerate(pieces):
        first, last = index == 0, index == len(pieces) - 1
        good = []
        for at in seed.occurrences(piece):
            end = at + len(piece)
            if not last and end not in seed.ends:
                continue  # a join must happen where a seed line ends...
            if last and end not in seed.ends:
                continue  # ...and a paragraph must end where a seed line ends
            if not first and at not in seed.starts:
                continue  # ...and go on where a seed line starts
            if first and at not in seed.starts:
                start = seed.line_start_before(at)
                if seed.text[start:at] != byline:
                    continue  # a paragraph starts a line, or follows the byline printed before it
            good.append(at)
        assert good, f"piece {piece[:20]!r}… does not sit on seed line boundaries (inserted or cut text?)"
        placed.append((next((g for g in good if g >= after), good[0]), len(piece)))
    return placed[0][0], placed


def test_paragraphs_are_seed_text_in_seed_order(seed_lines, issue):
    """Every body block is seed text, joined only at the seed's line breaks, and blocks follow the seed's order.

    Rule: remove all white space from the seed and from each body block (and its
    '## ' / '> ' marker). Split the block greedily into the longest prefixes that
    occur in the seed; it must take at most 3 such pieces (a paragraph cut by at
    most two column breaks). Every piece must sit on line boundaries of the seed:
    a piece that is followed by another ends where a seed line ends, a following
    piece starts where a seed line starts, the last piece ends at a line end, and
    the first piece starts a line or directly follows the article's byline on that
    line (本报讯（…）近日…). An inserted or altered sentence breaks a piece in mid
    line and fails; so does a block that needs more than three pieces.

    Order: the position of each block's first piece in the seed must be greater
    than the previous block's, except at the blocks listed in DECLARED_REJOINS
    (stories the PDF scattered). A shuffled paragraph fails.
    """
    _, articles = issue
    seed = _Seed(seed_lines)
    failures = []
    for article in articles:
        byline = _norm(article.get("byline") or "")
        previous = -1
        for index, block in enumerate(article["_blocks"]):
            paragraph = _norm(_block_text(block))
            try:
                position, _ = _locate(seed, paragraph, byline, previous + 1)
            except AssertionError as exc:
                failures.append(f"{article['_file']} block {index + 1}: {exc}")
                continue
            if position <= previous and index not in DECLARED_REJOINS.get(article["_slug"], set()):
                failures.append(
                    f"{article['_file']} block {index + 1} ({paragraph[:15]}…) comes before the previous block in the seed"
                )
            previous = position
    for slug, indexes in DECLARED_REJOINS.items():
        assert any(a["_slug"] == slug for a in articles), f"declared rejoin for unknown article {slug!r}"
    assert not failures, "\n".join(failures)


def test_paragraphs_are_whole(issue):
    """A paragraph ends a sentence: one that stops mid-sentence was cut by a column break and not rejoined."""
    _, articles = issue
    open_ends = []
    for article in articles:
        for index, block in enumerate(article["_blocks"]):
            if re.match(r"#{1,6}\s", block):
                continue
            if not SENTENCE_END.search(block) and index not in DECLARED_OPEN_ENDS.get(article["_slug"], set()):
                open_ends.append(f"{article['_file']} block {index + 1}: …{block[-20:]}")
    assert not open_ends, "paragraphs stop mid-sentence (rejoin them with their continuation):\n" + "\n".join(open_ends)


def test_body_does_not_repeat_the_byline(issue):
    _, articles = issue
    for article in articles:
        byline = _norm(article.get("byline") or "")
        if byline and article["_blocks"]:
            assert not _norm(article["_blocks"][0]).startswith(byline), f"{article['_file']} repeats its byline"


# ---------------------------------------------------------------- 4. structure


def test_structure(issue):
    meta, articles = issue
    assert meta["paper"] == "中国铝业报"
    assert str(meta["date"]) == "2025-04-19" and meta["number"] == 1330
    section_slugs = [s["slug"] for s in meta["sections"]]
    assert section_slugs == EXPECTED_SECTIONS
    assert len(articles) == EXPECTED_ARTICLES

    numbers = [a["_number"] for a in articles]
    assert None not in numbers, [a["_file"] for a in articles if a["_number"] is None]
    assert numbers == list(range(1, len(articles) + 1)), "files must be numbered 01, 02, … without gaps"
    slugs = [a["_slug"] for a in articles]
    assert len(set(slugs)) == len(slugs), "slugs must be unique"
    assert all(s.isascii() for s in slugs + section_slugs)

    for article in articles:
        assert isinstance(article.get("headline"), str) and article["headline"].strip(), f"{article['_file']}: headline"
        assert article.get("section") in section_slugs, f"{article['_file']}: unknown section {article.get('section')!r}"

    # Sections in reading order: the articles' sections never go back.
    order = [section_slugs.index(a["section"]) for a in articles]
    assert order == sorted(order), "articles must follow the section order"

    per_section = Counter(a["section"] for a in articles)
    assert dict(per_section) == EXPECTED_PER_SECTION
    reyi = [a for a in articles if a["section"] == "reyi"]
    assert sum(a.get("kind") == "speech" for a in reyi) == EXPECTED_SPEECHES_IN_REYI
    assert all(a.get("byline") for a in reyi if a.get("kind") == "speech"), "each speech is signed by its speaker"
    briefs = [a for a in articles if a["section"] == "jingji-xinxi" and a.get("kind") == "brief"]
    assert len(briefs) == EXPECTED_BRIEFS_IN_JINGJI_XINXI
    kinds = {"news", "commentary", "feature", "brief", "speech", "interview", "essay", "photo", "notice"}
    assert all(a.get("kind") in kinds for a in articles)
