// citecheck's citation map: a click on a citation lights its entries, a click on an entry's
// "cited" button lights every place it is cited (and steps through them), filters narrow the
// list. Nothing here reads page text into markup: only classes, ids and scroll positions change,
// so the document's text can never become script. Work is done on click, none on load.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var lit = [];

  function clear() {
    for (var i = 0; i < lit.length; i++) lit[i].classList.remove("hit");
    lit = [];
  }

  function light(element) {
    if (element) { element.classList.add("hit"); lit.push(element); }
    return element;
  }

  function show(element, focus) {
    if (!element) return;
    if (focus) element.focus({ preventScroll: true });
    // An entry is read from its top (under the pane's heading); a place in the text, in its context.
    var entry = element.classList.contains("entry");
    element.scrollIntoView({ block: entry ? "start" : "center", inline: "nearest" });
  }

  function tokens(value) {
    return value ? value.split(" ").filter(Boolean) : [];
  }

  function onCitation(link, section) {
    clear();
    light(link);
    var first = null;
    tokens(link.getAttribute("data-e")).forEach(function (i) {
      var entry = light(document.getElementById(section.id + "-e" + i));
      first = first || entry;
    });
    tokens(link.getAttribute("data-m")).forEach(function (i) {
      var entry = light(document.getElementById(section.id + "-m" + i));
      first = first || entry;
    });
    show(first, true);
  }

  function onCitedButton(button, section) {
    var entry = button.closest("li.entry");
    var selector = button.hasAttribute("data-m")
      ? 'a.cite[data-m~="' + button.getAttribute("data-m") + '"]:not(.cont)'
      : 'a.cite[data-e~="' + button.getAttribute("data-e") + '"]:not(.cont)';
    var places = section.querySelectorAll(selector);
    if (!places.length) return;
    var at = (parseInt(button.getAttribute("data-at") || "-1", 10) + 1) % places.length;
    button.setAttribute("data-at", String(at));
    clear();
    light(entry);
    for (var i = 0; i < places.length; i++) light(places[i]);
    var counter = button.querySelector(".at");
    if (counter) counter.textContent = " " + (at + 1) + "/" + places.length;
    show(places[at], true);
  }

  function onInternalLink(link) {
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return false;
    clear();
    light(target);
    show(target, target.tabIndex >= 0 || target.hasAttribute("tabindex"));
    return true;
  }

  function onFilter(button) {
    var group = button.closest(".summary");
    var list = document.getElementById(group.getAttribute("data-list"));
    if (!list) return;
    list.setAttribute("data-filter", button.getAttribute("data-filter"));
    var buttons = group.querySelectorAll("button[data-filter]");
    for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-pressed", String(buttons[i] === button));
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var section = target.closest("section.document");
    var control = target.closest("a.cite, button.cites, button[data-filter], a[href^='#']");
    if (!control) return;
    if (control.matches("button[data-filter]")) { onFilter(control); return; }
    if (!section) return;
    if (control.matches("a.cite")) { event.preventDefault(); onCitation(control, section); return; }
    if (control.matches("button.cites")) { onCitedButton(control, section); return; }
    if (onInternalLink(control)) event.preventDefault();
  });

  if (location.hash.length > 1) light(document.getElementById(decodeURIComponent(location.hash.slice(1))));
  root.setAttribute("data-ready", "1");
  if (window.performance && performance.mark) performance.mark("citecheck-ready");
})();
