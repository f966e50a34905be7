// citecheck serve: the upload page. Files can be dropped or chosen; the form is sent with its
// progress shown (upload, then the server's JSON lines: stage, note, progress, done, error),
// and the browser goes to the report when it is ready. Every message is shown as text
// (textContent), never as markup. Without this script the form still posts and redirects.
(function () {
  "use strict";
  var form = document.getElementById("upload");
  if (!form) return;
  var manuscript = document.getElementById("manuscript");
  var bibliography = document.getElementById("bibliography");
  var drop = document.getElementById("drop");
  var chosen = document.getElementById("chosen");
  var progress = document.getElementById("progress");
  var bar = document.getElementById("bar");
  var stage = document.getElementById("stage");
  var notes = document.getElementById("notes");
  var errorBox = document.getElementById("error");
  var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
  var BIB = /\.(bib|json|ya?ml)$/i;
  var request = null;

  function mib(bytes) { return (bytes / 1048576).toFixed(1).replace(/\.0$/, "") + " MiB"; }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    progress.hidden = true;
    form.hidden = false;
  }

  function describe() {
    var parts = [];
    if (manuscript.files.length) parts.push("manuscript: " + manuscript.files[0].name);
    if (bibliography.files.length) parts.push("bibliography: " + bibliography.files[0].name);
    chosen.textContent = parts.join(" · ");
  }

  function put(input, file) {
    var transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
  }

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("over"); });
  });
  document.addEventListener("dragleave", function () { drop.classList.remove("over"); });
  document.addEventListener("drop", function (event) {
    event.preventDefault();
    drop.classList.remove("over");
    var files = event.dataTransfer ? event.dataTransfer.files : [];
    for (var i = 0; i < files.length; i++) put(BIB.test(files[i].name) ? bibliography : manuscript, files[i]);
    describe();
  });
  manuscript.addEventListener("change", describe);
  bibliography.addEventListener("change", describe);

  function handle(event) {
    if (event.type === "stage") stage.textContent = event.message;
    else if (event.type === "note") {
      var item = document.createElement("li");
      item.textContent = event.message;
      notes.appendChild(item);
    } else if (event.type === "progress") {
      bar.max = event.total;
      bar.value = event.done;
      stage.textContent = "verifying references: " + event.done + " of " + event.total;
    } else if (event.type === "done") {
      stage.textContent = event.headline;
      location.assign(event.report);
    } else if (event.type === "error") {
      showError(event.message);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var size = 0;
    [manuscript, bibliography].forEach(function (input) { if (input.files.length) size += input.files[0].size; });
    if (!manuscript.files.length) { showError("choose a manuscript to check"); return; }
    if (size > limit) {
      showError("the upload is " + mib(size) + ", over the " + mib(limit) + " limit of this server " +
                "(citecheck serve --max-upload-mb raises it)");
      return;
    }
    document.getElementById("progress-name").textContent = manuscript.files[0].name;
    while (notes.firstChild) notes.removeChild(notes.firstChild);
    bar.removeAttribute("value");
    stage.textContent = "uploading";
    form.hidden = true;
    progress.hidden = false;
    var seen = 0;
    request = new XMLHttpRequest();
    request.open("POST", form.getAttribute("action"));
    request.setRequestHeader("Accept", "application/x-ndjson");
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) stage.textContent = "uploading: " + Math.round(100 * e.loaded / e.total) + "%";
    });
    function consume() {
      var text = request.responseText;
      var end = text.lastIndexOf("\n");
      if (end < seen) return;
      text.slice(seen, end).split("\n").forEach(function (line) {
        if (!line.trim()) return;
        try { handle(JSON.parse(line)); } catch (ignored) { /* not a JSON line: the final check reports it */ }
      });
      seen = end + 1;
    }
    request.addEventListener("progress", consume);
    request.addEventListener("load", function () {
      consume();
      if (request.status >= 400 && errorBox.hidden) showError("the server answered " + request.status);
    });
    request.addEventListener("error", function () { showError("the server could not be reached"); });
    request.send(new FormData(form));
  });

  document.getElementById("cancel").addEventListener("click", function () {
    if (request) request.abort();
    request = null;
    progress.hidden = true;
    form.hidden = false;
  });
})();
