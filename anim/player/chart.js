/* anim's player, the knobs' sensitivity chart (with knobs.js): arrival step against
 * learning rate, one curve per racer as `anim tune --plot` draws it, on the sliders' own
 * scale, with a cursor at each racer's rate; a click sets a rate. */
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

