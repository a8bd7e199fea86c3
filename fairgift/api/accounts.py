"""Accounts as users name them: `TEST::3`, a keystore alias, an address, or an account object."""

from __future__ import annotations

import os

from eth_utils import is_address, to_checksum_address

from fairgift.errors import FairGiftError, translated

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

_TEST_ACCOUNTS: dict[str, object] = {}


def test_accounts_by_address() -> dict:
    """Ape's test accounts by checksummed address. Ape derives each test account from the
    mnemonic on every iteration (tens of ms apiece), so they are looked up once per process."""
    if not _TEST_ACCOUNTS:
        from ape import accounts

        _TEST_ACCOUNTS.update({acct.address: acct for acct in accounts.test_accounts})
    return _TEST_ACCOUNTS


def resolve_account(value):
    """An Ape account or address from what a user types: `TEST::3`, a keystore alias, an address,
    or an account object. Returns the account when one is known, else the checksummed address."""
    from ape import accounts

    if value is None:
        raise FairGiftError("no account given")
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.upper().startswith("TEST::"):
        idx = text[6:]
        if not idx.isdigit() or int(idx) >= len(accounts.test_accounts):
            raise FairGiftError(f"no test account {text!r} (there are {len(accounts.test_accounts)})")
        return accounts.test_accounts[int(idx)]
    if is_address(text):
        address = to_checksum_address(text)
        return test_accounts_by_address().get(address, address)
    if text in accounts.aliases:
        return accounts.load(text)
    raise FairGiftError(f"{value!r} is neither an address, a test account (TEST::N) nor an account alias")


def address_of(value) -> str:
    """The checksummed address of an account, an address or what `resolve_account` accepts."""
    value = resolve_account(value) if isinstance(value, str) else value
    return to_checksum_address(str(getattr(value, "address", value)))


def unlock(account, passphrase_env: bool = True):
    """Let a keystore account sign without prompts when APE_ACCOUNTS_<alias>_PASSPHRASE is set."""
    from ape_accounts import KeyfileAccount

    if isinstance(account, KeyfileAccount):
        env = f"APE_ACCOUNTS_{account.alias}_PASSPHRASE"
        if passphrase_env and os.environ.get(env):
            with translated(f"unlocking {account.alias}"):
                account.set_autosign(True)
    return account
