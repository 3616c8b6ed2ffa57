// One click puts the standard answer into the reply and records the choice for the ranking.
document.addEventListener("click", (ev) => {
  const btn = ev.target.closest(".kb-insert");
  if (btn) {
    const reply = document.getElementById("reply");
    if (reply) {
      reply.value = (reply.value ? reply.value + "\n" : "") + btn.dataset.answer;
      reply.dispatchEvent(new Event("input", { bubbles: true }));
    }
    const holder = document.querySelector("[data-order-id]");
    const order = holder ? holder.dataset.orderId : null;
    const csrf = document.querySelector("meta[name=csrf-token]");  // the session's token (telqc.api.protect)
    fetch("/api/v1/kb/recommendations/choice", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.content : "" },
      body: JSON.stringify({ solution_code: btn.dataset.code, rank: Number(btn.dataset.rank),
                             order_id: order ? Number(order) : null }),
    });
    return;
  }
  const fb = ev.target.closest(".kb-feedback");
  if (fb) {  // 采用 / 不相关: evidence for the learned ranking (telqc.knowledge.learning)
    const holder = document.querySelector("[data-order-id]");
    const order = holder ? holder.dataset.orderId : null;
    const csrf = document.querySelector("meta[name=csrf-token]");
    fetch("/api/v1/kb/feedback", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.content : "" },
      body: JSON.stringify({ article_id: Number(fb.dataset.article), verdict: fb.dataset.verdict,
                             query: fb.dataset.q, rank: Number(fb.dataset.rank),
                             order_id: order ? Number(order) : null }),
    }).then((resp) => {  // the agent sees that the verdict was recorded (or that it was not)
      const li = fb.closest("li");
      const status = li.querySelector(".kb-feedback-status");
      if (resp.ok) {
        li.classList.add("kb-" + fb.dataset.verdict);
        li.querySelectorAll(".kb-feedback").forEach((b) => { b.disabled = true; });
      }
      if (status) status.textContent = resp.ok ? status.dataset[fb.dataset.verdict] : status.dataset.failed;
    }, () => {
      const status = fb.closest("li").querySelector(".kb-feedback-status");
      if (status) status.textContent = status.dataset.failed;
    });
    return;
  }
  const sug = ev.target.closest(".kb-suggest");
  if (sug) {
    ev.preventDefault();
    const q = document.getElementById("kb-query");
    q.value = sug.dataset.q;
    q.dispatchEvent(new Event("input", { bubbles: true }));
  }
});
