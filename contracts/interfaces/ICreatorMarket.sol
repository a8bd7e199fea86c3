// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IPayouts} from "./IPayouts.sol";
import {ITransparentFee} from "./ITransparentFee.sol";

/// @title ICreatorSupply
/// @notice What a creator token asks its market: the supply the market keeps for it.
interface ICreatorSupply {
    /// @notice The total supply of `token`, in base units (also the token's `totalSupply`).
    function supplyOf(address token) external view returns (uint256);
}

/// @title ICreatorMarket
/// @notice Creator social tokens on a linear bonding curve priced in a stablecoin: each creator
/// launches one token (an unsnipable first buy in the same transaction), anyone buys and sells it
/// against the curve within a price bound (`maxCost`, `minProceeds`) and a deadline, and the
/// reserve always buys back the whole supply. Two capped, delayed fees: the protocol's
/// (`ITransparentFee`, owner-controlled) and each token's creator fee (its creator's), both
/// credited and withdrawn by pull to `payoutOf(account)`.
interface ICreatorMarket is ICreatorSupply, IPayouts, ITransparentFee {
    // ------------------------------------------------------------------ events

    /// @notice `creator` launched `token` with a creator fee of `creatorFeeBps`.
    event Launched(address indexed creator, address indexed token, string name, string symbol, uint16 creatorFeeBps);
    /// @notice `trader` bought (`isBuy`) or sold `amount` of `token` for the curve value `value`,
    /// plus (buy) or minus (sell) both fees; the supply is `supplyAfter` afterwards.
    event Trade(
        address indexed trader,
        address indexed token,
        bool isBuy,
        uint256 amount,
        uint256 value,
        uint256 protocolFee,
        uint256 creatorFee,
        uint256 supplyAfter
    );
    /// @notice `account`'s whole balance, `amount` of the quote token, was paid to `to` (its payout).
    event Withdrawn(address indexed account, address indexed to, uint256 amount);
    /// @notice Protocol fees are credited to `treasury` from now on (earlier ones stay the old one's).
    event TreasurySet(address treasury);
    /// @notice `token`'s creator announced a creator fee increase from `oldBps` to `newBps`, in
    /// force from `effectiveAt`.
    event CreatorFeeChangeScheduled(address indexed token, uint16 oldBps, uint16 newBps, uint64 effectiveAt);
    /// @notice `token`'s creator fee went from `oldBps` down (or equal) to `newBps`, at once.
    event CreatorFeeChanged(address indexed token, uint16 oldBps, uint16 newBps);
    /// @notice `token`'s pending creator fee increase to `bps` was cancelled.
    event CreatorFeeChangeCancelled(address indexed token, uint16 bps);

    // ------------------------------------------------------------------ errors

    /// @notice `token` cannot be the quote token: it has no code (e.g. the zero address).
    error InvalidQuoteToken(address token);
    /// @notice `treasury` cannot receive fees: the zero address or this contract itself.
    error InvalidTreasury(address treasury);
    /// @notice `basePrice` and `slope` must not both be zero (free tokens), and each at most 2^96.
    error InvalidCurve(uint256 basePrice, uint256 slope);
    /// @notice A trade of zero tokens.
    error ZeroAmount();
    /// @notice The trade's `deadline` is before this block.
    error DeadlinePassed(uint256 deadline);
    /// @notice A buy would cost `totalCost`, more than the buyer's `maxCost`.
    error CostAboveMax(uint256 totalCost, uint256 maxCost);
    /// @notice A sell would pay `netProceeds`, less than the seller's `minProceeds`.
    error ProceedsBelowMin(uint256 netProceeds, uint256 minProceeds);
    /// @notice `token` was not launched by this market.
    error UnknownToken(address token);
    /// @notice `creator` already launched `token` (one token per creator).
    error AlreadyLaunched(address creator, address token);
    /// @notice `caller` is not the creator of `token`: only its creator sets its fee.
    error NotCreator(address caller, address token);
    /// @notice `account` has nothing to withdraw in `token` (the quote token).
    error NothingToWithdraw(address account, address token);
    /// @notice A sell of `amount`, more than the supply `supply`.
    error InsufficientSupply(uint256 amount, uint256 supply);
    /// @notice A creator's uncollected fees would reach 2^128 (`credit`): withdraw first.
    error CreditOverflow(uint256 credit);
    /// @notice A buy would take the supply to `supply`, 2^128 or more.
    error SupplyOverflow(uint256 supply);

    // ------------------------------------------------------------------ constants and parameters

    /// @notice The protocol fee can never exceed this (5%).
    function MAX_PROTOCOL_FEE_BPS() external view returns (uint16);

    /// @notice A creator fee can never exceed this (10%).
    function MAX_CREATOR_FEE_BPS() external view returns (uint16);

    /// @notice Any fee increase (protocol or creator) is in force this long after its announcement.
    function FEE_CHANGE_DELAY() external view returns (uint64);

    /// @notice The stablecoin every token is priced and paid in.
    function quoteToken() external view returns (address);

    /// @notice The curve's price at supply 0, in quote units per whole token.
    function basePrice() external view returns (uint256);

    /// @notice The curve's price increase per whole token of supply, in quote units per whole token.
    function slope() external view returns (uint256);

    /// @notice The CreatorToken implementation every creator token is a clone of.
    function implementation() external view returns (address);

    // ------------------------------------------------------------------ protocol fee and treasury

    /// @notice The protocol fee in force, in basis points.
    function protocolFeeBps() external view returns (uint16);

    /// @notice The announced protocol fee increase and when it applies; (0, 0) if none.
    function pendingProtocolFee() external view returns (uint16 bps, uint64 effectiveAt);

    /// @notice Lower the protocol fee at once, or announce an increase in force `FEE_CHANGE_DELAY`
    /// from now; at most `MAX_PROTOCOL_FEE_BPS`. Owner only.
    function scheduleProtocolFee(uint16 bps) external;

    /// @notice Cancel the pending protocol fee increase. Owner only.
    function cancelProtocolFee() external;

    /// @notice Where protocol fees are credited from now on.
    function treasury() external view returns (address);

    /// @notice Credit future protocol fees to `treasury_`; fees earned so far stay the old
    /// treasury's. Owner only.
    function setTreasury(address treasury_) external;

    // ------------------------------------------------------------------ creator fee

    /// @notice The creator fee of `token` in force, in basis points (0 for an unknown token).
    function creatorFeeBps(address token) external view returns (uint16);

    /// @notice The announced creator fee increase of `token` and when it applies; (0, 0) if none.
    function pendingCreatorFee(address token) external view returns (uint16 bps, uint64 effectiveAt);

    /// @notice Lower `token`'s creator fee at once, or announce an increase in force
    /// `FEE_CHANGE_DELAY` from now; at most `MAX_CREATOR_FEE_BPS`. That token's creator only.
    function scheduleCreatorFee(address token, uint16 bps) external;

    /// @notice Cancel `token`'s pending creator fee increase. That token's creator only.
    function cancelCreatorFee(address token) external;

    // ------------------------------------------------------------------ launch

    /// @notice Deploy the caller's token at `predictToken(msg.sender)` with a creator fee of
    /// `creatorFeeBps_`, and buy `initialBuy` of it for the caller in the same transaction (costing
    /// at most `maxCost`, fees included), so nobody can trade it before its creator.
    /// @return token the new token's address.
    function launch(
        string calldata name,
        string calldata symbol,
        uint16 creatorFeeBps_,
        uint256 initialBuy,
        uint256 maxCost
    ) external returns (address token);

    /// @notice The address `creator`'s token has, or will have once launched.
    function predictToken(address creator) external view returns (address);

    /// @notice `creator`'s token, or zero if not launched.
    function tokenOf(address creator) external view returns (address);

    /// @notice The creator of `token`, or zero if this market did not launch it.
    function creatorOf(address token) external view returns (address creator);

    // ------------------------------------------------------------------ curve and quotes

    /// @notice The marginal price at `supply` (base units), in quote units per whole token, rounded down.
    function priceAt(uint256 supply) external view returns (uint256);

    /// @notice The curve's area from 0 to `supply`, rounded up: the reserve held at that supply.
    function areaAt(uint256 supply) external view returns (uint256);

    /// @notice The quote tokens backing `token`'s supply: exactly what selling it all pays before fees.
    function reserveOf(address token) external view returns (uint256);

    /// @notice What buying `amount` of `token` costs now: `totalCost` = curve value + both fees.
    function quoteBuy(address token, uint256 amount)
        external
        view
        returns (uint256 totalCost, uint256 protocolFee, uint256 creatorFee);

    /// @notice What selling `amount` of `token` pays now: `netProceeds` = curve value - both fees.
    function quoteSell(address token, uint256 amount)
        external
        view
        returns (uint256 netProceeds, uint256 protocolFee, uint256 creatorFee);

    // ------------------------------------------------------------------ trading

    /// @notice Buy `amount` of `token`; pulls exactly the total cost (curve value + fees), which
    /// must be at most `maxCost`, before `deadline` (inclusive).
    /// @return totalCost what was paid.
    function buy(address token, uint256 amount, uint256 maxCost, uint256 deadline)
        external
        returns (uint256 totalCost);

    /// @notice Sell `amount` of `token` back to the curve; pays the curve value minus fees, which
    /// must be at least `minProceeds`, before `deadline` (inclusive).
    /// @return netProceeds what was paid to the seller.
    function sell(address token, uint256 amount, uint256 minProceeds, uint256 deadline)
        external
        returns (uint256 netProceeds);

    // ------------------------------------------------------------------ balances

    /// @notice Fees credited to `account` and not yet withdrawn, in the quote token.
    function balanceOf(address account) external view returns (uint256 balance);

    /// @notice Pay the caller's whole balance to `payoutOf(msg.sender)`.
    /// @return amount what was paid.
    function withdraw() external returns (uint256 amount);

    /// @notice Pay `account`'s whole balance to `payoutOf(account)`; anyone may trigger it.
    /// @return amount what was paid.
    function withdrawFor(address account) external returns (uint256 amount);
}
