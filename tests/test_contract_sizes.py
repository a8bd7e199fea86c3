"""Every production contract deploys on a real chain: its runtime code fits EIP-170's 24,576 bytes
and its init code EIP-3860's 49,152, as compiled with the project's settings (optimizer on,
ape-config.yaml). Slither compiles without the optimizer and warns TipJar is over the limit: that
figure is not the deployed size; this one is."""

import pytest

from tests.constants import PRODUCTION_CONTRACTS

EIP170_RUNTIME_LIMIT = 24_576
EIP3860_INITCODE_LIMIT = 2 * EIP170_RUNTIME_LIMIT


def _size(bytecode) -> int:
    code = bytecode.bytecode if bytecode is not None else None
    assert code, "no bytecode compiled"
    return (len(code) - 2) // 2 if code.startswith("0x") else len(code) // 2


@pytest.mark.parametrize("name", PRODUCTION_CONTRACTS)
def test_code_fits_the_protocol_limits(project, name):
    contract_type = project.contracts[name]
    runtime = _size(contract_type.runtime_bytecode)
    init = _size(contract_type.deployment_bytecode)
    assert 0 < runtime <= EIP170_RUNTIME_LIMIT, f"{name}: {runtime:,} runtime bytes"
    assert runtime < init <= EIP3860_INITCODE_LIMIT, f"{name}: {init:,} init bytes"
