// Deadlines are printed in KST; this adds the reader's own local time beside each one.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  document.querySelectorAll(".when").forEach(function (el) {
    var time = el.querySelector("time[datetime]");
    var out = el.querySelector(".local-value");
    if (!time || !out) return;
    var moment = new Date(time.getAttribute("datetime"));
    if (isNaN(moment.getTime())) return;
    out.textContent = format.format(moment);
    el.querySelector(".local-time").hidden = false;
  });
})();
