// The live status page: first a fetch of /api/v1/station and /api/v1/bays,
// then /api/v1/events (server-sent events) keeps every card current without
// a reload. Data is only ever written with textContent (never as HTML).
"use strict";

// Each state in words: [English, Chinese].
const STATES = {
  empty: ["Empty", "空闲"],
  detected: ["Detected", "已检测"],
  identified: ["Identified", "已识别"],
  checking: ["Checking", "检查中"],
  offloading: ["Copying", "正在导入"],
  verifying: ["Verifying", "校验中"],
  staged: ["Copied", "已导入"],
  wiping: ["Clearing", "清理中"],
  ready: ["Ready", "就绪"],
  fault: ["FAULT", "故障"],
  removed: ["Removed", "已取出"],
};

let token = localStorage.getItem("dockd-token") || "";
let source = null;

function $(id) { return document.getElementById(id); }

function bytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
}

function age(s) {
  if (s === null || s === undefined) return "none";
  if (s < 90) return s + " s";
  if (s < 5400) return Math.round(s / 60) + " min";
  return (s / 3600).toFixed(1) + " h";
}

function headers() {
  return token ? { Authorization: "Bearer " + token } : {};
}

function showStation(s) {
  $("station-name").textContent = s.name || "dockd";
  $("station-id").textContent = s.id + " · v" + s.version;
  $("disk").textContent = bytes(s.disk.staging_free_bytes);
  const net = s.network.state;
  $("network").textContent = { idle: "OK 正常", uploading: "Uploading 上传中", failing: "FAILING 失败", no_targets: "No target" }[net] || net;
  $("network").className = "value" + (net === "failing" ? " bad" : "");
  const q = s.queue;
  $("queue").textContent = q.files_unarchived + (q.files_unarchived === 1 ? " file" : " files") +
    (q.failing ? " · " + q.failing + " failing" : "");
  $("queue").className = "value" + (q.failing ? " warn" : "");
  $("oldest").textContent = age(s.oldest_unarchived_age_s);
  const alerts = $("alerts");
  alerts.replaceChildren(...s.alerts.map((a) => {
    const d = document.createElement("div");
    d.textContent = "⚠ " + a;
    return d;
  }));
  alerts.hidden = s.alerts.length === 0;
}

function card(id) {
  let el = document.querySelector('.bay[data-bay="' + id + '"]');
  if (!el) {
    el = $("bay-card").content.firstElementChild.cloneNode(true);
    el.dataset.bay = id;
    el.querySelector(".bay-no").textContent = "Bay " + id;
    $("bays").appendChild(el);
  }
  return el;
}

function clockText(b, held) {
  if (!held) return "–";
  const c = b.clock || {};
  let text = b.clock_offset_ms === null ? "unknown 未知" :
    (b.clock_offset_ms > 0 ? "+" : "") + (b.clock_offset_ms / 1000).toFixed(1) + " s" +
    (c.plausible === false ? " (implausible)" : "");
  if (c.set === "unconfirmed") text += " · set, unconfirmed";
  else if (c.set === "confirmed") text += " · set";
  else if (c.set === "withheld") text += " · not set (host clock unsynced)";
  return text;
}

function list(ul, items) {
  ul.replaceChildren(...items.map((t) => {
    const li = document.createElement("li");
    li.textContent = t;
    return li;
  }));
}

function showBay(b) {
  const el = card(b.id);
  el.dataset.state = b.state;
  const words = STATES[b.state] || [b.state, ""];
  el.querySelector(".state").textContent = words[0];
  el.querySelector(".state-zh").textContent = words[1];
  el.querySelector(".safe").hidden = !b.safe_to_leave;
  el.querySelector(".recorder").textContent = b.recorder ? b.recorder.serial : "–";
  el.querySelector(".officer").textContent = b.officer ? b.officer.no + (b.officer.name ? " " + b.officer.name : "") : "–";
  // Unknown is said in words, never shown as a number (DESIGN §12).
  const held = b.state !== "empty" && b.state !== "removed";
  el.querySelector(".battery").textContent = !held ? "–" :
    b.battery_percent === null ? "unknown 未知" : b.battery_percent + " %";
  el.querySelector(".clock").textContent = clockText(b, held);
  el.querySelector(".ready-rule").textContent = b.state === "ready" && b.ready_rule ? "Ready by: " + b.ready_rule : "";
  list(el.querySelector(".gates"), (b.gates || []).filter((g) => !g.met).map((g) => "Not ready: " + g.name + ": " + g.detail));
  list(el.querySelector(".notes"), b.notes || []);
  const p = b.progress;
  const pct = p.bytes_total ? Math.min(100, (100 * p.bytes_done) / p.bytes_total) : (b.safe_to_leave ? 100 : 0);
  // A docking that never got to list its files has no bar to show.
  el.classList.toggle("no-files", !p.files_total && !p.bytes_total && b.state !== "offloading");
  el.querySelector(".recorder").title = b.recorder ? b.recorder.serial + " " + b.recorder.model : "";
  el.querySelector(".officer").title = el.querySelector(".officer").textContent;
  el.querySelector(".error").title = b.error || "";
  const fill = el.querySelector(".fill");
  fill.style.width = pct.toFixed(1) + "%";
  fill.dataset.percent = pct.toFixed(1);
  el.querySelector(".progress-text").textContent =
    p.files_done + " / " + p.files_total + " files · " + bytes(p.bytes_done) + " / " + bytes(p.bytes_total) +
    (p.files_failed ? " · " + p.files_failed + " failed" : "") + (p.files_refused ? " · " + p.files_refused + " refused" : "");
  el.querySelector(".error").textContent = b.error || "";
}

function show(data) {
  if (data.station) showStation(data.station);
  data.bays.forEach(showBay);
}

function setLive(ok, text) {
  $("live").className = "live" + (ok ? "" : " offline");
  $("live").textContent = text;
}

function needToken(message) {
  $("login").hidden = false;
  $("login-error").textContent = message;
  setLive(false, "token needed");
}

async function start() {
  if (source) source.close();
  try {
    const [st, bays] = await Promise.all(["/api/v1/station", "/api/v1/bays"].map((u) => fetch(u, { headers: headers() })));
    if (st.status === 401 || bays.status === 401) return needToken(token ? "token refused" : "");
    show({ station: await st.json(), bays: await bays.json() });
  } catch (e) {
    setLive(false, "station unreachable");
  }
  $("login").hidden = true;
  source = new EventSource("/api/v1/events" + (token ? "?access_token=" + encodeURIComponent(token) : ""));
  source.addEventListener("status", (ev) => {
    show(JSON.parse(ev.data));
    setLive(true, "live " + new Date().toLocaleTimeString());
  });
  source.onerror = () => setLive(false, "reconnecting…");
}

$("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  token = $("token").value.trim();
  localStorage.setItem("dockd-token", token);
  start();
});

start();
