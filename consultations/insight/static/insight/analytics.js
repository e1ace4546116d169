/* Analytics charts. The numbers come from the page's json_script block ("analytics-data"), the
 * same numbers as the tables beside each chart; no inline script (the CSP forbids it). */
(function () {
  "use strict";

  var source = document.getElementById("analytics-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // Colour-blind safe (Okabe-Ito) and distinguishable in greyscale print.
  var COLOURS = { accepted: "#009E73", changed: "#E69F00", declined: "#56606B", weeks: "#1f4e5f" };
  var OUTCOMES = ["accepted", "changed", "declined"];

  Chart.defaults.animation = reduceMotion ? false : Chart.defaults.animation;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.responsive = true;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  // Each chart's box gets its height here (CSSOM, which the CSP allows; a style="" attribute it
  // would not): a fixed height, or one row per bar so that every label stays readable.
  function sizeBox(box) {
    var rows = parseInt(box.getAttribute("data-bar-rows") || "0", 10);
    var height = rows ? Math.max(160, rows * 30 + 70) : parseInt(box.getAttribute("data-height") || "320", 10);
    box.style.position = "relative";
    box.style.height = height + "px";
  }

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) {
      sizeBox(canvas.parentNode);
      new Chart(canvas, config);
    }
  }

  function wholeNumbers(axis) {
    return { beginAtZero: true, stacked: axis.stacked, ticks: { precision: 0 } };
  }

  draw("chart-weeks", {
    type: "bar",
    data: {
      labels: data.weeks.labels,
      datasets: [{ label: "Consultations submitted", data: data.weeks.counts, backgroundColor: COLOURS.weeks }]
    },
    options: {
      plugins: { legend: { display: false } },
      scales: { y: wholeNumbers({ stacked: false }) }
    }
  });

  function outcomeChart(id, series) {
    draw(id, {
      type: "bar",
      data: {
        labels: series.labels,
        datasets: OUTCOMES.map(function (outcome) {
          return {
            label: data.outcome_labels[outcome],
            data: series[outcome],
            backgroundColor: COLOURS[outcome]
          };
        })
      },
      options: {
        indexAxis: "y",
        plugins: { legend: { position: "bottom" } },
        scales: { x: wholeNumbers({ stacked: true }), y: { stacked: true } }
      }
    });
  }

  outcomeChart("chart-treatments", data.treatments);
  outcomeChart("chart-rules", data.rules);
})();
