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
function glyphs(step, v) {
  var view = views[v], items = [];
  ctx.lineJoin = "round";
  ctx.lineCap = "butt";
  ctx.lineWidth = glyphData.lineWidth * S;
  glyphData.racers.forEach(function (i, row) {
    var run = runs[i], k = shown(i, step);
    if (state(i, step) !== "racing" || k >= N) return;
    var origin = [run.x[k], run.y[k]], color = glyphData.colors[row];
    glyphOrder.forEach(function (kind) {
      var vector = glyphVector(run, kind, k);
      vector = clipped(origin, [vector[0] * glyphData.magnify, vector[1] * glyphData.magnify]);
      if (vector[0] === 0 && vector[1] === 0) return;
      var path = arrowPath(view, origin, vector);
      if (!path) return;
      if (kind !== "gradient") {
        ctx.globalAlpha = kind === "velocity" ? glyphData.faded : 1;
        ctx.fillStyle = color;
        ctx.fill(path);
        ctx.globalAlpha = 1;
      }
      ctx.strokeStyle = color;
      ctx.stroke(path);
    });
  });
  // The step scale: a dashed box centred on the head, snapped like Agg's rectangles.
  glyphData.racers.forEach(function (i, row) {
    var run = runs[i], k = shown(i, step);
    if (state(i, step) !== "racing" || k >= N) return;
    var scale = glyphVector(run, "scale", k);
    if (!(isFinite(scale[0]) && isFinite(scale[1]))) return;
    var t = view.toPixel, bs = glyphData.boxScale;
    var x0 = t[0] * (run.x[k] - scale[0] * bs) + t[1], x1 = t[0] * (run.x[k] + scale[0] * bs) + t[1];
    var y0 = t[2] * (run.y[k] - scale[1] * bs) + t[3], y1 = t[2] * (run.y[k] + scale[1] * bs) + t[3];
    var width = glyphData.box.width * S, snap = snapValue(true, width);
    function s(u) { return Math.floor(u + 0.5) + snap; }
    var path = new Path2D();
    path.moveTo(s(x0), s(y0)); path.lineTo(s(x1), s(y0)); path.lineTo(s(x1), s(y1));
    path.lineTo(s(x0), s(y1)); path.closePath();
    ctx.strokeStyle = glyphData.colors[row];
    ctx.lineWidth = width;
    ctx.lineJoin = "miter";
    ctx.setLineDash(glyphData.box.dashes.map(function (d) { return d * S; }));
    ctx.stroke(path);
    ctx.setLineDash([]);
  });
}

extras.glyphs = { z: glyphData.z, draw: glyphs };
