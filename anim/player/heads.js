/* anim's player, the heads of combined races (with the knobs): once a knob swaps a
 * racer's race, the player places every head itself, by the figure's rules. */
// Where racer i's head is drawn in view v at a step, before heads are fanned out: on its
// path's shown point, or where the figure's rules move it (at the edge; pagedata/heads.py).
function headPoint(i, step, v) {
  var r = runs[i], moves = r.unfanned && r.unfanned[v];
  if (moves) {
    for (var m = 0; m < moves.length; m++) {
      if (moves[m][0] <= step && step <= moves[m][1]) return [moves[m][2], moves[m][3]];
    }
  }
  var k = shown(i, step), made = pixelsOf(r, v);
  return [made.free[2 * k], made.free[2 * k + 1]];
}
// Heads closer than the view's gap spread on a ring around their centre, in the racers'
// order; a ring with an arrived head on it is moved inside that head's goal circle
// (anim/figure/racers.py's fan_out, with y pointing down).
function fanOut(points, gap, circles, margin) {
  var n = points.length, group = [], i, j;
  var px = points.map(function (p) { return p[0] === p[0] && p[1] === p[1] ? p[0] : 1e12; });
  var py = points.map(function (p) { return p[0] === p[0] && p[1] === p[1] ? p[1] : 1e12; });
  for (i = 0; i < n; i++) {
    group.push([]);
    for (j = 0; j < n; j++) group[i].push(Math.hypot(px[i] - px[j], py[i] - py[j]) < gap);
  }
  for (var changed = true; changed;) {  // transitive closure
    changed = false;
    for (i = 0; i < n; i++) for (j = 0; j < n; j++) {
      if (group[i][j]) continue;
      for (var m = 0; m < n; m++) {
        if (group[i][m] && group[m][j]) { group[i][j] = true; changed = true; break; }
      }
    }
  }
  return points.map(function (point, a) {
    if (point[0] !== point[0] || point[1] !== point[1]) return point;
    var size = 0, rank = 0, cx = 0, cy = 0, bound = null;
    for (var b = 0; b < n; b++) {
      if (!group[a][b]) continue;
      size += 1; cx += px[b]; cy += py[b];
      if (b < a) rank += 1;
      if (!bound && circles && circles[b]) bound = circles[b];  // its first held member's
    }
    if (size < 2) return point;
    cx /= size; cy /= size;
    var radius = gap / (2 * Math.sin(Math.PI / size)), angle = Math.PI + 2 * Math.PI * rank / size;
    if (bound) {
      var ox = cx - bound[0], oy = cy - bound[1], distance = Math.hypot(ox, oy);
      var room = Math.max(bound[2] - margin - radius, 0);
      if (distance > room) { cx = bound[0] + ox * room / distance; cy = bound[1] + oy * room / distance; }
    }
    return [cx + radius * Math.cos(angle), cy - radius * Math.sin(angle)];
  });
}
// The heads placed by the player itself: each on its point or moved (headPoint), fanned
// out, an arrived one's ring held in its goal circle.
function placedHeads(step, v) {
  var points = [], circles = [], held = data.heads && data.heads.circles[v];
  for (var i = 0; i < count; i++) {
    points.push(headPoint(i, step, v));
    var r = runs[i], holds = r.arrival !== null && r.arrival <= step && !data.noisy;
    circles.push(holds && held && held[r.arrivedAt] ? held[r.arrivedAt] : null);
  }
  return fanOut(points, views[v].fanGap, circles, data.heads ? data.heads.margin : 0);
}
extras.heads = { place: placedHeads };
