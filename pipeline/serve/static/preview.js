// The preview page: hears of each build over server-sent events (/__preview/events) and updates
// its panes in place; the page is never reloaded, the web edition's frame keeps its scroll position.
"use strict";
const $ = (id) => document.getElementById(id);
let shown = { web: null, pdf: null, epub: null, docx: null };
window.__preview = { web: 0, state: null };  // what the tests and the bench read

function size(bytes) {
  if (bytes < 1024) return bytes + " B";
  if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " KB";
  return (bytes / 1024 / 1024).toFixed(1) + " MB";
}

function status(s) {
  const state = $("state");
  state.className = s.errors.length ? "failed" : "";
  state.textContent = s.errors.length
    ? `build failed: ${s.errors.length} problem${s.errors.length === 1 ? "" : "s"}`
    : s.building ? `building ${s.building}…` : "up to date";
  const parts = [];
  for (const name of ["html", "pdf", "epub", "docx"]) {
    const e = s.editions[name];
    if (!e) continue;
    const pages = e.pages ? `, ${e.pages} pages` : "";
    parts.push(`<span class="ed"><b>${name}</b> ${e.seconds.toFixed(2)} s, ${size(e.size)}${pages}</span>`);
  }
  $("editions").innerHTML = parts.join(" ");
}

function overlay(errors) {
  const list = $("problems");
  list.replaceChildren(...errors.map((d) => {
    const li = document.createElement("li");
    const where = document.createElement("span");
    where.className = "where";
    where.textContent = `${d.path}:${d.line}`;
    li.append(where, `: ${d.message}`);
    return li;
  }));
  $("overlay").hidden = errors.length === 0;
}

function reloadWeb(version) {
  const frame = $("web");
  const win = frame.contentWindow;
  const x = win ? win.scrollX : 0, y = win ? win.scrollY : 0;
  frame.addEventListener("load", () => {
    frame.contentWindow.scrollTo(x, y);
    window.__preview.web = version;
  }, { once: true });
  if (win) win.location.reload(); else frame.src = frame.src;
}

function pages(pane, kind, images, note) {
  const key = images ? images.map((p) => p.digest).join() : note;
  if (shown[kind] === key) return;
  shown[kind] = key;
  if (!images) {
    pane.innerHTML = "";
    const p = document.createElement("p");
    p.className = "note";
    p.textContent = note || `The ${kind.toUpperCase()} is being built…`;
    pane.append(p);
    return;
  }
  const figures = images.map((p, i) => {
    const fig = document.createElement("figure");
    if (p.changed) fig.className = "changed";
    const img = document.createElement("img");
    img.src = `/__preview/${kind}/${i}.png?d=${p.digest}`;
    img.alt = `${kind.toUpperCase()} page ${i + 1}`;
    img.width = 596; img.height = 842;
    img.loading = i < 4 ? "eager" : "lazy";
    const cap = document.createElement("figcaption");
    cap.textContent = p.changed ? `${i + 1} · changed` : `${i + 1}`;
    fig.append(img, cap);
    return fig;
  });
  const top = pane.scrollTop;
  pane.replaceChildren(...figures);
  if (note && kind === "docx") { const p = document.createElement("p"); p.className = "note"; p.textContent = note; pane.prepend(p); }
  pane.scrollTop = top;
}

function epub(book) {
  if (!book || shown.epub === book.digest) return;
  shown.epub = book.digest;
  const select = $("epub-chapter");
  const current = select.value;
  select.replaceChildren(...book.spine.map((name) => new Option(name.split("/").pop(), name)));
  select.value = book.spine.includes(current) ? current : book.spine[0];
  showChapter();
}

function showChapter() {
  $("epub").src = `/__preview/epub/${$("epub-chapter").value}?d=${shown.epub}`;
}

function update(s) {
  window.__preview.state = s;
  status(s);
  overlay(s.errors);
  if (shown.web === null) shown.web = s.web;
  else if (s.web !== shown.web) { shown.web = s.web; reloadWeb(s.web); }
  pages($("pdf-pane"), "pdf", s.pdf, "");
  epub(s.epub);
  pages($("docx-pane"), "docx", s.docx, s.docx_note);
}

for (const tab of document.querySelectorAll("[role=tab]")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll("[role=tab]")) {
      other.setAttribute("aria-selected", String(other === tab));
      $(other.getAttribute("aria-controls")).hidden = other !== tab;
    }
  });
}
$("epub-chapter").addEventListener("change", showChapter);
for (const [id, step] of [["epub-prev", -1], ["epub-next", 1]]) {
  $(id).addEventListener("click", () => {
    const select = $("epub-chapter");
    select.selectedIndex = Math.max(0, Math.min(select.options.length - 1, select.selectedIndex + step));
    showChapter();
  });
}

const events = new EventSource("/__preview/events");
events.onmessage = (e) => update(JSON.parse(e.data));
events.onerror = () => { $("state").textContent = "server stopped; reconnecting…"; };
