// transkit review page: optional comforts; the page works without them.
// - the "only flagged" filter also sets a class (for browsers without :has)
//   and announces how many segments are shown;
// - hovering or focusing a term outlines its partner in the other language;
// - "n" / "p" jump to the next / previous flagged segment.
(function () {
  "use strict";
  var box = document.getElementById("only-flagged");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.seg"));
  var flagged = rows.filter(function (r) { return r.classList.contains("flagged"); });

  function update() {
    if (!box) { return; }
    document.body.classList.toggle("only-flagged", box.checked);
    if (shown) {
      var n = box.checked ? flagged.length : rows.length;
      shown.textContent = "Showing " + n + " of " + rows.length + " segments.";
    }
  }
  if (box) { box.addEventListener("change", update); update(); }

  function partners(link) {
    var ref = link.getAttribute("href") || "";
    var el = ref.charAt(0) === "#" ? document.getElementById(ref.slice(1)) : null;
    return el && el.classList.contains("hl") ? [el] : [];
  }
  function mark(ev, on) {
    var t = ev.target;
    if (!t || !t.classList || !t.classList.contains("hl")) { return; }
    partners(t).forEach(function (p) { p.classList.toggle("linked", on); });
  }
  var table = document.querySelector("table.segments");
  if (table) {
    table.addEventListener("mouseover", function (ev) { mark(ev, true); });
    table.addEventListener("mouseout", function (ev) { mark(ev, false); });
    table.addEventListener("focusin", function (ev) { mark(ev, true); });
    table.addEventListener("focusout", function (ev) { mark(ev, false); });
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || !flagged.length) { return; }
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA") { return; }
    if (ev.key !== "n" && ev.key !== "p") { return; }
    // From the focused flagged segment, if any, else from the scroll position.
    var here = ev.target && ev.target.closest ? ev.target.closest("tr.seg.flagged") : null;
    var at = here ? flagged.indexOf(here) : -1;
    var top = window.scrollY + 60;
    var next = null;
    if (at >= 0) {
      next = flagged[ev.key === "n" ? at + 1 : at - 1] || null;
    } else if (ev.key === "n") {
      next = flagged.find(function (r) { return r.getBoundingClientRect().top + window.scrollY > top; });
    } else {
      for (var i = flagged.length - 1; i >= 0; i--) {
        if (flagged[i].getBoundingClientRect().top + window.scrollY < top - 10) { next = flagged[i]; break; }
      }
    }
    if (next) {
      var link = next.querySelector("th a");
      if (link) { link.focus(); }
      next.scrollIntoView({ block: "center" });
      ev.preventDefault();
    }
  });
})();
