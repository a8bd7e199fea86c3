"""Stateful property test of the tip jar, against an exact Python model, over every path that moves
money: tips, gifts (with their price bound), tips with an EIP-2612 permit (fresh, front-run, expired,
signed by someone else), tips relayed with an EIP-3009 authorization (valid, not yet valid, expired,
replayed, with the creator or message changed by the relayer), `tipBatch` relays by a relayer
(valid, expired, replayed, mis-signed, unfunded, zero and bad-creator items, and items skipped
earlier relayed again), `invalidateNonces`, allowance changes and revocations, USDC blacklisting
of fans, creators, treasuries and payouts, withdrawals (own and pushed), payouts, treasury changes,
allow-list changes (including a token first listed mid-run, after a fee was scheduled), fee
schedules, time travel and intruders; by several fans, creators and treasuries, in five tokens:
MockUSDC (6 decimals, permit, EIP-3009, blacklist), an 18-decimals token, a 36-decimals token
(amounts up to 10^45 base units, which take the treasury's fee pot through its overflow path), a
USDT-like token without return values, and an 18-decimals token unlisted when each example starts.

After every step, per token: `token.balanceOf(jar) == Σ jar.balanceOf(account, token)`; every credit
and every fan's wallet equal the model; Σ withdrawn + Σ credited == Σ tipped; `feeBpsOf(token) ==
feeBps()` for every listed token; every batch nonce bit the machine touched is set exactly when its
item was tipped or the fan invalidated it; the fee equals the model and never exceeds the cap, and
(from the public record alone, `machinery.FeeWatch`) only ever rises to its live announcement once
the full delay has passed; no credit ever decreases except by its owner's withdrawal. Every tip
checks its `Tipped` event (`fee + net == amount`) and the credit deltas; every batch checks each
item's `Tipped` or `BatchTipSkipped` (with its reason) and that a skipped item moved nothing.
"""

from collections import Counter
from dataclasses import dataclass, replace

import ape
import pytest
from eth_utils import keccak, to_checksum_address
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule
from machinery import (
    ANVIL_ONLY,
    ChainMachine,
    FeeScheduleModel,
    FeeWatch,
    LogTail,
    Reader,
    assert_rejected,
    covered,
    driven_clock,
    machine_accounts,
    prompt_receipts,
    revert_data,
    run_machine,
)

from fairgift.batch import batch_args, by_creator, sign_tip
from fairgift.fees import split
from fairgift.signing import authorization_message, permit_message, sign, tip_authorization_nonce
from tests.constants import DELAY, MAX_FEE_BPS, MAX_UINT, ZERO_ADDRESS

INITIAL_BPS = 300
WHOLE_TOKENS = 10**12  # every fan's starting balance of every token, in whole tokens
GIFTS = {1: ("Rose", 10_000), 2: ("Heart", 990_000), 3: ("Universe", 499_990_000)}
UNKNOWN_GIFT, RETIRED_GIFT = 4, 5
FEE_POT_MAX = 2**136 - 1  # TipJar.TokenInfo.feePot: fees past it are booked to the treasury directly
SKIP = {
    "Expired": 1,
    "ZeroAmount": 2,
    "InvalidCreator": 3,
    "NonceUsed": 4,
    "BadSignature": 5,
    "TransferFailed": 6,
}
BATCH_KINDS = ("valid", "valid", "valid", "expired", "replay", "missigned", "unfunded", "zero", "bad_creator")

raw_amounts = st.one_of(
    st.integers(1, 10**7),
    st.integers(1, 10**24),
    st.sampled_from([1, 2, 9_999, 10_000, 10_001, 33_333]),
)
# (raw, usd6): a raw amount of base units, or an amount in USD (6 decimals) scaled to the token's
# decimals: up to 10^9 USD, i.e. 10^45 base units of the 36-decimals token.
amounts = st.tuples(raw_amounts, st.one_of(st.none(), st.integers(1, 10**15)))
gaps = st.one_of(st.integers(1, 3 * 24 * 3600), st.sampled_from([DELAY - 1, DELAY, DELAY + 1]))
bps_values = st.one_of(st.integers(0, MAX_FEE_BPS), st.sampled_from([0, MAX_FEE_BPS, MAX_FEE_BPS + 1]))
nonce_picks = st.sampled_from(["next", "next", "next", "far word", "top word"])


@dataclass
class Signed:
    """A batch item some fan signed (or some other key signed in its name)."""

    token: str
    fan: int
    item: object  # fairgift.batch.BatchTip
    genuine: bool  # signed by `fan` itself, over exactly these fields


class JarMachine(ChainMachine):
    # Set by the test before running: contracts and actors.
    jar = usdc = owner = relayer = intruder = None
    tokens: list = []  # usdc, dai (18), big (36), usdt (no return values), late (unlisted at start)
    listed_at_start: set = set()
    fans: list = []
    creators: list = []  # the last one is a RevertingReceiver contract (acts through withdrawFor)
    treasuries: list = []
    payees: list = []  # possible payout targets (addresses that only receive)
    decimals: dict = {}

    def __init__(self):
        super().__init__()
        self.fee = FeeScheduleModel(INITIAL_BPS, MAX_FEE_BPS, DELAY)
        self.treasury = self.treasuries[0]
        self.holders = [*self.creators, *self.treasuries]  # who can hold credits
        self.credit = Counter()  # (account, token) -> credited
        self.tipped = Counter()  # token -> Σ tipped
        self.withdrawn = Counter()  # token -> Σ withdrawn
        self.payout = {}  # account -> payout address (absent: itself)
        self.allowed = {str(t.address): str(t.address) in self.listed_at_start for t in self.tokens}
        self.ever_listed = set(self.listed_at_start)
        self.fee_pot = Counter()  # token -> fees accrued to the treasury in office, not yet in its credit
        self.blacklisted = set()
        self.wallet = {  # (holder, token) -> balance, for the fans (and what the jar pays out)
            (str(f.address), str(t.address)): WHOLE_TOKENS * 10 ** self.decimals[str(t.address)]
            for f in self.fans
            for t in self.tokens
        }
        self.allowance = {(str(f.address), str(t.address)): MAX_UINT for f in self.fans for t in self.tokens}
        self.bitmap = Counter()  # (fan, word) -> nonce bits, as the model says
        self.next_nonce = Counter()  # fan -> the next nonce it signs by default
        self.signed: list[Signed] = []  # batch items signed so far (relayed or not)
        self.authorizations: list[tuple] = []  # tipWithAuthorization arguments already used
        start = Reader().run()
        self.fee_watch = FeeWatch("jar fee", INITIAL_BPS, start.timestamp, DELAY)
        self.events = LogTail(self.jar, start.number + 1)
        self.last_credit = Counter()
        self.own_withdrawals = set()  # (account, token) withdrawn in the current step

    # ------------------------------------------------------------------ helpers

    def payout_of(self, account) -> str:
        return self.payout.get(str(account.address), str(account.address))

    def amount_of(self, token, amount) -> int:
        raw, usd6 = amount
        return raw if usd6 is None else usd6 * 10 ** (self.decimals[str(token.address)] - 6)

    def pull_error(self, token, fan: str, amount: int, spender_allowance: int | None = None):
        """Why `jar` pulling `amount` of `token` from `fan` by allowance fails now, as
        (error, args, contract declaring it), or None if it succeeds."""
        key = (fan, str(token.address))
        allowance = self.allowance[key] if spender_allowance is None else spender_allowance
        balance = self.wallet[key]
        if token is self.tokens[3]:  # USDT-like
            if allowance < amount:
                return "InsufficientAllowance", (self.jar, allowance, amount), token
            if balance < amount:
                return "InsufficientBalance", (fan, balance, amount), token
            return None
        if allowance < amount:
            return "ERC20InsufficientAllowance", (self.jar, allowance, amount), token
        if token is self.usdc and fan in self.blacklisted:
            return "AccountBlacklisted", (fan,), token
        if balance < amount:
            return "ERC20InsufficientBalance", (fan, balance, amount), token
        return None

    def spend(self, token, fan: str, amount: int) -> None:
        """The model of a successful pull of `amount` from `fan` by the jar."""
        key = (fan, str(token.address))
        if self.allowance[key] != MAX_UINT:
            self.allowance[key] -= amount
        self.wallet[key] -= amount

    def book(self, creator, token, amount: int, bps: int) -> tuple[int, int]:
        fee, net = split(amount, bps)
        key = str(token.address)
        self.credit[(str(creator.address), key)] += net
        self.credit[(str(self.treasury.address), key)] += fee
        self.tipped[key] += amount
        # Where the jar keeps the fee (the treasury's balance is the same either way): its fee pot,
        # or, past the pot's 136 bits, the treasury's credit directly.
        if self.fee_pot[key] + fee <= FEE_POT_MAX:
            self.fee_pot[key] += fee
        else:
            covered("jar: fee pot full, fee booked to the treasury's credit")
        return fee, net

    def tipped_event(self, fan, creator, token, amount, fee, gift_id, message):
        return self.jar.Tipped(
            fan=fan, creator=creator, token=token, amount=amount, fee=fee, giftId=gift_id, message=message
        )

    # ------------------------------------------------------------------ tips and gifts

    @rule(fan=st.integers(0, 2), creator=st.integers(0, 2), token=st.integers(0, 4), amount=amounts)
    def tip(self, fan, creator, token, amount):
        fan, creator, token = self.fans[fan], self.creators[creator], self.tokens[token]
        amount = self.amount_of(token, amount)
        args = (creator, token, amount, "hi")
        if not self.allowed[str(token.address)]:
            assert_rejected(self.jar, "tip", *args, sender=fan, error="TokenNotAllowed", error_args=(token,))
            return
        if failure := self.pull_error(token, str(fan.address), amount):
            error, error_args, source = failure
            assert_rejected(
                self.jar, "tip", *args, sender=fan, error=error, error_args=error_args, error_from=source
            )
            return
        self._book_tip(fan, creator, token, amount, gift_id=0, quantity=0)

    def _book_tip(self, fan, creator, token, amount, gift_id, quantity):
        at = self.pin_next_block()
        treasury = self.treasury
        before = Reader()
        c_before = before.call(self.jar, "balanceOf", creator, token)
        t_before = before.call(self.jar, "balanceOf", treasury, token)
        before.run()
        if gift_id:
            tx = self.jar.sendGift(creator, token, gift_id, quantity, amount, "a gift", sender=fan)
            message = "a gift"
        else:
            tx = self.jar.tip(creator, token, amount, "hi", sender=fan)
            message = "hi"
        assert tx.timestamp == at
        fee, net = self.book(creator, token, amount, self.fee.current(at))
        self.spend(token, str(fan.address), amount)
        tipped = [e for e in tx.events if e.event_name == "Tipped"]
        assert tipped == [self.tipped_event(fan, creator, token, amount, fee, gift_id, message)]
        after = Reader()
        c_after = after.call(self.jar, "balanceOf", creator, token)
        t_after = after.call(self.jar, "balanceOf", treasury, token)
        after.run()
        # fee + net == amount, and exactly that reached the creator's and the treasury's credits.
        assert c_after.value - c_before.value == net
        assert t_after.value - t_before.value == fee
        assert fee + net == amount

    @rule(
        fan=st.integers(0, 2),
        creator=st.integers(0, 2),
        token=st.integers(0, 4),
        gift_id=st.integers(1, 5),
        quantity=st.integers(0, 4),
        bound=st.sampled_from(["exact", "exact", "one below", "none"]),
    )
    def send_gift(self, fan, creator, token, gift_id, quantity, bound):
        fan, creator, token = self.fans[fan], self.creators[creator], self.tokens[token]
        price = GIFTS.get(gift_id, ("", 1))[1]
        amount = price * quantity * 10 ** (self.decimals[str(token.address)] - 6)
        max_amount = {"exact": amount, "one below": amount - 1, "none": MAX_UINT}[bound]
        args = (creator, token, gift_id, quantity, max(max_amount, 0), "a gift")
        if not self.allowed[str(token.address)]:
            error, error_args, source = "TokenNotAllowed", (token,), self.jar
        elif quantity == 0:
            error, error_args, source = "ZeroQuantity", (), self.jar
        elif gift_id == UNKNOWN_GIFT:
            error, error_args, source = "UnknownGift", (gift_id,), self.jar
        elif gift_id == RETIRED_GIFT:
            error, error_args, source = "GiftRetired", (gift_id,), self.jar
        elif bound == "one below":
            error, error_args, source = "GiftPriceAboveMax", (amount, amount - 1), self.jar
        elif failure := self.pull_error(token, str(fan.address), amount):
            error, error_args, source = failure
        else:
            self._book_tip(fan, creator, token, amount, gift_id, quantity)
            return
        assert_rejected(
            self.jar, "sendGift", *args, sender=fan, error=error, error_args=error_args, error_from=source
        )

    @rule(fan=st.integers(0, 2), token=st.integers(0, 4), creator_is_jar=st.booleans())
    def invalid_tips_rejected(self, fan, token, creator_is_jar):
        fan, token = self.fans[fan], self.tokens[token]
        assert_rejected(self.jar, "tip", self.creators[0], token, 0, "", sender=fan, error="ZeroAmount")
        bad = self.jar if creator_is_jar else ZERO_ADDRESS
        if self.allowed[str(token.address)]:
            assert_rejected(
                self.jar,
                "tip",
                bad,
                token,
                1,
                "",
                sender=fan,
                error="InvalidCreator",
                error_args=(str(bad.address) if creator_is_jar else bad,),
            )
            assert_rejected(self.jar, "tipBatch", token, [], b"", sender=self.relayer, error="EmptyBatch")

    # ------------------------------------------------------------------ permit (EIP-2612, MockUSDC)

    @rule(
        fan=st.integers(0, 2),
        creator=st.integers(0, 2),
        amount=amounts,
        case=st.sampled_from(["fresh", "fresh", "front-run", "expired", "other signer"]),
    )
    def tip_with_permit(self, fan, creator, amount, case):
        fan, creator, token = self.fans[fan], self.creators[creator], self.usdc
        who, amount = str(fan.address), self.amount_of(token, amount)
        at = self.now() + 1  # where the driven clock mines the next block
        deadline = at - 10 if case == "expired" else at + 3600
        nonce = int(self.usdc.nonces(fan))
        signer = self.fans[(self.fans.index(fan) + 1) % 3] if case == "other signer" else fan
        message = permit_message(token, fan, self.jar, amount, deadline, nonce=nonce)
        v, r, s = sign(signer, message)
        args = (creator, token, amount, "with permit", deadline, v, r, s)
        key = (who, str(token.address))
        if case == "front-run":
            # Someone submits the fan's permit first: it is valid, the jar's own permit call then
            # fails (nonce used), and the tip proceeds on the allowance the permit gave.
            if who in self.blacklisted:
                return
            self.usdc.permit(fan, self.jar, amount, deadline, v, r, s, sender=self.relayer)
            self.allowance[key] = amount
        permit_works = case == "fresh" and who not in self.blacklisted
        allowance = amount if permit_works else self.allowance[key]
        if not self.allowed[str(token.address)]:
            failure = "TokenNotAllowed", (token,), self.jar
        elif not permit_works and allowance < amount:
            failure = "PermitFailed", (token, allowance, amount), self.jar
        else:
            failure = self.pull_error(token, who, amount, spender_allowance=allowance)
        if failure:
            error, error_args, source = failure
            assert_rejected(
                self.jar,
                "tipWithPermit",
                *args,
                sender=fan,
                error=error,
                error_args=error_args,
                error_from=source,
            )
            return
        at = self.pin_next_block()  # after the front-run, if any
        tx = self.jar.tipWithPermit(*args, sender=fan)
        assert tx.timestamp == at
        self.allowance[key] = allowance
        self.spend(token, who, amount)
        fee, _ = self.book(creator, token, amount, self.fee.current(at))
        tipped = [e for e in tx.events if e.event_name == "Tipped"]
        assert tipped == [self.tipped_event(fan, creator, token, amount, fee, 0, "with permit")]

    # ------------------------------------------------------------------ EIP-3009 (MockUSDC)

    @rule(
        fan=st.integers(0, 2),
        creator=st.integers(0, 2),
        amount=amounts,
        salt=st.binary(min_size=32, max_size=32),
        case=st.sampled_from(
            ["valid", "valid", "not yet valid", "expired", "replayed", "other creator", "other message"]
        ),
    )
    def tip_with_authorization(self, fan, creator, amount, salt, case):
        fan, creator, token = self.fans[fan], self.creators[creator], self.usdc
        who, amount = str(fan.address), self.amount_of(token, amount)
        at = self.now() + 1
        if case == "replayed" and self.authorizations:
            args = self.authorizations[salt[0] % len(self.authorizations)]
            nonce = tip_authorization_nonce(args[1], args[4], args[7])
            if not self.allowed[str(token.address)]:
                error, error_args, source = "TokenNotAllowed", (token,), self.jar
            elif self.now() >= args[6]:  # checked before the nonce (view calls see the latest block)
                error, error_args, source = "AuthorizationExpired", (args[6],), token
            else:
                error, error_args, source = "AuthorizationAlreadyUsed", (args[0], nonce), token
            assert_rejected(
                self.jar,
                "tipWithAuthorization",
                *args,
                sender=self.relayer,
                error=error,
                error_args=error_args,
                error_from=source,
            )
            return
        valid_after = at + 600 if case == "not yet valid" else at - 600
        valid_before = at - 1 if case == "expired" else at + 3600
        message = "relayed"
        nonce = tip_authorization_nonce(creator, message, salt)
        v, r, s = sign(
            fan, authorization_message(token, fan, self.jar, amount, valid_after, valid_before, nonce)
        )
        # What the relayer submits; "other ..." cases: it changed what the fan signed.
        sent_creator = (
            self.creators[(self.creators.index(creator) + 1) % 3] if case == "other creator" else creator
        )
        sent_message = "changed" if case == "other message" else message
        args = (fan, sent_creator, token, amount, sent_message, valid_after, valid_before, salt, v, r, s)
        # The nonce the jar derives from what is sent: hypothesis may draw a salt it drew before,
        # and a fan's nonce is used once (the token checks it after the dates, before the signer).
        sent_nonce = tip_authorization_nonce(sent_creator, sent_message, salt)
        used = {(str(a[0].address), tip_authorization_nonce(a[1], a[4], a[7])) for a in self.authorizations}
        if not self.allowed[str(token.address)]:
            failure = "TokenNotAllowed", (token,)
        elif case == "not yet valid":
            failure = "AuthorizationNotYetValid", (valid_after,)
        elif case == "expired":
            failure = "AuthorizationExpired", (valid_before,)
        elif (who, sent_nonce) in used:
            covered("jar: an authorization nonce the fan already used")
            failure = "AuthorizationAlreadyUsed", (who, sent_nonce)
        elif case.startswith("other"):
            # The nonce the jar derives differs, so the recovered signer is some unrelated address.
            got = revert_data(self.jar, "tipWithAuthorization", *args, sender=self.relayer)
            assert (
                got is not None and got[:4] == keccak(text="InvalidAuthorizationSigner(address,address)")[:4]
            )
            return
        elif who in self.blacklisted:
            failure = "AccountBlacklisted", (who,)
        elif self.wallet[(who, str(token.address))] < amount:
            failure = "ERC20InsufficientBalance", (who, self.wallet[(who, str(token.address))], amount)
        else:
            failure = None
        if failure:
            error, error_args = failure
            assert_rejected(
                self.jar,
                "tipWithAuthorization",
                *args,
                sender=self.relayer,
                error=error,
                error_args=error_args,
                error_from=self.jar if error == "TokenNotAllowed" else token,
            )
            return
        self.pin_next_block()
        tx = self.jar.tipWithAuthorization(*args, sender=self.relayer)
        assert tx.timestamp == at
        self.wallet[(who, str(token.address))] -= amount  # no allowance involved
        fee, _ = self.book(creator, token, amount, self.fee.current(at))
        tipped = [e for e in tx.events if e.event_name == "Tipped"]
        assert tipped == [self.tipped_event(fan, creator, token, amount, fee, 0, message)]
        assert self.usdc.authorizationState(fan, nonce)
        self.authorizations.append(args)

    # ------------------------------------------------------------------ tipBatch (relayers)

    def sign_item(self, token, fan: int, creator, amount: int, nonce: int, deadline: int, signer: int):
        item = sign_tip(self.fans[signer], self.jar, creator, token, amount, "batched", nonce, deadline)
        if signer != fan:  # signed by another key in this fan's name
            item = replace(item, fan=str(self.fans[fan].address))
        return Signed(str(token.address), fan, item, genuine=signer == fan)

    def pick_nonce(self, fan: int, pick: str) -> int:
        if pick == "next":
            nonce = self.next_nonce[fan]
            self.next_nonce[fan] += 1
            return nonce
        if pick == "far word":
            return 3 * 256 + self.next_nonce[fan] % 256
        return 2**248 + self.next_nonce[fan]

    @rule(
        token=st.integers(0, 4),
        specs=st.lists(
            st.tuples(
                st.sampled_from(BATCH_KINDS),
                st.integers(0, 2),  # fan
                st.integers(0, 2),  # creator
                amounts,
                nonce_picks,
                st.integers(0, 2**16),  # which earlier item, for replays
            ),
            min_size=1,
            max_size=4,
        ),
        messages=st.sampled_from(["as signed"] * 6 + ["cut short", "one byte extra"]),
    )
    def relay_batch(self, token, specs, messages):
        token = self.tokens[token]
        key = str(token.address)
        at = self.now() + 1
        items: list[Signed] = []
        for kind, fan, creator, amount, pick, which in specs:
            creator = self.creators[creator]
            amount = self.amount_of(token, amount)
            earlier = [s for s in self.signed if s.token == key]
            if kind == "replay" and earlier:
                items.append(earlier[which % len(earlier)])  # relayed before: tipped, skipped or never
                continue
            nonce = self.pick_nonce(fan, pick)
            deadline = at - 1 if kind == "expired" else at + (which % 2) * 3600  # `at` itself is valid
            if kind == "zero":
                amount = 0
            elif kind == "unfunded":
                amount = self.wallet[(str(self.fans[fan].address), key)] + 1
            elif kind == "bad_creator":
                creator = self.jar if which % 2 else ZERO_ADDRESS
            signer = (fan + 1) % 3 if kind == "missigned" else fan
            items.append(self.sign_item(token, fan, creator, amount, nonce, deadline, signer))
        self.signed.extend(s for s in items if s not in self.signed)
        # Each creator's items next to each other, as relayers submit them (fairgift.batch.by_creator);
        # BatchTipSkipped.index counts in this order.
        runs: dict[str, list[Signed]] = {}
        for s in items:
            runs.setdefault(s.item.creator.lower(), []).append(s)
        items = [s for run in runs.values() for s in run]
        assert [s.item for s in items] == by_creator([s.item for s in items])
        tips, data = batch_args([s.item for s in items])
        # The relayer may mangle the messages' bytes: the whole batch is then rejected.
        data = {"as signed": data, "cut short": data[:-1], "one byte extra": data + b"\x00"}[messages]
        if not self.allowed[key]:
            error, error_args = "TokenNotAllowed", (token,)
        elif messages == "cut short":  # the last item's message ends past the bytes given
            error, error_args = "BatchMessagesMismatch", (len(items) - 1,)
        elif messages == "one byte extra":  # bytes left over after the last item
            error, error_args = "BatchMessagesMismatch", (len(items),)
        else:
            error = None
        if error:
            assert_rejected(
                self.jar,
                "tipBatch",
                token,
                tips,
                data,
                sender=self.relayer,
                error=error,
                error_args=error_args,
            )
            return

        # The model, item by item, in order.
        bps = self.fee.current(at)
        expected = []  # (event name, args) in order
        moved = Counter()  # fan -> amount pulled
        for index, s in enumerate(items):
            t, fan = s.item, str(self.fans[s.fan].address)
            word, bit = t.nonce >> 8, 1 << (t.nonce & 0xFF)
            if at > t.deadline:
                reason = "Expired"
            elif t.amount == 0:
                reason = "ZeroAmount"
            elif int(t.creator, 16) == 0 or t.creator == str(self.jar.address):
                reason = "InvalidCreator"
            elif self.bitmap[(fan, word)] & bit:
                reason = "NonceUsed"
            elif not s.genuine:
                reason = "BadSignature"
            elif self.pull_error(token, fan, t.amount):
                reason = "TransferFailed"
            else:
                reason = None
            if reason:
                covered(f"jar: batch item skipped, {reason}")
                expected.append(
                    ("BatchTipSkipped", dict(index=index, fan=fan, nonce=t.nonce, reason=SKIP[reason]))
                )
                continue
            covered("jar: batch item tipped")
            self.bitmap[(fan, word)] |= bit
            self.spend(token, fan, t.amount)
            moved[fan] += t.amount
            creator = next(c for c in self.creators if str(c.address) == t.creator)
            fee, _ = self.book(creator, token, t.amount, bps)
            expected.append(
                (
                    "Tipped",
                    dict(
                        fan=fan,
                        creator=t.creator,
                        token=key,
                        amount=t.amount,
                        fee=fee,
                        giftId=0,
                        message=t.message,
                    ),
                )
            )

        wallets_before = Reader()
        before = {f: wallets_before.call(token, "balanceOf", f) for f in self.fans}
        jar_before = wallets_before.call(token, "balanceOf", self.jar)
        wallets_before.run()
        self.pin_next_block()
        tx = self.jar.tipBatch(token, tips, data, sender=self.relayer)
        assert tx.timestamp == at
        got = [
            (e.event_name, {k: _plain(v) for k, v in e.event_arguments.items()})
            for e in tx.events
            if e.event_name in ("Tipped", "BatchTipSkipped")
            and str(e.contract_address) == str(self.jar.address)
        ]
        assert got == [(name, {k: _plain(v) for k, v in args.items()}) for name, args in expected]
        # A skipped item moved nothing: each fan paid exactly its tipped items, the jar got their sum.
        after = Reader()
        wallets = {f: after.call(token, "balanceOf", f) for f in self.fans}
        jar_after = after.call(token, "balanceOf", self.jar)
        after.run()
        for f in self.fans:
            assert before[f].value - wallets[f].value == moved[str(f.address)]
        assert jar_after.value - jar_before.value == sum(moved.values())

    @rule(
        fan=st.integers(0, 2),
        which=st.integers(0, 2**16),
        mask=st.sampled_from(["its bit", "its bit", "random", "whole word"]),
        bits=st.integers(0, 2**256 - 1),
    )
    def invalidate_nonces(self, fan, which, mask, bits):
        """The fan cancels nonces: the bit of one of its signed items, random bits, or a whole word."""
        who = str(self.fans[fan].address)
        mine = [s for s in self.signed if s.fan == fan]
        nonce = mine[which % len(mine)].item.nonce if mine else self.next_nonce[fan]
        word = nonce >> 8
        value = {"its bit": 1 << (nonce & 0xFF), "random": bits, "whole word": MAX_UINT}[mask]
        tx = self.jar.invalidateNonces(word, value, sender=self.fans[fan])
        assert tx.events == [self.jar.NoncesInvalidated(fan=who, word=word, mask=value)]
        self.bitmap[(who, word)] |= value

    @rule(
        fan=st.integers(0, 2), token=st.integers(0, 4), level=st.sampled_from(["none", "some", "unlimited"])
    )
    def set_allowance(self, fan, token, level):
        """A fan revokes, limits or restores its allowance to the jar."""
        fan, token = self.fans[fan], self.tokens[token]
        key = (str(fan.address), str(token.address))
        value = {"none": 0, "some": 10 ** self.decimals[key[1]], "unlimited": MAX_UINT}[level]
        if token is self.usdc and key[0] in self.blacklisted:
            assert_rejected(
                token,
                "approve",
                self.jar,
                value,
                sender=fan,
                error="AccountBlacklisted",
                error_args=(key[0],),
            )
            return
        if token is self.tokens[3] and value and self.allowance[key]:
            token.approve(self.jar, 0, sender=fan)  # USDT: non-zero to non-zero goes through zero
        token.approve(self.jar, value, sender=fan)
        self.allowance[key] = value

    # ------------------------------------------------------------------ withdrawals

    @rule(account=st.integers(0, 4), token=st.integers(0, 4), pushed=st.booleans(), pusher=st.integers(0, 2))
    def withdraw(self, account, token, pushed, pusher):
        account, token = self.holders[account], self.tokens[token]
        if account is self.creators[-1]:
            pushed = True  # the rejecting contract's credit is pushed by anyone
        caller = self.fans[pusher] if pushed else account
        method, args = ("withdrawFor", (account, token)) if pushed else ("withdraw", (token,))
        key = (str(account.address), str(token.address))
        expected = self.credit[key]
        to = self.payout_of(account)
        if expected == 0:
            assert_rejected(
                self.jar, method, *args, sender=caller, error="NothingToWithdraw", error_args=(account, token)
            )
            return
        if token is self.usdc and to in self.blacklisted:
            assert_rejected(
                self.jar,
                method,
                *args,
                sender=caller,
                error="AccountBlacklisted",
                error_args=(to,),
                error_from=self.usdc,
            )
            return
        wallet_before = int(token.balanceOf(to))
        tx = getattr(self.jar, method)(*args, sender=caller)
        if account is self.treasury:
            self.fee_pot[str(token.address)] = 0
        assert self.jar.Withdrawn(account=account, token=token, to=to, amount=expected) in tx.events
        assert int(token.balanceOf(to)) - wallet_before == expected
        self.credit[key] = 0
        self.withdrawn[str(token.address)] += expected
        self.own_withdrawals.add(key)

    @rule(account=st.integers(0, 3), to=st.integers(0, 3))
    def set_payout(self, account, to):
        account = [*self.creators[:-1], *self.treasuries][account]  # EOAs only
        if to == 3:
            assert_rejected(
                self.jar, "setPayout", self.jar, sender=account, error="InvalidPayout", error_args=(self.jar,)
            )
            return
        payout = self.payees[to]
        tx = self.jar.setPayout(payout, sender=account)
        effective = str(account.address) if int(payout, 16) == 0 else payout
        assert tx.events == [self.jar.PayoutSet(account=account, payout=effective)]
        self.payout[str(account.address)] = effective

    # ------------------------------------------------------------------ owner powers

    @rule(index=st.integers(0, 2))
    def set_treasury(self, index):
        if index == 2:
            assert_rejected(
                self.jar,
                "setTreasury",
                ZERO_ADDRESS,
                sender=self.owner,
                error="InvalidTreasury",
                error_args=(ZERO_ADDRESS,),
            )
            return
        new = self.treasuries[index]
        tx = self.jar.setTreasury(new, sender=self.owner)
        assert self.jar.TreasurySet(treasury=new) in tx.events
        # The outgoing treasury keeps every fee accrued so far (its fee pot is booked to its credit),
        # which the invariants check: no credit moves.
        self.treasury = new
        self.fee_pot.clear()

    @rule(token=st.integers(0, 4), allowed=st.booleans())
    def set_token_allowed(self, token, allowed):
        token = self.tokens[token]
        tx = self.jar.setTokenAllowed(token, allowed, sender=self.owner)
        assert tx.events == [self.jar.TokenAllowed(token=token, allowed=allowed)]
        self.allowed[str(token.address)] = allowed
        if allowed:
            if str(token.address) not in self.ever_listed and self.fee.pending(self.now())[0]:
                covered("jar: token first listed while a fee increase is pending")
            self.ever_listed.add(str(token.address))

    @rule(who=st.integers(0, 9), on=st.booleans())
    def blacklist(self, who, on):
        """USDC's admin blacklists (or clears) a fan, a creator, a treasury or a payout address."""
        everyone = [
            *(str(f.address) for f in self.fans),
            *(str(h.address) for h in self.holders),
            *(p for p in self.payees if int(p, 16)),
        ]
        address = everyone[who % len(everyone)]
        if on:
            self.usdc.blacklist(address, sender=self.owner)
            self.blacklisted.add(address)
        else:
            self.usdc.unBlacklist(address, sender=self.owner)
            self.blacklisted.discard(address)

    @rule(bps=bps_values)
    def schedule_fee(self, bps):
        if bps > MAX_FEE_BPS:
            assert_rejected(
                self.jar,
                "scheduleFee",
                bps,
                sender=self.owner,
                error="FeeAboveCap",
                error_args=(bps, MAX_FEE_BPS),
            )
            return
        at = self.pin_next_block()
        tx = self.jar.scheduleFee(bps, sender=self.owner)
        assert tx.timestamp == at
        self.fee.schedule(bps, at)

    @rule()
    def cancel_fee(self):
        if self.fee.pending(self.now()) == (0, 0):
            assert_rejected(self.jar, "cancelFee", sender=self.owner, error="NoPendingFee")
            return
        at = self.pin_next_block()
        if self.fee.pending(at) == (0, 0):
            with ape.reverts(self.jar.NoPendingFee):
                self.jar.cancelFee(sender=self.owner)
            return
        self.jar.cancelFee(sender=self.owner)
        self.fee.cancel()

    @rule(seconds=gaps)
    def time_passes(self, seconds):
        self.warp(seconds)

    @precondition(lambda self: self.fee.effective_at > self.now() + 1)
    @rule(offset=st.sampled_from([-1, 0]))
    def to_fee_boundary(self, offset):
        self.mine_at(self.fee.effective_at + offset)

    @rule(which=st.integers(0, 5))
    def intruder_rejected(self, which):
        calls = [
            ("scheduleFee", (1,)),
            ("cancelFee", ()),
            ("setTreasury", (self.intruder,)),
            ("setTokenAllowed", (self.tokens[0], False)),
            ("setGift", (1, "Rose", 1)),
            ("transferOwnership", (self.intruder,)),
        ]
        method, args = calls[which]
        assert_rejected(
            self.jar,
            method,
            *args,
            sender=self.intruder,
            error="OwnableUnauthorizedAccount",
            error_args=(self.intruder,),
        )

    # ------------------------------------------------------------------ invariants

    @invariant()
    def books_balance(self):
        reads = Reader()
        held = {str(t.address): reads.call(t, "balanceOf", self.jar) for t in self.tokens}
        credits = {
            (str(a.address), str(t.address)): reads.call(self.jar, "balanceOf", a, t)
            for a in self.holders
            for t in self.tokens
        }
        wallets = {
            key: reads.call(self.tokens_by_address[key[1]], "balanceOf", key[0]) for key in self.wallet
        }
        fee_of = {str(t.address): reads.call(self.jar, "feeBpsOf", t) for t in self.tokens}
        bitmaps = {key: reads.call(self.jar, "nonceBitmap", *key) for key in self.bitmap}
        fee_read, pending_read = reads.call(self.jar, "feeBps"), reads.call(self.jar, "pendingFee")
        self.events.request(reads)
        now = reads.run().timestamp
        for token in self.tokens:
            key = str(token.address)
            on_chain = sum(c.value for (a, t), c in credits.items() if t == key)
            assert held[key].value == on_chain, f"{token}: jar holds {held[key].value}, owes {on_chain}"
            assert self.withdrawn[key] + on_chain == self.tipped[key]
        for key, read in credits.items():
            assert read.value == self.credit[key], f"credit of {key}"
            # A credit only ever decreases by its owner's withdrawal (to zero).
            if read.value < self.last_credit[key]:
                assert key in self.own_withdrawals and read.value == 0, f"credit of {key} decreased"
            self.last_credit[key] = read.value
        self.own_withdrawals.clear()
        for key, read in wallets.items():
            assert read.value == self.wallet[key], f"wallet of {key}"
        # A nonce bit is set exactly when its item was tipped or the fan invalidated it.
        for key, read in bitmaps.items():
            assert read.value == self.bitmap[key], f"nonce bits of {key}"
        fee = fee_read.value
        assert fee == self.fee.current(now) and fee <= MAX_FEE_BPS
        assert pending_read.value == self.fee.pending(now)
        for key, read in fee_of.items():  # every token ever listed pays the fee in force; others 0
            expected = fee if key in self.ever_listed else 0
            assert read.value == expected, f"feeBpsOf({key}) = {read.value}, feeBps() = {fee}"
        # Independently of the model, from the public record alone (machinery.FeeWatch).
        self.fee_watch.feed(self.events.events())
        self.fee_watch.observe(now, fee)

    @property
    def tokens_by_address(self) -> dict:
        return {str(t.address): t for t in self.tokens}


def _plain(value):
    """Event arguments as plain values (checksummed addresses, ints, str) for comparison."""
    if hasattr(value, "address"):
        return str(value.address)
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return int(value) if isinstance(value, int) else value


@pytest.fixture
def jar_world(project, accounts, owner, treasury, creators, fans, relayer, stranger, usdc):
    """The contracts and actors every `JarMachine` example starts from (set on the class)."""
    jar = owner.deploy(project.TipJar, owner, treasury, INITIAL_BPS)
    dai = owner.deploy(project.TestToken, "DAI", 18)
    big = owner.deploy(project.TestToken, "BIG", 36)
    usdt = owner.deploy(project.NoReturnToken)
    late = owner.deploy(project.TestToken, "LATE", 18)
    rejecting = owner.deploy(project.RevertingReceiver, owner)
    (second_treasury,) = machine_accounts(accounts, "jar", 1)
    owner.transfer(second_treasury, 10**18)
    tokens = [usdc, dai, big, usdt, late]
    for token in tokens:
        if token is not late:
            jar.setTokenAllowed(token, True, sender=owner)
        for fan in fans:
            funds = WHOLE_TOKENS * 10 ** int(token.decimals())
            # MockUSDC: the owner mints; the other mocks: anyone. Start every fan at exactly `funds`.
            held = int(token.balanceOf(fan))
            if held < funds:
                token.mint(fan, funds - held, sender=owner)
            elif held > funds:
                token.transfer(owner, held - funds, sender=fan)
            if int(token.allowance(fan, jar)) != MAX_UINT:
                token.approve(jar, MAX_UINT, sender=fan)
    for gift_id, (name, price) in GIFTS.items():
        jar.setGift(gift_id, name, price, sender=owner)
    jar.setGift(RETIRED_GIFT, "Lion", 0, sender=owner)

    JarMachine.jar, JarMachine.usdc, JarMachine.owner = jar, usdc, owner
    JarMachine.relayer, JarMachine.intruder = relayer, stranger
    JarMachine.tokens = tokens
    JarMachine.listed_at_start = {str(t.address) for t in tokens if t is not late}
    JarMachine.decimals = {str(t.address): int(t.decimals()) for t in tokens}
    JarMachine.fans = list(fans)
    JarMachine.creators = [*creators, rejecting]
    JarMachine.treasuries = [treasury, second_treasury]
    JarMachine.payees = [
        ZERO_ADDRESS,
        to_checksum_address("0x" + "00" * 18 + "beef"),
        to_checksum_address("0x" + "00" * 18 + "cafe"),
    ]


@pytest.mark.fuzz
@pytest.mark.anvil_only(ANVIL_ONLY)
def test_jar_state_machine(jar_world):
    run_machine(JarMachine)


@pytest.mark.anvil_only(ANVIL_ONLY)
def test_a_salt_drawn_twice_is_a_used_authorization(jar_world):
    """Found by `make fuzz` (seed 1456497575): hypothesis drew one salt for two valid EIP-3009 tips
    of one fan to one creator; the token rightly refused the second (`AuthorizationAlreadyUsed`),
    which the machine did not expect. The two steps of that falsifying example, replayed."""
    salt = bytes.fromhex("4552341f3e7a7653deb702f037585278b5974a93f6d7ee4335eabf5aded415f3")
    with driven_clock(), prompt_receipts():
        state = JarMachine()
        try:
            for _ in range(2):
                state.tip_with_authorization(
                    fan=0, creator=0, amount=(103_853_057_554, 741_547), salt=salt, case="valid"
                )
                state.books_balance()
            assert len(state.authorizations) == 1  # the second was refused, and moved nothing
        finally:
            state.teardown()
