/* anim's player, the step glyphs (when the page explains racers): at each explained
 * head, −lr·∇f (an outlined arrow), the step taken (solid), the velocity −lr·v
 * (translucent), and the step scale lr/√h as a dashed box — as anim/figure/glyphs.py
 * draws them, one magnification for all arrows and one scale for all boxes. */
var glyphOrder = ["velocity", "gradient", "step"];
function glyphVector(run, kind, k) {
  if (kind === "step") {
    if (k + 1 >= run.n) return [NaN, NaN];
    return [run.x[k + 1] - run.x[k], run.y[k + 1] - run.y[k]];
  }
  var values = run[kind];
  if (!values || 2 * k + 1 >= values.length) return [NaN, NaN];
  return [values[2 * k], values[2 * k + 1]];
}
// The vector shortened so that its tip stays inside the view's bounds.
function clipped(origin, vector, bounds) {
  if (!(isFinite(vector[0]) && isFinite(vector[1]))) return [0, 0];
  var room = Infinity;
  for (var a = 0; a < 2; a++) {
    var limit = vector[a] > 0 ? (bounds.high[a] - origin[a]) / vector[a]
      : vector[a] < 0 ? (bounds.low[a] - origin[a]) / vector[a] : Infinity;
    if (limit !== limit) limit = Infinity;
    room = Math.min(room, limit);
  }
  var scale = Math.max(0, Math.min(1, room));
  return [vector[0] * scale, vector[1] * scale];
}
function arrowPath(view, origin, vector) {
  var t = view.toPixel;
  return arrowFrom(t[0] * origin[0] + t[1], t[2] * origin[1] + t[3], t[0] * vector[0], t[2] * vector[1]);
}
// An arrow from pixel (sx, sy) along the pixel vector (ax, ay): its head one size whatever
// the arrow's length (glyphs.py's arrow()).
function arrowFrom(sx, sy, ax, ay) {
  var length = Math.hypot(ax, ay), path = new Path2D();
  if (length === 0) return null;
  var dx = ax / length, dy = ay / length, nx = -dy, ny = dx;
  var head = Math.min(glyphData.headLength, length);
  var neckX = sx + dx * (length - head), neckY = sy + dy * (length - head);
  var shaft = 0.5 * glyphData.shaft, wing = 0.5 * glyphData.headWidth;
  path.moveTo(sx + shaft * nx, sy + shaft * ny);
  path.lineTo(neckX + shaft * nx, neckY + shaft * ny);
  path.lineTo(neckX + wing * nx, neckY + wing * ny);
  path.lineTo(sx + ax, sy + ay);
  path.lineTo(neckX - wing * nx, neckY - wing * ny);
  path.lineTo(neckX - shaft * nx, neckY - shaft * ny);
  path.lineTo(sx - shaft * nx, sy - shaft * ny);
  path.closePath();
  return path;
}
// What the glyphs show after `step`: arrows (racer, kind, origin, vector in data units,
// magnified and shortened to the plot) and boxes (racer, centre, half sides in data units).
function glyphsAt(step, v) {
  var arrows = [], boxes = [], bounds = glyphData.views[String(v === undefined ? mainView : v)];
  glyphData.racers.forEach(function (i, row) {
    var run = runs[i], k = shown(i, step);
    if (state(i, step) !== "racing" || k >= N) return;
    var origin = [run.x[k], run.y[k]];
    glyphOrder.forEach(function (kind) {
      var vector = glyphVector(run, kind, k);
      vector = clipped(origin, [vector[0] * glyphData.magnify, vector[1] * glyphData.magnify], bounds);
      if (vector[0] !== 0 || vector[1] !== 0) arrows.push({ racer: i, row: row, kind: kind, origin: origin, vector: vector });
    });
    var scale = glyphVector(run, "scale", k);
    if (isFinite(scale[0]) && isFinite(scale[1])) {
      boxes.push({ racer: i, row: row, centre: origin,
                   half: [scale[0] * glyphData.boxScale, scale[1] * glyphData.boxScale] });
    }
  });
  return { arrows: arrows, boxes: boxes };
}
function glyphs(step, v) {
  if (views[v].kind === "3d") { glyphs3d(step, v); return; }
  var view = views[v], shownNow = glyphsAt(step, v);
  ctx.lineJoin = "round";
  ctx.lineCap = "butt";
  ctx.lineWidth = glyphData.lineWidth * S;
  shownNow.arrows.forEach(function (arrow) {
    var path = arrowPath(view, arrow.origin, arrow.vector), color = glyphData.colors[arrow.row];
    if (!path) return;
    if (arrow.kind !== "gradient") {
      ctx.globalAlpha = arrow.kind === "velocity" ? glyphData.faded : 1;
      ctx.fillStyle = color;
      ctx.fill(path);
      ctx.globalAlpha = 1;
    }
    ctx.strokeStyle = color;
    ctx.stroke(path);
  });
  // The step scale: a dashed box centred on the head, snapped like Agg's rectangles.
  shownNow.boxes.forEach(function (box) {
    var t = view.toPixel, c = box.centre, h = box.half;
    var x0 = t[0] * (c[0] - h[0]) + t[1], x1 = t[0] * (c[0] + h[0]) + t[1];
    var y0 = t[2] * (c[1] - h[1]) + t[3], y1 = t[2] * (c[1] + h[1]) + t[3];
    var width = glyphData.box.width * S, snap = snapValue(true, width);
    function s(u) { return Math.floor(u + 0.5) + snap; }
    var path = new Path2D();
    path.moveTo(s(x0), s(y0)); path.lineTo(s(x1), s(y0)); path.lineTo(s(x1), s(y1));
    path.lineTo(s(x0), s(y1)); path.closePath();
    ctx.strokeStyle = glyphData.colors[box.row];
    ctx.lineWidth = width;
    ctx.lineJoin = "miter";
    ctx.setLineDash(glyphData.box.dashes.map(function (d) { return d * S; }));
    ctx.stroke(path);
    ctx.setLineDash([]);
  });
}

// --- in the 3D view: in the tangent plane of the drawn surface at the head ------------
// An arrow (vx, vy) becomes (vx, vy, ∇h·(vx, vy)) at the head's point on the surface, a
// box of half-sides (sx, sy) the parallelogram of that plane above it (glyphs3d.py).
function lifted(run, k) { return [run.x[k], run.y[k], heightOf(views[glyphView3d], run.loss[k])]; }
var glyphView3d = -1;
views.forEach(function (view, v) { if (view.kind === "3d") glyphView3d = v; });
function glyphs3d(step, v) {
  var view = views[v], shownNow = glyphsAt(step, v), area = glyphData.views[String(v)].area;
  ctx.save();
  ctx.beginPath();
  ctx.rect(area[0], area[1], area[2], area[3]);
  ctx.clip();
  ctx.lineJoin = "round";
  ctx.lineCap = "butt";
  ctx.lineWidth = glyphData.lineWidth * S;
  shownNow.arrows.forEach(function (arrow) {
    var run = runs[arrow.racer], k = shown(arrow.racer, step), slope = slopeAt(run, k);
    if (!slope) return;
    var o = lifted(run, k), v3 = [arrow.vector[0], arrow.vector[1], slope[0] * arrow.vector[0] + slope[1] * arrow.vector[1]];
    var start = project(view, o[0], o[1], o[2]), end = project(view, o[0] + v3[0], o[1] + v3[1], o[2] + v3[2]);
    var path = arrowFrom(start[0], start[1], end[0] - start[0], end[1] - start[1]), color = glyphData.colors[arrow.row];
    if (!path) return;
    if (arrow.kind !== "gradient") {
      ctx.globalAlpha = arrow.kind === "velocity" ? glyphData.faded : 1;
      ctx.fillStyle = color;
      ctx.fill(path);
      ctx.globalAlpha = 1;
    }
    ctx.strokeStyle = color;
    ctx.stroke(path);
  });
  ctx.lineWidth = glyphData.box.width * S;
  ctx.setLineDash(glyphData.box.dashes.map(function (d) { return d * glyphData.box.width * S; }));
  shownNow.boxes.forEach(function (box) {
    var run = runs[box.racer], k = shown(box.racer, step), slope = slopeAt(run, k);
    if (!slope) return;
    var o = lifted(run, k), path = new Path2D();
    [[-1, -1], [1, -1], [1, 1], [-1, 1]].forEach(function (sign, corner) {
      var dx = sign[0] * box.half[0], dy = sign[1] * box.half[1];
      var p = project(view, o[0] + dx, o[1] + dy, o[2] + slope[0] * dx + slope[1] * dy);
      if (corner) path.lineTo(p[0], p[1]); else path.moveTo(p[0], p[1]);
    });
    path.closePath();
    ctx.strokeStyle = glyphData.colors[box.row];
    ctx.stroke(path);
  });
  ctx.setLineDash([]);
  ctx.restore();
}
function slopeAt(run, k) {
  if (!run.slopes || 2 * k + 1 >= run.slopes.length) return null;
  var slope = [run.slopes[2 * k], run.slopes[2 * k + 1]];
  return isFinite(slope[0]) && isFinite(slope[1]) ? slope : null;
}

extras.glyphs = { z: glyphData.z, draw: glyphs, at: glyphsAt,
                  shows: function (v) { return String(v) in glyphData.views; } };
