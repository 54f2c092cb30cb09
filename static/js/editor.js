// The lesson editor: line numbers beside the text, and problems that lead to their line.
//
// Without JavaScript the server numbers the lines of the text as sent, the text does not wrap,
// and a problem's link ("line N: ...") jumps to the number of its line. With it, long lines
// wrap, the numbers follow every change (each as tall as its wrapped line), the text area
// grows with the text, and a problem's link puts the cursor on its line: the line is selected,
// the text area focused and the line scrolled into view.
(function () {
  "use strict";

  var editor = null;

  function lineStart(lines, number) {
    var start = 0;
    for (var i = 0; i < number - 1; i++) {
      start += lines[i].length + 1;
    }
    return start;
  }

  function Editor(element) {
    this.textarea = element.querySelector("textarea");
    this.gutter = element.querySelector(".editor-gutter");
    this.mirror = document.createElement("div");
    this.mirror.className = "editor-mirror";
    this.mirror.setAttribute("aria-hidden", "true");
    element.appendChild(this.mirror);
    this.pending = false;
    this.textarea.setAttribute("wrap", "soft");
    element.classList.add("editor-wraps");
    var self = this;
    function schedule() {
      if (!self.pending) {
        self.pending = true;
        window.requestAnimationFrame(function () { self.layout(); });
      }
    }
    this.textarea.addEventListener("input", schedule);
    window.addEventListener("resize", schedule);
    this.layout();
  }

  // Number every line, each number as tall as its line once wrapped (measured on a hidden
  // copy of the text with the text area's width and font), and fit the text area to the text.
  Editor.prototype.layout = function () {
    this.pending = false;
    var textarea = this.textarea;
    var style = window.getComputedStyle(textarea);
    var lines = textarea.value.split("\n");
    this.mirror.style.width = (textarea.clientWidth - parseFloat(style.paddingLeft) -
      parseFloat(style.paddingRight)) + "px";
    this.mirror.textContent = "";
    var copies = document.createDocumentFragment();
    lines.forEach(function (line) {
      var copy = document.createElement("div");
      copy.textContent = line || "\u200b";
      copies.appendChild(copy);
    });
    this.mirror.appendChild(copies);
    var numbers = document.createDocumentFragment();
    for (var i = 0; i < lines.length; i++) {
      var number = document.createElement("span");
      number.id = "line-" + (i + 1);
      number.textContent = String(i + 1);
      number.style.height = this.mirror.children[i].getBoundingClientRect().height + "px";
      numbers.appendChild(number);
    }
    this.gutter.textContent = "";
    this.gutter.appendChild(numbers);
    this.mirror.textContent = "";
    textarea.style.height = "auto";
    textarea.style.height = (textarea.scrollHeight + parseFloat(style.borderTopWidth) +
      parseFloat(style.borderBottomWidth)) + "px";
  };

  // Select line ``number`` (counted from 1), focus the text area and show the line.
  Editor.prototype.goToLine = function (number) {
    var lines = this.textarea.value.split("\n");
    number = Math.min(Math.max(number, 1), lines.length);
    var start = lineStart(lines, number);
    this.textarea.focus({ preventScroll: true });
    this.textarea.setSelectionRange(start, start + lines[number - 1].length);
    var mark = document.getElementById("line-" + number);
    if (mark) {
      mark.scrollIntoView({ block: "center" });
    }
  };

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-line]") : null;
    if (!link || !editor) {
      return;
    }
    event.preventDefault();
    editor.goToLine(parseInt(link.getAttribute("data-line"), 10));
  });

  document.addEventListener("DOMContentLoaded", function () {
    var element = document.querySelector("[data-editor]");
    if (element) {
      editor = new Editor(element);
    }
  });
})();
