// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {BatchTips} from "./libraries/BatchTips.sol";
import {FeeSchedule} from "./libraries/FeeSchedule.sol";
import {TransparentFee} from "./TransparentFee.sol";
import {IPayouts} from "./interfaces/IPayouts.sol";
import {IStablecoin} from "./interfaces/IStablecoin.sol";
import {ITipJar} from "./interfaces/ITipJar.sol";

/// @title TipJar
/// @notice Tips and virtual gifts to creators in USD stablecoins, with a transparent capped fee
/// (`ITipJar` describes every function, event and error).
/// @dev Gas: a token's allow flag, decimals, a mirror of the fee and the current treasury's accrued
/// fees share one slot (`TokenInfo`), so a tip touches two slots of the jar: that one and the
/// creator's credit. The fee mirror is rewritten for every listed token (at most `MAX_TOKENS`) by
/// the `_afterFeeChange` hook of every fee change. The accrued fees ("fee pot") belong to the
/// treasury in office; `setTreasury` first books every token's pot to the outgoing treasury's
/// credit, so a treasury change never moves a past fee. Ownership moves in two steps
/// (`Ownable2Step`: the new owner must accept).
contract TipJar is ITipJar, Ownable2Step, TransparentFee, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // ------------------------------------------------------------------ constants

    /// @inheritdoc ITipJar
    uint16 public constant MAX_FEE_BPS = 1000;
    /// @inheritdoc ITipJar
    uint64 public constant FEE_CHANGE_DELAY = 7 days;
    /// @inheritdoc ITipJar
    uint8 public constant MIN_DECIMALS = 6;
    /// @inheritdoc ITipJar
    uint8 public constant MAX_DECIMALS = 36;
    /// @inheritdoc ITipJar
    uint256 public constant MAX_TOKENS = 64;
    /// @inheritdoc ITipJar
    bytes32 public constant TIP_TYPEHASH = keccak256(
        "Tip(address fan,address creator,address token,uint256 amount,string message,uint256 nonce,uint256 deadline)"
    );

    // ------------------------------------------------------------------ types

    /// @dev One slot per token: everything a tip reads or writes besides the creator's credit.
    /// Solidity's packing order (low bits first):
    ///
    ///     bits [0..7]     allowed    tips accepted
    ///     bits [8..15]    listed     ever allowed, i.e. in `_listedTokens`
    ///     bits [16..23]   decimals   read when last allowed
    ///     bits [24..119]  fee        a copy of `_fee`, `FeeSchedule.packed` (opaque here: read with
    ///                                `FeeSchedule.currentOf`), so that a tip reads one slot, not two
    ///     bits [120..255] feePot     fees accrued to the current treasury, not yet in its `_credits`
    struct TokenInfo {
        bool allowed;
        bool listed;
        uint8 decimals;
        uint96 fee;
        uint136 feePot;
    }

    struct Gift {
        uint256 priceUsd6; // 0: retired
        string name; // empty: never defined
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

    // ------------------------------------------------------------------ storage

    mapping(address token => TokenInfo) private _tokens;
    address[] private _listedTokens;
    mapping(address account => mapping(address token => uint256)) private _credits;
    mapping(address account => address) private _payouts;
    mapping(uint256 giftId => Gift) private _gifts;
    /// @inheritdoc ITipJar
    /// @dev Permit2's unordered nonces: word `nonce >> 8`, bit `nonce & 255` (`bitmapPositions`).
    mapping(address fan => mapping(uint256 word => uint256 bits)) public nonceBitmap;
    address private _treasury;

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
        // `BatchTips` writes `_credits` and `nonceBitmap` by slot number (a Yul function sees no
        // variable of its caller: a storage pointer would have to be passed down through them,
        // which changes the code and its gas), so a storage layout that moved them must not build. All of this
        // is constant: when the slots agree the optimizer removes it (the init code is the same as
        // without it); when they differ the constructor always reverts, the optimizer drops the
        // immutables' assignments and solc stops with "Some immutables were read from but never
        // assigned" (tried: a wrong `CREDITS_SLOT` fails `ape compile`).
        uint256 creditsSlot;
        uint256 nonceBitmapSlot;
        assembly ("memory-safe") {
            creditsSlot := _credits.slot
            nonceBitmapSlot := nonceBitmap.slot
        }
        if (creditsSlot != BatchTips.CREDITS_SLOT || nonceBitmapSlot != BatchTips.NONCE_BITMAP_SLOT) revert();
    }

    function _feeCap() internal pure override returns (uint16) {
        return MAX_FEE_BPS;
    }

    function _feeChangeDelay() internal pure override returns (uint64) {
        return FEE_CHANGE_DELAY;
    }

    // ------------------------------------------------------------------ fee (owner)

    /// @inheritdoc ITipJar
    function feeBps() external view returns (uint16) {
        return _currentFee();
    }

    /// @inheritdoc ITipJar
    function pendingFee() external view returns (uint16 bps, uint64 effectiveAt) {
        return _pendingFee();
    }

    /// @inheritdoc ITipJar
    function scheduleFee(uint16 bps) external onlyOwner {
        _scheduleFee(bps);
    }

    /// @inheritdoc ITipJar
    function cancelFee() external onlyOwner {
        _cancelFee();
    }

    /// @inheritdoc ITipJar
    function feeBpsOf(address token) external view returns (uint16) {
        return _feeOf(_tokens[token]);
    }

    // ------------------------------------------------------------------ treasury (owner)

    /// @inheritdoc ITipJar
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc ITipJar
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

    /// @inheritdoc ITipJar
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
            info.fee = FeeSchedule.packed(_fee);
        }
        info.allowed = allowed;
        _tokens[token] = info;
        emit TokenAllowed(token, allowed);
    }

    /// @inheritdoc ITipJar
    function isTokenAllowed(address token) external view returns (bool) {
        return _tokens[token].allowed;
    }

    /// @inheritdoc ITipJar
    function tokenDecimals(address token) external view returns (uint8) {
        return _tokens[token].decimals;
    }

    /// @inheritdoc ITipJar
    function listedTokens() external view returns (address[] memory) {
        return _listedTokens;
    }

    // ------------------------------------------------------------------ gifts (owner)

    /// @inheritdoc ITipJar
    function setGift(uint256 giftId, string calldata name, uint256 priceUsd6) external onlyOwner {
        if (giftId == 0) revert InvalidGiftId();
        if (bytes(name).length == 0) revert EmptyGiftName(giftId);
        _gifts[giftId] = Gift(priceUsd6, name);
        emit GiftSet(giftId, name, priceUsd6);
    }

    /// @inheritdoc ITipJar
    function gift(uint256 giftId) external view returns (string memory name, uint256 priceUsd6) {
        Gift storage g = _gifts[giftId];
        return (g.name, g.priceUsd6);
    }

    /// @inheritdoc ITipJar
    function giftAmount(address token, uint256 giftId, uint256 quantity) external view returns (uint256) {
        TokenInfo memory info = _tokens[token];
        if (!info.allowed) revert TokenNotAllowed(token);
        return _giftAmount(info.decimals, giftId, quantity);
    }

    // ------------------------------------------------------------------ tipping

    /// @inheritdoc ITipJar
    function tip(address creator, address token, uint256 amount, string calldata message)
        external
        nonReentrant
        returns (uint256 fee)
    {
        fee = _book(_checkTip(creator, token, amount), creator, token, amount);
        emit Tipped(msg.sender, creator, token, amount, fee, 0, message);
        _pull(token, amount);
    }

    /// @inheritdoc ITipJar
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

    /// @inheritdoc ITipJar
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

    /// @inheritdoc ITipJar
    function tipAuthorizationNonce(address creator, string memory message, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(creator, keccak256(bytes(message)), salt));
    }

    /// @inheritdoc ITipJar
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

    /// @inheritdoc ITipJar
    function tipBatch(address token, BatchTip[] calldata tips, bytes calldata messages)
        external
        nonReentrant
        returns (uint256 tipped)
    {
        if (tips.length == 0) revert EmptyBatch();
        TokenInfo memory info = _tokens[token];
        if (!info.allowed) revert TokenNotAllowed(token);
        uint256 before = _selfBalance(token);
        uint256 total;
        uint256 fees;
        // What every item needs, in memory (`BatchTips`' layout: words 6 and 7 are its own); the
        // items themselves are run by `BatchTips.run`, compiled into this contract.
        uint256[9] memory context = [
            uint256(_domainSeparatorV4()),
            uint256(TIP_TYPEHASH),
            _feeOf(info),
            uint256(Tipped.selector),
            uint256(BatchTipSkipped.selector),
            uint256(uint160(token)),
            0,
            0,
            uint32(BatchMessagesMismatch.selector)
        ];
        (tipped, total, fees) = BatchTips.run(tips, messages, context);
        if (fees != 0) _addFee(info, token, fees);
        _checkArrived(token, before, total);
    }

    /// @inheritdoc ITipJar
    function isNonceUsed(address fan, uint256 nonce) external view returns (bool) {
        (uint256 wordPos, uint256 bitPos) = bitmapPositions(nonce);
        return nonceBitmap[fan][wordPos] & (1 << bitPos) != 0;
    }

    /// @inheritdoc ITipJar
    function bitmapPositions(uint256 nonce) public pure returns (uint256 wordPos, uint256 bitPos) {
        wordPos = nonce >> 8;
        bitPos = nonce & 0xff;
    }

    /// @inheritdoc ITipJar
    function invalidateNonces(uint256 word, uint256 mask) external {
        nonceBitmap[msg.sender][word] |= mask;
        emit NoncesInvalidated(msg.sender, word, mask);
    }

    /// @inheritdoc ITipJar
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

    /// @inheritdoc ITipJar
    function balanceOf(address account, address token) public view returns (uint256) {
        uint256 credit = _credits[account][token];
        if (account == _treasury) credit += _tokens[token].feePot;
        return credit;
    }

    /// @inheritdoc IPayouts
    function setPayout(address payout) external {
        if (payout == address(this)) revert InvalidPayout(payout);
        _payouts[msg.sender] = payout;
        emit PayoutSet(msg.sender, payout == address(0) ? msg.sender : payout);
    }

    /// @inheritdoc IPayouts
    function payoutOf(address account) public view returns (address) {
        address payout = _payouts[account];
        return payout == address(0) ? account : payout;
    }

    /// @inheritdoc ITipJar
    function withdraw(address token) external nonReentrant returns (uint256) {
        return _withdraw(msg.sender, token);
    }

    /// @inheritdoc ITipJar
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
        return FeeSchedule.currentOf(info.fee);
    }

    /// @dev The hook of every fee change: copy the fee into every listed token's slot.
    function _afterFeeChange() internal override {
        uint96 fee = FeeSchedule.packed(_fee);
        uint256 n = _listedTokens.length; // at most MAX_TOKENS
        for (uint256 i; i < n; ++i) {
            _tokens[_listedTokens[i]].fee = fee;
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
