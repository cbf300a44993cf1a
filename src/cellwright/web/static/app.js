// cellwright's pages: forms post their fields as JSON (or a file as a form) to a fragment
// endpoint and show the HTML it returns; errors are the command line's one-line messages.
"use strict";

const errorBox = () => document.getElementById("error");
const busy = () => document.getElementById("busy");

function setPath(obj, parts, value) {
  let o = obj;
  for (const p of parts.slice(0, -1)) o = o[p] = o[p] && typeof o[p] === "object" ? o[p] : {};
  o[parts[parts.length - 1]] = value;
}

function getPath(obj, parts) {
  return parts.reduce((o, p) => (o && typeof o === "object" ? o[p] : undefined), obj);
}

function deepCopy(x) { return x === undefined ? {} : JSON.parse(JSON.stringify(x)); }

// The request body: the form's spec source (a built-in cell), then every named field on top.
function collect(form) {
  const body = {};
  const base = form.dataset.base ? document.querySelector(form.dataset.base) : null;
  if (base) Object.assign(body, collect(base));
  if (form._spec) body.spec = Object.assign(deepCopy(form._spec), body.spec || {});
  for (const el of form.querySelectorAll("[name]")) {
    if (el.name.startsWith("_") || el.type === "file" || el.type === "submit") continue;
    const parts = el.name.split(".");
    let value;
    if (el.type === "checkbox") value = el.checked;
    else if (el.value.trim() === "") {
      if (parts[0] === "spec") {  // an emptied key goes back to the preset's
        const parent = getPath(body, parts.slice(0, -1));
        if (parent && typeof parent === "object") delete parent[parts[parts.length - 1]];
      }
      continue;
    } else if (el.type === "number") value = Number(el.value);
    else if (el.dataset.type === "list") value = el.value.split(",").filter((s) => s.trim()).map(Number);
    else value = el.value;
    setPath(body, parts, value);
  }
  return body;
}

async function show(form, response) {
  const target = document.querySelector(form.dataset.target);
  if (response.ok) {
    target.innerHTML = await response.text();
    errorBox().textContent = "";
  } else {
    let message = `error ${response.status}`;
    try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
    errorBox().textContent = message;
  }
  target.dataset.updated = String(Date.now());
}

async function post(form, init) {
  const seq = (form._seq = (form._seq || 0) + 1);
  busy().hidden = false;
  document.body.dataset.busy = "1";
  try {
    const response = await fetch(form.dataset.fragment || form.dataset.upload, { method: "POST", ...init });
    if (seq === form._seq) await show(form, response);  // a newer edit supersedes this answer
  } catch (e) {
    errorBox().textContent = `error: ${e}`;
  } finally {
    if (seq === form._seq) { busy().hidden = true; delete document.body.dataset.busy; }
  }
}

function submitJson(form) {
  return post(form, { headers: { "Content-Type": "application/json" }, body: JSON.stringify(collect(form)) });
}

function submitUpload(form, useFile) {
  const data = new FormData();
  const file = form.querySelector("input[type=file]");
  if (useFile && file && file.files.length) data.append("file", file.files[0]);
  else data.append("example", form.querySelector("[name=example]").value);
  const sens = form.querySelector("[name=sensitivity]");
  if (sens) data.append("sensitivity", sens.checked ? "true" : "false");
  return post(form, { body: data });
}

function fill(form, spec) {
  for (const el of form.querySelectorAll("[name^='spec.']")) {
    const v = getPath({ spec }, el.name.split("."));
    el.value = v === undefined || v === null ? "" : v;
  }
}

async function loadSpec(form, select) {
  const r = await fetch(`/api/library/cells/${encodeURIComponent(select.value)}`);
  if (!r.ok) { errorBox().textContent = (await r.json()).error; return false; }
  const spec = await r.json();
  if (select.dataset.fill !== undefined) fill(form, spec);  // its keys are shown; the fields win
  form._spec = spec;
  return true;
}

function debounce(fn, ms) {
  let t;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

function wireForms() {
  for (const form of document.querySelectorAll("form[data-fragment]")) {
    const source = form.querySelector("[data-spec-source]");
    const run = () => submitJson(form);
    form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
    if (form.dataset.live !== undefined) {
      const later = debounce(run, 60);
      form.addEventListener("input", (e) => { if (e.target !== source) later(); });
      form.addEventListener("change", (e) => { if (e.target.tagName === "SELECT" && e.target !== source) run(); });
    }
    if (source) {
      source.addEventListener("change", async () => { if (await loadSpec(form, source)) run(); });
      loadSpec(form, source).then((ok) => { if (ok && form.dataset.live !== undefined) run(); });
    }
  }
  for (const form of document.querySelectorAll("form[data-upload]")) {
    form.addEventListener("submit", (e) => { e.preventDefault(); submitUpload(form, false); });
    const file = form.querySelector("input[type=file]");
    if (file) file.addEventListener("change", () => submitUpload(form, true));
  }
}

async function openStudy(name) {
  const target = document.getElementById("result");
  const r = await fetch(`/fragments/studies/${encodeURIComponent(name)}`);
  if (r.ok) { target.innerHTML = await r.text(); errorBox().textContent = ""; }
  else errorBox().textContent = (await r.json()).error;
  target.dataset.updated = String(Date.now());
}

function listStudies(items) {
  const ul = document.getElementById("stored");
  ul.innerHTML = "";
  for (const s of items) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = `#${s.name}`; a.dataset.study = s.name; a.textContent = s.name;
    const note = document.createElement("span");
    note.className = "muted"; note.textContent = ` ${s.study} (${s.method}, ${s.rows} rows)`;
    li.append(a, note); ul.append(li);
  }
}

function wireStudies() {
  const form = document.getElementById("run-study");
  if (!form) return;
  document.getElementById("stored").addEventListener("click", (e) => {
    const name = e.target.dataset && e.target.dataset.study;
    if (name) { e.preventDefault(); openStudy(name); }
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { study: form.study.value, out: form.out.value };
    const r = await fetch("/api/studies/run", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (!r.ok) { errorBox().textContent = (await r.json()).error; return; }
    errorBox().textContent = "";
    const bar = document.getElementById("progress"), text = document.getElementById("progress-text");
    bar.hidden = false;
    let job = await r.json();
    while (job.state === "running") {
      bar.max = Math.max(job.total, 1); bar.value = job.done;
      text.textContent = `${job.done} of ${job.total} rows`;
      await new Promise((ok) => setTimeout(ok, 300));
      job = await (await fetch(`/api/jobs/${job.id}`)).json();
    }
    bar.value = bar.max;
    if (job.state === "failed") { errorBox().textContent = `error: ${job.error}`; text.textContent = "failed"; return; }
    text.textContent = `${job.rows} rows in ${job.seconds.toFixed(1)} s`;
    listStudies(await (await fetch("/api/studies")).json());
    openStudy(job.out);
  });
  if (location.hash.length > 1) openStudy(decodeURIComponent(location.hash.slice(1)));
}

document.addEventListener("DOMContentLoaded", () => { wireForms(); wireStudies(); });
