"""Network profiles (fairgift.networks) and the deploy's USDC check (fairgift.usdc_check): the
profile lookup, the chain ids against the Ape plugins', the gas policy, and on the local chain the
refusal of an address with no code or a contract that is not USDC, and the acceptance of Circle's
USDC deployed in the test."""

import pytest

from fairgift import deploy as fg_deploy
from fairgift.errors import FairGiftError
from fairgift.networks import GWEI, PROFILES, UnknownNetwork, profile, profile_for_chain, profile_of
from fairgift.usdc_check import check_usdc

BASE_USDC = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"


def test_profile_lookup():
    base = profile("base")
    assert (base.chain_id, base.usdc, base.ape_network) == (8453, BASE_USDC, "base:mainnet")
    assert profile("base:sepolia:node") is profile("base-sepolia") is profile_of("base", "sepolia")
    assert profile("base-sepolia").usdc == "0x036CbD53842c5426634e7929541eC2318f3dCF7e"
    assert profile("optimism").usdc == "0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85"
    assert profile("arbitrum").usdc == "0xaf88d065e77c8cC2239327C5EDb3A432268e5831"
    assert profile_for_chain(42161) is profile("arbitrum:mainnet")
    assert profile_of("ethereum", "local") is None and profile_for_chain(31337) is None
    with pytest.raises(UnknownNetwork, match="no network profile 'polygon'"):
        profile("polygon")


def test_unverified_testnet_usdc_is_left_unset():
    assert profile("optimism-sepolia").usdc is None
    assert profile("arbitrum-sepolia").usdc is None


@pytest.mark.parametrize("p", PROFILES, ids=lambda p: p.name)
def test_chain_ids_are_the_ape_plugins(p, networks):
    assert networks.get_ecosystem(p.ecosystem).get_network(p.network).chain_id == p.chain_id


def test_gas_policy():
    gas = profile("base").gas
    assert gas.max_fee(10_000_000) == 2 * 10_000_000 + gas.priority_fee()  # 0.01 gwei base fee
    assert gas.max_fee(int(0.9 * GWEI)) == 1 * GWEI  # capped at the ceiling
    assert gas.max_fee(2 * GWEI) is None  # above the ceiling: wait
    assert profile("arbitrum").gas.priority_fee() == 0


def test_the_profile_gives_the_stablecoin_unless_one_is_given():
    base = profile("base")
    assert fg_deploy.choose_stablecoin(None, base) == (BASE_USDC, "the Base profile (Circle's native USDC)")
    assert fg_deploy.choose_stablecoin("0x" + "11" * 20, base) == ("0x" + "11" * 20, "--stablecoin")
    assert fg_deploy.choose_stablecoin(None, profile("arbitrum-sepolia")) == (None, "--stablecoin")
    assert fg_deploy.choose_stablecoin(None, None) == (None, "--stablecoin")


def test_an_address_without_code_is_refused(owner, stranger, tmp_path):
    from fairgift.deployments import DeploymentStore

    with pytest.raises(
        FairGiftError, match=f"--stablecoin {stranger.address} on chain .*: no contract there"
    ):
        fg_deploy.plan(owner, stablecoin=stranger.address, store=DeploymentStore(tmp_path))


def test_a_contract_that_is_not_usdc_is_refused(usdc_jar, project, owner):
    with pytest.raises(
        FairGiftError, match=r"does not answer as USDC: no decimals\(\), name\(\), symbol\(\)"
    ):
        check_usdc(usdc_jar.address)
    dai = owner.deploy(project.TestToken, "DAI", 18)
    with pytest.raises(FairGiftError, match="has 18 decimals, not USDC's 6|no version"):
        check_usdc(dai.address)


def test_circles_usdc_is_accepted_and_recorded(real_usdc, owner, treasury, tmp_path, chain):
    from fairgift.deployments import DeploymentStore

    facts = check_usdc(real_usdc.address)
    assert (facts.name, facts.symbol, facts.version, facts.decimals) == ("USD Coin", "USDC", "2", 6)
    plan = fg_deploy.plan(
        owner, stablecoin=real_usdc.address, treasury=treasury, store=DeploymentStore(tmp_path)
    )
    assert plan.usdc == facts
    assert f"{real_usdc.address} USDC ('USD Coin', EIP-712 version 2, 6 decimals), from --stablecoin" in (
        plan.describe()
    )
    done = fg_deploy.execute(plan, owner)
    assert done.path == tmp_path / f"{chain.chain_id}.json"  # recorded as before
    assert done.record.contracts.keys() == {"TipJar", "CreatorMarket", "SplitFactory"}
