/**
 * The page's own script, inlined after uPlot: reads the chart data from the
 * `<script type="application/json" id="steady-data">` element and draws every
 * `<div data-chart="id">`. Everything else on the page (verdict, tables,
 * failure timeline) is plain HTML and works without it.
 *
 * Kept as a string of plain ES2017 (no build step, no helpers a bundler might
 * inject): it runs as-is in any browser that opens the file. It only ever puts
 * data into the page as text (`textContent`) or onto a canvas.
 *
 * When every chart has drawn once it sets `data-charts-drawn` on `<html>` to
 * the milliseconds since navigation start (what the benchmark reads).
 */
export const clientScript = String.raw`(function () {
  'use strict';
  var root = document.documentElement;
  var dataEl = document.getElementById('steady-data');
  if (!dataEl) return;
  root.classList.add('js');
  if (typeof uPlot === 'undefined') {
    root.classList.remove('js');
    return;
  }
  var data = JSON.parse(dataEl.textContent);
  var phases = data.phases || [];
  var charts = [];
  var pending = 0;

  function trim(n, digits) {
    if (!isFinite(n)) return '';
    if (n === 0) return '0';
    var a = Math.abs(n);
    if (a >= 1000) return Math.round(n).toLocaleString('en-US');
    var d = Math.max(0, digits - 1 - Math.floor(Math.log(a) / Math.LN10));
    return String(Number(n.toFixed(Math.min(d, 6))));
  }
  function fmt(unit, v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    if (unit === 'ms') {
      if (v !== 0 && Math.abs(v) < 1) return trim(v * 1000, 3) + 'µs';
      if (Math.abs(v) >= 10000) return trim(v / 1000, 3) + 's';
      return trim(v, 3) + 'ms';
    }
    if (unit === 'bytes') {
      var u = ['B', 'KB', 'MB', 'GB', 'TB'], i = 0, x = v;
      while (Math.abs(x) >= 1024 && i < u.length - 1) { x /= 1024; i++; }
      return trim(x, 3) + ' ' + u[i];
    }
    if (unit === 'rate') return trim(v, 3) + '/s';
    if (unit === 'ratio' || unit === 'percent') return trim(v * 100, 3) + '%';
    return trim(v, 3);
  }
  function fmtTime(s) {
    if (s === null || s === undefined || !isFinite(s)) return '';
    var t = Math.max(0, Math.round(s));
    var h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
    var mm = h ? (m < 10 ? '0' + m : String(m)) : String(m);
    return (h ? h + ':' : '') + mm + ':' + (sec < 10 ? '0' + sec : sec);
  }
  function phaseAt(s) {
    for (var i = 0; i < phases.length; i++) if (s >= phases[i].start && s < phases[i].end) return phases[i].name;
    return '';
  }

  function phasePlugin(spec) {
    return {
      hooks: {
        drawClear: [function (u) {
          if (!spec.phases) return;
          var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
          ctx.save();
          for (var i = 0; i < phases.length; i++) {
            var p = phases[i];
            var x0 = u.valToPos(p.start, 'x', true), x1 = u.valToPos(p.end, 'x', true);
            // Loaded phases orange, deeper with more load; the others striped faintly grey.
            ctx.fillStyle = p.loaded
              ? 'rgba(255, 140, 0, ' + (0.05 + 0.12 * p.intensity) + ')'
              : (i % 2 ? 'rgba(0,0,0,0.035)' : 'rgba(0,0,0,0.0)');
            ctx.fillRect(x0, top, x1 - x0, h);
            if (i > 0) {
              ctx.fillStyle = 'rgba(0,0,0,0.25)';
              ctx.fillRect(Math.round(x0), top, Math.max(1, devicePixelRatio), h);
            }
          }
          ctx.restore();
        }],
        draw: [function (u) {
          var ctx = u.ctx, top = u.bbox.top, dpr = devicePixelRatio || 1;
          ctx.save();
          ctx.font = (11 * dpr) + 'px system-ui, sans-serif';
          ctx.textBaseline = 'top';
          ctx.textAlign = 'left';
          if (spec.phases) {
            ctx.fillStyle = '#444';
            for (var i = 0; i < phases.length; i++) {
              var p = phases[i];
              var x0 = u.valToPos(p.start, 'x', true), x1 = u.valToPos(p.end, 'x', true);
              var label = p.label;
              if (ctx.measureText(label).width + 8 * dpr > x1 - x0) label = p.name;
              if (ctx.measureText(label).width + 8 * dpr > x1 - x0) continue;
              ctx.fillText(label, x0 + 4 * dpr, top + 3 * dpr);
            }
          }
          var marks = spec.markers || [];
          for (var j = 0; j < marks.length; j++) {
            var x = u.valToPos(marks[j].x, 'x', true);
            ctx.strokeStyle = '#c00';
            ctx.lineWidth = 1.5 * dpr;
            ctx.setLineDash([4 * dpr, 3 * dpr]);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + u.bbox.height);
            ctx.stroke();
            ctx.setLineDash([]);
            ctx.fillStyle = '#c00';
            ctx.fillText(marks[j].label, x + 3 * dpr, top + 16 * dpr);
          }
          ctx.restore();
        }]
      }
    };
  }

  /** Tick labels of a y axis, in its unit. */
  function yValues(unit) {
    return function (u, splits) { return splits.map(function (v) { return fmt(unit, v); }); };
  }

  function range(cfg) {
    return function (u, dmin, dmax) {
      var lo = cfg && cfg.min !== undefined && cfg.min !== null
        ? Math.min(cfg.min, dmin === null ? cfg.min : dmin)
        : dmin;
      var hi = cfg && cfg.max !== undefined && cfg.max !== null
        ? Math.max(cfg.max, dmax === null ? cfg.max : dmax)
        : dmax;
      if (lo === null || hi === null || !isFinite(lo) || !isFinite(hi)) return [0, 1];
      if (hi === lo) { hi = lo === 0 ? 1 : hi * 1.1; if (lo > 0 && cfg && cfg.min === undefined) lo = lo * 0.9; }
      var pad = (hi - lo) * 0.08;
      return [cfg && cfg.min !== undefined ? lo : lo - pad, hi + pad];
    };
  }

  function sizeOf(el) {
    var w = Math.max(260, Math.floor(el.getBoundingClientRect().width));
    return { width: w, height: w < 520 ? 190 : 240 };
  }

  function build(el, spec) {
    var xFmt = spec.xKind === 'time' ? fmtTime : function (v) { return fmt('rate', v); };
    var series = [{
      label: spec.xKind === 'time' ? 'time' : 'load',
      value: function (u, v) {
        if (v === null || v === undefined) return '–';
        return spec.xKind === 'time' ? fmtTime(v) + (phaseAt(v) ? ' (' + phaseAt(v) + ')' : '') : fmt('rate', v);
      }
    }];
    var hidden = [];
    spec.lines.forEach(function (l, i) {
      var unit = l.scale === 'y2' && spec.y2 ? spec.y2.unit : spec.y.unit;
      var s = {
        label: l.label,
        scale: l.scale === 'y2' ? 'y2' : 'y',
        stroke: l.color,
        width: l.bandEdge ? 1 : (l.width || 1.5),
        value: function (u, v) { return fmt(unit, v); },
        spanGaps: false,
        points: { show: false }
      };
      if (l.dash) s.dash = l.dash;
      if (l.stepped) s.paths = uPlot.paths.stepped({ align: 1 });
      if (l.points === 'only') {
        s.paths = function () { return null; };
        s.points = l.hollow
          ? { show: true, size: 9, width: 2, stroke: l.color, fill: '#ffffff' }
          : { show: true, size: 6, width: 1, stroke: l.color, fill: l.color + '99' };
      } else if (l.points === 'show') {
        s.points = { show: true, size: 4 };
      }
      series.push(s);
      if (l.noLegend) hidden.push(i + 1);
    });
    var axes = [
      { values: function (u, splits) { return splits.map(xFmt); }, size: 36, gap: 4 },
      { values: yValues(spec.y.unit), size: 64, gap: 4 }
    ];
    var scales = { x: { time: false }, y: { range: range(spec.y) } };
    if (spec.xKind === 'rate') {
      scales.x.range = function (u, dmin, dmax) { return [0, dmax === null ? 1 : dmax * 1.05 || 1]; };
    }
    if (spec.y2) {
      scales.y2 = { range: range(spec.y2) };
      axes.push({ scale: 'y2', side: 1, grid: { show: false }, size: 64, gap: 4, values: yValues(spec.y2.unit) });
    }
    var size = sizeOf(el);
    var first = true;
    var opts = {
      width: size.width,
      height: size.height,
      series: series,
      axes: axes,
      scales: scales,
      legend: { live: true },
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      bands: (spec.bands || []).map(function (b) { return { series: [b.upper + 1, b.lower + 1], fill: b.fill }; }),
      plugins: [phasePlugin(spec)],
      hooks: {
        draw: [function () {
          if (!first) return;
          first = false;
          pending--;
          el.setAttribute('data-drawn', '1');
          if (pending === 0) root.setAttribute('data-charts-drawn', String(Math.round(performance.now())));
        }]
      }
    };
    var values = [spec.x].concat(spec.lines.map(function (l) { return l.values; }));
    var u = new uPlot(opts, values, el);
    hidden.forEach(function (i) {
      var rows = u.root.querySelectorAll('.u-legend .u-series');
      if (rows[i]) rows[i].style.display = 'none';
    });
    charts.push({ u: u, el: el });
  }

  var els = document.querySelectorAll('[data-chart]');
  var specs = {};
  (data.charts || []).forEach(function (c) { specs[c.id] = c; });
  pending = els.length;
  if (pending === 0) root.setAttribute('data-charts-drawn', String(Math.round(performance.now())));
  for (var i = 0; i < els.length; i++) {
    var el = els[i];
    var spec = specs[el.getAttribute('data-chart')];
    if (!spec) { pending--; continue; }
    try {
      build(el, spec);
    } catch (e) {
      pending--;
      var p = document.createElement('p');
      p.className = 'chart-error';
      p.textContent = 'This chart could not be drawn: ' + (e && e.message ? e.message : String(e));
      el.appendChild(p);
      console.error(e);
    }
  }

  var timer = 0;
  function resize(fixedWidth) {
    charts.forEach(function (c) {
      var s = sizeOf(c.el);
      c.u.setSize({ width: fixedWidth || s.width, height: s.height });
    });
  }
  window.addEventListener('resize', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { resize(); }, 120);
  });
  window.addEventListener('beforeprint', function () {
    // Everything folded prints open, except the list of checks that passed (its count is enough on paper).
    var all = document.querySelectorAll('details:not(.passed)');
    for (var i = 0; i < all.length; i++) all[i].setAttribute('open', '');
    resize(660);
  });
  window.addEventListener('afterprint', function () { resize(); });
  // Charts in a folded block were drawn at a guessed width: fit them when it opens.
  document.addEventListener('toggle', function (e) {
    var d = e.target;
    if (!d || !d.open) return;
    charts.forEach(function (c) { if (d.contains(c.el)) c.u.setSize(sizeOf(c.el)); });
  }, true);
  // A link to a chart inside a folded block opens the block.
  function openTo(hash) {
    if (!hash || hash.length < 2) return;
    var el = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!el) return;
    for (var p = el.parentElement; p; p = p.parentElement) if (p.tagName === 'DETAILS') p.open = true;
    el.scrollIntoView();
  }
  window.addEventListener('hashchange', function () { openTo(location.hash); });
  if (location.hash) openTo(location.hash);
})();
`
