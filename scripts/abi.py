"""`ape run abi` (`make abi`): every production contract's ABI as out/abi/<Contract>.json."""

from pathlib import Path

import click

from fairgift.abi import export
from fairgift.scripting import clean_errors, echo


@click.command(short_help="Write the production contracts' ABIs to out/abi/<Contract>.json")
@click.option("--out", "out_dir", default="out/abi", show_default=True, type=click.Path(file_okay=False))
@clean_errors
def cli(out_dir):
    """Write the ABI of every production contract and interface (contracts/, contracts/interfaces/;
    never contracts/test/) as out/abi/<Contract>.json, the array solc emits."""
    from ape import project

    done = export(project, Path(out_dir))
    for item in done:
        if item.path is None:
            echo(f"  {item.name:<16} {item.source}: no external ABI (an internal library), skipped")
        else:
            echo(f"  {item.name:<16} {item.entries:>3} entries  {item.path}")
    echo(f"{sum(1 for i in done if i.path)} ABIs in {out_dir}")
