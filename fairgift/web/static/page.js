// FairGift fans' page. Plain JavaScript, no build step, no Ethereum library: every figure and every
// message to sign or send comes from the service (/api/...); the wallet is only asked for
// eth_requestAccounts, eth_chainId, wallet_switchEthereumChain, eth_signTypedData_v4 and
// eth_sendTransaction. Text from the chain (fans' messages above all) is only ever set with
// textContent, never parsed as markup.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  let state = JSON.parse($("state").textContent || "{}");
  const view = document.body.dataset.view;
  const clockBase = { chain: state.now || 0, at: performance.now() };

  // ------------------------------------------------------------------ small helpers

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function short(address) {
    return address ? `${address.slice(0, 6)}…${address.slice(-4)}` : "";
  }

  function setText(id, text) {
    $(id).textContent = text == null ? "" : String(text);
  }

  function chainNow() {
    return clockBase.chain + (performance.now() - clockBase.at) / 1000;
  }

  function syncClock(now) {
    if (typeof now === "number") {
      clockBase.chain = now;
      clockBase.at = performance.now();
    }
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // An error the fan can act on: `message` is shown as it is; `action` optionally offers a button.
  class FanError extends Error {
    constructor(message, code, action) {
      super(message);
      this.code = code || "error";
      this.action = action || null;
    }
  }

  // ------------------------------------------------------------------ the service

  async function api(path, body) {
    const init = body === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    };
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      throw new FanError("The service cannot be reached. Check your connection and try again.", "offline");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (!response.ok) {
      const message = (data && data.error) || `The service answered ${response.status}.`;
      const error = new FanError(capital(message), (data && data.code) || `http_${response.status}`);
      error.status = response.status;
      error.data = data;
      throw error;
    }
    return data;
  }

  function capital(text) {
    const s = String(text);
    return s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? "" : ".");
  }

  // ------------------------------------------------------------------ notices

  // One notice, placed where the fan is looking: after the status line of the form whose button
  // was pressed (on a phone the top of the page is out of sight), else at the top of the page.
  // `kind` is "error" or "success" (styled apart: a success is not shown as an error).
  function notify(message, options) {
    const { action = null, place = null, kind = "error" } = options || {};
    const notice = $("notice");
    if (place) place.after(notice); else $("main").before(notice);
    notice.classList.toggle("success", kind === "success");
    notice.dataset.kind = kind;
    setText("notice-text", message);
    const button = $("notice-action");
    if (action) {
      button.textContent = action.label;
      button.hidden = false;
      button.onclick = async () => {
        hideNotice();
        try {
          await action.run(place);
        } catch (err) {
          showError(err, null, place);
        }
      };
    } else {
      button.hidden = true;
      button.onclick = null;
    }
    notice.hidden = false;
    notice.scrollIntoView({ block: "nearest" });
    (action ? button : $("notice-close")).focus({ preventScroll: true });
  }

  function hideNotice() {
    $("notice").hidden = true;
  }

  function showError(err, statusId, place) {
    const message = err instanceof FanError ? err.message : `Something went wrong: ${err && err.message ? err.message : err}`;
    if (statusId) setText(statusId, "");
    notify(message, { action: err && err.action, place: place || (statusId ? $(statusId) : null) });
    document.body.dataset.lastError = (err && err.code) || "error";
  }

  // ------------------------------------------------------------------ the wallet (EIP-1193)

  const wallet = { account: null };

  function provider() {
    return window.ethereum || null;
  }

  function walletError(err, what) {
    const code = err && (err.code ?? (err.data && err.data.code));
    if (code === 4001) {
      return new FanError(`You declined ${what} in your wallet. Nothing was sent.`, "rejected");
    }
    if (code === -32002) {
      return new FanError("Your wallet already has a request waiting. Open your wallet to finish or cancel it.", "busy_wallet");
    }
    if (code === 4100) {
      return new FanError("Your wallet has not authorized this page. Connect it and try again.", "unauthorized");
    }
    return null;
  }

  function revertData(err) {
    // Wallets put revert data in different places: err.data, err.data.data, err.data.originalError.data.
    const seen = new Set();
    const stack = [err];
    while (stack.length) {
      const item = stack.pop();
      if (!item || typeof item !== "object" || seen.has(item)) continue;
      seen.add(item);
      for (const key of ["data", "originalError", "error", "cause"]) {
        const value = item[key];
        if (typeof value === "string" && /^0x[0-9a-fA-F]{8,}$/.test(value)) return value;
        if (value && typeof value === "object") stack.push(value);
      }
    }
    return null;
  }

  async function ask(method, params, what) {
    const eth = provider();
    if (!eth) {
      throw new FanError(
        "No wallet found in this browser. Install a wallet such as MetaMask or Rabby, or open this page in your wallet app's browser. Nothing was sent.",
        "no_wallet");
    }
    try {
      return await eth.request(params === undefined ? { method } : { method, params });
    } catch (err) {
      const known = walletError(err, what);
      if (known) throw known;
      const data = revertData(err);
      if (data) {
        const explained = await api("/api/explain", { data });
        throw new FanError(capital(explained.reason), explained.code);
      }
      throw new FanError(`Your wallet refused: ${err && err.message ? err.message : err}. Nothing was sent.`, "wallet");
    }
  }

  async function connect() {
    const accounts = await ask("eth_requestAccounts", undefined, "the connection");
    if (!accounts || !accounts.length) throw new FanError("Your wallet shared no account. Unlock it and try again.", "no_account");
    wallet.account = accounts[0];
    showAccount();
    return wallet.account;
  }

  function showAccount() {
    const button = $("connect");
    if (wallet.account) {
      button.textContent = short(wallet.account);
      button.title = wallet.account;
    }
    refreshBalance();
  }

  // What the connected fan holds, read through the service (after connecting and each action).
  let balanceSeq = 0;
  async function refreshBalance() {
    const account = wallet.account;
    const seq = ++balanceSeq;
    if (!account || view !== "creator") {
      $("balance").hidden = true;
      return;
    }
    try {
      const held = await api(`/api/creators/${encodeURIComponent(state.creator.address)}/balances?fan=${encodeURIComponent(account)}`);
      if (seq !== balanceSeq) return;
      const parts = [held.stablecoin.text];
      if (held.token) parts.push(held.token.text);
      setText("balance", `You have ${parts.join(" and ")}`);
      $("balance").title = held.fan;
      $("balance").hidden = false;
    } catch (err) {
      // keep what is shown; the next action refreshes it
    }
  }

  async function ensureChain() {
    const want = state.chain.id_hex || `0x${Number(state.chain.id).toString(16)}`;
    const have = await ask("eth_chainId", undefined, "the chain check");
    if (parseInt(have, 16) === Number(state.chain.id)) return;
    throw new FanError(
      `Your wallet is on chain ${parseInt(have, 16)}, but this page works on chain ${Number(state.chain.id)}. Switch your wallet's network, then try again. Nothing was sent.`,
      "wrong_chain",
      {
        label: `Switch to chain ${Number(state.chain.id)}`,
        run: async (place) => {
          try {
            await provider().request({ method: "wallet_switchEthereumChain", params: [{ chainId: want }] });
          } catch (err) {
            if (err && err.code === 4902) {
              throw new FanError(`Your wallet does not know chain ${Number(state.chain.id)} yet; add it in your wallet first.`, "unknown_chain");
            }
            const known = walletError(err, "the switch");
            if (known) throw known;
            throw new FanError(`Your wallet could not switch: ${err && err.message ? err.message : err}.`, "wallet");
          }
          notify(`Your wallet is now on chain ${Number(state.chain.id)}. Press the button again to continue.`, { place, kind: "success" });
        },
      });
  }

  async function ready() {
    if (!provider()) await ask("eth_chainId");  // throws the no-wallet message
    if (!wallet.account) await connect();
    await ensureChain();
    return wallet.account;
  }

  // Send the prepared transactions one by one, following each until it is mined.
  async function sendAll(transactions, statusId) {
    let last = null;
    for (const tx of transactions) {
      setText(statusId, `Confirm in your wallet: ${tx.label}…`);
      const hash = await ask("eth_sendTransaction", [{ from: tx.from, to: tx.to, data: tx.data, value: tx.value }], "the transaction");
      setText(statusId, `Sent (${short(hash)}); waiting for it to be mined…`);
      last = await follow(hash);
      if (last.status !== "success") {
        throw new FanError(capital(last.reason || "the transaction failed"), last.code || "reverted");
      }
    }
    return last;
  }

  async function follow(hash) {
    for (let i = 0; i < 600; i++) {
      const outcome = await api(`/api/tx/${hash}`);
      if (outcome.status !== "pending") return outcome;
      await sleep(i < 10 ? 300 : 1000);
    }
    throw new FanError(`Transaction ${short(hash)} is still pending; check your wallet.`, "pending");
  }

  // ------------------------------------------------------------------ the fee

  let countdownTimer = null;
  let refreshing = false;

  function renderFee(fee) {
    setText("fee-now", fee.text);
    setText("fee-cap", fee.cap_text);
    setText("fee-delay", fee.delay_text);
    const pending = fee.pending;
    $("fee-pending").hidden = !pending;
    $("fee-none").hidden = !!pending;
    if (pending) {
      setText("fee-next", pending.text);
      const date = $("fee-date");
      date.textContent = pending.date;
      date.dateTime = new Date(pending.effective_at * 1000).toISOString();
    }
    tickCountdown();
  }

  function duration(seconds) {
    let s = Math.max(0, Math.floor(seconds));
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    const parts = [];
    if (d) parts.push(`${d} d`);
    if (d || h) parts.push(`${h} h`);
    if (d || h || m) parts.push(`${m} min`);
    parts.push(`${s} s`);
    return parts.join(" ");
  }

  function tickCountdown() {
    const pending = state.fee && state.fee.pending;
    if (!pending) return;
    const left = pending.effective_at - chainNow();
    if (left > 0) {
      setText("fee-countdown", `in ${duration(left)}`);
    } else {
      setText("fee-countdown", "now");
      refreshState();
    }
  }

  async function refreshState() {
    if (refreshing) return;
    refreshing = true;
    try {
      const fresh = await api(`/api/creators/${encodeURIComponent(state.creator.address)}`);
      state = { ...state, ...fresh };
      syncClock(fresh.now);
      renderCreator();
      requestTipQuote();
      requestGiftQuote();
    } catch (err) {
      // A failed background refresh keeps what is shown; the next one may work.
    } finally {
      refreshing = false;
    }
  }

  // ------------------------------------------------------------------ tip

  // What is on screen is what is sent, or nothing: each form keeps the inputs its shown quote was
  // computed for ({key, quote, error}); a press whose inputs differ (changed within the quote's
  // 150 ms pause, e.g. an arrow key then Enter) sends nothing and says so.
  let tipShown = null;
  let tipSeq = 0;

  function stale(id) {
    $(id).classList.add("stale");
    $(id).setAttribute("aria-busy", "true");
  }

  function fresh(id) {
    $(id).classList.remove("stale");
    $(id).removeAttribute("aria-busy");
  }

  // A platform's name with each word kept whole ("coins->diamonds" must not break at its "-").
  function words(text) {
    const cell = el("th");
    String(text).split(" ").forEach((word, i) => {
      if (i) cell.append(" ");
      cell.append(el("span", word, "word"));
    });
    return cell;
  }

  async function tipQuoteNow() {
    const amount = $("tip-amount").value.trim();
    const seq = ++tipSeq;
    if (!amount) {
      tipShown = { key: amount, quote: null, error: null };
      fresh("tip-breakdown");
      setText("tip-error", "");
      setText("tip-breakdown", "Type an amount to see what the creator receives.");
      $("compare").hidden = true;
      updateRelayNote();
      return;
    }
    try {
      const q = await api(`/api/quote/tip?creator=${encodeURIComponent(state.creator.address)}&amount=${encodeURIComponent(amount)}`);
      if (seq !== tipSeq) return;
      tipShown = { key: amount, quote: q, error: null };
      fresh("tip-breakdown");
      setText("tip-error", "");
      setText("tip-breakdown", `The creator receives ${q.net_text}, the fee is ${q.fee_text}.`);
      const body = $("compare-body");
      body.replaceChildren(...q.platforms.map((p) => {
        const row = el("tr");
        row.append(words(p.name), el("td", p.receives_text));
        row.firstChild.scope = "row";
        return row;
      }));
      $("compare").hidden = false;
      updateFee(q.fee_state, q.now);
    } catch (err) {
      if (seq !== tipSeq) return;
      tipShown = { key: amount, quote: null, error: err };
      fresh("tip-breakdown");
      setText("tip-error", err.message);
      setText("tip-breakdown", "");
      $("compare").hidden = true;
    }
    updateRelayNote();
  }

  // ------------------------------------------------------------------ the relay policy

  // The relayer's terms, said by the service (`state.relay`: the minimum, what it pays for, its
  // limits per fan), shown under the gasless option; null when this service does not relay.
  function renderRelay() {
    const terms = state.relay;
    $("relay-terms").hidden = !terms || !state.gasless;
    if (!terms) return;
    setText("relay-summary", terms.summary);
    $("relay-covers").replaceChildren(...terms.covers.map((text) => el("li", text)));
    $("relay-limits").replaceChildren(...terms.limits.map((text) => el("li", text)));
  }

  function tipMode() {
    return document.querySelector("input[name=tip-mode]:checked").value;
  }

  // What the relayer says about the amount whose figures are shown, when the fan chose gasless
  // and it is below the minimum (the quote's `relay`); null when the tip may go gasless.
  function relayRefusal() {
    const quote = tipShown && tipShown.quote;
    if (tipMode() !== "gasless" || !quote || !quote.relay || quote.relay.relayable) return null;
    return quote.relay.message;
  }

  function updateRelayNote() {
    const message = relayRefusal();
    $("relay-below").hidden = !message;
    setText("relay-below-text", message);
  }

  function payDirectly() {
    document.querySelector("input[name=tip-mode][value=direct]").checked = true;
    updateRelayNote();
    $("tip-send").focus();
  }

  const requestTipQuote = debounce(tipQuoteNow, 150);

  function tipInput() {
    stale("tip-breakdown");
    requestTipQuote();
  }

  function updateFee(fee, now) {
    syncClock(now);
    const changed = JSON.stringify(fee) !== JSON.stringify(state.fee);
    state.fee = fee;
    if (changed) renderFee(fee);
  }

  async function sendTip(event) {
    event.preventDefault();
    hideNotice();
    const status = "tip-status";
    const button = $("tip-send");
    const amount = $("tip-amount").value.trim();
    const message = $("tip-message").value;
    const mode = tipMode();
    const shown = tipShown;
    button.disabled = true;
    try {
      if (!amount) throw new FanError("Type an amount first.", "amount");
      if (!shown || shown.key !== amount) {
        tipQuoteNow();
        throw new FanError("The figures shown were not yet worked out for the amount you typed, so nothing was sent. Check the figures now shown, then press Tip again.", "stale_quote");
      }
      // The amount was checked by the service before any wallet prompt (decimals, zero, format).
      if (shown.error) throw shown.error;
      // Below the relayer's minimum: said before the wallet is even asked (Direct stays open).
      if (mode === "gasless" && relayRefusal()) throw new FanError(`${relayRefusal()} Nothing was signed.`, "below_relay_minimum");
      const from = await ready();
      setText(status, "Preparing…");
      showPermitNotice(null);
      const plan = await api("/api/prepare/tip", { creator: state.creator.address, amount, message, from, mode });
      if (plan.mode === "gasless") {
        await gasless(plan, from, status);
      } else {
        const outcome = await sendAll(plan.transactions, status);
        setText(status, capital(outcome.summary));
      }
      document.body.dataset.lastResult = "tip";
      refreshRecent();
    } catch (err) {
      setText(status, "");
      if (["relayer_busy", "below_relay_minimum", "permit_below_minimum"].includes(err.code)) {
        err.action = { label: "Pay directly instead", run: async () => payDirectly() };
      }
      showError(err, status);
    } finally {
      button.disabled = false;
      refreshBalance();
    }
  }

  // The permit's size in plain words (the value the wallet then shows), kept in view while the
  // fan signs and until its next tip; hidden when this tip needs no permit.
  function showPermitNotice(plan) {
    const item = plan && plan.sign ? plan.sign.find((s) => s.kind === "permit") : null;
    $("tip-permit").hidden = !item;
    setText("tip-permit", item ? item.notice : "");
  }

  async function gasless(plan, from, status) {
    const signatures = {};
    showPermitNotice(plan);
    for (const item of plan.sign) {
      setText(status, `Sign in your wallet: ${item.label}…`);
      signatures[item.kind] = await ask("eth_signTypedData_v4", [from, JSON.stringify(item.typed_data)], "the signature");
    }
    const body = { ...plan.submit.body, signature: signatures.tip };
    if (body.permit) body.permit = { ...body.permit, signature: signatures.permit };
    setText(status, "Signed. Handing it to the relayer…");
    let accepted;
    try {
      accepted = await api(plan.submit.url, body);
    } catch (err) {
      if (err.status === 429 || err.status === 503) {
        throw new FanError(`The relayer is busy (${err.message.replace(/\.$/, "")}). Nothing was sent; try again in a minute, or pay directly (you pay the gas).`, "relayer_busy");
      }
      throw err;
    }
    setText(status, "Queued with the relayer; waiting for it to land…");
    for (let i = 0; i < 600; i++) {
      const tip = await api(`/api/tips/${encodeURIComponent(accepted.id)}`);
      if (tip.status === "landed") {
        setText(status, `Landed in block ${tip.block}: the creator receives ${plan.net_text}, the fee is ${plan.fee_text}.`);
        return tip;
      }
      if (tip.status === "skipped") {
        throw new FanError(`The relayer could not land your tip: ${tip.reason || "skipped"}. Nothing was taken.`, "skipped");
      }
      if (tip.status === "submitted") setText(status, `Submitted (${short(tip.tx || "")}); waiting for it to land…`);
      await sleep(i < 20 ? 300 : 1000);
    }
    throw new FanError("The relayer has not landed your tip yet; it will keep trying until the deadline.", "slow");
  }

  // ------------------------------------------------------------------ gift

  let giftShown = null;
  let giftSeq = 0;

  function renderGifts() {
    const list = $("gift-list");
    const legend = list.querySelector("legend");
    const chosen = selectedGift();
    list.replaceChildren(legend);
    state.gifts.forEach((gift, i) => {
      const label = el("label", null, "gift");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "gift";
      input.value = String(gift.id);
      input.checked = chosen ? String(chosen) === String(gift.id) : i === 0;
      input.addEventListener("change", giftInput);
      label.append(input, icon(gift.icon), el("span", gift.name, "gift-name"), el("span", gift.price_text, "gift-price"));
      list.append(label);
    });
    $("gift-card").hidden = !state.gifts.length;
  }

  function selectedGift() {
    const input = document.querySelector("input[name=gift]:checked");
    return input ? input.value : null;
  }

  // A gift's icon (served by the service; decorative: the gift's name is beside it).
  function icon(url) {
    const img = document.createElement("img");
    img.className = "gift-icon";
    img.alt = "";
    img.width = 24;
    img.height = 24;
    if (url) img.src = url;
    return img;
  }

  function giftKey() {
    return `${selectedGift()}|${$("gift-quantity").value.trim()}`;
  }

  async function giftQuoteNow() {
    const gift = selectedGift();
    const quantity = $("gift-quantity").value.trim();
    const key = giftKey();
    const seq = ++giftSeq;
    if (!gift) return;
    try {
      const q = await api(`/api/quote/gift?creator=${encodeURIComponent(state.creator.address)}&gift=${encodeURIComponent(gift)}&quantity=${encodeURIComponent(quantity)}`);
      if (seq !== giftSeq) return;
      giftShown = { key, quote: q, error: null };
      fresh("gift-breakdown");
      setText("gift-error", "");
      setText("gift-breakdown", `${q.gift.quantity} × ${q.gift.name}: ${q.amount_text}. The creator receives ${q.net_text}, the fee is ${q.fee_text}.`);
    } catch (err) {
      if (seq !== giftSeq) return;
      giftShown = { key, quote: null, error: err };
      fresh("gift-breakdown");
      setText("gift-error", err.message);
      setText("gift-breakdown", "");
    }
  }

  const requestGiftQuote = debounce(giftQuoteNow, 150);

  function giftInput() {
    stale("gift-breakdown");
    requestGiftQuote();
  }

  async function sendGift(event) {
    event.preventDefault();
    hideNotice();
    const status = "gift-status";
    const button = $("gift-send");
    const chosen = giftShown;
    const key = giftKey();
    button.disabled = true;
    try {
      if (!selectedGift()) throw new FanError("Choose a gift and a quantity first.", "gift");
      if (!chosen || chosen.key !== key) {
        giftQuoteNow();
        throw new FanError("The price shown was not yet worked out for your choice, so nothing was sent. Check the price now shown, then press Send gift again.", "stale_quote");
      }
      if (chosen.error) throw chosen.error;
      const shown = chosen.quote;
      const from = await ready();
      setText(status, "Preparing…");
      let plan;
      try {
        plan = await api("/api/prepare/gift", {
          creator: state.creator.address, gift: shown.gift.id, quantity: shown.gift.quantity,
          message: $("gift-message").value, from, max_amount: shown.amount,
        });
      } catch (err) {
        if (err.code === "price_changed") {
          await refreshState();
        }
        throw err;
      }
      const outcome = await sendAll(plan.transactions, status);
      setText(status, capital(outcome.summary));
      document.body.dataset.lastResult = "gift";
      refreshRecent();
    } catch (err) {
      if (err.code === "price_changed") refreshState();
      showError(err, status);
    } finally {
      button.disabled = false;
      refreshBalance();
    }
  }

  // ------------------------------------------------------------------ creator token

  let tradeQuote = null;
  let tradeSeq = 0;

  function tradeSide() {
    return document.querySelector("input[name=trade-side]:checked").value;
  }

  function renderToken() {
    const token = state.token;
    $("token-none").hidden = !!token;
    $("token-body").hidden = !token;
    if (!token) return;
    setText("token-h", `Creator token ${token.symbol}`);
    setText("token-symbol", token.symbol);
    setText("token-price", token.price_text);
    setText("token-supply", token.supply_text);
    setText("token-reserve", token.reserve_text);
    setText("token-fees", `protocol ${token.protocol_fee_text} + creator ${token.creator_fee_text}, on top of a buy and out of a sale`);
  }

  const requestTradeQuote = debounce(async () => {
    const amount = $("trade-amount").value.trim();
    const side = tradeSide();
    const seq = ++tradeSeq;
    tradeQuote = null;
    setText("trade-send", side === "buy" ? "Buy" : "Sell");
    if (!amount || !state.token) {
      setText("trade-error", "");
      setText("trade-quote", "");
      return;
    }
    try {
      const q = await api(`/api/quote/${side}?creator=${encodeURIComponent(state.creator.address)}&amount=${encodeURIComponent(amount)}`);
      if (seq !== tradeSeq) return;
      showTradeQuote(q);
    } catch (err) {
      if (seq !== tradeSeq) return;
      setText("trade-error", err.message);
      setText("trade-quote", "");
    }
  }, 150);

  function showTradeQuote(q) {
    tradeQuote = q;
    setText("trade-error", "");
    const fees = `fees ${q.protocol_fee_text} protocol + ${q.creator_fee_text} creator`;
    if (q.side === "buy") {
      setText("trade-quote", `${q.amount_text} cost ${q.total_text} (${fees}). You pay at most ${q.limit_text} (${q.tolerance_text}).`);
    } else {
      setText("trade-quote", `${q.amount_text} pay ${q.total_text} (${fees}). You get at least ${q.limit_text} (${q.tolerance_text}).`);
    }
  }

  async function sendTrade(event) {
    event.preventDefault();
    hideNotice();
    const status = "trade-status";
    const button = $("trade-send");
    button.disabled = true;
    try {
      const shown = tradeQuote;
      if (!shown) throw new FanError("Type an amount first.", "amount");
      const from = await ready();
      setText(status, "Preparing…");
      let plan;
      try {
        plan = await api(`/api/prepare/${shown.side}`, {
          creator: state.creator.address, amount: $("trade-amount").value.trim(), from, quote: shown.total,
        });
      } catch (err) {
        if (err.code === "quote_expired" && err.data && err.data.quote) showTradeQuote(err.data.quote);
        throw err;
      }
      const outcome = await sendAll(plan.transactions, status);
      setText(status, capital(outcome.summary));
      // The trade moved the price: the quote shown is no longer what the same amount costs.
      ++tradeSeq;
      tradeQuote = null;
      $("trade-amount").value = "";
      setText("trade-quote", "");
      document.body.dataset.lastResult = shown.side;
      refreshState();
    } catch (err) {
      if (err.code === "quote_expired") requestTradeQuote();
      showError(err, status);
    } finally {
      button.disabled = false;
      refreshBalance();
    }
  }

  // ------------------------------------------------------------------ recent tips

  function renderRecent(items, append) {
    const list = $("recent-list");
    const rows = items.map((item) => {
      const li = el("li");
      const head = el("p", null, "who");
      const gift = item.quantity ? `${item.quantity} × ${item.gift}` : item.gift;
      const what = item.gift ? `sent ${gift} (${item.amount_text})` : `tipped ${item.amount_text}`;
      head.append(el("span", short(item.fan), "mono"));
      if (item.gift) head.append(icon(item.icon));
      head.append(el("span", ` ${what}`, "what"), el("time", item.date, "muted"));
      li.append(head);
      if (item.message) {
        const msg = el("p", item.message, "msg");
        li.append(msg);
        if (item.truncated && item.full) li.append(wholeMessageButton(item.full, msg));
      }
      li.dataset.cursor = item.cursor;
      return li;
    });
    if (append) list.append(...rows); else list.replaceChildren(...rows);
    $("recent-empty").hidden = list.children.length > 0;
  }

  // A long message is cut by the service; its whole text (neutralised too) comes on demand.
  function wholeMessageButton(path, msg) {
    const button = el("button", "Show the whole message", "more-text");
    button.type = "button";
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const tip = await api(path);
        msg.textContent = tip.message;
        button.remove();
      } catch (err) {
        button.disabled = false;
        showError(err);
      }
    });
    return button;
  }

  async function refreshRecent() {
    try {
      const recent = await api(`/api/creators/${encodeURIComponent(state.creator.address)}/tips`);
      state.recent = recent;
      renderRecent(recent.items, false);
      $("recent-more").hidden = !recent.more;
    } catch (err) {
      // keep the list shown
    }
  }

  async function moreRecent() {
    const last = $("recent-list").lastElementChild;
    if (!last) return;
    try {
      const page = await api(`/api/creators/${encodeURIComponent(state.creator.address)}/tips?before=${encodeURIComponent(last.dataset.cursor)}`);
      renderRecent(page.items, true);
      $("recent-more").hidden = !page.more;
    } catch (err) {
      showError(err);
    }
  }

  // ------------------------------------------------------------------ views

  function renderCreator() {
    document.title = `${state.creator.label} · FairGift`;
    setText("creator-label", state.creator.label);
    setText("creator-address", state.creator.address);
    for (const node of document.querySelectorAll(".stable-symbol")) node.textContent = state.stablecoin.symbol;
    renderFee(state.fee);
    renderGifts();
    renderToken();
    const gasless = document.querySelector("input[name=tip-mode][value=gasless]");
    gasless.disabled = !state.gasless;
    if (!state.gasless) document.querySelector("input[name=tip-mode][value=direct]").checked = true;
    renderRelay();
    const max = state.max_message;
    $("tip-message").maxLength = max;
    $("gift-message").maxLength = max;
    const sources = $("sources");
    sources.replaceChildren(...state.platforms.map((p) => el("li", `${p.name}: ${p.source}${p.note ? ` (${p.note})` : ""}`)));
    $("sources-box").hidden = !state.platforms.length;
  }

  function startCreator() {
    setText("chain", `chain ${state.chain.id}`);
    renderCreator();
    renderRecent(state.recent.items, false);
    $("recent-more").hidden = !state.recent.more;
    $("creator-view").hidden = false;
    $("tip-amount").addEventListener("input", tipInput);
    $("tip-form").addEventListener("submit", sendTip);
    for (const input of document.querySelectorAll("input[name=tip-mode]")) input.addEventListener("change", updateRelayNote);
    $("relay-direct").addEventListener("click", payDirectly);
    $("gift-quantity").addEventListener("input", giftInput);
    $("gift-form").addEventListener("submit", sendGift);
    $("trade-amount").addEventListener("input", requestTradeQuote);
    for (const input of document.querySelectorAll("input[name=trade-side]")) input.addEventListener("change", requestTradeQuote);
    $("trade-form").addEventListener("submit", sendTrade);
    $("recent-more").addEventListener("click", moreRecent);
    countdownTimer = setInterval(tickCountdown, 1000);
    setInterval(refreshState, 30000);
    requestGiftQuote();
  }

  function startIndex() {
    setText("chain", `chain ${state.chain.id}`);
    const list = $("creator-list");
    list.replaceChildren(...state.creators.map((c) => {
      const li = el("li");
      const a = el("a", c.label);
      a.href = c.url;
      li.append(a, el("span", ` ${short(c.address)}`, "mono muted"));
      return li;
    }));
    $("creator-empty").hidden = state.creators.length > 0;
    $("index-view").hidden = false;
    $("open-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const address = $("open-address").value.trim();
      if (address) window.location.assign(`/c/${encodeURIComponent(address)}`);
    });
  }

  $("notice-close").addEventListener("click", hideNotice);
  $("connect").addEventListener("click", async () => {
    hideNotice();
    try {
      await connect();
      await ensureChain();
    } catch (err) {
      showError(err);
    }
  });
  const eth = provider();
  if (eth && typeof eth.on === "function") {
    eth.on("accountsChanged", (accounts) => {
      wallet.account = accounts && accounts.length ? accounts[0] : null;
      if (wallet.account) showAccount(); else { setText("connect", "Connect wallet"); refreshBalance(); }
    });
  }

  if (view === "creator") startCreator();
  else if (view === "index") startIndex();
  else {
    setText("missing-text", state.error || "There is nothing here.");
    $("missing-view").hidden = false;
  }
  document.body.dataset.ready = "1";
  if (window.performance && performance.mark) performance.mark("fairgift-ready");
})();
