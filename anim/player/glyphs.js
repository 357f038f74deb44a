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
// The vector shortened so that its tip stays inside the plot.
function clipped(origin, vector) {
  if (!(isFinite(vector[0]) && isFinite(vector[1]))) return [0, 0];
  var room = Infinity;
  for (var a = 0; a < 2; a++) {
    var limit = vector[a] > 0 ? (glyphData.high[a] - origin[a]) / vector[a]
      : vector[a] < 0 ? (glyphData.low[a] - origin[a]) / vector[a] : Infinity;
    if (limit !== limit) limit = Infinity;
    room = Math.min(room, limit);
  }
  var scale = Math.max(0, Math.min(1, room));
  return [vector[0] * scale, vector[1] * scale];
}
function arrowPath(view, origin, vector) {
  var t = view.toPixel;
  var sx = t[0] * origin[0] + t[1], sy = t[2] * origin[1] + t[3];
  var ax = t[0] * vector[0], ay = t[2] * vector[1], length = Math.hypot(ax, ay);
  var path = new Path2D();
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
function glyphsAt(step) {
  var arrows = [], boxes = [];
  glyphData.racers.forEach(function (i, row) {
    var run = runs[i], k = shown(i, step);
    if (state(i, step) !== "racing" || k >= N) return;
    var origin = [run.x[k], run.y[k]];
    glyphOrder.forEach(function (kind) {
      var vector = glyphVector(run, kind, k);
      vector = clipped(origin, [vector[0] * glyphData.magnify, vector[1] * glyphData.magnify]);
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
  var view = views[v], shownNow = glyphsAt(step);
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

extras.glyphs = { z: glyphData.z, draw: glyphs, at: glyphsAt };
