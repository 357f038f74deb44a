/* anim's player, part 3: drawing a step, in the figure's order — per view its
 * trails, then the glyphs (glyphs.js), finished heads, goal and start, racing heads by
 * z-order; the panels' curves (panels.js); statuses, labels and the step counter. */
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
function clipRect(context, box) {
  var left = Math.floor(box[0] + 0.5), top = Math.floor(box[1] + 0.5);
  context.beginPath();
  context.rect(left, top, Math.floor(box[0] + box[2] + 0.5) - left, Math.floor(box[1] + box[3] + 0.5) - top);
  context.clip();
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
  if (x !== x || y !== y) return;
  symbol = symbol || look.symbol;
  var shape = markers[symbol], size = look.size * S, edge = look.width * S, path;
  ctx.lineJoin = shape.join;
  ctx.lineCap = "butt";
  ctx.globalAlpha = look.alpha === undefined ? 1 : look.alpha;
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
  ctx.globalAlpha = 1;
}
// The path through points 0..last of a thinned line (the last one always).
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
// The dots of a trail up to point `last` (and after point `after`): 'o' markers without
// an edge, centred on pixel centres.
function dotsPath(made, last, after) {
  var dots = new Path2D(), list = made.dots, radius = made.dotRadius;
  for (var j = 0; j < list.length && list[j] <= last; j++) {
    if (after !== undefined && list[j] <= after) continue;
    var x = Math.floor(made.xs[list[j]] + 0.5) + 0.5, y = Math.floor(made.ys[list[j]] + 0.5) + 0.5;
    if (x !== x || y !== y) continue;
    dots.moveTo(x + radius, y);
    dots.arc(x, y, radius, 0, 2 * Math.PI);
  }
  return dots;
}
// The stretches of a 3D trail a hill hides: dotted and faint, as if seen through it.
function behindLine(i, step, v) {
  var made = pixelsOf(runs[i], v);
  if (!made.behind) return;
  var faint = views[v].behind[i];
  ctx.globalAlpha = faint.alpha;
  ctx.strokeStyle = racers[i].color;
  ctx.lineWidth = faint.width * S;
  ctx.lineCap = "butt";
  ctx.lineJoin = "round";
  ctx.setLineDash(faint.dashes.map(function (d) { return d * S; }));
  ctx.stroke(segment(made.behind, 0, shown(i, step)));
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
}
function trail(i, step, v) {
  var view = views[v], look = view.trails[i], last = shown(i, step);
  var made = pixelsOf(runs[i], v), width = look.width * S;
  made.dotRadius = look.dot * S / 2;
  // Agg snaps a line of only horizontal and vertical segments (at most 1024 points).
  var snap = null, k, x, y;
  if (last < 1024 && view.kind === "2d") {
    var straight = true, lastX = null, lastY = null;
    for (k = 0; k <= last && straight; k++) {
      x = made.xs[k]; y = made.ys[k];
      if (x !== x || y !== y) continue;
      if (lastX !== null && Math.abs(x - lastX) >= 1e-4 && Math.abs(y - lastY) >= 1e-4) straight = false;
      lastX = x; lastY = y;
    }
    if (straight) snap = snapValue(true, width);
  }
  var line;
  if (snap === null) {
    line = polyline(made.line, last);
  } else {
    line = new Path2D();
    var open = false;
    for (k = 0; k <= last; k++) {
      x = made.xs[k]; y = made.ys[k];
      if (x !== x || y !== y) { open = false; continue; }
      x = Math.floor(x + 0.5) + snap; y = Math.floor(y + 0.5) + snap;
      if (open) line.lineTo(x, y); else line.moveTo(x, y);
      open = true;
    }
  }
  ctx.globalAlpha = look.alpha;
  ctx.strokeStyle = ctx.fillStyle = racers[i].color;
  ctx.lineWidth = width;
  ctx.lineCap = ctx.lineJoin = "round";
  ctx.stroke(line);
  if (look.dot) {
    var lineDots = made.behind ? { dots: made.dots, xs: made.line.xs, ys: made.line.ys, dotRadius: made.dotRadius } : made;
    ctx.fill(dotsPath(lineDots, last));
  }
  ctx.globalAlpha = 1;
}

// While playing, the contour view's trails (and the loss curves, panels.js) grow a few
// points a frame: they are kept in canvases of their own and only the new segments are
// added, drawn opaque and laid on the frame at the trails' alpha (so overlapping segments
// do not darken). A paused frame is drawn afresh, exactly as matplotlib draws it.
var flat = views.length - 1;
var cached = views[flat].kind === "2d" && !data.swarm;
var trailCache = document.createElement("canvas");
var trailContext = null, cacheStep = -1;
var trailAlpha = cached && views[flat].trails.length ? views[flat].trails[0].alpha : 1;
function freshCache(cache, box) {
  cache.width = canvas.width;
  cache.height = canvas.height;
  var context = cache.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  clipRect(context, box);
  context.lineCap = context.lineJoin = "round";
  return context;
}
function forgetCaches() { cacheStep = -1; }
function extendCaches(to) {
  var from = cacheStep, view = views[flat];
  if (from < 0 || from > to || trailCache.width !== canvas.width || trailCache.height !== canvas.height) {
    trailContext = freshCache(trailCache, view.box);
    if (extras.panels) extras.panels.fresh();
    from = -1;
  }
  if (from === to) return;
  for (var i = 0; i < count; i++) {
    var made = pixelsOf(runs[i], flat), first = from < 0 ? 0 : shown(i, from), last = shown(i, to);
    if (from >= 0 && last <= first) continue;
    made.dotRadius = view.trails[i].dot * S / 2;
    trailContext.strokeStyle = trailContext.fillStyle = racers[i].color;
    trailContext.lineWidth = view.trails[i].width * S;
    trailContext.stroke(from < 0 ? polyline(made.line, last) : segment(made.line, first, last));
    trailContext.fill(dotsPath(made, last, from < 0 ? undefined : first));
    if (extras.panels) extras.panels.extend(i, from, first, last);
  }
  cacheStep = to;
}

// One view: its trails, then every glyph, head and landmark by z-order.
function drawView(v, step, fromCache) {
  var view = views[v], looks = [], i;
  ctx.save();
  clipRect(ctx, view.box);
  if (data.swarm) {
    looks = extras.swarm.items(v, step);
  } else {
    if (view.kind === "3d") for (i = 0; i < count; i++) behindLine(i, step, v);
    if (!fromCache) for (i = 0; i < count; i++) trail(i, step, v);
    var heads = headsAt(step, v);
    for (i = 0; i < count; i++) {
      var look = racers[i].head[state(i, step)];
      looks.push({ z: look.z, order: i, draw: marker.bind(null, look, heads[i][0], heads[i][1], undefined) });
    }
    if (extras.glyphs && extras.glyphs.shows(v)) {
      looks.push({ z: extras.glyphs.z, order: count, draw: extras.glyphs.draw.bind(null, step, v) });
    }
  }
  view.landmarks.forEach(function (landmark, index) {
    looks.push({ z: landmark.z, order: -view.landmarks.length + index,
                 draw: marker.bind(null, landmark, landmark.at[0], landmark.at[1], undefined) });
  });
  looks.sort(function (p, q) { return p.z - q.z || p.order - q.order; });
  looks.forEach(function (item) { item.draw(); });
  ctx.restore();
}

var step = 0, playing = false, lossStep = 0, lossTime = -Infinity;
// While the reader drags the step slider or holds a key, a picture that takes long to draw
// exactly (a swarm's thousands of trails) is drawn the quick way, as while playing, and
// exactly a moment after the last move.
var quickUntil = 0, exactTimer = 0, QUICK_MS = 200;
function quickly() { return performance.now() < quickUntil; }
function hurry() {
  quickUntil = performance.now() + QUICK_MS;
  if (exactTimer) clearTimeout(exactTimer);
  exactTimer = setTimeout(function () { exactTimer = 0; if (!playing) draw(); }, QUICK_MS + 20);
}
var frames = 0, drawTime = 0;
function draw() {
  var began = performance.now();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  var fromCache = playing && cached;
  if (fromCache) {
    extendCaches(step);
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = trailAlpha;
    ctx.drawImage(trailCache, 0, 0);
    ctx.globalAlpha = 1;
    if (extras.panels) extras.panels.blit();
    ctx.restore();
  }
  for (var v = 0; v < views.length; v++) drawView(v, step, fromCache && v === flat);
  if (extras.panels) extras.panels.draw(step, fromCache);
  // A loss that changes every frame cannot be read: while playing it changes 4 times a second.
  if (!playing || step === N || began - lossTime >= 250) { lossStep = step; lossTime = began; }
  ctx.textBaseline = "middle";
  for (var i = 0; i < count; i++) {
    var now = data.swarm ? extras.swarm.state(i, step) : state(i, step);
    var spot = racers[i].status;
    ctx.font = (now === "arrived" ? "bold " : "") + data.font.size + "px " + data.font.sans;
    ctx.fillStyle = now === "diverged" ? data.colors.muted : data.colors.text;
    ctx.textAlign = spot.align;
    ctx.fillText(statusText(i, step, Math.min(lossStep, step)), spot.at[0], spot.at[1]);
    if (racers[i].labelSpot) {  // a label the knobs change
      var label = racers[i].labelSpot;
      ctx.font = data.font.size + "px " + data.font.sans;
      ctx.fillStyle = data.colors.text;
      ctx.textAlign = label.align;
      ctx.fillText(shortened(runs[i].label, racers[i].labelLimit), label.at[0], label.at[1]);
    }
  }
  ctx.font = data.font.size + "px " + data.font.mono;
  ctx.fillStyle = data.colors.text;
  ctx.textAlign = data.counter.align;
  ctx.fillText(counterText(step), data.counter.at[0], data.counter.at[1]);
  frames += 1;
  drawTime += performance.now() - began;
}
// A label cut with an ellipsis to at most `limit` pixels, as the scoreboard cuts it.
function shortened(label, limit) {
  if (ctx.measureText(label).width <= limit) return label;
  while (label.length > 1 && ctx.measureText(label + "\u2026").width > limit) label = label.slice(0, -1);
  return label.replace(/\s+$/, "") + "\u2026";
}
// The page's own fonts (data: URLs, for characters the reader's fonts may lack) load
// when first asked for: ask now, and draw again once they are there.
var fontsLoaded = !(data.font.embedded || []).length || !document.fonts ? Promise.resolve() :
  Promise.all(data.font.embedded.map(function (face) { return document.fonts.load(face); }))
    .then(function () { draw(); }, function () {});
