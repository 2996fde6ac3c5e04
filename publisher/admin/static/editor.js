// The article editor and the desk: validation as you type, the body toolbar, paste cleaning, drag and drop.
// Everything here is an addition: the forms work without it.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  function post(url, token, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(data),
    }).then(function (r) { return r.json(); });
  }

  // ---- the article form -------------------------------------------------------------------------
  var form = document.getElementById("article-form");
  if (form) {
    var token = csrfToken(form);
    var body = form.querySelector("textarea[name=body]");

    var fields = function () {
      var data = {};
      ["headline", "kicker", "subtitle", "section", "series", "byline", "source", "kind", "editor_note", "body"].forEach(function (k) {
        var el = form.elements[k];
        if (el) data[k] = el.value;
      });
      data.authors = form.elements.authors.value.split("\n").filter(function (l) { return l.trim(); }).map(function (line) {
        var parts = line.replace(",", "，").split("，");
        return { name: parts[0].trim(), role: (parts[1] || "").trim() || null };
      });
      return data;
    };

    var show = function (result) {
      form.querySelectorAll(".field-messages").forEach(function (box) { box.replaceChildren(); });
      (result.errors || []).concat(result.warnings || []).forEach(function (p, i) {
        var name = (p.field || "file").split(".")[0];
        var box = form.querySelector('.field-messages[data-for="' + name + '"]') || form.querySelector('.field-messages[data-for="file"]');
        if (!box) return;
        var span = document.createElement("span");
        span.className = i < (result.errors || []).length ? "error" : "warning";
        span.textContent = p.message;
        box.appendChild(span);
      });
    };

    var timer = null;
    var validate = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        post(form.dataset.validate, token, fields()).then(show).catch(function () {});
      }, 500);
    };
    form.addEventListener("input", validate);
    form.addEventListener("change", validate);

    // The toolbar: subheads and quotes mark the current paragraph, emphasis wraps the selection.
    var toolbar = form.querySelector(".toolbar");
    if (toolbar && body) {
      toolbar.hidden = false;
      toolbar.addEventListener("click", function (event) {
        var kind = event.target.dataset.insert;
        if (!kind) return;
        var text = body.value, start = body.selectionStart, end = body.selectionEnd;
        var lineStart = text.lastIndexOf("\n", start - 1) + 1;
        if (kind === "subhead" || kind === "quote") {
          var mark = kind === "subhead" ? "## " : "> ";
          body.value = text.slice(0, lineStart) + mark + text.slice(lineStart);
          body.selectionStart = body.selectionEnd = start + mark.length;
        } else {
          var wrap = kind === "strong" ? "**" : "*";
          body.value = text.slice(0, start) + wrap + text.slice(start, end) + wrap + text.slice(end);
          body.selectionStart = start + wrap.length;
          body.selectionEnd = end + wrap.length;
        }
        body.focus();
        validate();
      });
    }

    // Pasted Word/WPS/web text is cleaned on the server (the same rules as everywhere) and inserted.
    if (body) {
      body.addEventListener("paste", function (event) {
        var data = event.clipboardData;
        if (!data) return;
        var html = data.getData("text/html"), text = data.getData("text/plain");
        if (!html && text.indexOf("\n") < 0) return;
        event.preventDefault();
        var start = body.selectionStart, end = body.selectionEnd;
        post(form.dataset.paste, token, { text: text, html: html || null }).then(function (result) {
          var value = body.value;
          body.value = value.slice(0, start) + result.markdown + value.slice(end);
          body.selectionStart = body.selectionEnd = start + result.markdown.length;
          validate();
        });
      });
    }
  }

  // ---- the desk: drag an article to another place or section -----------------------------------------
  var order = document.getElementById("order-form");
  if (order) {
    var dragged = null;
    document.querySelectorAll(".desk-article").forEach(function (item) {
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        event.dataTransfer.effectAllowed = "move";
        item.classList.add("dragging");
      });
      item.addEventListener("dragend", function () { item.classList.remove("dragging"); });
    });
    document.querySelectorAll(".desk-articles").forEach(function (list) {
      list.addEventListener("dragover", function (event) {
        if (!dragged) return;
        event.preventDefault();
        var after = Array.prototype.find.call(list.querySelectorAll(".desk-article:not(.dragging)"), function (el) {
          var box = el.getBoundingClientRect();
          return event.clientY < box.top + box.height / 2;
        });
        var empty = list.querySelector(".empty");
        if (empty) empty.remove();
        list.insertBefore(dragged, after || null);
      });
      list.addEventListener("drop", function (event) {
        event.preventDefault();
        order.querySelectorAll('input[name="place"]').forEach(function (el) { el.remove(); });
        document.querySelectorAll(".desk-articles").forEach(function (l) {
          l.querySelectorAll(".desk-article").forEach(function (el) {
            var input = document.createElement("input");
            input.type = "hidden";
            input.name = "place";
            input.value = l.dataset.section + ":" + el.dataset.slug;
            order.appendChild(input);
          });
        });
        dragged = null;
        order.submit();
      });
    });
  }
})();
