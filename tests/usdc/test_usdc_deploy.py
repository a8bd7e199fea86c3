"""Circle's USDC as `fairgift.circle_usdc` deploys it: linked, proxied, initialised, with a minter,
and with the EIP-712 domain a client must build from `name()` and `version()` (no ERC-5267)."""

import ape
import pytest
from usdc_helpers import name_version_domain

from fairgift import circle_usdc as fiat_token
from fairgift.chain import token_domain
from fairgift.eip712 import domain_separator
from fairgift.errors import FairGiftError
from tests.constants import USDC


def test_the_token_answers_as_usdc(real_usdc, circle):
    assert real_usdc.name() == "USD Coin"
    assert real_usdc.symbol() == "USDC"
    assert real_usdc.currency() == "USD"
    assert real_usdc.decimals() == 6
    assert real_usdc.version() == "2"
    assert real_usdc.totalSupply() == 0
    assert real_usdc.masterMinter() == circle.address
    assert real_usdc.pauser() == real_usdc.blacklister() == real_usdc.owner() == circle.address
    assert real_usdc.isMinter(circle)
    assert real_usdc.minterAllowance(circle) == fiat_token.MAX_MINTER_ALLOWANCE


def test_the_proxy_has_its_own_admin_and_the_linked_implementation(circle_usdc, usdc_proxy_admin, chain):
    proxy = circle_usdc.proxy
    assert proxy.admin(sender=usdc_proxy_admin) == usdc_proxy_admin.address
    assert proxy.implementation(sender=usdc_proxy_admin) == circle_usdc.implementation
    code = bytes(chain.provider.get_code(circle_usdc.implementation))
    assert bytes.fromhex(circle_usdc.signature_checker[2:]) in code  # the library is linked
    assert b"\x73" + b"\x00" * 20 not in code  # no placeholder left


def test_the_admin_cannot_call_the_token(real_usdc, usdc_proxy_admin):
    with ape.reverts("Cannot call fallback function from the proxy admin"):
        real_usdc.balanceOf(usdc_proxy_admin, sender=usdc_proxy_admin)  # a call: the admin has no ether


def test_neither_the_proxy_nor_the_implementation_can_be_initialised_again(
    real_usdc, circle_usdc, circle, stranger
):
    implementation = fiat_token.at(circle_usdc.implementation)
    for token in (real_usdc, implementation):
        with ape.reverts("FiatToken: contract is already initialized"):
            token.initialize("X", "X", "X", 6, stranger, stranger, stranger, stranger, sender=stranger)
    assert implementation.name() == ""  # Circle's throw-away initialisation


def test_token_domain_is_name_and_version_and_hashes_to_the_separator(real_usdc, chain):
    domain = token_domain(real_usdc)  # no ERC-5267: built from name() and version(), then checked
    assert domain == name_version_domain(real_usdc, chain.chain_id)
    assert domain["name"] == "USD Coin" and domain["version"] == "2"
    assert domain_separator(domain) == bytes(real_usdc.DOMAIN_SEPARATOR())
    other = {**domain, "name": "USDC"}  # what an explorer may show: not what the token signs with
    assert domain_separator(other) != bytes(real_usdc.DOMAIN_SEPARATOR())


def test_there_is_no_erc5267(real_usdc, project):
    from ape.contracts import ContractInstance

    # the token called as if it had MockUSDC's ABI (not cached: the real type stays known)
    as_if_5267 = ContractInstance(real_usdc.address, project.MockUSDC.contract_type)
    with pytest.raises(ape.exceptions.ContractLogicError):
        as_if_5267.eip712Domain()


def test_the_minter_mints(real_usdc, circle, fan):
    tx = real_usdc.mint(fan, 5 * USDC, sender=circle)
    assert real_usdc.balanceOf(fan) == 5 * USDC
    assert real_usdc.totalSupply() == 5 * USDC
    assert tx.events == [
        real_usdc.Mint(minter=circle, to=fan, amount=5 * USDC),
        real_usdc.Transfer(**{"from": "0x" + "00" * 20, "to": fan, "value": 5 * USDC}),
    ]


def test_linking_refuses_a_missing_library():
    data = fiat_token.artifact("FiatTokenV2_2")
    with pytest.raises(FairGiftError, match="SignatureChecker has no address"):
        fiat_token.link(data["bytecode"], data["linkReferences"], {})


def test_the_admin_must_be_an_account_of_its_own(circle):
    with pytest.raises(FairGiftError, match="must be an account of its own"):
        fiat_token.deploy(circle, admin=circle)


@pytest.mark.anvil_only("places the proxy with anvil_setCode and anvil_setStorageAt")
def test_the_proxy_can_be_placed_at_a_networks_usdc_address(circle, usdc_proxy_admin, fan, chain):
    base_usdc = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"
    placed = fiat_token.deploy(circle, admin=usdc_proxy_admin, at=base_usdc)
    token = placed.token
    assert token.address == base_usdc
    assert placed.proxy.admin(sender=usdc_proxy_admin) == usdc_proxy_admin.address
    assert placed.proxy.implementation(sender=usdc_proxy_admin) == placed.implementation
    assert (token.name(), token.version(), token.decimals()) == ("USD Coin", "2", 6)
    token.mint(fan, 3 * USDC, sender=circle)
    assert token.balanceOf(fan) == 3 * USDC
    assert token_domain(token)["verifyingContract"] == base_usdc
    with pytest.raises(FairGiftError, match="already code at"):
        fiat_token.deploy(circle, admin=usdc_proxy_admin, at=base_usdc)
