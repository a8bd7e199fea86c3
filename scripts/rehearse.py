"""`ape run rehearse [NETWORK]` (`make rehearse NETWORK=base`): a rehearsal of a real network on this
machine (fairgift.rehearsal): an anvil with the network's chain id, Circle's USDC at the network's
canonical address, FairGift deployed through the network profile, a story of tips and trades, and
`ape run fairgift serve` on it with a gasless tip from a fan without ether and the fans' page, and
what would differ on the real network. Nothing persists."""

import click
from ape.logging import logger

from fairgift import rehearsal
from fairgift.networks import PROFILES
from fairgift.scripting import clean_errors, show_progress


@click.command(short_help="Rehearse a real network's deployment on a local anvil")
@click.argument("network", default="base", type=click.Choice([p.name for p in PROFILES]))
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False))
@click.option("--no-serve", is_flag=True, help="Leave out the service (serve, the gasless tip, the page).")
@clean_errors
def cli(network, out_dir, no_serve):
    logger.set_level("WARNING")  # the rehearsal's own lines, not every transaction
    show_progress()
    done = rehearsal.run(network, out_dir, serve=not no_serve)
    click.echo(f"rehearsal of {done.profile.label} (chain {done.profile.chain_id}): USDC at {done.usdc}")
    for name, address in done.record.contracts.items():
        click.echo(f"  {name:<14}{address}")
    for name, (expected, actual) in done.checks.items():
        click.echo(f"  check {name}: {actual:,} == {expected:,}")
    if done.served is not None:
        served = done.served
        click.echo(f"  serve: {served.settings}")
        click.echo(
            f"  gasless tip landed in block {served.block} (tx {served.tx}) {served.landed_seconds:.1f} s "
            f"after it was posted; the page {served.page_url}: {served.browser}"
        )
    click.echo(f"What would differ on {done.profile.label}:")
    for line in done.differences:
        click.echo(f"  - {line}")
