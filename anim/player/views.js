/* anim's player, part 2: where a run's points land in each plot view.
 *
 * The contour view maps (x, y) to pixels with one affine transform. The 3D view's camera
 * is fixed and orthographic: (x, y, z) maps to pixels with one affine transform too,
 * z being the height the figure lifts a point of loss f to (just above the surface; on
 * a log scale for surfaces that span decades). Trail points outside the 3D box are left
 * out, as matplotlib leaves them out; heads never are.
 */
var views = data.views;

function heightOf(view, f) {
  var h = view.height;
  var z = h.log ? Math.log10(Math.max(f - h.lowest, 0) + h.delta) : f;
  return z + h.lift;
}
function project(view, x, y, z) {
  var p = view.project;
  return [p[0][0] * x + p[0][1] * y + p[0][2] * z + p[0][3],
          p[1][0] * x + p[1][1] * y + p[1][2] * z + p[1][3]];
}
function toCanvas(view, x, y, f) {
  if (view.kind === "2d") {
    var t = view.toPixel;
    return [t[0] * x + t[1], t[2] * y + t[3]];
  }
  return project(view, x, y, heightOf(view, f));
}

// A point within THIN pixels of the last one kept adds nothing visible to a line
// (matplotlib simplifies its lines likewise): a long crawl costs a few hundred
// segments a frame instead of thousands.
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
// The points at least `gap` pixels apart, each from the last one kept (the trail's dots).
function spaced(xs, ys, gap) {
  var kept = [0], lastX = xs[0], lastY = ys[0];
  for (var k = 1; k < xs.length; k++) {
    if (Math.hypot(xs[k] - lastX, ys[k] - lastY) >= gap) { kept.push(k); lastX = xs[k]; lastY = ys[k]; }
  }
  return Int32Array.from(kept);
}

// A run's points in view v: the trail's pixels (NaN where not drawn), its thinned line,
// its dots and, in 3D, the points of the line in sight and of the line behind a hill.
function pixelsOf(run, v) {
  var made = run.pixels[v];
  if (made) return made;
  var view = views[v], n = run.n, xs = new Float64Array(n), ys = new Float64Array(n);
  var free = new Float64Array(2 * n), k, point;
  for (k = 0; k < n; k++) {
    point = toCanvas(view, run.x[k], run.y[k], run.loss[k]);
    free[2 * k] = point[0]; free[2 * k + 1] = point[1];
    xs[k] = point[0]; ys[k] = point[1];
    if (view.kind === "3d") {
      var c = view.clip, z = heightOf(view, run.loss[k]);
      var inside = run.x[k] >= c[0] && run.x[k] <= c[1] && run.y[k] >= c[2] && run.y[k] <= c[3] && z >= c[4] && z <= c[5];
      if (!inside) { xs[k] = NaN; ys[k] = NaN; }
    }
  }
  made = { xs: xs, ys: ys, free: free };
  if (run.dots && run.dots[v]) {
    made.dots = run.dots[v];
  } else {  // as the figure spaces them: on every point, drawn or not (NaN as 0 in 3D)
    var dx = new Float64Array(n), dy = new Float64Array(n);
    for (k = 0; k < n; k++) {
      if (view.kind === "3d") {
        point = toCanvas(view, run.x[k] || 0, run.y[k] || 0, run.loss[k] === run.loss[k] ? run.loss[k] : 0);
        dx[k] = point[0]; dy[k] = point[1];
      } else { dx[k] = free[2 * k]; dy[k] = free[2 * k + 1]; }
    }
    made.dots = spaced(dx, dy, view.dotGap || 2.5 * S);
  }
  var hidden = run.hidden && run.hidden[v];
  if (view.kind === "3d" && hidden) {
    // A segment with one end hidden belongs to the line behind the hill.
    var seenX = new Float64Array(n), seenY = new Float64Array(n);
    var behindX = new Float64Array(n), behindY = new Float64Array(n), any = false;
    for (k = 0; k < n; k++) {
      var behind = hidden[k] || (k > 0 && hidden[k - 1]) || (k + 1 < n && hidden[k + 1]);
      seenX[k] = hidden[k] ? NaN : xs[k]; seenY[k] = hidden[k] ? NaN : ys[k];
      behindX[k] = behind ? xs[k] : NaN; behindY[k] = behind ? ys[k] : NaN;
      any = any || !!hidden[k];
    }
    made.line = thinned(seenX, seenY);
    made.behind = any ? { xs: behindX, ys: behindY, hidden: hidden } : null;
  } else {
    made.line = thinned(xs, ys);
    made.behind = null;
  }
  return made;
}

// The heads of the race as the scene ran it are where its figure draws them: on each
// path's shown point, but for the runs of steps the figure placed a head elsewhere
// (fanned out, at the edge), which the page carries. Once a knob swaps a run, heads.js
// places the heads by the figure's rules (a fan of close heads, ✗ at the edge).
var sceneHeads = [];  // per view, made when first drawn: (racers, N + 1, 2)
function sceneHeadsIn(v) {
  if (sceneHeads[v]) return sceneHeads[v];
  var table = new Float64Array(count * (N + 1) * 2), i, k;
  for (i = 0; i < count; i++) {
    var made = pixelsOf(sceneRuns[i], v), r = sceneRuns[i];
    for (k = 0; k <= N; k++) {
      var at = shownIn(r, k);
      table[2 * (i * (N + 1) + k)] = made.free[2 * at];
      table[2 * (i * (N + 1) + k) + 1] = made.free[2 * at + 1];
    }
  }
  var moves = data.runs.heads[v], runs = decode(moves.runs, Int32Array);
  var points = decode(moves.points, Float32Array);
  for (var m = 0; m < runs.length / 3; m++) {
    for (k = runs[3 * m + 1]; k <= runs[3 * m + 2]; k++) {
      table[2 * (runs[3 * m] * (N + 1) + k)] = points[2 * m];
      table[2 * (runs[3 * m] * (N + 1) + k) + 1] = points[2 * m + 1];
    }
  }
  sceneHeads[v] = table;
  return table;
}
function headsAt(step, v) {
  var points = [], i, asRun = !!data.runs;
  for (i = 0; i < count; i++) asRun = asRun && runs[i] === sceneRuns[i];
  if (asRun || !extras.heads) {
    var table = sceneHeadsIn(v);
    for (i = 0; i < count; i++) {
      points.push([table[2 * (i * (N + 1) + step)], table[2 * (i * (N + 1) + step) + 1]]);
    }
    return points;
  }
  return extras.heads.place(step, v);
}
// The view the page's tests and tooltips read heads from: the contour view if shown.
var mainView = views.length - 1;
