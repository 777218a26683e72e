"""dhrgraph command line: a thin adapter. Each command parses options, opens a store, calls one
library function and hands the rows to one renderer. No Cypher or graph code lives here."""

from __future__ import annotations

import functools
import json
import sys
from contextlib import contextmanager
from typing import Any, Callable

import click

from graph.backends import BACKENDS, Settings, open_store
from graph.errors import DhrgraphError
from loaders import LoadError
from queries.render import FORMATS, render

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def output_options(default: str = "table") -> Callable:
    """The same --format option on every command that prints rows."""
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default=default, show_default=True,
                        help="Output format: an aligned table, a JSON array, or CSV.")


def emit(rows: list[dict[str, Any]], fmt: str, columns: list[str] | None = None) -> None:
    text = render(rows, fmt, columns)
    click.echo(text, nl=not text.endswith("\n"))


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
        except LoadError as exc:
            raise ProblemsReport(exc.report()) from None
        except DhrgraphError as exc:
            raise click.ClickException(str(exc)) from None
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
@click.option("--workspace", envvar="DHRGRAPH_WORKSPACE", default=".dhrgraph", show_default=True,
              type=click.Path(file_okay=False), help="Folder of the embedded graph (env DHRGRAPH_WORKSPACE).")
@click.option("--backend", envvar="DHRGRAPH_BACKEND", type=click.Choice(BACKENDS), default="embedded",
              show_default=True, help="Where the graph lives (env DHRGRAPH_BACKEND).")
@click.option("--neo4j-uri", envvar="NEO4J_URI", help="Neo4j URI: bolt://, neo4j://, neo4j+s:// (env NEO4J_URI).")
@click.option("--neo4j-user", envvar="NEO4J_USERNAME", default="neo4j", show_default=True, help="Neo4j user (env NEO4J_USERNAME).")
@click.option("--neo4j-password", envvar="NEO4J_PASSWORD", help="Neo4j password; prefer the env NEO4J_PASSWORD (never printed).")
@click.option("--neo4j-database", envvar="NEO4J_DATABASE", default="neo4j", show_default=True, help="Neo4j database (env NEO4J_DATABASE).")
@click.version_option(package_name="dhrgraph")
@click.pass_context
def main(ctx: click.Context, workspace: str, backend: str, neo4j_uri: str | None, neo4j_user: str,
         neo4j_password: str | None, neo4j_database: str) -> None:
    """dhrgraph: review chronologies as a knowledge graph, to show the connections no single agency saw.

    \b
    Example:
      dhrgraph load examples/
      dhrgraph stats
      dhrgraph timeline Jade --review dhr-northbrook-2021
    """
    ctx.obj = Settings(backend=backend, workspace=workspace, neo4j_uri=neo4j_uri, neo4j_user=neo4j_user,
                       neo4j_password=neo4j_password, neo4j_database=neo4j_database)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.pass_context
@user_errors
def load(ctx: click.Context, paths: tuple[str, ...]) -> None:
    """Validate review chronologies and load them into the graph.

    PATHS are review folders, folders of reviews, .xlsx workbooks or combined CSVs. Everything is
    checked first: with any error nothing is loaded. Loading a review again replaces it.

    \b
    Example:
      dhrgraph load examples/
    """
    from loaders import read_reviews

    result = read_reviews(list(paths))
    total = sum(len(r.contacts) for r in result.reviews)
    with store_from(ctx) as store, progress_bar(total, "Loading") as progress:
        report = store.load_reviews(result, progress)
    print_warnings(report.warnings)
    click.echo(f"Loaded {len(report.reviews)} review(s): {report.people} people, {report.contacts} contacts, "
               f"{report.relationships} relationships ({ctx.obj.backend}).")


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
    from loaders import read_reviews

    result = read_reviews(list(paths))
    print_warnings(result.warnings)
    contacts = sum(len(r.contacts) for r in result.reviews)
    click.echo(f"OK: {len(result.reviews)} review(s), {contacts} contacts.")


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
    from queries.core import STATS

    with store_from(ctx) as store:
        rows = store.run(STATS)
    if fmt == "json":  # one object, not an array: stats is a single record
        click.echo(json.dumps(rows[0], indent=2))
    else:
        emit(rows, fmt)


@main.command()
@click.argument("person")
@click.option("--review", help="Only this review (needed when the pseudonym is used in several).")
@output_options()
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the chronology as a swimlane picture to FILE.html (one lane per agency) instead of printing rows.")
@click.option("--redact", is_flag=True, help="With --output: people named only by role (Victim 1 ...), no summaries.")
@click.pass_context
@user_errors
def timeline(ctx: click.Context, person: str, review: str | None, fmt: str, output: str | None, redact: bool) -> None:
    """One person's merged chronology across agencies, in date order.

    PERSON is a pseudonym from people.csv or a global_id. Uncertain dates are marked with '?'.

    \b
    Example:
      dhrgraph timeline Jade --review dhr-northbrook-2021 --format json
      dhrgraph timeline Jade --review dhr-northbrook-2021 --output jade.html
    """
    if output:
        from viz import timeline_view

        with store_from(ctx) as store:
            view = timeline_view(store, person, review, redact=redact)
        view.write(output)
        click.echo(f"Wrote {output}.")
        return
    if redact:
        raise click.UsageError("--redact applies to --output (the picture); the rows are the data itself")
    with store_from(ctx) as store:
        rows = store.timeline(person, review)
    emit(rows, fmt, columns=["date", "agency", "agency_type", "event", "risk_level", "summary"])


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
    import synth as generator

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
    from queries import catalogue

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
@click.pass_context
@user_errors
def query(ctx: click.Context, name: str, review: str | None, params: tuple[str, ...], signals: str, fmt: str) -> None:
    """Run one named query; every row cites the chronology rows it rests on.

    See `dhrgraph queries` for the names and parameters.

    \b
    Example:
      dhrgraph query unshared-risk --review dhr-northbrook-2021 --param window_days=90 --format json
    """
    import queries
    from queries.render import table_rows

    chosen = queries.get(name)
    values = parse_params(params)
    if review:
        values["review"] = review
    if signals != "all":
        values["signals"] = signals
    with store_from(ctx) as store:
        rows = store.run(chosen, values)
    emit(table_rows(rows) if fmt == "table" else rows, fmt)


@main.command()
@click.option("--review", help="Only this review.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="Write report.md or report.html instead of printing.")
@signals_option
@click.pass_context
@user_errors
def findings(ctx: click.Context, review: str | None, output: str | None, signals: str) -> None:
    """Run every query and report the findings, grouped and counted, with their evidence.

    Markdown on the terminal or to a .md file; a self-contained page for a .html file.

    \b
    Example:
      dhrgraph findings --review dhr-northbrook-2021 --output report.html
    """
    from queries.findings import run_findings, to_html, to_markdown
    from viz import write_report_views

    html_report = output is not None and output.lower().endswith((".html", ".htm"))
    with store_from(ctx) as store:
        sections = run_findings(store, review, signals)
        links = write_report_views(store, output, sections, review) if html_report else None
    if output is None:
        click.echo(to_markdown(sections, review))
        return
    text = to_html(sections, review, links) if html_report else to_markdown(sections, review)
    with open(output, "w", encoding="utf-8") as fh:
        fh.write(text)
    click.echo(f"Wrote {sum(len(s.rows) for s in sections)} findings to {output}.")


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
    from queries.signals import SIGNAL_COLUMNS, list_signals, reject_signal, restore_signal

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
@click.pass_context
@user_errors
def path(ctx: click.Context, from_agency: str, to_agency: str, subject: str | None, review: str | None, after, before,
         max_hops: int, limit: int, fmt: str) -> None:
    """How information from one agency reached another: time-respecting chains of referrals and shares.

    Each path lists its hops (from, to, date, kind, evidence) in chronology order. No path: [] in JSON.

    \b
    Example:
      dhrgraph path "Kingsmere Police" "Kingsmere Children's Services" --subject "Ms A" --format json
    """
    with store_from(ctx) as store:
        rows = store.paths(from_agency, to_agency, subject=subject, review=review,
                           after=after.date().isoformat() if after else None,
                           before=before.date().isoformat() if before else None, max_hops=max_hops, limit=limit)
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
    if ctx.obj.backend != "neo4j":
        raise click.ClickException("cypher needs the Neo4j backend: dhrgraph --backend neo4j cypher ... (see README, Neo4j).")
    values = {k: _json_or_text(v) for k, v in parse_params(params).items()}
    with store_from(ctx) as store:
        rows = store.read(statement, values, write=write)
    emit(rows, fmt)


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


@main.command(name="export")
@click.option("--to", "folder", type=click.Path(file_okay=False), help="Folder for a dhrgraph workspace (importable, openable with --workspace).")
@click.option("--graphml", type=click.Path(dir_okay=False), help="A GraphML file for Gephi or yEd.")
@click.pass_context
@user_errors
def export_graph(ctx: click.Context, folder: str | None, graphml: str | None) -> None:
    """Export the whole graph: to a workspace folder (lossless), and/or to GraphML.

    \b
    Example:
      dhrgraph --backend neo4j export --to /tmp/from-neo4j --graphml /tmp/graph.graphml
    """
    from graph.transfer import export_workspace, write_graphml

    if not folder and not graphml:
        raise click.UsageError("give --to DIR and/or --graphml FILE")
    with store_from(ctx) as store:
        if folder:
            click.echo(f"Exported {export_workspace(store, folder)} review(s) to {folder}.")
        if graphml:
            nodes, edges = write_graphml(store, graphml)
            click.echo(f"Wrote {nodes} nodes and {edges} relationships to {graphml}.")


@main.command(name="import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.pass_context
@user_errors
def import_graph(ctx: click.Context, folder: str) -> None:
    """Import a workspace folder made by `dhrgraph export --to` (or an embedded workspace).

    \b
    Example:
      dhrgraph --backend neo4j import .dhrgraph
    """
    from graph.transfer import import_workspace

    with store_from(ctx) as store:
        count = import_workspace(store, folder)
    click.echo(f"Imported {count} review(s) from {folder} ({ctx.obj.backend}).")


@main.command(name="viz")
@click.option("--review", help="Draw this review; with --query or --flows: only this review; with --person: the person's review.")
@click.option("--person", help="Draw this person's neighbourhood across reviews (pseudonym or global_id).")
@click.option("--depth", type=click.IntRange(1, 6), help="With --person: how many links out to draw (default 2).")
@click.option("--query", "query_name", metavar="NAME", help="Draw the findings of this catalogue query, highlighted.")
@param_option
@click.option("--flows", is_flag=True, help="Draw the agencies and the referrals and shares between them.")
@click.option("--redact", is_flag=True, help="Name people only by role (Victim 1, Perpetrator 1 ...); drop summaries and professionals.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True, help="The HTML file to write.")
@click.pass_context
@user_errors
def viz(ctx: click.Context, review: str | None, person: str | None, depth: int | None, query_name: str | None,
        params: tuple[str, ...], flows: bool, redact: bool, output: str) -> None:
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
    """
    import viz as views

    chosen = [flag for flag, given in (("--person", person), ("--query", query_name), ("--flows", flows)) if given]
    if len(chosen) > 1 or not (chosen or review):
        raise click.UsageError("give exactly one of --review ID, --person P, --query NAME or --flows")
    if depth is not None and not person:
        raise click.UsageError("--depth goes with --person")
    if params and not query_name:
        raise click.UsageError("--param goes with --query")
    with store_from(ctx) as store:
        if person:
            view = views.person_view(store, person, depth or 2, review=review, redact=redact)
        elif query_name:
            values = {**parse_params(params), **({"review": review} if review else {})}
            view = views.query_view(store, query_name, values, redact=redact)
        elif flows:
            view = views.flows_view(store, review, redact=redact)
        else:
            view = views.review_view(store, review, redact=redact)
    view.write(output)
    click.echo(f"Wrote {output}: {view.title}.")


if __name__ == "__main__":
    main()
