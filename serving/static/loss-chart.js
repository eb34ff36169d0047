/*
 * The live loss curve of /create, drawn as SVG in the page (no library, no CDN):
 * MimicalLossChart.draw(svg, points) with points [[step, train_bpc, val_bpc|null]].
 * Training loss is the orange line, validation the blue dots; the axes start at
 * the figures' own range so a small fall is still visible.
 */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 640, H = 240, LEFT = 48, RIGHT = 12, TOP = 12, BOTTOM = 28;

  function node(name, attributes, text) {
    var element = document.createElementNS(NS, name);
    Object.keys(attributes).forEach(function (key) {
      element.setAttribute(key, String(attributes[key]));
    });
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function draw(svg, points) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var usable = (points || []).filter(function (p) { return isFinite(p[1]); });
    if (!usable.length) {
      svg.append(node("text", { x: W / 2, y: H / 2, "text-anchor": "middle" },
        "The curve appears once training starts."));
      return;
    }
    var values = [];
    usable.forEach(function (p) { values.push(p[1]); if (p[2] !== null) values.push(p[2]); });
    var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
    if (high - low < 0.05) { high += 0.05; low -= 0.05; }
    var first = usable[0][0], last = usable[usable.length - 1][0];
    var span = Math.max(1, last - first);
    var x = function (step) { return LEFT + (W - LEFT - RIGHT) * (step - first) / span; };
    var y = function (bpc) { return TOP + (H - TOP - BOTTOM) * (high - bpc) / (high - low); };

    svg.append(node("line", { x1: LEFT, y1: TOP, x2: LEFT, y2: H - BOTTOM, "class": "mo-axis" }));
    svg.append(node("line", { x1: LEFT, y1: H - BOTTOM, x2: W - RIGHT, y2: H - BOTTOM, "class": "mo-axis" }));
    svg.append(node("text", { x: LEFT - 6, y: TOP + 10, "text-anchor": "end" }, high.toFixed(2)));
    svg.append(node("text", { x: LEFT - 6, y: H - BOTTOM, "text-anchor": "end" }, low.toFixed(2)));
    svg.append(node("text", { x: LEFT, y: H - 8 }, "step " + first));
    svg.append(node("text", { x: W - RIGHT, y: H - 8, "text-anchor": "end" }, "step " + last));

    var line = usable.map(function (p) { return x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1); });
    svg.append(node("polyline", { points: line.join(" "), "class": "mo-line" }));
    usable.forEach(function (p) {
      if (p[2] !== null) svg.append(node("circle", { cx: x(p[0]), cy: y(p[2]), r: 3.5, "class": "mo-val" }));
    });
    var latest = usable[usable.length - 1];
    svg.setAttribute("aria-label", "Training loss fell from " + usable[0][1].toFixed(2) +
      " to " + latest[1].toFixed(2) + " bits per character over " + usable.length + " reports.");
  }

  window.MimicalLossChart = { draw: draw };
})();
