// Improvement plan effect chart (ECharts): the KPI per day for the treated scope and, if there is one, the
// comparison group, with the baseline and the after period marked. Data comes in a JSON <script> block (CSP).
(function () {
  "use strict";
  const el = document.getElementById("effect-data");
  if (!el) { return; }
  const D = JSON.parse(el.textContent);
  const days = Array.from(new Set([...Object.keys(D.treated), ...Object.keys(D.comparison || {})])).sort();
  const pct = D.unit === "ratio";
  const val = v => (v === null || v === undefined) ? null : (pct ? +(v * 100).toFixed(2) : +v.toFixed(3));
  const series = [{name: "改进范围", type: "line", data: days.map(d => val(D.treated[d])),
    markArea: {itemStyle: {color: "rgba(37, 99, 235, 0.06)"}, data: [[{name: "改进后", xAxis: D.after_start}, {xAxis: days[days.length - 1]}]]}}];
  if (D.comparison) {
    series.push({name: "对照组", type: "line", lineStyle: {type: "dashed"}, data: days.map(d => val(D.comparison[d]))});
  }
  echarts.init(document.getElementById("chart-effect")).setOption({
    animation: false, tooltip: {trigger: "axis", renderMode: "richText"}, legend: {},
    xAxis: {type: "category", data: days}, yAxis: {type: "value", name: pct ? "%" : "", scale: true}, series: series
  });
})();
