// New-order form: offer only the categories of the chosen type; show repair fields for repairs.
(function () {
  const type = document.getElementById("otype");
  const cat = document.getElementById("ocategory");
  if (!type || !cat) return;
  function sync() {
    let first = null;
    for (const opt of cat.options) {
      const show = opt.dataset.type === type.value;
      opt.hidden = !show;
      if (show && !first) first = opt;
    }
    if (cat.selectedOptions[0] && cat.selectedOptions[0].hidden && first) cat.value = first.value;
    document.querySelectorAll(".repair-only").forEach((el) => { el.hidden = type.value !== "repair"; });
  }
  type.addEventListener("change", sync);
  sync();
})();
// The knowledge panel reads `q`: the new-order form's description is sent under that name.
document.addEventListener("htmx:configRequest", (ev) => {
  const p = ev.detail.parameters;
  if (ev.detail.path === "/kb/panel" && p.get && p.has("description")) {
    p.set("q", p.get("description"));
    p.delete("description");
  }
});
