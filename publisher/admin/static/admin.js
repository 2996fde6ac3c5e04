// Live build progress: poll the build's status every second and update the page; reload when it ends.
(function () {
  "use strict";
  var root = document.getElementById("build");
  if (!root || root.dataset.finished === "yes") return;

  function badge(state, label) {
    var span = document.createElement("span");
    span.className = "state state-" + state;
    span.textContent = label || state;
    return span;
  }

  function paragraph(cls, text) {
    var p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    return p;
  }

  function update(status) {
    status.channels.forEach(function (ch) {
      var row = root.querySelector('tr[data-channel="' + ch.channel + '"]');
      if (!row) return;
      row.querySelector('[data-field="state"]').replaceChildren(badge(ch.state, ch.state_label));
      row.querySelector('[data-field="seconds"]').textContent = ch.seconds;
      row.querySelector('[data-field="bytes"]').textContent = ch.bytes;
      var problems = row.querySelector('[data-field="problems"]');
      var items = [];
      if (ch.explanation) items.push(paragraph("error", ch.explanation));
      ch.warnings.forEach(function (w) { items.push(paragraph("warning", w)); });
      problems.replaceChildren.apply(problems, items);
    });
    root.querySelector('[data-field="duration"]').textContent = status.duration;
    var log = root.querySelector('[data-field="log"]');
    log.textContent = status.log || log.dataset.empty;
    var head = root.querySelector("p .state");
    if (head) head.replaceWith(badge(status.state, status.state_label));
  }

  function poll() {
    fetch(root.dataset.status, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (status) {
        update(status);
        if (status.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
