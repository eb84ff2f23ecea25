/* The periodic task's admin form: under the crontab field, what the chosen schedule means
   ("every day at 03:00"), read from the json_script the page carries. Replaces
   django-celery-beat's inline script (the Content-Security-Policy allows none). */
(function () {
  "use strict";

  var script = document.currentScript;

  function start() {
    var source = document.getElementById("readable-crontabs");
    var select = document.getElementById("id_crontab");
    var field = document.querySelector(".field-crontab");
    if (!source || !select || !field) return;
    var readable = JSON.parse(source.textContent);
    var label = (script && script.getAttribute("data-meaning-label")) || "";
    var translation = document.querySelector(".field-crontab_translation");
    if (translation) translation.style.display = "none";
    var line = document.createElement("div");
    line.className = "help crontab-meaning";
    line.setAttribute("aria-live", "polite");
    var anchor = field.querySelector(".help") || select;
    anchor.insertAdjacentElement("afterend", line);

    function show() {
      var meaning = readable[select.value];
      line.textContent = meaning ? label + ": " + meaning : "";
    }
    select.addEventListener("change", show);
    show();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
