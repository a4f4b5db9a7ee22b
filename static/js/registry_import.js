// Registry import page: upload with XMLHttpRequest to show progress, then an indeterminate
// <progress> while the server checks the file. Without JavaScript the form posts as usual.
// Texts come from the form's data-* attributes (translated on the server).
(function () {
  "use strict";
  const form = document.getElementById("registry-upload");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  const input = form.querySelector('input[type="file"]');
  const button = form.querySelector('button[type="submit"]');
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const maxBytes = Number(form.dataset.maxBytes || 0);

  function say(text) {
    status.textContent = text;
  }

  function finish(text) {
    bar.hidden = true;
    button.disabled = false;
    say(text);
  }

  form.addEventListener("submit", function (event) {
    const file = input.files && input.files[0];
    if (!file) return; // the browser's "required" check speaks
    event.preventDefault();
    if (maxBytes && file.size > maxBytes) {
      say(form.dataset.tooLarge);
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.responseType = "document";
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      bar.max = e.total;
      bar.value = e.loaded;
      say(form.dataset.uploading + " " + Math.floor((100 * e.loaded) / e.total) + " %");
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); // indeterminate while the server checks
      say(form.dataset.checking);
    });
    xhr.addEventListener("load", function () {
      if (xhr.status < 400 && xhr.responseURL) {
        window.location.assign(xhr.responseURL); // the preview
        return;
      }
      const page = xhr.response;
      const error = page && page.getElementById("upload-error");
      finish(error ? error.textContent : form.dataset.failed);
    });
    xhr.addEventListener("error", function () {
      finish(form.dataset.failed);
    });
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    say(form.dataset.uploading);
    xhr.send(new FormData(form));
  });
})();
