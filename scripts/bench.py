"""`ape run bench`: the gas and scale benchmark (issue 7). Prints a table, writes out/bench.json.

The logic is in `fairgift.bench`; this is the command line around it.
"""

from pathlib import Path

import click
from ape import accounts, chain, project
from ape.cli import ConnectedProviderCommand
from ape.logging import LogLevel, logger

from fairgift import bench


@click.command(cls=ConnectedProviderCommand, short_help="gas and scale benchmark")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out/bench.json"), show_default=True)
@click.option("--no-trace", is_flag=True, help="skip the per-row gas breakdown (debug_traceTransaction)")
@click.option("--quiet", is_flag=True, help="print only the final table")
def cli(out, no_trace, quiet):
    """Measure the gas of every FairGift operation against same-run baselines, check the targets."""
    logger.set_level(LogLevel.WARNING)  # no "Confirmed 0x..." line per transaction
    log = (lambda *_: None) if quiet else (lambda line: click.echo(line, err=True))
    results, verdicts, _ = bench.run_bench(project, chain, accounts, out=out, log=log, trace=not no_trace)
    click.echo(bench.render(results, verdicts))
    click.echo(f"\nwritten: {out}  ({results.meta['seconds']} s)")
