"""Gas of `tip` and `tipBatch` against a plain MockUSDC `transfer` measured in the same run.

Issue 7's targets: `tip` (warm, unlimited approval, 32-byte message) at most 1.7x a plain transfer
between warm holders (1.6x stretch). Issue 12's: a batch of 50 fan-signed tips from 50 fans to 10
creators, ordered by creator, at most 0.8 transfer per tip (fairgift.bench.targets).
"Warm" means the accounts and balances were touched before (non-zero storage), not within the
same transaction: every transaction starts with cold storage (EIP-2929).
"""

from jar_helpers import MSG32

from fairgift.batch import batch_args, by_creator, sign_tip
from fairgift.bench.targets import BATCH_RELAY_VS_TRANSFER, TIP_VS_TRANSFER, TIP_VS_TRANSFER_STRETCH
from tests.constants import MAX_UINT, USDC


def _transfer_gas(usdc, sender, receiver):
    usdc.transfer(receiver, 1 * USDC, sender=sender)  # make the receiver a holder
    return usdc.transfer(receiver, 1 * USDC, sender=sender).gas_used


def test_tip_gas_against_transfer(jar, usdc, approved_fan, creator, treasury, stranger):
    transfer = _transfer_gas(usdc, approved_fan, stranger)
    jar.tip(creator, usdc, 10 * USDC, MSG32, sender=approved_fan)  # creator and treasury credited
    tx = jar.tip(creator, usdc, 3 * USDC, MSG32, sender=approved_fan)
    assert jar.balanceOf(creator, usdc) == 13 * USDC * 95 // 100
    assert jar.balanceOf(treasury, usdc) == 13 * USDC * 5 // 100
    tip = tx.gas_used
    ratio = tip / transfer
    print(f"\nMockUSDC transfer (warm): {transfer} gas; tip (warm, unlimited approval): {tip} gas;")
    print(f"tip / transfer = {ratio:.3f} (target {TIP_VS_TRANSFER}, stretch {TIP_VS_TRANSFER_STRETCH})")
    assert ratio <= TIP_VS_TRANSFER


def test_batch_gas_per_tip(jar, usdc, owner, accounts, chain, creator, approved_fan, stranger):
    transfer = _transfer_gas(usdc, approved_fan, stranger)
    fans = [accounts.generate_test_account() for _ in range(50)]
    creators = [accounts.generate_test_account() for _ in range(10)]
    for f in fans:
        owner.transfer(f, 10**17)
        usdc.mint(f, 100 * USDC, sender=owner)
        usdc.approve(jar, MAX_UINT, sender=f)
    deadline = chain.pending_timestamp + 3600

    def batch(nonce):  # the fans' tips arrive interleaved; the relayer puts them in creator order
        items = [
            sign_tip(f, jar, creators[i % 10], usdc, 1 * USDC, MSG32, nonce, deadline)
            for i, f in enumerate(fans)
        ]
        return batch_args(by_creator(items))

    cold = jar.tipBatch(usdc, *batch(0), sender=stranger)  # first tip of every fan, first credit of creators
    warm = jar.tipBatch(usdc, *batch(1), sender=stranger)  # nonce words and credits already non-zero
    assert jar.balanceOf(creators[0], usdc) == 2 * 5 * USDC * 95 // 100
    assert usdc.balanceOf(fans[0]) == 98 * USDC
    per_tip_cold = cold.gas_used / 50
    per_tip_warm = warm.gas_used / 50
    print(f"\nMockUSDC transfer (warm): {transfer} gas")
    print(f"tipBatch of 50 (50 fans, 10 creators), first batch: {cold.gas_used} gas = {per_tip_cold:.0f}/tip")
    print(f"tipBatch of 50, fans and creators warm:           {warm.gas_used} gas = {per_tip_warm:.0f}/tip")
    print(f"warm per tip / transfer = {per_tip_warm / transfer:.3f} (target {BATCH_RELAY_VS_TRANSFER})")
    assert per_tip_warm <= BATCH_RELAY_VS_TRANSFER * transfer
