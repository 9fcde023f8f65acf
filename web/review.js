// Keyboard shortcuts of the review page (listed on the page): j or n next change, k or p
// previous, a approve, r reject, c write a comment. Keys typed into a field are text.
(function () {
  "use strict";
  function click(id) {
    var el = document.getElementById(id);
    if (el && !el.disabled) el.click();
  }
  function go(id) {
    var el = document.getElementById(id);
    if (el && el.href) window.location.href = el.href;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var actions = {
      j: function () { go("next-change"); },
      n: function () { go("next-change"); },
      k: function () { go("prev-change"); },
      p: function () { go("prev-change"); },
      a: function () { click("approve"); },
      r: function () { click("reject"); },
      c: function () { var c = document.getElementById("comment"); if (c) c.focus(); },
    };
    var act = actions[e.key];
    if (act) { e.preventDefault(); act(); }
  });
})();
