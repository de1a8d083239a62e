/*
 * The resource page follows its table while the file is read and loaded: every few
 * seconds it asks where the table stands (data-table-progress, a JSON URL) and says
 * so in the polite status region it lives in, with the rows loaded so far. When the
 * table is ready it says so and offers to show it, rather than reloading the page
 * under the reader. Without JavaScript the page says where things stood when it was
 * served.
 *
 * Words come translated from the template: data-table-loading ({rows} and {total}),
 * data-table-done, data-table-show.
 */
(function () {
  "use strict";

  var EVERY_MS = 3000;
  var RUNNING = ["queued", "reading", "loading"];

  function follow(region) {
    var settings = region.dataset;
    var progress = region.querySelector("progress");

    function say(status) {
      if (RUNNING.indexOf(status.status) >= 0) {
        if (progress && status.rows_loaded !== null) {
          progress.value = status.rows_loaded;
          progress.textContent = status.rows_loaded + " / " + progress.max;
        }
        window.setTimeout(ask, EVERY_MS);
        return;
      }
      region.textContent = settings.tableDone + " ";
      var link = document.createElement("a");
      link.href = window.location.pathname;
      link.textContent = settings.tableShow;
      region.appendChild(link);
    }

    function ask() {
      fetch(settings.tableProgress, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (status) { if (status) { say(status); } })
        .catch(function () { /* the page still says where things stood */ });
    }

    window.setTimeout(ask, EVERY_MS);
  }

  document.querySelectorAll("[data-table-progress]").forEach(follow);
})();
