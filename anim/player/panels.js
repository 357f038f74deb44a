/* anim's player, the side panels (when the page has them): the loss panel — each run's
 * loss above the panel's origin, log scale, an arrival marked with the racer's outline —
 * the effective-lr panel, |Δx|/|g| per axis (x solid, y dashed), and the fidelity panels
 * of projected training runs (each run's distance from the plane, and L(θ) − f(x, y);
 * linear). While playing, the loss curves grow in a canvas of their own, like the trails
 * (draw.js). */
function panelX(panel, k) {
  return panel.box[0] + (k - panel.xlim[0]) / (panel.xlim[1] - panel.xlim[0]) * panel.box[2];
}
function panelY(panel, value) {
  var low = panel.ylim[0], high = panel.ylim[1], box = panel.box;
  if (panel.yscale === "log") {
    if (!(value > 0)) return NaN;
    value = Math.log10(value); low = Math.log10(low); high = Math.log10(high);
  }
  return box[1] + box[3] - (value - low) / (high - low) * box[3];
}
// A run's curve in a panel: its loss above the panel's origin, or its effective rates.
function panelLine(run, panel, axis) {
  run.panels = run.panels || {};
  var key = panel.kind + (axis || 0), made = run.panels[key];
  if (made) return made;
  var xs, ys, k;
  if (panel.kind === "loss") {
    xs = new Float64Array(run.n); ys = new Float64Array(run.n);
    for (k = 0; k < run.n; k++) {
      var value = run.loss[k] - panel.origin;
      xs[k] = panelX(panel, k);
      ys[k] = value !== value ? NaN : panelY(panel, value <= 0 ? 1e-300 : value);
    }
  } else {  // a value beyond the range is drawn on its edge
    var m = run.rates ? run.rates.length / 2 : 0, high = panel.high === null ? Infinity : panel.high;
    xs = new Float64Array(m); ys = new Float64Array(m);
    for (k = 0; k < m; k++) {
      var rate = run.rates[2 * k + axis];
      xs[k] = panelX(panel, k);
      ys[k] = panelY(panel, rate !== rate ? NaN : Math.min(Math.max(rate, panel.low), high));
    }
  }
  made = run.panels[key] = thinned(xs, ys);
  return made;
}
function lossCurves(panel, step, cached) {
  ctx.save();
  clipRect(ctx, panel.box);
  for (var i = 0; i < count; i++) {
    var r = racers[i];
    if (!cached) {
      ctx.strokeStyle = r.color;
      ctx.lineWidth = panel.lines[i].width * S;
      ctx.lineCap = "butt";
      ctx.lineJoin = "round";
      ctx.stroke(polyline(panelLine(runs[i], panel), shown(i, step)));
    }
    if (state(i, step) === "arrived") {
      var arrival = runs[i].arrival, value = Math.max(runs[i].loss[arrival] - panel.origin, 1e-300);
      marker({ size: panel.marker.size, face: null, edge: r.color, width: panel.marker.width },
             panelX(panel, arrival), panelY(panel, value), r.marker);
    }
  }
  ctx.restore();
}
function rateCurves(panel, step) {
  ctx.save();
  clipRect(ctx, panel.box);
  panel.lines.forEach(function (line) {
    var run = runs[line.racer];
    if (!run.rates) return;
    var last = Math.min(shown(line.racer, step), N) - 1;
    if (last < 0) return;
    ctx.strokeStyle = racers[line.racer].color;
    ctx.lineWidth = line.width * S;
    ctx.lineCap = "butt";
    ctx.lineJoin = "round";
    ctx.setLineDash(line.dashes ? line.dashes.map(function (d) { return d * S; }) : []);
    ctx.stroke(polyline(panelLine(run, panel, line.axis), last));
  });
  ctx.setLineDash([]);
  ctx.restore();
  // Triangles on the range's edges where a value lies beyond it (not clipped: they sit on
  // the edge), pointing out.
  panel.racers.forEach(function (i) {
    var run = runs[i], looks = panel.marks[String(i)] || [];
    if (!run.rates) return;
    var last = Math.min(shown(i, step), N) - 1;
    looks.forEach(function (look) {
      var above = look.symbol === "^", y = panelY(panel, look.edge);
      for (var k = 0; k <= last && 2 * k + 1 < run.rates.length; k++) {
        var a = run.rates[2 * k], b = run.rates[2 * k + 1];
        if (above ? a > look.edge || b > look.edge : a < look.edge || b < look.edge) {
          marker(look, panelX(panel, k), y);
        }
      }
    });
  });
}
// A projected run's curve in a fidelity panel: its value after every step up to `step`,
// as the layer draws it (a recording: it grows with the step, whatever else happens).
function fidelityCurves(panel, step) {
  panel.made = panel.made || {};
  ctx.save();
  clipRect(ctx, panel.box);
  panel.lines.forEach(function (line) {
    var i = line.racer, made = panel.made[i];
    if (!made) {
      var values = panel.rows[i], xs = new Float64Array(N + 1), ys = new Float64Array(N + 1);
      for (var k = 0; k <= N; k++) { xs[k] = panelX(panel, k); ys[k] = panelY(panel, values[k]); }
      made = panel.made[i] = thinned(xs, ys);
    }
    ctx.globalAlpha = line.alpha;
    ctx.strokeStyle = racers[i].color;
    ctx.lineWidth = line.width * S;
    ctx.lineCap = line.cap;
    ctx.lineJoin = "round";
    ctx.stroke(polyline(made, Math.min(step, N)));
  });
  ctx.globalAlpha = 1;
  ctx.restore();
}

var lossPanel = null;
panels.forEach(function (panel) { if (panel.kind === "loss") lossPanel = panel; });
var panelCache = document.createElement("canvas"), panelContext = null;
extras.panels = {
  fresh: function () { panelContext = lossPanel ? freshCache(panelCache, lossPanel.box) : null; },
  extend: function (i, from, first, last) {
    if (!panelContext) return;
    panelContext.strokeStyle = racers[i].color;
    panelContext.lineWidth = lossPanel.lines[i].width * S;
    var line = panelLine(runs[i], lossPanel);
    panelContext.stroke(from < 0 ? polyline(line, last) : segment(line, first, last));
  },
  blit: function () { if (lossPanel) ctx.drawImage(panelCache, 0, 0); },
  draw: function (step, fromCache) {
    panels.forEach(function (panel) {
      if (data.swarm) extras.swarm.panel(panel, step);
      else if (panel.kind === "loss") lossCurves(panel, step, fromCache);
      else if (panel.kind === "fidelity") fidelityCurves(panel, step);
      else rateCurves(panel, step);
    });
  }
};
