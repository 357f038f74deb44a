/* anim's player, the knobs (when the page has them) — a learning-rate slider per racer, "the same
 * rate for all", the sensitivity chart and the 2D pad — over races precomputed by
 * anim/knobs.py and packed by anim/pagedata/encoding.py (quantised, second differences,
 * zig-zag varints, deflate): the browser's DecompressionStream unpacks them. Moving a
 * knob swaps that racer's run: paused, the head jumps to where the race at the new rate
 * is at this step; playing, it plays on from there. */
var knobs = data.knobs, knobPanel = root.querySelector(".anim-knobs");
var options = [];     // per racer: [{lr, second, run}] ascending by lr (null: a fixed path)
var chosen = [];      // per racer: its option now
var padCells = null;  // [value row][lr column] -> option (or null)
var locked = false, chartCanvas = null, sliders = [], captions = [];

// --- unpacking ----------------------------------------------------------------------
function inflate(text) {
  var stream = new Blob([bytesOf(text)]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Response(stream).arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
}
function varints(bytes) {  // zig-zag varints; exact up to 2^53
  var out = [], value = 0, scale = 1;
  for (var i = 0; i < bytes.length; i++) {
    var byte = bytes[i];
    value += (byte & 127) * scale;
    if (byte & 128) { scale *= 128; continue; }
    out.push(value % 2 ? -(value + 1) / 2 : value / 2);
    value = 0; scale = 1;
  }
  return out;
}
var LOG_FLOOR = Math.log(1e-300);
function reader(codes) {
  var at = 0;
  function integrate(values, order) {
    for (var o = 0; o < order; o++) for (var k = 1; k < values.length; k++) values[k] += values[k - 1];
    return values;
  }
  function series(n, order) {  // -> {values, missing}
    var header = codes[at++], missing = null, k;
    if (header === 1) {
      var none = new Float64Array(n).fill(NaN);
      return { values: none, missing: null, none: true };
    }
    if (header === 2) {
      missing = integrate(Float64Array.from(codes.slice(at, at + n)), 1);
      at += n;
    }
    var values = integrate(Float64Array.from(codes.slice(at, at + n)), order);
    at += n;
    if (missing) for (k = 0; k < n; k++) if (missing[k]) values[k] = NaN;
    return { values: values };
  }
  return {
    linear: function (n, quantum) {
      var values = series(n, 2).values;
      for (var k = 0; k < n; k++) values[k] *= quantum;
      return values;
    },
    log: function (n) {
      var values = series(n, 2).values;
      for (var k = 0; k < n; k++) {
        var c = values[k];
        if (c === c && c !== 0) values[k] = (c > 0 ? 1 : -1) * Math.exp(LOG_FLOOR + (Math.abs(c) - 1) * knobs.quanta.log);
      }
      return values;
    },
    flags: function (n) { return Uint8Array.from(series(n, 1).values); }
  };
}
function interleaved(xs, ys) {
  var out = new Float64Array(2 * xs.length);
  for (var k = 0; k < xs.length; k++) { out[2 * k] = xs[k]; out[2 * k + 1] = ys[k]; }
  return out;
}
// Run k of a table of runs (pagedata/knobs.py columns()); its points end where
// anim/knobs.py cut them: at its arrival (without noise), else before its divergence.
function metaAt(table, k) {
  if (table.lr[k] === null) return null;
  var arrival = table.arrival[k], diverged = table.diverged[k], last = N;
  if (arrival !== null && !data.noisy) last = arrival;
  else if (diverged !== null) last = Math.max(diverged - 1, 0);
  return { lr: table.lr[k], arrival: arrival, diverged: diverged, n: last + 1,
           arrivedAt: table.arrivedAt ? table.arrivedAt[k] : (arrival !== null ? 0 : null),
           exits: table.exits[String(k)] || null };
}
function readRun(read, racer, meta, label, hypers) {
  var q = knobs.quanta, n = meta.n;
  var run = { n: n, arrival: meta.arrival, diverged: meta.diverged, arrivedAt: meta.arrivedAt,
              exits: meta.exits, lr: meta.lr, label: label, hypers: hypers, dots: null };
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
  }
  if (lrRow[racer] !== undefined) run.rates = interleaved(read.log(n - 1), read.log(n - 1));
  return newRun(run);
}
function textFor(template, lr, k) {
  return typeof template === "string" ? template.replace("{lr}", formatG(lr, 6)) : template[k];
}
function unpackKnobs(bytes) {
  var read = reader(varints(bytes));
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
  var pad = knobs.pad;
  if (pad) {
    var columns = pad.lrs.length;
    padCells = pad.values.map(function (value, j) {
      var present = 0;
      return pad.lrs.map(function (lr, k) {
        var meta = metaAt(pad.cells, j * columns + k);
        if (!meta) return null;
        var run = readRun(read, pad.racer, meta, textFor(pad.labels[j], lr, present),
                          textFor(pad.hypers[j], lr, present));
        present += 1;
        return { lr: lr, second: value, run: run, row: j, column: k };
      });
    });
  }
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
  if (now.second !== null && padCells) {
    list = padCells[now.row].filter(function (cell) { return cell; });
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
function choosePad(j, k) {
  var cell = padCells && padCells[j] && padCells[j][k];
  if (!cell) return;
  var i = knobs.pad.racer;
  if (sameLr(cell.second, knobs.pad.sceneValue)) {  // its own slider's race at that rate
    var own = options[i].filter(function (o) { return sameLr(o.lr, cell.lr); })[0];
    if (own) cell = own;
  }
  choose(i, cell);
  changed();
}
function changed() {
  var began = performance.now();
  updateKnobs();
  racesChanged();
  lastRedraw = performance.now() - began;
}

// --- the sliders ----------------------------------------------------------------------
var RESOLUTION = 1000, SNAP = 18;  // slider units; specials pull within this many
var low = 1, high = 1;
function position(lr) {
  return Math.round(RESOLUTION * (Math.log(lr) - Math.log(low)) / (Math.log(high) - Math.log(low)));
}
function rateAt(value) {
  return Math.exp(Math.log(low) + value / RESOLUTION * (Math.log(high) - Math.log(low)));
}
function specials(i) {
  var entry = entryOf(i), found = [];
  [["scene", entry.sceneLr, "the scene's rate"], ["best", entry.tunedLr, "the tuned optimum"],
   ["edge", entry.edgeLr, "the last rate before divergence"]].forEach(function (item) {
    if (item[1] === null || item[1] === undefined) return;
    var option = options[i].filter(function (o) { return sameLr(o.lr, item[1]); })[0];
    if (option) found.push({ name: item[0], lr: item[1], title: item[2], option: option });
  });
  return found;
}
function outcome(run) {
  if (run.arrival !== null) return "arrives at step " + run.arrival;
  if (run.diverged !== null) return "\u2717 flies off at step " + run.diverged;
  return "no arrival";
}
function element(tag, className, text) {
  var made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}
function buildKnobs() {
  knobPanel.hidden = false;
  low = knobs.range[0] / 1.2; high = knobs.range[1] * 1.2;
  var head = element("div", "anim-knob-head");
  var lockLabel = element("label", "anim-lock-label"), lock = element("input", "anim-lock");
  lock.type = "checkbox";
  lock.checked = locked = knobs.lock && tunable().length > 1;
  lock.disabled = tunable().length < 2;
  lock.addEventListener("change", function () {
    locked = lock.checked;
    var first = tunable()[0];
    if (locked && first !== undefined) setRate(first, chosen[first].lr); else changed();
  });
  lockLabel.appendChild(lock);
  lockLabel.appendChild(document.createTextNode(" same rate for all"));
  head.appendChild(element("span", "anim-knob-title", "learning rate"));
  head.appendChild(lockLabel);
  knobPanel.appendChild(head);
  var grid = element("div", "anim-knob-grid");
  knobPanel.appendChild(grid);
  for (var i = 0; i < count; i++) {
    // A row: name, track, caption (on a narrow page, name and caption above the track).
    var row = element("div", "anim-knob-row");
    grid.appendChild(row);
    var name = element("span", "anim-knob-name"), swatch = element("i");
    swatch.style.background = racers[i].color;
    name.appendChild(swatch);
    name.appendChild(document.createTextNode(racers[i].name));
    name.title = racers[i].label;
    row.appendChild(name);
    if (!options[i]) {
      var fixed = element("span", "anim-knob-fixed", "fixed path: " + racers[i].fixed);
      row.appendChild(fixed);
      sliders[i] = captions[i] = null;
      continue;
    }
    var track = element("div", "anim-knob-track"), slider = element("input", "anim-rate");
    slider.type = "range";
    slider.min = "0"; slider.max = String(RESOLUTION); slider.step = "1";
    slider.setAttribute("aria-label", "learning rate of " + racers[i].label);
    slider.dataset.racer = String(i);
    slider.addEventListener("input", onSlide);
    slider.addEventListener("keydown", onSliderKey);
    track.appendChild(slider);
    row.appendChild(track);
    var caption = element("output", "anim-knob-value");
    row.appendChild(caption);
    sliders[i] = slider;
    captions[i] = caption;
  }
  // The chart shares the sliders' columns: its rates lie right under theirs.
  var chartRow = element("div", "anim-knob-row anim-chart-row");
  grid.appendChild(chartRow);
  chartRow.appendChild(element("span", "anim-knob-name anim-chart-label", "arrival step"));
  chartCanvas = element("canvas", "anim-chart");
  chartCanvas.setAttribute("aria-label", "arrival step against learning rate; click to set a rate");
  chartCanvas.addEventListener("click", onChartClick);
  chartRow.appendChild(chartCanvas);
  chartRow.appendChild(element("span", "anim-chart-key", "\u2605 tuned \u00b7 \u00d7 no arrival \u00b7 \u2717 diverged"));
  if (padCells) {
    var padRow = element("div", "anim-knob-row anim-pad-row");
    grid.appendChild(padRow);
    extras.pad.build(padRow);
  }
  updateKnobs();
  layMarks();
}
// A mark's place under the track: the thumb's centre runs from THUMB / 2 to the width less it.
var THUMB = 18;
// Marks whose captions would touch share one caption (their ticks stay apart).
function markTicks(i, width) {
  var marks = element("div", "anim-marks"), groups = [], span = Math.max(width - THUMB, 1);
  function centre(group) {
    return THUMB / 2 + span * (group.at[0] + group.at[group.at.length - 1]) / 2 / RESOLUTION;
  }
  function half(group) { return 3.4 * group.names.join(" \u00b7 ").length + 4; }
  specials(i).sort(function (a, b) { return a.lr - b.lr; }).forEach(function (special) {
    var at = position(special.lr), tick = element("span", "anim-tick");
    tick.style.left = markLeft(at);
    tick.title = special.title + ": " + formatG(special.lr, 6);
    marks.appendChild(tick);
    groups.push({ names: [special.name], at: [at], title: [tick.title] });
  });
  for (var merged = true; merged;) {
    merged = false;
    for (var g = 1; g < groups.length; g++) {
      var left = groups[g - 1], right = groups[g];
      if (centre(right) - half(right) < centre(left) + half(left)) {
        groups.splice(g - 1, 2, { names: left.names.concat(right.names), at: left.at.concat(right.at),
                                  title: left.title.concat(right.title) });
        merged = true;
        break;
      }
    }
  }
  groups.forEach(function (group) {
    var middle = (group.at[0] + group.at[group.at.length - 1]) / 2;
    var mark = element("span", "anim-mark", group.names.join(" \u00b7 "));
    if (group.names.indexOf("best") >= 0) mark.className += " anim-mark-best";
    mark.style.left = markLeft(middle);
    mark.title = group.title.join("\n");
    marks.appendChild(mark);
  });
  return marks;
}
function layMarks() {  // again whenever the tracks change width
  for (var i = 0; i < count; i++) {
    if (!sliders[i]) continue;
    var track = sliders[i].parentElement, width = track.getBoundingClientRect().width;
    if (width === track.laidFor) continue;
    track.laidFor = width;
    var old = track.querySelector(".anim-marks");
    if (old) track.removeChild(old);
    track.appendChild(markTicks(i, width || 500));
  }
}
function markLeft(value) {
  return "calc(" + THUMB / 2 + "px + (100% - " + THUMB + "px) * " + (value / RESOLUTION) + ")";
}
function onSlide(event) {
  var i = +event.target.dataset.racer, value = +event.target.value, pull = null;
  specials(i).forEach(function (special) {
    var away = Math.abs(position(special.lr) - value);
    if (away <= SNAP && (!pull || away < pull.away) && choices(i).indexOf(special.option) >= 0) {
      pull = { away: away, option: special.option };
    }
  });
  setRate(i, rateAt(value), pull && pull.option);
}
function onSliderKey(event) {
  var i = +event.target.dataset.racer, list = choices(i), at = list.indexOf(chosen[i]), next = null;
  if (at < 0) at = 0;
  var key = event.key;
  if (key === "ArrowRight" || key === "ArrowUp") next = list[Math.min(at + 1, list.length - 1)];
  else if (key === "ArrowLeft" || key === "ArrowDown") next = list[Math.max(at - 1, 0)];
  else if (key === "Home") next = list[0];
  else if (key === "End") next = list[list.length - 1];
  else if (key === "PageUp" || key === "PageDown") {
    var marks = specials(i).map(function (s) { return s.option; }).filter(function (o) { return list.indexOf(o) >= 0; });
    marks.sort(function (a, b) { return a.lr - b.lr; });
    var up = key === "PageUp";
    marks.forEach(function (o) { if (!next && (up ? o.lr > chosen[i].lr * (1 + 1e-9) : false)) next = o; });
    if (!up) for (var m = marks.length - 1; m >= 0; m--) if (marks[m].lr < chosen[i].lr * (1 - 1e-9)) { next = marks[m]; break; }
    if (!next) next = chosen[i];
  } else {
    return;
  }
  event.preventDefault();
  setRate(i, next.lr, next);
}
function updateKnobs() {
  for (var i = 0; i < count; i++) {
    if (!sliders[i]) continue;
    var option = chosen[i], run = option.run, lr = option.lr;
    sliders[i].value = String(position(lr));
    sliders[i].setAttribute("aria-valuetext", formatG(lr, 6));
    var text = "lr " + formatG(lr, 3);
    if (option.second !== null && knobs.pad) text += " \u00b7 " + knobs.pad.symbol + " " + formatG(option.second, 3);
    captions[i].textContent = text + " \u00b7 " + outcome(run);
    captions[i].className = "anim-knob-value" + (run.diverged !== null && run.arrival === null ? " anim-diverged" : "");
  }
  drawChart();
  if (extras.pad) extras.pad.draw();
}

// --- the sensitivity chart: arrival step against learning rate ------------------------
// The chart's curves do not change: drawn once per size into a canvas of their own, and
// each change of a knob only lays that down and draws the cursors over it.
var chartHeight = 150, chartWidth = 0, chartStatic = null;
function chartBox() {
  var width = chartWidth || 300;
  return { width: width, left: THUMB / 2, right: width - THUMB / 2, top: 34, bottom: chartHeight - 18 };
}
function measureChart() {
  var width = chartCanvas.getBoundingClientRect().width || 300;
  if (width === chartWidth && chartStatic) return;
  chartWidth = width;
  var dpr = window.devicePixelRatio || 1;
  chartCanvas.width = Math.round(width * dpr);
  chartCanvas.height = Math.round(chartHeight * dpr);
  chartCanvas.style.height = chartHeight + "px";
  chartStatic = document.createElement("canvas");
  chartStatic.width = chartCanvas.width;
  chartStatic.height = chartCanvas.height;
  var c = chartStatic.getContext("2d");
  c.setTransform(dpr, 0, 0, dpr, 0, 0);
  chartCurves(c, chartBox());
}
function chartX(box, lr) { return box.left + (box.right - box.left) * position(lr) / RESOLUTION; }
function chartY(box, run) {
  if (run.arrival !== null) return box.bottom - (box.bottom - box.top) * run.arrival / N;
  return run.diverged !== null ? 8 : 21;  // the "diverged" row above the "no arrival" row
}
function chartCurves(c, box) {
  c.font = "10px " + data.font.sans;
  c.fillStyle = c.strokeStyle = data.colors.muted;
  c.lineWidth = 0.5;
  c.textBaseline = "middle";
  [0, Math.round(N / 2), N].forEach(function (k) {
    var y = box.bottom - (box.bottom - box.top) * k / N;
    c.globalAlpha = 0.35;
    c.beginPath(); c.moveTo(box.left, y); c.lineTo(box.right, y); c.stroke();
    c.globalAlpha = 1;
    c.textAlign = "left";
    c.textBaseline = k ? "top" : "bottom";
    c.fillText(String(k), box.left + 2, k ? y + 2 : y - 2);
  });
  c.textBaseline = "middle";
  c.setLineDash([1, 3]);  // the rows of the runs that do not arrive (× none, ✗ diverged)
  [8, 21].forEach(function (y) { c.beginPath(); c.moveTo(box.left, y); c.lineTo(box.right, y); c.stroke(); });
  c.setLineDash([]);
  c.textAlign = "center";
  c.textBaseline = "top";
  for (var power = -6; power <= 3; power++) {
    var lr = Math.pow(10, power);
    if (lr < low || lr > high) continue;
    var x = chartX(box, lr);
    c.globalAlpha = 0.35;
    c.beginPath(); c.moveTo(x, box.top); c.lineTo(x, box.bottom); c.stroke();
    c.globalAlpha = 1;
    c.fillText(power === 0 ? "1" : power === 1 ? "10" : "1e" + power, x, box.bottom + 4);
  }
  tunable().forEach(function (i) {
    var color = racers[i].color, list = options[i], open = false;
    c.strokeStyle = c.fillStyle = color;
    c.lineWidth = 1.4;
    c.beginPath();
    list.forEach(function (option) {
      var run = option.run;
      if (run.arrival === null) { open = false; return; }
      var x = chartX(box, option.lr), y = chartY(box, run);
      if (open) c.lineTo(x, y); else c.moveTo(x, y);
      open = true;
    });
    c.stroke();
    c.font = "9px " + data.font.sans;
    c.textAlign = "center";
    c.textBaseline = "middle";
    list.forEach(function (option) {
      var run = option.run, x = chartX(box, option.lr), y = chartY(box, run);
      if (run.arrival !== null) { c.beginPath(); c.arc(x, y, 1.8, 0, 2 * Math.PI); c.fill(); }
      else c.fillText(run.diverged !== null ? "\u2717" : "\u00d7", x, y);
    });
    var entry = entryOf(i), tuned = entry.tunedLr;
    list.forEach(function (option) {
      if (tuned !== null && sameLr(option.lr, tuned) && option.run.arrival !== null) {
        c.font = "13px " + data.font.sans;
        c.fillText("\u2605", chartX(box, option.lr), chartY(box, option.run));
      }
    });
  });
}
function drawChart() {
  if (!chartCanvas) return;
  if (!chartStatic) measureChart();
  var dpr = window.devicePixelRatio || 1, box = chartBox(), c = chartCanvas.getContext("2d");
  c.setTransform(1, 0, 0, 1, 0, 0);
  c.clearRect(0, 0, chartCanvas.width, chartCanvas.height);
  c.drawImage(chartStatic, 0, 0);
  c.setTransform(dpr, 0, 0, dpr, 0, 0);
  tunable().forEach(function (i) {  // the cursors: where each racer is now
    var now = chosen[i], cx = chartX(box, now.lr);
    c.strokeStyle = racers[i].color;
    c.setLineDash([3, 2]);
    c.lineWidth = 1;
    c.beginPath(); c.moveTo(cx, 2); c.lineTo(cx, box.bottom); c.stroke();
    c.setLineDash([]);
    c.lineWidth = 1.6;
    c.beginPath(); c.arc(cx, chartY(box, now.run), 4.5, 0, 2 * Math.PI); c.stroke();
  });
}
function onChartClick(event) {
  var rect = chartCanvas.getBoundingClientRect(), box = chartBox();
  var x = event.clientX - rect.left, y = event.clientY - rect.top;
  var value = Math.max(0, Math.min(RESOLUTION, (x - box.left) / (box.right - box.left) * RESOLUTION));
  var lr = rateAt(value), best = null;
  tunable().forEach(function (i) {  // the racer whose curve passes nearest the click
    var near = options[i].reduce(function (a, b) {
      return Math.abs(Math.log(b.lr / lr)) < Math.abs(Math.log(a.lr / lr)) ? b : a;
    });
    var away = Math.abs(chartY(box, near.run) - y);
    if (!best || away < best.away) best = { away: away, racer: i };
  });
  if (best) setRate(best.racer, lr);
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
    if (option.second !== null && knobs.pad && !sameLr(option.second + 1e-12, knobs.pad.sceneValue + 1e-12)) {
      parts.push(knobs.pad.name + "." + racerKey(i) + "=" + formatG(option.second, 6));
    }
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
    var second = knobs.pad && knobs.pad.racer === i ? parseFloat(fields[knobs.pad.name + "." + key]) : NaN;
    if (second === second && padCells) {
      var target = lr === lr ? lr : chosen[i].lr, best = null;
      knobs.pad.values.forEach(function (value, j) {
        if (!sameLr(value + 1e-12, second + 1e-12)) return;
        padCells[j].forEach(function (cell) {
          if (cell && (!best || Math.abs(Math.log(cell.lr / target)) < Math.abs(Math.log(best.lr / target)))) best = cell;
        });
      });
      if (best) { chosen[i] = best; runs[i] = best.run; }
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
        second: function (i) { return chosen[i].second; },
        setRate: function (i, lr) { setRate(i, lr); },
        setPad: function (j, k) { choosePad(j, k); },
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
    });
  }
}
var lastRedraw = 0;
