/* anim's player: draws a race over its background picture. No library, no network.
 *
 * Every position is in the picture's own pixels ("render pixels", origin top left, the
 * size the page was rendered at); the canvas is scaled to its shown size times the
 * device pixel ratio, so at 1:1 a head lands on the pixel matplotlib draws it on.
 * Drawing order mirrors the figure: trails, finished heads, goal and start, racing heads.
 */
(function () {
  "use strict";
  var root = document.currentScript.parentElement;
  var data = JSON.parse(root.querySelector(".anim-data").textContent);
  var W = data.width, H = data.height, N = data.steps, S = data.scale;
  var stage = root.querySelector(".anim-stage");
  var canvas = root.querySelector(".anim-racers");
  var ctx = canvas.getContext("2d");
  var tip = root.querySelector(".anim-tip");
  var playButton = root.querySelector(".anim-play");
  var scrubber = root.querySelector(".anim-scrubber");
  var readout = root.querySelector(".anim-step");
  var speedSelect = root.querySelector(".anim-speed");

  function decode(text, Type) {
    var binary = atob(text), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new Type(bytes.buffer);
  }
  var paths = decode(data.arrays.paths, Float32Array);    // (racers, N + 1, 2), data
  var losses = decode(data.arrays.losses, Float64Array);  // (racers, N + 1)
  var racers = data.racers, count = racers.length;
  var toPixel = data.plot.toPixel;
  // Where each head is drawn: on its path's point, except the runs the figure moved
  // (fanned out so no head covers another, or a diverged one's ✗ at the edge).
  var heads = new Float64Array(count * (N + 1) * 2);
  (function () {
    for (var i = 0; i < count; i++) {
      for (var k = 0; k <= N; k++) {
        var at = i * (N + 1) + k, point = i * (N + 1) + shown(i, k);
        heads[2 * at] = toPixel[0] * paths[2 * point] + toPixel[1];
        heads[2 * at + 1] = toPixel[2] * paths[2 * point + 1] + toPixel[3];
      }
    }
    var runs = decode(data.arrays.headRuns, Int32Array), points = decode(data.arrays.headPoints, Float32Array);
    for (var r = 0; r < runs.length / 3; r++) {
      for (var s = runs[3 * r + 1]; s <= runs[3 * r + 2]; s++) {
        heads[2 * (runs[3 * r] * (N + 1) + s)] = points[2 * r];
        heads[2 * (runs[3 * r] * (N + 1) + s) + 1] = points[2 * r + 1];
      }
    }
  })();
  var markers = data.markers;

  // --- the race at a step (as anim/race.py and anim/board.py say) ----------------------
  function shown(i, step) {
    var r = racers[i];
    return step < r.shownFrom ? step : r.shownAt;
  }
  function state(i, step) {
    var r = racers[i];
    if (r.arrival !== null && r.arrival <= step) return "arrived";
    if (r.diverged !== null && r.diverged <= step) return "diverged";
    return "racing";
  }
  function loss(i, k) { return losses[i * (N + 1) + k]; }
  function pointX(i, k) { return paths[2 * (i * (N + 1) + k)]; }
  function pointY(i, k) { return paths[2 * (i * (N + 1) + k) + 1]; }

  // Python's format(value, ".<digits>g"), rounding half to even like Python does.
  function formatG(value, digits) {
    if (value !== value) return "nan";
    if (!isFinite(value)) return value > 0 ? "inf" : "-inf";
    var sign = value < 0 || Object.is(value, -0) ? "-" : "";
    value = Math.abs(value);
    if (value === 0) return sign + "0";
    var parts = value.toExponential(20).split("e");
    var all = parts[0].replace(".", ""), exponent = +parts[1];
    var head = all.slice(0, digits), rest = all.slice(digits), kept = +head;
    if (rest[0] > "5" || (rest[0] === "5" && (/[1-9]/.test(rest.slice(1)) || kept % 2 === 1))) {
      kept += 1;
      if (String(kept).length > digits) { kept = Math.pow(10, digits - 1); exponent += 1; }
    }
    head = String(kept);
    var text;
    if (exponent < -4 || exponent >= digits) {
      var mantissa = (head[0] + "." + head.slice(1)).replace(/\.?0+$/, "");
      var power = String(Math.abs(exponent));
      text = mantissa + "e" + (exponent < 0 ? "-" : "+") + (power.length < 2 ? "0" + power : power);
    } else if (exponent >= digits - 1) {
      text = head + "0".repeat(exponent - digits + 1);
    } else if (exponent >= 0) {
      text = (head.slice(0, exponent + 1) + "." + head.slice(exponent + 1)).replace(/\.?0+$/, "");
    } else {
      text = ("0." + "0".repeat(-exponent - 1) + head).replace(/0+$/, "");
    }
    return sign + text;
  }
  function number(value) { return formatG(value, 3).replace(/-/g, "\u2212"); }
  function ordinal(place) {
    var tens = place % 100, ones = place % 10;
    var suffix = tens >= 10 && tens <= 20 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" }[ones] || "th");
    return place + suffix;
  }
  function statusText(i, step, lossStep) {
    var r = racers[i], now = state(i, step);
    if (now === "arrived") {
      var text = ordinal(r.place) + " \u00b7 step " + r.arrival;
      if (data.goals > 1) text += " at (" + number(r.arrivedAt[0]) + ", " + number(r.arrivedAt[1]) + ")";
      return text;
    }
    if (now === "diverged") return "\u2717 step " + r.diverged;
    var value = loss(i, lossStep === undefined ? step : lossStep);
    return value !== value ? "f = \u2014" : "f = " + number(value);
  }
  function counterText(step) {
    var digits = String(step);
    while (digits.length < data.counter.digits) digits = " " + digits;
    return "step " + digits + " / " + N;
  }

  // --- drawing ------------------------------------------------------------------------
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
    // A loss that changes every frame cannot be read: while playing it changes 5 times a second.
    if (!playing || step === N || began - lossTime >= 200) { lossStep = step; lossTime = began; }
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

  // --- playing ------------------------------------------------------------------------
  var speed = 1, startedAt = 0, startStep = 0, request = 0;
  function show(next) {
    step = Math.max(0, Math.min(N, Math.round(next)));
    scrubber.value = String(step);
    readout.textContent = step + " / " + N;
    draw();
  }
  function tick(now) {
    request = 0;
    if (!playing) return;
    var next = startStep + Math.floor((now - startedAt) / 1000 * data.fps * speed);
    if (next >= N) { show(N); pause(); return; }
    if (next !== step) show(next);
    request = requestAnimationFrame(tick);
  }
  function play() {
    if (playing) return;
    if (step >= N) show(0);
    playing = true;
    cacheStep = -1;
    startedAt = performance.now();
    startStep = step;
    playButton.textContent = "\u275a\u275a";
    playButton.setAttribute("aria-label", "Pause (space)");
    if (!request) request = requestAnimationFrame(tick);
  }
  function pause() {
    playing = false;
    if (request) { cancelAnimationFrame(request); request = 0; }
    playButton.textContent = "\u25b6\ufe0e";
    playButton.setAttribute("aria-label", "Play (space)");
    draw();  // the exact loss, not the one refreshed while playing
  }
  function toggle() { if (playing) pause(); else play(); }
  function stepBy(delta) { pause(); show(step + delta); }
  function setSpeed(value) {
    if (playing) { startStep = step; startedAt = performance.now(); }
    speed = value;
  }

  playButton.addEventListener("click", toggle);
  root.querySelector(".anim-back").addEventListener("click", function () { stepBy(-1); });
  root.querySelector(".anim-forward").addEventListener("click", function () { stepBy(1); });
  scrubber.addEventListener("input", function () { pause(); show(+scrubber.value); });
  speedSelect.addEventListener("change", function () { setSpeed(+speedSelect.value); });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target, tag = target && target.tagName;
    if (tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && target !== scrubber)) return;
    var key = event.key;
    if (key === " " || key === "Spacebar") { event.preventDefault(); toggle(); return; }
    if (target === scrubber) return;  // the scrubber steps with the arrow keys itself
    var moves = { ArrowLeft: -1, ArrowRight: 1, ArrowDown: -1, ArrowUp: 1 };
    if (key in moves) { event.preventDefault(); stepBy(moves[key] * (event.shiftKey ? 10 : 1)); }
    else if (key === "Home") { event.preventDefault(); stepBy(-N); }
    else if (key === "End") { event.preventDefault(); stepBy(N); }
  });
  // Space on a focused button would also click it: the keydown above already toggled.
  document.addEventListener("keyup", function (event) {
    if (event.key === " " && event.target && event.target.tagName === "BUTTON") event.preventDefault();
  });

  // --- hovering -----------------------------------------------------------------------
  function nearest(x, y) {
    var best = null, reach, i, k;
    for (i = 0; i < count; i++) {  // heads first: they are drawn on top
      var look = racers[i].head[state(i, step)], at = headAt(i, step);
      reach = look.size * S / 2 + 2;
      var dh = Math.hypot(at[0] - x, at[1] - y);
      if (dh <= reach && (!best || dh < best.distance)) best = { racer: i, point: shown(i, step), distance: dh, head: true };
    }
    if (best) return best;
    reach = 5;
    for (i = 0; i < count; i++) {
      var last = shown(i, step), px = null, py = null;
      for (k = 0; k <= last; k++) {
        var qx = toPixel[0] * pointX(i, k) + toPixel[1], qy = toPixel[2] * pointY(i, k) + toPixel[3];
        if (qx !== qx || qy !== qy) { px = null; continue; }
        var t = 0;
        if (px !== null) {
          var dx = qx - px, dy = qy - py, length = dx * dx + dy * dy;
          t = length > 0 ? Math.max(0, Math.min(1, ((x - px) * dx + (y - py) * dy) / length)) : 0;
        }
        var cx = px === null ? qx : px + t * (qx - px), cy = py === null ? qy : py + t * (qy - py);
        var d = Math.hypot(cx - x, cy - y);
        if (d <= reach && (!best || d < best.distance)) {
          best = { racer: i, point: px === null || t >= 0.5 ? k : k - 1, distance: d, head: false };
        }
        px = qx; py = qy;
      }
    }
    return best;
  }
  function describe(hit) {
    var r = racers[hit.racer], k = hit.point, now = state(hit.racer, step);
    var lines = [r.hyperparameters,
                 "step " + k + " \u00b7 (x, y) = (" + number4(pointX(hit.racer, k)) + ", " +
                   number4(pointY(hit.racer, k)) + ")",
                 "f = " + number4(loss(hit.racer, k))];
    if (hit.head && now !== "racing") lines.push(statusText(hit.racer, step));
    tip.textContent = "";
    var title = document.createElement("b"), swatch = document.createElement("i");
    swatch.style.background = r.color;
    title.appendChild(swatch);
    title.appendChild(document.createTextNode(r.label));
    tip.appendChild(title);
    lines.forEach(function (line) {
      var element = document.createElement("div");
      element.textContent = line;
      tip.appendChild(element);
    });
  }
  function number4(value) { return formatG(value, 4).replace(/-/g, "\u2212"); }
  function hover(event) {
    var box = stage.getBoundingClientRect();
    var x = (event.clientX - box.left) * W / box.width, y = (event.clientY - box.top) * H / box.height;
    var hit = nearest(x, y);
    if (!hit) { tip.hidden = true; canvas.style.cursor = ""; return; }
    describe(hit);
    tip.hidden = false;
    canvas.style.cursor = "pointer";
    var left = event.clientX - box.left + 14, top = event.clientY - box.top + 14;
    if (left + tip.offsetWidth > box.width) left = Math.max(0, event.clientX - box.left - tip.offsetWidth - 10);
    if (top + tip.offsetHeight > box.height) top = Math.max(0, event.clientY - box.top - tip.offsetHeight - 10);
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }
  canvas.addEventListener("pointermove", hover);
  canvas.addEventListener("pointerleave", function () { tip.hidden = true; });

  // --- start --------------------------------------------------------------------------
  function hashStep() {
    var match = /(?:^#|&)step=(\d+)/.exec(location.hash || "");
    return match ? +match[1] : null;
  }
  window.addEventListener("hashchange", function () {
    var wanted = hashStep();
    if (wanted !== null) { pause(); show(wanted); }
  });
  function fitFrame() {  // inside an <iframe data-anim-fit>, make the frame as tall as the page
    try {
      var frame = window.frameElement;
      if (frame && frame.hasAttribute("data-anim-fit")) {
        frame.style.height = Math.ceil(root.getBoundingClientRect().height) + "px";
      }
    } catch (error) { /* a frame from another origin: its own size stays */ }
  }
  if (window.ResizeObserver) {
    new ResizeObserver(function () { resize(); fitFrame(); }).observe(stage);
  } else {
    window.addEventListener("resize", function () { resize(); fitFrame(); });
  }
  resize();
  fitFrame();
  var wanted = hashStep();
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  if (wanted !== null) {
    show(wanted);
  } else if (still) {
    show(N);
  } else if (window.IntersectionObserver) {  // start playing when the reader gets there
    show(0);
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) { seen.disconnect(); play(); }
    });
    seen.observe(stage);
  } else {
    show(0);
    play();
  }

  var api = {
    step: function () { return step; },
    steps: N,
    setStep: function (k) { pause(); show(k); },
    play: play, pause: pause, toggle: toggle,
    playing: function () { return playing; },
    setSpeed: function (value) { speedSelect.value = String(value); setSpeed(value); },
    headPixels: function () {
      var out = [];
      for (var i = 0; i < count; i++) out.push(headAt(i, step));
      return out;
    },
    statusText: statusText, counterText: counterText, formatG: formatG,
    state: state,
    stats: function () { return { frames: frames, drawMs: drawTime }; },
    // Draws step k as it is drawn while playing (from the growing trails), for tests.
    showAsPlaying: function (k) { var was = playing; playing = true; show(k); playing = was; }
  };
  root.animPlayer = api;
  window.animPlayer = api;
})();
