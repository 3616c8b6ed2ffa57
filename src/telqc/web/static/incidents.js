// Incident detail: network KPIs beside complaint counts on one time axis (ECharts). The page hands the data
// over in a JSON <script> block: no inline script (Content-Security-Policy).
// One value axis per unit: complaint counts on the left; the ratios (utilisation, packet loss, call drops,
// availability) in percent and the latency in ms each on their own right axis, so neither lies flat under the
// other (80-300 ms beside a packet loss of 0.02).
(function () {
  "use strict";
  const el = document.getElementById("incident-data");
  const box = document.getElementById("chart-incident");
  if (!el || !box || typeof echarts === "undefined") { return; }
  const D = JSON.parse(el.textContent);
  const names = {utilisation: "带宽利用率", latency_ms: "网络延迟(ms)", packet_loss: "丢包率", call_drop: "掉话率",
                 availability: "可用率"};
  const unitOf = m => (m === "latency_ms" ? "ms" : "%");
  const axisNames = {"%": "比率 %", ms: "延迟 ms"};
  const yAxis = [{type: "value", name: "投诉量", minInterval: 1}];
  const axisOf = {};
  function axis(unit) {
    if (!(unit in axisOf)) {
      axisOf[unit] = yAxis.length;
      yAxis.push(Object.assign({type: "value", name: axisNames[unit], position: "right", offset: (yAxis.length - 1) * 64},
                               unit === "%" ? {min: 0, max: 100} : {}));
    }
    return axisOf[unit];
  }
  const series = [{name: "投诉量", type: "bar", yAxisIndex: 0, data: D.complaints}];
  Object.keys(D.metrics).forEach(function (m) {
    const unit = unitOf(m);
    const data = unit === "%" ? D.metrics[m].map(p => [p[0], Math.round(p[1] * 10000) / 100]) : D.metrics[m];
    series.push({name: names[m] || m, type: "line", yAxisIndex: axis(unit), showSymbol: false, data: data});
  });
  echarts.init(box).setOption({
    tooltip: {trigger: "axis", renderMode: "richText"}, legend: {}, grid: {right: 64 * Math.max(1, yAxis.length - 1)},
    xAxis: {type: "time"}, yAxis: yAxis, series: series
  });
})();
