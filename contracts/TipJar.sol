// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {FeeSchedule} from "./FeeSchedule.sol";
import {TransparentFee} from "./TransparentFee.sol";
import {IStablecoin} from "./interfaces/IStablecoin.sol";

/// @title TipJar
/// @notice Tips and virtual gifts to creators in USD stablecoins, with a transparent capped fee:
/// `fee = amount * feeBps() / 10_000` (rounded down) is credited to the treasury, the rest to the
/// creator, both withdrawable by pull. The fee is capped by `MAX_FEE_BPS` and rises only after
/// `FEE_CHANGE_DELAY`. The owner can list tokens, edit the gift catalogue, set the fee (within the
/// cap) and the treasury for future fees; no function lets anyone move another account's credit.
/// @dev Gas: a token's allow flag, decimals, a mirror of the fee schedule and the current treasury's
/// accrued fees share one slot (`TokenInfo`), so a tip touches two slots of the jar: that one and
/// the creator's credit. The fee mirror is rewritten for every listed token (at most `MAX_TOKENS`)
/// whenever the fee changes. The accrued fees ("fee pot") belong to the treasury in office;
/// `setTreasury` first books every token's pot to the outgoing treasury's credit, so a treasury
/// change never moves a past fee.
contract TipJar is Ownable, TransparentFee, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // ------------------------------------------------------------------ constants

    /// @notice The fee can never exceed 10%.
    uint16 public constant MAX_FEE_BPS = 1000;
    /// @notice A fee increase takes effect this long after it is scheduled.
    uint64 public constant FEE_CHANGE_DELAY = 7 days;
    /// @notice Allow-listed tokens are USD stablecoins with at least 6 decimals (and at most 36).
    uint8 public constant MIN_DECIMALS = 6;
    uint8 public constant MAX_DECIMALS = 36;
    /// @notice At most this many distinct tokens can ever be listed (bounds `setTreasury`'s loop).
    uint256 public constant MAX_TOKENS = 64;
    /// @notice EIP-712 type of a batched tip; `message` is signed as keccak256(bytes(message)).
    bytes32 public constant TIP_TYPEHASH = keccak256(
        "Tip(address fan,address creator,address token,uint256 amount,string message,uint256 nonce,uint256 deadline)"
    );

    // ------------------------------------------------------------------ types

    /// @dev One slot per token: everything a tip reads or writes besides the creator's credit.
    struct TokenInfo {
        bool allowed;
        bool listed; // ever allowed, i.e. in `_listedTokens`
        uint8 decimals;
        // A mirror of the fee slot `_fee` (FeeSchedule.Fee), rewritten on every fee change, so that
        // a tip reads one slot instead of two. `_fee` stays the source of truth for the views.
        uint16 feeBps;
        uint16 pendingFeeBps;
        uint64 feeEffectiveAt;
        uint136 feePot; // fees accrued to the current treasury, not yet in its `_credits`
    }

    struct Gift {
        uint256 priceUsd6; // 0: retired
        string name; // empty: never defined
    }

    /// @notice One fan-signed tip in a `tipBatch`. `r`/`vs` is the EIP-2098 compact signature of
    /// the EIP-712 `Tip` (see `TIP_TYPEHASH`) with the jar's domain and the batch's token.
    struct BatchTip {
        address fan;
        address creator;
        uint256 amount;
        uint256 nonce;
        uint256 deadline;
        bytes32 r;
        bytes32 vs;
        string message;
    }

    /// @dev The EIP-3009 part of `tipWithAuthorization` (a struct against "stack too deep").
    struct Authorization {
        uint256 validAfter;
        uint256 validBefore;
        bytes32 nonce;
        uint8 v;
        bytes32 r;
        bytes32 s;
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

    // ------------------------------------------------------------------ storage

    mapping(address token => TokenInfo) private _tokens;
    address[] private _listedTokens;
    mapping(address account => mapping(address token => uint256)) private _credits;
    mapping(address account => address) private _payouts;
    mapping(uint256 giftId => Gift) private _gifts;
    /// @notice Unordered batch-tip nonces, Permit2 style: bit `nonce & 255` of word `nonce >> 8`.
    mapping(address fan => mapping(uint256 word => uint256 bits)) public nonceBitmap;
    address private _treasury;

    // ------------------------------------------------------------------ events

    /// @notice A tip (giftId 0) or a gift: `amount` pulled from `fan`, `fee` of it to the treasury.
    event Tipped(
        address indexed fan,
        address indexed creator,
        address indexed token,
        uint256 amount,
        uint256 fee,
        uint256 giftId,
        string message
    );
    event Withdrawn(address indexed account, address indexed token, address indexed to, uint256 amount);
    event PayoutSet(address indexed account, address payout);
    event TokenAllowed(address indexed token, bool allowed);
    event GiftSet(uint256 indexed giftId, string name, uint256 priceUsd6);
    event TreasurySet(address treasury);
    /// @notice A `tipBatch` item that was skipped: nothing moved for it, its nonce stays unused.
    event BatchTipSkipped(uint256 indexed index, address indexed fan, uint256 nonce, SkipReason reason);
    /// @notice `fan` cancelled the batch-tip nonces in `mask` of word `word`.
    event NoncesInvalidated(address indexed fan, uint256 word, uint256 mask);

    // ------------------------------------------------------------------ errors

    error ZeroAmount();
    error InvalidCreator(address creator);
    error TokenNotAllowed(address token);
    error UnsupportedDecimals(address token, uint8 decimals);
    error DecimalsUnreadable(address token);
    error TooManyTokens(uint256 max);
    error TransferShortfall(address token, uint256 expected, uint256 received);
    error PermitFailed(address token, uint256 allowance, uint256 amount);
    error InvalidGiftId();
    error EmptyGiftName(uint256 giftId);
    error UnknownGift(uint256 giftId);
    error GiftRetired(uint256 giftId);
    error ZeroQuantity();
    error GiftAmountOverflow(uint256 giftId, uint256 quantity);
    error GiftPriceAboveMax(uint256 amount, uint256 maxAmount);
    error NothingToWithdraw(address account, address token);
    error InvalidTreasury(address treasury);
    error InvalidPayout(address payout);
    error EmptyBatch();

    // ------------------------------------------------------------------ construction

    /// @param owner_ administers the jar (fee, treasury, allow-list, catalogue).
    /// @param treasury_ receives the fees (by credit).
    /// @param initialFeeBps the fee at launch, at most `MAX_FEE_BPS`.
    constructor(address owner_, address treasury_, uint16 initialFeeBps)
        Ownable(owner_)
        TransparentFee(initialFeeBps)
        EIP712("FairGift TipJar", "1")
    {
        if (treasury_ == address(0) || treasury_ == address(this)) revert InvalidTreasury(treasury_);
        _treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    function _feeCap() internal pure override returns (uint16) {
        return MAX_FEE_BPS;
    }

    function _feeChangeDelay() internal pure override returns (uint64) {
        return FEE_CHANGE_DELAY;
    }

    // ------------------------------------------------------------------ fee (owner)

    /// @notice The fee in force now, in basis points.
    function feeBps() external view returns (uint16) {
        return _currentFee();
    }

    /// @notice The scheduled increase and when it takes effect; (0, 0) if none.
    function pendingFee() external view returns (uint16 bps, uint64 effectiveAt) {
        return _pendingFee();
    }

    /// @notice Lower the fee at once, or schedule an increase for `now + FEE_CHANGE_DELAY`. Owner only.
    function scheduleFee(uint16 bps) external onlyOwner {
        _scheduleFee(bps);
        _mirrorFee();
    }

    /// @notice Cancel the pending increase. Owner only.
    function cancelFee() external onlyOwner {
        _cancelFee();
        _mirrorFee();
    }

    /// @notice The fee a tip in `token` pays now (equal to `feeBps()` for every listed token).
    function feeBpsOf(address token) external view returns (uint16) {
        return _feeOf(_tokens[token]);
    }

    // ------------------------------------------------------------------ treasury (owner)

    /// @notice Where fees go.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice Send future fees to `treasury_`. Fees already accrued stay with the outgoing treasury.
    /// Owner only.
    function setTreasury(address treasury_) external onlyOwner {
        if (treasury_ == address(0) || treasury_ == address(this)) revert InvalidTreasury(treasury_);
        address old = _treasury;
        uint256 n = _listedTokens.length; // at most MAX_TOKENS
        for (uint256 i; i < n; ++i) {
            address token = _listedTokens[i];
            uint256 pot = _tokens[token].feePot;
            if (pot != 0) {
                _tokens[token].feePot = 0;
                _credits[old][token] += pot;
            }
        }
        _treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    // ------------------------------------------------------------------ tokens (owner)

    /// @notice Allow or disallow tips in `token`. Allowing reads its decimals (6 to 36 required).
    /// Disallowing stops new tips only: credits in it can still be withdrawn. Owner only.
    function setTokenAllowed(address token, bool allowed) external onlyOwner {
        TokenInfo memory info = _tokens[token];
        if (allowed) {
            (bool ok, uint8 dec) = SafeERC20.tryGetDecimals(IERC20(token));
            if (!ok || token.code.length == 0) revert DecimalsUnreadable(token);
            if (dec < MIN_DECIMALS || dec > MAX_DECIMALS) revert UnsupportedDecimals(token, dec);
            if (!info.listed) {
                if (_listedTokens.length >= MAX_TOKENS) revert TooManyTokens(MAX_TOKENS);
                _listedTokens.push(token);
                info.listed = true;
            }
            info.decimals = dec;
            FeeSchedule.Fee memory f = _fee;
            info.feeBps = f.bps;
            info.pendingFeeBps = f.pendingBps;
            info.feeEffectiveAt = f.effectiveAt;
        }
        info.allowed = allowed;
        _tokens[token] = info;
        emit TokenAllowed(token, allowed);
    }

    /// @notice Whether tips in `token` are accepted.
    function isTokenAllowed(address token) external view returns (bool) {
        return _tokens[token].allowed;
    }

    /// @notice The decimals read when `token` was (last) allowed; 0 if never listed.
    function tokenDecimals(address token) external view returns (uint8) {
        return _tokens[token].decimals;
    }

    /// @notice Every token ever allowed (including those disallowed since).
    function listedTokens() external view returns (address[] memory) {
        return _listedTokens;
    }

    // ------------------------------------------------------------------ gifts (owner)

    /// @notice Define or update gift `giftId` (ids start at 1); a price of 0 retires it. Owner only.
    function setGift(uint256 giftId, string calldata name, uint256 priceUsd6) external onlyOwner {
        if (giftId == 0) revert InvalidGiftId();
        if (bytes(name).length == 0) revert EmptyGiftName(giftId);
        _gifts[giftId] = Gift(priceUsd6, name);
        emit GiftSet(giftId, name, priceUsd6);
    }

    /// @notice Gift `giftId`: its name ("" if never defined) and price in USD with 6 decimals (0 if retired).
    function gift(uint256 giftId) external view returns (string memory name, uint256 priceUsd6) {
        Gift storage g = _gifts[giftId];
        return (g.name, g.priceUsd6);
    }

    /// @notice What `quantity` of gift `giftId` costs in `token` (base units). Reverts like `sendGift`.
    function giftAmount(address token, uint256 giftId, uint256 quantity) external view returns (uint256) {
        TokenInfo memory info = _tokens[token];
        if (!info.allowed) revert TokenNotAllowed(token);
        return _giftAmount(info.decimals, giftId, quantity);
    }

    // ------------------------------------------------------------------ tipping

    /// @notice Tip `creator` `amount` of `token` from the caller (needs an allowance to the jar).
    /// @return fee the part credited to the treasury; `amount - fee` is credited to `creator`.
    function tip(address creator, address token, uint256 amount, string calldata message)
        external
        nonReentrant
        returns (uint256 fee)
    {
        fee = _book(_checkTip(creator, token, amount), creator, token, amount);
        emit Tipped(msg.sender, creator, token, amount, fee, 0, message);
        _pull(token, amount);
    }

    /// @notice `tip` with an EIP-2612 permit of `amount` to the jar signed by the caller. If the permit
    /// fails (e.g. someone front-ran it), the tip still goes through as long as the allowance suffices.
    function tipWithPermit(
        address creator,
        address token,
        uint256 amount,
        string calldata message,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256 fee) {
        fee = _book(_checkTip(creator, token, amount), creator, token, amount);
        emit Tipped(msg.sender, creator, token, amount, fee, 0, message);
        try IERC20Permit(token).permit(msg.sender, address(this), amount, deadline, v, r, s) {}
        catch {
            uint256 allowance = IERC20(token).allowance(msg.sender, address(this));
            if (allowance < amount) revert PermitFailed(token, allowance, amount);
        }
        _pull(token, amount);
    }

    /// @notice A tip from `from` relayed by anyone, paid with `from`'s EIP-3009 `ReceiveWithAuthorization`
    /// to the jar whose nonce is `keccak256(abi.encode(creator, keccak256(bytes(message)), salt))`:
    /// the relayer can neither redirect the tip nor change its message, and cannot replay it.
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
    ) external nonReentrant returns (uint256 fee) {
        fee = _book(_checkTip(creator, token, amount), creator, token, amount);
        emit Tipped(from, creator, token, amount, fee, 0, message);
        // slither-disable-next-line uninitialized-local (every field is set below, one by one: stack depth)
        Authorization memory auth;
        auth.validAfter = validAfter;
        auth.validBefore = validBefore;
        auth.nonce = tipAuthorizationNonce(creator, message, salt);
        auth.v = v;
        auth.r = r;
        auth.s = s;
        _pullAuthorized(token, from, amount, auth);
    }

    /// @notice The EIP-3009 nonce a fan signs for `tipWithAuthorization`:
    /// `keccak256(abi.encode(creator, keccak256(bytes(message)), salt))`.
    function tipAuthorizationNonce(address creator, string memory message, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(creator, keccak256(bytes(message)), salt));
    }

    /// @notice Send `quantity` of gift `giftId` to `creator`, paid in `token` from the caller:
    /// `priceUsd6 * quantity` scaled to the token's decimals, at most `maxAmount` (the amount the
    /// fan was quoted), so a repricing that lands first can never charge the fan more.
    /// @return amount what was pulled from the caller (the fee is taken from it like for a tip).
    function sendGift(
        address creator,
        address token,
        uint256 giftId,
        uint256 quantity,
        uint256 maxAmount,
        string calldata message
    ) external nonReentrant returns (uint256 amount) {
        TokenInfo memory info = _tokens[token];
        if (!info.allowed) revert TokenNotAllowed(token);
        amount = _giftAmount(info.decimals, giftId, quantity);
        if (amount > maxAmount) revert GiftPriceAboveMax(amount, maxAmount);
        _checkTip(creator, token, amount);
        uint256 fee = _book(info, creator, token, amount);
        emit Tipped(msg.sender, creator, token, amount, fee, giftId, message);
        _pull(token, amount);
    }

    // ------------------------------------------------------------------ batch (relayers)

    /// @notice Many fan-signed tips in `token` in one transaction, for relayers. Each item is checked
    /// on its own; a bad item (expired, zero amount, invalid creator, used nonce, wrong signer, or
    /// a failed `transferFrom`, e.g. no allowance or balance) is skipped with `BatchTipSkipped`:
    /// no funds move for it and its nonce stays unused. The whole batch reverts only if it is empty,
    /// `token` is not allowed, or the token delivered less than the tips it booked.
    /// @return tipped how many items were tipped.
    function tipBatch(address token, BatchTip[] calldata tips) external nonReentrant returns (uint256 tipped) {
        uint256 n = tips.length;
        if (n == 0) revert EmptyBatch();
        TokenInfo memory info = _tokens[token];
        if (!info.allowed) revert TokenNotAllowed(token);
        uint16 bps = _feeOf(info);
        uint256 before = _selfBalance(token);
        uint256 total = 0;
        uint256 fees = 0;
        for (uint256 i; i < n; ++i) {
            BatchTip calldata t = tips[i];
            SkipReason reason = _batchItem(token, t);
            if (reason != SkipReason.None) {
                emit BatchTipSkipped(i, t.fan, t.nonce, reason);
                continue;
            }
            unchecked {
                fees += _batchBook(token, t, bps); // sums bounded by the token's supply
                total += t.amount;
                ++tipped;
            }
        }
        if (fees != 0) _addFee(info, token, fees);
        _checkArrived(token, before, total);
    }

    /// @notice Whether `fan`'s batch-tip `nonce` is used (or cancelled).
    function isNonceUsed(address fan, uint256 nonce) external view returns (bool) {
        return nonceBitmap[fan][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @notice Cancel the caller's unused batch-tip nonces: the bits of `mask` in word `word`.
    function invalidateNonces(uint256 word, uint256 mask) external {
        nonceBitmap[msg.sender][word] |= mask;
        emit NoncesInvalidated(msg.sender, word, mask);
    }

    /// @notice The EIP-712 digest a fan signs for a batch item (for off-chain tooling and tests).
    function batchTipDigest(
        address fan,
        address creator,
        address token,
        uint256 amount,
        string calldata message,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(TIP_TYPEHASH, fan, creator, token, amount, keccak256(bytes(message)), nonce, deadline))
        );
    }

    // ------------------------------------------------------------------ credits and withdrawals

    /// @notice What `account` can withdraw in `token` (for the treasury: including the accrued fees).
    function balanceOf(address account, address token) public view returns (uint256) {
        uint256 credit = _credits[account][token];
        if (account == _treasury) credit += _tokens[token].feePot;
        return credit;
    }

    /// @notice Send the caller's future withdrawals to `payout` (e.g. a RevenueSplit); zero resets it
    /// to the caller itself.
    function setPayout(address payout) external {
        if (payout == address(this)) revert InvalidPayout(payout);
        _payouts[msg.sender] = payout;
        emit PayoutSet(msg.sender, payout == address(0) ? msg.sender : payout);
    }

    /// @notice Where `account`'s withdrawals go (itself unless it set a payout).
    function payoutOf(address account) public view returns (address) {
        address payout = _payouts[account];
        return payout == address(0) ? account : payout;
    }

    /// @notice Withdraw the caller's whole credit in `token` to `payoutOf(caller)`.
    function withdraw(address token) external nonReentrant returns (uint256) {
        return _withdraw(msg.sender, token);
    }

    /// @notice Push `account`'s whole credit in `token` to `payoutOf(account)`; anyone may call it.
    function withdrawFor(address account, address token) external nonReentrant returns (uint256) {
        return _withdraw(account, token);
    }

    // ------------------------------------------------------------------ internals

    function _checkTip(address creator, address token, uint256 amount) private view returns (TokenInfo memory info) {
        if (amount == 0) revert ZeroAmount();
        if (creator == address(0) || creator == address(this)) revert InvalidCreator(creator);
        info = _tokens[token];
        if (!info.allowed) revert TokenNotAllowed(token);
    }

    /// @dev Credit creator and treasury, before the pull (checks-effects-interactions);
    /// `_checkArrived` then reverts all of it if the token does not deliver.
    function _book(TokenInfo memory info, address creator, address token, uint256 amount)
        private
        returns (uint256 fee)
    {
        uint256 net;
        (fee, net) = FeeSchedule.split(amount, _feeOf(info));
        _credits[creator][token] += net;
        if (fee != 0) _addFee(info, token, fee);
    }

    /// @dev The fee in force now, from a token's mirror of the schedule (as `FeeSchedule.current`).
    function _feeOf(TokenInfo memory info) private view returns (uint16) {
        uint64 at = info.feeEffectiveAt;
        return at != 0 && block.timestamp >= at ? info.pendingFeeBps : info.feeBps;
    }

    /// @dev Copy the fee schedule into every listed token's slot.
    function _mirrorFee() private {
        FeeSchedule.Fee memory f = _fee;
        uint256 n = _listedTokens.length; // at most MAX_TOKENS
        for (uint256 i; i < n; ++i) {
            TokenInfo storage info = _tokens[_listedTokens[i]];
            info.feeBps = f.bps;
            info.pendingFeeBps = f.pendingBps;
            info.feeEffectiveAt = f.effectiveAt;
        }
    }

    function _addFee(TokenInfo memory info, address token, uint256 fee) private {
        uint256 pot = uint256(info.feePot) + fee;
        if (pot <= type(uint136).max) {
            _tokens[token].feePot = uint136(pot);
        } else {
            _credits[_treasury][token] += fee; // astronomically large fees: book directly
        }
    }

    function _giftAmount(uint8 decimals, uint256 giftId, uint256 quantity) private view returns (uint256) {
        if (quantity == 0) revert ZeroQuantity();
        Gift storage g = _gifts[giftId];
        uint256 price = g.priceUsd6;
        if (price == 0) {
            if (bytes(g.name).length == 0) revert UnknownGift(giftId);
            revert GiftRetired(giftId);
        }
        (bool ok1, uint256 usd6) = Math.tryMul(price, quantity);
        (bool ok2, uint256 amount) = Math.tryMul(usd6, 10 ** (decimals - MIN_DECIMALS));
        if (!(ok1 && ok2)) revert GiftAmountOverflow(giftId, quantity);
        return amount;
    }

    /// @dev Checks one batch item, then pulls its amount; `SkipReason.None` when it was pulled.
    function _batchItem(address token, BatchTip calldata t) private returns (SkipReason) {
        if (block.timestamp > t.deadline) return SkipReason.Expired;
        if (t.amount == 0) return SkipReason.ZeroAmount;
        address creator = t.creator;
        if (creator == address(0) || creator == address(this)) return SkipReason.InvalidCreator;
        address fan = t.fan;
        uint256 nonce = t.nonce;
        uint256 bit = 1 << (nonce & 0xff);
        uint256 bits = nonceBitmap[fan][nonce >> 8];
        if (bits & bit != 0) return SkipReason.NonceUsed;
        bytes32 digest = _hashTypedDataV4(
            keccak256(
                abi.encode(TIP_TYPEHASH, fan, creator, token, t.amount, keccak256(bytes(t.message)), nonce, t.deadline)
            )
        );
        // slither-disable-next-line unused-return (the third value only details the error kind)
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, t.r, t.vs);
        if (err != ECDSA.RecoverError.NoError || signer != fan) return SkipReason.BadSignature;
        nonceBitmap[fan][nonce >> 8] = bits | bit;
        if (!IERC20(token).trySafeTransferFrom(fan, address(this), t.amount)) {
            nonceBitmap[fan][nonce >> 8] = bits; // the item is skipped: its nonce stays unused
            return SkipReason.TransferFailed;
        }
        return SkipReason.None;
    }

    function _batchBook(address token, BatchTip calldata t, uint16 bps) private returns (uint256 fee) {
        uint256 amount = t.amount;
        fee = FeeSchedule.feeOn(amount, bps);
        unchecked {
            _credits[t.creator][token] += amount - fee; // bounded by the token's supply
        }
        emit Tipped(t.fan, t.creator, token, amount, fee, 0, t.message);
    }

    function _withdraw(address account, address token) private returns (uint256 amount) {
        amount = _credits[account][token];
        if (amount != 0) _credits[account][token] = 0;
        if (account == _treasury) {
            uint256 pot = _tokens[token].feePot;
            if (pot != 0) {
                _tokens[token].feePot = 0;
                amount += pot;
            }
        }
        if (amount == 0) revert NothingToWithdraw(account, token);
        address to = payoutOf(account);
        emit Withdrawn(account, token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @dev Pull `amount` from the caller by allowance and check it all arrived.
    function _pull(address token, uint256 amount) private {
        uint256 before = _selfBalance(token);
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        _checkArrived(token, before, amount);
    }

    /// @dev Pull `amount` from `from` with its EIP-3009 receive authorization and check it all arrived.
    function _pullAuthorized(address token, address from, uint256 amount, Authorization memory a) private {
        uint256 before = _selfBalance(token);
        IStablecoin(token).receiveWithAuthorization(
            from, address(this), amount, a.validAfter, a.validBefore, a.nonce, a.v, a.r, a.s
        );
        _checkArrived(token, before, amount);
    }

    function _selfBalance(address token) private view returns (uint256) {
        return IERC20(token).balanceOf(address(this));
    }

    /// @dev Reject a token that delivered less than `expected` (fee-on-transfer): only what arrived
    /// may ever be credited.
    function _checkArrived(address token, uint256 before, uint256 expected) private view {
        uint256 balance = _selfBalance(token);
        uint256 received = balance > before ? balance - before : 0;
        if (received < expected) revert TransferShortfall(token, expected, received);
    }
}
