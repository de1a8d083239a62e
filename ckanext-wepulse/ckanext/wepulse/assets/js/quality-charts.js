/*
 * The transparency pages' charts (quality/templates/quality/snippets/chart_table.html),
 * drawn by Chart.js from the table beside them: the table is the data, and stays
 * visible (the figures for anyone who wants them, a screen reader's text, the page
 * without JavaScript). Each chart is a picture: a canvas with role="img" named by the
 * figure's caption and a sentence of its figures; nothing on it takes the focus.
 *
 * The table: <table class="wepulse-chart-data" data-chart="bar|line" [data-max="n"]>,
 * its <thead> the label column's heading then one <th> per series, each <tbody> row
 * <th scope="row">label</th> then one <td data-value="number or empty"> per series.
 *
 * Bars run sideways (their labels, often long, read as lines of text beside them), the
 * chart as tall as its bars need; a line runs along the days. Series differ by more
 * than their colour (each colour has at least 3:1 contrast against white): bars are
 * filled, outlined or hatched; lines have their own points (circle, square, triangle)
 * and dashes. A line needs two points: a line chart of fewer than two rows (a new
 * portal's first day) is left as its table alone. No animation for people who ask for
 * reduced motion.
 */
(function () {
  "use strict";

  // Okabe and Ito's colour-blind-safe palette, darkened where needed for 3:1 on white.
  var COLOURS = ["#0072b2", "#d55e00", "#00795a", "#7b2d8e"];
  var POINTS = ["circle", "rect", "triangle", "rectRot"];
  var DASHES = [[], [8, 4], [2, 3], [12, 3, 2, 3]];
  var TEXT = "#343a40";
  var GRID = "#dee2e6";

  /* A label as lines of about ``width`` characters, cut between words. */
  function lines(label, width) {
    var found = [];
    label.split(" ").forEach(function (word) {
      var last = found.length - 1;
      if (last >= 0 && (found[last] + " " + word).length <= width) {
        found[last] += " " + word;
      } else {
        found.push(word);
      }
    });
    return found.length > 1 ? found : label;
  }

  /* Smaller text on a phone's narrow chart. */
  function font(context) {
    return { size: context.chart.width < 420 ? 12 : 14 };
  }

  function text(element) {
    return (element.textContent || "").replace(/\s+/g, " ").trim();
  }

  function number(cell) {
    var raw = cell.getAttribute("data-value");
    if (raw === null || raw === "") {
      return null;
    }
    var value = parseFloat(raw);
    return isFinite(value) ? value : null;
  }

  /* The table's series names, row labels, values (by series) and shown texts. */
  function read(table) {
    var series = Array.prototype.slice
      .call(table.querySelectorAll("thead th"), 1)
      .map(text);
    var labels = [];
    var values = series.map(function () { return []; });
    var shown = [];
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      var header = row.querySelector("th");
      var cells = row.querySelectorAll("td");
      labels.push(header ? text(header) : "");
      shown.push(Array.prototype.map.call(cells, text));
      series.forEach(function (_, index) {
        values[index].push(cells[index] ? number(cells[index]) : null);
      });
    });
    return { series: series, labels: labels, values: values, shown: shown };
  }

  /* One sentence of the figures, as the table shows them (localised numbers):
     "Excellent 2, Good 5, …" or "Findability: Average 40, Maximum 100; …". */
  function summary(data) {
    if (data.series.length === 1) {
      return data.labels
        .map(function (label, row) { return label + " " + data.shown[row][0]; })
        .join(", ");
    }
    return data.labels
      .map(function (label, row) {
        return label + ": " + data.series
          .map(function (name, index) { return name + " " + data.shown[row][index]; })
          .join(", ");
      })
      .join("; ");
  }

  /* Diagonal stripes of ``colour`` on white, for a third kind of bar. */
  function hatch(colour) {
    var tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    var context = tile.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, 8, 8);
    context.strokeStyle = colour;
    context.lineWidth = 2;
    context.beginPath();
    context.moveTo(-2, 2);
    context.lineTo(2, -2);
    context.moveTo(0, 8);
    context.lineTo(8, 0);
    context.moveTo(6, 10);
    context.lineTo(10, 6);
    context.stroke();
    return context.createPattern(tile, "repeat");
  }

  function dataset(kind, name, values, index) {
    var colour = COLOURS[index % COLOURS.length];
    if (kind === "line") {
      return {
        label: name,
        data: values,
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: 2.5,
        borderDash: DASHES[index % DASHES.length],
        pointStyle: POINTS[index % POINTS.length],
        pointRadius: 5,
        pointHoverRadius: 6,
        tension: 0,
      };
    }
    var fills = [colour, "#ffffff", hatch(colour)];
    return {
      label: name,
      data: values,
      borderColor: colour,
      borderWidth: index === 0 ? 0 : 2,
      backgroundColor: fills[index % fills.length],
    };
  }

  function draw(figure, Chart) {
    var table = figure.querySelector("table.wepulse-chart-data");
    var holder = figure.querySelector(".wepulse-chart-canvas");
    if (!table || !holder) {
      return;
    }
    var kind = table.getAttribute("data-chart") === "line" ? "line" : "bar";
    var data = read(table);
    if (!data.series.length || !data.labels.length || (kind === "line" && data.labels.length < 2)) {
      return;
    }
    var caption = figure.querySelector("figcaption");
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", (caption ? text(caption) + ": " : "") + summary(data) + ".");
    holder.textContent = "";
    holder.appendChild(canvas);
    holder.hidden = false;

    var bars = kind === "bar";
    if (bars) {
      // Room for each bar of each row, the legend and the axis (the CSS height is a line's).
      var tall = data.labels.length * (data.series.length * 16 + 18) + (data.series.length > 1 ? 90 : 60);
      holder.style.height = Math.max(160, tall) + "px";
    }
    var max = parseFloat(table.getAttribute("data-max"));
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var categories = { ticks: { color: TEXT, font: font, autoSkip: !bars }, grid: { display: !bars, color: GRID } };
    var values = {
      beginAtZero: true,
      max: isFinite(max) ? max : undefined,
      ticks: { color: TEXT, font: font, precision: 0 },
      grid: { color: GRID },
    };
    try {
      new Chart(canvas, {
        type: kind,
        data: {
          labels: bars ? data.labels.map(function (label) { return lines(label, 16); }) : data.labels,
          datasets: data.series.map(function (name, index) {
            return dataset(kind, name, data.values[index], index);
          }),
        },
        options: {
          indexAxis: bars ? "y" : "x",
          responsive: true,
          maintainAspectRatio: false,
          animation: still ? false : { duration: 400 },
          locale: document.documentElement.lang || undefined,
          color: TEXT,
          scales: bars ? { x: values, y: categories } : { x: categories, y: values },
          plugins: {
            legend: {
              display: data.series.length > 1,
              onClick: function () {},  // a picture: nothing to switch on or off
              labels: { color: TEXT, font: font, usePointStyle: !bars },
            },
            tooltip: {
              callbacks: {
                // The label whole, not cut into lines.
                title: function (items) { return items.length ? data.labels[items[0].dataIndex] : ""; },
              },
            },
          },
        },
      });
    } catch (error) {
      holder.hidden = true;
      holder.textContent = "";
      holder.style.height = "";
      console.error(error);
    }
  }

  function start() {
    var Chart = window.Chart;
    if (typeof Chart !== "function") {
      return;
    }
    var body = window.getComputedStyle(document.body);
    Chart.defaults.font.family = body.fontFamily;
    Chart.defaults.font.size = 14;
    Array.prototype.forEach.call(document.querySelectorAll("figure.wepulse-chart"), function (figure) {
      draw(figure, Chart);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
