// The client letter's "print" button (app/presenters/letter_html.py). Dash also loads every asset on
// its own pages, where no such button exists: then this does nothing.
(function () {
  var button = document.getElementById("letter-print");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();
