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
    var chosen = select.options[select.selectedIndex];
    if (target) target.value = chosen.dataset.body;
    // An article put in the reply is counted when the reply is sent; a template's reply is kept
    // as the team sends it (suggested replies).
    var article = document.getElementById("reply-article");
    if (article) article.value = chosen.dataset.article || "";
    var template = document.getElementById("reply-template");
    if (template) template.value = chosen.dataset.template || "";
    // A macro also chooses what happens after the reply: an action, a tag.
    var action = document.getElementById("then-action"), tag = document.getElementById("then-tag");
    if (action && chosen.dataset.action !== undefined) {
      var offered = Array.prototype.some.call(action.options, function (option) { return option.value === chosen.dataset.action; });
      action.value = offered ? chosen.dataset.action : "";
    }
    if (tag && chosen.dataset.tag !== undefined) tag.value = chosen.dataset.tag;
  });
});

// A suggested reply: <button data-fills="ID" data-body=… data-template=…> puts it into field ID.
document.querySelectorAll("button[data-fills]").forEach(function (button) {
  button.addEventListener("click", function () {
    var target = document.getElementById(button.dataset.fills);
    if (target) { target.value = button.dataset.body; target.focus(); }
    var template = document.getElementById("reply-template");
    if (template) template.value = button.dataset.template || "";
    var article = document.getElementById("reply-article");
    if (article) article.value = "";
  });
});

// Asking first: a form (or the button that sent it) with data-confirm asks before it is sent;
// data-confirm-when="FIELD=VALUE" asks only when the form's FIELD holds VALUE. In the question,
// {amount} becomes the total of the form's .refund-amount fields in its currency.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var asker = event.submitter && event.submitter.dataset.confirm ? event.submitter : form;
  var question = asker.dataset && asker.dataset.confirm;
  if (!question) return;
  var when = asker.dataset.confirmWhen;
  if (when) {
    var parts = when.split("=");
    var field = form.elements[parts[0]];
    if (!field || field.value !== parts[1]) return;
  }
  if (question.indexOf("{amount}") >= 0) {
    var decimals = parseInt(form.dataset.decimals || "2", 10);
    var total = 0;
    form.querySelectorAll(".refund-amount").forEach(function (input) {
      var text = input.value.replace(/[\s\u00a0']/g, "");
      if (text.indexOf(",") >= 0 && text.indexOf(".") < 0) text = text.replace(",", ".");
      else text = text.replace(/,/g, "");
      var number = parseFloat(text);
      if (!isNaN(number)) total += number;
    });
    question = question.replace("{amount}", (form.dataset.currency || "") + total.toFixed(decimals));
  }
  var ticked = form.querySelectorAll('input[name="case"]:checked').length;
  if (ticked) question = question + " (" + ticked + ")";
  if (!window.confirm(question)) event.preventDefault();
});

// A refused form: the first error is read out and has the focus.
(function () {
  var refused = document.getElementById("refused") || document.querySelector("main .error[role=alert], main .failure");
  if (!refused) return;
  var field = refused.closest("form") && refused.closest("form").querySelector("textarea, input:not([type=hidden]), select");
  var target = refused.querySelector("a") || field || refused;
  if (!target.hasAttribute("tabindex") && !/^(A|INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName)) target.setAttribute("tabindex", "-1");
  target.focus();
})();

// Counts: elements with data-count="QUERY" show how many cases that view holds.
(function () {
  var badges = document.querySelectorAll("[data-count]");
  if (!badges.length || !window.fetch) return;
  var views = Array.prototype.map.call(badges, function (badge) { return badge.dataset.count; });
  var query = views.map(function (view) { return "view=" + encodeURIComponent(view); }).join("&");
  fetch("/console/counts?" + query, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (answer) {
      if (!answer) return;
      answer.counts.forEach(function (count, index) {
        if (count === null || count === undefined) return;
        badges[index].textContent = count >= answer.cap ? answer.cap - 1 + "+" : String(count);
        badges[index].hidden = false;
      });
    })
    .catch(function () {});
})();

// Keyboard: j/k move through the queue, o or Enter opens, r replies, a focuses the first
// allowed action, n goes to the next case, u back to the queue, / searches, ? shows them all.
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("#cases tbody tr[data-case]"));
  var current = -1;
  // The queue remembers which view it was, so "u" comes back to it.
  if (document.getElementById("bulk") && window.sessionStorage) {
    try { sessionStorage.setItem("aftersale-queue", location.pathname + location.search); } catch (ignored) {}
  }
  function select(index) {
    if (!rows.length) return;
    if (current >= 0) rows[current].classList.remove("selected");
    current = Math.max(0, Math.min(rows.length - 1, index));
    var row = rows[current];
    row.classList.add("selected");
    var link = row.querySelector("a[href^='/console/cases/']");
    if (link) link.focus();
  }
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  function go(selector) {
    var element = document.querySelector(selector);
    if (element) { element.focus(); if (element.select && element.tagName === "INPUT") element.select(); return true; }
    return false;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var help = document.getElementById("shortcuts");
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current < 0 ? 0 : current - 1); break;
      case "o":
        if (current >= 0) { var link = rows[current].querySelector("a[href^='/console/cases/']"); if (link) location.href = link.href; }
        break;
      case "r": if (!go("#reply-body")) return; break;
      case "a": if (!go("#actions form.action textarea, #actions form.action input:not([type=hidden]), #actions form.action button")) return; break;
      case "n": var next = document.getElementById("next-case"); if (!next) return; location.href = next.href; break;
      case "u": location.href = (window.sessionStorage && sessionStorage.getItem("aftersale-queue")) || "/console"; break;
      case "/": if (!go("#q")) return; break;
      case "?": if (help && help.showModal) { if (help.open) help.close(); else help.showModal(); } break;
      default: return;
    }
    event.preventDefault();
  });
})();

// Live: the case page listens for changes made elsewhere (a customer's message, another
// person's change) and for who else has it open; it never reloads by itself.
(function () {
  var live = document.getElementById("live");
  if (!live || !window.EventSource) return;
  var source = null;
  var viewers = "", change = "";
  // Closed when the page goes, so its connection is free at once for the next page.
  window.addEventListener("pagehide", function () { if (source) source.close(); });
  window.addEventListener("beforeunload", function () { if (source) source.close(); });
  function listen() {
    source = new EventSource(live.dataset.stream);
    source.addEventListener("change", function (event) {
      var data = JSON.parse(event.data);
      live.dataset.reload = data.reload;
      change = data.text;
      draw();
    });
    source.addEventListener("viewers", function (event) {
      viewers = JSON.parse(event.data).text;
      draw();
    });
  }
  if (document.readyState === "complete") listen(); else window.addEventListener("load", listen);
  function draw() {
    live.textContent = "";
    if (change) {
      var text = document.createElement("span");
      text.textContent = change + " ";
      live.appendChild(text);
      var reload = document.createElement("a");
      reload.href = location.pathname;
      reload.id = "live-reload";
      reload.textContent = live.dataset.reload || "↻";
      live.appendChild(reload);
    }
    if (viewers) {
      var who = document.createElement("p");
      who.id = "live-viewers";
      who.style.margin = change ? "6px 0 0" : "0";
      who.textContent = viewers;
      live.appendChild(who);
    }
  }
})();

// The portal's request, step by step: one part at a time with Back / Next (every part shows at
// once without script, or when the form came back refused); the refund preview adds up what
// the chosen units cost; an exchange asks what instead; files are checked before sending.
(function () {
  var form = document.getElementById("ask-form");
  if (!form || !form.querySelector("fieldset[data-step]")) return;
  var parts = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-step]"));
  var markers = Array.prototype.slice.call(document.querySelectorAll("#ask-steps li"));
  var buttons = document.getElementById("step-buttons");
  var back = document.getElementById("step-back"), next = document.getElementById("step-next");
  var kind = document.getElementById("kind");
  var preview = document.getElementById("refund-preview");
  var sendBack = document.getElementById("send-back");
  var wish = document.getElementById("exchange-wish");
  var decimals = parseInt(form.dataset.decimals || "2", 10);
  function chosen() {
    var total = 0, names = [];
    form.querySelectorAll("input.quantity").forEach(function (input) {
      var units = parseInt(input.value || "0", 10);
      if (!(units > 0)) return;
      var worth = (input.dataset.worth || "").split(",").map(Number);
      var value = worth[Math.min(units, worth.length) - 1] || 0;
      if (units > worth.length && worth.length) value = Math.round(worth[worth.length - 1] / worth.length * units);
      total += value;
      names.push(input.dataset.name + " × " + units);
    });
    return { total: total, names: names };
  }
  function refresh() {
    var code = kind ? kind.value : "";
    if (wish) wish.hidden = code !== "exchange";
    if (sendBack) sendBack.hidden = (sendBack.dataset.shipKinds || "").split(" ").indexOf(code) < 0;
    var picked = chosen();
    if (preview) {
      var refunds = (preview.dataset.refundKinds || "").split(" ").indexOf(code) >= 0;
      var text = refunds
        ? preview.dataset.text
            .replace("{amount}", (form.dataset.currency || "") + (picked.total / Math.pow(10, decimals)).toFixed(decimals))
            .replace("{text}", code === "return_and_refund" ? preview.dataset.afterReturn : "")
        : preview.dataset.none;
      preview.textContent = text;
    }
    var summary = document.getElementById("ask-summary");
    if (summary && kind) {
      summary.textContent = "";
      [kind.options[kind.selectedIndex].text, picked.names.join("、"), preview ? preview.textContent : ""].forEach(function (line) {
        if (!line) return;
        var p = document.createElement("p");
        p.textContent = line;
        summary.appendChild(p);
      });
    }
  }
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();

  var files = document.getElementById("files");
  var problem = document.getElementById("files-problem");
  if (files && problem) {
    files.addEventListener("change", function () {
      var messages = [];
      var list = Array.prototype.slice.call(files.files || []);
      if (list.length > parseInt(files.dataset.maxFiles, 10)) messages.push(problem.dataset.tooMany);
      list.forEach(function (file) {
        var video = /^video\//.test(file.type), photo = /^image\/(jpeg|png|webp)$/.test(file.type);
        if (!video && !photo) messages.push(problem.dataset.wrongType + " " + file.name);
        else if (file.size > parseInt(video ? files.dataset.maxVideo : files.dataset.maxPhoto, 10)) messages.push(problem.dataset.tooLarge + " " + file.name);
      });
      problem.textContent = messages.join(" ");
      problem.hidden = messages.length === 0;
      files.setCustomValidity(messages.join(" "));
    });
  }

  if (form.dataset.returned) return;
  var current = 0;
  function show(index) {
    current = Math.max(0, Math.min(parts.length - 1, index));
    parts.forEach(function (part, at) { part.hidden = at !== current; });
    markers.forEach(function (marker, at) {
      marker.className = at === current ? "current" : "";
      if (at === current) marker.setAttribute("aria-current", "step"); else marker.removeAttribute("aria-current");
    });
    back.hidden = current === 0;
    next.hidden = current === parts.length - 1;
    refresh();
  }
  document.getElementById("ask-steps").hidden = false;
  buttons.hidden = false;
  back.addEventListener("click", function () { show(current - 1); parts[current].querySelector("legend").scrollIntoView(); });
  next.addEventListener("click", function () {
    var invalid = parts[current].querySelector(":invalid");
    if (invalid) { invalid.reportValidity(); return; }
    show(current + 1);
    var legend = parts[current].querySelector("legend");
    legend.setAttribute("tabindex", "-1");
    legend.focus();
  });
  show(0);
})();

// The queue beside the case (wide screens): the view the agent came from is fetched and listed
// on the left, the open case marked, so the list keeps its place; j / k go to the case below or
// above in it.
(function () {
  var side = document.getElementById("queue-side");
  var from = window.sessionStorage && sessionStorage.getItem("aftersale-queue");
  if (!side || !from || !window.fetch || !window.DOMParser) return;
  if (!window.matchMedia("(min-width: 1400px)").matches) return;
  fetch(from, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.text() : null; })
    .then(function (html) {
      if (!html) return;
      var page = new DOMParser().parseFromString(html, "text/html");
      var rows = page.querySelectorAll("#cases tbody tr[data-case]");
      if (!rows.length) return;
      var heading = document.createElement("h2");
      var back = document.createElement("a");
      back.href = from;
      back.textContent = side.getAttribute("aria-label");
      heading.appendChild(back);
      side.appendChild(heading);
      var list = document.createElement("ol");
      var links = [];
      rows.forEach(function (row) {
        var cells = row.querySelectorAll("td");
        var link = document.createElement("a");
        link.href = "/console/cases/" + row.dataset.case;
        var number = document.createElement("strong");
        number.textContent = cells[1] ? cells[1].textContent.trim() : "";
        var detail = document.createElement("small");
        detail.textContent = " " + (cells[3] ? cells[3].textContent.trim() : "") + " · " + (cells[5] ? cells[5].textContent.trim() : "");
        link.appendChild(number);
        link.appendChild(document.createElement("br"));
        link.appendChild(detail);
        if (location.pathname === link.pathname) link.setAttribute("aria-current", "page");
        var item = document.createElement("li");
        item.appendChild(link);
        list.appendChild(item);
        links.push(link);
      });
      side.appendChild(list);
      side.hidden = false;
      document.body.classList.add("with-queue");
      var at = links.findIndex(function (link) { return link.hasAttribute("aria-current"); });
      if (at >= 0) links[at].scrollIntoView({ block: "nearest" });
      document.addEventListener("keydown", function (event) {
        var target = event.target;
        if (event.ctrlKey || event.metaKey || event.altKey) return;
        if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
        var next = event.key === "j" ? at + 1 : event.key === "k" ? at - 1 : null;
        if (next === null || next < 0 || next >= links.length) return;
        event.preventDefault();
        location.href = links[next].href;
      });
    })
    .catch(function () {});
})();

// Answers before asking: as the customer describes the problem, the shop's articles that match
// appear beside the description (fetched a moment after the typing stops); "this answered my
// question" sends the form to the deflection address instead, and no request is made.
(function () {
  var box = document.getElementById("suggestions");
  var field = document.getElementById("description");
  if (!box || !field || !window.fetch) return;
  var timer = null, asked = "";
  function show(found) {
    while (box.firstChild) box.removeChild(box.firstChild);
    if (!found.length) { box.hidden = true; return; }
    var heading = document.createElement("h3");
    heading.textContent = box.dataset.heading;
    var list = document.createElement("ul");
    list.className = "articles";
    found.forEach(function (article) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = article.path + "?lang=" + box.dataset.lang;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = article.title;
      var summary = document.createElement("p");
      summary.textContent = article.summary;
      var button = document.createElement("button");
      button.type = "submit";
      button.name = "article";
      button.value = article.id;
      button.formAction = box.dataset.deflect;
      button.formNoValidate = true;
      button.textContent = box.dataset.button;
      item.appendChild(link);
      item.appendChild(summary);
      item.appendChild(button);
      list.appendChild(item);
    });
    box.appendChild(heading);
    box.appendChild(list);
    box.hidden = false;
  }
  function ask() {
    var text = field.value.trim();
    if (text === asked) return;
    asked = text;
    if (text.length < 2) { show([]); return; }
    fetch(box.dataset.source + "&q=" + encodeURIComponent(text), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (found) { if (field.value.trim() === text) show(found); })
      .catch(function () {});
  }
  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 300);
  });
})();
