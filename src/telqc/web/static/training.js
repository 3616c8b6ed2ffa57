// The exam countdown: the server's deadline and its clock at page time (so a wrong client clock does not
// matter); at zero the paper is submitted, which the server still accepts within its short grace.
(function () {
  "use strict";
  const el = document.getElementById("countdown");
  const form = document.getElementById("paper");
  if (!el || !form) { return; }
  const offset = Date.parse(el.dataset.now) - Date.now();
  const deadline = Date.parse(el.dataset.deadline);
  let sent = false;
  form.addEventListener("submit", function () { sent = true; });
  function tick() {
    const left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
    const m = Math.floor(left / 60), s = left % 60;
    el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    if (left === 0 && !sent) { sent = true; form.submit(); return; }
    if (left > 0) { window.setTimeout(tick, 1000); }
  }
  tick();
})();
