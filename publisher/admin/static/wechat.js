// 复制: put an article's WeChat HTML on the clipboard as rich text (text/html) and plain text, for the 公众号 editor.
(function () {
  "use strict";
  function copy(button) {
    var status = button.parentNode.querySelector(".wechat-status");
    fetch(button.dataset.src, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (page) {
        var body = new DOMParser().parseFromString(page, "text/html").body;
        var item = new ClipboardItem({
          "text/html": new Blob([body.innerHTML], { type: "text/html" }),
          "text/plain": new Blob([body.innerText], { type: "text/plain" }),
        });
        return navigator.clipboard.write([item]);
      })
      .then(function () { status.textContent = button.dataset.done; })
      .catch(function () { status.textContent = button.dataset.failed; });
  }
  document.querySelectorAll(".wechat-copy").forEach(function (button) {
    button.addEventListener("click", function () { copy(button); });
  });
})();
