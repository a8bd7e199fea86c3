"""fairgift.chain.token_domain, the one rule for the EIP-712 domain a token signs with (issue #19
§2): ERC-5267 where the token has it, else name() and version() (version "1" without one), always
checked against DOMAIN_SEPARATOR(); a domain that cannot be established is a clear error."""

import pytest

from fairgift import eip712
from fairgift.chain import NoDomain, token_domain
from fairgift.errors import FairGiftError
from fairgift.signing import permit_message, sign


@pytest.fixture
def legacy(project, owner):
    """Like USDC: name() and version() "2", no eip712Domain()."""
    return owner.deploy(project.LegacyPermitToken, "Legacy Dollar", "2", "2")


@pytest.fixture
def versionless(project, owner):
    """name() only: version "1" by convention."""
    return owner.deploy(project.VersionlessPermitToken, "Old Coin", "1")


def _permit_works(token, holder, spender, chain):
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign(holder, permit_message(token, holder, spender, 42, deadline))
    token.permit(holder, spender, 42, deadline, v, r, s, sender=spender)
    assert token.allowance(holder, spender) == 42


def test_a_token_without_erc5267_signs_with_name_and_version(legacy, fan, creator, chain):
    assert token_domain(legacy) == {
        "name": "Legacy Dollar",
        "version": "2",
        "chainId": chain.chain_id,
        "verifyingContract": legacy.address,
    }
    _permit_works(legacy, fan, creator, chain)


def test_a_token_without_version_signs_with_version_1(versionless, fan, creator, chain):
    domain = token_domain(versionless)
    assert domain["version"] == "1"
    assert eip712.domain_separator(domain) == bytes(versionless.DOMAIN_SEPARATOR())
    _permit_works(versionless, fan, creator, chain)


def test_an_erc5267_domain_is_the_tokens(usdc, chain):
    assert token_domain(usdc.address) == {
        "name": "USD Coin",
        "version": "2",
        "chainId": chain.chain_id,
        "verifyingContract": usdc.address,
    }


@pytest.mark.parametrize(
    "contract,args",
    [("LegacyPermitToken", ("Liar Dollar", "2", "3")), ("VersionlessPermitToken", ("Odd Coin", "2"))],
)
def test_a_domain_that_disagrees_with_the_separator_is_refused(project, owner, contract, args):
    token = owner.deploy(getattr(project, contract), *args)
    with pytest.raises(FairGiftError, match="does not hash to its DOMAIN_SEPARATOR"):
        token_domain(token)
    with pytest.raises(FairGiftError, match="does not hash"):
        permit_message(token, owner, owner, 1, 2**40)  # nothing is offered for signing


def test_a_token_without_any_domain_says_so(project, owner):
    plain = owner.deploy(project.TestToken, "PLN", 18)
    with pytest.raises(NoDomain, match="no EIP-712 domain"):
        token_domain(plain)


def test_the_relayer_offers_no_permit_for_a_plain_token_and_refuses_a_bad_domain(project, owner, chain):
    from fairgift.relayer import Rejected
    from fairgift.relayer.reads import ChainReader

    reader = ChainReader(chain.provider.web3, owner.address)
    assert reader.token_domain(owner.deploy(project.TestToken, "PLN", 18).address) is None
    liar = owner.deploy(project.LegacyPermitToken, "Liar Dollar", "2", "3")
    with pytest.raises(Rejected, match="DOMAIN_SEPARATOR") as err:
        reader.token_domain(liar.address)
    assert err.value.status == 400
