// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ITipJar} from "../interfaces/ITipJar.sol";

/// @title BatchTips
/// @notice The items of `TipJar.tipBatch`, one after the other, in Yul: the hot loop of the
/// relayers' path, where Solidity's per-item overhead (calldata decoding, memory growth, repeated
/// slot hashing) costs about as much as the tip's own storage.
/// @dev Internal functions only: the code is compiled into `TipJar`, runs in its context and writes
/// its storage. Per item, in order:
///
///   0. its message: the next length-prefixed message of `messages` (else the batch reverts);
///   1. checks that cost nothing to the fan: deadline, amount, creator (skip reasons 1-3);
///   2. the nonce bit (`TipJar.bitmapPositions`), unused (4);
///   3. the EIP-712 `Tip` digest and `ecrecover` of the compact signature: the signer must be
///      `fan` and not zero, `s` in the lower half order, as OpenZeppelin's ECDSA requires (5);
///   4. the nonce bit set, then `token.transferFrom(fan, jar, amount)` as OpenZeppelin's
///      `trySafeTransferFrom` judges it; on failure the bit is put back (6);
///   5. the fee, the creator's net added to the current run (a run is consecutive items to one
///      creator: its credit is written once, when the run ends), and `Tipped`.
///
/// A skipped item emits `BatchTipSkipped` and moves nothing. The message hashed for the signature
/// and the one in `Tipped` are the same bytes, so a relayer can alter no part of a tip. `total` is
/// checked for overflow, so the jar can compare it with what truly arrived; every other sum is a
/// part of it.
///
/// What `run` reads and writes (offsets in bytes):
///
///     calldata `tips[i]` (an `ITipJar.BatchTip`, 7 words, at `tips.offset + i * 0xe0`):
///         0x00 fan   0x20 creator   0x40 amount   0x60 nonce   0x80 deadline   0xa0 r   0xc0 vs
///
///     calldata `messages`: the items' messages, one after the other, each a 2-byte big-endian
///         length followed by that many bytes; nothing before, between or after them.
///
///     memory `context` (`uint256[9]`, filled by the jar; words 6 and 7 are written here):
///         0x000 the EIP-712 domain separator         0x020 the `Tip` typehash
///         0x040 the fee in basis points (in force)   0x060 the `Tipped` topic
///         0x080 the `BatchTipSkipped` topic          0x0a0 the token
///         0x0c0 the current item's message: its calldata offset ...   0x0e0 ... and its length
///         0x100 the `BatchMessagesMismatch` selector (in the low 4 bytes)
///
///     memory from the free memory pointer on: scratch, rewritten by every step and never
///     allocated (the pointer does not move, so memory does not grow with the batch):
///         the `Tip` struct (8 words) and message, the digest's preimage, `ecrecover`'s input
///         (digest, v, r, s), `transferFrom`'s calldata, the data of `Tipped` and `BatchTipSkipped`.
///
///     memory 0x00-0x3f: Solidity's scratch space, for the mapping slots' hashes, the
///         precompile's and the token's return word, and the revert data of an error.
///
///     storage: the jar's `_credits[creator][token]` at `CREDITS_SLOT` and
///         `nonceBitmap[fan][word]` at `NONCE_BITMAP_SLOT`, as Solidity lays out nested mappings.
library BatchTips {
    /// @dev The slot of `TipJar._credits` (`mapping(address => mapping(address => uint256))`).
    /// A Yul function sees no variable of its caller, so the slot is a constant here (passing a
    /// storage pointer down through the Yul functions would change the code and its gas); the
    /// jar's constructor makes a jar whose `_credits.slot` is another fail to compile.
    uint256 internal constant CREDITS_SLOT = 7;
    /// @dev The slot of `TipJar.nonceBitmap` (`mapping(address => mapping(uint256 => uint256))`),
    /// checked by the jar's constructor as `CREDITS_SLOT` is.
    uint256 internal constant NONCE_BITMAP_SLOT = 10;

    /// @dev Byte offsets of the words of `context` (see the layout above; the domain separator is
    /// word 0, read as `mload(ctx)`).
    uint256 private constant _CTX_TYPEHASH = 0x20;
    uint256 private constant _CTX_FEE_BPS = 0x40;
    uint256 private constant _CTX_TIPPED = 0x60;
    uint256 private constant _CTX_SKIPPED = 0x80;
    uint256 private constant _CTX_TOKEN = 0xa0;
    uint256 private constant _CTX_MESSAGE_OFFSET = 0xc0;
    uint256 private constant _CTX_MESSAGE_LENGTH = 0xe0;
    uint256 private constant _CTX_MISMATCH = 0x100;

    /// @notice Run every item of a batch of `context`'s token: pull what each signed tip allows, skip
    /// (with `BatchTipSkipped`) what it does not, credit creators and emit `Tipped`.
    /// @dev Reverts with `BatchMessagesMismatch(i)` if item `i`'s message overruns `messages`, or
    /// `BatchMessagesMismatch(tips.length)` if bytes are left after the last one; with Panic(0x11)
    /// if a credit or `total` overflows. The caller adds `fees` to the treasury's pot and checks that
    /// `total` arrived.
    /// @param context the batch's constants (words 0-5 and 8; see the layout above).
    /// @return tipped the items tipped, `total` the amount they pulled, `fees` the fee on them.
    function run(ITipJar.BatchTip[] calldata tips, bytes calldata messages, uint256[9] memory context)
        internal
        returns (uint256 tipped, uint256 total, uint256 fees)
    {
        assembly ("memory-safe") {
            function panicOverflow() {
                mstore(0x00, 0x4e487b71) // Panic(0x11): arithmetic overflow
                mstore(0x20, 0x11)
                revert(0x1c, 0x24)
            }

            // _credits[creator][tok] += net, checked (Solidity's nested-mapping layout)
            function credit(creator, tok, net) {
                mstore(0x00, creator)
                mstore(0x20, CREDITS_SLOT)
                mstore(0x20, keccak256(0x00, 0x40))
                mstore(0x00, tok)
                let slot := keccak256(0x00, 0x40)
                let before := sload(slot)
                let after := add(before, net)
                if lt(after, before) { panicOverflow() }
                sstore(slot, after)
            }

            // The EIP-712 signer of item `t` (zero if the signature is invalid or high-s).
            function signerOf(ctx, t) -> signer {
                let scratch := mload(0x40)
                let length := mload(add(ctx, _CTX_MESSAGE_LENGTH))
                calldatacopy(scratch, mload(add(ctx, _CTX_MESSAGE_OFFSET)), length)
                let messageHash := keccak256(scratch, length)
                // hashStruct(Tip(fan, creator, token, amount, message, nonce, deadline))
                mstore(scratch, mload(add(ctx, _CTX_TYPEHASH)))
                calldatacopy(add(scratch, 0x20), t, 0x40) // fan, creator
                mstore(add(scratch, 0x60), mload(add(ctx, _CTX_TOKEN))) // token
                calldatacopy(add(scratch, 0x80), add(t, 0x40), 0x20) // amount
                mstore(add(scratch, 0xa0), messageHash)
                calldatacopy(add(scratch, 0xc0), add(t, 0x60), 0x40) // nonce, deadline
                let structHash := keccak256(scratch, 0x100)
                // keccak256("\x19\x01" || domainSeparator || structHash)
                mstore(scratch, 0x1901)
                mstore(add(scratch, 0x20), mload(ctx)) // the domain separator
                mstore(add(scratch, 0x40), structHash)
                let digest := keccak256(add(scratch, 0x1e), 0x42)
                // ecrecover from the EIP-2098 compact signature (r, vs)
                let vs := calldataload(add(t, 0xc0))
                let s := and(vs, 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
                if iszero(gt(s, 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0)) {
                    mstore(scratch, digest)
                    mstore(add(scratch, 0x20), add(shr(255, vs), 27))
                    calldatacopy(add(scratch, 0x40), add(t, 0xa0), 0x20) // r
                    mstore(add(scratch, 0x60), s)
                    mstore(0x00, 0)
                    pop(staticcall(gas(), 0x01, scratch, 0x80, 0x00, 0x20))
                    signer := mload(0x00)
                }
            }

            // Steps 1-4 of item `t`: 0 when the amount was pulled (its nonce now used), else the
            // SkipReason, with nothing moved and the nonce unchanged.
            function pull(ctx, t) -> reason {
                if gt(timestamp(), calldataload(add(t, 0x80))) {
                    reason := 1 // Expired
                    leave
                }
                if iszero(calldataload(add(t, 0x40))) {
                    reason := 2 // ZeroAmount
                    leave
                }
                {
                    let creator := calldataload(add(t, 0x20))
                    // zero, the jar, or not an address at all (bits above 160: no ABI encoder
                    // writes them, and no real account could ever withdraw such a credit)
                    if or(or(iszero(creator), eq(creator, address())), shr(160, creator)) {
                        reason := 3 // InvalidCreator
                        leave
                    }
                }
                // bitmapPositions(nonce): bit `nonce & 255` of word `nonce >> 8` of nonceBitmap[fan]
                mstore(0x00, calldataload(t))
                mstore(0x20, NONCE_BITMAP_SLOT)
                mstore(0x20, keccak256(0x00, 0x40))
                mstore(0x00, shr(8, calldataload(add(t, 0x60))))
                let slot := keccak256(0x00, 0x40)
                let bits := sload(slot)
                if and(bits, shl(and(calldataload(add(t, 0x60)), 0xff), 1)) {
                    reason := 4 // NonceUsed
                    leave
                }
                {
                    let signer := signerOf(ctx, t)
                    if or(iszero(signer), iszero(eq(signer, calldataload(t)))) {
                        reason := 5 // BadSignature
                        leave
                    }
                }
                sstore(slot, or(bits, shl(and(calldataload(add(t, 0x60)), 0xff), 1)))
                let scratch := mload(0x40)
                let tok := mload(add(ctx, _CTX_TOKEN))
                mstore(scratch, 0x23b872dd) // transferFrom(fan, jar, amount)
                calldatacopy(add(scratch, 0x20), t, 0x20) // fan
                mstore(add(scratch, 0x40), address())
                calldatacopy(add(scratch, 0x60), add(t, 0x40), 0x20) // amount
                mstore(0x00, 0)
                let ok := call(gas(), tok, 0, add(scratch, 0x1c), 0x64, 0x00, 0x20)
                if iszero(and(ok, eq(mload(0x00), 1))) {
                    ok := and(ok, and(iszero(returndatasize()), gt(extcodesize(tok), 0)))
                }
                if iszero(ok) {
                    sstore(slot, bits) // skipped: its nonce stays unused
                    reason := 6 // TransferFailed
                }
            }

            // Tipped(fan, creator, token, amount, fee, giftId 0, message) for item `t`
            function emitTipped(ctx, t, fee) {
                let scratch := mload(0x40)
                let length := mload(add(ctx, _CTX_MESSAGE_LENGTH))
                mstore(scratch, calldataload(add(t, 0x40))) // amount
                mstore(add(scratch, 0x20), fee)
                mstore(add(scratch, 0x40), 0)
                mstore(add(scratch, 0x60), 0x80)
                mstore(add(scratch, 0x80), length)
                calldatacopy(add(scratch, 0xa0), mload(add(ctx, _CTX_MESSAGE_OFFSET)), length)
                mstore(add(add(scratch, 0xa0), length), 0) // zero the padding
                let size := add(0xa0, and(add(length, 0x1f), not(0x1f)))
                log4(
                    scratch,
                    size,
                    mload(add(ctx, _CTX_TIPPED)),
                    calldataload(t),
                    calldataload(add(t, 0x20)),
                    mload(add(ctx, _CTX_TOKEN))
                )
            }

            let cursor := messages.offset // the next item's length prefix
            let runCreator := 0 // the creator of the current run of consecutive items ...
            let runNet := 0 // ... and what the run owes it, not yet credited
            for { let i := 0 } lt(i, tips.length) { i := add(i, 1) } {
                let t := add(tips.offset, mul(i, 0xe0)) // a BatchTip is 7 words
                {
                    let length := shr(240, calldataload(cursor)) // reads zeros past the calldata
                    let start := add(cursor, 2)
                    cursor := add(start, length)
                    if gt(cursor, add(messages.offset, messages.length)) {
                        mstore(0x00, mload(add(context, _CTX_MISMATCH))) // BatchMessagesMismatch(i)
                        mstore(0x20, i)
                        revert(0x1c, 0x24)
                    }
                    mstore(add(context, _CTX_MESSAGE_OFFSET), start)
                    mstore(add(context, _CTX_MESSAGE_LENGTH), length)
                }
                let reason := pull(context, t)
                if reason {
                    // BatchTipSkipped(index, fan, nonce, reason)
                    let scratch := mload(0x40)
                    mstore(scratch, calldataload(add(t, 0x60)))
                    mstore(add(scratch, 0x20), reason)
                    log3(scratch, 0x40, mload(add(context, _CTX_SKIPPED)), i, calldataload(t))
                    continue
                }
                // 5. the fee (FeeSchedule.feeOn: amount * bps / 10_000 rounded down, no overflow),
                // the run, the totals, and Tipped
                let amount := calldataload(add(t, 0x40))
                let fee := mload(add(context, _CTX_FEE_BPS)) // bps
                // Exact, as in FeeSchedule.feeOn: the remainder term restores what the division dropped.
                // slither-disable-next-line divide-before-multiply
                fee := add(mul(div(amount, 10000), fee), div(mul(mod(amount, 10000), fee), 10000))
                {
                    let creator := calldataload(add(t, 0x20))
                    if iszero(eq(creator, runCreator)) {
                        if runNet { credit(runCreator, mload(add(context, _CTX_TOKEN)), runNet) }
                        runCreator := creator
                        runNet := 0
                    }
                }
                runNet := add(runNet, sub(amount, fee)) // parts of `total`: no overflow
                fees := add(fees, fee)
                {
                    let newTotal := add(total, amount)
                    if lt(newTotal, total) { panicOverflow() }
                    total := newTotal
                }
                tipped := add(tipped, 1)
                emitTipped(context, t, fee)
            }
            if runNet { credit(runCreator, mload(add(context, _CTX_TOKEN)), runNet) }
            if iszero(eq(cursor, add(messages.offset, messages.length))) {
                mstore(0x00, mload(add(context, _CTX_MISMATCH))) // BatchMessagesMismatch(tips.length): bytes left
                mstore(0x20, tips.length)
                revert(0x1c, 0x24)
            }
        }
    }
}
