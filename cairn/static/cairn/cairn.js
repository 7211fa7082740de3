// Small behaviours that htmx does not cover. No framework, no network.
document.addEventListener("click", (event) => {
  const target = event.target.closest("[data-confirm]");
  if (target && !window.confirm(target.dataset.confirm)) {
    event.preventDefault();
  }
});
// Errors from htmx requests are shown instead of silently ignored.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const box = document.createElement("div");
  box.className = "message error";
  box.textContent = status === 403 ? "You do not have permission to do this." : `The server answered ${status}. Nothing was changed.`;
  let messages = document.querySelector(".messages");
  if (!messages) {
    messages = document.createElement("div");
    messages.className = "messages";
    document.querySelector("main").prepend(messages);
  }
  messages.append(box);
});
// A control marked data-autosubmit saves its form as soon as it changes.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});
