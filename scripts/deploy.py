"""`ape run deploy`: deploy FairGift on the chosen network, or reuse the chain's deployment.

ape run deploy                                   # a throw-away anvil: gone when the command ends
ape run deploy --network ethereum:local:node     # a node that persists (`make node`: 127.0.0.1:8545)
ape run deploy --network base:sepolia:node --account me --treasury 0x… [--yes]
    # the stablecoin: the network profile's USDC (fairgift.networks) unless --stablecoin is given;
    # either way it must answer as USDC before anything is sent
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from fairgift import deploy as fg_deploy
from fairgift.curve import DEFAULT_BASE_PRICE, DEFAULT_SLOPE
from fairgift.deployments import is_local_network
from fairgift.fees import DEFAULT_JAR_FEE_BPS, DEFAULT_PROTOCOL_FEE_BPS
from fairgift.scripting import account_option, clean_errors, echo, sender, show_progress


@click.command(
    cls=ConnectedProviderCommand,
    short_help="Deploy FairGift (or reuse the chain's deployment)",
    epilog="Without --network this deploys to a throw-away anvil that Ape starts for this command "
    "and stops when it ends: nothing persists, and the record goes to out/deployments/. For a chain "
    "that persists, run `make node` and pass --network ethereum:local:node.",
)
@network_option(default="ethereum:local:foundry")
@account_option()
@click.option("--fresh", is_flag=True, help="Deploy anew even if this chain has a deployment.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (public networks).")
@click.option(
    "--stablecoin", help="The USD stablecoin's address (default on a public network: its profile's USDC)."
)
@click.option("--treasury", help="Where fees go (required on public networks; default: the deployer).")
@click.option("--jar-fee", default=str(DEFAULT_JAR_FEE_BPS), show_default=True, help="TipJar fee: bps or %.")
@click.option("--protocol-fee", default=str(DEFAULT_PROTOCOL_FEE_BPS), show_default=True, help="Market fee.")
@click.option(
    "--base-price", default=DEFAULT_BASE_PRICE, show_default=True, help="Curve price at supply 0 (USD)."
)
@click.option("--slope", default=DEFAULT_SLOPE, show_default=True, help="Price added per token sold (USD).")
@clean_errors
def cli(network, account, fresh, yes, stablecoin, treasury, jar_fee, protocol_fee, base_price, slope):
    show_progress()
    deployer = sender(account, network, "deploy")
    plan = fg_deploy.plan(
        deployer,
        stablecoin=stablecoin,
        treasury=treasury,
        jar_fee=jar_fee,
        protocol_fee=protocol_fee,
        base_price=base_price,
        slope=slope,
        fresh=fresh,
    )
    if plan.reuse is None:
        echo(plan.describe())
        if not is_local_network(network) and not yes and not click.confirm("Proceed?", default=False):
            raise click.ClickException("deployment cancelled")
    fg_deploy.execute(plan, deployer)
