"""A third-party channel: a plain-text table of characters per article."""

from pydantic import BaseModel, ConfigDict

from publisher.channel import Channel, Output
from publisher.writer import write_text


class WordCountOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = "字数统计"


class WordCountChannel(Channel):
    name = "wordcount"
    title = "Word count report"
    Options = WordCountOptions

    def render(self, issue, ctx):
        report = ctx.render_template("report.txt", issue=issue, heading=ctx.options.title)
        write_text(ctx.out / "wordcount.txt", report)
        return [Output("wordcount.txt", "text/plain")]
