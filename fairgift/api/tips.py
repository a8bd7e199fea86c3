"""Tips and gifts: plain (approve + tip), with an EIP-2612 permit, or signed by the fan (EIP-3009)
and relayed by anyone; the live gift catalogue."""

from __future__ import annotations

from fairgift.api.accounts import address_of
from fairgift.api.base import DEADLINE_SECONDS, Base, Result, TokenInfo
from fairgift.chain import Reads
from fairgift.errors import FairGiftError, translated
from fairgift.gifts import Gift, amount_in, parse_quantity, price_text

MAX_GIFT_ID = 1000  # the catalogue is read until 3 empty ids in a row, at most this far
GIFT_READS = 16  # gift ids read per batch: a default catalogue (4 gifts) in one round trip


class Tips(Base):
    def tip(self, sender, creator, amount, message: str = "", token=None, approve: bool = True) -> Result:
        """Tip `amount` ("2.50", "2.50 USDC") to `creator`; the creator is credited amount - fee."""
        info = self.allowed_token(token)
        units = info.parse(amount)
        creator = self.creator_address(creator)
        result = Result("")
        self.check_balance(sender, info, units, "this tip")
        self.ensure_allowance(sender, info, self.jar, units, approve, result)
        with translated("tip"):
            receipt = self.jar.tip(creator, info.address, units, message, sender=sender)
        return self._tipped(result, receipt, info, creator, "tipped")

    def _tipped(self, result: Result, receipt, info: TokenInfo, creator: str, verb: str) -> Result:
        result.receipts.append(receipt)
        logs = list(receipt.decode_logs(self.jar.Tipped))
        fee = int(logs[0].fee) if logs else 0
        amount = int(logs[0].amount) if logs else 0
        result.values.update(amount=amount, fee=fee, net=amount - fee, creator=creator, tx=receipt.txn_hash)
        result.summary = (
            f"{verb} {info.fmt(amount)} to {creator}: creator credited {info.fmt(amount - fee)}, "
            f"fee {info.fmt(fee)} (tx {receipt.txn_hash})"
        )
        return result

    # ------------------------------------------------------------------ gifts

    def gifts(self, block: int | None = None) -> dict[int, Gift]:
        """The live catalogue by id at `block` (the latest by default): ids from 1 until three
        empty ones in a row, at most `MAX_GIFT_ID`, read in batches of `GIFT_READS`; retired
        (price 0) gifts left out."""
        catalogue, misses, first = {}, 0, 1
        web3 = self.chain.provider.web3
        block = int(web3.eth.block_number) if block is None else block
        while misses < 3 and first < MAX_GIFT_ID:
            reads = Reads(web3, block)
            ids = range(first, min(first + GIFT_READS, MAX_GIFT_ID))
            for gift_id in ids:
                reads.add(self.jar, "gift", gift_id)
            for gift_id, (name, price) in zip(ids, reads.run(), strict=True):
                if not name and int(price) == 0:
                    misses += 1
                    if misses == 3:
                        break
                    continue
                misses = 0
                if int(price) > 0:
                    catalogue[gift_id] = Gift(gift_id, str(name), int(price))
            first += GIFT_READS
        return catalogue

    def find_gift(self, gift, catalogue: dict[int, Gift] | None = None) -> Gift:
        """A gift of the live catalogue (or of `catalogue`, already read) by name (any case) or id."""
        catalogue = self.gifts() if catalogue is None else catalogue
        # ASCII digits only: "²".isdigit() is true, and int("²") raises
        if isinstance(gift, int) or (
            isinstance(gift, str) and gift.strip().isascii() and gift.strip().isdigit()
        ):
            if int(gift) in catalogue:
                return catalogue[int(gift)]
        else:
            for entry in catalogue.values():
                if entry.name.lower() == str(gift).strip().lower():
                    return entry
        listing = ", ".join(f"{g.name} ({price_text(g.price_usd6)})" for g in catalogue.values()) or "empty"
        raise FairGiftError(f"unknown gift {gift!r}; the catalogue: {listing}")

    def gift(
        self, sender, creator, gift, quantity: int = 1, message: str = "", token=None, approve=True
    ) -> Result:
        """Send `quantity` of the catalogue's gift `gift` (name or id) to `creator`."""
        info = self.allowed_token(token)
        entry = self.find_gift(gift)
        quantity = parse_quantity(quantity)
        creator = self.creator_address(creator)
        units = amount_in(entry.price_usd6, quantity, info.decimals)
        result = Result("")
        self.check_balance(sender, info, units, f"{quantity} x {entry.name}")
        self.ensure_allowance(sender, info, self.jar, units, approve, result)
        with translated(
            "gift"
        ):  # `units` is the price quoted: a dearer catalogue reverts, never charges more
            receipt = self.jar.sendGift(
                creator, info.address, entry.gift_id, quantity, units, message, sender=sender
            )
        result = self._tipped(result, receipt, info, creator, f"sent {quantity} x {entry.name} worth")
        result.values.update(gift_id=entry.gift_id, gift=entry.name, quantity=quantity)
        return result

    # ------------------------------------------------------------------ signed tips

    def permit_tip(self, sender, creator, amount, message: str = "", token=None, deadline=None) -> Result:
        """Tip with an EIP-2612 permit signed by `sender`: no approval transaction."""
        from fairgift.signing import permit_message, sign

        info = self.allowed_token(token)
        units = info.parse(amount)
        creator = self.creator_address(creator)
        self.check_balance(sender, info, units, "this tip")
        deadline = int(deadline if deadline is not None else self.now() + DEADLINE_SECONDS)
        contract = self.erc20(info.address)
        with translated("signing the permit"):
            v, r, s = sign(sender, permit_message(contract, sender, self.jar, units, deadline))
        with translated("permit tip"):
            receipt = self.jar.tipWithPermit(
                creator, info.address, units, message, deadline, v, r, s, sender=sender
            )
        return self._tipped(Result(""), receipt, info, creator, "tipped (permit)")

    def sign_tip_authorization(
        self, fan, creator, amount, message: str = "", token=None, valid_for: int = 3600
    ) -> tuple:
        """A fan's EIP-3009 `ReceiveWithAuthorization` for a tip anyone may relay: the arguments of
        `tipWithAuthorization` (the nonce binds creator and message)."""
        from fairgift.signing import authorization_message, random_salt, sign, tip_authorization_nonce

        info = self.allowed_token(token)
        units = info.parse(amount)
        creator = self.creator_address(creator)
        self.check_balance(fan, info, units, "this tip")
        salt = random_salt()
        nonce = tip_authorization_nonce(creator, message, salt)
        valid_after, valid_before = 0, self.now() + int(valid_for)
        contract = self.erc20(info.address)
        with translated("signing the authorization"):
            v, r, s = sign(
                fan, authorization_message(contract, fan, self.jar, units, valid_after, valid_before, nonce)
            )
        return (
            address_of(fan),
            creator,
            info.address,
            units,
            message,
            valid_after,
            valid_before,
            salt,
            v,
            r,
            s,
        )

    def relay_tip(self, relayer, authorization) -> Result:
        """Submit a signed tip (from `sign_tip_authorization`) on the fan's behalf."""
        info = self.token_info(authorization[2])
        with translated("relayed tip"):
            receipt = self.jar.tipWithAuthorization(*authorization, sender=relayer)
        return self._tipped(Result(""), receipt, info, authorization[1], "relayed a signed tip of")
