// The editor's desk: a textarea over an overlay that underlines the diagnostics, and the panels the
// server fills after each pause in typing. All contract text reaches the page through textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const source = $("source"), overlay = $("overlay");
const PAUSE_MS = 80;
const state = { name: null, base: null, saved: null, edition: "bilingual", seq: 0, shown: 0, diags: [], timer: null };

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-Slac-Desk": "1" },
  };
  const response = await fetch(path, init);
  const data = await response.json();
  if (!response.ok) { const e = new Error(data.error || response.statusText); e.status = response.status; throw e; }
  return data;
}

// ---- positions: the server speaks 1-based lines and columns in code points ----------------------
function lineStarts(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return starts;
}
function offsetOf(text, starts, line, column) {
  // columns count code points; JavaScript strings count UTF-16 units
  let i = starts[Math.min(line, starts.length) - 1] ?? text.length;
  for (let c = 1; c < column && i < text.length && text[i] !== "\n"; c++) i += text.codePointAt(i) > 0xffff ? 2 : 1;
  return i;
}

function paintOverlay() {
  const text = source.value, starts = lineStarts(text);
  const ranges = state.diags.map((d) => {
    const a = offsetOf(text, starts, d.line, d.column);
    let b = offsetOf(text, starts, d.end_line, d.end_column);
    if (b <= a) b = Math.min(a + 1, text.length);
    if (text[a] === "\n" || a >= text.length) return { a, b: a, d, eol: true };
    return { a, b, d };
  }).sort((x, y) => x.a - y.a);
  overlay.textContent = "";
  let at = 0;
  for (const r of ranges) {
    if (r.a < at) continue;  // overlapping ranges: the first one wins
    overlay.append(text.slice(at, r.a));
    const mark = el("mark", r.d.severity, r.eol ? " " : text.slice(r.a, r.b));
    mark.dataset.code = r.d.code;
    overlay.append(mark);
    at = r.eol ? r.a : r.b;
  }
  overlay.append(text.slice(at) + "\n");
  overlay.scrollTop = source.scrollTop; overlay.scrollLeft = source.scrollLeft;
}

function describe(d) {
  const li = el("li", d.severity);
  li.append(el("span", "where", `${d.line}:${d.column} `), el("span", "code", `${d.severity}[${d.code}]`), ` ${d.message}`);
  if (d.hint) li.append(el("div", "hint", `hint: ${d.hint}`));
  li.addEventListener("click", () => {
    const starts = lineStarts(source.value);
    const at = offsetOf(source.value, starts, d.line, d.column);
    source.focus(); source.setSelectionRange(at, at); reveal(d.line); showHere();
  });
  return li;
}

function reveal(line) {
  // Bring the line into the middle of the editor (20 px a line, as in desk.css).
  source.scrollTop = Math.max(0, (line - 1) * 20 - source.clientHeight / 2);
  overlay.scrollTop = source.scrollTop;
}

function showHere() {
  // The diagnostic under the caret, with its message and hint.
  const text = source.value, starts = lineStarts(text), caret = source.selectionStart;
  const here = $("here");
  here.textContent = "";
  for (const d of state.diags) {
    const a = offsetOf(text, starts, d.line, d.column), b = offsetOf(text, starts, d.end_line, d.end_column);
    if (caret >= a && caret <= Math.max(b, a + 1)) {
      here.append(el("span", "code", `${d.severity}[${d.code}] `), d.message);
      if (d.hint) here.append(el("span", "hint", ` — hint: ${d.hint}`));
      return;
    }
  }
}

function showExamples(examples) {
  const list = $("examples");
  list.textContent = "";
  if (!examples.length) list.append(el("li", "", "no examples run (the contract has errors, or none are written)"));
  for (const ex of examples) {
    const li = el("li", ex.ok ? "pass" : "fail", `${ex.title} (line ${ex.line})`);
    for (const c of ex.checks) {
      const verb = c.ok ? "=" : "≠";
      li.append(el("span", c.ok ? "check" : "check fail", `expect ${c.kind} ${c.expected} ${verb} actual ${c.actual}`));
    }
    list.append(li);
  }
}

function showDiff(diff) {
  const verdict = $("verdict"), list = $("changes");
  list.textContent = "";
  if (!diff) { verdict.textContent = "—"; verdict.className = ""; return; }
  const words = { reduction: "reduction: the gate fails", "no reduction": "no reduction: the gate passes",
                  unchanged: "unchanged", unavailable: `not compared: ${diff.reason || ""}` };
  verdict.textContent = words[diff.verdict] || diff.verdict;
  verdict.className = diff.verdict === "reduction" ? "reduction" : "ok";
  const lang = state.edition === "zh" ? "zh" : "en";
  for (const c of diff.changes) {
    const t = c.text[lang] || c.text.en || Object.values(c.text)[0];
    list.append(el("li", c.kind, `${c.kind}: ${t.subject} — ${t.detail}`));
  }
}

async function refresh() {
  const seq = ++state.seq, text = source.value;
  let answer;
  try {
    answer = await api("/api/refresh", { name: state.name, text, edition: state.edition });
  } catch (e) { setStatus(`refresh failed: ${e.message}`, "bad"); return; }
  if (seq < state.shown || text !== source.value) return;  // a newer refresh is on its way
  state.shown = seq;
  state.diags = answer.diagnostics;
  paintOverlay(); showHere();
  const list = $("diagnostics");
  list.textContent = "";
  answer.diagnostics.forEach((d) => list.append(describe(d)));
  showExamples(answer.examples);
  showDiff(answer.diff);
  if (answer.preview !== null) { $("preview").srcdoc = answer.preview; $("stale").hidden = true; }
  else $("stale").hidden = false;
  const errors = answer.diagnostics.filter((d) => d.severity === "error").length;
  const dirty = text !== state.saved ? " · unsaved changes" : "";
  setStatus(errors ? `${errors} error${errors > 1 ? "s" : ""}${dirty}` : `ok${dirty}`, errors ? "bad" : "good");
  $("timing").textContent = `refreshed in ${answer.ms} ms`;
  document.body.dataset.refreshed = String(seq);
}

function setStatus(text, cls) { const s = $("status"); s.textContent = text; s.className = cls || ""; }

function schedule() { clearTimeout(state.timer); paintOverlay(); state.timer = setTimeout(refresh, PAUSE_MS); }

async function save(force) {
  try {
    const saved = await api("/api/save", { name: state.name, text: source.value, base: state.base, force: !!force });
    state.base = saved.base; state.saved = source.value;
    $("conflict").hidden = true;
    setStatus("saved", "good");
    document.body.dataset.saved = state.base;
    refresh();
  } catch (e) {
    if (e.status === 409) { $("conflict-text").textContent = e.message; $("conflict").hidden = false; setStatus("not saved", "bad"); }
    else setStatus(`not saved: ${e.message}`, "bad");
  }
}

async function load(name) {
  const file = await api(`/api/file?name=${encodeURIComponent(name)}`);
  state.name = file.name; state.base = file.base; state.saved = file.text;
  source.value = file.text; $("conflict").hidden = true;
  await refresh();
}

source.addEventListener("input", schedule);
source.addEventListener("scroll", () => { overlay.scrollTop = source.scrollTop; overlay.scrollLeft = source.scrollLeft; });
source.addEventListener("keyup", showHere);
source.addEventListener("click", showHere);
source.addEventListener("keydown", (e) => {
  if (e.key === "Tab") { e.preventDefault(); document.execCommand("insertText", false, "  "); }
});
document.addEventListener("keydown", (e) => { if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); save(false); } });
$("save").addEventListener("click", () => save(false));
$("overwrite").addEventListener("click", () => save(true));
$("reload").addEventListener("click", () => load(state.name));
$("file").addEventListener("change", (e) => load(e.target.value));
for (const b of document.querySelectorAll("#editions button")) {
  b.addEventListener("click", () => {
    state.edition = b.dataset.edition;
    document.querySelectorAll("#editions button").forEach((x) => x.classList.toggle("on", x === b));
    refresh();
  });
}

(async () => {
  // The CJK serif is a web font (fonts.css): load it before the page's own Chinese is laid out.
  try { await document.fonts.load('14px "SLAC Serif"', "中文双语"); } catch (e) { /* the system's fonts then */ }
  document.body.classList.add("fonts-ready");
  const { files } = await api("/api/files");
  for (const f of files) $("file").append(el("option", "", f));
  if (files.length) await load(files[0]);
  else setStatus("no contracts: start slac serve with FILE.sla", "bad");
})();
