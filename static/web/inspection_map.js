// The small map on an inspection's page (templates/supervision/_inspection_detail.html):
// the geotag with its accuracy circle, and the market's centre with its geofence. A still
// picture: no controls, nothing to focus (the numbers are written beside it). Background
// tiles only when the server has MAP_TILE_URL. Classic deferred script after Leaflet.
(function () {
  "use strict";

  const element = document.querySelector(".dash-minimap");
  if (!element || !window.L) return;
  const data = element.dataset;
  const number = (value) => (value === "" || value === undefined ? null : Number(value));
  const map = L.map(element, {
    zoomControl: false,
    attributionControl: false,
    dragging: false,
    keyboard: false,
    scrollWheelZoom: false,
    doubleClickZoom: false,
    boxZoom: false,
    touchZoom: false,
    maxZoom: 19,
  });
  if (data.tiles) L.tileLayer(data.tiles, { maxZoom: 19, subdomains: data.subdomains || "abc" }).addTo(map);
  const layers = [];
  const bounds = L.latLngBounds([]);
  const refLat = number(data.refLat);
  const refLon = number(data.refLon);
  if (refLat !== null && refLon !== null) {
    const radius = number(data.radius) || 30;
    layers.push(
      L.circle([refLat, refLon], { radius, className: "dash-geofence", interactive: false }),
      L.circleMarker([refLat, refLon], { radius: 3, className: "dash-geofence", interactive: false }),
    );
    bounds.extend(L.latLng(refLat, refLon).toBounds(radius * 2));
  }
  const lat = number(data.lat);
  const lon = number(data.lon);
  if (lat !== null && lon !== null) {
    const accuracy = number(data.accuracy);
    if (accuracy) {
      layers.push(L.circle([lat, lon], { radius: accuracy, className: "dash-accuracy", interactive: false }));
    }
    layers.push(
      L.circleMarker([lat, lon], {
        radius: 7,
        className: "dash-geotag dash-geotag-" + data.status,
        interactive: false,
      }),
    );
    bounds.extend(L.latLng(lat, lon).toBounds(Math.max(accuracy || 0, 20) * 2));
  }
  // The view first: a map without one defers adding layers, and a circle measures itself
  // through its map.
  map.fitBounds(bounds.pad(0.2), { maxZoom: 18 });
  L.featureGroup(layers).addTo(map);
  element.setAttribute("data-ready", "true");
})();
