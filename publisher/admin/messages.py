"""What the queue, the channels and the history say, told to an editor in the admin's language.

Builds, channels and the store write their messages once, in English, for the
CLI and the log. The admin turns the ones it knows into newsroom Chinese (what
happened, what to do next, articles by headline); anything else is shown as
written with server paths and environment variables taken out.
"""

from __future__ import annotations

import re
from typing import Callable

from flask_babel import get_locale, lazy_gettext
from flask_babel import gettext as _

#: A Python exception's name or a traceback: a fault in publisher, not in the editor's content.
INTERNAL = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)|Traceback)\b")
_PATH = re.compile(r"(?<![\w.:/])(?:/[\w.\-+@~]+)+/?")
_ENV = re.compile(r"\$\{?[A-Z][A-Z0-9_]{2,}\}?")
_SLUG_PREFIX = re.compile(r"^(?:article |\d+-)?([a-z0-9][a-z0-9-]*?)(?:\.md)?: ")
_PARTS = re.compile(r"; (?=(?:article \S+|\d+-\S+\.md): )")  # one message listing several articles' problems

STATES = {
    "queued": lazy_gettext("排队中"),
    "running": lazy_gettext("生成中"),
    "succeeded": lazy_gettext("成功"),
    "failed": lazy_gettext("失败"),
    None: lazy_gettext("未生成"),
}


def state_label(state) -> str:
    return str(STATES.get(str(state) if state else None, state))


def channel_title(titles: dict[str, str], name: str) -> str:
    """A build's channel by title: ``RSS 订阅``, or ``RSS 订阅 · zh-Hant`` for an edition's (``zh-Hant/rss``)."""
    edition, _slash, channel = name.rpartition("/")
    return titles.get(channel, channel) + (f" · {edition}" if edition else "")


def scrub(message: str) -> str:
    """The message without server paths (only the file's own name stays) or environment variable names."""
    message = _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], message)
    return _ENV.sub(_("（服务器设置）"), message)


def chinese() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "zh"


# (pattern, Chinese) for what the queue and the channels say; {0}, {1}… are the pattern's groups.
_PATTERNS: list[tuple[str, str]] = [
    (r"the issue has (\d+) content error\(s\)", "本期内容有 {0} 处错误，没有生成；请在本期页面查看每处错误，改正后重新生成。"),
    (r"interrupted: the server stopped", "生成到一半时服务器停止了，这次没有完成；请重新生成。"),
    (r"the server stopped before this build started", "这次生成还没开始服务器就停止了；请重新生成。"),
    (
        r"there is no issue .* on the machine that ran the build",
        "负责生成的服务器上找不到这一期的内容；请联系管理员检查内容文件夹。",
    ),
    (r"the build queue .* cannot be reached", "生成队列暂时连不上，这次没有生成；请稍后重试，或联系管理员。"),
    (r"the queue lost this build", "生成队列丢失了这次生成；请重新生成。"),
    (
        r"the worker (?:running this build stopped|process running this build was killed|ended this build)",
        "负责生成的后台进程中断了，这次没有完成；请重新生成。",
    ),
    (
        r"the build took longer than the queue allows \((\d+) s\)",
        "这次生成超过了队列允许的 {0} 秒；请重新生成，仍然超时请联系管理员。",
    ),
    (r"not built: the build stopped before this channel", "没有生成：这次生成在这一项之前停止了。"),
    (r"the (\S+) render took longer than (\d+) s", "{0} 生成超过 {1} 秒被停止；请减少或缩小图片后重新生成，或请管理员放宽时限。"),
    (r"the (\S+) render needed more than (\d+) MB", "{0} 生成需要超过 {1} MB 内存被停止；请换用较小的图片后重新生成。"),
    (r"the (\S+) render ", "{0} 无法生成，这是系统的问题，不是稿件的问题；请联系技术人员。"),
    (r"the earlier issue (\S+) cannot be loaded", "往期 {0} 的内容有错误，订阅源无法收录它；请先改正那一期。"),
    (r"config\.yaml channels\.(\w+)", "网站设置中 {0} 一项有误；请联系管理员。"),
    (r"layout file .* is missing", "版式文件缺失；请联系管理员。"),
    (r"the channel (?:produced no files|reported)", "这一项没有产生文件，这是系统的问题；请重新生成，仍然失败请联系技术人员。"),
    (r"the issue has no articles to print", "本期还没有文章，无法排印；请至少添加一篇文章。"),
    (r"issue \S+ has no articles", "本期还没有文章，无法生成电子书；请至少添加一篇文章。"),
    (
        r"channels\.epub\.cover_font|has no Noto Serif CJK SC face",
        "电子书封面字体缺失；请联系管理员安装思源宋体（Noto Serif CJK）。",
    ),
    (r"the image (.+) is missing", "图片 {0} 缺失；请把它上传到本期。"),
    (r"image file (\S+) is not in the issue folder", "图片 {0} 不在本期的文件夹里；请上传这张图片或删去它。"),
    (r"image (\S+) is not a JPEG, PNG or GIF file", "图片 {0} 不是 JPEG、PNG 或 GIF 格式；请转换成 JPEG 或 PNG 后重新上传。"),
    (r"(\S+) is not a readable image", "图片 {0} 无法读取（请用 JPEG、PNG 或 WebP 格式），手机版只显示图片说明。"),
    (
        r"image (\S+) is (?:missing|not in the issue folder); the (feed|digest)",
        "图片 {0} 缺失，{1}只显示图片说明；请上传这张图片。",
    ),
    (r"section (.+) \((\S+)\) has no articles", "版面「{0}」没有文章，已略去。"),
    (r"the PDF has (\d+) pages where (\d+) were planned", "PDF 排出 {0} 版，计划 {1} 版；请检查校样中有没有文字溢出。"),
    (
        r"the paper's fonts have no (.+?)(?: \(masthead or sections\))?;",
        "报纸字体里没有 {0}，印出来会换用别的字体或成为空白；请替换这个字或核对校样。",
    ),
    (
        r"its headline \((\d+) characters\) or figures are too long",
        "标题（{0} 字）或图片太长，放不进一版的分栏，已单独成页通排；请删减。",
    ),
    (r"the layout asked for .*which the PDF may not read", "版式引用了 PDF 不能读取的外部文件，已略去；请联系技术人员。"),
    (r"builds are started too often", "生成太频繁了。"),
]
_KNOWN: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.I), zh) for p, zh in _PATTERNS]
_DETAIL = {"feed": "订阅源", "digest": "手机版"}


def say(message: str | None, headlines: dict[str, str] | None = None) -> str:
    """``message`` in the admin's language, naming an article by its headline where it gives a slug."""
    if not message:
        return ""
    headlines = headlines or {}
    if message.startswith("EPUB not built: "):
        parts = _PARTS.split(message.removeprefix("EPUB not built: "))
        told = (
            "；".join(say(p, headlines).rstrip("。") for p in parts) if chinese() else "; ".join(say(p, headlines) for p in parts)
        )
        return ("电子书没有生成：" + told + "。") if chinese() else "EPUB not built: " + told
    article = ""
    found = _SLUG_PREFIX.match(message)
    if found and found.group(1) in headlines:
        article = headlines[found.group(1)]
        message = message[found.end() :]
    if not chinese():
        return (f"{article}: " if article else "") + scrub(message)
    text = next((_fill(zh, m) for pattern, zh in _KNOWN if (m := pattern.search(message))), None)
    text = text or scrub(message)
    return f"文章《{article}》：{text}" if article else text


def _fill(zh: str, match: re.Match) -> str:
    return zh.format(*(scrub(_DETAIL.get(g, g).strip("'\"")) for g in match.groups()))


def explain(title: str, error: str | None, build_id: int | None = None, headlines: dict | None = None) -> str:
    """An editor's sentence for a build's or a channel's error; the raw message stays in the log and the details."""
    if not error:
        return ""
    if INTERNAL.match(error):
        if build_id:
            return _(
                "%(title)s没有生成，原因是系统出了故障，不是稿件的问题。请重新生成；如果再次失败，请告诉技术人员第 %(build)s 次生成出错。",
                title=title,
                build=build_id,
            )
        return _("%(title)s没有生成，原因是系统出了故障，不是稿件的问题。请重新生成；如果再次失败，请告诉技术人员。", title=title)
    return say(error, headlines)


_LOG_START = re.compile(r"^(\d\d:\d\d:\d\d) (.+): (\d+) articles, (\d+) content warning\(s\)$")
_LOG_LINE = re.compile(
    r"^(\d\d:\d\d:\d\d) ([\w/-]+): (building…|✓ ([\d.]+) s, (\d+) file\(s\), (\d+) KiB|✗ failed after ([\d.]+) s: (.*)|warning: (.*))$"
)


def log_lines(log: str, titles: dict[str, str], headlines: dict[str, str] | None = None) -> str:
    """A build's log in the admin's language: channels by title, errors told as for editors, no server paths."""
    out = []
    for line in (log or "").splitlines():
        out.append(_log_line(line, titles, headlines))
    return "\n".join(out)


def _log_line(line: str, titles: dict[str, str], headlines: dict[str, str] | None) -> str:
    if (m := _LOG_START.match(line)) is not None:
        return _("%(time)s %(title)s：%(n)s 篇文章，%(w)s 条内容提醒", time=m[1], title=m[2], n=m[3], w=m[4])
    if line.startswith("build failed: "):
        return _("生成失败：%(why)s", why=explain(_("这一期"), line.removeprefix("build failed: "), headlines=headlines))
    if (m := _LOG_LINE.match(line)) is None:
        return scrub(line)
    time, title, what = m[1], channel_title(titles, m[2]), m[3]
    if what == "building…":
        return _("%(time)s %(title)s：正在生成…", time=time, title=title)
    if m[4] is not None:
        return _("%(time)s %(title)s：✓ %(s)s 秒，%(n)s 个文件，%(kb)s KiB", time=time, title=title, s=m[4], n=m[5], kb=m[6])
    if m[7] is not None:
        return _(
            "%(time)s %(title)s：✗ %(s)s 秒后失败：%(why)s",
            time=time,
            title=title,
            s=m[7],
            why=explain(title, m[8], headlines=headlines),
        )
    return _("%(time)s %(title)s：提醒：%(what)s", time=time, title=title, what=say(m[9], headlines))


# --- history -------------------------------------------------------------------------------------

_BUILD_REF = re.compile(r"#(\d+)")


def who(user: str | None) -> str:
    """The editor's name; the queue and set-up act as 系统."""
    if not user or user == "setup":
        return _("系统")
    return user


def _published(entry) -> str:
    was = _BUILD_REF.findall(entry.detail or "")
    again = "unpublished before" in (entry.detail or "")
    text = _("发布了第 %(build)s 次生成", build=entry.build_id)
    if len(was) > 1:
        text += _("（替换第 %(was)s 次）", was=was[1])
    if again:
        text += _("，重新上线了撤下的这一期")
    return text


def _failed(entry) -> str:
    return _("第 %(build)s 次生成失败", build=entry.build_id)


ACTIONS: dict[str, Callable] = {
    "signed-in": lambda e: _("登录了后台"),
    "signed-out": lambda e: _("退出了后台"),
    "build-requested": lambda e: _("开始第 %(build)s 次生成", build=e.build_id),
    "build-succeeded": lambda e: _("第 %(build)s 次生成成功", build=e.build_id),
    "build-failed": _failed,
    "published": _published,
    "rolled-back": lambda e: _("回退到第 %(build)s 次生成", build=e.build_id),
    "unpublished": lambda e: _("撤下了这一期（第 %(build)s 次生成不再公开）", build=e.build_id),
    "imported": lambda e: _("导入了电子版文字 %(name)s", name=e.detail),
    "pruned": lambda e: _("清理了旧的生成文件：%(n)s 次", n=(e.detail or "").split(" ", 1)[0]),
    "user-added": lambda e: _("添加了编辑 %(name)s", name=e.detail),
    "password-changed": lambda e: _("修改了 %(name)s 的密码", name=e.detail),
    "language-changed": lambda e: _("把后台语言改为 %(name)s", name=e.detail),
}


def action(entry) -> str:
    """What happened, in a sentence (the store's action names are for scripts)."""
    told = ACTIONS.get(entry.action)
    return told(entry) if told else scrub(f"{entry.action} {entry.detail or ''}".strip())
