// Progressive enhancement of the activity form: without JavaScript every row lists all
// pupils and the server checks the school; with it, each row's picker shows only the
// pupils of the row's school, can be searched, and rows can be added.
(function () {
  "use strict";

  function filterPicker(row) {
    var school = row.querySelector("select.participation-school");
    var picker = row.querySelector("select.pupil-picker");
    var search = row.querySelector("input.pupil-search");
    if (!school || !picker) return;
    var term = search ? search.value.trim().toLowerCase() : "";
    Array.prototype.forEach.call(picker.options, function (option) {
      var schools = (option.getAttribute("data-schools") || "").split(" ");
      var atSchool = school.value !== "" && schools.indexOf(school.value) !== -1;
      var matches = term === "" || option.text.toLowerCase().indexOf(term) !== -1;
      option.hidden = !(option.selected || (atSchool && matches));
    });
  }

  function enhanceRow(row) {
    var search = row.querySelector("input.pupil-search");
    var label = row.querySelector(".pupil-search-label");
    if (search) {
      search.classList.remove("d-none");
      if (label) label.classList.remove("d-none");
      search.addEventListener("input", function () { filterPicker(row); });
      // Enter in the search box searches; it does not save the activity.
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
      });
    }
    var school = row.querySelector("select.participation-school");
    if (school) school.addEventListener("change", function () { filterPicker(row); });
    filterPicker(row);
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
    document.querySelectorAll("button.add-row").forEach(function (button) {
      button.classList.remove("d-none");
      button.addEventListener("click", function () { addRow(button); });
    });
  });
})();
