"""`ape run demo` (`make demo`): the whole FairGift story on a fresh local chain, then the ledger,
the platform comparison and the charts under out/<chain id>-<deployment hash>/. Local networks only
(anvil by default; `--network ethereum:local:test` for the in-process chain). Its deployment record
goes to <out>/deployments/, never to deployments/."""

import click
from ape.cli import ConnectedProviderCommand, network_option
from ape.logging import logger

from fairgift import demo
from fairgift.scripting import clean_errors, show_progress


@click.command(cls=ConnectedProviderCommand, short_help="The FairGift story end to end on a local chain")
@network_option(default="ethereum:local:foundry")
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False))
@clean_errors
def cli(network, out_dir):
    logger.set_level("WARNING")  # the story's own progress lines, not every transaction
    show_progress()
    demo.run(out_dir)
