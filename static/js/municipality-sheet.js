/* The municipality sheet (kommuneark): the «Skriv ut» button, and «Kopier» beside a shared
   link. Both buttons stay hidden without JavaScript: the page prints from the browser's menu,
   and the link is in a text field to select and copy. */
(function () {
  "use strict";

  function start() {
    document.querySelectorAll("[data-print-button]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("[data-copy-source]").forEach(function (field) {
      field.addEventListener("focus", function () { field.select(); });
    });
    document.querySelectorAll("[data-copy-button]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy-button"));
      if (!field || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(field.value).then(function () {
          button.textContent = button.getAttribute("data-copied-text");
        }, function () {
          field.focus();
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
