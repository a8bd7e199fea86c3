"""What an account holds in FairGift: a fan's stablecoins and creator tokens (with what selling
them would pay now), a creator's credits in the tip jar and the market, its token and its fee, what
stays approved to the contracts, and where payouts go."""

from __future__ import annotations

from eth_utils import to_checksum_address

from fairgift.amounts import format_bps
from fairgift.api.accounts import ZERO_ADDRESS
from fairgift.api.market import Market
from fairgift.display import cell


class Balances(Market):
    def balance(self, who) -> dict:
        """Everything `who` (an address, TEST::N, alias or creator name) holds, as numbers."""
        address = self.named_address(who)
        jar, market = self.jar, self.market
        stable = []
        for token in (to_checksum_address(str(t)) for t in jar.listedTokens()):
            contract = self.erc20(token)
            entry = {
                "token": token,
                "wallet": int(contract.balanceOf(address)),
                "jar_credit": int(jar.balanceOf(address, token)),
                "jar_allowance": int(contract.allowance(address, jar)),
                "market_allowance": int(contract.allowance(address, market))
                if token == self.stable.address
                else 0,
            }
            stable.append(entry)
        held = []
        for launch in self.launches():
            token = launch.args["token"]
            amount = int(self.erc20(token).balanceOf(address))
            if amount:
                proceeds = int(market.quoteSell(token, amount)[0])
                held.append(
                    {
                        "token": token,
                        "symbol": str(launch.args["symbol"]),
                        "amount": amount,
                        "sell_now": proceeds,
                    }
                )
        own = None
        token = to_checksum_address(str(market.tokenOf(address)))
        if token != ZERO_ADDRESS:
            pending = market.pendingCreatorFee(token)
            own = {
                "token": token,
                "symbol": self.token_info(token).symbol,
                "supply": int(market.supplyOf(token)),
                "fee_bps": int(market.creatorFeeBps(token)),
                "pending_bps": int(pending[0]),
                "pending_at": int(pending[1]),
            }
        return {
            "account": address,
            "eth": int(self.chain.provider.get_balance(address)),
            "stablecoins": stable,
            "creator_tokens": held,
            "market_credit": int(market.balanceOf(address)),
            "own_token": own,
            "jar_payout": to_checksum_address(str(jar.payoutOf(address))),
            "market_payout": to_checksum_address(str(market.payoutOf(address))),
        }

    def balance_text(self, who) -> str:
        b = self.balance(who)
        address = b["account"]
        named = self.creators().named(address)
        lines = [
            f"{address}" + (f" ('{named.name}')" if named else "") + f": {b['eth'] / 10**18:.6f} ETH for gas"
        ]
        for s in b["stablecoins"]:
            info = self.token_info(s["token"])
            lines.append(f"  wallet           {info.fmt(s['wallet'])}")
            if s["jar_credit"]:
                lines.append(
                    f"  tip jar credit   {info.fmt(s['jar_credit'])} (tips and gifts received; withdraw)"
                )
            for spender, key in (("tip jar", "jar_allowance"), ("market", "market_allowance")):
                if s[key]:
                    lines.append(f"  approved         the {spender} may spend {info.fmt(s[key])} of it")
        for h in b["creator_tokens"]:
            info = self.token_info(h["token"])
            lines.append(
                f"  creator token    {info.fmt(h['amount'])} ({h['token']}): "
                f"selling all now pays {self.usd(h['sell_now'])}"
            )
        if b["market_credit"]:
            lines.append(
                f"  market credit    {self.usd(b['market_credit'])} "
                "(fees earned on trades, not yet withdrawn)"
            )
        if own := b["own_token"]:
            info = self.token_info(own["token"])
            fee = f"creator fee {format_bps(own['fee_bps'])}"
            if own["pending_at"]:
                fee += f", rising to {format_bps(own['pending_bps'])} from {self.date(own['pending_at'])}"
            lines.append(
                f"  own token        {cell(info.symbol, 16)} {own['token']}: "
                f"supply {info.fmt(own['supply'])}, {fee}"
            )
        for label, key in (("tip jar", "jar_payout"), ("market", "market_payout")):
            if b[key] != address:
                lines.append(f"  {label} payouts go to {b[key]}")
        return "\n".join(lines)
