// FairGift creator studio. Plain JavaScript, no build step, no Ethereum library: every figure and
// every transaction comes from the service (/api/studio/...); the wallet is only asked for
// eth_requestAccounts, eth_chainId, wallet_switchEthereumChain and eth_sendTransaction. Each action
// is previewed first (the service's plain-words label of every transaction) and what is sent is
// exactly what was shown: if the form changed after the preview, nothing is sent.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const boot = JSON.parse($("state").textContent || "{}");
  let me = null; // the connected creator's address
  let data = null; // GET /api/studio/{me}
  let pending = null; // the previewed action: {action, inputs, read, plan, errorId}
  let tipsOffset = 0;

  // ------------------------------------------------------------------ helpers

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  const setText = (id, text) => { $(id).textContent = text == null ? "" : String(text); };
  const short = (a) => (a ? `${a.slice(0, 6)}…${a.slice(-4)}` : "");
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  class StudioError extends Error {
    constructor(message, code) {
      super(message);
      this.code = code || "error";
    }
  }

  function capital(text) {
    const s = String(text);
    return s.charAt(0).toUpperCase() + s.slice(1) + (/[.!?]$/.test(s) ? "" : ".");
  }

  async function api(path, body) {
    const init = body === undefined ? {} : {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    };
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      throw new StudioError("The service cannot be reached. Check your connection and try again.", "offline");
    }
    let answer = null;
    try { answer = await response.json(); } catch (err) { answer = null; }
    if (!response.ok) {
      const error = new StudioError(capital((answer && answer.error) || `The service answered ${response.status}.`),
        (answer && answer.code) || `http_${response.status}`);
      error.status = response.status;
      throw error;
    }
    return answer;
  }

  function notify(message) {
    setText("notice-text", message);
    $("notice").hidden = false;
  }

  // ------------------------------------------------------------------ the wallet (EIP-1193)

  async function ask(method, params, what) {
    const eth = window.ethereum;
    if (!eth) throw new StudioError("No wallet found in this browser. Install a wallet such as MetaMask or Rabby. Nothing was sent.", "no_wallet");
    try {
      return await eth.request(params === undefined ? { method } : { method, params });
    } catch (err) {
      const code = err && err.code;
      if (code === 4001) throw new StudioError(`You declined ${what} in your wallet. Nothing was sent.`, "rejected");
      if (code === -32002) throw new StudioError("Your wallet already has a request waiting. Open your wallet to finish or cancel it.", "busy_wallet");
      throw new StudioError(`Your wallet refused: ${err && err.message ? err.message : err}.`, "wallet");
    }
  }

  async function ensureChain() {
    const have = parseInt(await ask("eth_chainId", undefined, "the chain check"), 16);
    if (have === Number(boot.chain.id)) return;
    try {
      await window.ethereum.request({ method: "wallet_switchEthereumChain", params: [{ chainId: boot.chain.id_hex }] });
    } catch (err) {
      throw new StudioError(`Your wallet is on chain ${have}, but this service works on chain ${boot.chain.id}. Switch your wallet's network, then try again. Nothing was sent.`, "wrong_chain");
    }
  }

  async function connect() {
    const accounts = await ask("eth_requestAccounts", undefined, "the connection");
    if (!accounts || !accounts.length) throw new StudioError("Your wallet shared no account. Unlock it and try again.", "no_account");
    me = accounts[0];
    $("connect").textContent = short(me);
    $("connect").title = me;
    await load();
  }

  // ------------------------------------------------------------------ reading

  async function load() {
    data = await api(`/api/studio/${encodeURIComponent(me)}`);
    render();
    $("connect-view").hidden = true;
    $("studio-view").hidden = false;
    document.body.dataset.loaded = data.creator.address;
  }

  function render() {
    const c = data.creator;
    setText("me-label", c.name ? `${c.label}'s studio` : "Your studio");
    setText("me-address", c.address);
    $("me-page").href = c.page;
    document.title = `${c.label}: FairGift studio`;
    renderMoney();
    renderPayout();
    renderSplits();
    renderToken();
    renderFans();
    renderTips(data.tips, false);
    renderFeeHistory();
  }

  function renderMoney() {
    const list = $("jar-credits");
    list.replaceChildren(...data.credits.jar.map((credit) => {
      const item = el("li");
      item.append(el("span", "Tip jar: "), el("strong", credit.text));
      const button = el("button", "Withdraw", "small withdraw-jar");
      button.type = "button";
      button.dataset.token = credit.token;
      button.disabled = credit.amount === "0";
      button.onclick = () => review("withdraw-jar", () => ({ token: credit.token }), "withdraw-jar-error");
      item.append(" ", button);
      return item;
    }));
    setText("market-credit", data.credits.market.text);
    $("withdraw-market").disabled = data.credits.market.amount === "0";
  }

  function renderPayout() {
    const p = data.payout;
    setText("payout-jar", p.jar_is_self ? `you (${short(p.jar)})` : p.jar);
    setText("payout-market", p.market_is_self ? `you (${short(p.market)})` : p.market);
    $("payout-reset").disabled = p.jar_is_self && p.market_is_self;
  }

  function renderSplits() {
    $("split-none").hidden = data.splits.length > 0;
    $("split-list").replaceChildren(...data.splits.map((split) => {
      const item = el("li", null, "split");
      item.append(el("p", split.address, "mono"));
      const payees = el("ul", null, "payees");
      for (const payee of split.payees) {
        payees.append(el("li", `${short(payee.address)} ${payee.share_text}: owed ${payee.owed_text}`));
      }
      item.append(payees);
      const button = el("button", `Release ${split.owed_text}`, "small release");
      button.type = "button";
      button.dataset.split = split.address;
      button.disabled = split.owed === "0";
      button.onclick = () => review("release", () => ({ split: split.address }), "release-error");
      item.append(button);
      return item;
    }));
    if (!$("split-rows").children.length) {
      addPayee(me, "");
      addPayee("", "");
    }
  }

  function addPayee(address, share) {
    const row = el("div", null, "payee-row");
    const n = $("split-rows").children.length + 1;
    const who = el("input", null, "split-address mono");
    who.value = address || "";
    who.placeholder = "0x…";
    who.setAttribute("aria-label", `Payee ${n} address`);
    const part = el("input", null, "split-share");
    part.value = share || "";
    part.placeholder = "50%";
    part.setAttribute("aria-label", `Payee ${n} share`);
    row.append(who, part);
    $("split-rows").append(row);
  }

  function renderToken() {
    const token = data.token;
    $("launch-form").hidden = !!token;
    $("token-body").hidden = !token;
    if (!token) return;
    setText("token-name", `${token.name} (${token.symbol})`);
    setText("token-price", token.price_text);
    setText("token-supply", token.supply_text);
    setText("token-fee", token.fee.text);
    setText("fee-cap", token.fee.cap_text);
    setText("fee-delay", token.fee.delay_text);
    const rise = token.fee.pending;
    $("token-pending").hidden = !rise;
    $("fee-cancel").hidden = !rise;
    if (rise) setText("token-pending", `Rising to ${rise.text} on ${rise.date}; fans see this now.`);
  }

  function renderFans() {
    const t = data.totals;
    const sums = t.by_token.map((s) => `${s.net_text} to you (${s.sent_text} sent, ${s.fee_text} fees)`).join("; ");
    setText("totals", t.count ? `${t.count} tips and gifts (${t.gifts} gift${t.gifts === 1 ? "" : "s"}) from ${t.fans} fan${t.fans === 1 ? "" : "s"}: ${sums}.` : "No tips or gifts yet.");
    $("csv").href = `/api/studio/${encodeURIComponent(data.creator.address)}/tips.csv`;
    drawChart(data.days);
    $("supporters").replaceChildren(...data.supporters.map((s) => {
      const item = el("li");
      const who = el("span", s.short, "mono");
      who.title = s.fan;
      item.append(who, el("span", ` ${s.text} in ${s.count} tip${s.count === 1 ? "" : "s"}`));
      return item;
    }));
  }

  // A bar per day (net received, in the stablecoin), drawn as inline SVG by this script.
  function drawChart(days) {
    const svg = $("chart");
    const ns = "http://www.w3.org/2000/svg";
    svg.replaceChildren();
    const list = days.days;
    if (!list.length) {
      setText("chart-caption", "Your daily totals appear here after the first tip.");
      return;
    }
    const most = Math.max(1, ...list.map((d) => Number(d.net)));
    const width = 300 / list.length;
    list.forEach((day, i) => {
      const h = Math.max(Number(day.net) > 0 ? 2 : 0, (Number(day.net) / most) * 86);
      const bar = document.createElementNS(ns, "rect");
      bar.setAttribute("x", String(i * width + width * 0.1));
      bar.setAttribute("width", String(width * 0.8));
      bar.setAttribute("y", String(90 - h));
      bar.setAttribute("height", String(h));
      bar.setAttribute("class", "bar");
      const title = document.createElementNS(ns, "title");
      title.textContent = `${day.date}: ${day.text} (${day.count})`;
      bar.append(title);
      svg.append(bar);
    });
    const best = list.reduce((a, b) => (Number(b.net) > Number(a.net) ? b : a));
    setText("chart-caption", `Received per day, ${list[0].date} to ${list[list.length - 1].date}; best day ${best.date}: ${best.text}.`);
  }

  function renderTips(page, append) {
    const list = $("tips-list");
    const items = page.items.map((tip) => {
      const item = el("li");
      const head = el("p", null, "who");
      const fan = el("span", tip.short, "mono fan");
      fan.title = tip.fan;
      const what = tip.gift ? `${tip.quantity ? `${tip.quantity} × ` : ""}${tip.gift}` : "tip";
      const time = el("time", tip.date, "muted");
      time.dateTime = new Date(tip.time * 1000).toISOString();
      if (tip.icon) {
        // the gift's icon, served by the service (decorative: the gift's name is beside it)
        const img = el("img", null, "gift-icon");
        img.alt = "";
        img.width = 20;
        img.height = 20;
        img.src = tip.icon;
        head.append(img);
      }
      head.append(fan, el("span", `${what}: ${tip.amount_text} (you get ${tip.net_text})`), time);
      item.append(head);
      if (tip.message) item.append(el("p", tip.message, "msg"));
      return item;
    });
    if (append) list.append(...items); else list.replaceChildren(...items);
    tipsOffset = page.offset + page.items.length;
    $("tips-more").hidden = !page.more;
    $("tips-empty").hidden = list.children.length > 0;
  }

  async function loadTips(append) {
    const fan = $("tips-fan").value.trim();
    const offset = append ? tipsOffset : 0;
    const page = await api(`/api/studio/${encodeURIComponent(me)}/tips?fan=${encodeURIComponent(fan)}&offset=${offset}`);
    if (fan !== $("tips-fan").value.trim()) return; // typed on meanwhile: the newer search wins
    renderTips(page, append);
  }

  function renderFeeHistory() {
    $("fee-history").replaceChildren(...data.fees.map((fee) => {
      const box = el("div", null, "fee-line");
      box.append(el("h3", `${capital(fee.label).slice(0, -1)}: ${fee.now_text} now`));
      const list = el("ol", null, "plain");
      for (const entry of fee.entries) list.append(el("li", `${entry.date}: ${entry.text}`));
      box.append(list);
      return box;
    }));
  }

  // ------------------------------------------------------------------ preview, confirm, send

  function clearErrors() {
    for (const node of document.querySelectorAll(".field-error")) node.textContent = "";
  }

  // Ask the service for the action's transactions; refusals go next to the control (`errorId`).
  async function review(action, read, errorId) {
    $("notice").hidden = true;
    clearErrors();
    try {
      if (!me) await connect();
      const inputs = read();
      const plan = await api(`/api/studio/prepare/${action}`, { from: me, ...inputs });
      pending = { action, inputs: JSON.stringify(inputs), read, plan, errorId };
      $("confirm-list").replaceChildren(...plan.txs.map((tx) => el("li", capital(tx.label))));
      setText("confirm-status", "");
      $("confirm-send").hidden = false;
      $("confirm-send").disabled = false;
      $("confirm").hidden = false;
      $("confirm-send").focus({ preventScroll: false });
    } catch (err) {
      if (err.status && err.status < 500) setText(errorId, err.message); else notify(err.message);
    }
  }

  async function confirmSend() {
    if (!pending) return;
    const shown = pending;
    const send = $("confirm-send");
    // What is sent is what was shown: a form changed after the preview sends nothing.
    if (JSON.stringify(shown.read()) !== shown.inputs) {
      pending = null;
      send.hidden = true;
      const text = "The form changed after this preview, so nothing was sent. Review it again.";
      setText("confirm-status", text);
      setText(shown.errorId, text);
      return;
    }
    send.disabled = true;
    let done = 0; // transactions of this preview already mined
    try {
      await ensureChain();
      let outcome = null;
      for (const [i, tx] of shown.plan.txs.entries()) {
        setText("confirm-status", `Confirm in your wallet (${i + 1} of ${shown.plan.txs.length}): ${tx.label}…`);
        const hash = await ask("eth_sendTransaction", [{ from: tx.from, to: tx.to, data: tx.data, value: tx.value }], "the transaction");
        setText("confirm-status", `Sent (${short(hash)}); waiting for it to be mined…`);
        outcome = await follow(hash);
        if (outcome.status !== "success") throw new StudioError(capital(outcome.reason || "the transaction failed"), "reverted");
        done = i + 1;
      }
      pending = null;
      send.hidden = true;
      setText("confirm-status", `Done in block ${outcome.block}: ${shown.plan.effects.join("; ")}.`);
      document.body.dataset.lastDone = shown.action;
      await load();
    } catch (err) {
      if (!done) {
        send.disabled = false; // nothing of it was sent: the same preview can be sent again
        setText("confirm-status", err.message);
        return;
      }
      // Part of it is on chain: say which part, and ask for a fresh preview of the rest.
      pending = null;
      send.hidden = true;
      const sent = shown.plan.txs.slice(0, done).map((tx) => tx.label).join("; ");
      const why = err.message.replace(" Nothing was sent.", "");
      setText("confirm-status", `${done} of ${shown.plan.txs.length} sent and mined (${sent}); the next was not: ${why} Review again to finish.`);
      try { await load(); } catch (ignored) { /* the next review reads afresh */ }
    }
  }

  async function follow(hash) {
    for (let i = 0; i < 600; i++) {
      const outcome = await api(`/api/tx/${hash}`);
      if (outcome.status !== "pending") return outcome;
      await sleep(i < 10 ? 300 : 1000);
    }
    throw new StudioError(`Transaction ${short(hash)} is still pending; check your wallet.`, "pending");
  }

  // ------------------------------------------------------------------ the controls

  function payees() {
    return [...$("split-rows").children].map((row) => ({
      address: row.querySelector(".split-address").value.trim(),
      share: row.querySelector(".split-share").value.trim(),
    })).filter((p) => p.address || p.share);
  }

  function wire() {
    const guard = (fn) => async (...args) => {
      try { await fn(...args); } catch (err) { notify(err.message); }
    };
    $("connect").onclick = guard(connect);
    $("connect-big").onclick = guard(connect);
    $("notice-close").onclick = () => { $("notice").hidden = true; };
    $("withdraw-market").onclick = () => review("withdraw-market", () => ({}), "withdraw-market-error");
    $("payout-form").onsubmit = (event) => {
      event.preventDefault();
      review("payout", () => ({ payout: $("payout-address").value.trim() }), "payout-error");
    };
    $("payout-reset").onclick = () => review("payout", () => ({ payout: "" }), "payout-error");
    $("split-add").onclick = () => addPayee("", "");
    $("split-form").onsubmit = (event) => {
      event.preventDefault();
      review("split", () => ({ payees: payees(), point_payout: $("split-point").checked }), "split-error");
    };
    $("launch-form").onsubmit = (event) => {
      event.preventDefault();
      review("launch", () => ({
        name: $("launch-name").value.trim(),
        symbol: $("launch-symbol").value.trim(),
        fee: $("launch-fee").value.trim(),
        first_buy: $("launch-buy").value.trim() || "0",
      }), "launch-error");
    };
    $("fee-form").onsubmit = (event) => {
      event.preventDefault();
      review("fee", () => ({ fee: $("fee-new").value.trim() }), "fee-error");
    };
    $("fee-cancel").onclick = () => review("cancel-fee", () => ({}), "cancel-fee-error");
    $("confirm-send").onclick = confirmSend;
    $("confirm-close").onclick = () => { pending = null; $("confirm").hidden = true; };
    $("tips-search").onsubmit = (event) => { event.preventDefault(); guard(loadTips)(false); };
    $("tips-fan").oninput = guard(() => loadTips(false));
    $("tips-more").onclick = guard(() => loadTips(true));
  }

  wire();
  document.body.dataset.ready = "1";
})();
