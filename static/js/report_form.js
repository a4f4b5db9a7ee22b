// The public report form: say at once when a chosen photo is too large to send, instead of
// after uploading it (the server checks again). No other behaviour; the form works without it.
(function () {
  "use strict";
  var input = document.getElementById("f-photo");
  var note = document.getElementById("photo-size");
  if (!input || !note) return;
  var limit = Number(input.getAttribute("data-max-bytes"));
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (file && limit && file.size > limit) {
      note.textContent = input.getAttribute("data-too-large");
      input.value = "";
    } else {
      note.textContent = "";
    }
  });
})();
