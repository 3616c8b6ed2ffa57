// Supervisor live QA alerts: one WebSocket, newest alert on top, reconnect after a drop.
(function () {
  "use strict";
  var table = document.querySelector("#qa-alerts tbody");
  var status = document.getElementById("qa-live-status");
  if (!table || !status) return;
  var waiting = status.textContent;

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    row.appendChild(td);
  }

  function connect(delay) {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var ws = new WebSocket(proto + "//" + location.host + "/api/v1/qa/live/alerts");
    ws.onmessage = function (ev) {
      var msg = JSON.parse(ev.data);
      if (msg.type === "ready") {
        status.dataset.state = "ready";
        status.dataset.mode = msg.mode;
        var mode = status.dataset["mode" + msg.mode.charAt(0).toUpperCase() + msg.mode.slice(1)] || "";
        status.textContent = waiting + (mode ? "（" + mode + "）" : "");
        return;
      }
      if (msg.type !== "alert") return;
      var row = document.createElement("tr");
      row.className = "alert severity-" + msg.severity;
      row.dataset.rule = msg.rule_id;
      row.dataset.call = msg.call_id;
      // the viewer's zone (Beijing by default), not the browser's: the page says which
      cell(row, new Date().toLocaleTimeString(status.dataset.lang || "zh-CN",
        {timeZone: status.dataset.tz || "Asia/Shanghai", hour12: false}));
      cell(row, msg.call_id);
      cell(row, msg.agent_name || "—");
      cell(row, msg.label);
      cell(row, msg.text || (msg.value != null ? Math.round(msg.value / 1000) + "s" : ""));
      table.insertBefore(row, table.firstChild);
    };
    ws.onclose = function () {
      status.dataset.state = "closed";
      setTimeout(function () { connect(Math.min(delay * 2, 10000)); }, delay);
    };
  }
  connect(500);
})();
