// topicdesk's Mini App: a small client of the REST API. It signs in with
// Telegram's initData (or a session kept from before, in a desktop
// browser), then shows the dashboard, tickets, technicians and API tokens,
// and follows the event stream to stay current without reloads.
"use strict";

const T = JSON.parse(document.getElementById("texts").textContent || "{}");
const t = (id, args) => {
  let text = T[id] || id;
  for (const [name, value] of Object.entries(args || {})) text = text.split(`%${name}%`).join(String(value));
  return text;
};

const tg = window.Telegram && window.Telegram.WebApp && window.Telegram.WebApp.initData !== undefined
  ? window.Telegram.WebApp : null;
const SESSION_KEY = "topicdesk.session";
const state = { session: null, me: null, lastEventId: 0, stream: null, view: null, technicians: null, desk: null, page: 0 };
// Whether the page that asked is still the one shown: a late re-render of a
// page already left (a debounced event, a slow answer) must not replace the
// next one.
function stillShown() { const page = state.page; return () => page === state.page; }

// ---------- DOM helpers: every text goes in as text, never as HTML ----------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
const main = () => document.getElementById("main");
function show(...nodes) { main().replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false)); }

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} ${t("ui-unit.s")}`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} ${t("ui-unit.min")}`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return `${hours} ${t("ui-unit.h")} ${m % 60} ${t("ui-unit.min")}`;
  return `${Math.floor(hours / 24)} ${t("ui-unit.d")}`;
}
const since = (at) => duration((Date.now() - Date.parse(at)) / 1000);
const when = (at) => at ? new Date(at).toLocaleString(document.documentElement.lang, { dateStyle: "short", timeStyle: "short" }) : "—";
const clientName = (c) => [c.name || String(c.tg_id), c.username ? `@${c.username}` : ""].filter(Boolean).join(" ");

// ---------- Theme: Telegram's colours, also when its script is absent ----------
function readLaunchParams() {
  const params = new URLSearchParams(location.hash.slice(1));
  const initData = tg ? tg.initData : params.get("tgWebAppData") || "";
  let theme = tg ? tg.themeParams : null;
  if (!theme && params.get("tgWebAppThemeParams")) {
    try { theme = JSON.parse(params.get("tgWebAppThemeParams")); } catch (_) { theme = null; }
  }
  if (theme && !tg) {
    for (const [key, value] of Object.entries(theme)) {
      document.documentElement.style.setProperty(`--tg-theme-${key.replace(/_/g, "-")}`, value);
    }
  }
  if (location.hash.includes("tgWebApp")) history.replaceState(null, "", "#/");
  return initData;
}
function cssColour(name) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const match = /^#?([0-9a-f]{6})$/i.exec(value);
  return match ? match[1] : null;
}

// ---------- Session and API ----------
function saveSession(tokens) {
  state.session = { access: tokens.access_token, refresh: tokens.refresh_token,
    expires: Date.now() + tokens.expires_in * 1000 };
  localStorage.setItem(SESSION_KEY, JSON.stringify(state.session));
}
function dropSession() { state.session = null; localStorage.removeItem(SESSION_KEY); }

class ApiError extends Error {
  constructor(status, body) { super(body && body.detail || `HTTP ${status}`); this.status = status; this.body = body; }
}

async function request(method, path, body, token) {
  const headers = { "Accept": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : null);
  return data;
}

let refreshing = null;
async function refresh() {
  if (!state.session) throw new ApiError(401, null);
  if (!refreshing) {
    refreshing = request("POST", "/api/v1/auth/refresh", { refresh_token: state.session.refresh })
      .then(saveSession)
      .catch((error) => { dropSession(); throw error; })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}
async function freshToken() {
  if (state.session && state.session.expires - Date.now() < 60_000) await refresh();
  return state.session && state.session.access;
}
async function api(method, path, body) {
  try {
    return await request(method, path, body, await freshToken());
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401 || !state.session) throw error;
    await refresh();
    return request(method, path, body, state.session.access);
  }
}

// ---------- Live events ----------
function setLive(on) {
  const live = document.getElementById("live");
  live.hidden = false;
  live.textContent = on ? t("ui-live") : t("ui-reconnecting");
  live.classList.toggle("off", !on);
}
async function follow() {
  if (state.stream) state.stream.close();
  let token;
  try { token = await freshToken(); } catch (_) { return signInPage(); }
  const url = `/api/v1/events/stream?token=${encodeURIComponent(token)}&last_event_id=${state.lastEventId}`;
  const stream = new EventSource(url);
  state.stream = stream;
  stream.onopen = () => setLive(true);
  stream.onmessage = (message) => {
    const id = Number(message.lastEventId);
    if (id > state.lastEventId) state.lastEventId = id;
    let event = null;
    try { event = JSON.parse(message.data); } catch (_) { return; }
    if (state.view && state.view.onEvent) state.view.onEvent(event);
  };
  stream.onerror = () => {
    // The stream ends when the access token does; come back with a fresh
    // one and the last id seen, so nothing is missed.
    stream.close();
    if (state.stream !== stream) return;
    setLive(false);
    setTimeout(() => { if (state.stream === stream) follow(); }, 1500);
  };
}
function seenUpTo(id) { if (id > state.lastEventId) state.lastEventId = id; }
function debounce(fn, ms) { let timer; return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); }; }


// ---------- The desk's categories and priorities (for labels and selectors) ----------
async function deskInfo() {
  if (!state.desk) state.desk = await api("GET", "/api/v1/desk");
  return state.desk;
}
function priorityLabel(key) {
  const found = state.desk && state.desk.priorities.find((p) => p.key === key);
  return found ? found.label : key;
}
function categoryLabel(key) {
  const found = state.desk && state.desk.categories.find((c) => c.key === key);
  return found ? found.label : key;
}
function slaRow(ticket, kind) {
  return h("li", { "data-test": `sla-${kind}-${ticket.id}` },
    h("a", { href: `#/tickets/${ticket.id}`, class: "row spread" },
      h("span", {}, `#${ticket.id} ${clientName(ticket.client)}`),
      h("span", { class: `badge ${kind === "breached" ? "breached" : "at-risk"}` },
        kind === "breached" ? `⏰ ${t("ui-sla-breached")}` : `⏳ ${t("ui-sla-at-risk")}`)));
}
function slaLine(label, clock, test) {
  let value;
  if (clock.state === "none") value = t("ui-sla-no-target");
  else if (clock.state === "met") value = `✓ ${t("ui-sla-met")}`;
  else if (clock.remaining_seconds !== null && clock.remaining_seconds < 0) value = `⏰ ${t("ui-sla-overdue")} ${duration(-clock.remaining_seconds)}`;
  else if (clock.state === "breached") value = `⏰ ${t("ui-sla-breached")}`;
  else value = `${clock.state === "paused" ? "⏸ " + t("ui-sla-paused") + " · " : ""}${t("ui-sla-left")} ${duration(clock.remaining_seconds)} · ${t("ui-sla-due")} ${when(clock.due)}`;
  return h("div", { class: "row spread", "data-test": test, "data-state": clock.state },
    h("span", { class: "muted" }, label), h("span", {}, value));
}

// ---------- Pages ----------
function failure(error, retry) {
  return h("div", { class: "stack" },
    h("p", { class: "error" }, `${t("ui-error")} ${error.message}`),
    retry ? h("button", { onclick: retry }, t("ui-retry")) : null);
}

function signInPage() {
  document.getElementById("nav").hidden = true;
  show(h("p", { class: "muted", "data-test": "no-session" }, t("ui-no-telegram")));
}

function forbiddenPage(id) {
  document.getElementById("nav").hidden = true;
  show(h("div", { class: "stack", "data-test": "forbidden" },
    h("h1", {}, t("ui-forbidden-title")),
    h("p", {}, t("ui-forbidden-body", { id: id || "?" }))));
}

function card(label, value, test) {
  return h("div", { class: "card" }, h("div", { class: "n", "data-test": test }, value), h("div", { class: "l" }, label));
}

async function chartInto(container, name) {
  const params = new URLSearchParams();
  const fg = cssColour("--tg-theme-hint-color"); if (fg) params.set("fg", fg);
  const accent = cssColour("--tg-theme-button-color"); if (accent) params.set("accent", accent);
  try {
    const svg = await api("GET", `/api/v1/dashboard/charts/${name}?${params}`);
    // The SVG is drawn by the desk itself from numbers and its own labels.
    container.innerHTML = typeof svg === "string" ? svg : "";
  } catch (_) { container.textContent = "—"; }
}

async function dashboardPage() {
  const shown = stillShown();
  const render = async () => {
    const d = await api("GET", "/api/v1/dashboard");
    if (!shown()) return;
    seenUpTo(d.last_event_id);
    const oldest = d.oldest_waiting;
    const tickets = h("div", { class: "chart", "data-test": "chart-tickets" });
    const survey = h("div", { class: "chart", "data-test": "chart-survey" });
    show(
      h("h1", {}, t("ui-nav.dashboard")),
      h("div", { class: "grid" },
        card(t("ui-status.new"), d.open.new, "open-new"),
        card(t("ui-status.work"), d.open.work, "open-work"),
        card(t("ui-status.waiting"), d.open.waiting, "open-waiting"),
        card(t("ui-sla-at-risk"), d.sla.at_risk, "sla-at-risk"),
        card(t("ui-sla-breached"), d.sla.breached, "sla-breached"),
        card(`${t("ui-today")}: ${t("ui-opened")}`, d.today.opened, "today-opened"),
        card(`${t("ui-today")}: ${t("ui-closed")}`, d.today.closed, "today-closed"),
        card(t("ui-first-response"), duration(d.today.first_response && d.today.first_response.median_seconds), "today-first-response"),
        card(t("ui-resolution"), duration(d.today.resolution && d.today.resolution.median_seconds), "today-resolution")),
      h("h2", {}, t("ui-sla")),
      d.sla.at_risk || d.sla.breached
        ? h("ul", { class: "list", "data-test": "sla-list" },
          d.sla.breached_tickets.map((ticket) => slaRow(ticket, "breached")),
          d.sla.at_risk_tickets.map((ticket) => slaRow(ticket, "at-risk")))
        : h("p", { class: "muted" }, t("ui-sla-none")),
      h("h2", {}, t("ui-oldest-waiting")),
      oldest
        ? h("a", { href: `#/tickets/${oldest.id}`, "data-test": "oldest" },
          `#${oldest.id} · ${clientName(oldest.client)} · ${since(oldest.created_at)}`)
        : h("p", { class: "muted" }, t("ui-nothing-waiting")),
      h("h2", {}, t("ui-chart-tickets")), tickets,
      h("h2", {}, t("ui-chart-survey")), survey,
      h("h2", {}, t("ui-load")),
      h("ul", { class: "list", "data-test": "load" }, d.technicians.map((tech) =>
        h("li", { class: "row spread" },
          h("span", {}, tech.name, tech.available ? "" : " ⏸"),
          h("span", { class: "muted" },
            `${tech.open_tickets} ${t("ui-open-count")} · `,
            tech.average_rating === null ? t("ui-no-rating") : `${t("ui-rating")} ${tech.average_rating.toFixed(1)} (${tech.ratings})`)))));
    chartInto(tickets, "opened-closed");
    chartInto(survey, "survey");
  };
  await render();
  const again = debounce(() => render().catch(() => {}), 600);
  return { onEvent: again };
}

async function ticketsPage() {
  const shown = stillShown();
  const filters = { status: "open", q: "", category: "", priority: "" };
  const desk = await deskInfo();
  const list = h("ul", { class: "list", "data-test": "tickets" });
  const more = h("button", { class: "ghost", hidden: true }, t("ui-load-more"));
  let cursor = null;
  const load = async (append) => {
    const params = new URLSearchParams({ limit: "30" });
    if (filters.status !== "all") params.set("status", filters.status);
    if (filters.q) params.set("q", filters.q);
    if (filters.category) params.set("category", filters.category);
    if (filters.priority) params.set("priority", filters.priority);
    if (append && cursor) params.set("cursor", cursor);
    const page = await api("GET", `/api/v1/tickets?${params}`);
    if (!shown()) return;
    const rows = page.items.map((ticket) => h("li", {},
      h("a", { href: `#/tickets/${ticket.id}`, "data-test": `ticket-${ticket.id}` },
        h("div", { class: "row spread" },
          h("strong", {}, `#${ticket.id} ${clientName(ticket.client)}`),
          h("span", { class: `badge ${ticket.status}` }, t(`ui-status.${ticket.status}`))),
        h("div", { class: "muted" },
          [priorityLabel(ticket.priority), ticket.category ? categoryLabel(ticket.category) : null,
            ticket.technician ? ticket.technician.name : t("ui-unassigned"), since(ticket.created_at)].filter(Boolean).join(" · ")),
        ticket.matched_message ? h("div", { class: "muted" }, `“${ticket.matched_message.slice(0, 100)}”`) : null)));
    if (append) list.append(...rows); else list.replaceChildren(...rows);
    if (!append && !rows.length) list.append(h("li", { class: "muted" }, t("ui-no-tickets")));
    cursor = page.next_cursor;
    more.hidden = !cursor;
  };
  more.addEventListener("click", () => load(true));
  const chips = h("div", { class: "chips" }, ["open", "new", "work", "waiting", "closed", "all"].map((status) =>
    h("button", { class: status === filters.status ? "" : "ghost", "data-status": status, onclick: (e) => {
      filters.status = status;
      for (const chip of chips.children) chip.className = chip === e.target ? "" : "ghost";
      load(false);
    } }, status === "all" ? t("ui-filter-all") : status === "open" ? t("ui-filter-open") : t(`ui-status.${status}`))));
  const search = h("input", { type: "search", placeholder: t("ui-search"), "data-test": "search" });
  search.addEventListener("input", debounce(() => { filters.q = search.value.trim(); load(false).catch(() => {}); }, 350));
  const pick = (key, test, none, options) => h("select", { "data-test": test, onchange: (e) => {
    filters[key] = e.target.value;
    load(false).catch(() => {});
  } }, h("option", { value: "" }, none), options.map((o) => h("option", { value: o.key }, o.label)));
  const selects = h("div", { class: "row" },
    desk.categories.length ? pick("category", "filter-category", t("ui-filter-category"), desk.categories) : null,
    pick("priority", "filter-priority", t("ui-filter-priority"), desk.priorities));
  show(h("h1", {}, t("ui-nav.tickets")), search, h("div", { style: "height:8px" }), chips, selects, list, more);
  await load(false);
  const again = debounce(() => load(false).catch(() => {}), 800);
  return { onEvent: again };
}

const EVENT_WORDS = { opened: "ui-event.opened", assigned: "ui-event.assigned", reassigned: "ui-event.reassigned",
  closed: "ui-event.closed", note: "ui-event.note", specialist_call: "ui-event.call", message_edited: "ui-event.edited",
  topic_recreated: "ui-event.recreated", client_blocked: "ui-event.blocked", delivery_failed: "ui-event.failed",
  priority_changed: "ui-event.priority", category_changed: "ui-event.category", category_chosen: "ui-event.category-chosen",
  waiting: "ui-event.waiting", waiting_ended: "ui-event.waiting-ended", sla_warning: "ui-event.sla-warning",
  sla_breached: "ui-event.sla-breached" };
const REASONS = { ticket_closed: "ui-reason.ticket-closed", not_your_ticket: "ui-reason.not-your-ticket",
  assigned_to_someone_else: "ui-reason.assigned", admins_only: "ui-reason.admins-only", read_only_token: "ui-reason.read-only",
  not_open_yet: "ui-reason.not-open-yet", already_waiting: "ui-reason.already-waiting", no_categories: "ui-reason.no-categories" };
const reason = (allowed) => allowed.allowed ? null : h("div", { class: "reason" }, t(REASONS[allowed.reason] || "ui-reason.admins-only"));

function timelineEntry(entry) {
  if (entry.kind === "message" || entry.kind === "note" || entry.kind === "specialist_call") {
    const direction = entry.kind === "message" ? entry.direction : "out";
    const label = entry.kind === "message" ? null : t(EVENT_WORDS[entry.kind]);
    return h("li", { "data-test": "timeline-message" },
      h("div", { class: `msg ${direction}` },
        h("div", { class: "meta" }, [entry.author || (direction === "in" ? t("ui-client") : ""), label,
          entry.via_web ? t("ui-via-web") : null, when(entry.at)].filter(Boolean).join(" · ")),
        h("div", { "data-test": "message-text" }, entry.text || (entry.media ? `[${entry.media}]` : "")),
        entry.links.some((l) => l.url)
          ? h("div", { class: "links" }, entry.links.filter((l) => l.url).map((l) => h("a", { href: l.url, target: "_blank" }, l.place)))
          : null));
  }
  const words = t(EVENT_WORDS[entry.kind] || "ui-event.other");
  if (entry.kind === "priority_changed" && entry.detail) entry = { ...entry, detail: priorityLabel(entry.detail) };
  if ((entry.kind === "category_changed" || entry.kind === "category_chosen") && entry.detail) entry = { ...entry, detail: categoryLabel(entry.detail) };
  return h("li", { class: "sys", "data-test": `timeline-${entry.kind}` },
    [[words, entry.detail || (EVENT_WORDS[entry.kind] ? null : entry.kind)].filter(Boolean).join(" "), when(entry.at)].join(" · "));
}

async function ticketPage(id) {
  let draft = "";
  // A live redraw keeps an open confirmation too.
  let confirming = false;
  const shown = stillShown();
  const render = async (notice) => {
    const d = await api("GET", `/api/v1/tickets/${id}`);
    if (!shown()) return;
    seenUpTo(d.last_event_id);
    const p = d.permissions;
    // A live redraw keeps what is being typed.
    const text = h("textarea", { placeholder: t("ui-reply"), disabled: !p.reply.allowed, "data-test": "reply-text",
      oninput: (e) => { draft = e.target.value; } });
    text.value = draft;
    const send = h("button", { disabled: !p.reply.allowed, "data-test": "reply-send", onclick: async () => {
      if (!text.value.trim()) return;
      send.disabled = true;
      try { await api("POST", `/api/v1/tickets/${id}/messages`, { text: text.value }); draft = ""; await render(t("ui-sent")); }
      catch (error) { send.disabled = false; status.textContent = `${t("ui-error")} ${error.message}`; }
    } }, t("ui-send"));
    const status = h("div", { class: "reason", "data-test": "notice" }, notice || "");
    const confirmRow = h("div", { class: "row", hidden: !(confirming && p.close.allowed) },
      h("span", {}, t("ui-confirm-close")),
      h("button", { class: "danger", "data-test": "confirm-close", onclick: async () => {
        try { await api("POST", `/api/v1/tickets/${id}/close`); confirming = false; await render(); }
        catch (error) { status.textContent = `${t("ui-error")} ${error.message}`; }
      } }, t("ui-close")));
    const close = h("button", { class: "ghost", disabled: !p.close.allowed, "data-test": "close",
      onclick: () => { confirming = true; confirmRow.hidden = false; } }, t("ui-close"));
    const desk = await deskInfo();
    const act = async (path, body) => {
      try { await api("POST", `/api/v1/tickets/${id}/${path}`, body); await render(); }
      catch (error) { status.textContent = `${t("ui-error")} ${error.message}`; }
    };
    const priority = h("select", { "data-test": "priority", disabled: !p.priority.allowed,
      onchange: (e) => act("priority", { level: e.target.value }) },
    desk.priorities.map((o) => h("option", { value: o.key, selected: o.key === d.priority }, o.label)));
    const category = desk.categories.length
      ? h("select", { "data-test": "category", disabled: !p.category.allowed,
        onchange: (e) => { if (e.target.value) act("category", { key: e.target.value }); } },
      d.category ? null : h("option", { value: "" }, t("ui-no-category")),
      desk.categories.map((o) => h("option", { value: o.key, selected: o.key === d.category }, o.label)))
      : null;
    const wait = h("button", { class: "ghost", "data-test": "wait", disabled: !p.wait.allowed,
      onclick: () => act("wait") }, `⏸ ${t("ui-wait")}`);
    const levels = h("div", { class: "card stack", style: "margin-top:8px", "data-test": "levels" },
      h("label", { class: "row spread" }, h("span", {}, t("ui-priority")), priority),
      category ? h("label", { class: "row spread" }, h("span", {}, t("ui-category")), category) : null,
      reason(p.priority),
      slaLine(t("ui-sla-first"), d.sla.first_response, "sla-first"),
      slaLine(t("ui-sla-resolution"), d.sla.resolution, "sla-resolution"),
      h("div", { class: "row" }, wait), p.wait.reason === p.priority.reason ? null : reason(p.wait));
    let assign = null;
    if (p.assign.allowed) {
      const me = state.me;
      if (me.sees_everything) {
        const techs = state.technicians || (state.technicians = await api("GET", "/api/v1/technicians"));
        const choices = techs.filter((tech) => tech.active && tech.available && (!d.technician || tech.id !== d.technician.id));
        assign = h("select", { "data-test": "assign", onchange: async (e) => {
          if (!e.target.value) return;
          try { await api("POST", `/api/v1/tickets/${id}/assign`, { technician_id: Number(e.target.value) }); await render(); }
          catch (error) { status.textContent = `${t("ui-error")} ${error.message}`; }
        } }, h("option", { value: "" }, t("ui-assign")), choices.map((tech) => h("option", { value: tech.id }, tech.name)));
      } else if (me.technician_id) {
        assign = h("button", { "data-test": "take", onclick: async () => {
          try { await api("POST", `/api/v1/tickets/${id}/assign`, { technician_id: me.technician_id }); await render(); }
          catch (error) { status.textContent = `${t("ui-error")} ${error.message}`; }
        } }, t("ui-take"));
      }
    }
    if (!shown()) return;
    show(
      h("a", { href: "#/tickets" }, `← ${t("ui-back")}`),
      h("h1", { class: "row spread" }, h("span", {}, t("ui-ticket", { id: d.id })),
        h("span", { class: `badge ${d.status}`, "data-test": "status" }, t(`ui-status.${d.status}`))),
      h("div", { class: "card stack" },
        h("div", {}, `${t("ui-client")}: ${clientName(d.client)}`),
        h("div", {}, `${t("ui-technician")}: ${d.technician ? d.technician.name : t("ui-unassigned")}`),
        h("div", { class: "muted" }, `${t("ui-opened-at")}: ${when(d.created_at)}`),
        d.topic_link ? h("a", { href: d.topic_link, target: "_blank" }, "Telegram ↗") : null),
      h("div", { class: "row", style: "margin-top:8px" }, assign, close),
      reason(p.close), p.assign.allowed || p.assign.reason === p.close.reason ? null : reason(p.assign), confirmRow,
      levels,
      d.feedback ? h("div", { class: "card", style: "margin-top:8px" },
        h("strong", {}, t("ui-feedback")), " ",
        `⭐ ${d.feedback.speed} · ${d.feedback.quality} · ${d.feedback.politeness}`,
        d.feedback.comment ? h("div", {}, `${t("ui-comment")}: ${d.feedback.comment}`) : null) : null,
      h("h2", {}, t("ui-timeline")),
      h("ul", { class: "timeline", "data-test": "timeline" }, d.timeline.map(timelineEntry)),
      h("div", { class: "stack", style: "margin-top:12px" }, text, h("div", { class: "row" }, send), reason(p.reply), status));
  };
  await render();
  // Not while a selector is open: the redraw would close it under the
  // pointer; it comes once the choice is made.
  const again = debounce(() => {
    const active = document.activeElement;
    if (active && active.tagName === "SELECT" && main().contains(active)) return again();
    render().catch(() => {});
  }, 300);
  return { onEvent: (event) => { if (event.ticket_id === id) again(); } };
}

async function technicianPage() {
  const shown = stillShown();
  const render = async () => {
    const techs = await api("GET", "/api/v1/technicians");
    if (!shown()) return;
    state.technicians = techs;
    const may = state.me.may_switch_availability;
    show(h("h1", {}, t("ui-nav.technicians")),
      h("ul", { class: "list", "data-test": "technicians" }, techs.map((tech) => h("li", { class: "row spread" },
        h("span", {}, tech.name, tech.username ? ` @${tech.username}` : "", h("span", { class: "muted" }, ` · ${tech.open_tickets} ${t("ui-open-count")}`)),
        tech.active
          ? h("label", { class: "switch" },
            h("input", { type: "checkbox", checked: tech.available, disabled: !may, "data-test": `available-${tech.id}`, onchange: async (e) => {
              try { await api("POST", `/api/v1/technicians/${tech.id}/availability`, { available: e.target.checked }); }
              catch (_) { e.target.checked = !e.target.checked; }
              await render();
            } }),
            tech.available ? t("ui-available") : t("ui-unavailable"))
          : h("span", { class: "muted" }, t("ui-not-in-mapping"))))),
      may ? null : h("div", { class: "reason" }, t("ui-reason.admins-only")));
  };
  await render();
  return { onEvent: debounce((event) => { if (event.action.startsWith("technician_") || event.action.includes("assign")) render().catch(() => {}); }, 500) };
}

async function tokensPage() {
  const render = async (created) => {
    const tokens = await api("GET", "/api/v1/tokens");
    const name = h("input", { placeholder: t("ui-token-name"), maxlength: "64", "data-test": "token-name" });
    const scope = h("select", {}, h("option", { value: "read" }, t("ui-token-scope.read")), h("option", { value: "write" }, t("ui-token-scope.write")));
    show(h("h1", {}, t("ui-nav.tokens")),
      created ? h("div", { class: "card stack" }, h("div", { class: "token", "data-test": "new-token" }, created.token), h("div", { class: "muted" }, t("ui-token-once"))) : null,
      h("div", { class: "row", style: "flex-wrap:nowrap" }, name, scope,
        h("button", { onclick: async () => {
          try { await render(await api("POST", "/api/v1/tokens", { name: name.value, scope: scope.value })); }
          catch (error) { name.setCustomValidity(error.message); name.reportValidity(); }
        } }, t("ui-token-create"))),
      tokens.length ? h("ul", { class: "list" }, tokens.map((token) => h("li", { class: "row spread" },
        h("span", {}, h("strong", {}, token.name), ` · ${t(`ui-token-scope.${token.scope}`)} · `, h("code", {}, token.hint),
          h("div", { class: "muted" }, token.revoked_at ? t("ui-token-revoked")
            : token.last_used_at ? `${t("ui-token-last-used")} ${when(token.last_used_at)}` : t("ui-token-never-used"))),
        token.revoked_at ? null : h("button", { class: "ghost", onclick: async () => { await api("DELETE", `/api/v1/tokens/${token.id}`); await render(); } }, t("ui-token-revoke")))))
        : h("p", { class: "muted" }, t("ui-no-tokens")));
  };
  await render();
  return {};
}

// The knowledge base's articles: everyone reads, managers write.
async function kbPage() {
  const may = state.me.may_manage_tokens;
  const render = async (editing) => {
    const articles = await api("GET", "/api/v1/kb/articles");
    const a = editing || { slug: "", language: "", title: "", body: "", tags: [], published: true };
    const slug = h("input", { placeholder: t("ui-kb-slug"), value: a.slug, disabled: Boolean(a.id), "data-test": "kb-slug" });
    const language = h("select", { disabled: Boolean(a.id), "data-test": "kb-language" }, ["", "ru", "kk", "en"].map((code) =>
      h("option", { value: code, selected: code === a.language }, code || t("ui-kb-language"))));
    const title = h("input", { placeholder: t("ui-kb-title"), value: a.title, "data-test": "kb-title" });
    const body = h("textarea", { placeholder: t("ui-kb-body"), rows: "8", "data-test": "kb-body" }, a.body);
    const tags = h("input", { placeholder: t("ui-kb-tags"), value: a.tags.join(", ") });
    const published = h("input", { type: "checkbox", checked: a.published, style: "width:auto" });
    const save = async () => {
      const input = { slug: slug.value, language: language.value || null, title: title.value || null, body: body.value,
        entities: editing && editing.body === body.value ? editing.entities : [],
        tags: tags.value.split(",").map((tag) => tag.trim()).filter(Boolean), published: published.checked,
        media_file_id: a.media_file_id || null, media_kind: a.media_kind || null };
      try { await api(a.id ? "PUT" : "POST", a.id ? `/api/v1/kb/articles/${a.id}` : "/api/v1/kb/articles", input); await render(); }
      catch (error) { body.setCustomValidity(error.message); body.reportValidity(); }
    };
    show(h("h1", {}, t("ui-nav.kb")),
      may ? h("div", { class: "card stack", "data-test": "kb-editor" }, h("strong", {}, a.id ? `${a.slug} · ${a.language}` : t("ui-kb-new")),
        h("div", { class: "row" }, slug, language), title, body, tags,
        h("label", { class: "row" }, published, t("ui-kb-published")),
        h("div", { class: "row" }, h("button", { onclick: save, "data-test": "kb-save" }, t("ui-kb-save")),
          a.id ? h("button", { class: "ghost", onclick: async () => { await api("DELETE", `/api/v1/kb/articles/${a.id}`); await render(); } }, t("ui-kb-delete")) : null))
        : h("div", { class: "reason" }, t("ui-reason.admins-only")),
      articles.length ? h("ul", { class: "list", "data-test": "kb-list" }, articles.map((article) => h("li", { class: "row spread" },
        h("span", {}, h("code", {}, article.slug), ` · ${article.language} · `, h("strong", {}, article.title),
          article.published ? null : h("span", { class: "muted" }, ` · ${t("ui-kb-published")}: —`)),
        may ? h("button", { class: "ghost", onclick: () => render(article) }, "✎") : null)))
        : h("p", { class: "muted" }, t("ui-no-articles")));
  };
  await render();
  return { onEvent: debounce((event) => { if (event.action.startsWith("kb_article_")) render().catch(() => {}); }, 500) };
}

async function route() {
  if (!state.me) return;
  const hash = location.hash.replace(/^#/, "") || "/";
  const ticket = /^\/tickets\/(\d+)$/.exec(hash);
  const page = ticket ? "tickets" : hash.startsWith("/tickets") ? "tickets" : hash.startsWith("/technicians") ? "technicians"
    : hash.startsWith("/tokens") ? "tokens" : hash.startsWith("/kb") ? "kb" : "dashboard";
  for (const link of document.querySelectorAll("[data-nav]")) link.classList.toggle("active", link.dataset.nav === page);
  if (tg && tg.BackButton) { if (ticket) tg.BackButton.show(); else tg.BackButton.hide(); }
  state.view = null;
  state.page += 1;
  try {
    state.view = ticket ? await ticketPage(Number(ticket[1]))
      : page === "tickets" ? await ticketsPage()
      : page === "technicians" ? await technicianPage()
      : page === "tokens" && state.me.may_manage_tokens ? await tokensPage()
      : page === "kb" ? await kbPage()
      : await dashboardPage();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return signInPage();
    show(failure(error, route));
  }
}

async function boot() {
  for (const link of document.querySelectorAll("[data-nav]")) link.textContent = t(`ui-nav.${link.dataset.nav}`);
  const initData = readLaunchParams();
  if (tg) { tg.ready(); tg.expand(); if (tg.BackButton) tg.BackButton.onClick(() => { location.hash = "#/tickets"; }); }
  document.getElementById("boot").textContent = t("ui-signing-in");
  try {
    if (initData) {
      saveSession(await request("POST", "/api/v1/auth/telegram", { init_data: initData }));
    } else {
      const kept = JSON.parse(localStorage.getItem(SESSION_KEY) || "null");
      if (!kept) return signInPage();
      state.session = kept;
    }
    state.me = await api("GET", "/api/v1/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) {
      let id = null;
      try { id = JSON.parse(new URLSearchParams(initData).get("user")).id; } catch (_) { id = null; }
      return forbiddenPage(id);
    }
    if (error instanceof ApiError && error.status === 401) { dropSession(); return signInPage(); }
    return show(failure(error, boot));
  }
  document.getElementById("nav").hidden = false;
  document.querySelector('[data-nav="tokens"]').hidden = !state.me.may_manage_tokens;
  window.addEventListener("hashchange", route);
  await route();
  follow();
}

boot();
