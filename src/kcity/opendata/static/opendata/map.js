/* The world map's filters, applied in place: as the year, track or region changes, the page
   is asked again with the new filters (the server counts per country) and its map, counts
   and table of countries are swapped in, without reloading the page. Without this script
   the same form asks the server, which draws the map already filtered. */
(function () {
  "use strict";

  function setUp() {
    var form = document.getElementById("map-filters");
    var live = document.getElementById("map-live");
    if (!form || !live) {
      return;
    }
    var names = ["year", "track", "region"];
    var asked = 0;

    function query() {
      var params = new URLSearchParams();
      names.forEach(function (name) {
        var field = form.elements[name];
        if (field && field.value) {
          params.set(name, field.value);
        }
      });
      return params.toString();
    }

    function markLive() {
      var map = document.getElementById("world-map");
      if (map) {
        map.classList.add("is-live");
      }
    }

    function apply() {
      var search = query();
      var url = window.location.pathname + (search ? "?" + search : "");
      var ticket = ++asked;
      window.history.replaceState(null, "", url);
      var notices = document.getElementById("filter-notices");
      if (notices) {
        notices.hidden = true;
      }
      fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          if (ticket !== asked) {
            return;  // a newer choice is on its way
          }
          var fresh = new DOMParser().parseFromString(html, "text/html")
            .getElementById("map-live");
          if (fresh) {
            live.replaceChildren.apply(live, Array.prototype.slice.call(fresh.childNodes)
              .map(function (node) { return document.importNode(node, true); }));
            markLive();
          }
        })
        .catch(function () {
          window.location.assign(url);  // let the server draw the page
        });
    }

    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
    markLive();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
