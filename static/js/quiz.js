// The quiz page: progressive enhancement of a form that works without JavaScript.
//
// With JavaScript: the "answered N of M" summary follows the answers as they are given;
// the answers are saved as a draft (POST to the form's save address, as JSON) shortly after
// each change and every 20 seconds while something is unsaved; and submitting with
// unanswered questions asks for confirmation first, then sends confirm=yes so the server
// does not ask again. Nothing here knows or checks the right answers.
(function () {
  "use strict";

  var AUTOSAVE_MS = 20000;
  var CHANGE_DELAY_MS = 1500;

  var form = document.getElementById("quiz-form");
  if (!form) {
    return;
  }
  var saveUrl = form.getAttribute("data-save-url");
  var token = form.querySelector("input[name=csrf_token]").value;
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
  var answeredCount = form.querySelector("[data-answered]");
  var saveStatus = document.getElementById("save-status");
  var dirty = false;
  var saving = false;
  var changeTimer = null;

  function isAnswered(question) {
    var fields = question.querySelectorAll("input, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.type === "radio" || field.type === "checkbox") {
        if (field.checked) {
          return true;
        }
      } else if (field.value.trim() !== "") {
        return true;
      }
    }
    return false;
  }

  function unanswered() {
    return questions.filter(function (question) {
      return !isAnswered(question);
    });
  }

  function updateProgress() {
    answeredCount.textContent = String(questions.length - unanswered().length);
  }

  function save() {
    if (saving || !dirty) {
      return;
    }
    saving = true;
    dirty = false;
    fetch(saveUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, Accept: "application/json" },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw new Error("not saved");
        }
        return response.json().then(function (data) {
          if (!response.ok) {
            throw new Error(data.error || "not saved");
          }
          saveStatus.textContent = data.message;
        });
      })
      .catch(function (error) {
        dirty = true;
        saveStatus.textContent =
          error.message && error.message !== "not saved"
            ? error.message
            : "Your answers could not be saved automatically. Use the Save draft button.";
      })
      .then(function () {
        saving = false;
      });
  }

  function changed() {
    dirty = true;
    updateProgress();
    window.clearTimeout(changeTimer);
    changeTimer = window.setTimeout(save, CHANGE_DELAY_MS);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", function () {
    dirty = true;
    updateProgress();
  });
  window.setInterval(save, AUTOSAVE_MS);

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-submit")) {
      return;
    }
    var missing = unanswered().length;
    if (missing === 0 || form.querySelector("input[name=confirm]")) {
      return;
    }
    var question = missing === 1 ? "1 question has" : missing + " questions have";
    if (!window.confirm(question + " no answer yet. Submit anyway?")) {
      event.preventDefault();
      return;
    }
    var confirmField = document.createElement("input");
    confirmField.type = "hidden";
    confirmField.name = "confirm";
    confirmField.value = "yes";
    form.appendChild(confirmField);
  });

  updateProgress();
})();
