/* anim's player, the knobs (when the page has them) — a learning-rate slider per racer, "the same
 * rate for all", the sensitivity chart and the 2D pad — over races precomputed by
 * anim/knobs.py and packed by anim/pagedata/encoding.py (quantised, second differences,
 * zig-zag varints, deflate): the browser's DecompressionStream unpacks them. Moving a
 * knob swaps that racer's run: paused, the head jumps to where the race at the new rate
 * is at this step; playing, it plays on from there. Here: the races, the choosing, the
 * address; sliders.js draws the sliders, chart.js the sensitivity chart, pad.js the pad. */
var knobs = data.knobs, knobPanel = root.querySelector(".anim-knobs");
var options = [];     // per racer: [{lr, second, run}] ascending by lr (null: a fixed path)
var chosen = [];      // per racer: its option now
var locked = false, chartCanvas = null, sliders = [], captions = [];

// --- unpacking (packed.js reads the compact form) ---------------------------------
// Run k of a table of runs (pagedata/knobs.py columns()); its points end where
// anim/knobs.py cut them: at its arrival (without noise), else before its divergence.
function metaAt(table, k) {
  if (table.lr[k] === null) return null;
  var arrival = table.arrival[k], diverged = table.diverged[k], last = N;
  if (arrival !== null && !data.noisy) last = arrival;
  else if (diverged !== null) last = Math.max(diverged - 1, 0);
  return { lr: table.lr[k], arrival: arrival, diverged: diverged, n: last + 1,
           arrivedAt: table.arrivedAt ? table.arrivedAt[k] : (arrival !== null ? 0 : null),
           unfanned: table.moves[String(k)] || null };
}
function readRun(read, racer, meta, label, hypers) {
  var q = knobs.quanta, n = meta.n;
  var run = { n: n, arrival: meta.arrival, diverged: meta.diverged, arrivedAt: meta.arrivedAt,
              unfanned: meta.unfanned, lr: meta.lr, label: label, hypers: hypers, dots: null };
  run.x = read.linear(n, q.x);
  run.y = read.linear(n, q.y);
  run.loss = read.log(n);
  run.hidden = views.map(function (view) { return view.kind === "3d" ? read.flags(n) : null; });
  run.gradient = run.velocity = run.scale = run.rates = null;
  if (explainedAt[racer] !== undefined) {
    var m = Math.min(n, N);
    run.gradient = interleaved(read.linear(m, q.arrow[0]), read.linear(m, q.arrow[1]));
    run.velocity = interleaved(read.linear(m, q.arrow[0]), read.linear(m, q.arrow[1]));
    run.scale = interleaved(read.linear(m, q.box[0]), read.linear(m, q.box[1]));
    if (glyphView3d >= 0) run.slopes = interleaved(read.log(m), read.log(m));
  }
  if (lrRow[racer] !== undefined) run.rates = interleaved(read.log(n - 1), read.log(n - 1));
  return newRun(run);
}
function textFor(template, lr, k) {
  return typeof template === "string" ? template.replace("{lr}", formatG(lr, 6)) : template[k];
}
function unpackKnobs(bytes) {
  var read = reader(varints(bytes), knobs.quanta.log);
  knobs.racers.forEach(function (entry) {
    var i = entry.racer;
    racers[i].fixed = entry.fixed;
    if (entry.fixed) { options[i] = null; return; }
    options[i] = entry.runs.lr.map(function (lr, k) {
      // The scene's own rate shows the race exactly as the scene ran it (not packed).
      var own = k === entry.sceneRun;
      var run = own ? sceneRuns[i] : readRun(read, i, metaAt(entry.runs, k), textFor(entry.labels, lr, k),
                                              textFor(entry.hypers, lr, k));
      return { lr: lr, second: null, run: run, scene: own };
    });
    chosen[i] = options[i][entry.sceneRun === null ? 0 : entry.sceneRun];
    if (entry.sceneRun === null) runs[i] = chosen[i].run;
  });
  if (extras.pad) extras.pad.unpack(read);  // its races come last
}

// --- choosing -----------------------------------------------------------------------
function entryOf(i) {
  for (var e = 0; e < knobs.racers.length; e++) if (knobs.racers[e].racer === i) return knobs.racers[e];
  return null;
}
function tunable() {
  var out = [];
  for (var i = 0; i < count; i++) if (options[i]) out.push(i);
  return out;
}
function sameLr(a, b) { return Math.abs(Math.log(a / b)) < 1e-9; }
// The options racer i's slider moves over now: its own rates at its pad value, or with
// the lock, the rates every racer has.
function choices(i) {
  var now = chosen[i], list;
  if (now.second !== null && extras.pad) {
    list = extras.pad.row(now);
  } else {
    list = options[i];
  }
  if (locked) {
    list = list.filter(function (option) {
      return tunable().every(function (j) { return options[j].some(function (o) { return sameLr(o.lr, option.lr); }); });
    });
  }
  return list.length ? list : options[i];
}
function choose(i, option) {
  chosen[i] = option;
  runs[i] = option.run;
}
function setRate(i, lr, special) {
  var list = choices(i), best = list[0];
  list.forEach(function (option) {
    if (Math.abs(Math.log(option.lr / lr)) < Math.abs(Math.log(best.lr / lr))) best = option;
  });
  if (special) best = special;
  choose(i, best);
  if (locked) {
    tunable().forEach(function (j) {
      if (j === i) return;
      var same = options[j].filter(function (o) { return sameLr(o.lr, best.lr); })[0];
      if (same) choose(j, same);
    });
  }
  changed();
}
function changed() {
  var began = performance.now();
  updateKnobs();
  racesChanged();
  lastRedraw = performance.now() - began;
}

// --- the address ----------------------------------------------------------------------
function racerKey(i) {  // its name, numbered when several racers share it
  var same = 0, before = 0;
  for (var j = 0; j < count; j++) if (racers[j].name === racers[i].name) { same += 1; if (j < i) before += 1; }
  return same > 1 ? racers[i].name + "." + (before + 1) : racers[i].name;
}
function knobAddress() {
  if (!knobs || !options.length) return [];
  var parts = [];
  tunable().forEach(function (i) {
    var option = chosen[i];
    if (!option.scene) parts.push("lr." + racerKey(i) + "=" + formatG(option.lr, 6));
    if (extras.pad) parts = parts.concat(extras.pad.address(i, option));
  });
  if (locked !== (knobs.lock && tunable().length > 1)) parts.push("lock=" + (locked ? 1 : 0));
  return parts;
}
function applyKnobAddress(fields) {
  if (!knobs || !options.length) return;
  if (fields.lock !== undefined) {
    locked = fields.lock === "1";
    var box = knobPanel.querySelector(".anim-lock");
    if (box) box.checked = locked;
  }
  tunable().forEach(function (i) {
    var key = racerKey(i), lr = parseFloat(fields["lr." + key]);
    if (extras.pad && extras.pad.apply(i, key, lr, fields)) {
      // the pad's cell from the address
    } else if (lr === lr && lr > 0) {
      var was = locked;
      locked = false;  // each racer to its own rate from the address
      var list = options[i], near = list[0];
      list.forEach(function (o) { if (Math.abs(Math.log(o.lr / lr)) < Math.abs(Math.log(near.lr / lr))) near = o; });
      choose(i, near);
      locked = was;
    } else {
      var own = options[i].filter(function (o) { return o.scene; })[0];
      if (own) choose(i, own);
    }
  });
  updateKnobs();
  rankRacers();
  forgetCaches();
}

var knobApi = null;
extras.knobs = { address: knobAddress, apply: applyKnobAddress, api: function () { return knobApi; },
                 resize: function () {
                   if (!chartCanvas) return;
                   layMarks();
                   measureChart();
                   if (extras.pad) extras.pad.measure();
                   updateKnobs();
                 } };
if (knobs) {
  if (!window.DecompressionStream) {
    knobPanel.hidden = false;
    knobPanel.textContent = "This browser cannot unpack the knobs' races (it has no DecompressionStream); the race plays as rendered.";
  } else {
    extras.ready = inflate(knobs.packed).then(function (bytes) {
      unpackKnobs(bytes);
      rankRacers();
      buildKnobs();
      knobApi = {
        racers: tunable,
        rate: function (i) { return chosen[i].lr; },
        setRate: function (i, lr) { setRate(i, lr); },
        locked: function () { return locked; },
        rates: function (i) { return options[i].map(function (o) { return o.lr; }); },
        specials: function (i) {
          var out = {};
          specials(i).forEach(function (s) { out[s.name] = s.lr; });
          return out;
        },
        position: position,
        // How long the last knob change took to redraw the picture (ms).
        redrawMs: function () { return lastRedraw; }
      };
      if (extras.pad) extras.pad.api(knobApi);
    });
  }
}
var lastRedraw = 0;
