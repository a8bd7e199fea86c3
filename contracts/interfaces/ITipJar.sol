// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IPayouts} from "./IPayouts.sol";
import {ITransparentFee} from "./ITransparentFee.sol";

/// @title ITipJar
/// @notice Tips and virtual gifts to creators in USD stablecoins, with a transparent capped fee:
/// `fee = amount * feeBps() / 10_000` (rounded down) is credited to the treasury, the rest to the
/// creator, both withdrawable by pull to `payoutOf(account)`. The fee never exceeds `MAX_FEE_BPS`
/// and rises only `FEE_CHANGE_DELAY` after it was announced (`ITransparentFee`). The owner lists
/// tokens, edits the gift catalogue, sets the fee (within the cap) and the treasury for future
/// fees; no function lets anyone move another account's credit. Fans tip directly (`tip`, with a
/// permit, with an EIP-3009 authorization) or sign EIP-712 `Tip`s that relayers submit in batches.
interface ITipJar is IPayouts, ITransparentFee {
    // ------------------------------------------------------------------ types

    /// @notice One fan-signed tip in a `tipBatch`: the fields of the EIP-712 `Tip` the fan signed but
    /// the token (the batch's) and the message (in the batch's `messages`), and `r`/`vs`, the
    /// EIP-2098 compact signature of that `Tip` in the jar's domain (see `TIP_TYPEHASH`). Static (no
    /// message inside), so the array holds no offset per item.
    struct BatchTip {
        address fan;
        address creator;
        uint256 amount;
        uint256 nonce;
        uint256 deadline;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice Why a batch item was skipped (no funds moved and no nonce was used for it).
    enum SkipReason {
        None,
        Expired,
        ZeroAmount,
        InvalidCreator,
        NonceUsed,
        BadSignature,
        TransferFailed
    }

    // ------------------------------------------------------------------ events

    /// @notice A tip (`giftId` 0) or a gift: `amount` of `token` pulled from `fan`, `fee` of it
    /// credited to the treasury and `amount - fee` to `creator`.
    event Tipped(
        address indexed fan,
        address indexed creator,
        address indexed token,
        uint256 amount,
        uint256 fee,
        uint256 giftId,
        string message
    );
    /// @notice `account`'s whole credit in `token`, `amount`, was paid to `to` (its payout).
    event Withdrawn(address indexed account, address indexed token, address indexed to, uint256 amount);
    /// @notice Tips in `token` are accepted (`allowed`) or no longer accepted; credits stay withdrawable.
    event TokenAllowed(address indexed token, bool allowed);
    /// @notice Gift `giftId` is now `name` at `priceUsd6` (USD, 6 decimals; 0 retires it).
    event GiftSet(uint256 indexed giftId, string name, uint256 priceUsd6);
    /// @notice Fees are credited to `treasury` from now on (fees accrued so far stay the old one's).
    event TreasurySet(address treasury);
    /// @notice Batch item `index` (of `fan`, with `nonce`) was skipped: nothing moved for it and its
    /// nonce stays unused, so it can be relayed again until its deadline.
    event BatchTipSkipped(uint256 indexed index, address indexed fan, uint256 nonce, SkipReason reason);
    /// @notice `fan` cancelled its batch-tip nonces in `mask` of bitmap word `word`.
    event NoncesInvalidated(address indexed fan, uint256 word, uint256 mask);

    // ------------------------------------------------------------------ errors

    /// @notice A tip of zero.
    error ZeroAmount();
    /// @notice `creator` cannot receive tips: the zero address or the jar itself.
    error InvalidCreator(address creator);
    /// @notice `token` is not allowed for tips (never listed, or disallowed since).
    error TokenNotAllowed(address token);
    /// @notice `token` has `decimals` decimals, outside `MIN_DECIMALS`..`MAX_DECIMALS`.
    error UnsupportedDecimals(address token, uint8 decimals);
    /// @notice `token` has no code or no readable `decimals()`.
    error DecimalsUnreadable(address token);
    /// @notice `MAX_TOKENS` (`max`) tokens are listed already.
    error TooManyTokens(uint256 max);
    /// @notice `token` delivered `received` instead of `expected` (e.g. a fee-on-transfer token):
    /// only what arrives is ever credited, so the whole call reverts.
    error TransferShortfall(address token, uint256 expected, uint256 received);
    /// @notice The permit failed and the allowance (`allowance`) does not cover `amount` either.
    error PermitFailed(address token, uint256 allowance, uint256 amount);
    /// @notice Gift id 0 is reserved for plain tips.
    error InvalidGiftId();
    /// @notice A gift needs a name.
    error EmptyGiftName(uint256 giftId);
    /// @notice No gift `giftId` in the catalogue.
    error UnknownGift(uint256 giftId);
    /// @notice Gift `giftId` was retired (price 0).
    error GiftRetired(uint256 giftId);
    /// @notice A gift of quantity zero.
    error ZeroQuantity();
    /// @notice `quantity` of gift `giftId` costs more than a uint256 can count in the token.
    error GiftAmountOverflow(uint256 giftId, uint256 quantity);
    /// @notice The gift costs `amount` now, more than the `maxAmount` the fan accepted.
    error GiftPriceAboveMax(uint256 amount, uint256 maxAmount);
    /// @notice `account` has no credit in `token`.
    error NothingToWithdraw(address account, address token);
    /// @notice `treasury` cannot receive fees: the zero address or this contract itself.
    error InvalidTreasury(address treasury);
    /// @notice A `tipBatch` of no items.
    error EmptyBatch();
    /// @notice `messages` is not exactly the items' length-prefixed messages end to end: it ends
    /// before item `index`'s message does, or (`index == tips.length`) bytes are left after the last.
    error BatchMessagesMismatch(uint256 index);

    // ------------------------------------------------------------------ constants

    /// @notice The fee can never exceed this (10%).
    function MAX_FEE_BPS() external view returns (uint16);

    /// @notice A fee increase takes effect this long after it is announced (7 days).
    function FEE_CHANGE_DELAY() external view returns (uint64);

    /// @notice Allowed tokens have at least this many decimals (6)...
    function MIN_DECIMALS() external view returns (uint8);

    /// @notice ... and at most this many (36).
    function MAX_DECIMALS() external view returns (uint8);

    /// @notice At most this many distinct tokens can ever be listed (64): it bounds the loops over them.
    function MAX_TOKENS() external view returns (uint256);

    /// @notice The EIP-712 type hash of a batched tip, `Tip(address fan,address creator,address token,
    /// uint256 amount,string message,uint256 nonce,uint256 deadline)`; `message` is signed as
    /// `keccak256(bytes(message))`.
    function TIP_TYPEHASH() external view returns (bytes32);

    // ------------------------------------------------------------------ fee

    /// @notice The fee in force now, in basis points.
    function feeBps() external view returns (uint16);

    /// @notice The announced increase and when it takes effect; (0, 0) if none.
    function pendingFee() external view returns (uint16 bps, uint64 effectiveAt);

    /// @notice Lower the fee at once, or announce an increase in force `FEE_CHANGE_DELAY` from now
    /// (replacing any pending one). At most `MAX_FEE_BPS`. Owner only.
    function scheduleFee(uint16 bps) external;

    /// @notice Cancel the pending increase (`NoPendingFee` if none). Owner only.
    function cancelFee() external;

    /// @notice The fee a tip in `token` pays now: `feeBps()` for every listed token.
    function feeBpsOf(address token) external view returns (uint16);

    // ------------------------------------------------------------------ treasury

    /// @notice Where fees are credited.
    function treasury() external view returns (address);

    /// @notice Credit future fees to `treasury_`; fees accrued so far are booked to the outgoing
    /// treasury first. Owner only.
    function setTreasury(address treasury_) external;

    // ------------------------------------------------------------------ tokens

    /// @notice Allow or disallow tips in `token`. Allowing reads its decimals (`MIN_DECIMALS` to
    /// `MAX_DECIMALS`); disallowing stops new tips only: credits in it stay withdrawable. Owner only.
    function setTokenAllowed(address token, bool allowed) external;

    /// @notice Whether tips in `token` are accepted.
    function isTokenAllowed(address token) external view returns (bool);

    /// @notice The decimals read when `token` was (last) allowed; 0 if never listed.
    function tokenDecimals(address token) external view returns (uint8);

    /// @notice Every token ever allowed (including those disallowed since).
    function listedTokens() external view returns (address[] memory);

    // ------------------------------------------------------------------ gifts

    /// @notice Define or reprice gift `giftId` (ids from 1); a price of 0 retires it. A repricing is
    /// in force at once, but never charges more than a fan's `maxAmount` (`sendGift`). Owner only.
    function setGift(uint256 giftId, string calldata name, uint256 priceUsd6) external;

    /// @notice Gift `giftId`: its name ("" if never defined) and price in USD with 6 decimals (0 if
    /// retired).
    function gift(uint256 giftId) external view returns (string memory name, uint256 priceUsd6);

    /// @notice What `quantity` of gift `giftId` costs in `token` now (base units); reverts like
    /// `sendGift`. This is the quote a fan passes as `maxAmount`.
    function giftAmount(address token, uint256 giftId, uint256 quantity) external view returns (uint256);

    // ------------------------------------------------------------------ tipping

    /// @notice Tip `creator` `amount` of `token` from the caller (needs an allowance to the jar).
    /// @return fee the part credited to the treasury; `amount - fee` is credited to `creator`.
    function tip(address creator, address token, uint256 amount, string calldata message)
        external
        returns (uint256 fee);

    /// @notice `tip` with an EIP-2612 permit of `amount` to the jar signed by the caller. If the
    /// permit fails (e.g. someone submitted it first), the tip still goes through as long as the
    /// allowance suffices.
    function tipWithPermit(
        address creator,
        address token,
        uint256 amount,
        string calldata message,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 fee);

    /// @notice A tip from `from`, submitted by anyone, paid with `from`'s EIP-3009
    /// `ReceiveWithAuthorization` to the jar whose nonce is `tipAuthorizationNonce(creator, message,
    /// salt)`: the submitter can neither redirect the tip nor change its message, nor replay it.
    function tipWithAuthorization(
        address from,
        address creator,
        address token,
        uint256 amount,
        string memory message,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 salt,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 fee);

    /// @notice The EIP-3009 nonce a fan signs for `tipWithAuthorization`:
    /// `keccak256(abi.encode(creator, keccak256(bytes(message)), salt))`.
    function tipAuthorizationNonce(address creator, string memory message, bytes32 salt)
        external
        pure
        returns (bytes32);

    /// @notice Send `quantity` of gift `giftId` to `creator`, paid in `token` by the caller:
    /// `priceUsd6 * quantity` scaled to the token's decimals, which must be at most `maxAmount` (the
    /// amount the fan was quoted, `giftAmount`), else `GiftPriceAboveMax`: a repricing that lands
    /// first never charges the fan more. The fee is taken from it as from a tip.
    /// @return amount what was pulled from the caller.
    function sendGift(
        address creator,
        address token,
        uint256 giftId,
        uint256 quantity,
        uint256 maxAmount,
        string calldata message
    ) external returns (uint256 amount);

    // ------------------------------------------------------------------ batch (relayers)

    /// @notice Many fan-signed tips in `token` in one transaction, for relayers. `messages` holds the
    /// items' messages end to end, in item order, each as its length in 2 bytes (big-endian, so at
    /// most 65,535 bytes) followed by the message itself (UTF-8). Each item is checked on its own; a
    /// bad item (expired, zero amount, invalid creator, used nonce, wrong signer, or a failed
    /// `transferFrom`, e.g. no allowance or balance) is skipped with `BatchTipSkipped`: no funds move
    /// for it and its nonce stays unused. The whole batch reverts only if it is empty, `token` is not
    /// allowed, `messages` does not match the items (`BatchMessagesMismatch`), or the token delivered
    /// less than the tips it booked.
    /// @dev Order the items by creator: consecutive items to the same creator add up in memory and
    /// credit the creator once (one storage write per run of a creator instead of one per tip). Any
    /// order is correct; the order only changes the gas.
    /// @return tipped how many items were tipped.
    function tipBatch(address token, BatchTip[] calldata tips, bytes calldata messages)
        external
        returns (uint256 tipped);

    /// @notice `fan`'s batch-tip nonce bitmap: bit `b` of word `w` is nonce `w * 256 + b`, set once
    /// used or cancelled.
    function nonceBitmap(address fan, uint256 word) external view returns (uint256 bits);

    /// @notice Whether `fan`'s batch-tip `nonce` is used (or cancelled).
    function isNonceUsed(address fan, uint256 nonce) external view returns (bool);

    /// @notice Where `nonce` lives in a fan's bitmap (Permit2's layout): bit `bitPos` of word `wordPos`.
    function bitmapPositions(uint256 nonce) external pure returns (uint256 wordPos, uint256 bitPos);

    /// @notice Cancel the caller's unused batch-tip nonces: the bits of `mask` in bitmap word `word`.
    /// A signed tip the fan no longer wants relayed is void from then on.
    function invalidateNonces(uint256 word, uint256 mask) external;

    /// @notice The EIP-712 digest a fan signs for a batch item (for off-chain tooling and tests).
    function batchTipDigest(
        address fan,
        address creator,
        address token,
        uint256 amount,
        string calldata message,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);

    // ------------------------------------------------------------------ credits and withdrawals

    /// @notice What `account` can withdraw in `token` (for the treasury: including the accrued fees).
    function balanceOf(address account, address token) external view returns (uint256);

    /// @notice Pay the caller's whole credit in `token` to `payoutOf(caller)`.
    /// @return amount what was paid.
    function withdraw(address token) external returns (uint256 amount);

    /// @notice Pay `account`'s whole credit in `token` to `payoutOf(account)`; anyone may call it.
    /// @return amount what was paid.
    function withdrawFor(address account, address token) external returns (uint256 amount);
}
