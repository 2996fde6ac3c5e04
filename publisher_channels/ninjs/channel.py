"""IPTC ninjs 2.2 (News in JSON): ``<article slug>.json`` per article and ``issue.json``, the issue as a package.

Other newsroom systems (aggregators, archives, Superdesk) take news as ninjs.
Every document's ``uri`` is its public address (``Urls.ninjs``), which depends
only on the issue and the article, so it is stable across rebuilds; ``version``
is a digest of the document's content, so it changes exactly when the content
does; ``versioncreated`` is the issue's publication time, never the clock.
The package lists the articles in reading order as ``associations``; photos are
associations of type ``picture`` with the web renditions the digest publishes.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

from publisher import feeds, images, text, writer
from publisher.channel import BuildContext, Channel, Output
from publisher.model import Article, Issue, Kind

NINJS_TYPE = "application/json"
STANDARD = {"name": "ninjs", "version": "2.2", "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"}
GENRES = "http://cv.iptc.org/newscodes/genre/"
#: Our kinds in Chinese, and the IPTC genre each is (None where IPTC has no close one).
KINDS: dict[Kind, tuple[str, str | None]] = {
    Kind.news: ("消息", "Current"),
    Kind.commentary: ("评论", "Opinion"),
    Kind.feature: ("通讯", "Feature"),
    Kind.brief: ("简讯", None),
    Kind.speech: ("讲话", "Transcript_and_Verbatim"),
    Kind.interview: ("访谈", "Interview"),
    Kind.essay: ("散文", None),
    Kind.photo: ("图片新闻", None),
    Kind.notice: ("公告", None),
}


def _versioned(document: dict) -> dict:
    """``document`` with ``version``: the first 16 hex digits of the SHA-256 of its content."""
    digest = hashlib.sha256(json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()
    return {"uri": document["uri"], "version": digest[:16], **{k: v for k, v in document.items() if k != "uri"}}


def _genre(kind: Kind, localize) -> dict:
    name, code = KINDS[kind]
    return {"name": localize(name), "literal": kind.value, **({"uri": GENRES + code} if code else {})}


class NinjsChannel(Channel):
    name = "ninjs"
    title = "新闻交换 (IPTC ninjs)"

    def render(self, issue: Issue, ctx: BuildContext) -> list[Output]:
        readable = images.readable(issue, functools.partial(ctx.figure_file, issue))
        for note in readable.warnings:
            ctx.warn(note)
        issue = readable.issue  # the articles and photos readers get, as in every channel
        cache = images.cache_dir(ctx.out)
        self.renditions = {src: images.web_set(photo, cache) for src, photo in readable.photos.items()}
        when = feeds.publication_time(ctx.site)(issue).isoformat()
        holder = feeds.plain(issue.publisher or issue.paper)
        common = {
            "pubstatus": "usable",
            "firstcreated": when,
            "versioncreated": when,
            "language": issue.language,
            "copyrightholder": holder,
            "copyrightnotice": f"© {issue.date.year} {holder}",
            "standard": STANDARD,
        }
        outputs: list[Output] = []
        members: list[dict[str, Any]] = []
        for article in issue.articles:
            document = _versioned(self._article(issue, article, ctx, common))
            writer.write_bytes(ctx.out / f"{article.slug}.json", _dump(document))
            outputs.append(Output(f"{article.slug}.json", NINJS_TYPE))
            members.append(
                {
                    "name": f"article{len(members) + 1}",
                    "uri": document["uri"],
                    "type": document["type"],
                    "version": document["version"],
                    "headlines": document["headlines"][:1],
                }
            )
        package = _versioned(
            {
                "uri": ctx.urls.ninjs(issue),
                "type": "composite",
                **common,
                "headlines": [{"role": "main", "contenttype": "text/plain", "value": feeds.plain(issue.title)}],
                "descriptions": [
                    {
                        "role": "summary",
                        "contenttype": "text/plain",
                        "value": ctx.localize(f"{len(issue.articles)}篇文章，{len(issue.sections)}个版面"),
                    }
                ],
                "slugline": issue.id,
                "altids": [{"role": "issue-number", "value": str(issue.number)}, {"role": "web", "value": ctx.urls.issue(issue)}],
                "associations": members,
            }
        )
        writer.write_bytes(ctx.out / "issue.json", _dump(package))
        return [Output("issue.json", NINJS_TYPE), *outputs]

    def _article(self, issue: Issue, article: Article, ctx: BuildContext, common: dict) -> dict:
        section = issue.section(article.section)
        headlines = [{"role": "main", "contenttype": "text/plain", "value": feeds.plain(article.headline)}]
        for role, value in (("kicker", article.kicker), ("subtitle", article.subtitle)):
            if value:
                headlines.append({"role": role, "contenttype": "text/plain", "value": feeds.plain(value)})
        body = text.sanitize_article(ctx.render_template("body.html", article=article), base=ctx.urls.article(issue, article))
        descriptions = [{"role": "summary", "contenttype": "text/plain", "value": feeds.summary(article)}]
        if article.editor_note:
            descriptions.append({"role": "editornote", "contenttype": "text/plain", "value": feeds.plain(article.editor_note)})
        subjects = [{"name": feeds.plain(section.name), "rel": "section", "literal": section.slug}]
        if article.series:
            subjects.append({"name": feeds.plain(article.series), "rel": "series"})
        document: dict[str, Any] = {
            "uri": ctx.urls.ninjs(issue, article),
            "type": "picture" if article.kind is Kind.photo and not article.body else "text",
            "representationtype": "full",
            **common,
            "headlines": headlines,
            "bodies": [{"role": "main", "contenttype": "text/html", "charcount": article.char_count, "value": body}],
            "descriptions": descriptions,
            "slugline": article.slug,
            "subjects": subjects,
            "genres": [_genre(article.kind, ctx.localize)],
            "altids": [{"role": "web", "value": ctx.urls.article(issue, article)}],
        }
        byline = article.byline or "　".join(article.author_names)
        if byline:
            document["by"] = feeds.plain(byline)
        if article.authors:
            document["people"] = [
                {"name": feeds.plain(a.name), "rel": "author", **({"literal": feeds.plain(a.role)} if a.role else {})}
                for a in article.authors
            ]
        if article.source:
            document["infosources"] = [{"name": feeds.plain(article.source), "role": "source"}]
        pictures = self._pictures(issue, article, ctx, document["uri"])
        if pictures:
            document["associations"] = pictures
        return document

    def _pictures(self, issue: Issue, article: Article, ctx: BuildContext, uri: str) -> list[dict]:
        """The article's photos as picture associations, with the renditions the digest publishes (WebP and JPEG)."""
        found = []
        for number, figure in enumerate(article.figures, 1):
            picture: dict[str, Any] = {"name": f"picture{number}", "uri": f"{uri}#picture{number}", "type": "picture"}
            if figure.caption:
                picture["descriptions"] = [{"role": "caption", "contenttype": "text/plain", "value": feeds.plain(figure.caption)}]
            if figure.credit:
                picture["by"] = feeds.plain(figure.credit)
            picture["renditions"] = [
                {
                    "name": f"{fmt}-{r.width}",
                    "href": ctx.urls.media(issue, r.name),
                    "contenttype": r.media_type,
                    "width": r.width,
                    "height": r.height,
                    "sizeinbytes": len(r.data),
                }
                for fmt, sizes in self.renditions[images.photo_key(figure)].items()
                for r in sizes
            ]
            found.append(picture)
        return found


def _dump(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
