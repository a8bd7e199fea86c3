"""Settings and helpers of the real-USDC tests (imported as `usdc_helpers`): Circle's accounts at
fixed indexes of the test mnemonic, and EIP-712 signing with the domain USDC really has."""

from eth_utils import to_checksum_address

from fairgift.eip712 import PERMIT, typed_message

JAR_FEE_BPS = 500
PROTOCOL_BPS = 250
CREATOR_BPS = 500

# Circle's accounts: beyond the ten roles, at indexes no other area uses (the machines take
# 1,000-1,029), so they are the same in every session whatever ran before.
CIRCLE_INDEX, PROXY_ADMIN_INDEX = 1_100, 1_101

# What USDC's require() messages say (solc 0.6.12 string reasons, not custom errors).
BLACKLISTED = "Blacklistable: account is blacklisted"
PAUSED = "Pausable: paused"
EXCEEDS_BALANCE = "ERC20: transfer amount exceeds balance"
INVALID_SIGNATURE = "EIP2612: invalid signature"


def keyed_account(accounts, index: int):
    return accounts.containers["test"].generate_account(index=index)


def name_version_domain(token, chain_id: int) -> dict:
    """USDC's domain as the references describe it, read field by field (`name()`, `version()`):
    the expectation `fairgift.chain.token_domain` is checked against."""
    return {
        "name": token.name(),
        "version": token.version(),
        "chainId": chain_id,
        "verifyingContract": to_checksum_address(token.address),
    }


def permit(domain: dict, owner, spender, value: int, nonce: int, deadline: int):
    """A permit signed in an arbitrary `domain` (to show a wrong one is refused)."""
    return typed_message(
        domain,
        PERMIT,
        {"owner": str(owner), "spender": str(spender), "value": value, "nonce": nonce, "deadline": deadline},
    )
