// Glossary popovers: progressive enhancement of the term links in a reading.
//
// Without JavaScript, a term (a.term) is a link to its entry on the glossary page. With it,
// hovering, focusing or tapping a term shows its definition, taken from the glossary section
// of the same page (the element whose id is the term's data-term), in one popover
// (role="tooltip", linked with aria-describedby). Escape, blur or a tap elsewhere hides it.
// A tap or click shows the popover; a second one on the same term follows the link.
(function () {
  "use strict";

  var MARGIN = 8;
  var HIDE_DELAY_MS = 250;

  var popover = null;
  var current = null;      // the term whose definition is shown
  var openAtPress = false; // was the popover already open for the pressed term?
  var hideTimer = null;

  function createPopover() {
    var element = document.createElement("div");
    element.id = "term-popover";
    element.className = "term-popover";
    element.setAttribute("role", "tooltip");
    element.hidden = true;
    element.addEventListener("mouseenter", cancelHide);
    element.addEventListener("mouseleave", scheduleHide);
    document.body.appendChild(element);
    return element;
  }

  function fillPopover(entry, tapped) {
    var name = document.createElement("span");
    name.className = "popover-term";
    name.textContent = entry.querySelector("dt").textContent;
    var body = document.createElement("div");
    entry.querySelector("dd").childNodes.forEach(function (node) {
      body.appendChild(node.cloneNode(true));
    });
    popover.replaceChildren(name, body);
    if (tapped) {
      var hint = document.createElement("p");
      hint.className = "popover-hint";
      hint.textContent = "Tap the word again to open the glossary.";
      popover.appendChild(hint);
    }
  }

  function position(term) {
    var rect = term.getBoundingClientRect();
    var width = popover.offsetWidth;
    var height = popover.offsetHeight;
    var viewportWidth = document.documentElement.clientWidth;
    var left = Math.min(rect.left, viewportWidth - width - MARGIN);
    var top = rect.bottom + MARGIN;
    if (top + height > window.innerHeight && rect.top - height - MARGIN > 0) {
      top = rect.top - height - MARGIN;
    }
    popover.style.left = Math.max(MARGIN, left) + window.scrollX + "px";
    popover.style.top = top + window.scrollY + "px";
  }

  function show(term, tapped) {
    var entry = document.getElementById(term.dataset.term);
    if (!entry || !entry.querySelector("dt") || !entry.querySelector("dd")) {
      return;
    }
    cancelHide();
    if (current && current !== term) {
      current.removeAttribute("aria-describedby");
    }
    fillPopover(entry, tapped);
    popover.hidden = false;
    position(term);
    term.setAttribute("aria-describedby", popover.id);
    current = term;
  }

  function hide() {
    cancelHide();
    if (current) {
      current.removeAttribute("aria-describedby");
      current = null;
    }
    popover.hidden = true;
  }

  function scheduleHide() {
    cancelHide();
    hideTimer = window.setTimeout(hide, HIDE_DELAY_MS);
  }

  function cancelHide() {
    if (hideTimer !== null) {
      window.clearTimeout(hideTimer);
      hideTimer = null;
    }
  }

  function onPointerDown(event) {
    openAtPress = current === event.currentTarget && !popover.hidden;
  }

  function onClick(event) {
    var term = event.currentTarget;
    var fromPointer = event.detail > 0;  // 0 for a click made with the keyboard (Enter)
    if (fromPointer && !openAtPress) {
      event.preventDefault();
      show(term, true);
    }
    openAtPress = false;
  }

  function onPointerEnter(event) {
    if (event.pointerType === "mouse") {
      show(event.currentTarget, false);
    }
  }

  function onPointerLeave(event) {
    if (event.pointerType === "mouse") {
      scheduleHide();
    }
  }

  function onDocumentPointerDown(event) {
    if (current && !current.contains(event.target) && !popover.contains(event.target)) {
      hide();
    }
  }

  function onKeyDown(event) {
    if (event.key === "Escape" && current) {
      hide();
    }
  }

  function init() {
    var terms = document.querySelectorAll("a.term[data-term]");
    if (!terms.length) {
      return;
    }
    popover = createPopover();
    terms.forEach(function (term) {
      term.addEventListener("pointerenter", onPointerEnter);
      term.addEventListener("pointerleave", onPointerLeave);
      term.addEventListener("pointerdown", onPointerDown);
      term.addEventListener("click", onClick);
      term.addEventListener("focus", function () { show(term, false); });
      term.addEventListener("blur", hide);
    });
    document.addEventListener("pointerdown", onDocumentPointerDown);
    document.addEventListener("keydown", onKeyDown);
    window.addEventListener("resize", hide);
  }

  init();
})();
