"""One vocabulary across the contracts (issue 10 §4/§5): an error name means one thing everywhere,
so it has one signature (one selector) in every production contract that declares it; the shared
events (`PayoutSet`, `TreasurySet`) too; and each contract's ABI holds every event and error of its
interface (the implementation adds nothing undocumented)."""

import pytest

from tests.constants import PRODUCTION_CONTRACTS as PRODUCTION

INTERFACE = {
    "TipJar": "ITipJar",
    "CreatorMarket": "ICreatorMarket",
    "RevenueSplit": "IRevenueSplit",
    "SplitFactory": "ISplitFactory",
}


def _signatures(project, name, kind):
    found = {}
    for abi in project.contracts[name].abi:
        if abi.type == kind:
            found.setdefault(abi.name, set()).add(abi.signature)
    return found


def test_an_error_name_has_one_signature_everywhere(project):
    seen: dict[str, set[str]] = {}
    for name in PRODUCTION:
        for error, signatures in _signatures(project, name, "error").items():
            seen.setdefault(error, set()).update(signatures)
    assert {e: s for e, s in seen.items() if len(s) > 1} == {}
    # the ones the jar and the market share
    for shared in ("ZeroAmount", "InvalidTreasury", "InvalidPayout", "NothingToWithdraw"):
        assert shared in _signatures(project, "TipJar", "error")
        assert shared in _signatures(project, "CreatorMarket", "error")
    assert "ZeroAddress" not in seen  # replaced by InvalidTreasury / InvalidQuoteToken


def test_shared_events_have_one_signature(project):
    for event in ("PayoutSet", "TreasurySet", "FeeChanged", "FeeChangeScheduled", "FeeChangeCancelled"):
        signatures = set()
        for name in ("TipJar", "CreatorMarket", "RevenueSplit"):
            signatures |= _signatures(project, name, "event").get(event, set())
        assert len(signatures) == 1, (event, signatures)


@pytest.mark.parametrize("name", sorted(INTERFACE))
def test_implementation_abi_is_its_interfaces(project, name):
    """Every event and error of the implementation is declared in its interface (or comes from the
    OpenZeppelin modules and libraries it uses), and every interface function exists."""
    openzeppelin = {
        "CloneArgumentsTooLong",
        "Create2EmptyBytecode",
        "OwnershipTransferred",
        "OwnershipTransferStarted",
        "OwnableUnauthorizedAccount",
        "OwnableInvalidOwner",
        "ReentrancyGuardReentrantCall",
        "EIP712DomainChanged",
        "SafeERC20FailedOperation",
        "InvalidShortString",
        "StringTooLong",
        "FailedDeployment",
        "InsufficientBalance",
        "ECDSAInvalidSignature",
        "ECDSAInvalidSignatureLength",
        "ECDSAInvalidSignatureS",
        "MathOverflowedMulDiv",
        "Panic",
    }
    impl, iface = project.contracts[name], project.contracts[INTERFACE[name]]
    for kind in ("event", "error"):
        declared = set(_signatures(project, INTERFACE[name], kind))
        extra = set(_signatures(project, name, kind)) - declared - openzeppelin
        assert extra == set(), (name, kind, extra)
    impl_functions = {abi.selector for abi in impl.abi if abi.type == "function"}
    assert {abi.selector for abi in iface.abi if abi.type == "function"} <= impl_functions
