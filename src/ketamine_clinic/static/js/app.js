// The project's own behaviour, kept out of the HTML so the Content-Security-Policy can forbid
// inline scripts: <button data-print> prints the page.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
