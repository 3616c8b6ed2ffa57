// Satisfaction campaign results (ECharts): one bar chart per dimension, the raw and the stratum-weighted mean
// by province. Data comes in a JSON <script> block: no inline script (Content-Security-Policy).
(function () {
  "use strict";
  const el = document.getElementById("campaign-data");
  if (!el) { return; }
  const D = JSON.parse(el.textContent);
  D.dims.forEach(function (d) {
    const box = document.getElementById("chart-" + d.id);
    if (!box || !d.provinces.length) { return; }
    echarts.init(box).setOption({
      animation: false, title: {text: d.name, left: "center", textStyle: {fontSize: 14}},
      tooltip: {trigger: "axis", renderMode: "richText"}, legend: {bottom: 0},
      xAxis: {type: "category", data: d.provinces}, yAxis: {type: "value", min: 1, max: 5},
      series: [{name: "均分", type: "bar", data: d.raw},
               {name: "加权均分", type: "bar", data: d.weighted,
                markLine: {silent: true, symbol: "none", data: [{yAxis: D.low_mean, name: "低分线"}]}}]
    });
  });
})();
