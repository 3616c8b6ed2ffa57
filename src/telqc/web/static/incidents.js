// Incident detail: network KPIs beside complaint counts on one time axis (ECharts). The page hands the data
// over in a JSON <script> block: no inline script (Content-Security-Policy).
(function () {
  "use strict";
  const el = document.getElementById("incident-data");
  const box = document.getElementById("chart-incident");
  if (!el || !box || typeof echarts === "undefined") { return; }
  const D = JSON.parse(el.textContent);
  const names = {utilisation: "带宽利用率", latency_ms: "网络延迟(ms)", packet_loss: "丢包率", call_drop: "掉话率",
                 availability: "可用率"};
  const series = [{name: "投诉量", type: "bar", yAxisIndex: 0, data: D.complaints}];
  Object.keys(D.metrics).forEach(function (m) {
    series.push({name: names[m] || m, type: "line", yAxisIndex: 1, showSymbol: false, data: D.metrics[m]});
  });
  echarts.init(box).setOption({
    tooltip: {trigger: "axis", renderMode: "richText"}, legend: {},
    xAxis: {type: "time"}, yAxis: [{type: "value", name: "投诉量"}, {type: "value", name: "指标"}], series: series
  });
})();
