"""`ape run fairgift <command>`: operate the deployment of the connected chain.

Amounts are written as people write them (`5`, `2.50`, `2.50 USDC`); accounts as an Ape alias,
`TEST::N` or an address. Every command takes `--network` and (except status/ledger) `--account`.
"""

import functools
from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand, account_option, network_option

from fairgift import report
from fairgift.api import DEFAULT_SLIPPAGE, FairGift
from fairgift.cli import clean_errors, echo, sender, show_progress
from fairgift.errors import FairGiftError


@click.group(short_help="Operate FairGift: tip, gift, trade creator tokens, ledger")
def cli():
    """Operate the FairGift deployment of the connected chain (deployments/<chain_id>.json, checked
    against the chain's genesis block)."""


def command(name, help_text):
    def decorator(fn):
        fn = clean_errors(_with_progress(fn))
        fn = network_option()(fn)
        return cli.command(name, cls=ConnectedProviderCommand, help=help_text, short_help=help_text)(fn)

    return decorator


def _with_progress(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        show_progress()  # approvals made on the way are said before the summary
        return fn(*args, **kwargs)

    return wrapper


def with_account(fn):
    return account_option(prompt=False)(fn)


@command("status", "Addresses, fees in force, pending changes, caps, treasury, tokens, gifts.")
def status(network):
    echo(FairGift.connect().status_text())


@command("tip", "Tip a creator: tip CREATOR AMOUNT [--message TEXT].")
@with_account
@click.argument("creator")
@click.argument("amount")
@click.option("--message", "-m", default="", help="A message for the creator.")
@click.option("--token", help="Tip in this allow-listed token (default: the stablecoin).")
@click.option("--no-approve", is_flag=True, help="Fail instead of approving the jar.")
def tip(network, account, creator, amount, message, token, no_approve):
    fg = FairGift.connect()
    fan = sender(account, network, "tip")
    echo(fg.tip(fan, creator, amount, message, token=token, approve=not no_approve).summary)


@command("gift", "Send a gift from the catalogue: gift CREATOR GIFT [--quantity N].")
@with_account
@click.argument("creator")
@click.argument("gift")
@click.option("--quantity", "-q", default="1", help="How many.")
@click.option("--message", "-m", default="")
@click.option("--token", help="Pay in this allow-listed token (default: the stablecoin).")
@click.option("--no-approve", is_flag=True, help="Fail instead of approving the jar.")
def gift(network, account, creator, gift, quantity, message, token, no_approve):
    fg = FairGift.connect()
    fan = sender(account, network, "send a gift")
    echo(fg.gift(fan, creator, gift, quantity, message, token=token, approve=not no_approve).summary)


@command("withdraw", "Withdraw tip-jar credit and market fees to the payout address.")
@with_account
@click.option("--for", "for_", help="Push someone else's credit to their payout address.")
@click.option("--token", help="Only this token from the jar (default: the stablecoin).")
def withdraw(network, account, for_, token):
    fg = FairGift.connect()
    who = sender(account, network, "withdraw")
    echo(fg.withdraw(who, account=for_, token=token).summary)


@command("schedule-fee", "Change a fee (bps or %): lower at once, higher after the 7-day delay.")
@with_account
@click.argument("fee")
@click.option(
    "--target",
    type=click.Choice(["jar", "protocol", "creator"]),
    default="jar",
    show_default=True,
    help="The tip jar's fee, the market's protocol fee, or your token's creator fee.",
)
def schedule_fee(network, account, fee, target):
    fg = FairGift.connect()
    who = sender(account, network, "change a fee")
    echo(fg.schedule_fee(who, fee, target=target).summary)


@command("launch", "Launch your creator token: launch NAME SYMBOL [--initial-buy N].")
@with_account
@click.argument("name")
@click.argument("symbol")
@click.option("--creator-fee", default=None, help="Your fee on trades, bps or % (default 5%, cap 10%).")
@click.option("--initial-buy", default="0", help="Tokens you buy first, in the launch transaction.")
@click.option("--slippage", default=DEFAULT_SLIPPAGE, show_default=True)
def launch(network, account, name, symbol, creator_fee, initial_buy, slippage):
    fg = FairGift.connect()
    who = sender(account, network, "launch")
    echo(fg.launch(who, name, symbol, creator_fee, initial_buy, slippage).summary)


@command("buy", "Buy a creator's tokens: buy CREATOR|TOKEN|SYMBOL AMOUNT (quoted first).")
@with_account
@click.argument("token")
@click.argument("amount")
@click.option("--slippage", default=DEFAULT_SLIPPAGE, show_default=True, help="Tolerance over the quote.")
@click.option("--max-cost", default=None, help="An explicit limit instead, e.g. 12.50.")
def buy(network, account, token, amount, slippage, max_cost):
    fg = FairGift.connect()
    who = sender(account, network, "buy")
    echo(fg.buy(who, token, amount, slippage=slippage, max_cost=max_cost).summary)


@command("sell", "Sell creator tokens back to the curve: sell CREATOR|TOKEN|SYMBOL AMOUNT.")
@with_account
@click.argument("token")
@click.argument("amount")
@click.option("--slippage", default=DEFAULT_SLIPPAGE, show_default=True, help="Tolerance under the quote.")
@click.option("--min-proceeds", default=None, help="An explicit floor instead, e.g. 10.")
def sell(network, account, token, amount, slippage, min_proceeds):
    fg = FairGift.connect()
    who = sender(account, network, "sell")
    echo(fg.sell(who, token, amount, slippage=slippage, min_proceeds=min_proceeds).summary)


@command("split", "Deploy a revenue split: split PAYEE=SHARE... (shares in bps or %, summing to 100%).")
@with_account
@click.argument("shares", nargs=-1, required=True)
@click.option("--set-payout", is_flag=True, help="Point your tip-jar and market payouts at the split.")
def split(network, account, shares, set_payout):
    fg = FairGift.connect()
    who = sender(account, network, "create a split")
    parsed = {}
    for item in shares:
        payee, sep, share = item.rpartition("=")
        if not sep or not payee or not share:
            raise FairGiftError(f"{item!r} is not PAYEE=SHARE (e.g. 0xabc…=60% or TEST::3=4000)")
        parsed[payee] = share
    echo(fg.split(who, parsed, set_payout=set_payout).summary)


@command("mint", "Local networks: mint test MockUSDC (the deployer owns it): mint TO AMOUNT.")
@with_account
@click.argument("to")
@click.argument("amount")
def mint(network, account, to, amount):
    fg = FairGift.connect()
    echo(fg.mint(sender(account, network, "mint"), to, amount).summary)


@command("ledger", "The creators' ledger from events; CSV, platform comparison and charts in out/.")
@click.option("--out", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False))
@click.option(
    "--report/--no-report", "with_report", default=True, help="Also the platform comparison and the charts."
)
def ledger(network, out_dir, with_report):
    fg = FairGift.connect()
    echo(report.ledger_and_report(fg, Path(out_dir), with_report=with_report).text)
