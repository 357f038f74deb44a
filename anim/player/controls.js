/* anim's player, the last part: playing, keys, the scrubber, hovering, the address, and
 * the start. */
var tip = root.querySelector(".anim-tip");
var playButton = root.querySelector(".anim-play");
var scrubber = root.querySelector(".anim-scrubber");
var readout = root.querySelector(".anim-step");
var speedSelect = root.querySelector(".anim-speed");
var speed = 1, startedAt = 0, startStep = 0, request = 0, started = false;
function show(next) {
  step = Math.max(0, Math.min(N, Math.round(next)));
  scrubber.value = String(step);
  readout.textContent = step + " / " + N;
  draw();
  if (!playing) writeAddress();
}
function tick(now) {
  request = 0;
  if (!playing) return;
  // A frame's time can precede a restart of the clock (a knob moved, the speed changed)
  // made during that frame: never step back.
  var next = startStep + Math.floor(Math.max(0, now - startedAt) / 1000 * data.fps * speed);
  if (next >= N) { show(N); pause(); return; }
  if (next !== step) show(next);
  request = requestAnimationFrame(tick);
}
function play() {
  if (playing) return;
  if (step >= N) show(0);
  playing = true;
  forgetCaches();
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
  writeAddress();
}
function toggle() { if (playing) pause(); else play(); }
function stepBy(delta) { pause(); show(step + delta); }
function setSpeed(value) {
  if (playing) { startStep = step; startedAt = performance.now(); }
  speed = value;
}
// A knob moved: playing, the race plays on from this step; paused, this step is redrawn.
function racesChanged() {
  rankRacers();
  forgetCaches();
  if (playing) { startStep = step; startedAt = performance.now(); draw(); } else show(step);
}

playButton.addEventListener("click", toggle);
root.querySelector(".anim-back").addEventListener("click", function () { stepBy(-1); });
root.querySelector(".anim-forward").addEventListener("click", function () { stepBy(1); });
scrubber.addEventListener("input", function () { hurry(); pause(); show(+scrubber.value); });
speedSelect.addEventListener("change", function () { setSpeed(+speedSelect.value); });
document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  var target = event.target, tag = target && target.tagName;
  if (tag === "SELECT" || tag === "TEXTAREA" || (tag === "INPUT" && target !== scrubber)) return;
  if (target && target.closest && target.closest(".anim-knobs")) return;  // its own keys
  var key = event.key;
  if (key === " " || key === "Spacebar") { event.preventDefault(); toggle(); return; }
  if (target === scrubber) return;  // the scrubber steps with the arrow keys itself
  var moves = { ArrowLeft: -1, ArrowRight: 1, ArrowDown: -1, ArrowUp: 1 };
  if (key in moves) { event.preventDefault(); if (event.repeat) hurry(); stepBy(moves[key] * (event.shiftKey ? 10 : 1)); }
  else if (key === "Home") { event.preventDefault(); stepBy(-N); }
  else if (key === "End") { event.preventDefault(); stepBy(N); }
});
// Space on a focused button would also click it: the keydown above already toggled.
document.addEventListener("keyup", function (event) {
  if (event.key === " " && event.target && event.target.tagName === "BUTTON") event.preventDefault();
});

// --- hovering -----------------------------------------------------------------------
function nearest(x, y) {
  var best = null, reach, i, k, v;
  for (v = 0; v < views.length; v++) {  // heads first: they are drawn on top
    var heads = headsAt(step, v);
    for (i = 0; i < count; i++) {
      var look = racers[i].head[state(i, step)];
      reach = look.size * S / 2 + 2;
      var dh = Math.hypot(heads[i][0] - x, heads[i][1] - y);
      if (dh <= reach && (!best || dh < best.distance)) best = { racer: i, point: shown(i, step), distance: dh, head: true };
    }
  }
  if (best) return best;
  reach = 5;
  for (v = 0; v < views.length; v++) {
    for (i = 0; i < count; i++) {
      var made = pixelsOf(runs[i], v), last = shown(i, step), px = null, py = null;
      for (k = 0; k <= last; k++) {
        var qx = made.xs[k], qy = made.ys[k];
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
  }
  return best;
}
function describe(hit) {
  var i = hit.racer, r = racers[i], run = runs[i], k = hit.point, now = state(i, step);
  var fidelity = fidelityAt(i, k), projected = fidelity.length > 0;
  // A projected training run: what it is, its true loss L beside the slice's f under it,
  // its distance from the plane and the gap L − f at that step (as its panels show them).
  var lines = projected ? [words.tip_projected] : [run.hypers];
  lines.push(fill(words.tip_step, { step: k }) + " \u00b7 (x, y) = (" + number4(pointX(i, k)) + ", " +
               number4(pointY(i, k)) + ")");
  lines.push((run.reported ? run.symbol + " = " + number4(boardLoss(i, k)) + " \u00b7 " : "") +
             "f = " + number4(loss(i, k)));
  fidelity.forEach(function (shown) { lines.push(shown[0] + " = " + number4(shown[1])); });
  if (hit.head && now !== "racing") lines.push(statusText(i, step));
  if (r.fixed) lines.push(fill(words.knob_fixed, { reason: r.fixed }));
  tip.textContent = "";
  var title = document.createElement("b"), swatch = document.createElement("i");
  swatch.style.background = r.color;
  title.appendChild(swatch);
  title.appendChild(document.createTextNode(run.label));
  tip.appendChild(title);
  lines.forEach(function (line) {
    var element = document.createElement("div");
    element.textContent = line;
    tip.appendChild(element);
  });
}
function hover(event) {
  var box = stage.getBoundingClientRect();
  var x = (event.clientX - box.left) * W / box.width, y = (event.clientY - box.top) * H / box.height;
  var hit = data.swarm ? null : nearest(x, y);
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

// --- the address: #step=40&lr.RMSProp=0.4 opens what a reader saw --------------------
function readAddress() {
  var fields = {};
  (location.hash || "").replace(/^#/, "").split("&").forEach(function (part) {
    var at = part.indexOf("=");
    if (at > 0) fields[decodeURIComponent(part.slice(0, at))] = decodeURIComponent(part.slice(at + 1));
  });
  return fields;
}
function addressText() {
  return "#" + ["step=" + step].concat(extras.knobs ? extras.knobs.address() : []).join("&");
}
// Paused, the address says what is shown (replaced, so Back still leaves the page). A
// browser takes its time over it (and throttles a page that replaces it too often): it is
// written a moment after the last change, never in the way of a frame.
var addressTimer = 0, ADDRESS_DELAY = 150;
function writeAddress() {
  if (!started) return;
  if (addressTimer) clearTimeout(addressTimer);
  addressTimer = setTimeout(function () {
    addressTimer = 0;
    if (playing) return;
    var text = addressText();
    if (location.hash === text) return;
    try { history.replaceState(history.state, "", text); } catch (error) { /* a sandboxed frame */ }
  }, ADDRESS_DELAY);
}
function applyAddress(fields) {
  if (extras.knobs) extras.knobs.apply(fields);
  if (fields.step !== undefined && /^\d+$/.test(fields.step)) { pause(); show(+fields.step); return true; }
  return false;
}
window.addEventListener("hashchange", function () { applyAddress(readAddress()); });

// --- start --------------------------------------------------------------------------
function fitFrame() {  // inside an <iframe data-anim-fit>, make the frame as tall as the page
  try {
    var frame = window.frameElement;
    if (frame && frame.hasAttribute("data-anim-fit")) {
      frame.style.height = Math.ceil(root.getBoundingClientRect().height) + "px";
    }
  } catch (error) { /* a frame from another origin: its own size stays */ }
}
function resized() {
  resize();
  if (extras.knobs) extras.knobs.resize();
  fitFrame();
}
function start() {
  if (window.ResizeObserver) {
    new ResizeObserver(function () { resized(); }).observe(root);
  } else {
    window.addEventListener("resize", resized);
  }
  resize();
  fitFrame();
  var fields = readAddress();
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  if (applyAddress(fields)) {
    // opened at a step: paused there
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
  started = true;  // from now on, a pause writes what is shown into the address
  var api = {
    step: function () { return step; },
    steps: N,
    setStep: function (k) { pause(); show(k); },
    play: play, pause: pause, toggle: toggle,
    playing: function () { return playing; },
    setSpeed: function (value) { speedSelect.value = String(value); setSpeed(value); },
    // Where the player itself places the heads (as once a knob swaps a race), for tests.
    headPixelsPlaced: function (v) { return extras.heads.place(step, v === undefined ? mainView : v); },
    headPixels: function (v) {
      v = v === undefined ? mainView : v;
      return data.swarm ? extras.swarm.heads(step, v) : headsAt(step, v);
    },
    statusText: statusText, counterText: counterText, formatG: formatG,
    state: state,
    fontsLoaded: function () { return fontsLoaded; },
    stats: function () { return { frames: frames, drawMs: drawTime }; },
    // Draws step k as it is drawn while playing (from the growing trails), for tests.
    showAsPlaying: function (k) { var was = playing; playing = true; show(k); playing = was; },
    knobs: extras.knobs ? extras.knobs.api() : null,
    // What the glyphs show now, and a racer's race as shown (for tests).
    glyphs: function () { return extras.glyphs ? extras.glyphs.at(step) : null; },
    // The points (render pixels) of racer i's curve in fidelity panel p as drawn now.
    fidelityCurve: function (p, i) {
      var panel = fidelityPanels[p], xs = [], ys = [];
      for (var k = 0; k <= step; k++) { xs.push(panelX(panel, k)); ys.push(panelY(panel, panel.rows[i][k])); }
      return { x: xs, y: ys, values: Array.from(panel.rows[i].subarray(0, step + 1)) };
    },
    run: function (i) {
      var r = runs[i];
      return { n: r.n, x: Array.from(r.x), y: Array.from(r.y), loss: Array.from(r.loss),
               rates: r.rates ? Array.from(r.rates) : null, label: r.label };
    }
  };
  root.animPlayer = api;
  window.animPlayer = api;
}
(extras.ready || Promise.resolve()).then(start);
