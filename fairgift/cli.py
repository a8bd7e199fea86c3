"""What the `ape run` scripts share: one-line errors, the signing account, output."""

from __future__ import annotations

import functools
import sys

import click

from fairgift.errors import FairGiftError, friendly


def clean_errors(fn):
    """Turn FairGiftError and Ape errors into one line on stderr and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ape.exceptions import ApeException

        try:
            return fn(*args, **kwargs)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except (FairGiftError, ApeException) as err:
            raise click.ClickException(friendly(err)) from err

    return wrapper


def sender(account, network, purpose: str = "send transactions"):
    """The signing account: `--account`, or on a local network the first test account. A
    keystore account is unlocked without prompts when APE_ACCOUNTS_<alias>_PASSPHRASE is set."""
    from ape import accounts

    from fairgift.api import unlock
    from fairgift.deploy import is_local_network

    if account is None:
        if not is_local_network(network):
            raise FairGiftError(
                f"--account is required on {network.ecosystem.name}:{network.name} to {purpose}"
            )
        return accounts.test_accounts[0]
    return unlock(account)


def echo(text: str = "", err: bool = False):
    click.echo(text, err=err)
    sys.stdout.flush()
