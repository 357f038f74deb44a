/* anim's player, the compact form (when the page carries knobs or a swarm): base64 of
 * deflated zig-zag varints, which the browser's own DecompressionStream inflates, read as
 * series (anim/pagedata/encoding.py writes them: a header, an optional mask of missing
 * values, then first or second differences). */
// Base 85 (RFC 1924's digits): every 5 characters are 4 bytes, big-endian; a last group
// of n + 1 characters is n bytes.
var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
function base85(text) {
  var value = {}, length = text.length, out = new Uint8Array(Math.floor(length / 5) * 4 + Math.max(length % 5 - 1, 0));
  for (var d = 0; d < 85; d++) value[DIGITS[d]] = d;
  for (var i = 0, o = 0; i < length; i += 5) {
    var group = 0, chars = Math.min(5, length - i);
    for (var j = 0; j < 5; j++) group = group * 85 + (j < chars ? value[text[i + j]] : 84);
    for (j = 0; j < chars - 1; j++) out[o++] = Math.floor(group / Math.pow(256, 3 - j)) % 256;
  }
  return out;
}
function inflate(text) {
  var stream = new Blob([base85(text)]).stream().pipeThrough(new DecompressionStream("deflate"));
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
function reader(codes, logQuantum) {
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
        if (c === c && c !== 0) values[k] = (c > 0 ? 1 : -1) * Math.exp(LOG_FLOOR + (Math.abs(c) - 1) * logQuantum);
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
