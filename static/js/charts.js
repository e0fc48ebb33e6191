/* salesops charts: every ECharts chart of the dashboards and results pages, drawn from a JSON data block.
 *
 * A page marks each chart's box and puts its figures in a JSON block (no inline script, so the
 * Content-Security-Policy needs no 'unsafe-inline'):
 *
 *   {{ chart|json_script:"dashboard-data" }}
 *   <div class="chart" data-chart="sales-monthly" data-chart-data="dashboard-data"
 *        data-label-target="{% translate 'Target' %}" style="height: 320px"></div>
 *   {% block scripts %}<script src="{% static 'vendor/echarts/echarts.min.js' %}"></script>
 *   <script src="{% static 'js/charts.js' %}"></script>{% endblock %}
 *
 * data-chart names a builder below: builder(data, el) returns the ECharts option from the parsed block and the
 * box (its data-label-* attributes carry the translated series names). To add a chart, add a builder here and a
 * box on the page (docs/architecture.md, "Charts"). Boxes that arrive later through htmx are drawn too.
 */
(function () {
  "use strict";

  var COLORS = {blue: "#2563eb", lightBlue: "#60a5fa", paleBlue: "#bfdbfe", amber: "#f59e0b", red: "#dc2626",
                green: "#16a34a", grey: "#e5e7eb"};
  var charts = [];

  function fmt(v) {
    return (v === null || v === undefined) ? "—" : Number(v).toLocaleString("zh-CN", {maximumFractionDigits: 2});
  }
  function pct(v) { return (v === null || v === undefined) ? "—" : v + "%"; }
  function pluck(rows, key) { return rows.map(function (r) { return r[key]; }); }
  function label(el, name, fallback) {
    var key = "label" + name.charAt(0).toUpperCase() + name.slice(1);
    return el.dataset[key] || fallback || name;
  }

  var builders = {
    /* Market development dashboard */
    "marketing-funnel": function (data) {
      return {
        tooltip: {trigger: "item", formatter: "{b}: {c}"},
        series: [{type: "funnel", left: "10%", width: "80%", sort: "descending", minSize: "8%",
                  label: {position: "inside", formatter: "{b} {c}"}, data: data.funnel}],
      };
    },
    "marketing-visits": function (data) {
      return {
        tooltip: {trigger: "axis"}, grid: {left: 40, right: 16, top: 20, bottom: 30},
        xAxis: {type: "category", data: data.visits.months}, yAxis: {type: "value", minInterval: 1},
        series: [{type: "bar", data: data.visits.counts, itemStyle: {color: COLORS.blue}, barMaxWidth: 36}],
      };
    },
    "marketing-plans": function (data) {
      var labels = [];
      data.plans.forEach(function (p) {
        p.lines.forEach(function (l) { if (labels.indexOf(l.label) < 0) { labels.push(l.label); } });
      });
      return {
        tooltip: {trigger: "axis", valueFormatter: pct},
        legend: {type: "scroll", bottom: 0}, grid: {left: 8, right: 24, top: 10, bottom: 40, containLabel: true},
        xAxis: {type: "value", axisLabel: {formatter: "{value}%"}},
        yAxis: {type: "category", inverse: true, data: pluck(data.plans, "title"),
                axisLabel: {width: 160, overflow: "truncate"}},
        series: labels.map(function (name) {
          return {name: name, type: "bar", barMaxWidth: 14, data: data.plans.map(function (p) {
            var line = p.lines.find(function (x) { return x.label === name; });
            return line ? line.pct : null;
          })};
        }),
      };
    },

    /* Sales dashboard (management view) */
    "sales-monthly": function (data, el) {
      return {
        tooltip: {trigger: "axis", valueFormatter: fmt}, legend: {bottom: 0},
        grid: {left: 8, right: 16, top: 20, bottom: 40, containLabel: true},
        xAxis: {type: "category", data: data.months}, yAxis: {type: "value"},
        series: [{name: label(el, "actual"), type: "bar", data: data.monthly_actual, itemStyle: {color: COLORS.blue},
                  barMaxWidth: 28},
                 {name: label(el, "target"), type: "line", data: data.monthly_target, itemStyle: {color: COLORS.amber}}],
      };
    },
    "sales-forecast": function (data, el) {
      var rows = data.forecast;
      return {
        tooltip: {trigger: "axis", valueFormatter: fmt}, legend: {bottom: 0},
        grid: {left: 8, right: 16, top: 10, bottom: 40, containLabel: true},
        xAxis: {type: "value"},
        yAxis: {type: "category", inverse: true, data: pluck(rows, "name"), axisLabel: {width: 110, overflow: "truncate"}},
        series: [{name: label(el, "actual"), type: "bar", stack: "f", data: pluck(rows, "actual"),
                  itemStyle: {color: COLORS.blue}, barMaxWidth: 18},
                 {name: label(el, "pipeline"), type: "bar", stack: "f", data: pluck(rows, "pipeline"),
                  itemStyle: {color: COLORS.lightBlue}},
                 {name: label(el, "run"), type: "bar", stack: "f", data: pluck(rows, "run_rate"),
                  itemStyle: {color: COLORS.paleBlue}},
                 {name: label(el, "target"), type: "scatter", symbol: "diamond", symbolSize: 12, data: pluck(rows, "target"),
                  itemStyle: {color: COLORS.amber}}],
      };
    },
    "sales-people": function (data, el) {
      var people = data.people;
      return {
        tooltip: {trigger: "axis", valueFormatter: fmt}, legend: {bottom: 0},
        grid: {left: 8, right: 60, top: 10, bottom: 40, containLabel: true},
        xAxis: {type: "value"}, yAxis: {type: "category", inverse: true, data: pluck(people, "name")},
        series: [{name: label(el, "target"), type: "bar", data: pluck(people, "target"), itemStyle: {color: COLORS.grey},
                  barMaxWidth: 12},
                 {name: label(el, "actual"), type: "bar", data: pluck(people, "actual"), itemStyle: {color: COLORS.blue},
                  barMaxWidth: 12,
                  label: {show: true, position: "right", formatter: function (p) {
                    var v = people[p.dataIndex].pct;
                    return v === null ? "" : v + "%";
                  }}}],
      };
    },

    /* Customer service dashboard */
    "service-open": function (data) {
      var colors = {new: "#94a3b8", assigned: COLORS.lightBlue, in_progress: COLORS.blue, waiting_customer: COLORS.amber};
      return {
        tooltip: {trigger: "axis"}, grid: {left: 8, right: 24, top: 10, bottom: 10, containLabel: true},
        xAxis: {type: "value", minInterval: 1},
        yAxis: {type: "category", inverse: true, data: pluck(data.open, "name"), axisLabel: {width: 96, overflow: "break"}},
        series: [{type: "bar", barMaxWidth: 22, label: {show: true, position: "right"},
                  data: data.open.map(function (r) {
                    return {value: r.value, itemStyle: {color: colors[r.status] || COLORS.blue}};
                  })}],
      };
    },
    "service-per-month": function (data, el) {
      return {
        tooltip: {trigger: "axis"}, legend: {bottom: 0}, grid: {left: 8, right: 16, top: 20, bottom: 40, containLabel: true},
        xAxis: {type: "category", data: data.per_month.months}, yAxis: {type: "value", minInterval: 1},
        series: [{name: label(el, "tickets"), type: "bar", data: data.per_month.tickets, itemStyle: {color: COLORS.blue},
                  barMaxWidth: 24},
                 {name: label(el, "complaints"), type: "line", data: data.per_month.complaints,
                  itemStyle: {color: COLORS.red}}],
      };
    },
    "service-trend": function (data) {
      return {
        tooltip: {trigger: "axis"}, legend: {bottom: 0}, grid: {left: 8, right: 8, top: 36, bottom: 40, containLabel: true},
        xAxis: {type: "category", data: data.trend.months},
        yAxis: [{type: "value", name: "CSAT", min: 1, max: 5, interval: 1},
                {type: "value", name: "NPS", min: -100, max: 100, splitLine: {show: false}}],
        series: [{name: "CSAT", type: "line", smooth: true, connectNulls: true, data: data.trend.csat,
                  itemStyle: {color: COLORS.green}},
                 {name: "NPS", type: "bar", yAxisIndex: 1, data: data.trend.nps, itemStyle: {color: "#a78bfa"},
                  barMaxWidth: 18}],
      };
    },

    /* Survey results */
    "survey-trend": function (data, el) {
      var csat = label(el, "csat", "CSAT"), nps = "NPS", count = label(el, "count");
      return {
        tooltip: {trigger: "axis"},
        legend: {data: [csat, nps, count], bottom: 0},
        grid: {left: 40, right: 45, top: 30, bottom: 50},
        xAxis: {type: "category", data: data.trend.months},
        yAxis: [{type: "value", name: csat, min: 0, max: 5, interval: 1},
                {type: "value", name: nps, min: -100, max: 100, splitLine: {show: false}},
                {type: "value", min: 0, show: false}],
        series: [
          {name: count, type: "bar", yAxisIndex: 2, data: data.trend.count, itemStyle: {color: "#dbe4f5"}, barMaxWidth: 24},
          {name: csat, type: "line", data: data.trend.csat, connectNulls: true, itemStyle: {color: COLORS.blue}},
          {name: nps, type: "line", yAxisIndex: 1, data: data.trend.nps, connectNulls: true, itemStyle: {color: COLORS.green}},
        ],
      };
    },
    "survey-question": function (data, el) {
      var q = data.questions.find(function (x) { return String(x.id) === el.dataset.question; });
      if (!q) { return null; }
      var horizontal = q.kind === "single" || q.kind === "multiple";
      var colors = q.kind === "nps"
        ? q.labels.map(function (l) { var n = +l; return n >= 9 ? COLORS.green : (n >= 7 ? COLORS.amber : COLORS.red); })
        : (q.kind === "rating" ? [COLORS.red, "#f97316", COLORS.amber, "#84cc16", COLORS.green] : null);
      var series = {type: "bar", barMaxWidth: 36, label: {show: true, position: horizontal ? "right" : "top"},
                    data: q.counts.map(function (c, i) { return colors ? {value: c, itemStyle: {color: colors[i]}} : c; })};
      var cat = {type: "category", data: q.labels, axisLabel: {interval: 0, width: 110, overflow: "truncate"}};
      var val = {type: "value", minInterval: 1};
      return {
        tooltip: {trigger: "axis"}, grid: {left: horizontal ? 120 : 30, right: 30, top: 20, bottom: 25},
        xAxis: horizontal ? val : cat, yAxis: horizontal ? Object.assign({inverse: true}, cat) : val, series: [series],
      };
    },
  };

  var blocks = {};
  function dataOf(id) {
    if (!(id in blocks)) {
      var node = document.getElementById(id);
      blocks[id] = node ? JSON.parse(node.textContent) : null;
    }
    return blocks[id];
  }

  function draw(el) {
    if (el.dataset.chartDrawn || typeof echarts === "undefined") { return; }
    var builder = builders[el.dataset.chart];
    var data = dataOf(el.dataset.chartData);
    if (!builder || !data) { return; }
    var option = builder(data, el);
    if (!option) { return; }
    var chart = echarts.init(el);
    chart.setOption(option);
    charts.push(chart);
    el.dataset.chartDrawn = "1";
  }

  function drawAll(root) {
    blocks = {};
    root = root || document;
    if (root.matches && root.matches("[data-chart]")) { draw(root); }
    root.querySelectorAll("[data-chart]").forEach(draw);
  }

  window.salesopsCharts = {builders: builders, drawAll: drawAll};
  drawAll(document);
  document.addEventListener("htmx:load", function (event) { drawAll(event.target); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
