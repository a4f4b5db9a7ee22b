// A form with data-confirm asks before it is sent (the question is translated in the
// attribute). Loaded from a file: the Content-Security-Policy refuses inline script.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  if (!window.confirm(form.dataset.confirm)) event.preventDefault();
});
