/* Web edition: small enhancements to a page that reads fully without them.
   - the contents open beside the text on wide screens (they are closed in the HTML, so a phone
     without script starts with the text);
   - the contents entry of the part being read is highlighted while scrolling;
   - full-text search over the page's own text (no index file to fetch, so it works from file://;
     a linear scan over a few thousand passages takes a few milliseconds). */
(function () {
  "use strict";
  var main = document.getElementById("main");
  var sidebar = document.querySelector(".sidebar");
  if (!main || !sidebar) return;

  /* ---- contents: collapsed on phones, open beside the text on wide screens ---- */
  var box = sidebar.querySelector(".toc-box");
  var wide = window.matchMedia("(min-width: 64em)");
  if (box) {
    box.open = wide.matches;
    var onWidth = function () { box.open = wide.matches; };
    if (wide.addEventListener) wide.addEventListener("change", onWidth);
    box.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a");
      if (link && !wide.matches) box.open = false;  // a phone reader chose a part: show the text
    });
  }

  /* ---- the current part, highlighted in the contents while scrolling ---- */
  var entries = [];
  Array.prototype.forEach.call(sidebar.querySelectorAll(".toc a[href^='#']"), function (link) {
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) return;
    var chapterItem = link.parentElement;
    while (chapterItem.parentElement && chapterItem.parentElement.closest(".toc li")) {
      chapterItem = chapterItem.parentElement.closest(".toc li");
    }
    entries.push({ link: link, target: target, chapter: chapterItem.querySelector("a") });
  });
  var current = null;
  function mark(entry) {
    if (entry === current) return;
    if (current) {
      current.link.classList.remove("is-current");
      current.link.removeAttribute("aria-current");
      current.chapter.classList.remove("is-current-chapter");
    }
    current = entry;
    if (!entry) return;
    entry.link.classList.add("is-current");
    entry.link.setAttribute("aria-current", "true");
    entry.chapter.classList.add("is-current-chapter");
    // Keep it in sight, without moving the page; not while search results are shown (the sidebar
    // would scroll them away as the chosen passage comes into view).
    if (wide.matches && sidebar.scrollHeight > sidebar.clientHeight && !sidebar.querySelector(".search-results li")) {
      var s = sidebar.getBoundingClientRect(), l = entry.link.getBoundingClientRect();
      if (l.top < s.top + 40 || l.bottom > s.bottom - 40) {
        sidebar.scrollTop += l.top - s.top - s.height / 3;
      }
    }
  }
  function spy() {
    var line = window.innerHeight * 0.25, lo = 0, hi = entries.length - 1, found = -1;
    while (lo <= hi) {  // the sections start in document order: the last one above the line
      var mid = (lo + hi) >> 1;
      if (entries[mid].target.getBoundingClientRect().top <= line) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    mark(found >= 0 ? entries[found] : null);
  }
  var pending = false;
  function onScroll() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; spy(); });
  }
  if (entries.length) {
    window.addEventListener("scroll", onScroll, { passive: true });
    window.addEventListener("resize", onScroll);
    spy();
  }

  /* ---- search ---- */
  var panel = sidebar.querySelector(".search");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  if (!panel || !input || !status || !results) return;
  panel.hidden = false;
  var LIMIT = 50, passages = null, lastHit = null, timer = 0;

  // One character in, one character out, so a match in the folded text is a match in the original.
  var QUOTES = { "\u2018": "'", "\u2019": "'", "\u201c": "\"", "\u201d": "\"", "\u2013": "-", "\u2014": "-", "\u00a0": " " };
  function foldChar(c) {
    if (QUOTES[c]) return QUOTES[c];
    var d = c.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    if (d.length === 1) return d;
    d = c.toLowerCase();
    return d.length === 1 ? d : "\ufffd";
  }
  function fold(text) {
    return text.replace(/[^\x00-\x7f]/g, foldChar).replace(/[A-Z]+/g, function (s) { return s.toLowerCase(); });
  }

  function headingOf(section) {
    return section.querySelector(":scope > .heading > :first-child");
  }
  function titleOf(section) {
    var h = headingOf(section);
    return h ? h.textContent.replace(/\s+/g, " ").trim() : "";
  }
  function labelOf(section) {  // "II." for a numbered chapter, else its title
    var label = headingOf(section) && headingOf(section).querySelector(".label");
    return label ? label.textContent.trim() : titleOf(section);
  }

  function collect() {
    var list = [];
    var nodes = main.querySelectorAll("h2, h3, h4, h5, h6, p, li, figcaption, caption, th, td, pre");
    Array.prototype.forEach.call(nodes, function (el) {
      if (el.closest(".to-top")) return;
      if (el.tagName === "LI" && el.querySelector("p, ul, ol, blockquote, pre")) return;  // its blocks count
      var text = el.textContent, link = el.querySelector(":scope > .permalink");
      if (link) text = text.slice(0, text.length - link.textContent.length);  // not "¶ Paragraph II.3.4"
      text = text.replace(/\s+/g, " ").trim();
      if (!text) return;
      var heading = /^H\d$/.test(el.tagName);
      var section = el.closest("section[id]:not(.footnotes)");
      var chapter = el.closest("section.level1");
      var where = "";  // where the passage is: "II. (1) Establish a legal system …"
      if (heading) where = chapter && section !== chapter ? titleOf(chapter) : "";
      else if (chapter && section && section !== chapter) where = labelOf(chapter) + " " + titleOf(section);
      else if (chapter) where = titleOf(chapter);
      // A citable paragraph is found at its own anchor; other passages at their section's.
      var id = el.id && el.tagName === "P" ? el.id : section ? section.id : "main";
      list.push({ el: el, text: text, folded: fold(text), id: id, where: where });
    });
    return list;
  }

  function terms(query) {
    var out = [], re = /"([^"]+)"|(\S+)/g, m;
    query = fold(query);
    while ((m = re.exec(query))) {
      var t = (m[1] || m[2]).trim();
      if (t && out.indexOf(t) < 0) out.push(t);
    }
    return out;
  }

  function snippet(p, words) {
    var at = p.folded.indexOf(words[0]), start = Math.max(0, at - 70), end = Math.min(p.text.length, at + 150);
    if (start > 0) { var sp = p.text.indexOf(" ", start); if (sp > 0 && sp < at) start = sp + 1; }
    if (end < p.text.length) { var ep = p.text.lastIndexOf(" ", end); if (ep > at + words[0].length) end = ep; }
    var frag = document.createDocumentFragment(), text = p.text.slice(start, end), folded = p.folded.slice(start, end);
    var marks = [];
    words.forEach(function (w) {
      for (var i = folded.indexOf(w); i >= 0; i = folded.indexOf(w, i + w.length)) marks.push([i, i + w.length]);
    });
    marks.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    if (start > 0) frag.appendChild(document.createTextNode("\u2026 "));
    marks.forEach(function (r) {
      if (r[0] < pos) return;
      frag.appendChild(document.createTextNode(text.slice(pos, r[0])));
      var m = document.createElement("mark");
      m.textContent = text.slice(r[0], r[1]);
      frag.appendChild(m);
      pos = r[1];
    });
    frag.appendChild(document.createTextNode(text.slice(pos) + (end < p.text.length ? " \u2026" : "")));
    return frag;
  }

  function go(p, event) {
    event.preventDefault();
    if (lastHit) lastHit.classList.remove("search-hit");
    lastHit = p.el;
    p.el.classList.add("search-hit");
    try { history.pushState(null, "", "#" + p.id); } catch (e) { /* file:// in some browsers */ }
    if (!p.el.hasAttribute("tabindex")) p.el.setAttribute("tabindex", "-1");
    p.el.focus({ preventScroll: true });
    dock(true);
    // Wide: the results stay in the sticky sidebar, the passage goes to the middle. Phone: the docked
    // panel covers the lower part of the screen, so the passage goes to the top.
    var tall = p.el.offsetHeight > window.innerHeight / 2;
    p.el.scrollIntoView({ block: tall || !wide.matches ? "start" : "center" });
  }

  function dock(on) {  // the panel at the foot of a phone's screen (style.css: .search.is-docked)
    panel.classList.toggle("is-docked", on);
    document.body.classList.toggle("search-docked", on);
  }

  function search() {
    var query = input.value.trim();
    results.textContent = "";
    if (lastHit) { lastHit.classList.remove("search-hit"); lastHit = null; }
    if (query.length < 2) { status.textContent = ""; dock(false); return; }
    passages = passages || collect();
    var words = terms(query), phrase = fold(query.replace(/"/g, "")).replace(/\s+/g, " ");
    var exact = [], rest = [];
    passages.forEach(function (p) {
      for (var i = 0; i < words.length; i++) if (p.folded.indexOf(words[i]) < 0) return;
      (p.folded.indexOf(phrase) >= 0 ? exact : rest).push(p);
    });
    var found = exact.concat(rest);
    if (!found.length) { status.textContent = "No passage contains \u201c" + query + "\u201d."; return; }
    status.textContent = found.length + (found.length === 1 ? " passage matches" : " passages match") +
      (found.length > LIMIT ? "; the first " + LIMIT + " are shown." : ".");
    found.slice(0, LIMIT).forEach(function (p) {
      var li = document.createElement("li"), a = document.createElement("a");
      var where = document.createElement("span"), text = document.createElement("span");
      a.href = "#" + p.id;
      where.className = "where";
      where.textContent = p.where || "Heading";
      text.className = "snippet";
      text.appendChild(snippet(p, words));
      a.appendChild(where);
      a.appendChild(text);
      a.addEventListener("click", function (event) { go(p, event); });
      li.appendChild(a);
      results.appendChild(li);
    });
  }

  input.addEventListener("input", function () { window.clearTimeout(timer); timer = window.setTimeout(search, 120); });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    search();
    var first = results.querySelector("a");
    if (first) first.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; search(); }
  });
  document.addEventListener("keydown", function (event) {  // "/" jumps to the search field
    var t = event.target;
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    event.preventDefault();
    if (box && !wide.matches) input.scrollIntoView({ block: "start" });
    input.focus();
  });
  /* ---- "Cite this": the paper's citation, or the paragraph whose ¶ the reader followed ---- */
  (function () {
    var data = document.getElementById("cite-data");
    var plain = document.getElementById("cite-plain");
    var passage = document.getElementById("cite-passage");
    var bibtex = document.getElementById("cite-bibtex");
    var csl = document.getElementById("cite-csl");
    if (!data || !plain || !passage || !bibtex || !csl) return;
    var forms;
    try { forms = JSON.parse(data.textContent); } catch (e) { return; }
    var t = forms.tokens;
    var canonical = document.querySelector("link[rel=canonical]");
    var page = canonical ? canonical.href : /^https?:$/.test(location.protocol) ? location.href.split("#")[0] : "";
    var id = document.querySelector("meta[name='DC.identifier']");
    var url = page || (id ? id.content : "");
    function fill(form, number, anchor, json) {
      var out = form.split(t.url).join(json ? JSON.stringify(url).slice(1, -1) : url);
      return out.split(t.number).join(number).split(t.anchor).join(anchor);
    }
    function show() {
      var anchor = decodeURIComponent(location.hash.slice(1));
      var target = /^p-/.test(anchor) && document.getElementById(anchor);
      var link = target && target.querySelector(":scope > .permalink");
      if (!link) return;
      var number = link.getAttribute("data-number");
      plain.textContent = fill(forms.plain, number, anchor);
      bibtex.textContent = fill(forms.bibtex, number, anchor);
      csl.textContent = fill(forms.csl, number, anchor, true);
      passage.textContent = "Citing paragraph " + number + ".";
      if (wide.matches) plain.closest("details").open = true;
    }
    window.addEventListener("hashchange", show);
    show();
    // A copy button beside each form, where the browser lets a page write to the clipboard.
    if (!navigator.clipboard || !window.isSecureContext) return;
    [plain, bibtex, csl].forEach(function (el) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "cite-copy";
      button.textContent = "Copy";
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(el.textContent).then(function () {
          passage.textContent = "Copied.";
        }, function () { /* refused: the text stays selectable */ });
      });
      (el.closest("pre") || el).insertAdjacentElement("afterend", button);
    });
  })();
})();
