// Workforce planner charts (ECharts): forecast vs actual contacts with requirement and rostered heads, and the
// gap heat map (rostered − required per day × interval). Data comes in JSON <script> blocks (CSP).
(function () {
  "use strict";
  const f = document.getElementById("forecast-data");
  if (f) {
    const D = JSON.parse(f.textContent);
    const series = [
      {name: "预测话务量", type: "line", showSymbol: false, data: D.forecast},
      {name: "实际话务量", type: "line", showSymbol: false, data: D.actual},
      {name: "需求人数", type: "line", step: "start", showSymbol: false, yAxisIndex: 1, data: D.required}
    ];
    if (D.rostered) {
      series.push({name: "排班人数", type: "line", step: "start", showSymbol: false, yAxisIndex: 1,
                   lineStyle: {type: "dashed"}, data: D.rostered});
    }
    echarts.init(document.getElementById("chart-forecast")).setOption({
      animation: false, tooltip: {trigger: "axis", renderMode: "richText"}, legend: {},
      dataZoom: [{type: "inside"}, {type: "slider"}],
      xAxis: {type: "category", data: D.labels},
      yAxis: [{type: "value", name: "话务量"}, {type: "value", name: "人数"}], series: series
    });
  }
  const g = document.getElementById("gap-data");
  if (g) {
    const H = JSON.parse(g.textContent);
    const values = H.cells.map(c => c[2]);
    const span = Math.max(1, ...values.map(Math.abs));
    echarts.init(document.getElementById("chart-gap")).setOption({
      animation: false, tooltip: {position: "top", renderMode: "richText"},
      grid: {left: 60, right: 20, top: 10, bottom: 70},
      xAxis: {type: "category", data: H.slots, splitArea: {show: true}},
      yAxis: {type: "category", data: H.days, splitArea: {show: true}},
      visualMap: {min: -span, max: span, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                  inRange: {color: ["#b91c1c", "#fca5a5", "#f8fafc", "#93c5fd", "#1d4ed8"]}},
      series: [{name: "缺口", type: "heatmap", data: H.cells, label: {show: false}}]
    });
  }
  const fd = document.getElementById("field-data");
  if (fd) {
    const F = JSON.parse(fd.textContent);
    echarts.init(document.getElementById("chart-field")).setOption({
      tooltip: {trigger: "axis", renderMode: "richText"}, legend: {}, xAxis: {type: "category", data: F.provinces},
      yAxis: {type: "value", name: "人"},
      series: [{name: "高峰日需排班", type: "bar", data: F.needed}, {name: "在册工程师", type: "bar", data: F.staff}]
    });
  }
  const ec = document.getElementById("engineer-coverage-data");
  if (ec) {  // the engineers' roster against the need, per interval, like the agents' requirement vs roster
    const E = JSON.parse(ec.textContent);
    echarts.init(document.getElementById("chart-engineer-coverage")).setOption({
      animation: false, tooltip: {trigger: "axis", renderMode: "richText"}, legend: {},
      dataZoom: [{type: "inside"}, {type: "slider"}],
      xAxis: {type: "category", data: E.labels}, yAxis: {type: "value", name: "人", minInterval: 1},
      series: [
        {name: "需在岗工程师", type: "line", step: "start", showSymbol: false, data: E.required},
        {name: "排班在岗", type: "line", step: "start", showSymbol: false, lineStyle: {type: "dashed"}, data: E.on_duty}
      ]
    });
  }
})();
