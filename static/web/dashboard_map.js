// The dashboard map (templates/dashboard/map.html): markets and the period's findings.
//
// A classic deferred script after the vendored Leaflet and Leaflet.markercluster (both put `L`
// on window); loaded from a file because the Content-Security-Policy refuses inline script.
// It reads its settings from the map element's data attributes, fetches the map's JSON
// (/dashboard/map.json, with the session cookie) and draws: each district's outline (the
// hull of its markets: no boundary data is stored), a marker per market whose popup gives
// the period's figures and a link to its inspections, and a dot per finding at its
// inspection's geotag, clustered where they crowd. Background tiles only when the server
// is configured with a tile URL (MAP_TILE_URL); without them the markers still show.
// Text comes from the page (data-t-*), so the map speaks the page's language; names are
// set as text, never as HTML.
(function () {
  "use strict";

  const element = document.getElementById("dash-map");
  const status = document.querySelector("[data-map-status]");
  if (!element || !window.L) return;
  const data = element.dataset;
  const lang = data.lang === "en" ? "en" : "zh";

  function say(text) {
    if (status) status.textContent = text;
  }

  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function percent(rate) {
    return rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + "%";
  }

  function row(parent, label, value) {
    const line = document.createElement("div");
    const name = document.createElement("b");
    name.textContent = label + ": ";
    line.append(name, document.createTextNode(String(value)));
    parent.append(line);
  }

  function marketPopup(market) {
    const box = document.createElement("div");
    box.className = "dash-popup";
    const title = document.createElement("h2");
    title.textContent = lang === "en" ? market.name_en : market.name_zh;
    box.append(title);
    row(box, data.tInspections, market.inspections);
    row(box, data.tPassRate, percent(market.pass_rate));
    const severities = ["S4", "S3", "S2", "S1", "S0"]
      .map((s) => s + " " + market.by_severity[s])
      .join(" · ");
    row(box, data.tFindings, market.findings + " (" + severities + ")");
    const link = document.createElement("a");
    link.href = market.list_url;
    link.textContent = data.tList;
    box.append(link);
    return box;
  }

  function pointPopup(point) {
    const box = document.createElement("div");
    box.className = "dash-popup";
    row(box, data.tFinding, point.code + " · " + point.severity);
    const link = document.createElement("a");
    link.href = point.url;
    link.textContent = data.tInspection;
    box.append(link);
    return box;
  }

  const map = L.map(element, {
    keyboard: true,
    attributionControl: Boolean(data.tiles),
    minZoom: 3,
    maxZoom: 19,
  });
  if (data.tiles) {
    L.tileLayer(data.tiles, {
      maxZoom: 19,
      subdomains: data.subdomains || "abc",
      attribution: escapeHtml(data.attribution || ""),
    }).addTo(map);
  }
  map.setView([35, 105], 4);

  function draw(payload) {
    const bounds = L.latLngBounds([]);
    for (const outline of payload.outlines) {
      const polygon = L.polygon(outline.ring, {
        className: "dash-outline",
        interactive: false,
        weight: 2,
        fillOpacity: 0.05,
      }).addTo(map);
      bounds.extend(polygon.getBounds());
    }
    for (const market of payload.markets) {
      const name = lang === "en" ? market.name_en : market.name_zh;
      const marker = L.marker([market.lat, market.lon], {
        title: name,
        alt: name,
        keyboard: true,
        riseOnHover: true,
        zIndexOffset: 1000,
      });
      marker.bindPopup(() => marketPopup(market));
      marker.addTo(map);
      marker.getElement()?.setAttribute("data-market", String(market.id));
      bounds.extend(marker.getLatLng());
    }
    const cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
    for (const point of payload.points) {
      const dot = L.circleMarker([point.lat, point.lon], {
        radius: 6,
        weight: 1,
        className: "dash-point dash-point-" + point.severity,
      });
      dot.bindPopup(() => pointPopup(point));
      cluster.addLayer(dot);
      bounds.extend(dot.getLatLng());
    }
    map.addLayer(cluster);
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.05));
    let text = payload.markets.length + " · " + payload.points.length;
    if (payload.truncated) {
      text = data.tTruncated
        .replace("{n}", String(payload.points.length))
        .replace("{total}", String(payload.located_findings));
    }
    say(text);
    element.setAttribute("data-ready", "true");
  }

  fetch(data.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(draw)
    .catch((error) => {
      say(data.tFailed);
      console.error(error);
    });
})();
