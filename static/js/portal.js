/* On every page of the portal and the admin: a form that changes something (method post) is
   sent once. Its submit buttons are disabled while the request runs, so a double click or an
   impatient second click sends nothing more; the server's one-time tokens catch the rest
   (a resubmit from the browser's history). Search and filter forms (method get) are left alone. */
(function () {
  "use strict";

  // With JavaScript the menu folds on small screens (see .no-js in portal.css).
  document.documentElement.classList.remove("no-js");

  function buttons(form) {
    return form.querySelectorAll('button[type="submit"], button:not([type]), input[type="submit"]');
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.getAttribute("data-submitting") === "1") {
      event.preventDefault();
      return;
    }
    // After this event: the clicked button's name and value still go with the request.
    window.setTimeout(function () {
      if (event.defaultPrevented) return;
      form.setAttribute("data-submitting", "1");
      form.setAttribute("aria-busy", "true");
      buttons(form).forEach(function (button) { button.disabled = true; });
    }, 0);
  });

  // Back to a page from the browser's cache: its forms can be used again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll('form[data-submitting="1"]').forEach(function (form) {
      form.removeAttribute("data-submitting");
      form.removeAttribute("aria-busy");
      buttons(form).forEach(function (button) { button.disabled = false; });
    });
  });
})();
