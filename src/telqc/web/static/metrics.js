// KPI dashboard and breakdown charts (ECharts). The page hands the data over in a JSON <script> block:
// no inline script, so the Content-Security-Policy can refuse every script that is not a file here.
(function () {
  "use strict";
  function data(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  const D = data("dashboard-data");
  if (D) {
    const trendKeys = ["complaint_rate", "csat", "service_level", "fcr"];
    const days = Array.from(new Set(trendKeys.flatMap(k => (D.trend[k] ? D.trend[k].points : []).map(p => p.period)))).sort();
    // Ratios in percent on the left axis, the complaint rate (per 10,000 subscribers) on its own right axis:
    // on one axis the 0-1 ratios would lie flat under a rate of 5-20.
    const perTenK = k => k === "complaint_rate";
    echarts.init(document.getElementById("chart-trend")).setOption({
      tooltip: {trigger: "axis", renderMode: "richText"}, legend: {}, xAxis: {type: "category", data: days},
      yAxis: [{type: "value", name: "%", min: 0, max: 100}, {type: "value", name: "每万户", min: 0}],
      series: trendKeys.filter(k => D.trend[k]).map(k => ({name: D.trend[k].zh, type: "line", yAxisIndex: perTenK(k) ? 1 : 0,
        data: days.map(d => {
          const p = D.trend[k].points.find(x => x.period === d);
          if (!p || p.value === null) return null;
          return perTenK(k) ? Math.round(p.value * 100) / 100 : Math.round(p.value * 1000) / 10;
        })}))
    });
    const heatMax = Math.max(1, ...D.heat.cells.map(c => c[2]));
    echarts.init(document.getElementById("chart-heat")).setOption({
      tooltip: {renderMode: "richText"}, grid: {left: 90}, xAxis: {type: "category", data: D.heat.days}, yAxis: {type: "category", data: D.heat.provinces},
      visualMap: {min: 0, max: heatMax, calculable: true, orient: "horizontal", left: "center", bottom: 0},
      series: [{type: "heatmap", data: D.heat.cells, name: "投诉率 / 万户"}]
    });
    echarts.init(document.getElementById("chart-channels")).setOption({
      tooltip: {trigger: "item", renderMode: "richText"}, series: [{type: "pie", radius: ["35%", "65%"], data: D.channels}]
    });
    echarts.init(document.getElementById("chart-categories")).setOption({
      tooltip: {trigger: "axis", renderMode: "richText"}, legend: {}, xAxis: {type: "category", data: D.categories.days}, yAxis: {type: "value"},
      series: D.categories.series.map(s => ({name: s.name, type: "bar", stack: "c", data: s.data}))
    });
  }

  const B = data("breakdown-data");
  if (B) {
    echarts.init(document.getElementById("chart-breakdown")).setOption({
      tooltip: {renderMode: "richText"}, xAxis: {type: "category", data: B.groups.map(g => B.names[g.key[B.by]] || g.key[B.by])},
      yAxis: {type: "value"}, series: [{type: "bar", data: B.groups.map(g => g.value)}]
    });
  }
})();
