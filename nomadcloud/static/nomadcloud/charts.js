// Charts drawn with Apache ECharts (vendor/echarts.min.js, from npm, served by the platform)
// from JSON data islands: <script type="application/json" id="X"> holds the figures and
// <div data-chart="X"> is where the chart goes. The Content-Security-Policy allows no inline
// script, so this static file does the drawing; every chart has a table or text beside it
// (the data island holds exactly the figures of that table).
//
// Island: {"kind": "bar" | "line" | "funnel", "title": "...", "unit": "...",
//          "categories": ["2026-01", ...], "series": [{"name": "...", "data": [1, 2], "stack": ""}]}
(() => {
  "use strict";

  const PALETTE = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#57606a"];

  function optionsFor(spec) {
    const base = {
      color: PALETTE,
      aria: { enabled: true, decal: { show: true } },
      animation: false,
      // Rich-text tooltips are drawn on the canvas: HTML tooltips would carry inline styles,
      // which the policy refuses.
      tooltip: { trigger: spec.kind === "funnel" ? "item" : "axis", renderMode: "richText" },
      legend: { top: 0, type: "scroll" },
    };
    if (spec.kind === "funnel") {
      const serie = spec.series[0] || { name: "", data: [] };
      return {
        ...base,
        series: [
          {
            type: "funnel",
            name: serie.name,
            sort: "none",
            top: 40,
            bottom: 10,
            minSize: "8%",
            label: { show: true, position: "inside", formatter: "{b}: {c}" },
            data: spec.categories.map((name, index) => ({ name, value: serie.data[index] })),
          },
        ],
      };
    }
    return {
      ...base,
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories },
      yAxis: { type: "value", name: spec.unit || "" },
      series: spec.series.map((serie) => ({
        type: spec.kind === "line" ? "line" : "bar",
        name: serie.name,
        data: serie.data,
        stack: serie.stack || undefined,
        step: spec.kind === "line" && serie.step ? "end" : undefined,
        showSymbol: spec.kind === "line" ? serie.data.length < 40 : undefined,
      })),
    };
  }

  function draw(target) {
    if (target.dataset.chartDrawn || typeof window.echarts === "undefined") {
      return;
    }
    const island = document.getElementById(target.dataset.chart);
    if (!island) {
      return;
    }
    let spec;
    try {
      spec = JSON.parse(island.textContent || "{}");
    } catch (error) {
      return;
    }
    if (!spec.categories || !spec.categories.length) {
      return;
    }
    target.style.height = target.dataset.chartHeight || "320px";
    const chart = window.echarts.init(target, null, { renderer: "canvas" });
    chart.setOption(optionsFor(spec));
    target.dataset.chartDrawn = "1";
    window.addEventListener("resize", () => chart.resize());
  }

  function drawAll(root) {
    root.querySelectorAll("[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));
})();
