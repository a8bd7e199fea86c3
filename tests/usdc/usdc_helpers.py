"""Settings and helpers of the real-USDC tests (imported as `usdc_helpers`): EIP-712 signing with the
domain USDC really has (Circle's accounts are in `tests.helpers.circle`, shared with the page)."""

from eth_utils import to_checksum_address

from fairgift.eip712 import PERMIT, typed_message

JAR_FEE_BPS = 500
PROTOCOL_BPS = 250
CREATOR_BPS = 500

# What USDC's require() messages say (solc 0.6.12 string reasons, not custom errors).
BLACKLISTED = "Blacklistable: account is blacklisted"
PAUSED = "Pausable: paused"
EXCEEDS_BALANCE = "ERC20: transfer amount exceeds balance"
INVALID_SIGNATURE = "EIP2612: invalid signature"


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
