/* anim's player, a race from many starts (when the scene has a swarm): every start's
 * thin, faded trail (overlaps add up to a denser colour), a small head per start, the
 * stretches behind a hill dotted in 3D — the points as the swarm layer placed them
 * (anim/figure/swarm.py), packed by anim/pagedata/swarm.py — and the scoreboard's rows
 * ("87/100 arrived · median step 23 · 3 ✗") counted from every start's arrival and
 * divergence, as anim/board.py counts them. */
var swarm = data.swarm, starts = swarm.count;
var swarmArrival = decode(swarm.arrival, Int32Array), swarmDiverged = decode(swarm.diverged, Int32Array);
var swarmTrails = [];  // per view, per racer × start: {n, x, y, seen, behind, hx, hy}

// --- every start's race (as anim/figure/swarm.py says) ---------------------------------
function heldAt(at) {  // drawn stopped where it arrived (before any divergence, without noise)
  var a = swarmArrival[at], d = swarmDiverged[at];
  return swarm.held && a >= 0 && (d < 0 || a < d);
}
function lastShown(at) {
  if (heldAt(at)) return swarmArrival[at];
  return swarmDiverged[at] >= 0 ? Math.max(swarmDiverged[at] - 1, 0) : N;
}
function finishedFrom(at) { return heldAt(at) ? swarmArrival[at] : N + 1; }
function goneFrom(at) { return swarmDiverged[at] >= 0 && !heldAt(at) ? swarmDiverged[at] : N + 1; }

function swarmCounts(i, step) {
  var arrivals = [], diverged = 0;
  for (var s = 0; s < starts; s++) {
    var at = i * starts + s, a = swarmArrival[at], d = swarmDiverged[at];
    if (a >= 0 && a <= step) arrivals.push(a);
    if (d >= 0 && d <= step && !(a >= 0 && a < d)) diverged += 1;
  }
  return { arrivals: arrivals, diverged: diverged };
}
function swarmStatus(i, step) {
  var counts = swarmCounts(i, step), arrivals = counts.arrivals;
  var text = fill(words.swarm_arrived, { arrived: arrivals.length, count: starts });
  if (arrivals.some(function (a) { return a > 0; })) {  // the lower median: one start's own step
    arrivals.sort(function (a, b) { return a - b; });
    text += fill(words.swarm_median, { median: arrivals[(arrivals.length - 1) >> 1] });
  }
  if (counts.diverged) text += fill(words.swarm_diverged, { count: counts.diverged });
  return text;
}
function swarmState(i, step) {
  var counts = swarmCounts(i, step), arrived = counts.arrivals.length;
  if (arrived + counts.diverged < starts) return "racing";
  return arrived ? "arrived" : "diverged";
}

function unpackSwarm(bytes) {
  var read = reader(varints(bytes)), share = swarm.share;
  swarm.views.forEach(function (look, v) {
    var moved = {}, list = [];
    look.movedHeads.forEach(function (at) { moved[at] = true; });
    for (var at = 0; at < count * starts; at++) {
      var n = lastShown(at) + 1, trail = { n: n };
      trail.x = read.linear(n, share);
      trail.y = read.linear(n, share);
      trail.seen = look.behind ? read.flags(n) : null;
      trail.behind = look.behind ? read.flags(n) : null;
      if (moved[at]) { trail.hx = read.linear(n, share); trail.hy = read.linear(n, share); }
      list.push(trail);
    }
    swarmTrails[v] = list;
  });
}

// --- drawing ------------------------------------------------------------------------
function startPath(trail, last, mask) {
  var path = new Path2D(), open = false;
  for (var k = 0; k <= last; k++) {
    var x = trail.x[k], y = trail.y[k];
    if (x !== x || y !== y || (mask && !mask[k])) { open = false; continue; }
    if (open) path.lineTo(x, y); else path.moveTo(x, y);
    open = true;
  }
  return path;
}
// Each start's trail stroked on its own, so that overlapping trails add up (`only`: just
// those starts).
function swarmLines(v, i, step, behind, only) {
  var look = behind ? swarm.views[v].behind[i] : swarm.views[v].trails[i], list = swarmTrails[v];
  ctx.globalAlpha = look.alpha;
  ctx.strokeStyle = racers[i].color;
  ctx.lineWidth = look.width * S;
  ctx.lineCap = behind ? "butt" : "round";
  ctx.lineJoin = "round";
  ctx.setLineDash(look.dashes ? look.dashes.map(function (d) { return d * S; }) : []);
  var which = only || null, total = which ? which.length : starts;
  for (var j = 0; j < total; j++) {
    var s = which ? which[j] : j, trail = list[i * starts + s], last = Math.min(step, trail.n - 1);
    if (last < 1 || (behind && !trail.behind)) continue;
    ctx.stroke(startPath(trail, last, behind ? trail.behind : trail.seen));
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
}
function swarmHeads(v, i, step, finished, draw) {
  draw = draw || marker;
  var look = finished ? swarm.views[v].finished[i] : swarm.views[v].heads[i], list = swarmTrails[v];
  for (var s = 0; s < starts; s++) {
    var at = i * starts + s, trail = list[at];
    var show = finished ? finishedFrom(at) <= step : finishedFrom(at) > step && goneFrom(at) > step;
    if (!show) continue;
    var k = Math.min(step, trail.n - 1);
    var x = trail.hx ? trail.hx[k] : trail.x[k], y = trail.hy ? trail.hy[k] : trail.y[k];
    draw(look, x, y);
  }
}
// While playing, thousands of faded strokes a frame are too many: the trails of the starts
// that stopped are kept in a canvas of their own (each stroked on its own, so overlaps
// still add up), only the growing ones are stroked afresh, and heads are stamped from
// one small picture per look. A paused frame is drawn exactly, in the figure's order.
var settled = [], sprites = {};
function settledCanvas(v, step) {
  var view = views[v], cache = settled[v];
  if (!cache || cache.canvas.width !== canvas.width || cache.canvas.height !== canvas.height || cache.step > step) {
    cache = settled[v] = { canvas: document.createElement("canvas"), step: -1,
                           done: new Uint8Array(count * starts) };
    cache.canvas.width = canvas.width;
    cache.canvas.height = canvas.height;
    cache.context = cache.canvas.getContext("2d");
    cache.context.setTransform(ratio, 0, 0, ratio, 0, 0);
    clipRect(cache.context, view.box);
  }
  if (cache.step === step) return cache.canvas;
  var saved = ctx;
  ctx = cache.context;  // the drawing functions draw on ctx
  var order = racers.map(function (r, i) { return i; }).sort(function (a, b) {
    return swarm.views[v].trails[a].z - swarm.views[v].trails[b].z;
  });
  order.forEach(function (i) {
    var fresh = [];
    for (var s = 0; s < starts; s++) {
      var at = i * starts + s;
      if (!cache.done[at] && lastShown(at) <= step) { cache.done[at] = 1; fresh.push(s); }
    }
    if (!fresh.length) return;
    if (swarm.views[v].behind) swarmLines(v, i, N, true, fresh);
    swarmLines(v, i, N, false, fresh);
  });
  ctx = saved;
  cache.step = step;
  return cache.canvas;
}
function sprite(look) {
  var key = [look.symbol, look.size, look.face, look.edge, look.width, ratio].join();
  if (sprites[key]) return sprites[key];
  var half = Math.ceil((look.size + look.width) * S / 2) + 2, made = document.createElement("canvas");
  made.width = made.height = Math.ceil(2 * half * ratio);
  var saved = ctx;
  ctx = made.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  marker(look, half - 0.5, half - 0.5);
  ctx = saved;
  sprites[key] = { canvas: made, half: half };
  return sprites[key];
}
function stamp(look, x, y) {
  if (x !== x || y !== y) return;
  var made = sprite(look), left = Math.floor(x + 0.5) - made.half, top = Math.floor(y + 0.5) - made.half;
  ctx.drawImage(made.canvas, left, top, 2 * made.half, 2 * made.half);
}
function playingTrails(v, step) {
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(settledCanvas(v, step), 0, 0);
  ctx.restore();
  for (var i = 0; i < count; i++) {
    var growing = [];
    for (var s = 0; s < starts; s++) if (lastShown(i * starts + s) > step) growing.push(s);
    if (!growing.length) continue;
    if (swarm.views[v].behind) swarmLines(v, i, step, true, growing);
    swarmLines(v, i, step, false, growing);
  }
}
// What view v draws at a step, as items for drawView to sort with the landmarks by z.
function swarmItems(v, step) {
  var items = [], look = swarm.views[v];
  if (playing || quickly()) {
    items.push({ z: -Infinity, order: 0, draw: playingTrails.bind(null, v, step) });
    for (var j = 0; j < count; j++) {
      items.push({ z: look.finished[j].z, order: j, draw: swarmHeads.bind(null, v, j, step, true, stamp) });
      items.push({ z: look.heads[j].z, order: j, draw: swarmHeads.bind(null, v, j, step, false, stamp) });
    }
    return items;
  }
  for (var i = 0; i < count; i++) {
    if (look.behind) items.push({ z: look.behind[i].z, order: i, draw: swarmLines.bind(null, v, i, step, true) });
    items.push({ z: look.trails[i].z, order: i, draw: swarmLines.bind(null, v, i, step, false) });
    items.push({ z: look.finished[i].z, order: i, draw: swarmHeads.bind(null, v, i, step, true) });
    items.push({ z: look.heads[i].z, order: i, draw: swarmHeads.bind(null, v, i, step, false) });
  }
  return items;
}

// --- the panels: each racer's median over its starts, the interquartile band -----------
function swarmSeries(panel) {  // decoded once: (racers, values) rows
  if (panel.decoded) return panel.decoded;
  var s = panel.swarm, rows = panel.kind === "loss" ? count : panel.racers.length;
  var length = panel.kind === "loss" ? N + 1 : N, width = panel.kind === "loss" ? 1 : 2;
  function rowsOfSeries(text) {
    var all = decode(text, Float32Array), out = [];
    for (var r = 0; r < rows; r++) out.push(all.subarray(r * length * width, (r + 1) * length * width));
    return out;
  }
  panel.decoded = { values: panel.kind === "loss" ? rowsOfSeries(s.values) : rowsOfSeries(panel.rates),
                    low: rowsOfSeries(s.low), high: rowsOfSeries(s.high), width: width };
  return panel.decoded;
}
function bandPath(panel, low, high, last, width, axis, value) {
  var path = new Path2D(), xs = [], tops = [], bottoms = [];
  for (var k = 0; k <= last; k++) {
    var a = value(low[k * width + axis]), b = value(high[k * width + axis]);
    if (a !== a || b !== b) continue;
    xs.push(panelX(panel, k)); tops.push(b); bottoms.push(a);
  }
  if (!xs.length) return null;
  path.moveTo(xs[0], tops[0]);
  for (k = 1; k < xs.length; k++) path.lineTo(xs[k], tops[k]);
  for (k = xs.length - 1; k >= 0; k--) path.lineTo(xs[k], bottoms[k]);
  path.closePath();
  return path;
}
function swarmPanel(panel, step) {
  var series = swarmSeries(panel), s = panel.swarm, i, row;
  var high = panel.high === null || panel.high === undefined ? Infinity : panel.high;
  function value(v) {
    if (v !== v) return NaN;
    if (panel.kind === "loss") return panelY(panel, v);
    return panelY(panel, Math.min(Math.max(v, panel.low), high));
  }
  ctx.save();
  clipRect(ctx, panel.box);
  var rowsOfRacers = panel.kind === "loss" ? racers.map(function (r, k) { return k; }) : panel.racers;
  rowsOfRacers.forEach(function (racer, r) {  // the bands under every curve
    var last = panel.kind === "loss" ? Math.min(step, s.last[r]) : Math.min(Math.min(step, s.last[r]), N) - 1;
    for (var axis = 0; axis < series.width; axis++) {
      var path = bandPath(panel, series.low[r], series.high[r], last, series.width, axis, value);
      if (!path) continue;
      ctx.globalAlpha = s.band.alpha;
      ctx.fillStyle = racers[racer].color;
      ctx.fill(path);
      ctx.globalAlpha = 1;
    }
  });
  panel.lines.forEach(function (line, index) {
    var racer = line.racer, r = panel.kind === "loss" ? racer : panel.racers.indexOf(racer);
    var axis = line.axis || 0, rowValues = series.values[r];
    var last = panel.kind === "loss" ? Math.min(step, s.last[r]) : Math.min(Math.min(step, s.last[r]), N) - 1;
    var path = new Path2D(), open = false;
    for (var k = 0; k <= last; k++) {
      var y = value(rowValues[k * series.width + axis]);
      if (y !== y) { open = false; continue; }
      if (open) path.lineTo(panelX(panel, k), y); else path.moveTo(panelX(panel, k), y);
      open = true;
    }
    ctx.strokeStyle = racers[racer].color;
    ctx.lineWidth = line.width * S;
    ctx.lineCap = "butt";
    ctx.lineJoin = "round";
    ctx.setLineDash(line.dashes ? line.dashes.map(function (d) { return d * S; }) : []);
    ctx.stroke(path);
    ctx.setLineDash([]);
    if (panel.kind === "loss" && swarmState(racer, step) === "arrived") {  // its outline
      var mark = Math.min(s.finish[racer], Math.min(step, s.last[racer]));
      marker({ size: panel.marker.size, face: null, edge: racers[racer].color, width: panel.marker.width },
             panelX(panel, mark), value(rowValues[mark]), racers[racer].marker);
    }
  });
  ctx.restore();
  if (panel.kind === "lr") {  // medians beyond the range: triangles on its edge, pointing out
    panel.racers.forEach(function (racer, r) {
      var last = Math.min(Math.min(step, s.last[r]), N) - 1, rates = series.values[r];
      (panel.marks[String(racer)] || []).forEach(function (look) {
        var above = look.symbol === "^", y = panelY(panel, look.edge);
        for (var k = 0; k <= last; k++) {
          var a = rates[2 * k], b = rates[2 * k + 1];
          if (above ? a > look.edge || b > look.edge : a < look.edge || b < look.edge) marker(look, panelX(panel, k), y);
        }
      });
    });
  }
}
// Every drawn head (racer by racer, start by start) in view v: its pixel, or null.
function swarmHeadPixels(step, v) {
  var out = [], list = swarmTrails[v];
  for (var at = 0; at < count * starts; at++) {
    var trail = list[at], k = Math.min(step, trail.n - 1);
    var shownNow = finishedFrom(at) <= step || goneFrom(at) > step;
    out.push(shownNow ? [trail.hx ? trail.hx[k] : trail.x[k], trail.hy ? trail.hy[k] : trail.y[k]] : null);
  }
  return out;
}

extras.swarm = { status: swarmStatus, state: swarmState, items: swarmItems, panel: swarmPanel,
                 heads: swarmHeadPixels };
extras.ready = inflate(swarm.packed).then(unpackSwarm);
