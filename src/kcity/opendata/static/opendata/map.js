/* The world map's filters, applied in place: the table rows, the markers' counts and the
   highlighted countries follow the year, track and region chosen. Without this script the
   same form asks the server, which draws the map already filtered. */
(function () {
  "use strict";

  function counted(element, n) {
    var template = element.getAttribute(n === 1 ? "data-one" : "data-many") || "%(counter)s";
    return template.replace("%(counter)s", String(n));
  }

  function setUp() {
    var form = document.getElementById("map-filters");
    var table = document.getElementById("map-projects");
    var map = document.getElementById("world-map");
    if (!form || !table || !map) {
      return;
    }
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-country]"));
    var markers = Array.prototype.slice.call(map.querySelectorAll(".marker"));
    var shapes = Array.prototype.slice.call(map.querySelectorAll("path[data-country]"));
    var names = ["year", "track", "region"];

    function chosen() {
      var want = {};
      names.forEach(function (name) {
        var field = form.elements[name];
        want[name] = field ? field.value : "";
      });
      return want;
    }

    function apply() {
      var want = chosen();
      var counts = {};
      var lines = {};
      var shown = 0;
      rows.forEach(function (row) {
        var ok = names.every(function (name) {
          return !want[name] || row.getAttribute("data-" + name) === want[name];
        });
        row.hidden = !ok;
        if (ok) {
          var code = row.getAttribute("data-country");
          counts[code] = (counts[code] || 0) + 1;
          (lines[code] = lines[code] || []).push(row.getAttribute("data-summary"));
          shown += 1;
        }
      });
      markers.forEach(function (marker) {
        var code = marker.getAttribute("data-country");
        var n = counts[code] || 0;
        marker.classList.toggle("is-off", n === 0);
        marker.querySelector("circle").setAttribute("r", n ? (5 + 3 * Math.sqrt(n)).toFixed(1) : "0");
        marker.querySelector("text").textContent = String(n);
        marker.querySelector("title").textContent = marker.getAttribute("data-name") + ": " +
          counted(table, n) + (n ? "\n" + lines[code].join("\n") : "");
      });
      shapes.forEach(function (shape) {
        shape.classList.toggle("is-shown", Boolean(counts[shape.getAttribute("data-country")]));
      });
      var count = document.getElementById("map-count");
      if (count) {
        count.textContent = counted(count, shown);
      }
      var empty = document.getElementById("map-empty");
      if (empty) {
        empty.hidden = shown > 0;
      }
      var notices = document.getElementById("filter-notices");
      if (notices) {
        notices.hidden = true;
      }
      var query = new URLSearchParams();
      names.forEach(function (name) {
        if (want[name]) {
          query.set(name, want[name]);
        }
      });
      var search = query.toString();
      window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    }

    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
    map.classList.add("is-live");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
