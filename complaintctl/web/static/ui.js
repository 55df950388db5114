// complaintctl ui: partial updates without a build chain (htmx-style, by data attributes).
//   data-load="URL"                  fill the element with GET URL's answer once the page is shown
//   form[data-check="URL"][data-target="SELECTOR"]
//                                    as the person types, POST the form to URL and put the answer in SELECTOR
// Every POST carries the page's CSRF token (meta csrf-token) as the X-CSRF-Token header.
(function () {
  "use strict";
  var token = function () {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  };
  var load = function (el) {
    fetch(el.getAttribute("data-load"), { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { el.innerHTML = html; el.setAttribute("data-loaded", "1"); });
  };
  var check = function (form) {
    var target = document.querySelector(form.getAttribute("data-target"));
    var body = new URLSearchParams(new FormData(form));
    body.delete("csrf");
    fetch(form.getAttribute("data-check"), {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRF-Token": token(), "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (r) { return r.text(); })
      .then(function (html) { if (target) { target.innerHTML = html; target.setAttribute("data-checked", "1"); } });
  };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-load]").forEach(load);
    document.querySelectorAll("form[data-check]").forEach(function (form) {
      var timer = null;
      var later = function () { clearTimeout(timer); timer = setTimeout(function () { check(form); }, 300); };
      form.addEventListener("input", later);
      form.addEventListener("change", later);
    });
  });
})();
