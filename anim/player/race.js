/* anim's player, part 1: the races' numbers and what the scoreboard says.
 *
 * The player draws a race over its background picture; no library, no network.
 * anim/page.py joins race.js, views.js, draw.js, the optional parts the race needs and
 * controls.js, in this order, into one function run by the page's script element: they
 * share its variables.
 *
 * Every position is in the picture's own pixels ("render pixels", origin top left, the
 * size the page was rendered at); the canvas is scaled to its shown size times the
 * device pixel ratio, so at 1:1 a head lands on the pixel matplotlib draws it on.
 *
 * A "run" is one racer's race as the player draws it: its points up to where the
 * picture stops showing them, their losses, its arrival and divergence, and what the
 * glyphs and panels draw. Each racer shows one run at a time: the scene's own, or one
 * the knobs chose (knobs.js).
 */
var root = document.currentScript.parentElement;
var data = JSON.parse(root.querySelector(".anim-data").textContent);
var W = data.width, H = data.height, N = data.steps, S = data.scale;
var racers = data.racers, count = racers.length, markers = data.markers;
// The optional parts (glyphs.js, panels.js, swarm.js, knobs.js) register here; a page
// carries only the parts its race needs.
var extras = {};

function bytesOf(text) {
  var binary = atob(text), bytes = new Uint8Array(binary.length);
  for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
function decode(text, Type) { return new Type(bytesOf(text).buffer); }

// --- the scene's own runs ------------------------------------------------------------
var glyphData = data.glyphs, panels = data.panels;
var explainedAt = {};  // racer -> its row in the glyph arrays
if (glyphData) glyphData.racers.forEach(function (racer, row) { explainedAt[racer] = row; });
var lrPanel = null;
panels.forEach(function (panel) { if (panel.kind === "lr") lrPanel = panel; });
var lrRow = {};  // racer -> its row in the lr panel's rates
if (lrPanel) lrPanel.racers.forEach(function (racer, row) { lrRow[racer] = row; });
// The fidelity panels of projected training runs: per panel, racer -> its values after
// every step (the runs are recordings: no knob changes them).
var fidelityPanels = panels.filter(function (panel) { return panel.kind === "fidelity"; });
fidelityPanels.forEach(function (panel) {
  var values = decode(panel.values, Float64Array);
  panel.rows = {};
  panel.racers.forEach(function (racer, row) { panel.rows[racer] = values.subarray(row * (N + 1), (row + 1) * (N + 1)); });
});

// Rows of an (rows, steps, 2) float array as interleaved (x, y) arrays of one row each.
function rowsOf(array, rows, length) {
  var out = [];
  for (var r = 0; r < rows; r++) out.push(Float64Array.from(array.subarray(r * length * 2, (r + 1) * length * 2)));
  return out;
}
var sceneRuns = [];
if (data.runs) (function () {
  var arrays = data.runs.arrays;
  var paths = decode(arrays.paths, Float32Array), losses = decode(arrays.losses, Float64Array);
  var hidden = arrays.hidden ? decode(arrays.hidden, Uint8Array) : null;
  var glyphRows = {};
  if (glyphData) {
    var rows = glyphData.racers.length;
    glyphRows.gradient = rowsOf(decode(glyphData.arrays.gradient, Float32Array), rows, N);
    glyphRows.velocity = rowsOf(decode(glyphData.arrays.velocity, Float32Array), rows, N);
    glyphRows.scale = rowsOf(decode(glyphData.arrays.scale, Float32Array), rows, N);
    for (var key in glyphData.views) {  // the 3D view's slopes of the drawn surface
      if (glyphData.views[key].slopes) glyphRows.slopes = rowsOf(decode(glyphData.views[key].slopes, Float32Array), rows, N);
    }
  }
  var rates = lrPanel ? rowsOf(decode(lrPanel.rates, Float32Array), lrPanel.racers.length, N) : null;
  var reported = arrays.reported ? decode(arrays.reported, Float64Array) : null;
  for (var i = 0; i < count; i++) {
    var meta = data.runs.meta[i], x = new Float64Array(N + 1), y = new Float64Array(N + 1);
    for (var k = 0; k <= N; k++) { x[k] = paths[2 * (i * (N + 1) + k)]; y[k] = paths[2 * (i * (N + 1) + k) + 1]; }
    var row = explainedAt[i];
    sceneRuns.push(newRun({
      n: N + 1, x: x, y: y, loss: losses.slice(i * (N + 1), (i + 1) * (N + 1)),
      arrival: meta.arrival, diverged: meta.diverged, arrivedAt: meta.arrivedAt,
      unfanned: meta.unfanned || null,
      hidden: data.views.map(function (view) {
        return view.kind === "3d" && hidden ? hidden.slice(i * (N + 1), (i + 1) * (N + 1)) : null;
      }),
      dots: meta.dots.map(function (list) { return Int32Array.from(list); }),
      gradient: row === undefined ? null : glyphRows.gradient[row],
      velocity: row === undefined ? null : glyphRows.velocity[row],
      scale: row === undefined ? null : glyphRows.scale[row],
      slopes: row === undefined || !glyphRows.slopes ? null : glyphRows.slopes[row],
      rates: lrRow[i] === undefined ? null : rates[lrRow[i]],
      // The loss its board row shows when that is its own (a projected run's true L).
      reported: meta.reported === null ? null : reported.slice(meta.reported * (N + 1), (meta.reported + 1) * (N + 1)),
      symbol: meta.lossSymbol || "f",
      label: racers[i].label, hypers: racers[i].hyperparameters, scene: true
    }));
  }
})();
function newRun(fields) {
  fields.pixels = [];  // per view, made when first drawn (views.js)
  return fields;
}
// What each racer shows now: its scene run until a knob swaps it.
var runs = sceneRuns.slice();

// --- the race at a step (as anim/race.py and anim/board.py say) ----------------------
function shown(i, step) { return shownIn(runs[i], step); }
function shownIn(r, step) {
  if (r.arrival !== null && !data.noisy && step >= r.arrival) return r.arrival;
  if (r.diverged !== null && step >= r.diverged) return Math.max(r.diverged - 1, 0);
  return Math.min(step, r.n - 1);
}
function state(i, step) {
  if (data.swarm) return extras.swarm.state(i, step);
  var r = runs[i];
  if (r.arrival !== null && r.arrival <= step) return "arrived";
  if (r.diverged !== null && r.diverged <= step) return "diverged";
  return "racing";
}
function loss(i, k) { var r = runs[i]; return k < r.n ? r.loss[k] : NaN; }
// What racer i's board row says its loss is after k steps (anim/board.py racer_loss): f
// where it is, or the loss it reports itself (a projected training run: its true loss L).
function boardLoss(i, k) {
  var r = runs[i];
  return r.reported ? r.reported[Math.min(k, r.reported.length - 1)] : loss(i, k);
}
function fidelityAt(i, k) {  // [label, value] per fidelity panel that has racer i
  return fidelityPanels.filter(function (panel) { return panel.rows[i]; }).map(function (panel) {
    return [panel.label, panel.rows[i][Math.min(k, N)]];
  });
}
function pointX(i, k) { return runs[i].x[k]; }
function pointY(i, k) { return runs[i].y[k]; }
// Places by arrival step; racers arriving at the same step share one.
var places = [];
function rankRacers() {
  if (data.swarm) return;  // a swarm's rows count its starts instead
  for (var i = 0; i < count; i++) {
    var mine = runs[i].arrival, place = null;
    if (mine !== null) {
      place = 1;
      for (var j = 0; j < count; j++) if (runs[j].arrival !== null && runs[j].arrival < mine) place += 1;
    }
    places[i] = place;
  }
}
rankRacers();

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
function number4(value) { return formatG(value, 4).replace(/-/g, "\u2212"); }
// The words of the scene's language (anim/words.py): templates with {names}.
var words = data.words;
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
}
function ordinal(place) {
  if (words.place !== "{ordinal}") return fill(words.place, { n: place });
  var tens = place % 100, ones = place % 10;
  var suffix = tens >= 10 && tens <= 20 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" }[ones] || "th");
  return place + suffix;
}
function lossText(value, symbol) {
  symbol = symbol || "f";
  return value !== value ? symbol + " = \u2014" : symbol + " = " + number(value);
}
function boardLossText(i, k) { return lossText(boardLoss(i, k), runs[i].reported && runs[i].symbol); }
function statusText(i, step, lossStep) {
  var at = lossStep === undefined ? step : lossStep;
  if (data.swarm) return extras.swarm.status(i, at);
  var r = runs[i], now = state(i, step);
  if (now === "arrived") {
    var text = fill(words.arrived, { place: ordinal(places[i]), step: r.arrival });
    if (data.goals.length > 1) {
      var goal = data.goals[r.arrivedAt];
      text += fill(words.arrived_at, { x: number(goal[0]), y: number(goal[1]) });
    }
    if (data.noisy) text += " \u00b7 " + boardLossText(i, at);  // it moves on: where it is
    return text;
  }
  if (now === "diverged") return fill(words.diverged, { step: r.diverged });
  return boardLossText(i, at);
}
function counterText(step) {
  var digits = String(step);
  while (digits.length < data.counter.digits) digits = " " + digits;
  return fill(words.counter, { step: digits, steps: N });
}
