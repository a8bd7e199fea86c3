"""`ape run bench`: the gas and scale benchmark. Prints a table, writes out/bench.json.

The logic is in `fairgift.bench`; this is the command line around it.
"""

from pathlib import Path

import click
from ape import accounts, chain, project
from ape.cli import ConnectedProviderCommand
from ape.logging import LogLevel, logger

from fairgift import bench
from fairgift.cli import show_progress


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
@click.option("--history", default=bench.HISTORY, show_default=True, help="earlier tips before the late tip")
@click.option("--tips", default=bench.THROUGHPUT_TIPS, show_default=True, help="tips sent through the API")
def cli(out, no_trace, quiet, sections, history, tips):
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
