// The run page, live: follows /api/v1/runs/{id}/events (Server-Sent Events) and, when
// something changed, reads the run again to update the counts, tokens, cost and budget.
// When the run's state changes, the page reloads to show its changes and actions.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || box.dataset.live !== "true" || !window.EventSource) return;
  var id = box.dataset.run;
  var status = document.getElementById("live-status");
  var badge = document.getElementById("run-state");
  var shownState = badge ? badge.dataset.state : "";
  var pending = null;

  function set(field, value) {
    var el = box.querySelector('[data-field="' + field + '"]');
    if (el && value !== undefined && value !== null) el.textContent = String(value);
  }

  function refresh() {
    pending = null;
    fetch("/api/v1/runs/" + encodeURIComponent(id), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (run) {
        if (!run) return;
        var t = run.totals, by = t.changes || {};
        set("planned", t.files);
        set("edited", run.changes.length);
        set("blocked", (by.blocked || 0) + (by.failed || 0));
        set("skipped", t.skipped);
        set("tokens", t.tokens.input + t.tokens.output);
        set("cost_usd", t.cost_usd.toFixed(4));
        var max = parseFloat(box.dataset.maxCost);
        if (!isNaN(max)) set("budget_left_usd", Math.max(0, max - t.cost_usd).toFixed(4));
      })
      .catch(function () {});
  }

  function later() {
    if (!pending) pending = setTimeout(refresh, 400);
  }

  var source = new EventSource("/api/v1/runs/" + encodeURIComponent(id) + "/events");
  source.addEventListener("progress", function (e) {
    var p = JSON.parse(e.data);
    set("batches_done", p.batches_done);
    set("batches", p.batches);
    set("planned", p.files);
    later();
  });
  source.addEventListener("change", later);
  source.addEventListener("run", function (e) {
    var r = JSON.parse(e.data);
    if (!r.state || r.state === shownState) return;
    if (status) status.textContent = "The run is now " + r.state.replace(/_/g, " ") + "; reloading…";
    source.close();
    setTimeout(function () { window.location.reload(); }, 300);
  });
  source.addEventListener("error", function () {
    if (status && source.readyState === EventSource.CLOSED) status.textContent = "Live updates stopped; reload the page to see the latest.";
  });
})();
