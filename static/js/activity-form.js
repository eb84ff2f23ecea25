// Progressive enhancement of the activity form. Pupils are minors: the page holds no pupil's
// name but the ones already chosen (the selected options of each row's "named pupils" list).
// With JavaScript, a row's search box asks the server for the matching pupils of the row's
// school (at least two letters); a match is added with Enter, a double click or the button.
// Without it, the chosen pupils are kept and more are added with the import. Rows can be added.
(function () {
  "use strict";

  var MIN_LENGTH = 2;

  function searchUrl() {
    var form = document.getElementById("activity-form");
    return form ? form.getAttribute("data-pupil-search-url") : null;
  }

  function setMatches(row, html, status) {
    var matches = row.querySelector("select.pupil-matches");
    var add = row.querySelector("button.pupil-add");
    var statusLine = row.querySelector(".pupil-search-status");
    matches.innerHTML = html;
    var count = matches.options.length;
    matches.hidden = count === 0;
    add.hidden = count === 0;
    if (count > 0) matches.selectedIndex = 0;
    statusLine.textContent = status(count);
  }

  function statusText(count) {
    var form = document.getElementById("activity-form");
    if (count === 0) return form.getAttribute("data-text-none") || "";
    return String(count) + " " + (form.getAttribute("data-text-some") || "");
  }

  function search(row) {
    var school = row.querySelector("select.participation-school");
    var input = row.querySelector("input.pupil-search");
    var url = searchUrl();
    var term = input.value.trim();
    if (!url || !school || school.value === "" || term.length < MIN_LENGTH) {
      setMatches(row, "", function () { return ""; });
      return;
    }
    var asked = school.value + "\n" + term;
    row.dataset.asked = asked;
    var query = "?school=" + encodeURIComponent(school.value) + "&q=" + encodeURIComponent(term.slice(0, 100));
    fetch(url + query, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (row.dataset.asked === asked) setMatches(row, html, statusText);
      })
      .catch(function () { setMatches(row, "", function () { return ""; }); });
  }

  function addChosen(row) {
    var matches = row.querySelector("select.pupil-matches");
    var picker = row.querySelector("select.pupil-picker");
    var chosen = matches.options[matches.selectedIndex];
    if (!chosen || !picker) return;
    var existing = Array.prototype.find.call(picker.options, function (option) {
      return option.value === chosen.value;
    });
    if (existing) {
      existing.selected = true;
    } else {
      var option = new Option(chosen.text, chosen.value, true, true);
      picker.add(option);
    }
    var statusLine = row.querySelector(".pupil-search-status");
    statusLine.textContent = chosen.text;
  }

  function enhanceRow(row) {
    var box = row.querySelector(".pupil-search-box");
    var input = row.querySelector("input.pupil-search");
    var matches = row.querySelector("select.pupil-matches");
    var add = row.querySelector("button.pupil-add");
    if (!box || !input || !matches) return;
    box.classList.remove("d-none");
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { search(row); }, 200);
    });
    input.addEventListener("keydown", function (event) {
      // Enter in the search box searches; it does not save the activity.
      if (event.key === "Enter") {
        event.preventDefault();
        window.clearTimeout(timer);
        search(row);
      } else if (event.key === "ArrowDown" && !matches.hidden) {
        event.preventDefault();
        matches.focus();
      }
    });
    matches.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        addChosen(row);
      } else if (event.key === "Escape") {
        input.focus();
      }
    });
    matches.addEventListener("dblclick", function () { addChosen(row); });
    add.addEventListener("click", function () { addChosen(row); });
    var school = row.querySelector("select.participation-school");
    if (school) {
      school.addEventListener("change", function () {
        // The chosen pupils were of the other school: they cannot be named on this row.
        var picker = row.querySelector("select.pupil-picker");
        if (picker) picker.innerHTML = "";
        search(row);
      });
    }
  }

  function addRow(button) {
    var prefix = button.getAttribute("data-prefix");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(button.getAttribute("data-template"));
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var target = document.getElementById(button.getAttribute("data-target"));
    target.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var row = target.lastElementChild;
    if (row.classList.contains("participation-row")) enhanceRow(row);
    var first = row.querySelector("select, input");
    if (first) first.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#participation-rows .participation-row").forEach(enhanceRow);
    document.querySelectorAll(".pupil-search-help").forEach(function (help) { help.classList.remove("d-none"); });
    document.querySelectorAll("button.add-row").forEach(function (button) {
      button.classList.remove("d-none");
      button.addEventListener("click", function () { addRow(button); });
    });
  });
})();
