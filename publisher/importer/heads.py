"""Reading heads: one line that holds two parts, where a story turns, what kind of piece it is."""

from __future__ import annotations

import re

from publisher.importer import lines as L
from publisher.importer import rules
from publisher.importer.drafts import Draft
from publisher.importer.rejoin import TextPiece


def topic_split(paras: list[str], old_head: str, new_head: str) -> int | None:
    """Where a run of paragraphs turns from the old headline's story to the new one's (index, at least 1).

    A split scores by how much more each paragraph shares (character bigrams, on average) with
    its own side than with the other, each side led by its headline, less how much the two
    paragraphs at the split share with each other (text tiling: stories change at a valley).
    """
    grams = [L.bigrams(p) for p in paras]
    old, new = L.bigrams(old_head), L.bigrams(new_head)
    best, best_score = None, float("-inf")
    for k in range(1, len(paras)):
        sides = ([old] + grams[:k], [new] + grams[k:])
        total = 0.0
        for i, g in enumerate(grams):
            own, other = sides if i < k else sides[::-1]
            mine = [x for x in own if x is not g]
            total += sum(L.cosine(g, x) for x in mine) / len(mine) - sum(L.cosine(g, x) for x in other) / len(other)
        score = total / len(grams) - L.cosine(grams[k - 1], grams[k])
        if score > best_score:
            best, best_score = k, score
    return best


def _parts(text: str) -> list[str]:
    """Split a heading at white space that is not inside quotes or brackets."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in rules.OPENERS:
            depth += 1
        elif ch in rules.CLOSERS:
            depth = max(0, depth - 1)
        if ch.isspace() and depth == 0:
            if cur:
                parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


def split_heading(text: str) -> tuple[str | None, str, str | None] | None:
    """A one-line head that holds two of kicker/headline/subtitle side by side, else None.

    '某某电厂 营造…氛围': a short name before a long headline is its kicker;
    '守正创新 笃行致远 某某理念之…': a couplet before a longer phrase is the headline, the rest its subtitle.
    """
    if "\u3000" in text and len(_parts(text.replace("\u3000", ""))) == 1:
        return None  # two phrases parted by an ideographic space: one head (某某某某　某某某某某)
    parts = _parts(text)
    if len(parts) == 2:
        a, b = parts
        if len(a) <= 10 and len(b) >= 10 and len(a) <= 0.6 * len(b) and not re.search(r"[：:，,]", a):
            return a, b, None
    if len(parts) >= 3:
        a, b, rest = parts[0], parts[1], " ".join(parts[2:])
        if len(a) == len(b) <= 8 and len(rest) >= 1.5 * len(a):
            return None, f"{a} {b}", rest
    return None


def quotation(text: str) -> bool:
    """A line that is one quotation from its first character to its last (“…”, 「…」)."""
    if not (text[:1] in "“「『" and text[-1:] in "”」』"):
        return False
    depth = 0
    for k, ch in enumerate(text):
        depth += (ch in "“「『") - (ch in "”」』")
        if depth == 0 and k < len(text) - 1:
            return False  # the first quotation closes before the end: “…”之后…“…”
    return depth == 0


def read_head(texts: list[str]) -> tuple[str | None, str, str | None, str | None, str | None]:
    """(kicker, headline, subtitle, the reading chosen, the other reading) for the lines of a head.

    Two lines are 引题+主题 unless the second starts with a dash or only the first is a
    whole statement (it has a comma or ！？ inside): then they are 主题+副题. A quotation over a
    statement is the voice that leads into the head (引题), whatever it holds; under one it is no head.
    """
    if len(texts) == 1:
        split = split_heading(texts[0])
        if not split:
            return None, texts[0], None, None, None
        kicker, headline, subtitle = split
        what = "kicker + headline" if kicker else "headline + subtitle"
        return kicker, headline, subtitle, f"one line read as {what}", "the whole line as the headline"
    if len(texts) == 2:
        a, b = texts
        split = split_heading(b)
        if split and split[0] is None and split[2]:
            return a, split[1], split[2], "kicker + headline + subtitle (second line split)", "kicker + headline"
        if quotation(a) and not quotation(b) and not b.startswith(("——", "──", "—", "-")):
            return a, b, None, "kicker + headline (a quotation over the head)", "headline + subtitle"
        if quotation(b) and not quotation(a):
            return None, a, b, "headline + subtitle (a quotation under the head)", "kicker + headline"
        if b.startswith(("——", "──", "—", "-")) or (re.search(r"[，！？,!?].", a) and not re.search(r"[，！？,!?]", b)):
            return None, a, b, "headline + subtitle", "kicker + headline"
        return a, b, None, "kicker + headline", "headline + subtitle"
    return " ".join(texts[:-2]), texts[-2], texts[-1], "kicker + headline + subtitle", None


def only_figures(seg: list[TextPiece]) -> bool:
    return all(p.kind in (L.CAPTION, L.CREDIT) for p in seg)


def lost_its_headline(draft: Draft) -> bool:
    """A story whose 'headline' has the form of its own subheads: it is really the first subhead."""
    if draft.headline is None:
        return True
    if draft.head_byline or draft.kicker or draft.subtitle or draft.lead or len(draft.head_lines) != 1:
        return False
    marks = rules.structural_marks(draft.headline)
    return bool(marks) and any(b.kind == "subhead" and marks & rules.structural_marks(b.text) for b in draft.body)


def infer_kind(draft: Draft) -> str:
    head = " ".join(x for x in (draft.series, draft.headline, draft.byline) if x)
    if re.search(r"评论员|时评|短评|述评|社论|评论", head):
        return "commentary"
    if draft.lead == "brief" or (draft.section.line is not None and rules.BRIEF_SECTION.search(draft.section.name)):
        return "brief"
    if draft.lead == "news":
        return "news"
    if re.search(r"讲话|致辞|发言", draft.headline or ""):
        return "speech"
    if re.search(r"照片|图片|影像|摄影", draft.series or ""):
        return "photo"
    if re.search(r"访谈|专访|对话", head):
        return "interview"
    if re.search(r"公告|通知|启事|声明", draft.headline or ""):
        return "notice"
    if draft.source:
        return "news"
    return "feature"
