// A filter form whose select has data-autosubmit is sent as soon as the choice changes.
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
