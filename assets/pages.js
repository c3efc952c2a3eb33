// The pages' few behaviours, in one file so that the Content-Security-Policy can forbid inline
// script. Every page works without it.
// The request form is kept in this browser while it is being written (files excepted), so a
// reload or a lost connection does not lose it; it is forgotten when sent.
(function () {
  var form = document.getElementById("ask-form");
  if (!form || !window.localStorage) return;
  var key = "aftersale-draft:" + location.pathname;
  try {
    var draft = JSON.parse(localStorage.getItem(key) || "null");
    if (draft && !form.dataset.returned) {
      Object.keys(draft).forEach(function (name) {
        var field = form.elements[name];
        if (field && field.type !== "file") field.value = draft[name];
      });
    }
  } catch (ignored) {}
  function save() {
    var draft = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.type !== "file" && field.type !== "submit") draft[field.name] = field.value;
    });
    try { localStorage.setItem(key, JSON.stringify(draft)); } catch (ignored) {}
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function () { localStorage.removeItem(key); });
  // A refused request: show its reasons, not the top of the page.
  if (form.dataset.returned) document.getElementById("ask").scrollIntoView();
})();

// "Select all" boxes: <input type="checkbox" data-select-all="NAME"> ticks every box named NAME.
document.querySelectorAll("input[data-select-all]").forEach(function (all) {
  all.addEventListener("click", function () {
    var name = all.dataset.selectAll;
    document.querySelectorAll('input[name="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
});

// Reply templates: <select data-fills="ID"> puts the chosen option's data-body into field ID.
document.querySelectorAll("select[data-fills]").forEach(function (select) {
  select.addEventListener("change", function () {
    if (select.value === "") return;
    var target = document.getElementById(select.dataset.fills);
    if (target) target.value = select.options[select.selectedIndex].dataset.body;
  });
});
