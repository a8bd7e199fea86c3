"""Machinery for FairGift's stateful property tests (lives in tests/: it needs the `dev` extras).

- Two hypothesis settings profiles, picked by `FAIRGIFT_HYPOTHESIS_PROFILE`:
  `ci` (the default; deterministic, sized for `make test`) and `fuzz` (`make fuzz`).
  `FAIRGIFT_EXAMPLES` / `FAIRGIFT_STEPS` override the profile's sizes.
- `FAIRGIFT_SEED=N` pins hypothesis' seed so a failure replays exactly. Under `ci` without a seed
  the run is derandomized (same examples every time); under `fuzz` without a seed a random seed is
  drawn once per run and printed in the summary, so every fuzz failure can be replayed.
- `ChainMachine`: a `RuleBasedStateMachine` that snapshots the chain when an example starts and
  restores it when the example ends (Ape does not isolate hypothesis examples), and counts the
  examples and steps it runs.
- `STATS`: the counts the assurance conftest prints at the end of the pytest run.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass, field

from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address
from hypothesis import HealthCheck, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.stateful import RuleBasedStateMachine, invariant, run_state_machine_as_test

from tests.constants import DELAY

PROFILE_ENV = "FAIRGIFT_HYPOTHESIS_PROFILE"
SEED_ENV = "FAIRGIFT_SEED"
EXAMPLES_ENV = "FAIRGIFT_EXAMPLES"
STEPS_ENV = "FAIRGIFT_STEPS"

# Examples x steps per state machine. `ci` keeps the whole `make test` within ~15 min on 2 cores.
PROFILE_SIZES = {
    "ci": (50, 20),
    "fuzz": (1_000, 50),
}

_COMMON = dict(
    deadline=None,  # chain calls have no meaningful per-example deadline
    suppress_health_check=list(HealthCheck),  # slow examples are the nature of chain tests
    print_blob=True,  # on failure, print the @reproduce_failure blob too
)

for _name, (_examples, _steps) in PROFILE_SIZES.items():
    settings.register_profile(
        f"fairgift-{_name}",
        max_examples=_examples,
        stateful_step_count=_steps,
        derandomize=(_name == "ci"),
        **_COMMON,
    )


def profile_name() -> str:
    name = os.environ.get(PROFILE_ENV, "ci").strip() or "ci"
    if name not in PROFILE_SIZES:
        raise ValueError(f"{PROFILE_ENV}={name!r}: expected one of {sorted(PROFILE_SIZES)}")
    return name


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    return int(raw, 0) if raw else None


_drawn_seed: int | None = None


def run_seed() -> int | None:
    """The seed every machine of this run uses, or None for `ci`'s derandomized mode."""
    global _drawn_seed
    pinned = _env_int(SEED_ENV)
    if pinned is not None:
        return pinned
    if profile_name() == "ci":
        return None
    if _drawn_seed is None:
        _drawn_seed = random.SystemRandom().randrange(2**32)
    return _drawn_seed


def active_settings() -> settings:
    """The settings of the active profile, with any size overrides from the environment."""
    base = settings.get_profile(f"fairgift-{profile_name()}")
    overrides = {}
    if (examples := _env_int(EXAMPLES_ENV)) is not None:
        overrides["max_examples"] = examples
    if (steps := _env_int(STEPS_ENV)) is not None:
        overrides["stateful_step_count"] = steps
    if run_seed() is not None:
        overrides["derandomize"] = False
    return settings(base, **overrides)


class FeeScheduleModel:
    """The transparent-fee primitive, exactly (contracts/FeeSchedule.sol): the stored fee and a
    pending increase with the date it takes effect."""

    def __init__(self, bps: int, cap: int, delay: int = DELAY):
        self.bps, self.cap, self.delay = bps, cap, delay
        self.pending_bps = 0
        self.effective_at = 0

    def current(self, now: int) -> int:
        return self.pending_bps if self.effective_at and now >= self.effective_at else self.bps

    def pending(self, now: int) -> tuple[int, int]:
        if self.effective_at and now < self.effective_at:
            return self.pending_bps, self.effective_at
        return 0, 0

    def schedule(self, bps: int, now: int) -> bool:
        """True when the change applies at once, False when it is scheduled (`bps` <= cap)."""
        assert bps <= self.cap
        old = self.current(now)
        if bps <= old:
            self.bps, self.pending_bps, self.effective_at = bps, 0, 0
            return True
        self.bps, self.pending_bps, self.effective_at = old, bps, now + self.delay
        return False

    def cancel(self) -> None:
        self.pending_bps, self.effective_at = 0, 0


@dataclass
class Stats:
    """What the property tests and hostile-case tests ran, for the end-of-run summary."""

    examples: Counter = field(default_factory=Counter)  # machine name -> examples
    steps: Counter = field(default_factory=Counter)  # machine name -> rule steps
    hostile: Counter = field(default_factory=Counter)  # outcome -> hostile test cases

    def summary_lines(self) -> list[str]:
        s = active_settings()
        seed = run_seed()
        seed_text = (
            f"seed {seed} (replay: {SEED_ENV}={seed})"
            if seed is not None
            else f"derandomized (pin one with {SEED_ENV}=N)"
        )
        lines = [
            f"profile {profile_name()}: up to {s.max_examples} examples x {s.stateful_step_count} steps "
            f"per machine; {seed_text}",
        ]
        for name in sorted(self.examples):
            lines.append(f"  {name}: {self.examples[name]} examples, {self.steps[name]} steps")
        hostile_total = sum(self.hostile.values())
        outcomes = ", ".join(f"{n} {k}" for k, n in sorted(self.hostile.items())) or "none run"
        lines.append(
            f"total: {sum(self.examples.values())} examples, {sum(self.steps.values())} steps; "
            f"hostile cases: {hostile_total} ({outcomes})"
        )
        return lines


STATS = Stats()


class ChainMachine(RuleBasedStateMachine):
    """A state machine whose every example runs on a chain snapshot that is restored afterwards.

    Deploy the contracts before running the machine (in the test or a fixture): every example then
    starts from that same deployed state.
    """

    def __init__(self):
        super().__init__()
        from ape import chain  # imported late: this module must import without a live network

        self.chain = chain
        self._snapshot = chain.snapshot()
        self._counted_initial_check = False
        STATS.examples[type(self).__name__] += 1

    def teardown(self):
        self.chain.restore(self._snapshot)

    @invariant()
    def count_steps(self):
        # hypothesis checks invariants once when an example starts, then after every step.
        if self._counted_initial_check:
            STATS.steps[type(self).__name__] += 1
        self._counted_initial_check = True

    # ------------------------------------------------------------------ chain time

    def now(self) -> int:
        """The timestamp view calls see: that of the latest block."""
        block = self.chain.provider.web3.provider.make_request("eth_getBlockByNumber", ["latest", False])
        return int(_result(block, "latest block")["timestamp"], 16)

    def pin_next_block(self, seconds: int = 1) -> int:
        """Fix the next block's timestamp at `seconds` after the latest one, so the outcome of a
        time-dependent transaction (success or revert) is known before sending it."""
        target = self.now() + seconds
        self.chain.pending_timestamp = target
        return target

    def warp(self, seconds: int) -> int:
        """Mine one block `seconds` after the latest one; returns its timestamp."""
        target = self.now() + seconds
        self.chain.mine(timestamp=target)
        return target


# ---------------------------------------------------------------------- fast reads
# An Ape view call costs ~40 ms on anvil (several RPC round trips, middleware, model validation);
# the invariants after every step make many. `Reader` sends them all, with the latest block's
# timestamp, as ONE JSON-RPC batch against the latest block, and decodes them with the ABI.


class Reader:
    """Batch view calls: `r = Reader(); a = r.call(c, "m", x); r.run(); a.value`."""

    def __init__(self):
        self._calls: list[tuple[_Pending, tuple[str, list]]] = []
        self.timestamp: int | None = None

    def call(self, contract, method: str, *args) -> _Pending:
        abi, calldata = _encode_call(contract, method, args)
        pending = _Pending(abi, f"{method}{args}")
        tx = {"to": str(contract.address), "data": "0x" + bytes(calldata).hex()}
        self._calls.append((pending, ("eth_call", [tx, "latest"])))
        return pending

    def run(self) -> Reader:
        from ape import chain

        requests = [("eth_getBlockByNumber", ["latest", False])] + [req for _, req in self._calls]
        responses = chain.provider.web3.provider.make_batch_request(requests)
        if not isinstance(responses, list):
            raise RuntimeError(f"batch read failed: {responses}")
        block, *results = responses
        self.timestamp = int(_result(block, "latest block")["timestamp"], 16)
        for (pending, _), response in zip(self._calls, results, strict=True):
            pending.set(bytes.fromhex(_result(response, pending.label)[2:]))
        return self


class _Pending:
    def __init__(self, abi, label: str):
        self.abi, self.label, self._value, self._set = abi, label, None, False

    def set(self, raw: bytes):
        types = [o.canonical_type for o in self.abi.outputs]
        values = tuple(_checksum(t, v) for t, v in zip(types, decode(types, raw), strict=True))
        self._value, self._set = (values[0] if len(values) == 1 else values), True

    @property
    def value(self):
        if not self._set:
            raise RuntimeError(f"{self.label}: Reader.run() not called")
        return self._value


def _result(response: dict, label: str):
    if "error" in response:
        raise RuntimeError(f"{label}: {response['error']}")
    return response["result"]


def _encode_call(contract, method: str, args: tuple):
    handler = getattr(contract, method)
    abis = [abi for abi in handler.abis if len(abi.inputs) == len(args)]
    if len(abis) != 1:
        raise ValueError(f"{method}: {len(abis)} overloads take {len(args)} arguments")
    return abis[0], handler.encode_input(*args)


def _checksum(abi_type: str, value):
    return to_checksum_address(value) if abi_type == "address" else value


def view(contract, method: str, *args):
    """One view call at the latest block, decoded (a value, or a tuple for several outputs)."""
    reader = Reader()
    pending = reader.call(contract, method, *args)
    reader.run()
    return pending.value


# ---------------------------------------------------------------------- fast rejection checks
# A rejected call changes no state, so a state machine can check "this call reverts with exactly
# this custom error and these arguments" with one eth_call against the latest block (that block's
# timestamp), instead of mining a failing transaction and fetching its trace (~0.6 s each on anvil).


def error_data(contract, name: str, *args) -> bytes:
    """The revert data of custom error `name(args...)` as declared in `contract`'s ABI."""
    matches = [e for e in contract.contract_type.errors if e.name == name]
    if len(matches) != 1:
        raise ValueError(f"{contract.contract_type.name} declares {len(matches)} errors named {name}")
    abi = matches[0]
    types = [i.canonical_type for i in abi.inputs]
    return keccak(text=abi.selector)[:4] + encode(types, [_abi_value(a) for a in args])


def _abi_value(value):
    if hasattr(value, "address"):  # an Ape account or contract
        return str(value.address)
    return value


def revert_data(contract, method: str, *args, sender) -> bytes | None:
    """What `sender` calling `contract.method(*args)` reverts with now (None if it succeeds)."""
    from ape import chain

    _, calldata = _encode_call(contract, method, args)
    tx = {"from": str(sender.address), "to": str(contract.address), "data": "0x" + bytes(calldata).hex()}
    response = chain.provider.web3.provider.make_request("eth_call", [tx, "latest"])
    if "error" not in response:
        return None
    data = response["error"].get("data") or "0x"
    if isinstance(data, dict):  # some nodes nest it
        data = data.get("data", "0x")
    return bytes.fromhex(data[2:])


def assert_rejected(contract, method: str, *args, sender, error: str, error_args=(), error_from=None):
    """Assert `contract.method(*args)` from `sender` reverts with exactly `error(error_args)`
    (declared in `error_from`'s ABI, by default `contract`'s)."""
    got = revert_data(contract, method, *args, sender=sender)
    expected = error_data(error_from or contract, error, *error_args)
    assert got is not None, f"{method}{args} from {sender} succeeded; expected {error}{tuple(error_args)}"
    assert got == expected, (
        f"{method}{args}: reverted with 0x{got.hex()}, expected {error}{tuple(error_args)}"
    )


def run_machine(machine_cls: type[ChainMachine]) -> None:
    """Run `machine_cls` with the active profile (and the run's seed, if any)."""
    cls = machine_cls
    seed = run_seed()
    if seed is not None:
        cls = hypothesis_seed(seed)(type(machine_cls.__name__, (machine_cls,), {}))
    run_state_machine_as_test(cls, settings=active_settings())
