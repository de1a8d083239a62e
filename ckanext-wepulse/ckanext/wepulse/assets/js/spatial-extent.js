/*
 * The dataset page's small map of its area (templates/package/snippets/spatial_extent.html):
 * Belgium and its municipalities (groups of municipalities where their boundaries are not
 * shipped) from the portal's own data file, the dataset's extent drawn over them, fitted
 * to it. Static: no controls, no dragging or zooming, nothing to focus; the text beside
 * the map says the same. Without JavaScript (or if the data cannot load) the map stays
 * hidden and the text is all there is.
 *
 * The element carries data-map-url (the background, same origin) and data-extent (JSON
 * made by the server from validated numbers: {"bbox": [w, s, e, n], "shapes": [geometry]}).
 */
(function () {
  "use strict";

  var BACKGROUND = { color: "#6c757d", weight: 0.6, fillColor: "#ffffff", fillOpacity: 1 };
  var COUNTRY = { color: "#343a40", weight: 1.5, fill: false };
  var EXTENT = { color: "#b3003b", weight: 2.5, fillColor: "#b3003b", fillOpacity: 0.2 };

  function draw(element, background) {
    var extent = JSON.parse(element.getAttribute("data-extent"));
    element.hidden = false;
    var map = L.map(element, {
      attributionControl: false,
      zoomControl: false,
      dragging: false,
      touchZoom: false,
      scrollWheelZoom: false,
      doubleClickZoom: false,
      boxZoom: false,
      keyboard: false,
      zoomSnap: 0.25,
      fadeAnimation: false,
      zoomAnimation: false,
    });
    L.geoJSON(background, {
      interactive: false,
      style: function (feature) {
        return feature.properties.kind === "country" ? COUNTRY : BACKGROUND;
      },
    }).addTo(map);
    L.geoJSON({ type: "GeometryCollection", geometries: extent.shapes }, {
      interactive: false,
      style: function () { return EXTENT; },
      pointToLayer: function (_, latlng) {
        return L.circleMarker(latlng, { radius: 6, interactive: false });
      },
    }).addTo(map);
    var b = extent.bbox;
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { padding: [24, 24], maxZoom: 12 });
    element.classList.add("wepulse-spatial-map-ready");
  }

  function start() {
    var elements = document.querySelectorAll(".wepulse-spatial-map[data-map-url][data-extent]");
    if (!elements.length || typeof L === "undefined" || !window.fetch) {
      return;
    }
    fetch(elements[0].getAttribute("data-map-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("map data: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (background) {
        elements.forEach(function (element) {
          try {
            draw(element, background);
          } catch (error) {
            element.hidden = true;
            console.error(error);
          }
        });
      })
      .catch(function (error) {
        console.error(error);
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
