"""Machinery for FairGift's stateful property tests (lives in tests/: it needs the `dev` extras).

- Two hypothesis settings profiles, picked by `FAIRGIFT_HYPOTHESIS_PROFILE`: `ci` (the default,
  sized for `make test`) and `fuzz` (`make fuzz`). `FAIRGIFT_EXAMPLES` / `FAIRGIFT_STEPS` override
  the sizes.
- Every run uses one seed for all its machines: `FAIRGIFT_SEED=N` if set, else a fresh one drawn
  at random and printed (as each machine starts, in the summary, and in the note of any failure),
  so each run tries new sequences and any failure replays exactly with `FAIRGIFT_SEED=N` and the
  same sizes.
- Deterministic given the seed: no step depends on wall-clock time or machine speed.
  `run_machine` drives the chain's clock (`driven_clock`: every example starts from a block at
  `START_TIMESTAMP`, and every block is mined exactly one second after the previous one unless a
  rule sets its timestamp); hypothesis keeps no example database and stops at the first failure
  (its search for further failures and its shrinking budget are otherwise timed by the wall
  clock). `FAIRGIFT_STEP_DELAY=S` inserts random wall-clock pauses of up to S seconds after the
  steps (30 s of pauses in all), to show that nothing depends on them.
- `ChainMachine`: a `RuleBasedStateMachine` that snapshots the chain when an example starts and
  restores it when the example ends (Ape does not isolate hypothesis examples), and counts the
  examples and steps it runs.
- `FeeWatch`: the independent check of a fee's one-way promise, from the public record alone.
- `STATS`: the counts the assurance conftest prints at the end of the pytest run.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from eth_abi import decode, encode
from eth_utils import keccak, to_checksum_address
from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.internal.conjecture import engine as _engine
from hypothesis.stateful import RuleBasedStateMachine, invariant, run_state_machine_as_test

from fairgift.fees import FeeSchedule

PROFILE_ENV = "FAIRGIFT_HYPOTHESIS_PROFILE"
SEED_ENV = "FAIRGIFT_SEED"
EXAMPLES_ENV = "FAIRGIFT_EXAMPLES"
STEPS_ENV = "FAIRGIFT_STEPS"
STEP_DELAY_ENV = "FAIRGIFT_STEP_DELAY"

# Examples x steps per state machine. `ci` keeps the four machines to a few minutes of `make test`.
# `fuzz` is sized for a run a developer can wait for: about an hour for the four machines and the
# replay proof on 2 cores beside another test suite (an example of 50 steps takes 0.6 to 5 s
# there, depending on the state machine). It was 1,000 x 50, many hours, and so was never run to the
# end; a longer campaign sets FAIRGIFT_EXAMPLES and prints progress every minute all the same.
PROFILE_SIZES = {
    "ci": (12, 20),
    "fuzz": (300, 50),
}

_COMMON = dict(
    deadline=None,  # chain calls have no meaningful per-example deadline
    suppress_health_check=list(HealthCheck),  # slow examples are the nature of chain tests
    print_blob=True,  # on failure, print the @reproduce_failure blob too
    derandomize=False,  # the seed decides (see run_seed)
    database=None,  # replay comes from the seed alone, never from examples saved by an earlier run
    # After a first failure hypothesis would go on looking for others for 10 s of wall-clock time,
    # which makes what it draws next (and so how it shrinks) depend on the machine's speed.
    report_multiple_bugs=False,
    # No "explain" phase: it re-runs the shrunk example many times to annotate it, which costs as
    # much as the shrinking on a chain and adds nothing to a sequence of steps.
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
)

# Hypothesis also stops shrinking after 300 s of wall-clock time, so under load the "minimal"
# example of a slow chain test would be shrunk less. Shrinking is bounded by its count of
# successful shrinks (MAX_SHRINKS) instead, so a seed always prints the same minimal steps.
_engine.MAX_SHRINKING_SECONDS = 24 * 3600

for _name, (_examples, _steps) in PROFILE_SIZES.items():
    settings.register_profile(
        f"fairgift-{_name}", max_examples=_examples, stateful_step_count=_steps, **_COMMON
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


def run_seed() -> int:
    """The seed every machine of this run uses: `FAIRGIFT_SEED`, else one drawn once per run."""
    global _drawn_seed
    pinned = _env_int(SEED_ENV)
    if pinned is not None:
        return pinned
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
    return settings(base, **overrides)


def replay_hint() -> str:
    """The environment that replays this run exactly."""
    s = active_settings()
    return (
        f"replay: {SEED_ENV}={run_seed()} {PROFILE_ENV}={profile_name()} "
        f"{EXAMPLES_ENV}={s.max_examples} {STEPS_ENV}={s.stateful_step_count}"
    )


# The one off-chain model of a transparent fee (fairgift/fees.py), under the name the machines use.
FeeScheduleModel = FeeSchedule


class FeeWatch:
    """One fee's public promise, checked from the public record alone (the fee's reads and its
    events), independently of any model of what the test sent:

    - the fee in force only ever rises to the value of the live announcement (the last
      `...Scheduled` event not since replaced, applied or cancelled), once its announced date has
      come, and that date is at least the full delay after the block that announced it;
    - an applied change (`...Changed`) never raises the fee; an announcement is always a rise;
    - a cancellation drops exactly the live announcement, before its date.

    The fee in force is observed at every read (`observe`) and, from the events, just before every
    change (`oldBps`): a matured rise that a decrease then overtook in the same block (e.g. a fee at
    300 with 800 maturing at T, and a cut to 500 mined at T: `FeeChanged(800, 500)`) is seen as
    the rise it was, not mistaken for a rise to 500.

    Issue 14's cause (reproduced on the machines of before this check, under load: seed 20261130,
    150 x 50, two CPU hogs; FeeMachine failed after 32 examples, then hypothesis reported it flaky):
    the test's bookkeeping, not the contract. The old check compared each read with the previous
    read only. Recorded: a read of 1 at T - 1, where 1000 was announced (in the block at
    T - 604,800: the full delay) effective at T; a cut to 948 sent while the latest block was at
    T - 1 but mined at T (anvil's clock had followed the wall clock), so it applied against the
    matured 1000 (`FeeChanged(1000, 948)`), as the rule says; the check saw 1 -> 948, a value never
    announced, and failed. In all ten recorded failures the rise had its full delay, the cut was
    mined at or after `effectiveAt`, and the model agreed with the contract: no rise was ever early
    or unannounced. Which second the cut landed in depended on the machine's speed, hence the failed
    replays; the driven clock (below) fixes that, and this check fixes the comparison.
    """

    def __init__(
        self,
        label: str,
        bps: int,
        at: int,
        delay: int,
        *,
        scheduled: str = "FeeChangeScheduled",
        changed: str = "FeeChanged",
        cancelled: str = "FeeChangeCancelled",
        match: dict | None = None,
    ):
        self.label, self.delay = label, delay
        self.kinds = {scheduled: "scheduled", changed: "changed", cancelled: "cancelled"}
        self.match = match or {}  # event arguments that select this fee, e.g. {"token": address}
        self.last = (at, bps)  # the latest observation: (timestamp, fee in force)
        self.live: tuple[int, int, int] | None = None  # (bps, effectiveAt, announced at)
        self.rises = 0  # rises seen (so a test can show the check was exercised)

    def feed(self, events: list[LogEvent]) -> None:
        """Apply the events of the fee's contract, in chain order (others are ignored)."""
        for e in events:
            kind = self.kinds.get(e.name)
            if kind is None or any(e.args.get(k) != v for k, v in self.match.items()):
                continue
            a = e.args
            if kind == "scheduled":
                self.observe(e.timestamp, a["oldBps"])
                assert a["newBps"] > a["oldBps"], f"{self.label}: announced a non-rise {a}"
                self.live = (a["newBps"], a["effectiveAt"], e.timestamp)
            elif kind == "changed":
                self.observe(e.timestamp, a["oldBps"])
                assert a["newBps"] <= a["oldBps"], f"{self.label}: applied a rise at once {a}"
                self.live = None
                self.last = (e.timestamp, a["newBps"])
            else:
                assert self.live is not None and self.live[0] == a["bps"] and e.timestamp < self.live[1], (
                    f"{self.label}: cancelled {a['bps']} at {e.timestamp}, live announcement {self.live}"
                )
                self.live = None

    def observe(self, at: int, bps: int) -> None:
        """The fee in force at time `at` is `bps`."""
        before_at, before = self.last
        if bps > before:
            live = self.live
            assert live is not None, (
                f"{self.label}: rose {before} -> {bps} between {before_at} and {at}, nothing announced"
            )
            live_bps, effective_at, announced_at = live
            assert live_bps == bps and effective_at <= at and effective_at - announced_at >= self.delay, (
                f"{self.label}: rose {before} -> {bps} between {before_at} and {at}; the live announcement "
                f"is {live_bps} effective at {effective_at}, announced in the block at {announced_at} "
                f"(delay {effective_at - announced_at}, full delay {self.delay})"
            )
            self.rises += 1
        self.last = (at, bps)


@dataclass
class Stats:
    """What the property tests and hostile-case tests ran, for the end-of-run summary."""

    examples: Counter = field(default_factory=Counter)  # machine name -> examples
    steps: Counter = field(default_factory=Counter)  # machine name -> rule steps
    hostile: Counter = field(default_factory=Counter)  # outcome -> hostile test cases
    paths: Counter = field(default_factory=Counter)  # path of interest -> times a machine took it
    seconds: Counter = field(default_factory=Counter)  # machine name -> wall-clock seconds it ran

    def summary_lines(self) -> list[str]:
        s = active_settings()
        lines = [
            f"profile {profile_name()}: up to {s.max_examples} examples x {s.stateful_step_count} steps "
            f"per machine; seed {run_seed()} ({replay_hint()})",
        ]
        for name in sorted(self.examples):
            examples, seconds = self.examples[name], self.seconds[name]
            timing = f" in {seconds:,.0f} s ({seconds / examples:.2f} s per example)" if examples else ""
            lines.append(f"  {name}: {examples:,} examples, {self.steps[name]:,} steps{timing}")
        if self.paths:
            lines.append("  paths taken: " + "; ".join(f"{k}: {n}" for k, n in sorted(self.paths.items())))
        hostile_total = sum(self.hostile.values())
        outcomes = ", ".join(f"{n} {k}" for k, n in sorted(self.hostile.items())) or "none run"
        lines.append(
            f"total: {sum(self.examples.values())} examples, {sum(self.steps.values())} steps; "
            f"hostile cases: {hostile_total} ({outcomes})"
        )
        return lines


STATS = Stats()

# Progress: a line every PROGRESS_SECONDS while a machine runs (a fuzz run takes hours). The
# assurance conftest points `progress_sink` at the terminal; only the printing looks at the clock.
PROGRESS_SECONDS = 60.0
progress_sink = None
_last_progress = 0.0


def _report_progress(machine: str, force: bool = False) -> None:
    global _last_progress
    now = time.monotonic()
    if progress_sink is None or not (force or now - _last_progress >= PROGRESS_SECONDS):
        return
    _last_progress = now
    progress_sink(f"  {machine}: {STATS.examples[machine]:,} examples, {STATS.steps[machine]:,} steps so far")


def covered(path: str) -> None:
    """Count that a machine took `path` (a rare branch worth seeing in the summary)."""
    STATS.paths[path] += 1


# ---------------------------------------------------------------------- the chain's clock
# anvil's clock follows the wall clock unless told otherwise: a block mined right after
# `chain.mine(timestamp=T)` lands at T again, one mined a second later at T + 1. A test whose
# outcome depends on which second a transaction lands in then depends on the machine's speed, and
# hypothesis cannot replay its own failures (issue 14). `driven_clock` takes the wall clock out:
# every block is mined exactly one second after the previous one (anvil's block timestamp
# interval; it survives snapshot reverts), unless a rule sets the next block's timestamp itself.

# Why the machines (and whatever uses the driven clock) are marked `anvil_only`.
ANVIL_ONLY = "drives anvil's clock (anvil_setBlockTimestampInterval) and reads in JSON-RPC batches"

START_TIMESTAMP = 2_000_000_000  # 2033-05-18 03:33:20 UTC: where every machine's examples start


def _rpc(method: str, params: list):
    from ape import chain

    return _result(chain.provider.web3.provider.make_request(method, params), method)


def latest_timestamp() -> int:
    return int(_rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)


@contextmanager
def driven_clock(start: int = START_TIMESTAMP):
    """Within the block: blocks are mined one second apart whatever the wall clock does, from a
    block at `start` (mined on entry). anvil only."""
    from ape import chain

    latest = latest_timestamp()
    if latest >= start:
        raise RuntimeError(f"the chain's clock ({latest}) is already past the machines' start ({start})")
    _rpc("anvil_setBlockTimestampInterval", [1])
    try:
        chain.mine(timestamp=start)
        yield
    finally:
        _rpc("anvil_removeBlockTimestampInterval", [])


STEP_PAUSE_BUDGET = 30.0  # seconds: FAIRGIFT_STEP_DELAY stops pausing once its pauses add up to this
_paused = 0.0


def _step_pause() -> None:
    """With FAIRGIFT_STEP_DELAY=S: a random wall-clock pause of up to S seconds after a step (drawn
    outside hypothesis on purpose), until the pauses of the run add up to STEP_PAUSE_BUDGET, to show
    that no outcome depends on the time a step takes. The first pauses fall in the search, the later
    replays of the shrinking run without them: a step that depended on the wall clock would make
    the two disagree (hypothesis then reports a flaky test)."""
    global _paused
    limit = float(os.environ.get(STEP_DELAY_ENV, "0") or 0)
    if limit > 0 and _paused < STEP_PAUSE_BUDGET:
        pause = random.SystemRandom().uniform(0, limit)
        time.sleep(pause)
        _paused += pause


class ChainMachine(RuleBasedStateMachine):
    """A state machine whose every example runs on a chain snapshot that is restored afterwards.

    Deploy the contracts before running the machine (in the test or a fixture): every example then
    starts from that same deployed state, at the same block timestamp (see `driven_clock`; run it
    with `run_machine`).
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
            _step_pause()
            _report_progress(type(self).__name__)
        self._counted_initial_check = True

    # ------------------------------------------------------------------ chain time

    def now(self) -> int:
        """The timestamp view calls see: that of the latest block."""
        return latest_timestamp()

    def pin_next_block(self, seconds: int = 1) -> int:
        """Fix the next block's timestamp at `seconds` after the latest one (1: where the driven
        clock puts it anyway), so the outcome of a time-dependent transaction is known before
        sending it; returns that timestamp."""
        target = self.now() + seconds
        self.chain.pending_timestamp = target
        return target

    def warp(self, seconds: int) -> int:
        """Mine one block `seconds` after the latest one; returns its timestamp."""
        return self.mine_at(self.now() + seconds)

    def mine_at(self, timestamp: int) -> int:
        """Mine one block at exactly `timestamp` (after the latest block's)."""
        assert timestamp > self.now(), f"cannot mine at {timestamp}: the chain is at {self.now()}"
        self.chain.mine(timestamp=timestamp)
        return timestamp


# ---------------------------------------------------------------------- fast reads
# An Ape view call costs ~40 ms on anvil (several RPC round trips, middleware, model validation);
# the invariants after every step make many. `Reader` sends them all, with the latest block's
# header (and any logs asked for), as ONE JSON-RPC batch against the latest block, and decodes
# them with the ABI.


class Reader:
    """Batch view calls: `r = Reader(); a = r.call(c, "m", x); r.run(); a.value`."""

    def __init__(self):
        self._requests: list[tuple[_Pending, tuple[str, list]]] = []
        self.timestamp: int | None = None
        self.number: int | None = None

    def call(self, contract, method: str, *args) -> _Pending:
        abi, calldata = _encode_call(contract, method, args)
        pending = _Pending(f"{method}{args}", _abi_decoder(abi))
        tx = {"to": str(contract.address), "data": "0x" + bytes(calldata).hex()}
        self._requests.append((pending, ("eth_call", [tx, "latest"])))
        return pending

    def logs(self, contract, from_block: int) -> _Pending:
        """The events `contract` emitted from block `from_block` to the latest, decoded. The query
        starts one block earlier (a range that starts past the latest block is an error on anvil,
        and the latest block is only known once the batch has run) and drops that block."""
        pending = _Pending(
            f"logs of {contract.address}",
            lambda raw: [e for e in decode_logs(contract, raw) if e.block >= from_block],
        )
        query = {
            "address": str(contract.address),
            "fromBlock": hex(max(from_block - 1, 0)),
            "toBlock": "latest",
        }
        self._requests.append((pending, ("eth_getLogs", [query])))
        return pending

    def run(self) -> Reader:
        from ape import chain

        requests = [("eth_getBlockByNumber", ["latest", False])] + [req for _, req in self._requests]
        responses = chain.provider.web3.provider.make_batch_request(requests)
        if not isinstance(responses, list):
            raise RuntimeError(f"batch read failed: {responses}")
        block, *results = responses
        header = _result(block, "latest block")
        self.timestamp, self.number = int(header["timestamp"], 16), int(header["number"], 16)
        for (pending, _), response in zip(self._requests, results, strict=True):
            pending.set(_result(response, pending.label))
        return self


class _Pending:
    def __init__(self, label: str, decoder):
        self.label, self._decoder, self._value, self._set = label, decoder, None, False

    def set(self, raw):
        self._value, self._set = self._decoder(raw), True

    @property
    def value(self):
        if not self._set:
            raise RuntimeError(f"{self.label}: Reader.run() not called")
        return self._value


def _abi_decoder(abi):
    types = [o.canonical_type for o in abi.outputs]

    def decode_output(raw: str):
        values = decode(types, bytes.fromhex(raw[2:]))
        values = tuple(_checksum(t, v) for t, v in zip(types, values, strict=True))
        return values[0] if len(values) == 1 else values

    return decode_output


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


# ---------------------------------------------------------------------- events


@dataclass(frozen=True)
class LogEvent:
    """One decoded event, with the block it was mined in."""

    block: int
    log_index: int
    timestamp: int
    name: str
    args: dict


def decode_logs(contract, raw_logs: list[dict]) -> list[LogEvent]:
    """Decode `eth_getLogs` results with `contract`'s ABI, in chain order (unknown events skipped).
    Indexed arguments of dynamic types stay as their 32-byte topic."""
    abis = {keccak(text=e.selector): e for e in contract.contract_type.events}
    events = []
    for log in raw_logs:
        topics = [bytes.fromhex(t[2:]) for t in log["topics"]]
        abi = abis.get(topics[0]) if topics else None
        if abi is None:
            continue
        indexed = [i for i in abi.inputs if i.indexed]
        plain = [i for i in abi.inputs if not i.indexed]
        values = decode([i.canonical_type for i in plain], bytes.fromhex(log["data"][2:]))
        args = {i.name: _checksum(i.canonical_type, v) for i, v in zip(plain, values, strict=True)}
        for i, topic in zip(indexed, topics[1:], strict=True):
            static = i.canonical_type not in ("string", "bytes") and not i.canonical_type.endswith("]")
            args[i.name] = (
                _checksum(i.canonical_type, decode([i.canonical_type], topic)[0]) if static else topic
            )
        if "blockTimestamp" not in log:
            raise RuntimeError("the node's logs carry no blockTimestamp (anvil's do)")
        events.append(
            LogEvent(
                int(log["blockNumber"], 16),
                int(log["logIndex"], 16),
                int(log["blockTimestamp"], 16),
                abi.name,
                args,
            )
        )
    return sorted(events, key=lambda e: (e.block, e.log_index))


class LogTail:
    """The events one contract emitted since the last read, for the invariants: call `request`
    before `Reader.run()`, then `events()`."""

    def __init__(self, contract, from_block: int):
        self.contract, self.from_block = contract, from_block
        self._pending: _Pending | None = None
        self._reader: Reader | None = None

    def request(self, reader: Reader) -> None:
        self._pending, self._reader = reader.logs(self.contract, self.from_block), reader

    def events(self) -> list[LogEvent]:
        events = self._pending.value
        self.from_block = self._reader.number + 1
        return events


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


@contextmanager
def prompt_receipts(poll_seconds: float = 0.002):
    """Poll for transaction receipts every `poll_seconds` instead of web3's 0.1 s: on anvil a
    receipt is ready within a few milliseconds, and the 0.1 s sleep doubled the time of every
    transaction of the state machines (measured: 83 -> 40 ms per transaction)."""
    from web3.eth import Eth

    original = Eth.wait_for_transaction_receipt

    def wait(self, transaction_hash, timeout=120, poll_latency=0.1):
        return original(self, transaction_hash, timeout, min(poll_latency, poll_seconds))

    Eth.wait_for_transaction_receipt = wait
    try:
        yield
    finally:
        Eth.wait_for_transaction_receipt = original


# Keyed accounts of the machines, each machine its own range of the test mnemonic's indexes.
MACHINE_ACCOUNTS_FIRST_INDEX = {"jar": 1_000, "market": 1_010, "split": 1_020}


def machine_accounts(accounts, machine: str, count: int) -> list:
    """`count` keyed test accounts at fixed indexes of the test mnemonic, the same addresses in
    every session: `accounts.generate_test_account()` takes the session's next index, so a
    machine's accounts (and what its examples do) would depend on what ran before it in the
    session, and a failure of a full `make fuzz` would not replay in a run of its one file."""
    first = MACHINE_ACCOUNTS_FIRST_INDEX[machine]
    container = accounts.containers["test"]
    return [container.generate_account(index=first + i) for i in range(count)]


def run_machine(machine_cls: type[ChainMachine]) -> None:
    """Run `machine_cls` with the active profile and the run's seed, on the driven clock; a
    failure carries the environment that replays it."""
    global _last_progress
    cls = hypothesis_seed(run_seed())(type(machine_cls.__name__, (machine_cls,), {}))
    _last_progress = started = time.monotonic()
    if progress_sink is not None:
        # Printed before the first example, so a run that is killed, or that shrinks a failure for
        # a long time, can already be replayed from this line.
        s = active_settings()
        progress_sink(
            f"  {machine_cls.__name__}: starting, up to {s.max_examples:,} examples x "
            f"{s.stateful_step_count} steps; {replay_hint()}"
        )
    with driven_clock(), prompt_receipts():
        try:
            run_state_machine_as_test(cls, settings=active_settings())
        except BaseException as exc:
            exc.add_note(replay_hint())
            raise
        finally:
            # Reported, never asserted: only the summary and the progress lines look at the clock.
            name, seconds = machine_cls.__name__, time.monotonic() - started
            STATS.seconds[name] += seconds
            if progress_sink is not None:
                counts = f"{STATS.examples[name]:,} examples, {STATS.steps[name]:,} steps"
                progress_sink(f"  {name}: {counts} in {seconds:,.0f} s")
