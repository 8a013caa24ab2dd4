// mitra's service worker, served from the site's root so that every page is in its scope.
//
// Offline, it shows the pages it keeps (the app shell: Today, the crisis page, the offline page,
// the styles and scripts) and queues check-ins and doses in IndexedDB on this phone. Each queued
// entry is the form as it was filled in, with the form's replay token; when the connection returns
// it is posted again, and the journal stores a token once however often it arrives, so an entry
// whose answer was lost, or a replay from two tabs at once, is never stored twice.
"use strict";

const CONFIG = {{ config }};
const DB_NAME = "mitra-offline";
const STORE = "queue";
const KEEP_ANSWERED_MS = 24 * 3600 * 1000;  // synced or refused entries are kept a day, then forgotten

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CONFIG.cache)
      .then((cache) => Promise.all(CONFIG.shell.map((url) => keepAtInstall(cache, url))))
      .then(() => self.skipWaiting())
  );
});

// Each file of the shell is kept as cache.addAll would keep it (any that fails fails the
// install), except a page that answers with a redirect: Today, installed from the sign-in page,
// answers with the sign-in page, which is not Today. It is kept when it is first shown
// (networkFirst), signed in.
async function keepAtInstall(cache, url) {
  const response = await fetch(new Request(url, { cache: "reload" }));
  if (!response.ok) throw new TypeError(url + " answered " + response.status);
  if (!response.redirected) await cache.put(url, response);
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("mitra-shell-") && n !== CONFIG.cache).map((n) => caches.delete(n))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.method === "POST" && request.mode === "navigate" && CONFIG.queuedForms[url.pathname]) {
    event.respondWith(postOrQueue(request, url.pathname));
    return;
  }
  if (request.method !== "GET") return;
  const kept = CONFIG.shell.includes(url.pathname) && !url.search;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, kept, true));
  } else if (kept) {
    event.respondWith(networkFirst(request, true, false));
  }
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "sync") return;
  if (data.csrfToken) csrfToken = String(data.csrfToken);
  event.waitUntil(replay().then(broadcast));
});

// Chromium's Background Sync, where it exists, replays once the connection is back even with no
// page open; everywhere else a page asks (app.js) when it opens and when it goes online.
self.addEventListener("sync", (event) => {
  if (event.tag === "mitra-queue") event.waitUntil(replay().then(broadcast));
});

// --- pages and files: the network first, the kept copy when there is no connection --------------

async function networkFirst(request, keep, page) {
  try {
    const response = await fetch(request);
    if (keep && response.ok && response.type === "basic") {
      const copy = response.clone();
      caches.open(CONFIG.cache).then((cache) => cache.put(new URL(request.url).pathname, copy));
    }
    return response;
  } catch (error) {
    const path = new URL(request.url).pathname;
    const cached = keep ? await caches.match(path, { ignoreSearch: true }) : undefined;
    if (cached) return page ? markedAsKept(cached) : cached;
    // A page not kept: the offline page, which says what still works.
    const fallback = page ? await caches.match(CONFIG.fallback) : undefined;
    if (!fallback) throw error;
    return fallback;
  }
}

// A kept page says so on its <body>, so that app.js can drop the messages it was saved with and
// bring its forms' times up to now.
async function markedAsKept(response) {
  const html = (await response.text()).replace("<body ", `<body data-kept-copy="${Date.now()}" `);
  return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// --- check-ins and doses: sent at once when possible, else queued on this phone ------------------

async function postOrQueue(request, path) {
  const body = await request.clone().text();
  try {
    return await fetch(request);
  } catch (error) {
    await enqueue(path, body);
    broadcast();
    if (self.registration.sync) self.registration.sync.register("mitra-queue").catch(() => {});
    return Response.redirect(CONFIG.today, 303);
  }
}

function openQueue() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

function inStore(mode, work) {
  return openQueue().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = work(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(result.value); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  }));
}

function allEntries() {
  return inStore("readonly", (store) => {
    const out = { value: [] };
    store.getAll().onsuccess = (e) => { out.value = e.target.result; };
    return out;
  });
}

function putEntry(entry) {
  return inStore("readwrite", (store) => { store.put(entry); return { value: entry }; });
}

function freshToken() {
  return self.crypto.randomUUID().replace(/-/g, "");
}

function describe(path, form) {
  const kind = CONFIG.queuedForms[path];
  if (kind === "Check-in") {
    return form.get("anxiety") ? `Check-in: anxiety ${form.get("anxiety")}/10` : "Check-in";
  }
  const amount = form.get("amount");
  return amount ? `Dose: ${amount} ${form.get("unit") || ""}`.trim() : "Dose";
}

async function enqueue(path, body) {
  const form = new URLSearchParams(body);
  const entries = await allEntries();
  // A kept page is shown as often as the person logs offline, with the same form each time: the
  // second entry made from it must not pass for a replay of the first.
  if (!form.get("token") || entries.some((e) => e.token === form.get("token"))) {
    form.set("token", freshToken());
  }
  await putEntry({
    path, body: form.toString(), token: form.get("token"), summary: describe(path, form),
    queuedAt: Date.now(), state: "waiting", answeredAt: null,
  });
}

let csrfToken = "";
let replaying = null;

// One replay at a time in this worker; the journal's replay token covers two workers or tabs.
function replay() {
  if (!replaying) replaying = replayWaiting().finally(() => { replaying = null; });
  return replaying;
}

async function replayWaiting() {
  const now = Date.now();
  for (const entry of await allEntries()) {
    if (entry.state !== "waiting" && now - entry.answeredAt > KEEP_ANSWERED_MS) {
      await inStore("readwrite", (store) => { store.delete(entry.id); return { value: null }; });
      continue;
    }
    if (entry.state !== "waiting") continue;
    const form = new URLSearchParams(entry.body);
    // The page's current CSRF token: the one the form was made with may have been renewed since.
    if (csrfToken) form.set("csrfmiddlewaretoken", csrfToken);
    let response;
    try {
      response = await fetch(entry.path, {
        method: "POST", body: form, credentials: "same-origin", redirect: "manual",
        headers: { "X-CSRFToken": csrfToken || form.get("csrfmiddlewaretoken") || "" },
      });
    } catch (error) {
      return;  // still offline: try again later
    }
    if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
      // Saved, or saved already by an earlier replay whose answer was lost: stored once either way.
      await putEntry({ ...entry, state: "synced", answeredAt: Date.now() });
    } else if (response.status === 422 || response.status === 400) {
      // The journal refused it (a product removed since, an amount it asks about): say so, keep it.
      await putEntry({ ...entry, state: "refused", answeredAt: Date.now() });
    }
    // Anything else (403 before a fresh CSRF token, 5xx) stays waiting for the next try.
  }
}

async function broadcast() {
  const entries = await allEntries();
  const clients = await self.clients.matchAll({ type: "window" });
  for (const client of clients) client.postMessage({ type: "queue", entries });
}
