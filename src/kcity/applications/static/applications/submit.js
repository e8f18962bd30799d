// Submit once: the button is disabled as soon as the form is sent.
document.getElementById("submit-form").addEventListener("submit", function (e) {
  e.target.querySelector("button").disabled = true;
});
