"""The on-chain measurement: `Bench` deploys its own contracts on the connected provider (a fresh
anvil), sends every operation in its warm and cold cases and records each receipt's gas, with a
breakdown from `debug_traceTransaction` where the node has it. The scale sections (late vs early
operations, tips per second through the Python API, the ledger rebuilt from events) are
`fairgift.bench.scale`, on the same `Bench`.

Progress is logged on `fairgift.bench`.

Vocabulary: "warm" means the accounts and balances an operation writes already hold a non-zero
value (a non-zero to non-zero storage write); "cold" means one of them is written for the first
time (the first tip to a creator, a new holder). Every measured transaction is separate, so EIP-2929
access costs are the same in both cases; only the storage-write costs differ.
"""

from __future__ import annotations

import logging
import secrets

from eth_account import Account

from fairgift import batch, signing
from fairgift.bench.results import COLD, ONCE, WARM, Results, Row, key
from fairgift.bench.targets import BATCH_RELAY_CREATORS, BATCH_SIZE
from fairgift.bench.trace import breakdown, intrinsic_gas

log = logging.getLogger("fairgift.bench")

MAX_UINT256 = 2**256 - 1
MESSAGE = "great stream tonight, thank you!"  # a 32-byte tip message
assert len(MESSAGE.encode()) == 32

# What the bench deploys and trades (its own contracts, on a fresh local chain).
JAR_FEE_BPS = 500  # 5%
MARKET_FEE_BPS = 100  # protocol fee 1%
CREATOR_FEE_BPS = 500  # creator fee 5%
BASE_PRICE = 10_000  # 0.01 USDC per whole token at supply 0
SLOPE = 1  # + 1e-6 USDC per whole token per whole token of supply: 1.01 USDC at 10^6 tokens
GIFT_ID, GIFT_PRICE_USD6 = 1, 1_000_000  # a 1 USD gift
TIP_USD = 10
TRADE = 10 * 10**18  # 10 tokens per buy
SELL = 10**18  # 1 token per sell
MAX_COST = 10**15  # the bound of the creator's initial buy at launch (the token's quote needs the token)
SLIPPAGE_BPS = 100  # trades bound by the quote +/- 1%, like the tooling's default
VALID_FOR = 3_600  # deadlines: one hour from now, a realistic calldata value
BATCH = BATCH_SIZE
# The gas sections (here), then the scale sections (`fairgift.bench.scale`), in this order: the
# scale sections use what the others set up.
SECTIONS = ("baselines", "tipjar", "batch", "market", "split", "history", "throughput")


class Bench:
    """Drives one connected provider: deploys what it measures and records receipts' gas.

    `project`, `chain` and `accounts` are Ape's managers (passed in, so this module imports
    nothing from ape at import time and its pure parts test without a chain).
    """

    def __init__(self, project, chain, accounts, *, trace: bool = True):
        self.project = project
        self.chain = chain
        self.accounts = accounts
        self.trace = trace
        self.results = Results()
        self.owner = accounts.test_accounts[0]
        self.treasury = accounts.test_accounts[1]
        self._fresh_count = 0

    # ------------------------------------------------------------------ helpers

    def fresh(self, eth: int = 10**20):
        """A new account with ether and nothing else: a random key, so never one used before.

        (Ape's `generate_test_account` derives the next mnemonic index, and its counter restarts
        whenever Ape resets the test accounts, which would hand out a used account as "new".)
        """
        key = secrets.token_bytes(32)
        address = Account.from_key(key).address
        self._fresh_count += 1
        account = self.accounts.test_accounts.init_test_account(
            10_000 + self._fresh_count, address, "0x" + key.hex()
        )
        self.chain.set_balance(address, eth)
        return account

    def deploy(self, contract_type, *args, sender=None):
        instance = (sender or self.owner).deploy(contract_type, *args)
        receipt = self.chain.get_receipt(instance.txn_hash)
        return instance, receipt

    def breakdown_of(self, receipt) -> dict | None:
        """Gas by category from anvil's debug_traceTransaction (None if tracing is unavailable)."""
        if not self.trace:
            return None
        try:
            trace = self.chain.provider.make_request(
                "debug_traceTransaction",
                [receipt.txn_hash, {"disableStack": True, "disableStorage": True, "enableMemory": False}],
            )
            tx = self.chain.provider.web3.eth.get_transaction(receipt.txn_hash)
        except Exception as err:  # a provider without debug tracing
            log.info(f"(no trace: {err})")
            self.trace = False
            return None
        data = bytes(tx["input"])
        create = tx.get("to") is None
        deposit = 0
        if create:
            deposit = 200 * len(bytes(self.chain.provider.get_code(receipt.contract_address)))
        return breakdown(
            trace.get("structLogs", []), int(receipt.gas_used), intrinsic_gas(data, create), deposit
        )

    def record(self, op, case, receipt, *, group, baseline=None, what="", units=1) -> Row:
        row = self.results.add(
            op,
            case,
            receipt,
            group=group,
            baseline=baseline,
            what=what,
            units=units,
            breakdown=self.breakdown_of(receipt),
        )
        log.info(f"  {row.op:<34} {row.case:<5} {row.gas:>10,}")
        return row

    # ------------------------------------------------------------------ baselines

    def setup_stablecoin(self):
        self.usdc, _ = self.deploy(self.project.MockUSDC, self.owner)
        self.usdc_unit = 10 ** int(self.usdc.decimals())

    def mint(self, account, whole: int):
        self.usdc.mint(account, whole * self.usdc_unit, sender=self.owner)

    def measure_baselines(self):
        g = "baselines"
        usdc = self.usdc
        unit = self.usdc_unit
        a, b, spender = self.fresh(), self.fresh(), self.fresh()
        self.mint(a, 1_000_000)
        self.mint(b, 1)
        usdc.approve(spender, MAX_UINT256, sender=a)
        usdc.transfer(b, unit, sender=a)  # a first transfer, so neither side is new
        self.record(
            "transfer",
            WARM,
            usdc.transfer(b, unit, sender=a),
            group=g,
            what="MockUSDC.transfer between two holders with balances",
        )
        self.record(
            "transfer",
            COLD,
            usdc.transfer(self.fresh(), unit, sender=a),
            group=g,
            what="MockUSDC.transfer to a new holder (balance 0 -> non-zero)",
        )
        self.record(
            "transferFrom (unlimited approval)",
            WARM,
            usdc.transferFrom(a, b, unit, sender=spender),
            group=g,
            what="MockUSDC.transferFrom between holders, allowance 2**256-1 (not written)",
        )
        limited = self.fresh()
        usdc.approve(limited, 1_000 * unit, sender=a)
        self.record(
            "transferFrom (finite approval)",
            WARM,
            usdc.transferFrom(a, b, unit, sender=limited),
            group=g,
            what="as above with a finite allowance, which is decreased (one more storage write)",
        )
        base, receipt = self.deploy(self.project.BaselineERC20Permit, "Alice Token", "ALICE")
        self.record(
            "deploy ERC-20+permit",
            ONCE,
            receipt,
            group=g,
            what="BaselineERC20Permit (OZ ERC20 + ERC20Permit), project's compiler settings",
        )

    def deadline(self) -> int:
        return int(self.chain.pending_timestamp) + VALID_FOR

    def payer(self, spender, whole: int = 1_000_000):
        """A new account holding `whole` stablecoins that approved `spender` without limit."""
        account = self.fresh()
        self.mint(account, whole)
        self.usdc.approve(spender, MAX_UINT256, sender=account)
        return account

    # ------------------------------------------------------------------ tip jar

    def setup_jar(self):
        self.jar, _ = self.deploy(self.project.TipJar, self.owner, self.treasury, JAR_FEE_BPS)
        self.jar.setTokenAllowed(self.usdc, True, sender=self.owner)
        self.jar.setGift(GIFT_ID, "Heart", GIFT_PRICE_USD6, sender=self.owner)
        self.jar_start_block = self.chain.blocks.head.number

    def measure_tipjar(self):
        g = "tip jar"
        log.info(g)
        self.setup_jar()
        jar, usdc = self.jar, self.usdc
        amount = TIP_USD * self.usdc_unit
        fan = self.payer(jar)
        jar.tip(self.fresh(), usdc, amount, MESSAGE, sender=fan)  # jar-wide slots (balance, fees) warm
        tw, tc = key("transfer", WARM), key("transfer", COLD)

        creator = self.fresh()
        what = "tip of {} USDC with a 32-byte message, unlimited approval, to a creator {}"
        self.record(
            "tip",
            COLD,
            jar.tip(creator, usdc, amount, MESSAGE, sender=fan),
            group=g,
            baseline=tc,
            what=what.format(TIP_USD, "never tipped before"),
        )
        self.record(
            "tip",
            WARM,
            jar.tip(creator, usdc, amount, MESSAGE, sender=fan),
            group=g,
            baseline=tw,
            what=what.format(TIP_USD, "already credited"),
        )
        self.history_tip = (fan, creator, amount)

        gifted = self.fresh()
        gift_units = int(jar.giftAmount(usdc, GIFT_ID, 1))  # the quote the fan's wallet shows
        what = f"sendGift(quantity 1, price {GIFT_PRICE_USD6 / 10**6} USD), 32-byte message, to a creator "
        self.record(
            "sendGift",
            COLD,
            jar.sendGift(gifted, usdc, GIFT_ID, 1, gift_units, MESSAGE, sender=fan),
            group=g,
            baseline=tc,
            what=what + "never tipped before",
        )
        self.record(
            "sendGift",
            WARM,
            jar.sendGift(gifted, usdc, GIFT_ID, 1, gift_units, MESSAGE, sender=fan),
            group=g,
            baseline=tw,
            what=what + "already credited",
        )

        permitter = self.fresh()
        self.mint(permitter, 1_000)
        permitted = self.fresh()
        deadline = self.deadline()
        for case, base, what in (
            (COLD, tc, "the fan's first permit (nonce 0 -> 1), to a creator never tipped before"),
            (WARM, tw, "the fan's next permit, to a creator already credited"),
        ):
            v, r, s_ = signing.sign(permitter, signing.permit_message(usdc, permitter, jar, amount, deadline))
            receipt = jar.tipWithPermit(
                permitted, usdc, amount, MESSAGE, deadline, v, r, s_, sender=permitter
            )
            self.record(
                "tipWithPermit",
                case,
                receipt,
                group=g,
                baseline=base,
                what="permit for exactly the amount + tip; " + what,
            )

        authorizer = self.fresh()
        self.mint(authorizer, 1_000)
        relayer = self.fresh()
        authorized = self.fresh()
        deadline = self.deadline()
        for case, base, what in (
            (COLD, tc, "to a creator never tipped before"),
            (WARM, tw, "to a creator already credited"),
        ):
            salt = signing.random_salt()
            nonce = signing.tip_authorization_nonce(authorized, MESSAGE, salt)
            message = signing.authorization_message(usdc, authorizer, jar, amount, 0, deadline, nonce)
            v, r, s_ = signing.sign(authorizer, message)
            receipt = jar.tipWithAuthorization(
                authorizer, authorized, usdc, amount, MESSAGE, 0, deadline, salt, v, r, s_, sender=relayer
            )
            self.record(
                "tipWithAuthorization",
                case,
                receipt,
                group=g,
                baseline=base,
                what="EIP-3009 receiveWithAuthorization relayed by a third party, " + what,
            )

        # withdraw: `creator` holds credit; the first withdrawal makes it a stablecoin holder.
        self.record(
            "withdraw",
            COLD,
            jar.withdraw(usdc, sender=creator),
            group=g,
            baseline=tc,
            what="the creator's whole credit to itself, a new stablecoin holder",
        )
        jar.tip(creator, usdc, amount, MESSAGE, sender=fan)
        self.record(
            "withdraw",
            WARM,
            jar.withdraw(usdc, sender=creator),
            group=g,
            baseline=tw,
            what="the creator's whole credit to itself, already a stablecoin holder",
        )

    # ------------------------------------------------------------------ batch

    def batch_items(self, pairs, amount: int, nonce: int, message: str = MESSAGE) -> list[batch.BatchTip]:
        """Signed `tipBatch` items, one per (fan account, creator) pair, all with `nonce`."""
        token = self.usdc.address
        return [
            batch.sign_tip(fan, self.jar, creator, token, amount, message, nonce, self.deadline())
            for fan, creator in pairs
        ]

    def tip_batch(self, items, relayer):
        """`jar.tipBatch` of `items` in the given order (encoded by fairgift.batch)."""
        return self.jar.tipBatch(self.usdc, *batch.batch_args(items), sender=relayer)

    def measure_batch(self):
        g = "batch"
        log.info(g)
        amount = TIP_USD * self.usdc_unit
        relayer = self.fresh()
        fans = [self.payer(self.jar, whole=1_000) for _ in range(BATCH)]
        creators = [self.fresh() for _ in range(BATCH)]
        pairs = list(zip(fans, creators, strict=True))
        op = f"tipBatch x{BATCH} (per tip)"
        base = "each of {} fans' {} signed tip ({} USDC, 32-byte message) to its own creator {}"
        self.record(
            op,
            COLD,
            self.tip_batch(self.batch_items(pairs, amount, 0), relayer),
            group=g,
            baseline=key("transfer", COLD),
            units=BATCH,
            what=base.format(BATCH, "first", TIP_USD, "(never tipped before; nonce word 0 -> non-zero)"),
        )
        self.record(
            op,
            WARM,
            self.tip_batch(self.batch_items(pairs, amount, 1), relayer),
            group=g,
            baseline=key("transfer", WARM),
            units=BATCH,
            what=base.format(BATCH, "next", TIP_USD, "(already credited; nonce word already written)"),
        )
        # A relayer's mix: new fans and creators, each creator tipped by BATCH / N fans, the items
        # arriving interleaved and put in creator order by the relayer (batch.by_creator).
        n = BATCH_RELAY_CREATORS
        fans = [self.payer(self.jar, whole=1_000) for _ in range(BATCH)]
        creators = [self.fresh() for _ in range(n)]
        pairs = [(fan, creators[i % n]) for i, fan in enumerate(fans)]
        op = f"tipBatch x{BATCH}, {n} creators (per tip)"
        base = (
            f"{BATCH} fans' {{}} signed tips ({TIP_USD} USDC, 32-byte message) to {n} creators, "
            f"{BATCH // n} each, ordered by creator (one credit write per creator); {{}}"
        )
        self.record(
            op,
            COLD,
            self.tip_batch(batch.by_creator(self.batch_items(pairs, amount, 0)), relayer),
            group=g,
            baseline=key("transfer", COLD),
            units=BATCH,
            what=base.format("first", "creators never tipped, nonce words 0 -> non-zero"),
        )
        self.record(
            op,
            WARM,
            self.tip_batch(batch.by_creator(self.batch_items(pairs, amount, 1)), relayer),
            group=g,
            baseline=key("transfer", WARM),
            units=BATCH,
            what=base.format("next", "warm: every slot written is already non-zero (credits, nonce words)"),
        )

    # ------------------------------------------------------------------ market

    def setup_market(self):
        self.market, _ = self.deploy(
            self.project.CreatorMarket,
            self.owner,
            self.usdc,
            self.treasury,
            MARKET_FEE_BPS,
            BASE_PRICE,
            SLOPE,
        )

    def buy(self, token, amount: int, buyer):
        """A buy bounded by the quote + 1% and a deadline an hour away, as a wallet would send it."""
        cost = int(self.market.quoteBuy(token, amount)[0])
        max_cost = cost * (10_000 + SLIPPAGE_BPS) // 10_000
        return self.market.buy(token, amount, max_cost, self.deadline(), sender=buyer)

    def sell(self, token, amount: int, seller):
        net = int(self.market.quoteSell(token, amount)[0])
        min_proceeds = net * (10_000 - SLIPPAGE_BPS) // 10_000
        return self.market.sell(token, amount, min_proceeds, self.deadline(), sender=seller)

    def creator_token(self, creator):
        return self.project.CreatorToken.at(self.market.tokenOf(creator))

    def measure_market(self):
        g = "market"
        log.info(g)
        self.setup_market()
        market = self.market
        deploy = key("deploy ERC-20+permit", ONCE)
        first, second = self.fresh(), self.fresh()
        self.record(
            "launch",
            COLD,
            market.launch("Alice Token", "ALICE", CREATOR_FEE_BPS, 0, 0, sender=first),
            group=g,
            baseline=deploy,
            what="the market's first launch, no initial buy",
        )
        self.record(
            "launch",
            WARM,
            market.launch("Bobby Token", "BOBBY", CREATOR_FEE_BPS, 0, 0, sender=second),
            group=g,
            baseline=deploy,
            what="a later launch, no initial buy",
        )
        third = self.payer(market)
        receipt = market.launch("Carol Token", "CAROL", CREATOR_FEE_BPS, TRADE, MAX_COST, sender=third)
        self.record(
            "launch + initial buy",
            COLD,
            receipt,
            group=g,
            baseline=deploy,
            what=f"launch with the creator's own first buy of {TRADE // 10**18} tokens",
        )

        token = self.creator_token(first)
        primer, holder = self.payer(market), self.payer(market)
        self.buy(token, TRADE, primer)  # reserve and fee credits warm
        tf = key("transferFrom (unlimited approval)", WARM)
        what = f"buy {TRADE // 10**18} tokens, unlimited approval, by "
        self.record(
            "buy",
            COLD,
            self.buy(token, TRADE, holder),
            group=g,
            baseline=tf,
            what=what + "a new holder of the token",
        )
        self.record(
            "buy",
            WARM,
            self.buy(token, TRADE, holder),
            group=g,
            baseline=tf,
            what=what + "a holder (token and stablecoin balances non-zero)",
        )
        self.history_buy = (token, holder)

        self.record(
            "sell",
            WARM,
            self.sell(token, SELL, holder),
            group=g,
            baseline=key("transfer", WARM),
            what=f"sell {SELL // 10**18} token, keeping a balance, by a stablecoin holder",
        )
        fresh_seller = self.fresh()
        token.transfer(fresh_seller, 2 * SELL, sender=holder)
        self.record(
            "sell",
            COLD,
            self.sell(token, SELL, fresh_seller),
            group=g,
            baseline=key("transfer", COLD),
            what="sell 1 token by a holder with no stablecoin (a new stablecoin holder)",
        )

        self.record(
            "market withdraw",
            COLD,
            market.withdraw(sender=first),
            group=g,
            baseline=key("transfer", COLD),
            what="creator-fee credit to a creator with no stablecoin",
        )
        self.buy(token, TRADE, primer)
        self.record(
            "market withdraw",
            WARM,
            market.withdraw(sender=first),
            group=g,
            baseline=key("transfer", WARM),
            what="creator-fee credit to a creator holding stablecoin",
        )

    # ------------------------------------------------------------------ split

    def measure_split(self):
        g = "split"
        log.info(g)
        factory, _ = self.deploy(self.project.SplitFactory)
        deploy = key("deploy ERC-20+permit", ONCE)
        splits = {}
        for n in (2, 32):
            payees = sorted((self.fresh() for _ in range(n)), key=lambda a: int(a.address, 16))
            shares = [10_000 // n + (1 if i < 10_000 % n else 0) for i in range(n)]
            receipt = factory.createSplit([p.address for p in payees], shares, sender=self.owner)
            self.record(
                f"split deploy ({n} payees)",
                ONCE,
                receipt,
                group=g,
                baseline=deploy,
                what=f"SplitFactory.createSplit with {n} payees (a clone)",
            )
            created = list(receipt.events.filter(factory.SplitCreated))[0]
            splits[n] = (self.project.RevenueSplit.at(created.split), payees)
        split, payees = splits[2]
        payee = payees[0]
        self.mint(split, 100)
        self.record(
            "split release",
            COLD,
            split.release(self.usdc, payee, sender=payee),
            group=g,
            baseline=key("transfer", COLD),
            what="first release to a payee with no stablecoin",
        )
        self.mint(split, 100)
        self.record(
            "split release",
            WARM,
            split.release(self.usdc, payee, sender=payee),
            group=g,
            baseline=key("transfer", WARM),
            what="a later release to a payee holding stablecoin",
        )
