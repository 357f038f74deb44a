/* anim's player, the knobs' sliders (with knobs.js): one learning-rate slider per racer on
 * a log scale, the marks of its snaps (the scene's rate, the tuned optimum, the last rate
 * before divergence), its caption, the keys, and "the same rate for all". */
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
  [["scene", entry.sceneLr, words.knob_scene], ["best", entry.tunedLr, words.knob_best],
   ["edge", entry.edgeLr, words.knob_edge]].forEach(function (item) {
    if (item[1] === null || item[1] === undefined) return;
    var option = options[i].filter(function (o) { return sameLr(o.lr, item[1]); })[0];
    if (option) found.push({ name: item[0], lr: item[1], title: item[2], option: option });
  });
  return found;
}
function outcome(run) {
  if (run.arrival !== null) return fill(words.knob_arrives, { step: run.arrival });
  if (run.diverged !== null) return fill(words.knob_flies_off, { step: run.diverged });
  return words.knob_no_arrival;
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
  lockLabel.appendChild(document.createTextNode(" " + words.knob_lock));
  head.appendChild(element("span", "anim-knob-title", words.knob_title));
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
      var fixed = element("span", "anim-knob-fixed", fill(words.knob_fixed, { reason: racers[i].fixed }));
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
  chartRow.appendChild(element("span", "anim-knob-name anim-chart-label", words.knob_chart));
  chartCanvas = element("canvas", "anim-chart");
  chartCanvas.setAttribute("aria-label", "arrival step against learning rate; click to set a rate");
  chartCanvas.addEventListener("click", onChartClick);
  chartRow.appendChild(chartCanvas);
  chartRow.appendChild(element("span", "anim-chart-key", words.knob_chart_key));
  if (extras.pad) {
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
  function half(group) {  // half a caption's width: ~6.8 px a Latin letter, 12 a CJK one
    var text = group.labels.join(" \u00b7 "), wide = text.replace(/[\x00-\u02ff]/g, "").length;
    return 3.4 * (text.length - wide) + 6 * wide + 4;
  }
  specials(i).sort(function (a, b) { return a.lr - b.lr; }).forEach(function (special) {
    var at = position(special.lr), tick = element("span", "anim-tick");
    tick.style.left = markLeft(at);
    tick.title = special.title + ": " + formatG(special.lr, 6);
    marks.appendChild(tick);
    groups.push({ names: [special.name], labels: [special.title], at: [at], title: [tick.title] });
  });
  for (var merged = true; merged;) {
    merged = false;
    for (var g = 1; g < groups.length; g++) {
      var left = groups[g - 1], right = groups[g];
      if (centre(right) - half(right) < centre(left) + half(left)) {
        groups.splice(g - 1, 2, { names: left.names.concat(right.names), labels: left.labels.concat(right.labels),
                                  at: left.at.concat(right.at), title: left.title.concat(right.title) });
        merged = true;
        break;
      }
    }
  }
  groups.forEach(function (group) {
    var middle = (group.at[0] + group.at[group.at.length - 1]) / 2;
    var mark = element("span", "anim-mark", group.labels.join(" \u00b7 "));
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

