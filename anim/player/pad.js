/* anim's player, the 2D pad (when the page's knobs turn a second hyperparameter): for
 * one racer, a cell per (learning rate, value), coloured by its arrival step, as
 * Distill's momentum playground colours its plane; click a cell or move with the keys. */
var padCells = null;  // [value row][lr column] -> option (or null)
function unpackPad(read) {
  var pad = knobs.pad, columns = pad.lrs.length;
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
function sameValue(a, b) { return sameLr(a + 1e-12, b + 1e-12); }
// The pad's part of the address (momentum.Momentum=0.5), and the cell it names.
function padAddress(i, option) {
  var pad = knobs.pad;
  if (option.second === null || sameValue(option.second, pad.sceneValue)) return [];
  return [pad.name + "." + racerKey(i) + "=" + formatG(option.second, 6)];
}
function applyPad(i, key, lr, fields) {
  var pad = knobs.pad, second = pad.racer === i ? parseFloat(fields[pad.name + "." + key]) : NaN;
  if (second !== second) return false;
  var target = lr === lr ? lr : chosen[i].lr, best = null;
  pad.values.forEach(function (value, j) {
    if (!sameValue(value, second)) return;
    padCells[j].forEach(function (cell) {
      if (cell && (!best || Math.abs(Math.log(cell.lr / target)) < Math.abs(Math.log(best.lr / target)))) best = cell;
    });
  });
  if (best) { chosen[i] = best; runs[i] = best.run; }
  return !!best;
}
var padCanvas = null, padSize = { cell: 0, left: 44, top: 8, bottom: 22 };
function buildPad(row) {
  var pad = knobs.pad;
  row.appendChild(element("span", "anim-knob-name anim-pad-label", racers[pad.racer].name + ": lr \u00d7 " + pad.symbol));
  padCanvas = element("canvas", "anim-pad");
  padCanvas.tabIndex = 0;
  padCanvas.setAttribute("aria-label", "learning rate and " + pad.name + " of " + racers[pad.racer].label +
                         ": click a cell, or use the arrow keys");
  padCanvas.addEventListener("click", onPadClick);
  padCanvas.addEventListener("keydown", onPadKey);
  row.appendChild(padCanvas);
  row.appendChild(element("span", "anim-chart-key", words.knob_pad_key));
}
// Sooner is darker (viridis, reversed so that the eye goes to the fast corner).
var RAMP = ["#fde725", "#b5de2b", "#6ece58", "#35b779", "#1f9e89", "#26828e", "#31688e", "#3e4989", "#482878", "#440154"];
function rampColor(fraction) {
  var at = Math.max(0, Math.min(1, 1 - fraction)) * (RAMP.length - 1), k = Math.floor(at);
  return RAMP[Math.min(k + (at - k >= 0.5 ? 1 : 0), RAMP.length - 1)];
}
function padGeometry() {
  var pad = knobs.pad, width = padWidth || 300;
  var columns = pad.lrs.length, rows = pad.values.length;
  var cell = Math.max(6, Math.min(24, (width - padSize.left - 4) / columns));
  return { cell: cell, columns: columns, rows: rows, width: width,
           height: padSize.top + rows * cell + padSize.bottom };
}
var padWidth = 0, padStatic = null;
function measurePad() {
  var width = padCanvas.getBoundingClientRect().width || 300;
  if (width === padWidth && padStatic) return;
  padWidth = width;
  var g = padGeometry(), dpr = window.devicePixelRatio || 1;
  padCanvas.width = Math.round(g.width * dpr);
  padCanvas.height = Math.round(g.height * dpr);
  padCanvas.style.height = g.height + "px";
  padStatic = document.createElement("canvas");
  padStatic.width = padCanvas.width;
  padStatic.height = padCanvas.height;
  var c = padStatic.getContext("2d");
  c.setTransform(dpr, 0, 0, dpr, 0, 0);
  padCellsDrawn(c, g);
}
function drawPad() {
  if (!padStatic) measurePad();
  var pad = knobs.pad, g = padGeometry(), dpr = window.devicePixelRatio || 1, c = padCanvas.getContext("2d");
  c.setTransform(1, 0, 0, 1, 0, 0);
  c.clearRect(0, 0, padCanvas.width, padCanvas.height);
  c.drawImage(padStatic, 0, 0);
  c.setTransform(dpr, 0, 0, dpr, 0, 0);
  var now = chosen[pad.racer], at = padAt(now);
  if (at) {
    c.strokeStyle = data.colors.text;
    c.lineWidth = 2;
    c.strokeRect(padSize.left + at[1] * g.cell - 1, padSize.top + (g.rows - 1 - at[0]) * g.cell - 1, g.cell + 1, g.cell + 1);
  }
}
function padCellsDrawn(c, g) {
  var pad = knobs.pad;
  c.font = "10px " + data.font.sans;
  c.textBaseline = "middle";
  padCells.forEach(function (row, j) {
    var y = padSize.top + (g.rows - 1 - j) * g.cell;  // larger values higher
    c.fillStyle = data.colors.muted;
    c.textAlign = "right";
    c.fillText(formatG(pad.values[j], 3), padSize.left - 4, y + g.cell / 2);
    row.forEach(function (cell, k) {
      var x = padSize.left + k * g.cell;
      if (!cell) return;
      var run = cell.run;
      c.fillStyle = run.arrival !== null ? rampColor(run.arrival / N) : run.diverged !== null ? "#404040" : "#bdbdbd";
      c.fillRect(x, y, g.cell - 1, g.cell - 1);
      if (run.diverged !== null && run.arrival === null) {
        c.fillStyle = "#d9d9d9";
        c.textAlign = "center";
        c.fillText("\u2717", x + g.cell / 2, y + g.cell / 2);
      }
    });
  });
  c.fillStyle = data.colors.muted;
  c.textAlign = "center";
  pad.lrs.forEach(function (lr, k) {
    var power = Math.log10(lr);
    if (Math.abs(power - Math.round(power)) < 1e-9) {
      c.fillText(power === 0 ? "1" : power === 1 ? "10" : "1e" + power, padSize.left + (k + 0.5) * g.cell,
                 padSize.top + g.rows * g.cell + 10);
    }
  });
}
// The pad cell (row, column) of an option: its own, or the cell of the same settings.
function padAt(option) {
  var pad = knobs.pad;
  var value = option.second === null ? pad.sceneValue : option.second;
  for (var j = 0; j < pad.values.length; j++) {
    if (!sameValue(pad.values[j], value)) continue;
    for (var k = 0; k < pad.lrs.length; k++) if (sameLr(pad.lrs[k], option.lr)) return [j, k];
  }
  return null;
}
function onPadClick(event) {
  var rect = padCanvas.getBoundingClientRect(), g = padGeometry();
  var k = Math.floor((event.clientX - rect.left - padSize.left) / g.cell);
  var j = g.rows - 1 - Math.floor((event.clientY - rect.top - padSize.top) / g.cell);
  if (k >= 0 && k < g.columns && j >= 0 && j < g.rows) choosePad(j, k);
}
function onPadKey(event) {
  var moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [1, 0], ArrowDown: [-1, 0] };
  var move = moves[event.key];
  if (!move) return;
  event.preventDefault();
  var at = padAt(chosen[knobs.pad.racer]) || [0, 0], g = padGeometry();
  choosePad(Math.max(0, Math.min(g.rows - 1, at[0] + move[0])), Math.max(0, Math.min(g.columns - 1, at[1] + move[1])));
}

extras.pad = {
  unpack: unpackPad,
  row: function (option) { return padCells[option.row].filter(function (cell) { return cell; }); },
  address: padAddress,
  apply: applyPad,
  api: function (api) {
    api.second = function (i) { return chosen[i].second; };
    api.setPad = function (j, k) { choosePad(j, k); };
  },
  build: buildPad,
  draw: function () { if (padCanvas) drawPad(); },
  measure: function () { if (padCanvas) measurePad(); }
};
