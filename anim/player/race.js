/* anim's player, part 1 of 3: the race's numbers and what the scoreboard says.
 *
 * The player draws a race over its background picture; no library, no network.
 * anim/page.py joins race.js, draw.js and controls.js, in this order, into one
 * function run by the page's script element: they share its variables.
 *
 * Every position is in the picture's own pixels ("render pixels", origin top left, the
 * size the page was rendered at); the canvas is scaled to its shown size times the
 * device pixel ratio, so at 1:1 a head lands on the pixel matplotlib draws it on.
 */
var root = document.currentScript.parentElement;
var data = JSON.parse(root.querySelector(".anim-data").textContent);
var W = data.width, H = data.height, N = data.steps, S = data.scale;

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
function statusText(i, step, lossStep) {
  var r = racers[i], now = state(i, step);
  if (now === "arrived") {
    var text = fill(words.arrived, { place: ordinal(r.place), step: r.arrival });
    if (data.goals > 1) text += fill(words.arrived_at, { x: number(r.arrivedAt[0]), y: number(r.arrivedAt[1]) });
    return text;
  }
  if (now === "diverged") return fill(words.diverged, { step: r.diverged });
  var value = loss(i, lossStep === undefined ? step : lossStep);
  return value !== value ? "f = \u2014" : "f = " + number(value);
}
function counterText(step) {
  var digits = String(step);
  while (digits.length < data.counter.digits) digits = " " + digits;
  return fill(words.counter, { step: digits, steps: N });
}
