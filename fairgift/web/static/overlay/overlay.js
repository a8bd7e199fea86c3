// The stream overlay: alerts from the service's server-sent events, shown one at a time from a
// queue. Everything a fan wrote is set as text (textContent), never as markup. Each alert's id is
// "<block>:<log index>"; the browser resends the last one as Last-Event-ID when it reconnects, and
// the page also drops an id it has already seen, so an alert is shown once.
"use strict";

(function () {
  const state = JSON.parse(document.getElementById("state").textContent);
  const opts = state.options;
  const SCALE = 10n ** 18n;
  const queue = [];
  const seen = new Set();
  let showing = false;
  let goal = null; // {target, raised, upto, symbol}
  // For tests and latency measurement: what was shown, when (ms since the epoch).
  const log = (window.__overlay = { shown: [], received: 0, connected: 0 });

  // A decimal string as an exact fixed-point BigInt (18 decimals).
  function units(text) {
    const [whole, frac = ""] = String(text).split(".");
    return BigInt(whole || "0") * SCALE + BigInt((frac + "0".repeat(18)).slice(0, 18));
  }
  function plain(value) {
    const whole = value / SCALE;
    const cents = ((value % SCALE) * 100n) / SCALE;
    return whole.toLocaleString("en-US") + (cents ? "." + String(cents).padStart(2, "0") : "");
  }
  function order(id) {
    const [block, index] = String(id).split(":");
    return [Number(block), Number(index)];
  }
  function after(a, b) {
    const [x, y] = [order(a), order(b)];
    return x[0] > y[0] || (x[0] === y[0] && x[1] > y[1]);
  }

  function wanted(alert) {
    const kind = alert.kind === "gift" ? "gifts" : "tips";
    if (!opts.kinds.includes(kind)) return false;
    if (opts.min && units(alert.amount_value) < units(opts.min)) return false;
    return true;
  }

  function drawGoal() {
    if (!goal) return;
    const box = document.getElementById("goal");
    const pct = goal.target > 0n ? Number((goal.raised * 1000n) / goal.target) / 10 : 0;
    document.getElementById("goal-fill").style.width = Math.min(100, pct) + "%";
    const words = `${plain(goal.raised)} of ${plain(goal.target)} ${goal.symbol}`;
    document.getElementById("goal-text").textContent = opts.label ? `${words} ${opts.label}` : words;
    box.hidden = false;
  }

  function show(alert) {
    showing = true;
    const box = document.getElementById("alert");
    const icon = document.getElementById("alert-icon");
    document.getElementById("alert-fan").textContent = alert.fan_short;
    let what = "tipped";
    if (alert.kind === "gift") {
      what = `sent ${alert.quantity ? alert.quantity + " × " : ""}${alert.gift}`;
    }
    document.getElementById("alert-what").textContent = what;
    document.getElementById("alert-amount").textContent = alert.amount_text;
    document.getElementById("alert-message").textContent = alert.message || "";
    if (alert.icon) {
      icon.src = alert.icon;
      icon.hidden = false;
    } else {
      icon.removeAttribute("src");
      icon.hidden = true;
    }
    box.dataset.id = alert.id;
    box.dataset.kind = alert.kind;
    box.classList.remove("leaving");
    box.hidden = false;
    log.shown.push({ id: alert.id, at: Date.now() });
    setTimeout(() => {
      box.classList.add("leaving");
      setTimeout(() => {
        box.hidden = true;
        box.classList.remove("leaving");
        showing = false;
        next();
      }, 300);
    }, opts.duration * 1000);
  }

  function next() {
    if (!showing && queue.length) show(queue.shift());
  }

  // The browser reconnects by itself after a dropped connection (with Last-Event-ID); a refusal
  // (429, 503) ends an EventSource for good, so the page opens a new one, resuming with ?after=.
  let lastId = "";
  function connect() {
    const query = new URLSearchParams();
    if (opts.since) query.set("since", opts.since);
    if (lastId) query.set("after", lastId);
    const text = query.toString();
    const source = new EventSource(`/overlay/${encodeURIComponent(state.creator)}/events${text ? "?" + text : ""}`);
    const track = (e) => {
      if (e.lastEventId) lastId = e.lastEventId;
    };
    source.addEventListener("hello", (e) => {
      track(e);
      log.connected += 1;
      document.body.dataset.ready = "1";
    });
    source.addEventListener("goal", (e) => {
      if (!opts.goal) return;
      const data = JSON.parse(e.data);
      goal = { target: units(opts.goal), raised: units(data.raised_value), upto: data.upto, symbol: data.symbol };
      drawGoal();
    });
    source.addEventListener("alert", (e) => {
      track(e);
      receive(JSON.parse(e.data));
    });
    source.addEventListener("reorg", (e) => {
      // the chain replaced the blocks from `from`: their ids may come again, for other tips
      const from = JSON.parse(e.data).from;
      for (const id of [...seen]) if (order(id)[0] >= from) seen.delete(id);
    });
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    });
  }

  function receive(alert) {
    if (seen.has(alert.id)) return;
    seen.add(alert.id);
    log.received += 1;
    if (goal && alert.symbol === goal.symbol && after(alert.id, goal.upto)) {
      goal.raised += units(alert.amount_value);
      drawGoal();
    }
    if (!wanted(alert)) return;
    queue.push(alert);
    next();
  }

  connect();
})();
