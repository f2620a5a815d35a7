/* Poser charts: draws every chart widget ([data-poser-chart]) with Chart.js.
 *
 * Each chart's numbers come from its data-chart attribute (JSON; not a script block,
 * which htmx would drop from swapped content), with their colours (Okabe and Ito's
 * palette, chosen in poser/apps/widgets/chart.py): a series' colour, or one a bar (a
 * pie: a slice). A series whose role is "line" in a bar chart is a target, drawn as a
 * line across each bar at that bar's target; the chart's legend then lists what the
 * data's "legend" says the colours mean. Once a chart is drawn, its table is
 * hidden visually (Bootstrap's visually-hidden: screen readers still read it); if
 * Chart.js is missing or a chart cannot be drawn, the table stays as it is. Charts that htmx swaps in are
 * drawn after the swap settles, and charts it swapped out are destroyed.
 * No inline styles: Chart.js sizes its canvas through element.style (the CSSOM), which
 * the CSP allows; the canvas has no id, so htmx never copies that style attribute over
 * as an attribute (which the CSP would refuse) when it settles a swap.
 */
(function () {
  "use strict";

  if (window.poserCharts) {
    return; // loaded twice: the first copy does the work
  }

  var KINDS = { bar: "bar", line: "line", pie: "pie", scatter: "scatter" };

  // The value axis repeats the widget's value_format (see poser/apps/widgets/chart.py).
  function valueFormatter(format) {
    if (!format) {
      return undefined;
    }
    var options = { useGrouping: format.grouping !== "" };
    if (format.decimals !== null) {
      options.minimumFractionDigits = format.decimals;
      options.maximumFractionDigits = format.decimals;
    }
    var numbers = new Intl.NumberFormat("en-US", options);
    return function (value) {
      var number = Number(value);
      var text = numbers.format(format.percent ? number * 100 : number);
      if (format.grouping === "_") {
        text = text.replace(/,/g, "_");
      }
      return format.prefix + text + (format.percent ? "%" : "") + format.suffix;
    };
  }

  function axisTitle(text) {
    return text ? { display: true, text: text } : { display: false };
  }

  function dataset(kind, entry, barIndex) {
    var colours = entry.colours || entry.colour;
    var drawn = {
      label: entry.name,
      data: entry.values,
      backgroundColor: colours,
      borderColor: kind === "pie" ? "#ffffff" : colours,
    };
    if (kind === "bar" && entry.role === "line") {
      // The target: a line across each bar at its own target (departments' targets
      // differ), drawn above the bars; no line joins one bar's target to the next.
      drawn.type = "line";
      drawn.showLine = false;
      drawn.pointStyle = "line";
      drawn.pointRadius = targetWidth(barIndex);
      drawn.pointHoverRadius = drawn.pointRadius;
      drawn.pointBorderWidth = 3;
      drawn.pointHoverBorderWidth = 3;
      drawn.pointBorderColor = entry.colour;
      drawn.borderColor = entry.colour;
      drawn.order = 0;
    } else if (kind === "bar") {
      drawn.order = 1;
    }
    return drawn;
  }

  // Half a target's line: as wide as its bar, and a little more on each side.
  function targetWidth(barIndex) {
    return function (context) {
      var bar = context.chart.getDatasetMeta(barIndex).data[context.dataIndex];
      return bar && bar.width ? bar.width / 2 + 4 : 12;
    };
  }

  function legendEntries(entries) {
    return function () {
      return entries.map(function (entry) {
        var line = entry.mark === "line";
        return {
          text: entry.text,
          fillStyle: line ? "rgba(0, 0, 0, 0)" : entry.colour,
          strokeStyle: entry.colour,
          lineWidth: line ? 3 : 0,
          pointStyle: line ? "line" : "rect",
          hidden: false,
        };
      });
    };
  }

  function chartConfig(spec) {
    var kind = KINDS[spec.kind];
    if (!kind) {
      throw new Error("unknown chart kind " + spec.kind);
    }
    var series = spec.series;
    var barIndex = 0; // a target chart's bars: the series that is not the target
    series.forEach(function (entry, index) {
      if (entry.role === "bar") {
        barIndex = index;
      }
    });
    var reducedMotion =
      window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

    function tooltipLabel(context) {
      var entry = series[context.datasetIndex];
      var value = entry.formatted[context.dataIndex];
      if (kind === "pie") {
        return context.label + ": " + value;
      }
      if (kind === "scatter") {
        return entry.name + ": (" + spec.labels[context.dataIndex] + ", " + value + ")";
      }
      return entry.name + ": " + value;
    }

    var legend = { display: kind === "pie" || series.length > 1 };
    if (spec.legend && spec.legend.length) {
      legend = {
        display: true,
        onClick: null, // its entries are colours, not series to hide
        labels: { usePointStyle: true, generateLabels: legendEntries(spec.legend) },
      };
    }
    var options = {
      responsive: true,
      aspectRatio: 2, // pies too, so that charts side by side line up
      animation: reducedMotion ? false : {},
      plugins: {
        legend: legend,
        tooltip: { callbacks: { label: tooltipLabel } },
      },
    };
    if (kind !== "pie") {
      var ticks = {};
      var format = valueFormatter(spec.format);
      if (format) {
        ticks.callback = format;
      }
      if (spec.whole) {
        ticks.precision = 0; // whole numbers: no step between 1 and 2
      }
      options.scales = {
        x: { title: axisTitle(spec.x_label) },
        // Room above the highest value: a bar at the axis's top would read as cut off.
        y: { title: axisTitle(spec.y_label), ticks: ticks, beginAtZero: kind === "bar", grace: "5%" },
      };
    }
    return {
      type: kind,
      data: {
        labels: kind === "scatter" ? undefined : spec.labels,
        datasets: series.map(function (entry) {
          return dataset(kind, entry, barIndex);
        }),
      },
      options: options,
    };
  }

  function draw(figure) {
    var canvas = figure.querySelector("canvas");
    if (!canvas || window.Chart.getChart(canvas)) {
      return;
    }
    var frame = canvas.parentElement;
    try {
      var config = chartConfig(JSON.parse(figure.getAttribute("data-chart")));
      frame.classList.remove("d-none"); // shown first, so Chart.js can measure it
      new window.Chart(canvas, config);
    } catch (error) {
      frame.classList.add("d-none");
      console.error("chart not drawn; its table stays", figure, error);
      return;
    }
    figure.setAttribute("data-chart-drawn", "");
    var table = figure.querySelector(".poser-chart-table");
    if (table) {
      table.classList.add("visually-hidden");
    }
  }

  function drawAll() {
    if (typeof window.Chart !== "function") {
      return; // the library did not load: the tables stay
    }
    document.querySelectorAll("[data-poser-chart]:not([data-chart-drawn])").forEach(draw);
  }

  function destroyDetached() {
    if (typeof window.Chart !== "function") {
      return;
    }
    Object.keys(window.Chart.instances).forEach(function (id) {
      var chart = window.Chart.instances[id];
      if (!chart.canvas || !chart.canvas.isConnected) {
        chart.destroy();
      }
    });
  }

  // Chart.js follows its container when it shrinks, but in Chromium a canvas does not
  // always grow again with a wider window (its ResizeObserver is not told): every chart
  // is measured again once a window resize has been laid out.
  var resizing = false;
  window.addEventListener("resize", function () {
    if (resizing || typeof window.Chart !== "function") {
      return;
    }
    resizing = true;
    window.requestAnimationFrame(function () {
      resizing = false;
      Object.keys(window.Chart.instances).forEach(function (id) {
        window.Chart.instances[id].resize();
      });
    });
  });

  document.addEventListener("htmx:afterSettle", function () {
    destroyDetached();
    drawAll();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }

  window.poserCharts = { drawAll: drawAll };
})();
