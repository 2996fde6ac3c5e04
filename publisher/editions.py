"""Editions: one issue in more than one script, converted once per build before any channel renders.

The content is written in Simplified Chinese (the source edition). Each edition
in ``config.yaml`` (``editions:``) is the same issue converted with OpenCC
(``s2twp`` for Taiwan phrasing, ``s2hk`` for Hong Kong) into its own output
folder ``<out>/<issue>/<edition>/<channel>/`` and its own URLs
(``/<edition path>/…``), with its own language tag. Channels never learn the
script: they get a converted model, converted templates, a ``localize``
function for the few words written in their code, and the language tag, from
which :mod:`publisher.fonts` picks the faces.

OpenCC gets some phrases wrong (头发干了 → 頭髮幹了) and must leave some
proper names alone; both lists ship in ``editions_data/`` and each edition can
extend them in ``config.yaml``. They are applied by masking: each phrase is
swapped for a private-use character before conversion and for its fixed form
after, so OpenCC never sees it.
"""

from __future__ import annotations

from enum import Enum
from functools import lru_cache
from pathlib import Path

import opencc
import yaml

from publisher.channel import EditionLink
from publisher.config import SOURCE_EDITION, Config, EditionConfig
from publisher.model import Article, Author, Block, Figure, Issue, Section
from publisher.urls import Urls

DATA = Path(__file__).resolve().parent / "editions_data"
#: The source edition's name in the 简/繁 switch.
SOURCE_LABEL = "简体"
_MASK_BASE = 0xF0000  # Supplementary Private Use Area-A: never in content, never touched by OpenCC


def target(edition: str | None, channel: str) -> str:
    """The name a channel's build has in records and folders: ``rss``, or ``zh-Hant/rss`` for an edition."""
    return f"{edition}/{channel}" if edition else channel


def split(name: str) -> tuple[str | None, str]:
    """The inverse of :func:`target`."""
    edition, _, channel = name.rpartition("/")
    return edition or None, channel


def names(config: Config) -> list[str | None]:
    """The editions every build makes: None (the source) and each configured one."""
    return [None, *(e.name for e in config.editions)]


def grouped(targets: list[str]) -> list[tuple[str | None, list[str]]]:
    """Build names (``rss``, ``zh-Hant/rss``) grouped by edition, in first-seen order, as channel names."""
    groups: dict[str | None, list[str]] = {}
    for name in targets:
        edition, channel = split(name)
        groups.setdefault(edition, []).append(channel)
    return list(groups.items())


@lru_cache(maxsize=8)
def _shipped(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8")) or {}


class Converter:
    """OpenCC with the phrase fixes and protected names of one edition."""

    def __init__(self, edition: EditionConfig, extra: dict[str, str] | None = None, engine: opencc.OpenCC | None = None):
        self.edition = edition
        self.opencc = engine or opencc.OpenCC(edition.opencc_config)
        shipped = _shipped("phrases.yaml")
        fixes = {**shipped.get("all", {}), **shipped.get(edition.opencc_config, {}), **edition.phrases}
        names = [*_shipped("protect.yaml").get("names", []), *edition.protect]
        fixed = {**(extra or {}), **{name: name for name in names}, **fixes}
        # Longest first, so a protected company name wins over a phrase inside it.
        self.fixed = sorted(fixed.items(), key=lambda kv: -len(kv[0]))

    def with_people(self, names: list[str]) -> Converter:
        """This converter, also keeping the surname of each person in ``names`` that OpenCC would turn into a word.

        余华 is a person (余 is the surname); OpenCC reads 余 as 餘 (surplus). Such a name keeps
        its surname as written and has the rest converted, wherever it appears in the issue.
        """
        surnames = set(_shipped("protect.yaml").get("surnames", []))
        people = {n: n[0] + self.opencc.convert(n[1:]) for n in names if len(n) >= 2 and n[0] in surnames}
        return Converter(self.edition, people, self.opencc) if people else self

    def __call__(self, value: str) -> str:
        restore = {}
        for index, (phrase, result) in enumerate(self.fixed):
            if phrase in value:
                mask = chr(_MASK_BASE + index)
                value = value.replace(phrase, mask)
                restore[mask] = result
        value = self.opencc.convert(value)
        for mask, result in restore.items():
            value = value.replace(mask, result)
        return value


def converter(edition: EditionConfig) -> Converter:
    """The converter of ``edition``, made once per process (OpenCC loads its dictionaries once)."""
    return _converter(edition.model_dump_json())


@lru_cache(maxsize=8)
def _converter(edition_json: str) -> Converter:
    return Converter(EditionConfig.model_validate_json(edition_json))


def simplified(text: str) -> str:
    """``text`` in Simplified characters (OpenCC t2s): what a reader typed in 繁體, as the content is written."""
    return _t2s().convert(text)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


#: Fields that are identifiers, paths or tags, never text.
_KEEP = {"id", "slug", "section", "src", "language", "website", "file", "paper_en", "serial"}


def _convert_value(value, convert: Converter):
    if isinstance(value, Enum):  # kinds are str enums: codes, not text
        return value
    if isinstance(value, str):
        return convert(value)
    if isinstance(value, tuple):
        return tuple(_convert_value(v, convert) for v in value)
    if isinstance(value, _MODELS):
        return _convert_model(value, convert)
    return value


def _convert_model(model, convert: Converter):
    """A copy of a model with every text field converted, identifiers and paths (``_KEEP``) as they are."""
    return model.model_copy(update={name: _convert_value(value, convert) for name, value in model if name not in _KEEP})


_MODELS = (Section, Article, Author, Figure, Block)


class EditionIssue(Issue):
    """An issue converted to an edition's script; its derived labels (总第…期, 农历…) are converted too."""

    labels: dict[str, str]

    @property
    def weekday(self) -> str:
        return self.labels["weekday"]

    @property
    def lunar_date(self) -> str:
        return self.labels["lunar_date"]

    @property
    def date_zh(self) -> str:
        return self.labels["date_zh"]

    @property
    def number_label(self) -> str:
        return self.labels["number_label"]


def convert(issue: Issue, edition: EditionConfig) -> EditionIssue:
    """``issue`` in ``edition``'s script and language: every text field, none of the ids, slugs or paths."""
    people = [a.name for article in issue.articles for a in article.authors]
    convert_text = converter(edition).with_people(people)
    converted = _convert_model(issue, convert_text)
    labels = {key: convert_text(getattr(issue, key)) for key in ("weekday", "lunar_date", "date_zh", "number_label")}
    data = {name: value for name, value in converted}
    data["language"] = edition.variant
    return EditionIssue.model_construct(**data, labels=labels)


def links(config: Config, current: str | None) -> tuple[EditionLink, ...]:
    """Every edition of the site (the source first) with its URLs, for hreflang links and the 简/繁 switch; () with one edition."""
    if not config.editions:
        return ()
    source = EditionLink(SOURCE_EDITION, SOURCE_EDITION, SOURCE_LABEL, Urls(config.site.url), current is None)
    others = [EditionLink(e.name, e.variant, e.label, urls(config, e), current == e.name) for e in config.editions]
    return (source, *others)


def urls(config: Config, edition: EditionConfig | None) -> Urls:
    """The public URLs of ``edition``: the site's, below the edition's path."""
    return Urls(config.site.url + edition.url_path, root=config.site.url) if edition else Urls(config.site.url)


def archive_convert(edition: EditionConfig | None):
    """What the archive loader applies to each earlier issue it reads: the same conversion, or none."""
    return (lambda issue: convert(issue, edition)) if edition else None
