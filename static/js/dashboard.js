/* The school dashboard's charts (Chart.js from static/vendor). The same numbers are in the
   tables under each chart, for screen readers, print and anyone who would rather read. */
(function () {
  "use strict";

  // Colours with at least 4.5:1 contrast against white.
  var COLOURS = ["#1f3a5f", "#b3261e", "#00695c", "#6a1b9a", "#7a5900"];

  function printButtons() {
    document.querySelectorAll("[data-print-button]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Long category names (the cooperation areas) are cut on the axis; the table has them whole.
  function shortLabel(value) {
    var label = String(this.getLabelForValue(value));
    return label.length > 32 ? label.slice(0, 31) + "…" : label;
  }

  function chartConfig(type, data) {
    var horizontal = type === "hbar";
    var datasets = data.datasets.map(function (dataset, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: dataset.label,
        data: dataset.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: type === "line" ? 2 : 0,
        fill: false,
        tension: 0.2
      };
    });
    return {
      type: horizontal ? "bar" : type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0, autoSkip: !horizontal } },
          y: { beginAtZero: true, ticks: horizontal ? { autoSkip: false, callback: shortLabel } : { precision: 0 } }
        }
      }
    };
  }

  function drawCharts() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.Chart === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = charts[canvas.dataset.chart];
      if (!data) { return; }
      var chart = new window.Chart(canvas, chartConfig(canvas.dataset.chartType || "bar", data));
      canvas.dataset.drawn = "true";
      canvas.chart = chart;
    });
  }

  function start() {
    printButtons();
    drawCharts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
