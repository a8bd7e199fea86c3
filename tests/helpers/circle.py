"""Circle's side of the real-USDC tests (tests/usdc and the page's real-USDC tests): its accounts at
fixed indexes of the test mnemonic, and USDC deployed by them as Circle deploys it
(`fairgift.circle_usdc`)."""

from fairgift import circle_usdc

# Circle's accounts: beyond the ten roles, at indexes no other area uses (the machines take
# 1,000-1,029), so they are the same in every session whatever ran before.
CIRCLE_INDEX, PROXY_ADMIN_INDEX = 1_100, 1_101


def keyed_account(accounts, index: int):
    """The test mnemonic's account at `index` (a key Ape signs with; anvil does not hold it)."""
    return accounts.containers["test"].generate_account(index=index)


def circle_account(accounts, funder):
    """Circle: deploys USDC and holds its master-minter, minter, pauser, blacklister and owner
    roles, with ether from `funder` to pay for that."""
    account = keyed_account(accounts, CIRCLE_INDEX)
    funder.transfer(account, 10**19)
    return account


def proxy_admin_account(accounts, funder):
    """The proxy's admin: an account of its own (it cannot call the token through the proxy), with
    a little ether from `funder` (the in-process chain charges gas even for a call)."""
    account = keyed_account(accounts, PROXY_ADMIN_INDEX)
    funder.transfer(account, 10**18)
    return account


def deploy_usdc(circle, admin) -> circle_usdc.CircleUSDC:
    """USDC deployed by `circle` (every token role), its proxy administered by `admin`."""
    return circle_usdc.deploy(circle, admin=admin)
