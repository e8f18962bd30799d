// Saves the draft a few seconds after the applicant stops typing (the Save button still
// works without JavaScript). The server validates as for a normal save.
(function () {
  "use strict";
  var form = document.getElementById("proposal-form");
  var status = document.getElementById("autosave-status");
  var script = document.currentScript;
  if (!form || !window.fetch) { return; }
  var timer = null;
  function save() {
    status.textContent = script.dataset.saving;
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      status.textContent = data.saved ? data.message : script.dataset.failed;
      status.dataset.state = data.saved ? "saved" : "failed";
    }).catch(function () { status.textContent = script.dataset.failed; });
  }
  function later() { clearTimeout(timer); timer = setTimeout(save, 3000); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
