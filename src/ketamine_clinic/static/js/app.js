// The project's own behaviour, kept out of the HTML so the Content-Security-Policy can forbid
// inline scripts.

// <button data-print> prints the page.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});

// The chair board (#board-rows, redrawn by htmx every few seconds): a new alert is announced once,
// visibly and to screen readers, through the #board-announcer live region.
(function () {
  function alertsIn(rows) {
    var found = {};
    rows.querySelectorAll("[data-alert-id]").forEach(function (el) {
      var tr = el.closest("tr");
      found[el.dataset.alertId] = (tr ? tr.dataset.patient + ": " : "") + el.textContent.trim();
    });
    return found;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var rows = document.getElementById("board-rows"), out = document.getElementById("board-announcer");
    if (!rows || !out) return;
    var known = alertsIn(rows);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target !== rows) return;
      var now = alertsIn(rows), fresh = [];
      Object.keys(now).forEach(function (id) { if (!(id in known)) fresh.push(now[id]); });
      known = now;
      if (!fresh.length) return;
      var at = new Date().toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"});
      out.textContent = "New alert (" + at + ") — " + fresh.join("; ");
    });
  });
})();

// A form saved on the server as it is typed (<form data-autosave-status="ID">): the element ID says
// whether the last save worked, or shows the server's reason (e.g. a section over its length).
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.detail.elt, id = form && form.dataset ? form.dataset.autosaveStatus : null;
  var out = id ? document.getElementById(id) : null;
  if (!out) return;
  var xhr = event.detail.xhr;
  out.textContent = event.detail.successful ? "Draft saved." : "Not saved: " + ((xhr && xhr.responseText) || "the server did not answer.");
  out.classList.toggle("field-error", !event.detail.successful);
});
