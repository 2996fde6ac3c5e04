"""The import review: each unsure decision with its input text, the other reading in one click; masthead mismatches."""

from __future__ import annotations

import re

import pytest

from publisher import loading
from publisher.importer import MastheadMismatch, import_text
from tests import test_admin_import
from tests.conftest import SEED
from tests.test_admin import token
from tests.test_admin_import import SEED_ID, upload

site_fixture = pytest.fixture(test_admin_import.site.__wrapped__, name="site")
editor_fixture = pytest.fixture(test_admin_import.editor.__wrapped__, name="editor")


def imported(editor, site):
    response = upload(editor, SEED.read_bytes(), "chinalco-news-1330.txt")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return loading.issue_dir(site.config.content_dir, SEED_ID)


def article(site, slug):
    return next(a for a in loading.load_issue(loading.issue_dir(site.config.content_dir, SEED_ID)).articles if a.slug == slug)


def section_of(page: str, headline_part: str) -> tuple[str, str]:
    """The review panel mentioning ``headline_part`` and its switch button's form action."""
    for panel in re.findall(r'<section class="panel decision[^"]*" id="d\d+">.*?</section>', page, re.S):
        if headline_part in panel and "改用另一种读法" in panel:
            return panel, re.search(r'<form method="post" action="([^"]+)"', panel).group(1)
    raise AssertionError(headline_part)


def test_a_decision_shows_its_input_and_switches_in_one_click(editor, site):
    imported(editor, site)
    before = article(site, "wo-guo-jing-ji-qi-bu")
    assert before.kicker and before.headline and not before.subtitle
    page = editor.get(f"/admin/issues/{SEED_ID}/review").get_data(as_text=True)
    panel, action = section_of(page, before.headline)
    assert f"/admin/issues/{SEED_ID}/articles/wo-guo-jing-ji-qi-bu" in panel  # links to the article
    assert before.kicker in panel and 'class="here"' in panel  # the input text around the decision, marked
    response = editor.post(action, data={"csrf_token": token(editor, "/admin/")})
    assert response.status_code == 302
    after = article(site, "wo-guo-jing-ji-qi-bu")
    assert (after.kicker, after.headline, after.subtitle) == (None, before.kicker, before.headline)
    page = editor.get(f"/admin/issues/{SEED_ID}/review").get_data(as_text=True)
    assert "改回原来的读法" in page
    editor.post(action, data={"csrf_token": token(editor, "/admin/")})
    back = article(site, "wo-guo-jing-ji-qi-bu")
    assert (back.kicker, back.headline, back.subtitle) == (before.kicker, before.headline, None)
    assert site.store.revisions(SEED_ID, "wo-guo-jing-ji-qi-bu")[0].user == "editor"


def test_an_orphan_caption_goes_to_the_story_before(editor, site):
    imported(editor, site)
    issue = loading.load_issue(loading.issue_dir(site.config.content_dir, SEED_ID))
    slugs = [a.slug for a in issue.articles]
    photo = next(a for a in issue.articles if a.slug == "tu-wei-liu-ye-yuan-gong")
    before = issue.articles[slugs.index(photo.slug) - 1]
    page = editor.get(f"/admin/issues/{SEED_ID}/review").get_data(as_text=True)
    _, action = section_of(page, photo.headline)
    editor.post(action, data={"csrf_token": token(editor, "/admin/")})
    issue = loading.load_issue(loading.issue_dir(site.config.content_dir, SEED_ID))
    assert photo.slug not in [a.slug for a in issue.articles]
    moved = next(a for a in issue.articles if a.slug == before.slug)
    assert moved.figures[-1].caption == photo.figures[0].caption


def test_date_and_number_never_silently_override_the_masthead(editor, site):
    with pytest.raises(MastheadMismatch) as caught:
        import_text(SEED.read_bytes(), "x.txt", number=1331)
    assert caught.value.differences == [("number", 1330, 1331)]
    response = upload(editor, SEED.read_bytes(), "chinalco-news-1330.txt", number="1331")
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "报头印的是“1330”，您填写的是“1331”" in text
    assert not loading.issue_dir(site.config.content_dir, "2025-04-19-1331").exists()
    response = upload(editor, SEED.read_bytes(), "chinalco-news-1330.txt", number="1331", override_masthead="y")
    assert response.status_code == 302
    assert loading.issue_dir(site.config.content_dir, "2025-04-19-1331").is_dir()
    assert upload(editor, SEED.read_bytes(), "c.txt", number="1330", replace="y").status_code == 302  # the same: no question
