"""``publisher import-text`` and ``publisher import-pdf``: an e-paper's text or print PDF in, a draft issue out."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from pathlib import Path

import click

from publisher.cli.context import Ctx, pass_ctx


def _options(command: Callable, many: bool = False) -> Callable:
    """The options both importers share (``many``: FILES, several files of one issue)."""
    file = click.Path(exists=True, dir_okay=False)
    for option in reversed(
        [
            click.argument("files", nargs=-1, required=True, type=file) if many else click.argument("file", type=file),
            click.option(
                "--out",
                type=click.Path(file_okay=False),
                help="Folder to write the issue folder into (default: the content folder's issues/).",
            ),
            click.option(
                "--json", "as_json", is_flag=True, help="Print the imported issue as JSON (as 'publisher show --json')."
            ),
            click.option("--date", "date", metavar="YYYY-MM-DD", help="Issue date, when the masthead does not print one."),
            click.option("--number", type=int, help="Running number (总第N期), when the masthead does not print it."),
            click.option("--paper", help="Paper name, when the masthead does not print it."),
            click.option(
                "--labels",
                type=click.Path(exists=True, dir_okay=False),
                help="YAML with extra section/column labels: {sections: [...], series: [...]}.",
            ),
            click.option("--force", is_flag=True, help="Replace an existing issue folder of the same id."),
        ]
    ):
        command = option(command)
    return command


def _run(ctx: Ctx, importer: Callable, files: tuple[str, ...], out, as_json, date, number, paper, labels, force) -> None:
    # imported here, not at the top: 'publisher --help' and the other commands start without them
    from publisher.importer import REPORT_TEXT, ImportFailure, known_section_slugs, write_issue
    from publisher.importer.rules import DEFAULT_VOCABULARY
    from publisher.serialize import issue_data

    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise click.BadParameter(f"{date!r} is not a date; write it as 2025-04-19", param_hint="--date") from None
    try:
        vocabulary = DEFAULT_VOCABULARY.extended(Path(labels)) if labels else DEFAULT_VOCABULARY
        known = known_section_slugs(ctx.config.content_dir)
        source: tuple = (Path(files[0]), None)
        if len(files) > 1:  # the pages of one print PDF, a file each
            from publisher.pdfimport.extract import combine

            source = combine([(Path(f).read_bytes(), Path(f).name) for f in files])
        result = importer(*source, date=day, number=number, paper=paper, vocabulary=vocabulary, known_sections=known)
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


@click.command("import-text")
@_options
@click.option(
    "--override-masthead", is_flag=True, help="Use --date/--number/--paper even where the masthead prints something else."
)
@pass_ctx
def import_text_cmd(ctx: Ctx, override_masthead: bool, **options) -> None:
    """Import FILE, the text extracted from an e-paper PDF (UTF-8 or GB18030), as a draft issue.

    Writes OUT/<issue id>/ (issue.yaml, one NN-slug.md per article, import-report.json
    and import-report.txt). Read the report: it lists every unsure decision (headline
    readings, rejoined paragraphs, orphan captions) with input line numbers.
    """
    from publisher.importer import import_text

    _run(ctx, functools.partial(import_text, override_masthead=override_masthead), (options.pop("file"),), **options)


@click.command("import-pdf")
@functools.partial(_options, many=True)
@pass_ctx
def import_pdf_cmd(ctx: Ctx, **options) -> None:
    """Import FILES, a newspaper's print PDF (from the layout system), as a draft issue.

    One PDF of the whole issue, or one file a page (版): several files are read as one PDF,
    in the natural order of their names (2.pdf before 10.pdf).

    Reads each character's position, font and size: heads by size, columns, reading order,
    bylines, captions and photos, jumps between pages. Writes OUT/<issue id>/ like
    import-text, plus the figures under images/, the original PDF (print.pdf) and each
    article's page rectangles. The report gives every unsure decision with page and position.
    """
    from publisher.pdfimport import import_pdf

    _run(ctx, import_pdf, options.pop("files"), **options)
