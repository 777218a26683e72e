"""dhrgraph command line: a thin adapter. Each command parses options, opens a store, calls one
library function and hands the rows to one renderer. No Cypher or graph code lives here."""

from __future__ import annotations

import functools
import json
import shutil
import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterable

import click

from dhrgraph.graph.backends import BACKENDS, Settings, open_store
from dhrgraph.graph.errors import DhrgraphError
from dhrgraph.queries.outputs import format_for, write_text
from dhrgraph.queries.render import FORMATS, render_chunks
from dhrgraph.queries.statuses import NEW, STATUSES

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def output_options(default: str = "table") -> Callable:
    """The same --format option on every command that prints rows."""
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default=default, show_default=True,
                        help="Output format: an aligned table, a JSON array, or CSV.")


def emit(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None) -> None:
    echo(render_chunks(rows, fmt, columns))


def echo(pieces: Iterable[str], nl: bool = False) -> None:
    """Print text piece by piece as it is made (a big answer's whole text is never held), then a newline when it
    does not end with one, or always (``nl``)."""
    last = ""
    for piece in pieces:
        click.echo(piece, nl=False)
        last = piece or last
    if nl or not last.endswith("\n"):
        click.echo("")


class ProblemsReport(click.ClickException):
    """Input problems print as compiler-style lines (file:line:column: ...), with no 'Error:' prefix."""

    def show(self, file: Any = None) -> None:
        click.echo(self.message, err=True)


def user_errors(func: Callable) -> Callable:
    """Report a DhrgraphError as one clear message and exit code 1; never a traceback."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DhrgraphError as exc:
            from dhrgraph.loaders.tabular import LoadError  # here, not at start-up: --help imports no loader

            if isinstance(exc, LoadError):
                raise ProblemsReport(exc.report()) from None
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # a path the library did not expect (/proc, a full disk ...): one line, not a traceback
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc.__class__.__name__}") from None
    return wrapper


@contextmanager
def store_from(ctx: click.Context):
    store = open_store(ctx.obj)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def progress_bar(total: int, label: str):
    """A progress bar on stderr for big jobs, only when a person is watching (a TTY)."""
    if total < 5000 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        state = {"done": 0}

        def update(done: int) -> None:
            bar.update(done - state["done"])
            state["done"] = done
        yield update


def print_warnings(warnings: list) -> None:
    for warning in warnings[:50]:
        click.echo(f"warning: {warning}", err=True)
    if len(warnings) > 50:
        click.echo(f"warning: ... and {len(warnings) - 50} more warning(s)", err=True)


@click.group(context_settings=CONTEXT)
# No envvar= here: Settings.from_env is the one place that reads the environment; options override it.
@click.option("--workspace", type=click.Path(file_okay=False),
              help="Folder of the embedded graph (env DHRGRAPH_WORKSPACE; default ./.dhrgraph).")
@click.option("--backend", type=click.Choice(BACKENDS), help="Where the graph lives (env DHRGRAPH_BACKEND; default embedded).")
@click.option("--neo4j-uri", help="Neo4j URI: bolt://, neo4j://, neo4j+s:// (env NEO4J_URI).")
@click.option("--neo4j-user", help="Neo4j user (env NEO4J_USERNAME; default neo4j).")
@click.option("--neo4j-password", help="Neo4j password; prefer the env NEO4J_PASSWORD (never printed).")
@click.option("--neo4j-database", help="Neo4j database (env NEO4J_DATABASE; default neo4j).")
@click.version_option(package_name="dhrgraph")
@click.pass_context
def main(ctx: click.Context, workspace: str | None, backend: str | None, neo4j_uri: str | None, neo4j_user: str | None,
         neo4j_password: str | None, neo4j_database: str | None) -> None:
    """dhrgraph: review chronologies as a knowledge graph, to show the connections no single agency saw.

    \b
    Example:
      dhrgraph load examples/
      dhrgraph stats
      dhrgraph timeline Jade --review dhr-northbrook-2021
    """
    ctx.obj = Settings.from_env(backend=backend, workspace=workspace, neo4j_uri=neo4j_uri, neo4j_user=neo4j_user,
                                neo4j_password=neo4j_password, neo4j_database=neo4j_database)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--answers/--no-answers", default=None,
              help="After the load, compute every catalogue query's answers, so that the first `query` or `findings` "
                   "reads them [default: from 20,000 contacts].")
@click.pass_context
@user_errors
def load(ctx: click.Context, paths: tuple[str, ...], answers: bool | None) -> None:
    """Validate review chronologies and load them into the graph.

    PATHS are review folders, folders of reviews, .xlsx workbooks or combined CSVs. Everything is
    checked first: with any error nothing is loaded. Loading a review again replaces it. A big
    store then has the catalogue's answers computed and kept (--no-answers skips it).

    \b
    Example:
      dhrgraph load examples/
    """
    from dhrgraph.loaders import read_reviews

    result = read_reviews(list(paths), read_ahead=True)
    total = sum(len(r.contacts) for r in result.reviews)
    with store_from(ctx) as store:
        with progress_bar(total, "Loading") as progress:
            report = store.load_reviews(result, progress)
        del result  # the reviews as read
        print_warnings(report.warnings)
        click.echo(f"Loaded {len(report.reviews)} review(s): {report.people} people, {report.contacts} contacts, "
                   f"{report.relationships} relationships ({ctx.obj.backend}).")
        for review, before, now in report.replaced:
            click.echo(f"Replaced {review}: {before} -> {now} contacts")
        answer_ahead(ctx, store, answers)


def answer_ahead(ctx: click.Context, store, answers: bool | None) -> None:
    """After a load: the catalogue's answers computed and kept, if the store is big enough or they are asked for."""
    from dhrgraph.queries.triage import answer_ahead_apart

    started = time.perf_counter()
    found = answer_ahead_apart(store, ctx.obj, answers)
    if found is not None:
        click.echo(f"Answered the catalogue ahead: {found} finding(s) kept for `query` and `findings` "
                   f"({time.perf_counter() - started:.1f} s; --no-answers skips this).")
    elif answers:
        click.echo(f"note: the {ctx.obj.backend} store keeps no answers, so none were computed ahead (--answers is for "
                   "stores that keep them)", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@user_errors
def validate(paths: tuple[str, ...]) -> None:
    """Check review chronologies without loading them.

    Lists every problem as file:line:column, and exits with code 1 if there is any.

    \b
    Example:
      dhrgraph validate examples/dhr-northbrook-2021
    """
    from dhrgraph.loaders import read_reviews

    result = read_reviews(list(paths))
    print_warnings(result.warnings)
    contacts = sum(len(r.contacts) for r in result.reviews)
    click.echo(f"OK: {len(result.reviews)} review(s), {contacts} contacts.")


@main.command(name="map")
@click.argument("folder", type=click.Path())
@user_errors
def map_headers(folder: str) -> None:
    """Write mapping.csv: what each agency's own headers and values mean, with best guesses to confirm.

    FOLDER is a review folder (chronology.csv and/or one file per agency in chronologies/) or a folder
    of them. Every header and value the input format does not already understand gets a row with
    its best guess in the 'means' column; correct it where it is wrong, fill in the ones without a
    guess, then validate. Rows already in mapping.csv are kept. Run it again after mapping headers:
    the values of newly mapped columns are added.

    \b
    Example:
      dhrgraph map examples/dhr-fernleigh-2022
      dhrgraph validate examples/dhr-fernleigh-2022
    """
    from dhrgraph.loaders.mapper import write_mappings

    for result in write_mappings(folder):
        added = len(result.guessed) + len(result.unguessed)
        if not added:
            click.echo(f"{result.review}: nothing new to map ({result.kept} row(s) in {result.path}).")
            continue
        click.echo(f"{result.review}: wrote {result.path}: {len(result.guessed)} guessed, {len(result.unguessed)} without a guess"
                   + (f", {result.kept} kept" if result.kept else "") + ".")
        for row in result.guessed:
            click.echo(f"  guessed  {row['file']}: {row['field']} {row['written']!r} -> {row['means']} ({row['note']})")
        for row in result.unguessed:
            click.echo(f"  no guess {row['file']}: {row['field']} {row['written']!r} ({row['note'].removeprefix('no guess: ')})")
    click.echo("Check the 'means' column (correct any guess, fill in the blanks), then run dhrgraph validate.")


@main.command()
@click.argument("review")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The file to write: .xlsx, .csv or .docx.")
@click.option("--redact", is_flag=True, help="People named only by role (Victim 1 ...), no summaries or professionals.")
@click.pass_context
@user_errors
def chronology(ctx: click.Context, review: str, output: str, redact: bool) -> None:
    """Write one review's merged chronology (every agency's contacts, in order) for the panel.

    Rows are in date order (then sequence, time, and each source file's own order), with the source
    file and record of each row and flags for uncertain or partial dates and rows dated before an
    earlier row of their own file. Unredacted, the file loads back into the same graph.

    \b
    Example:
      dhrgraph chronology dhr-fernleigh-2022 --output merged.xlsx
      dhrgraph chronology dhr-fernleigh-2022 --output merged-redacted.docx --redact
    """
    from dhrgraph.loaders.export import write_chronology

    with store_from(ctx) as store:
        count = write_chronology(store, review, output, redact)
    click.echo(f"Wrote {output}: {count} contact(s) of {review}" + (" (redacted)." if redact else "."))


@main.command()
@output_options(default="table")
@click.pass_context
@user_errors
def stats(ctx: click.Context, fmt: str) -> None:
    """Count the reviews, people, agencies, contacts and relationships in the graph.

    \b
    Example:
      dhrgraph stats --format json
    """
    from dhrgraph.queries.core import STATS

    with store_from(ctx) as store:
        rows = store.run(STATS)
    if fmt == "json":  # one object, not an array: stats is a single record
        click.echo(json.dumps(rows[0], indent=2))
    else:
        emit(rows, fmt)


@main.command()
@click.argument("person", required=False)
@click.option("--review", help="Only this review (needed when the pseudonym is used in several); alone: the whole review.")
@output_options()
@click.option("--output", type=click.Path(dir_okay=False),
              help="Write to FILE: .html a swimlane picture (one lane per agency), .json or .csv the rows.")
@click.option("--redact", is_flag=True, help="People named only by role (Victim, Child 1 ...); no summaries, sources or professionals.")
@click.pass_context
@user_errors
def timeline(ctx: click.Context, person: str | None, review: str | None, fmt: str, output: str | None, redact: bool) -> None:
    """One person's merged chronology across agencies, in date order (or a whole review's).

    PERSON is a pseudonym from people.csv or a global_id; without PERSON, --review lists the whole
    review. Uncertain dates are marked with '?'; the death ends the chronology and is marked.

    \b
    Example:
      dhrgraph timeline Jade --review dhr-northbrook-2021 --format json
      dhrgraph timeline --review dhr-northbrook-2021
      dhrgraph timeline Jade --review dhr-northbrook-2021 --output jade.html
    """
    from dhrgraph.queries.chronology import chronology, terminal_table

    if person is None and review is None:
        raise click.UsageError("give PERSON, or --review ID for the whole review")
    written = format_for(output, ("html", "json", "csv")) if output is not None else None
    with store_from(ctx) as store:
        if written == "html":
            from dhrgraph.viz import timeline_view

            if person is None:
                raise click.UsageError("the picture is of one person: give PERSON (for a whole review: dhrgraph viz --review ID)")
            timeline_view(store, person, review, redact=redact).write(output)
            click.echo(f"Wrote {output}.")
            return
        rows = chronology(store, person, review, redact=redact)
    if written:
        write_text(output, render_chunks(rows, written))
        click.echo(f"Wrote {len(rows)} contacts to {output}.")
    elif fmt == "table":
        click.echo(terminal_table(rows, shutil.get_terminal_size((120, 24)).columns))
    else:
        emit(rows, fmt)


@main.command()
@click.option("--reviews", type=click.IntRange(1), required=True, help="How many reviews (families).")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder to write the corpus to.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same corpus, byte for byte.")
@click.option("--contacts", type=click.IntRange(1), help="Exact total of chronology rows (default: realistic per review).")
@click.option("--layout", type=click.Choice(["folders", "combined"]), default="folders", show_default=True,
              help="One folder per review, or combined CSVs with a review column (for big corpora).")
@user_errors
def synth(reviews: int, out: str, seed: int, contacts: int | None, layout: str) -> None:
    """Write a synthetic corpus with planted missed connections and an answer key.

    Only invented people and places. answer_key.json lists every planted pattern and the
    good-practice reviews, where no query should find anything.

    \b
    Example:
      dhrgraph synth --reviews 50 --out /tmp/corpus --seed 7
    """
    from dhrgraph import synth as generator

    with progress_bar(contacts or 0, "Writing") as progress:
        summary = generator.generate(out, reviews=reviews, seed=seed, contacts=contacts, layout=layout, progress=progress)
    click.echo(f"Wrote {summary['reviews']} reviews, {summary['people']} people, {summary['contacts']} contacts "
               f"to {out} (answer key: {summary['answer_key']}).")


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not key=value", param_hint="--param")
        params[key.strip()] = value
    return params


param_option = click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter; repeatable.")


@main.command(name="queries")
@output_options()
def list_queries(fmt: str) -> None:
    """List the missed-connections queries with their parameters and defaults.

    \b
    Example:
      dhrgraph queries --format json
    """
    from dhrgraph.queries import catalogue

    rows = [q.describe() for q in catalogue()]
    if fmt == "table":
        rows = [{"name": r["name"], "title": r["title"],
                 "parameters": ", ".join(f"{p['name']}={p['default']}" for p in r["parameters"] if p["name"] != "review")}
                for r in rows]
    emit(rows, fmt)


signals_option = click.option("--signals", type=click.Choice(["all", "coded"]), default="all", show_default=True,
                              help="all: coded columns and what the summaries say; coded: only the columns.")


@main.command()
@click.argument("name")
@click.option("--review", help="Only findings in this review.")
@param_option
@signals_option
@output_options()
@click.option("--redact", is_flag=True, help="People named only by role (Victim, Child 1 ...), review ids hashed, no summaries.")
@click.pass_context
@user_errors
def query(ctx: click.Context, name: str, review: str | None, params: tuple[str, ...], signals: str, fmt: str, redact: bool) -> None:
    """Run one named query; every row cites the chronology rows it rests on.

    See `dhrgraph queries` for the names and parameters.

    \b
    Example:
      dhrgraph query unshared-risk --review dhr-northbrook-2021 --param window_days=90 --format json
    """
    from dhrgraph.loaders.gcpause import gc_paused
    from dhrgraph.queries.render import table_rows
    from dhrgraph.queries.triage import run_named

    # the rows live until they are printed: no collector scans them in between (measured at 1M contacts: a warm
    # `query unshared-risk`, 30,768 rows, 3.54 -> 1.97 s)
    with gc_paused():
        with store_from(ctx) as store:
            values = {**parse_params(params), **({"signals": signals} if signals != "all" else {})}
            rows = run_named(store, name, values, review, redact=redact)
        emit(table_rows(rows) if fmt == "table" else rows, fmt)


@main.command()
@click.option("--review", help="Only this review.")
@click.option("--status", "statuses", multiple=True, type=click.Choice([NEW, *STATUSES]),
              help="Only findings with this triage status; repeatable.")
@click.option("--format", "fmt", type=click.Choice(["report", "table", "json", "csv"]), default=None,
              help="report (Markdown, the default), an aligned table, a JSON array of finding rows, or CSV (one row per evidence item).")
@click.option("--output", type=click.Path(dir_okay=False),
              help="Write to FILE: .md or .html (the report; .html also writes its pictures), .json or .csv (the rows).")
@click.option("--redact", is_flag=True, help="People named only by role (Victim, Child 1 ...), review ids hashed, no summaries.")
@signals_option
@click.pass_context
@user_errors
def findings(ctx: click.Context, review: str | None, statuses: tuple[str, ...], fmt: str | None, output: str | None,
             redact: bool, signals: str) -> None:
    """Run every query and report the findings: id, severity, triage status and quoted evidence.

    Grouped by query, high severity first, then the contacts that several findings rest on and any
    orphaned triage decisions. Record decisions with `dhrgraph triage`.

    \b
    Example:
      dhrgraph findings --review dhr-northbrook-2021 --output report.html
      dhrgraph findings --status new --format json
    """
    from dhrgraph.loaders.gcpause import gc_paused
    from dhrgraph.queries.findings import build_report, finding_rows, html_chunks, markdown_chunks

    written = format_for(output, ("markdown", "html", "json", "csv"), fmt) if output is not None else None
    # the rows, ids, views and HTML all live until the report is written: no collector scans them in between
    # (a paused function's objects are scanned by the first collection after it; measured: 0.3 s of a 4.6 s report)
    with gc_paused():
        with store_from(ctx) as store:
            report = build_report(store, review, statuses, redact=redact, signals=signals)
            total, orphans = report.total, report.orphans
            if written == "html":
                from dhrgraph.viz import ReportViews

                views = ReportViews(output, report.raw, review)  # the pages it links to, and what each draws
                views.write_page(html_chunks(report, views.links))
                report = None  # the rows, let go before the views read the reviews they draw (at 1M contacts they are 1.1 GB)
                views.write(store, redact=redact, signals=signals)
        for orphan in orphans if (written or fmt or "report") not in ("report", "markdown", "html") else ():
            click.echo(f"warning: triage decision {orphan.id} ({orphan.status}) is orphaned: its finding is no longer produced", err=True)
        if written == "markdown":
            write_text(output, markdown_chunks(report))
        elif written in ("json", "csv"):
            write_text(output, render_chunks(finding_rows(report), written))
        elif written is None and fmt in (None, "report"):
            echo(markdown_chunks(report), nl=True)
        elif written is None:
            rows = finding_rows(report)
            emit(rows, fmt, columns=["id", "severity", "status", "query", "review", "finding"] if fmt == "table" else None)
        if written:
            click.echo(f"Wrote {total} findings to {output}.")


@main.command()
@click.argument("finding_id", metavar="ID")
@click.option("--status", required=True, type=click.Choice(STATUSES),
              help="The decision on the finding.")
@click.option("--note", help="Why (e.g. 'the referral was made by phone').")
@click.pass_context
@user_errors
def triage(ctx: click.Context, finding_id: str, status: str, note: str | None) -> None:
    """Record a decision on a finding (its id from `dhrgraph findings`); kept across reloads.

    The decision is stored with the graph (exported and imported with it); a decision whose
    finding disappears is reported by `findings` as orphaned.

    \b
    Example:
      dhrgraph triage f-3fa2c1d9e0b4 --status dismissed --note "the referral was made by phone"
    """
    from dhrgraph.queries.triage import record_triage

    with store_from(ctx) as store:
        row = record_triage(store, finding_id, status, note)
    click.echo(f"{row['id']}: {status} ({row['query']}, {row['review']}): {row['finding']}")


@main.command()
@click.option("--review", "reviews", multiple=True, help="Only this review; repeatable.")
@click.option("--area", help="Only reviews of this area (the review's area, where given).")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="Only reviews dated on or after this day (index date, else last contact).")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Only reviews dated on or before this day.")
@click.option("--type", "types", multiple=True, type=click.Choice(["partner", "family", "other"]),
              help="Only reviews of this type (the perpetrator's relationship to the victim); repeatable.")
@click.option("--group", "groups", multiple=True, metavar="GROUP",
              help="Only themes of this group (query, risk_factor, dash, agency_contact, agency_risk, agency_silent, "
                   "perpetrator, victim, contact); repeatable.")
@click.option("--all", "every", is_flag=True, help="Also list the themes that occur in none of the reviews.")
@signals_option
@output_options()
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the matrix to FILE.html (sortable, marks link to the evidence) or FILE.xlsx instead of printing.")
@click.option("--redact", is_flag=True, help="With --output .html: a page safe to share (the matrix names no person).")
@click.pass_context
@user_errors
def themes(ctx: click.Context, reviews: tuple[str, ...], area: str | None, date_from, date_to, types: tuple[str, ...],
           groups: tuple[str, ...], every: bool, signals: str, fmt: str, output: str | None, redact: bool) -> None:
    """The theme-by-review table: which themes occurred in which reviews, with counts and shares.

    Themes are every catalogue query (dismissed findings do not count), risk factors, DASH 14+,
    agency types in contact / holding risk / sharing nothing, perpetrator and victim patterns and
    contacts before the death (see README, Learning across reviews). Risk is read from the coded
    columns and the text (--signals coded: the columns only). The table has a column per
    review up to 12 reviews; JSON and CSV have the review ids and, in JSON, the evidence.

    \b
    Example:
      dhrgraph themes
      dhrgraph themes --group perpetrator --group victim --format json
      dhrgraph themes --type partner --from 2019-01-01 --output themes.html
      dhrgraph themes --group risk_factor --signals coded
    """
    from dhrgraph.queries.themes import THEME_GROUPS, run_themes

    unknown = sorted(set(groups) - set(THEME_GROUPS))
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}; choose from {', '.join(THEME_GROUPS)}", param_hint="--group")
    with store_from(ctx) as store:
        table = run_themes(store, reviews=reviews, area=area, date_from=date_from.date().isoformat() if date_from else None,
                           date_to=date_to.date().isoformat() if date_to else None, types=types, groups=groups, every=every,
                           signals=signals)
    if output:
        from dhrgraph.viz.themes import themes_view, write_themes_workbook

        if output.lower().endswith(".xlsx"):
            write_themes_workbook(table, output)
        elif output.lower().endswith((".html", ".htm")):
            themes_view(table, redact=redact).write(output)
        else:
            raise click.UsageError("--output takes a .html or .xlsx file")
        click.echo(f"Wrote {output}: {len(table.rows)} themes over {len(table.reviews)} review(s).")
        return
    if fmt == "table":
        emit(table.matrix(), fmt)
    else:
        emit([{k: v for k, v in r.items() if fmt == "json" or k != "evidence"} for r in table.rows], fmt)


@main.command()
@click.option("--repeated", is_flag=True, help="Themes and agency types that received recommendations in 2 or more reviews.")
@click.option("--overdue", is_flag=True, help="Only recommendations past their due date and neither done nor not accepted.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="With --overdue: the day to judge by (default: today).")
@click.option("--agency", help="Only recommendations to this agency (a name, an agency type, national or partnership).")
@output_options()
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write the rows as a page to FILE.html instead of printing.")
@click.pass_context
@user_errors
def recommendations(ctx: click.Context, repeated: bool, overdue: bool, as_of, agency: str | None, fmt: str,
                    output: str | None) -> None:
    """Review recommendations across reviews: the lessons given again, and the actions past their date.

    Recommendations come from each review's optional recommendations.csv (see README). --repeated
    lists each theme (or tag) and agency type that received recommendations in two or more reviews,
    with the reviews and their dates; --overdue those past due and not done, as of --as-of.

    \b
    Example:
      dhrgraph recommendations --repeated
      dhrgraph recommendations --overdue --as-of 2024-01-01 --agency police --format json
      dhrgraph recommendations --repeated --output repeated.html
    """
    import datetime as dt

    from dhrgraph.queries import recommendations as recs

    if as_of and not overdue:
        raise click.UsageError("--as-of goes with --overdue")
    with store_from(ctx) as store:
        rows = recs.recommendation_rows(store, agency)
    if overdue:
        rows = recs.overdue(rows, (as_of.date() if as_of else dt.date.today()).isoformat())
    if repeated:
        rows = recs.repeated(rows)
        columns = ["theme", "agency_type", "reviews", "review_ids", "dates"]
        title = "Recommendations given again: themes and agency types across reviews"
    else:
        columns = ["review", "id", "agency", "due", "status", "themes"] + (["days_overdue"] if overdue else []) + ["text"]
        title = "Overdue recommendations" if overdue else "Recommendations"
    if output:
        from dhrgraph.viz.tables import rows_view

        rows_view(title, rows, columns).write(output)
        click.echo(f"Wrote {output}: {len(rows)} row(s).")
        return
    emit(rows, fmt, columns)


@main.command()
@click.option("--review", help="The signals of this review's contacts.")
@click.option("--contact", metavar="REVIEW#LINE", help="The signals of one contact (its line in the chronology file).")
@click.option("--uncoded", is_flag=True, help="Only what the text says and the columns do not.")
@click.option("--reject", "reject_id", metavar="ID", help="Reject a text-derived signal (its id from the listing); queries then ignore it.")
@click.option("--restore", "restore_id", metavar="ID", help="Take back the rejection of a signal.")
@click.option("--note", help="With --reject: why (kept with the decision).")
@output_options()
@click.pass_context
@user_errors
def signals(ctx: click.Context, review: str | None, contact: str | None, uncoded: bool, reject_id: str | None,
            restore_id: str | None, note: str | None, fmt: str) -> None:
    """Risk factors, DASH scores, risk levels, referrals and shares of contacts: coded and read from the text.

    Each row: id, review, record, date, agency, kind, value, source (coded | text), phrase, status.
    A rejection is the analyst's decision: kept across reloads, exported and imported.

    \b
    Example:
      dhrgraph signals --review dhr-northbrook-2021 --uncoded
      dhrgraph signals --contact "dhr-northbrook-2021#18" --format json
      dhrgraph signals --reject "contact:dhr-northbrook-2021#18/risk_factor/injury" --note "knocked it, per GP"
    """
    from dhrgraph.queries.signals import SIGNAL_COLUMNS, list_signals, reject_signal, restore_signal

    if reject_id and restore_id:
        raise click.UsageError("give --reject or --restore, not both")
    if note and not reject_id:
        raise click.UsageError("--note goes with --reject")
    with store_from(ctx) as store:
        if reject_id:
            reject_signal(store, reject_id, note)
            click.echo(f"Rejected {reject_id}; queries ignore it from now on.")
            return
        if restore_id:
            found = restore_signal(store, restore_id)
            click.echo(f"Restored {restore_id}." if found else f"{restore_id} was not rejected.")
            return
        if not (review or contact):
            raise click.UsageError("give --review ID or --contact REVIEW#LINE (or --reject / --restore ID)")
        rows = list_signals(store, review=review, contact=contact, uncoded=uncoded)
    emit(rows, fmt, columns=list(SIGNAL_COLUMNS) if fmt == "table" else None)


@main.command()
@click.argument("from_agency")
@click.argument("to_agency")
@click.option("--subject", help="Only referrals and shares in contacts about this person.")
@click.option("--review", help="Only flows recorded in this review.")
@click.option("--after", type=click.DateTime(["%Y-%m-%d"]), help="Only flows on or after this date (YYYY-MM-DD).")
@click.option("--before", type=click.DateTime(["%Y-%m-%d"]), help="Only flows on or before this date (YYYY-MM-DD).")
@click.option("--max-hops", type=click.IntRange(1, 4), default=4, show_default=True, help="Longest chain of flows.")
@click.option("--limit", type=click.IntRange(0), default=50, show_default=True, help="At most this many paths (0: all).")
@output_options()
@click.option("--redact", is_flag=True, help="People named only by role, review ids hashed, no summaries.")
@signals_option
@click.pass_context
@user_errors
def path(ctx: click.Context, from_agency: str, to_agency: str, subject: str | None, review: str | None, after, before,
         max_hops: int, limit: int, fmt: str, redact: bool, signals: str) -> None:
    """How information from one agency reached another: time-respecting chains of referrals and shares.

    Each path lists its hops (from, to, date, kind, signal, evidence) in chronology order. A referral or share
    read from a summary counts (signal "text") unless rejected (dhrgraph signals --reject); --signals coded
    follows only the coded columns. No path: [] in JSON.

    \b
    Example:
      dhrgraph path "Kingsmere Police" "Kingsmere Children's Services" --subject "Ms A" --format json
    """
    from dhrgraph.queries.redact import Redactor
    from dhrgraph.queries.scope import check_review

    with store_from(ctx) as store:
        check_review(store, review)
        rows = store.paths(from_agency, to_agency, subject=subject, review=review,
                           after=after.date().isoformat() if after else None,
                           before=before.date().isoformat() if before else None, max_hops=max_hops, limit=limit,
                           signals=signals)
        if redact:
            rows = Redactor.of_store(store).rows(rows)
    if not rows and fmt == "table":
        click.echo(f"No route: no chain of referrals or shares (up to {max_hops} hops, in chronology order) took "
                   f"information from {from_agency} to {to_agency}" + (f" about {subject}" if subject and not redact else "") + ".")
        return
    emit(rows, fmt, columns=["length", "arrives", "route"])


@main.command()
@click.argument("statement")
@param_option
@click.option("--write", is_flag=True, help="Allow writes (default: READ access, so the server refuses any write).")
@output_options()
@click.pass_context
@user_errors
def cypher(ctx: click.Context, statement: str, params: tuple[str, ...], write: bool, fmt: str) -> None:
    """Run ad-hoc Cypher on the Neo4j backend (read-only unless --write).

    Parameter values are JSON when they parse as JSON (numbers, lists), else text; they reach
    Neo4j as parameters, never as Cypher text.

    \b
    Example:
      dhrgraph --backend neo4j cypher "MATCH (a:Agency {type: $type}) RETURN a.name AS name" --param type=police
    """
    values = {k: _json_or_text(v) for k, v in parse_params(params).items()}
    with store_from(ctx) as store:
        from dhrgraph.graph.store import CypherReader

        if not isinstance(store, CypherReader):
            raise click.ClickException("cypher needs the Neo4j backend: dhrgraph --backend neo4j cypher ... (see README, Neo4j).")
        rows = store.read(statement, values, write=write)
    emit(rows, fmt)


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


@main.command()
@click.option("--min-probability", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Only pairs at least this probably one person.")
@click.option("--review", help="Only pairs with a record in this review.")
@output_options()
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the pairs side by side with both people's contacts to FILE.html instead of printing.")
@click.option("--redact", is_flag=True, help="With --output: people named only by role, no summaries, no reasons' values.")
@click.pass_context
@user_errors
def link(ctx: click.Context, min_probability: float, review: str | None, fmt: str, output: str | None, redact: bool) -> None:
    """Propose pairs of person records that are probably one person, across and within reviews.

    Record linkage (Fellegi-Sunter, by splink) on names and aliases, dob, sex, postcode,
    identifiers and shared relatives; each pair with its probability and the reasons. Pairs already
    decided with `dhrgraph same` or `dhrgraph different` are not proposed again.

    \b
    Example:
      dhrgraph link --min-probability 0.8 --format json
      dhrgraph link --review dhr-northbrook-2021 --output pairs.html
    """
    from dhrgraph.queries.identity import link as propose, link_table_rows

    if redact and not output:
        raise click.UsageError("--redact applies to --output (the page)")
    with store_from(ctx) as store:
        rows = propose(store, min_probability, review)
        if output:
            from dhrgraph.viz.pairs import pairs_view

            pairs_view(store, rows, redact=redact).write(output)
            click.echo(f"Wrote {output} ({len(rows)} pair(s)).")
            return
    emit(rows if fmt == "json" else link_table_rows(rows), fmt)


def _decide(ctx: click.Context, a: str, b: str, decision: str, note: str | None) -> None:
    from dhrgraph.queries.identity import decide

    with store_from(ctx) as store:
        recorded = decide(store, a, b, decision, note)
    click.echo(f"Recorded: {recorded['left']} and {recorded['right']} are {'the same person' if decision == 'same' else 'different people'}.")


@main.command()
@click.argument("a")
@click.argument("b")
@click.option("--note", help="Why (kept with the decision).")
@click.pass_context
@user_errors
def same(ctx: click.Context, a: str, b: str, note: str | None) -> None:
    """Record that two person records (REVIEW/PERSON) are one person.

    They are then one person in every query that follows a person across reviews, as a shared
    global_id makes them, and the pair is not proposed by `dhrgraph link` again. Refused when it
    contradicts an earlier decision.

    \b
    Example:
      dhrgraph same dhr-northbrook-2021/Dean dhr-caldervale-2019/"Mr K" --note "PNC match"
    """
    _decide(ctx, a, b, "same", note)


@main.command()
@click.argument("a")
@click.argument("b")
@click.option("--note", help="Why (kept with the decision).")
@click.pass_context
@user_errors
def different(ctx: click.Context, a: str, b: str, note: str | None) -> None:
    """Record that two person records (REVIEW/PERSON) are different people.

    The pair is never proposed by `dhrgraph link` again, nor joined as a probable link. Refused
    when it contradicts an earlier decision.

    \b
    Example:
      dhrgraph different syn-0025/Aaron syn-0014/"Adult B" --note "father and son"
    """
    _decide(ctx, a, b, "different", note)


@main.command()
@output_options()
@click.pass_context
@user_errors
def identities(ctx: click.Context, fmt: str) -> None:
    """List the analyst's decisions about who is who (`same` and `different`).

    `loaded` says whether both records are in the loaded reviews (a decision is kept when a review
    is removed or reloaded).

    \b
    Example:
      dhrgraph identities --format json
    """
    from dhrgraph.queries.identity import identities as listing

    with store_from(ctx) as store:
        rows = listing(store)
    emit(rows, fmt)


@main.command(name="export")
@click.option("--to", "folder", type=click.Path(file_okay=False), help="Folder for a dhrgraph workspace (importable, openable with --workspace).")
@click.option("--graphml", type=click.Path(dir_okay=False), help="A GraphML file for Gephi or yEd.")
@click.option("--neo4j-import", "admin_folder", type=click.Path(file_okay=False),
              help="A folder of CSV files for neo4j-admin's offline import: the fastest first load of an empty Neo4j database.")
@click.pass_context
@user_errors
def export_graph(ctx: click.Context, folder: str | None, graphml: str | None, admin_folder: str | None) -> None:
    """Export the whole graph: to a workspace folder (lossless), to GraphML, and/or for neo4j-admin's import.

    \b
    Example:
      dhrgraph --backend neo4j export --to /tmp/from-neo4j --graphml /tmp/graph.graphml
      dhrgraph export --neo4j-import /tmp/for-neo4j
    """
    from dhrgraph.graph.transfer import export_workspace, write_graphml

    if not folder and not graphml and not admin_folder:
        raise click.UsageError("give --to DIR, --graphml FILE and/or --neo4j-import DIR")
    with store_from(ctx) as store:
        if folder:
            click.echo(f"Exported {export_workspace(store, folder)} review(s) to {folder}.")
        if graphml:
            nodes, edges = write_graphml(store, graphml)
            click.echo(f"Wrote {nodes} nodes and {edges} relationships to {graphml}.")
        if admin_folder:
            from dhrgraph.graph.admin_import import admin_command, write_import

            files = write_import(store, admin_folder)
            click.echo(f"Wrote {len(files.reviews)} review(s) for neo4j-admin to {admin_folder}: {sum(files.nodes.values())} "
                       f"nodes, {sum(files.relationships.values())} relationships. With the Neo4j server stopped:\n"
                       f"  {admin_command(admin_folder, ctx.obj.neo4j_database or 'neo4j')}\n"
                       f"then start it and run: dhrgraph --backend neo4j import {admin_folder}")


@main.command(name="import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--answers/--no-answers", default=None,
              help="After finishing a neo4j-admin import, compute every catalogue query's answers [default: from 20,000 contacts].")
@click.pass_context
@user_errors
def import_graph(ctx: click.Context, folder: str, answers: bool | None) -> None:
    """Import a workspace folder made by `dhrgraph export --to` (or an embedded workspace).

    A folder of `dhrgraph export --neo4j-import`, once neo4j-admin has imported it, is checked against the
    database and finished: constraints, the graph's stamp, the decisions and the catalogue's answers.

    \b
    Example:
      dhrgraph --backend neo4j import .dhrgraph
      dhrgraph --backend neo4j import /tmp/for-neo4j
    """
    from dhrgraph.graph.admin_import import read_manifest
    from dhrgraph.graph.transfer import import_workspace

    manifest = read_manifest(folder)
    with store_from(ctx) as store:
        if manifest is None:
            count = import_workspace(store, folder)
            click.echo(f"Imported {count} review(s) from {folder} ({ctx.obj.backend}).")
            return
        if ctx.obj.backend != "neo4j":
            raise DhrgraphError(f"{folder} is a folder for neo4j-admin's import into Neo4j; give --backend neo4j, "
                                "or load the reviews into this store with `dhrgraph load`")
        count = store.finish_admin_import(folder, manifest)
        click.echo(f"Finished the import of {count} review(s) from {folder}: the database holds what the folder holds.")
        answer_ahead(ctx, store, answers)


@main.command(name="viz")
@click.option("--review", help="Draw this review; with --query or --flows: only this review; with --person: the person's review.")
@click.option("--person", help="Draw this person's neighbourhood across reviews (pseudonym or global_id).")
@click.option("--depth", type=click.IntRange(1, 6), help="With --person: how many links out to draw (default 2).")
@click.option("--query", "query_name", metavar="NAME", help="Draw the findings of this catalogue query, highlighted.")
@param_option
@click.option("--flows", is_flag=True, help="Draw the agencies and the referrals and shares between them.")
@click.option("--by", "by", type=click.Choice(["agency", "type"]), default="agency", show_default=True,
              help="With --flows: one node per agency, or per agency type (a region's map over many reviews, with a heatmap).")
@click.option("--redact", is_flag=True, help="Name people only by role (Victim 1, Perpetrator 1 ...); drop summaries and professionals.")
@signals_option
@click.option("--output", type=click.Path(dir_okay=False), required=True, help="The HTML file to write (FILE.html).")
@click.pass_context
@user_errors
def viz(ctx: click.Context, review: str | None, person: str | None, depth: int | None, query_name: str | None,
        params: tuple[str, ...], flows: bool, by: str, redact: bool, signals: str, output: str) -> None:
    """Draw the graph as one self-contained HTML page that works offline.

    Give exactly one of --review ID, --person P, --query NAME or --flows (--review also narrows
    --query and --flows, and picks the person when a pseudonym is used in several reviews). Hover
    for dates, summaries and sources; a query's findings are highlighted.

    \b
    Example:
      dhrgraph viz --review dhr-northbrook-2021 --output northbrook.html
      dhrgraph viz --person P-0417 --depth 2 --redact --output dean.html
      dhrgraph viz --query unshared-risk --review dhr-northbrook-2021 --output unshared.html
      dhrgraph viz --flows --output flows.html
      dhrgraph viz --flows --by type --output region.html
      dhrgraph viz --review dhr-northbrook-2021 --signals coded --output coded.html
    """
    from dhrgraph import viz as views

    chosen = [flag for flag, given in (("--person", person), ("--query", query_name), ("--flows", flows)) if given]
    if len(chosen) > 1 or not (chosen or review):
        raise click.UsageError("give exactly one of --review ID, --person P, --query NAME or --flows")
    if depth is not None and not person:
        raise click.UsageError("--depth goes with --person")
    if params and not query_name:
        raise click.UsageError("--param goes with --query")
    if by != "agency" and not flows:
        raise click.UsageError("--by goes with --flows")
    format_for(output, ("html",))
    with store_from(ctx) as store:
        if person:
            view = views.person_view(store, person, depth or 2, review=review, redact=redact, signals=signals)
        elif query_name:
            values = {**parse_params(params), **({"review": review} if review else {}),
                      **({"signals": signals} if signals != "all" else {})}
            view = views.query_view(store, query_name, values, redact=redact)
        elif flows and by == "type":
            from dhrgraph.viz.type_map import type_flows_view

            view = type_flows_view(store, review, signals)  # types and counts only: nothing to redact
        elif flows:
            view = views.flows_view(store, review, redact=redact, signals=signals)
        else:
            view = views.review_view(store, review, redact=redact, signals=signals)
    view.write(output)
    click.echo(f"Wrote {output}: {view.title}.")


if __name__ == "__main__":
    main()
