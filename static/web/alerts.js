// The open-alert count in the header, and the alert inbox that fills itself.
//
// Loaded (as a module, from a file: the Content-Security-Policy refuses inline script) on
// every page a supervisor or admin reads. It asks /alerts/feed for the number of open alerts
// every 30 s; on the inbox's first page, every few seconds (data-poll-seconds, 10 by
// default) and with ?since=<newest alert id shown>, it also receives each new alert as the
// server drew it, puts it at the top of the list and announces it in the polite live region.
// Nothing is polled while the tab is hidden; coming back polls at once. Signed out (the feed
// answers with a redirect to the login page): it stops.

const COUNT_EVERY_SECONDS = 30;

const badge = document.querySelector("[data-alert-badge]");
const list = document.querySelector("[data-alert-list]");
const live = document.querySelector("[data-alert-live]");
const feed = list?.dataset.feed ?? badge?.dataset.feed;

let timer = null;
let busy = false;

function showCount(count) {
  for (const element of document.querySelectorAll("[data-alert-count]")) {
    element.textContent = String(count);
    element.classList.toggle("alert-count-some", count > 0);
  }
}

function announce(text) {
  if (!live || !text) return;
  // Emptied first, so the same words said twice in a row are announced twice.
  live.textContent = "";
  window.setTimeout(() => {
    live.textContent = text;
  }, 100);
}

function insert(alerts) {
  const empty = document.querySelector("[data-alert-empty]");
  // The feed sends the newest first; put the oldest in first so the newest ends on top.
  for (const { id, html } of [...alerts].reverse()) {
    if (document.getElementById(`alert-${id}`)) continue;
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const item = template.content.firstElementChild;
    if (!item) continue;
    item.classList.add("sv-alert-new");
    list.prepend(item);
  }
  if (empty && list.children.length > 0) empty.remove();
}

function stop() {
  if (timer !== null) window.clearInterval(timer);
  timer = null;
}

async function poll() {
  if (busy || document.hidden || !feed) return;
  busy = true;
  try {
    const url = new URL(feed, window.location.href);
    if (list) {
      url.searchParams.set("since", list.dataset.since || "0");
      url.searchParams.set("show", list.dataset.show || "open");
    }
    const response = await fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
    });
    if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
      stop(); // signed out, or no longer a supervisor: the next page load says so
      return;
    }
    if (!response.ok) return; // a passing failure: try again next time
    const body = await response.json();
    showCount(body.open_count);
    if (list && Array.isArray(body.alerts)) {
      if (body.alerts.length > 0) insert(body.alerts);
      list.dataset.since = String(body.latest_id ?? list.dataset.since);
      announce(body.announcement);
    }
  } catch {
    // Offline or the server is restarting: the next poll tries again.
  } finally {
    busy = false;
  }
}

function start() {
  if (!feed) return;
  const seconds = list ? Number(list.dataset.pollSeconds) || 10 : COUNT_EVERY_SECONDS;
  timer = window.setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && timer !== null) poll();
  });
}

start();
