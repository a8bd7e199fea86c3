"""What the `ape run` scripts share: one-line errors, the signing account, output and progress."""

from __future__ import annotations

import functools
import logging
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

    from fairgift.api.accounts import unlock
    from fairgift.deployments import is_local_network

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


class _Echo(logging.Handler):
    def __init__(self, err: bool):
        super().__init__()
        self.err = err

    def emit(self, record: logging.LogRecord):
        echo(record.getMessage(), err=self.err)


def show_progress(level: int = logging.INFO, err: bool = False) -> None:
    """Print what the `fairgift` loggers report (approvals made, contracts deployed, the demo's
    story, the bench's progress) as plain lines, on stdout (or stderr with `err`)."""
    root = logging.getLogger("fairgift")
    root.handlers = [h for h in root.handlers if not isinstance(h, _Echo)]
    root.addHandler(_Echo(err))
    root.setLevel(level)
    root.propagate = False
