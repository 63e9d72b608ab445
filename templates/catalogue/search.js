// The catalogue's search: Pagefind's UI over every paper's page, loaded only where the site is served
// (Pagefind fetches its index, which a browser refuses from disk); from disk the note says so.
(function () {
  "use strict";
  if (location.protocol === "file:") return;
  var box = document.getElementById("search");
  if (!box) return;
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "pagefind/pagefind-ui.css";
  document.head.appendChild(css);
  var script = document.createElement("script");
  script.src = "pagefind/pagefind-ui.js";
  script.onload = function () {
    /* global PagefindUI */
    new PagefindUI({ element: "#search", showSubResults: true, showImages: false, resetStyles: false });
    document.getElementById("search-note").hidden = true;
    var input = box.querySelector("input");
    if (input) input.setAttribute("aria-label", "Search all papers");
  };
  document.head.appendChild(script);
})();
