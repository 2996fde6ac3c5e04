"""Public URLs and download names, built once from ``site.url``.

The public site serves exactly these paths; channels link with them so every
link in a feed, an EPUB or a PDF points where the site answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from publisher.model import Article, Issue, Section


@dataclass(frozen=True)
class Urls:
    site: str  # e.g. https://news.example.com (no trailing slash); an edition's: https://news.example.com/zh-hant
    #: The site's own address when ``site`` is an edition's: search and the newsletter are the site's, not an edition's.
    root: str | None = None

    def absolute(self, path: str) -> str:
        return self.site + path

    def feed(self, fmt: str = "rss") -> str:
        return self.absolute("/atom.xml" if fmt == "atom" else "/feed.xml")

    def section_feed(self, section: Section | str) -> str:
        slug = section if isinstance(section, str) else section.slug
        return self.absolute(f"/feeds/{slug}.xml")

    def json_feed(self, section: Section | str | None = None) -> str:
        """The JSON Feed of the paper, or of one section."""
        if section is None:
            return self.absolute("/feed.json")
        slug = section if isinstance(section, str) else section.slug
        return self.absolute(f"/feeds/{slug}.json")

    def opds(self) -> str:
        """The OPDS catalogue of every published issue (EPUB and PDF for e-reader apps)."""
        return self.absolute("/opds.xml")

    def archive(self) -> str:
        return self.absolute("/issues/")

    def search(self) -> str:
        """The public search over every published issue (``?q=…``)."""
        return (self.root or self.site) + "/search"

    def newsletter(self) -> str:
        """Where readers sign up for the issue by e-mail."""
        return (self.root or self.site) + "/newsletter"

    def issue(self, issue: Issue) -> str:
        """The issue's mobile digest."""
        return self.absolute(f"/issues/{issue.id}/")

    def next_issue(self, issue: Issue) -> str:
        """Where the public site sends a reader to the issue after ``issue`` (unknown when it was built)."""
        return self.absolute(f"/issues/{issue.id}/next")

    def article(self, issue: Issue, article: Article) -> str:
        """An article's permalink: its anchor in the issue's digest."""
        return f"{self.issue(issue)}#{article.slug}"

    def epaper_archive(self) -> str:
        """数字报 往期: every published issue's e-paper by date."""
        return self.absolute("/epaper/")

    def epaper_page(self, issue: Issue, page: int) -> str:
        """A printed page (版) of the e-paper: ``/epaper/2025-04-19/01/``."""
        return self.absolute(f"/epaper/{issue.date.isoformat()}/{page:02d}/")

    def epaper_article(self, issue: Issue, page: int, article: Article) -> str:
        """An article of the e-paper, below the page it starts on: ``/epaper/2025-04-19/01/<slug>.html``."""
        return f"{self.epaper_page(issue, page)}{article.slug}.html"

    def epaper_print(self, issue: Issue) -> str:
        """The paper's own print PDF of an issue imported from it, as the e-paper serves it."""
        return self.absolute(f"/epaper/{issue.date.isoformat()}/{download_file(issue, 'pdf')}")

    def download(self, issue: Issue, ext: str) -> str:
        return self.absolute(f"/issues/{issue.id}/{download_file(issue, ext)}")

    def ninjs(self, issue: Issue, article: Article | None = None) -> str:
        """The IPTC ninjs document of an article, or of the issue as a package; also its ``uri``."""
        name = article.slug if article is not None else "issue"
        return self.absolute(f"/issues/{issue.id}/ninjs/{name}.json")

    def media(self, issue: Issue, src: str) -> str:
        return self.absolute(f"/issues/{issue.id}/media/{quote(src)}")


def download_file(issue: Issue, ext: str) -> str:
    """The ASCII file name of a download on disk and in URLs: ``2025-04-19-1330.epub``."""
    return f"{issue.id}.{ext}"


def download_name(issue: Issue, ext: str) -> str:
    """The name a reader's browser saves: ``中国铝业报-2025-04-19-1330.epub``."""
    safe_paper = re.sub(r'[\\/:*?"<>|\s]+', "", issue.paper)
    return f"{safe_paper}-{issue.date.isoformat()}-{issue.number}.{ext}"


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """``attachment`` header with an RFC 6266/5987 UTF-8 name and an ASCII fallback."""
    return f"attachment; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


#: Stands for each recipient's own unsubscribe URL in a built newsletter; filled in when the mail is sent.
UNSUBSCRIBE_PLACEHOLDER = "%%UNSUBSCRIBE_URL%%"
