"""What the creator's wallet sends from the dashboard, prepared and checked by the service before
the wallet opens: `POST /api/studio/prepare/<action>` -> {"txs": [{from, to, data, value, label}],
"effects": [...]}, each transaction's `label` saying in plain words what it does (amounts,
addresses, the fee before and after).

The rules are the package's, never written again here: a split's payees and shares are checked by
`FairGift.split_plan` (the CLI's `split`), a launch by `FairGift.launch_plan`, a fee against the
token's stored schedule and cap (`FairGift.fee_schedule`). A refusal is a 400 whose `code` names
the control it is about (`split`, `payout`, `fee`, `launch`, `nothing`), so the page shows it
beside that control.
"""

from __future__ import annotations

from contextlib import contextmanager

from eth_utils import is_address, keccak, to_checksum_address

from fairgift.amounts import format_amount, format_bps, parse_bps
from fairgift.api import ZERO_ADDRESS, FairGift
from fairgift.errors import FairGiftError
from fairgift.web.http import HttpError
from fairgift.web.views.studio import Studio
from fairgift.web.views.text import TOKEN_DECIMALS, days, transaction


@contextmanager
def refused(code: str):
    """The API's one-line refusal (`FairGiftError`) as a 400 about control `code`."""
    try:
        yield
    except FairGiftError as err:
        raise HttpError(400, str(err), code) from err


class StudioPrepare:
    """The transactions of every dashboard action, for the connected creator (`from`)."""

    def __init__(self, studio: Studio):
        self.studio = studio
        self.reader = studio.reader
        self.fg: FairGift = studio.fg

    def actions(self) -> dict:
        return {
            "withdraw-jar": self.withdraw_jar,
            "withdraw-market": self.withdraw_market,
            "payout": self.payout,
            "split": self.split,
            "release": self.release,
            "launch": self.launch,
            "fee": self.fee,
            "cancel-fee": self.cancel_fee,
        }

    def _from(self, body: dict) -> str:
        text = str(body.get("from") or "")
        if not is_address(text) or to_checksum_address(text) == ZERO_ADDRESS:
            raise HttpError(400, "connect a wallet first", "no_wallet")
        return to_checksum_address(text)

    @staticmethod
    def _plan(txs: list[dict], effects: list[str] | None = None) -> dict:
        return {"txs": txs, "effects": effects or [tx["label"] for tx in txs]}

    # ------------------------------------------------------------------ get paid

    def withdraw_jar(self, body: dict) -> dict:
        creator = self._from(body)
        with refused("withdraw-jar"):
            info = self.fg.allowed_token(body.get("token") or None)
        credit = int(self.fg.jar.balanceOf(creator, info.address))
        if not credit:
            raise HttpError(
                400, f"nothing to withdraw: your tip-jar credit in {info.symbol} is 0", "withdraw-jar"
            )
        payout = to_checksum_address(str(self.fg.jar.payoutOf(creator)))
        to = "your own address" if payout == creator else payout
        data = self.fg.jar.withdraw.encode_input(info.address)
        label = f"withdraw {info.fmt(credit)} from the tip jar to {to}"
        return self._plan([transaction(creator, self.fg.jar.address, data, label)])

    def withdraw_market(self, body: dict) -> dict:
        creator = self._from(body)
        credit = int(self.fg.market.balanceOf(creator))
        if not credit:
            raise HttpError(400, "nothing to withdraw: your market fees owed are 0", "withdraw-market")
        payout = to_checksum_address(str(self.fg.market.payoutOf(creator)))
        to = "your own address" if payout == creator else payout
        data = self.fg.market.withdraw.encode_input()
        label = f"withdraw {self.fg.usd(credit)} of market fees to {to}"
        return self._plan([transaction(creator, self.fg.market.address, data, label)])

    def _payout_target(self, creator: str, text) -> str:
        """The payout asked for: an address, or "" (reset to the creator itself)."""
        text = str(text or "").strip()
        if not text:
            return creator
        if not is_address(text):
            raise HttpError(400, f"{text[:60]!r} is not an address (0x and 40 hex digits)", "payout")
        address = to_checksum_address(text)
        if address == ZERO_ADDRESS:
            return creator
        if address in (self.fg.jar.address, self.fg.market.address):
            raise HttpError(
                400, "the payout cannot be a FairGift contract: the money would be stranded", "payout"
            )
        return address

    def _set_payout(self, creator: str, target: str) -> list[dict]:
        """`setPayout` on the jar and the market where it differs from `target` (the reset sends
        the zero address, which the contracts store as the creator itself)."""
        txs = []
        for name, contract in (("tip jar", self.fg.jar), ("market", self.fg.market)):
            now = to_checksum_address(str(contract.payoutOf(creator)))
            if now == target:
                continue
            before = "yourself" if now == creator else now
            if target == creator:
                data = contract.setPayout.encode_input(ZERO_ADDRESS)
                label = f"{name}: pay yourself again ({creator}) instead of {before}"
            else:
                data = contract.setPayout.encode_input(target)
                label = f"{name}: pay {target} instead of {before}"
            txs.append(transaction(creator, contract.address, data, label))
        return txs

    def payout(self, body: dict) -> dict:
        """{from, payout}: send the creator's jar and market payouts to `payout` ("" resets)."""
        creator = self._from(body)
        target = self._payout_target(creator, body.get("payout"))
        txs = self._set_payout(creator, target)
        if not txs:
            where = "yourself" if target == creator else target
            raise HttpError(400, f"your payouts already go to {where}", "payout")
        return self._plan(txs)

    def split(self, body: dict) -> dict:
        """{from, payees: [{address, share ("60%" or bps)}], point_payout}: a split created at the
        address `predictSplit` gives (so the payout can point at it in the same preview), then the
        jar's and the market's payouts pointed at it."""
        creator = self._from(body)
        factory = self.fg.factory
        if factory is None:
            raise HttpError(400, "this deployment has no SplitFactory", "split")
        rows = body.get("payees")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise HttpError(400, "list the payees, each with an address and a share", "split")
        pairs = []
        for i, row in enumerate(rows, 1):
            who = str(row.get("address") or "").strip()
            if not is_address(who):
                raise HttpError(400, f"payee {i}: {who[:60]!r} is not an address", "split")
            pairs.append((to_checksum_address(who), str(row.get("share") or "").strip() or "0"))
        with refused("split"):
            payees, bps = self.fg.split_plan(pairs)
        # The salt makes the address known before the split exists; it changes with each block, so
        # a preview never names a split that already exists.
        salt = keccak(
            text=f"{creator}:{self.reader.reads().block}:"
            + ",".join(f"{p}={b}" for p, b in zip(payees, bps, strict=True))
        )
        split = to_checksum_address(str(factory.predictSplit(payees, bps, salt)))
        shares = ", ".join(f"{p} {format_bps(b)}" for p, b in zip(payees, bps, strict=True))
        data = factory.createSplitDeterministic.encode_input(payees, bps, salt)
        txs = [transaction(creator, factory.address, data, f"create the split {split}: {shares}")]
        if body.get("point_payout", True):
            txs += self._set_payout(creator, split)
        plan = self._plan(txs)
        plan["split"] = split
        return plan

    def release(self, body: dict) -> dict:
        """{from, split}: release what the split owes each payee in the stablecoin (anyone may;
        each payee is paid at its own payout address)."""
        creator = self._from(body)
        address = str(body.get("split") or "")
        known = {s["address"]: s for s in self.studio.splits(creator)}
        split = to_checksum_address(address) if is_address(address) else None
        if split not in known:
            raise HttpError(400, "choose one of your splits", "release")
        contract = self.fg.project.RevenueSplit.at(split, detect_proxy=False)
        stable = self.fg.stable
        txs = []
        for payee in known[split]["payees"]:
            owed = int(payee["owed"])
            if not owed:
                continue
            data = contract.release.encode_input(stable.address, payee["address"])
            label = f"release {stable.fmt(owed)} from the split to {payee['address']} ({payee['share_text']})"
            txs.append(transaction(creator, split, data, label))
        if not txs:
            raise HttpError(400, f"the split owes nobody anything in {stable.symbol} yet", "release")
        return self._plan(txs)

    # ------------------------------------------------------------------ the token

    def launch(self, body: dict) -> dict:
        """{from, name, symbol, fee ("5%" or bps), first_buy (whole tokens, "0" for none)}: the
        exact approval of the first buy's cost, then `launch` with the first buy in it."""
        creator = self._from(body)
        name, symbol = str(body.get("name") or "").strip(), str(body.get("symbol") or "").strip()
        with refused("launch"):
            plan = self.fg.launch_plan(
                creator, name, symbol, body.get("fee") or None, body.get("first_buy") or "0"
            )
        market = self.fg.market
        txs = []
        if plan.max_cost:
            allowance = int(self.fg.usdc.allowance(creator, market))
            if allowance < plan.max_cost:
                data = self.fg.usdc.approve.encode_input(market, plan.max_cost)
                label = f"approve the market to take {self.fg.usd(plan.max_cost)} for the first buy"
                txs.append(transaction(creator, self.fg.usdc.address, data, label))
        data = market.launch.encode_input(plan.name, plan.symbol, plan.fee_bps, plan.amount, plan.max_cost)
        label = f"launch {plan.name} ({plan.symbol}) with a creator fee of {format_bps(plan.fee_bps)}"
        if plan.amount:
            label += (
                f", buying the first {format_amount(plan.amount, TOKEN_DECIMALS, plan.symbol)} "
                f"for at most {self.fg.usd(plan.max_cost)} in the same transaction"
            )
        txs.append(transaction(creator, market.address, data, label))
        return self._plan(txs)

    def _own_token(self, creator: str) -> str:
        token = self.reader.token_of(creator)
        if token is None:
            raise HttpError(400, "launch your token first", "fee")
        return token

    def fee(self, body: dict) -> dict:
        """{from, fee}: lower the token's creator fee (in force at once) or raise it (in force after
        the delay; fans see the rise at once)."""
        creator = self._from(body)
        token = self._own_token(creator)
        with refused("fee"):
            bps = parse_bps(body.get("fee"))
        schedule = self.fg.fee_schedule("creator", token)
        now = self.reader.now()
        current = schedule.current(now)
        pending_bps, effective_at = schedule.pending(now)
        if bps > schedule.cap:
            raise HttpError(
                400, f"a fee of {format_bps(bps)} is above the cap of {format_bps(schedule.cap)}", "fee"
            )
        if bps == current and not effective_at:
            raise HttpError(400, f"the fee is already {format_bps(bps)}", "fee")
        if bps == pending_bps and effective_at:
            raise HttpError(400, f"a rise to {format_bps(bps)} is already scheduled", "fee")
        data = self.fg.market.scheduleCreatorFee.encode_input(token, bps)
        if bps <= current:
            label = (
                f"lower your token's creator fee from {format_bps(current)} to {format_bps(bps)}, "
                "in force at once"
            )
            if effective_at:
                label += f" (the pending rise to {format_bps(pending_bps)} is dropped)"
        else:
            due = FairGift.date(now + schedule.delay)
            label = (
                f"raise your token's creator fee from {format_bps(current)} to {format_bps(bps)}, in force "
                f"{days(schedule.delay)} after this transaction (from about {due}); "
                f"until then {format_bps(current)} applies, and fans see the rise at once"
            )
        return self._plan([transaction(creator, self.fg.market.address, data, label)])

    def cancel_fee(self, body: dict) -> dict:
        creator = self._from(body)
        token = self._own_token(creator)
        schedule = self.fg.fee_schedule("creator", token)
        now = self.reader.now()
        pending_bps, effective_at = schedule.pending(now)
        if not effective_at:
            raise HttpError(400, "no rise of your token's fee is pending", "cancel-fee")
        data = self.fg.market.cancelCreatorFee.encode_input(token)
        label = (
            f"cancel the rise of your token's creator fee to {format_bps(pending_bps)} "
            f"(due {FairGift.date(effective_at)}); {format_bps(schedule.current(now))} stays"
        )
        return self._plan([transaction(creator, self.fg.market.address, data, label)])
