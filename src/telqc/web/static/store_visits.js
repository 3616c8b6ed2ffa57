// 营业厅检查与暗访: average score by store (ECharts). Data comes in a JSON <script> block (no inline script: CSP).
(function () {
  "use strict";
  const el = document.getElementById("store-visit-data");
  const box = document.getElementById("chart-store-visits");
  if (!el || !box || typeof echarts === "undefined") { return; }
  const D = JSON.parse(el.textContent);
  echarts.init(box).setOption({
    tooltip: {trigger: "axis", renderMode: "richText"},
    grid: {left: 140},
    xAxis: {type: "value", min: 0, max: 100, name: "平均得分"},
    yAxis: {type: "category", data: D.stores},
    series: [{name: "平均得分", type: "bar", data: D.averages}]
  });
})();
