"""``publisher import-text``: an e-paper's extracted text in, a draft issue folder and a report out."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from publisher.cli.context import Ctx, pass_ctx


@click.command("import-text")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Folder to write the issue folder into (default: the content folder's issues/).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the imported issue as JSON (as 'publisher show --json').")
@click.option("--date", "date", metavar="YYYY-MM-DD", help="Issue date, when the masthead does not print one.")
@click.option("--number", type=int, help="Running number (总第N期), when the masthead does not print it.")
@click.option("--paper", help="Paper name, when the masthead does not print it.")
@click.option(
    "--labels",
    type=click.Path(exists=True, dir_okay=False),
    help="YAML with extra section/column labels: {sections: [...], series: [...]}.",
)
@click.option("--force", is_flag=True, help="Replace an existing issue folder of the same id.")
@pass_ctx
def import_text_cmd(
    ctx: Ctx,
    file: str,
    out: str | None,
    as_json: bool,
    date: str | None,
    number: int | None,
    paper: str | None,
    labels: str | None,
    force: bool,
) -> None:
    """Import FILE, the text extracted from an e-paper PDF (UTF-8 or GB18030), as a draft issue.

    Writes OUT/<issue id>/ (issue.yaml, one NN-slug.md per article, import-report.json
    and import-report.txt). Read the report: it lists every unsure decision (headline
    readings, rejoined paragraphs, orphan captions) with input line numbers.
    """
    from publisher.importer import REPORT_TEXT, ImportFailure, import_text, write_issue
    from publisher.importer.rules import DEFAULT_VOCABULARY
    from publisher.serialize import issue_data

    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise click.BadParameter(f"{date!r} is not a date; write it as 2025-04-19", param_hint="--date") from None
    try:
        vocabulary = DEFAULT_VOCABULARY.extended(Path(labels)) if labels else DEFAULT_VOCABULARY
        result = import_text(Path(file), date=day, number=number, paper=paper, vocabulary=vocabulary)
        folder = write_issue(result, Path(out) if out else ctx.config.content_dir / "issues", force=force)
    except (ImportFailure, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    report = result.report
    note = (
        f"Imported {report.title}: {len(result.issue.articles)} articles, {len(report.decisions)} decisions to review "
        f"({report.seconds:.2f} s).\nWrote {folder}; read {folder / REPORT_TEXT}, then run "
        f"'publisher check {result.issue.id}'."
    )
    if as_json:
        click.echo(note, err=True)
        click.echo(json.dumps(issue_data(result.issue), ensure_ascii=False, indent=2))
        return
    click.echo(report.summary())
    click.echo(note)
