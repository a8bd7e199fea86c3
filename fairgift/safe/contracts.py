"""Safe's own contracts, v1.4.1 (`SafeL2`, `SafeProxyFactory`) and v1.3.0 (`GnosisSafeL2`,
`GnosisSafeProxyFactory`), from the compiled manifests the pinned `ape-safe` package ships:
deployed on a local chain to rehearse a multisig owner, and the ABI of any Safe at an address
(the functions FairGift uses are the same in both). Public chains have Safe's canonical
deployments: create the Safe there with Safe's own app; FairGift only needs its address."""

from __future__ import annotations

import secrets

from eth_utils import to_checksum_address

from fairgift.api.accounts import ZERO_ADDRESS, address_of
from fairgift.errors import FairGiftError

SAFE_VERSION = "1.4.1"  # what `safe create` deploys
# Versions whose SafeTx type and EIP-712 domain (chain id + the Safe's address) FairGift signs and
# its tests run against; both are common on L2s (Safe's app deployed 1.3.0 for years).
SUPPORTED_VERSIONS = ("1.3.0", "1.4.1")


def _manifest(version: str):
    from ape_safe.packages import get_manifest
    from packaging.version import Version

    return get_manifest(Version(version))


def singleton_container(version: str = SAFE_VERSION):
    # The L2 singleton, as Safe recommends off mainnet: it also emits SafeMultiSigTransaction.
    manifest = _manifest(version)
    return manifest.SafeL2 if version != "1.3.0" else manifest.GnosisSafeL2


def factory_container(version: str = SAFE_VERSION):
    manifest = _manifest(version)
    return manifest.SafeProxyFactory if version != "1.3.0" else manifest.GnosisSafeProxyFactory


def safe_at(address):
    """The Safe at `address` (a SafeProxy: the singleton's ABI at the proxy's address), refused
    unless it answers as a Safe."""
    from ape import chain

    address = to_checksum_address(address_of(address))
    if not chain.provider.get_code(address):
        raise FairGiftError(f"no contract at {address}: not a Safe on chain {chain.chain_id}")
    safe = singleton_container().at(address, detect_proxy=False)
    try:
        version, threshold = str(safe.VERSION()), int(safe.getThreshold())
    except Exception as err:  # noqa: BLE001 - any failure to answer means "not a Safe"
        raise FairGiftError(f"{address} does not answer as a Safe (VERSION, getThreshold)") from err
    if threshold == 0:
        raise FairGiftError(f"{address} is a Safe that was never set up (threshold 0)")
    if version not in SUPPORTED_VERSIONS:
        # The EIP-712 SafeTx type and domain are version-specific (1.0.0-1.2.0 differ).
        raise FairGiftError(
            f"{address} is Safe v{version}; FairGift signs for Safe v{', v'.join(SUPPORTED_VERSIONS)}"
        )
    return singleton_container(version).at(address, detect_proxy=False)  # its own ABI (events differ)


def safe_version(safe) -> str:
    return str(safe.VERSION())


def deploy_safe(deployer, owners, threshold: int, singleton=None, factory=None, version: str = SAFE_VERSION):
    """A new Safe with `owners` and `threshold`, through a proxy factory (as Safe's app does).
    `singleton` / `factory`: existing ones; deployed by `deployer` when not given."""
    owners = [to_checksum_address(address_of(o)) for o in owners]
    if len(set(owners)) != len(owners):
        raise FairGiftError("a Safe's owners must differ")
    if not 1 <= threshold <= len(owners):
        raise FairGiftError(f"the threshold must be between 1 and {len(owners)} (the owners)")
    singleton = singleton or deployer.deploy(singleton_container(version))
    factory = factory or deployer.deploy(factory_container(version))
    initializer = singleton.setup.encode_input(
        owners, threshold, ZERO_ADDRESS, b"", ZERO_ADDRESS, ZERO_ADDRESS, 0, ZERO_ADDRESS
    )
    receipt = factory.createProxyWithNonce(singleton, initializer, secrets.randbits(256), sender=deployer)
    proxy = receipt.decode_logs(factory.ProxyCreation)[0].proxy
    return safe_at(proxy)
