"""`ape run fairgift safe …` (create a local Safe, show, sign and execute proposals) and
`ape run fairgift owner …` (the owner's calls without a command of their own: gift catalogue,
treasury, token list, ownership), registered on the `fairgift` script's group by `register(cli)`.
Every owner call is sent by `--account` or, with `--safe ADDRESS`, proposed to that Safe's owners.
`schedule-fee` and `cancel-fee` take `--safe` too (they call `propose_text`)."""

from __future__ import annotations

import os
from pathlib import Path

import click
from ape.cli import network_option

from fairgift.safe import owner_calls
from fairgift.safe.proposals import ProposalStore, normalise_id
from fairgift.scripting import account_option, clean_errors, command_class, echo, sender, show_progress

FOLDER_ENV = "FAIRGIFT_SAFE_DIR"  # where proposals are kept (default out/safe/ at the project root)

SAFE_HELP = (
    "A Safe that owns the contract: propose the call to its owners (signed by --account, one of "
    "them) instead of sending it; `safe sign` and `safe execute` follow."
)
NONCE_HELP = "The Safe nonce to use (default: after the Safe's and every waiting proposal's)."


def proposal_store() -> ProposalStore:
    from fairgift.deployments import project_root

    return ProposalStore(os.environ.get(FOLDER_ENV) or Path(project_root()) / "out" / "safe")


def multisig(address):
    from fairgift.safe.multisig import Multisig

    return Multisig(address, proposal_store())


def propose_text(call, safe, account, network, nonce=None) -> str:
    who = sender(account, network, "propose a Safe transaction")
    return str(multisig(safe).propose(call, who, nonce=nonce))


def _command(group, name, help_text, account=True):
    def decorator(fn):
        fn = clean_errors(fn)
        if account:
            fn = account_option()(fn)
        fn = network_option()(fn)
        return group.command(name, cls=command_class(), help=help_text, short_help=help_text)(fn)

    return decorator


def _send_or_propose(build, network, account, safe, nonce, purpose):
    """Build the owner call (checked against the chain), then send it or propose it."""
    from fairgift.api import FairGift

    show_progress()
    call = build(FairGift.connect())
    if safe:
        echo(propose_text(call, safe, account, network, nonce))
    else:
        echo(owner_calls.send(call, sender(account, network, purpose)).summary)


def _owner_options(fn):
    fn = click.option("--nonce", type=click.IntRange(0), default=None, help=NONCE_HELP)(fn)
    return click.option("--safe", "safe", default=None, metavar="ADDRESS", help=SAFE_HELP)(fn)


def _contract_option(fn):
    return click.option(
        "--contract", type=click.Choice(owner_calls.CONTRACTS), default="jar", show_default=True
    )(fn)


@click.group("safe", short_help="A Safe as owner: create (local), show, sign and execute proposals.")
def safe_group():
    """Owner calls proposed with `--safe ADDRESS` are files in out/safe/ ($FAIRGIFT_SAFE_DIR), named
    <safe>-<nonce>: each owner signs one with `safe sign`, anyone executes it with `safe execute` once
    the Safe's threshold of owners signed."""


@_command(
    safe_group, "create", "Local chains: deploy Safe v1.4.1 and a Safe of --owner ... with --threshold."
)
@click.option(
    "--owner", "owners", multiple=True, required=True, help="An owner (repeat): alias, TEST::N, address."
)
@click.option("--threshold", type=click.IntRange(1), required=True)
def create(network, account, owners, threshold):
    from fairgift.deployments import is_local_network
    from fairgift.errors import FairGiftError
    from fairgift.safe.contracts import deploy_safe

    if not is_local_network(network):
        raise FairGiftError(
            "`safe create` is for local chains; on a public chain create the Safe in Safe's app"
        )
    safe = deploy_safe(sender(account, network, "deploy a Safe"), owners, threshold)
    echo(f"Safe {safe.address}: {threshold} of {len(owners)} ({', '.join(map(str, safe.getOwners()))})")


@_command(safe_group, "show", "A Safe's owners, threshold and waiting proposals: show SAFE.", account=False)
@click.argument("safe")
def show(network, safe):
    m = multisig(safe)
    echo(f"Safe {m.address}: {m.threshold()} of {len(m.owners())}, nonce {m.nonce()}")
    for owner in m.owners():
        echo(f"  owner {owner}")
    waiting = [p for p in m.store.all(m.address) if p.executed_tx is None and p.nonce >= m.nonce()]
    for p in waiting:
        valid = m.valid_signers(p)
        echo(f"  {p.id}: {p.description} [{len(valid)}/{m.threshold()} signed: {', '.join(sorted(valid))}]")
    if not waiting:
        echo("  no proposal waiting")


@_command(safe_group, "sign", "Add --account's signature to a proposal: sign <safe>-<nonce>.")
@click.argument("proposal_id")
def sign(network, account, proposal_id):
    proposal_id = normalise_id(proposal_id)
    who = sender(account, network, "sign a Safe transaction")
    echo(multisig(proposal_id.rpartition("-")[0]).sign(proposal_id, who).summary)


@_command(safe_group, "execute", "Execute a proposal signed by the Safe's threshold: execute <safe>-<nonce>.")
@click.argument("proposal_id")
def execute(network, account, proposal_id):
    proposal_id = normalise_id(proposal_id)
    who = sender(account, network, "execute a Safe transaction")
    echo(multisig(proposal_id.rpartition("-")[0]).execute(proposal_id, who).summary)


@click.group("owner", short_help="Owner calls: gifts, treasury, tokens, ownership (--safe: propose them).")
def owner_group():
    """The owner's calls on the tip jar and the market, sent by --account (their owner) or, with
    --safe, proposed to the Safe that owns them. Fees: `schedule-fee` and `cancel-fee`."""


@_command(owner_group, "set-gift", "Add or reprice a gift: set-gift ID NAME PRICE (US dollars).")
@_owner_options
@click.argument("gift_id", type=int)
@click.argument("name")
@click.argument("price")
def set_gift(network, account, safe, nonce, gift_id, name, price):
    _send_or_propose(
        lambda fg: owner_calls.set_gift(fg, gift_id, name, price), network, account, safe, nonce, "set a gift"
    )


@_command(owner_group, "set-treasury", "Where the fees go: set-treasury ADDRESS [--contract jar|market].")
@_owner_options
@_contract_option
@click.argument("treasury")
def set_treasury(network, account, safe, nonce, contract, treasury):
    _send_or_propose(
        lambda fg: owner_calls.set_treasury(fg, treasury, contract),
        network,
        account,
        safe,
        nonce,
        "set a treasury",
    )


@_command(owner_group, "allow-token", "Allow a token in the tip jar: allow-token TOKEN [--disallow].")
@_owner_options
@click.argument("token")
@click.option("--disallow", is_flag=True, help="Stop accepting it instead (balances stay withdrawable).")
def allow_token(network, account, safe, nonce, token, disallow):
    _send_or_propose(
        lambda fg: owner_calls.allow_token(fg, token, not disallow),
        network,
        account,
        safe,
        nonce,
        "list a token",
    )


@_command(owner_group, "transfer-ownership", "Offer ownership: transfer-ownership NEW_OWNER [--contract].")
@_owner_options
@_contract_option
@click.argument("new_owner")
def transfer_ownership(network, account, safe, nonce, contract, new_owner):
    _send_or_propose(
        lambda fg: owner_calls.transfer_ownership(fg, new_owner, contract),
        network, account, safe, nonce, "transfer ownership",
    )  # fmt: skip


@_command(
    owner_group, "accept-ownership", "The pending owner accepts: accept-ownership [--contract] [--safe]."
)
@_owner_options
@_contract_option
def accept_ownership(network, account, safe, nonce, contract):
    _send_or_propose(
        lambda fg: owner_calls.accept_ownership(fg, contract),
        network,
        account,
        safe,
        nonce,
        "accept ownership",
    )


def register(cli: click.Group) -> None:
    cli.add_command(safe_group)
    cli.add_command(owner_group)
