/* anim's player, part 2 of 3: drawing a step, in the figure's order: trails, finished
 * heads, goal and start, racing heads; loss curves; statuses and step counter. */
var stage = root.querySelector(".anim-stage");
var canvas = root.querySelector(".anim-racers");
var ctx = canvas.getContext("2d");
var ratio = 1;  // canvas pixels per render pixel
function resize() {
  var shownWidth = stage.getBoundingClientRect().width || W;
  var dpr = window.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(shownWidth * dpr));
  canvas.height = Math.max(1, Math.round(shownWidth * H / W * dpr));
  ratio = canvas.width / W;
  draw();
}
// Agg clips to the box rounded to whole pixels.
function clip(box) {
  var left = Math.floor(box[0] + 0.5), top = Math.floor(box[1] + 0.5);
  ctx.beginPath();
  ctx.rect(left, top, Math.floor(box[0] + box[2] + 0.5) - left, Math.floor(box[1] + box[3] + 0.5) - top);
  ctx.clip();
}
// Agg rounds the corners of an outline made only of horizontal and vertical lines to
// the pixel grid: to pixel centres when its line is an odd number of pixels wide.
function snapValue(snaps, width) {
  return snaps ? (Math.floor(width + 0.5) % 2 ? 0.5 : 0) : null;
}
function outline(symbol, x, y, size, snap) {
  var segments = markers[symbol].segments, path = new Path2D();
  function px(u) { return snap === null ? x + u * size : Math.floor(x + u * size + 0.5) + snap; }
  function py(u) { return snap === null ? y + u * size : Math.floor(y + u * size + 0.5) + snap; }
  for (var j = 0; j < segments.length; j++) {
    var g = segments[j];
    if (g[0] === "M") path.moveTo(px(g[1]), py(g[2]));
    else if (g[0] === "L") path.lineTo(px(g[1]), py(g[2]));
    else if (g[0] === "Q") path.quadraticCurveTo(px(g[1]), py(g[2]), px(g[3]), py(g[4]));
    else if (g[0] === "C") path.bezierCurveTo(px(g[1]), py(g[2]), px(g[3]), py(g[4]), px(g[5]), py(g[6]));
    else path.closePath();
  }
  return path;
}
// As Agg draws a Line2D's marker: its centre on a whole pixel (the pixel's centre for an
// outline that is not snapped). With a rim (a path effect) matplotlib draws it as a
// path instead: at the exact point.
function marker(look, x, y, symbol) {
  symbol = symbol || look.symbol;
  var shape = markers[symbol], size = look.size * S, edge = look.width * S, path;
  ctx.lineJoin = shape.join;
  ctx.lineCap = "butt";
  if (look.rim) {
    ctx.lineWidth = look.rim.width * S;
    ctx.strokeStyle = look.rim.color;
    ctx.stroke(outline(symbol, x, y, size, snapValue(shape.snaps, look.rim.width * S)));
    path = outline(symbol, x, y, size, snapValue(shape.snaps, edge));
  } else {
    var cx = Math.floor(x + 0.5), cy = Math.floor(y + 0.5), snap = snapValue(shape.snaps, edge);
    path = snap === null ? outline(symbol, cx + 0.5, cy + 0.5, size, null) : outline(symbol, cx, cy, size, snap);
  }
  if (look.face) { ctx.fillStyle = look.face; ctx.fill(path); }
  if (edge > 0) { ctx.lineWidth = edge; ctx.strokeStyle = look.edge; ctx.stroke(path); }
}
// A line through thousands of points is thinned once: a point within THIN pixels of
// the last one kept adds nothing visible (matplotlib simplifies its lines likewise),
// and a long crawl then costs a few hundred segments a frame instead of thousands.
var THIN = 0.3;
function thinned(xs, ys) {
  var kept = [], lastX = NaN, lastY = NaN;
  for (var k = 0; k < xs.length; k++) {
    var x = xs[k], y = ys[k];
    if (x !== x || y !== y || lastX !== lastX || Math.abs(x - lastX) + Math.abs(y - lastY) >= THIN) {
      kept.push(k); lastX = x; lastY = y;
    }
  }
  return { xs: xs, ys: ys, kept: Int32Array.from(kept) };
}
// The path through points 0..last (the last one always, thinned or not).
function polyline(line, last) {
  var kept = line.kept, low = 0, high = kept.length;
  while (low < high) { var middle = (low + high) >> 1; if (kept[middle] <= last) low = middle + 1; else high = middle; }
  var path = new Path2D(), open = false;
  function add(k) {
    var x = line.xs[k], y = line.ys[k];
    if (x !== x || y !== y) { open = false; return; }
    if (open) path.lineTo(x, y); else path.moveTo(x, y);
    open = true;
  }
  for (var j = 0; j < low; j++) add(kept[j]);
  if (low === 0 || kept[low - 1] !== last) add(last);
  return path;
}
var trailLines = racers.map(function (r, i) {
  var xs = new Float64Array(N + 1), ys = new Float64Array(N + 1);
  for (var k = 0; k <= N; k++) {
    xs[k] = toPixel[0] * pointX(i, k) + toPixel[1];
    ys[k] = toPixel[2] * pointY(i, k) + toPixel[3];
  }
  return thinned(xs, ys);
});
var panelLines = !data.panel ? [] : racers.map(function (r, i) {
  var panel = data.panel, box = panel.box, xs = new Float64Array(N + 1), ys = new Float64Array(N + 1);
  for (var k = 0; k <= N; k++) {
    var value = loss(i, k) - panel.origin;
    xs[k] = box[0] + (k - panel.xlim[0]) / (panel.xlim[1] - panel.xlim[0]) * box[2];
    ys[k] = value !== value ? NaN : panelY(panel, value <= 0 ? 1e-300 : value);
  }
  return thinned(xs, ys);
});
function trail(i, step) {
  var r = racers[i], last = shown(i, step), a = toPixel[0], b = toPixel[1], c = toPixel[2], d = toPixel[3];
  var base = i * (N + 1), width = r.trail.width * S, k, x, y;
  // Agg snaps a line of only horizontal and vertical segments (at most 1024 points).
  var snap = null;
  if (last < 1024) {
    var straight = true, lastX = null, lastY = null;
    for (k = 0; k <= last && straight; k++) {
      x = a * paths[2 * (base + k)] + b; y = c * paths[2 * (base + k) + 1] + d;
      if (x !== x || y !== y) continue;
      if (lastX !== null && Math.abs(x - lastX) >= 1e-4 && Math.abs(y - lastY) >= 1e-4) straight = false;
      lastX = x; lastY = y;
    }
    if (straight) snap = snapValue(true, width);
  }
  var line;
  if (snap === null) {
    line = polyline(trailLines[i], last);
  } else {
    line = new Path2D();
    var open = false;
    for (k = 0; k <= last; k++) {
      x = a * paths[2 * (base + k)] + b; y = c * paths[2 * (base + k) + 1] + d;
      if (x !== x || y !== y) { open = false; continue; }
      x = Math.floor(x + 0.5) + snap; y = Math.floor(y + 0.5) + snap;
      if (open) line.lineTo(x, y); else line.moveTo(x, y);
      open = true;
    }
  }
  ctx.globalAlpha = r.trail.alpha === null ? 1 : r.trail.alpha;
  ctx.strokeStyle = ctx.fillStyle = r.color;
  ctx.lineWidth = width;
  ctx.lineCap = ctx.lineJoin = "round";
  ctx.stroke(line);
  // The dots: 'o' markers without an edge, centred on pixel centres.
  var dots = new Path2D(), radius = r.trail.dot * S / 2, list = r.trail.dots;
  for (var j = 0; j < list.length && list[j] <= last; j++) {
    x = Math.floor(a * paths[2 * (base + list[j])] + b + 0.5) + 0.5;
    y = Math.floor(c * paths[2 * (base + list[j]) + 1] + d + 0.5) + 0.5;
    if (x !== x || y !== y) continue;
    dots.moveTo(x + radius, y);
    dots.arc(x, y, radius, 0, 2 * Math.PI);
  }
  ctx.fill(dots);
  ctx.globalAlpha = 1;
}
function headAt(i, step) {
  var at = 2 * (i * (N + 1) + step);
  return [heads[at], heads[at + 1]];
}
function panelY(panel, value) {
  var low = panel.ylim[0], high = panel.ylim[1], box = panel.box;
  if (panel.yscale === "log") {
    value = Math.log10(value); low = Math.log10(low); high = Math.log10(high);
  }
  return box[1] + box[3] - (value - low) / (high - low) * box[3];
}
function lossCurves(step) {
  var panel = data.panel, box = panel.box;
  var x0 = panel.xlim[0], span = panel.xlim[1] - panel.xlim[0];
  ctx.save();
  clip(box);
  for (var i = 0; i < count; i++) {
    var r = racers[i];
    if (!playing) {
      ctx.strokeStyle = r.color;
      ctx.lineWidth = panel.width * S;
      ctx.lineCap = "butt";
      ctx.lineJoin = "round";
      ctx.stroke(polyline(panelLines[i], shown(i, step)));
    }
    if (state(i, step) === "arrived") {
      var value2 = Math.max(loss(i, r.arrival) - panel.origin, 1e-300);
      marker({ size: panel.marker.size, face: null, edge: r.color, width: panel.marker.width },
             box[0] + (r.arrival - x0) / span * box[2], panelY(panel, value2), r.head.racing.symbol);
    }
  }
  ctx.restore();
}

// While playing, the trails and loss curves grow a few points a frame: they are kept
// in two canvases of their own and only the new segments are added, drawn opaque and
// laid on the frame at the trails' alpha (so overlapping segments do not darken). A
// paused frame is drawn afresh, exactly as matplotlib draws it.
var trailCache = document.createElement("canvas"), panelCache = document.createElement("canvas");
var trailContext = null, panelContext = null, cacheStep = -1;
var trailAlpha = racers.length && racers[0].trail.alpha !== null ? racers[0].trail.alpha : 1;
function freshCache(cache, box) {
  cache.width = canvas.width;
  cache.height = canvas.height;
  var context = cache.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.beginPath();
  context.rect(Math.floor(box[0] + 0.5), Math.floor(box[1] + 0.5),
               Math.floor(box[0] + box[2] + 0.5) - Math.floor(box[0] + 0.5),
               Math.floor(box[1] + box[3] + 0.5) - Math.floor(box[1] + 0.5));
  context.clip();
  context.lineCap = context.lineJoin = "round";
  return context;
}
function segment(line, first, last) {  // the path through points first..last
  var path = new Path2D(), open = false;
  for (var k = first; k <= last; k++) {
    var x = line.xs[k], y = line.ys[k];
    if (x !== x || y !== y) { open = false; continue; }
    if (open) path.lineTo(x, y); else path.moveTo(x, y);
    open = true;
  }
  return path;
}
function extendCaches(to) {
  var from = cacheStep;
  if (from < 0 || from > to || trailCache.width !== canvas.width || trailCache.height !== canvas.height) {
    trailContext = freshCache(trailCache, data.plot.box);
    panelContext = data.panel ? freshCache(panelCache, data.panel.box) : null;
    from = -1;
  }
  if (from === to) return;
  for (var i = 0; i < count; i++) {
    var r = racers[i], first = from < 0 ? 0 : shown(i, from), last = shown(i, to);
    if (from >= 0 && last <= first) continue;
    trailContext.strokeStyle = trailContext.fillStyle = r.color;
    trailContext.lineWidth = r.trail.width * S;
    trailContext.stroke(from < 0 ? polyline(trailLines[i], last) : segment(trailLines[i], first, last));
    var dots = new Path2D(), radius = r.trail.dot * S / 2, list = r.trail.dots;
    for (var j = 0; j < list.length && list[j] <= last; j++) {
      if (from >= 0 && list[j] <= first) continue;
      var x = Math.floor(trailLines[i].xs[list[j]] + 0.5) + 0.5, y = Math.floor(trailLines[i].ys[list[j]] + 0.5) + 0.5;
      if (x !== x || y !== y) continue;
      dots.moveTo(x + radius, y);
      dots.arc(x, y, radius, 0, 2 * Math.PI);
    }
    trailContext.fill(dots);
    if (panelContext) {
      panelContext.strokeStyle = r.color;
      panelContext.lineWidth = data.panel.width * S;
      panelContext.stroke(from < 0 ? polyline(panelLines[i], last) : segment(panelLines[i], first, last));
    }
  }
  cacheStep = to;
}

var step = 0, playing = false, lossStep = 0, lossTime = -Infinity;
var frames = 0, drawTime = 0;
function draw() {
  var began = performance.now();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  var i, looks = [];
  if (playing) {
    extendCaches(step);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = trailAlpha;
    ctx.drawImage(trailCache, 0, 0);
    ctx.globalAlpha = 1;
    if (data.panel) ctx.drawImage(panelCache, 0, 0);
    ctx.restore();
  }
  ctx.save();
  clip(data.plot.box);
  if (!playing) for (i = 0; i < count; i++) trail(i, step);
  for (i = 0; i < count; i++) {
    var look = racers[i].head[state(i, step)], at = headAt(i, step);
    looks.push({ z: look.z, order: i, draw: marker.bind(null, look, at[0], at[1]) });
  }
  data.landmarks.forEach(function (landmark, index) {
    looks.push({ z: data.landmarkZ, order: -count + index,
                 draw: marker.bind(null, landmark, landmark.at[0], landmark.at[1]) });
  });
  looks.sort(function (p, q) { return p.z - q.z || p.order - q.order; });
  looks.forEach(function (item) { item.draw(); });
  ctx.restore();
  if (data.panel) lossCurves(step);
  // A loss that changes every frame cannot be read: while playing it changes 4 times a second.
  if (!playing || step === N || began - lossTime >= 250) { lossStep = step; lossTime = began; }
  ctx.textBaseline = "middle";
  ctx.textAlign = "left";
  for (i = 0; i < count; i++) {
    var now = state(i, step), spot = racers[i].status;
    ctx.font = (now === "arrived" ? "bold " : "") + data.font.size + "px " + data.font.sans;
    ctx.fillStyle = now === "diverged" ? data.colors.muted : data.colors.text;
    ctx.textAlign = spot.align;
    ctx.fillText(statusText(i, step, Math.min(lossStep, step)), spot.at[0], spot.at[1]);
  }
  ctx.font = data.font.size + "px " + data.font.mono;
  ctx.fillStyle = data.colors.text;
  ctx.textAlign = data.counter.align;
  ctx.fillText(counterText(step), data.counter.at[0], data.counter.at[1]);
  frames += 1;
  drawTime += performance.now() - began;
}
// The page's own fonts (data: URLs, for characters the reader's fonts may lack) load
// when first asked for: ask now, and draw again once they are there.
var fontsLoaded = !(data.font.embedded || []).length || !document.fonts ? Promise.resolve() :
  Promise.all(data.font.embedded.map(function (face) { return document.fonts.load(face); }))
    .then(function () { draw(); }, function () {});
