// The dashboard's charts (Apache ECharts from npm, served locally as vendor/echarts.min.js).
// The container <... class="dash" data-source="…json"> names the screen's one JSON document;
// the page is first rendered on the server (cards and tables: the text alternative of every
// chart), then this file draws the charts and, when data-refresh > 0, fetches the document
// again every data-refresh seconds and redraws charts, cards and tables (textContent only).
// The zone map is a schematic GeoJSON bundled with the platform (no tiles are fetched).
(() => {
  "use strict";

  const RAG = { green: "#2da44e", amber: "#bf8700", red: "#cf222e", none: "#8c959f" };
  const charts = new Map();

  function chartFor(el, dark) {
    let chart = charts.get(el);
    if (!chart) {
      chart = window.echarts.init(el, dark ? "dark" : null, { renderer: "canvas" });
      charts.set(el, chart);
      addPngButton(el, chart);
    }
    return chart;
  }

  function addPngButton(el, chart) {
    const root = el.closest(".dash");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "dash-png";
    button.textContent = root.dataset.labelsPng || "PNG";
    button.addEventListener("click", () => {
      const link = document.createElement("a");
      link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
      link.download = (el.dataset.code || el.dataset.dashChart || "chart") + ".png";
      link.click();
    });
    el.insertAdjacentElement("afterend", button);
  }

  function base() {
    return {
      aria: { enabled: true, decal: { show: true } },
      animation: false,
      backgroundColor: "transparent",
      tooltip: { trigger: "axis", renderMode: "richText" },
    };
  }

  function drawTarget(el, target, labels, dark) {
    const years = target.years.map((y) => y.year);
    chartFor(el, dark).setOption({
      ...base(),
      legend: { top: 0, data: [labels.trajectory, labels.actual] },
      grid: { left: 8, right: 8, top: 28, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: years },
      yAxis: { type: "value" },
      series: [
        { type: "line", name: labels.trajectory, data: target.years.map((y) => Number(y.trajectory)) },
        {
          type: "bar",
          name: labels.actual,
          itemStyle: { color: RAG[target.rag] || RAG.none },
          data: target.years.map((y) => (y.actual === null ? null : Number(y.actual))),
        },
      ],
    });
  }

  function drawLeading(el, leading, dark) {
    const periods = [...new Set(leading.flatMap((i) => i.series.map((p) => p[0])))].sort();
    chartFor(el, dark).setOption({
      ...base(),
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: periods },
      yAxis: { type: "value" },
      series: leading.map((i) => {
        const values = new Map(i.series);
        return {
          type: "line",
          name: i.title,
          data: periods.map((p) => (values.has(p) ? Number(values.get(p)) : null)),
          connectNulls: true,
        };
      }),
    }, true);
  }

  function drawMap(el, areas, dark) {
    const values = areas.filter((a) => a.value !== null).map((a) => Number(a.value));
    chartFor(el, dark).setOption({
      ...base(),
      tooltip: { trigger: "item", renderMode: "richText" },
      visualMap: {
        min: 0,
        max: Math.max(1, ...values),
        left: 8,
        bottom: 8,
        calculable: false,
        inRange: { color: ["#dbeafe", "#1f6feb"] },
      },
      series: [
        {
          type: "map",
          map: "nomadcloud-zone",
          nameProperty: "code",
          label: { show: true, formatter: (p) => (areas.find((a) => a.code === p.name) || {}).name || p.name },
          data: areas.map((a) => ({ name: a.code, value: a.value === null ? null : Number(a.value) })),
        },
      ],
    });
  }

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined || text === "" ? "—" : String(text);
    return td;
  }

  function refreshText(root, data) {
    root.querySelectorAll("[data-field=generated_at]").forEach((el) => {
      el.textContent = data.generated_at;
    });
    for (const t of data.targets) {
      const card = root.querySelector(`[data-card="${t.code}"]`);
      if (card) {
        card.className = `dash-card rag-${t.rag}`;
        const big = card.querySelector(".dash-big");
        if (big) big.textContent = t.official ? t.official.value : "—";
      }
      const row = root.querySelector(`tr[data-target="${t.code}"]`);
      if (row) {
        const official = row.children[3];
        official.textContent = t.official
          ? `${t.official.value} (${t.official.status_label}, ${t.official.finality}, ${t.official.as_of}, ${t.official.source})`
          : "—";
        row.children[2].textContent = t.expected;
        row.children[4].textContent = t.platform || "—";
        row.children[5].textContent = t.rag;
      }
    }
    const leading = root.querySelector("[data-table=leading]");
    if (leading) {
      leading.replaceChildren(
        ...data.leading.map((i) => {
          const tr = document.createElement("tr");
          tr.append(cell(i.title), cell(i.value), cell(i.as_of));
          return tr;
        }),
      );
    }
    const areas = root.querySelector("[data-table=areas]");
    if (areas) {
      areas.replaceChildren(
        ...data.areas.map((a) => {
          const tr = document.createElement("tr");
          tr.append(cell(a.name), cell(a.value));
          return tr;
        }),
      );
    }
  }

  function draw(root, data) {
    const dark = document.body.classList.contains("dash-screen");
    const labels = { actual: root.dataset.labelsActual, trajectory: root.dataset.labelsTrajectory };
    root.querySelectorAll("[data-dash-chart=target]").forEach((el) => {
      const target = data.targets.find((t) => t.code === el.dataset.code);
      if (target) drawTarget(el, target, labels, dark);
    });
    const monthly = data.leading.filter((i) => i.period === "month");
    root.querySelectorAll("[data-dash-chart=leading]").forEach((el) => drawLeading(el, monthly, dark));
    if (window.echarts.getMap("nomadcloud-zone")) {
      root.querySelectorAll("[data-dash-chart=map]").forEach((el) => drawMap(el, data.areas, dark));
    }
    refreshText(root, data);
  }

  async function load(root) {
    const response = await fetch(root.dataset.source, { credentials: "same-origin" });
    if (!response.ok) return;
    draw(root, await response.json());
  }

  async function start(root) {
    if (typeof window.echarts === "undefined") return;
    try {
      const geo = await fetch(root.dataset.geojson);
      if (geo.ok) window.echarts.registerMap("nomadcloud-zone", await geo.json());
    } catch (error) {
      // No map: the table of areas stands in for it.
    }
    await load(root);
    const seconds = Math.max(2, Number(root.dataset.refresh) || 0);
    if (Number(root.dataset.refresh) > 0) {
      window.setInterval(() => load(root).catch(() => {}), seconds * 1000);
    }
    window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".dash[data-source]").forEach((root) => {
      start(root).catch(() => {});
    });
  });
})();
