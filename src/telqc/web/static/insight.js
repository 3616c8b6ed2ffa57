// 客户洞察: tier and lifecycle distribution, treated vs holdout retention (ECharts). Data in a JSON block (CSP).
(function () {
  "use strict";
  const el = document.getElementById("insight-data");
  if (!el || typeof echarts === "undefined") { return; }
  const D = JSON.parse(el.textContent);
  function bar(id, labels, series) {
    const box = document.getElementById(id);
    if (!box) { return; }
    echarts.init(box).setOption({
      tooltip: {trigger: "axis", renderMode: "richText"}, legend: {},
      xAxis: {type: "category", data: labels}, yAxis: {type: "value"},
      series: series.map(function (s) { return {name: s[0], type: "bar", data: s[1]}; })
    });
  }
  bar("chart-tiers", D.tiers.labels, [["客户数", D.tiers.values]]);
  bar("chart-stages", D.stages.labels, [["客户数", D.stages.values]]);
  if (D.uplift.labels.length) {
    bar("chart-uplift", D.uplift.labels, [["干预组挽留率 %", D.uplift.treated], ["对照组挽留率 %", D.uplift.control]]);
  }
})();
