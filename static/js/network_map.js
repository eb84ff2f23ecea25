/* The network map: municipalities as circles coloured by status on a blank Leaflet map.
   No tile layer, so nothing is fetched from the internet; the legend and the list of
   municipalities are rendered by the server beside the map and work without it. */
(function () {
  "use strict";

  var COLOURS = { member: "#1f3a5f", pilot: "#b3261e", interested: "#6c757d" };

  function draw() {
    var element = document.getElementById("network-map");
    var source = document.getElementById("network-points");
    if (!element || !source || typeof window.L === "undefined") { return; }
    var points = JSON.parse(source.textContent);
    var map = window.L.map(element, { attributionControl: false, zoomSnap: 0.25 });
    var bounds = [];
    points.forEach(function (point) {
      var marker = window.L.circleMarker([point.lat, point.lon], {
        radius: 9,
        color: "#ffffff",
        weight: 2,
        fillColor: COLOURS[point.status] || "#6c757d",
        fillOpacity: 0.95
      }).addTo(map);
      var tooltip = document.createElement("span");
      tooltip.textContent = point.name + " – " + point.status_label + ": " + point.schools.join(", ");
      marker.bindTooltip(tooltip);
      bounds.push([point.lat, point.lon]);
    });
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 9 });
    } else {
      map.setView([59.9, 10.8], 7);
    }
    element.dataset.drawn = "true";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
