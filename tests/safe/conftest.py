"""A FairGift deployment and a 2-of-3 Safe (v1.4.1, from the pinned ape-safe manifest) on the test
chain; the Safe's owners are keyed accounts at fixed indexes of the test mnemonic (they only sign:
they need no ether), so a signature is the same in every session."""

import pytest

from fairgift.api import FairGift
from fairgift.deploy import deploy
from fairgift.deployments import DeploymentStore
from fairgift.safe.contracts import deploy_safe

SAFE_SIGNERS_FIRST_INDEX = 1_030  # after the assurance machines' ranges (tests/assurance/machinery.py)


@pytest.fixture(scope="module")
def safe_signers(accounts):
    """Owners A, B and C of the Safe."""
    container = accounts.containers["test"]
    return tuple(container.generate_account(index=SAFE_SIGNERS_FIRST_INDEX + i) for i in range(3))


@pytest.fixture(scope="module")
def safe_store(tmp_path_factory):
    """A kept record (as for a chain that persists), so `ape run` subprocesses can read it."""
    return DeploymentStore(tmp_path_factory.mktemp("safe-deployments"))


@pytest.fixture(scope="module")
def safe_fg(owner, treasury, safe_store):
    deployed = deploy(owner, treasury=treasury.address, store=safe_store, fresh=True)
    return FairGift(deployed.record)


@pytest.fixture(scope="module")
def safe_wallet(owner, safe_signers, safe_fg):
    """The 2-of-3 Safe, deployed by the deployer (who is not one of its owners)."""
    return deploy_safe(owner, safe_signers, 2)
