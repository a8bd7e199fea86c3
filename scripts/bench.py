"""`ape run bench`: the gas and scale benchmark. Prints a table, writes out/bench.json.

The logic is in `fairgift.bench`; this is the command line around it.
"""

import json
from pathlib import Path

import click
from ape import accounts, chain, project
from ape.cli import ConnectedProviderCommand
from ape.logging import LogLevel, logger

from fairgift import bench
from fairgift.bench.abuse import abuse_options, run_abuse_bench
from fairgift.bench.abuse_report import render_abuse
from fairgift.bench.capacity import capacity_record
from fairgift.bench.page_load import PAGE_LOADS, PAGE_TIPS, render_page, run_page_bench
from fairgift.bench.services import render_services, run_services_bench, services_options
from fairgift.scripting import show_progress


@click.command(cls=ConnectedProviderCommand, short_help="gas and scale benchmark")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out/bench.json"), show_default=True)
@click.option("--no-trace", is_flag=True, help="skip the per-row gas breakdown (debug_traceTransaction)")
@click.option("--quiet", is_flag=True, help="print only the final table")
@click.option(
    "--sections",
    default=",".join(bench.SECTIONS),
    show_default=True,
    help="comma-separated sections to run (baselines always run)",
)
@click.option(
    "--gas/--no-gas",
    default=True,
    show_default=True,
    help="the gas sections (--no-gas: only the services and the page parts, e.g. to measure the relayer)",
)
@click.option("--history", default=bench.HISTORY, show_default=True, help="earlier tips before the late tip")
@click.option("--tips", default=bench.THROUGHPUT_TIPS, show_default=True, help="tips sent through the API")
@click.option(
    "--page-tips",
    default=PAGE_TIPS,
    show_default=True,
    type=click.IntRange(0),
    help="tips in the index for the fans' page benchmark (0: skip it)",
)
@click.option(
    "--page-loads", default=PAGE_LOADS, show_default=True, type=click.IntRange(1), help="page loads per row"
)
@services_options
@abuse_options
def cli(
    out,
    no_trace,
    quiet,
    sections,
    gas,
    history,
    tips,
    services,
    index_events,
    relay_tips,
    page_tips,
    page_loads,
    abuse,
    abuse_only,
    abuse_fans,
    abuse_rate,
    abuse_seconds,
):
    """Measure the gas of every FairGift operation against same-run baselines, check the targets."""
    logger.set_level(LogLevel.WARNING)  # no "Confirmed 0x..." line per transaction
    if not quiet:
        show_progress(err=True)
    chosen = [name.strip() for name in sections.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(bench.SECTIONS))
    if unknown:
        raise click.BadParameter(
            f"unknown section(s) {', '.join(unknown)}; known: {', '.join(bench.SECTIONS)}"
        )
    if abuse_only:  # `make bench-abuse`: the service under attack, nothing else
        services, page_tips, gas = False, 0, False
    if gas:
        results, verdicts, _ = bench.run_bench(
            project,
            chain,
            accounts,
            out=out,
            trace=not no_trace,
            sections=chosen,
            history=history,
            tips=tips,
        )
        click.echo(bench.render(results, verdicts))
        click.echo(f"\nwritten: {out}  ({results.meta['seconds']} s)")
    if services:  # the index and the relayer: fairgift/bench/services.py
        services_out = out.with_name("bench-services.json")
        data = run_services_bench(
            project, chain, accounts, events=index_events, relay_tips=relay_tips, out=services_out
        )
        click.echo(render_services(data))
        click.echo(f"written: {services_out}")
        if data.get("relayer"):  # the capacity figures and verdicts also go to out/bench.json
            record = json.loads(out.read_text(encoding="utf8")) if gas else {"partial": "--no-gas"}
            record["capacity"] = capacity_record(data["relayer"])
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf8")
            click.echo(f"written: {out} (capacity)")
    if page_tips:
        # The fans' page: first render with `page_tips` tips in the index (fairgift/bench/page_load.py).
        page = run_page_bench(project, chain, accounts, tips=page_tips, loads=page_loads)
        page_out = out.with_name("bench-page.json")
        page_out.write_text(json.dumps(page, indent=2) + "\n", encoding="utf8")
        click.echo("\n" + render_page(page))
        click.echo(f"written: {page_out}")
    if abuse or abuse_only:
        # Honest fans tipping while attackers hammer the service (fairgift/bench/abuse.py).
        abuse_out = out.with_name("bench-abuse.json")
        data = run_abuse_bench(
            project, chain, accounts, fans=abuse_fans, rate=abuse_rate, seconds=abuse_seconds, out=abuse_out
        )
        click.echo(render_abuse(data))
        click.echo(f"written: {abuse_out}")
