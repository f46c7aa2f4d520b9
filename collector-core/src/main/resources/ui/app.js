// The mpac-collector UI: plain JavaScript, no framework, no network access beyond this server.
// Pages (hash routes): #/ components, #/graph pipeline graph, #/component/<id> one component.
// Rates are computed here from the cumulative counts the API returns, polled every few seconds.
'use strict';

const API = 'api/v0/web/';
const POLL_MS = 2000;
const SIGNALS = ['traces', 'metrics', 'logs'];
const UNIT = { traces: 'spans', metrics: 'points', logs: 'logs' };
const MAX_LIVE_ENTRIES = 200;

let timer = null;
let live = null; // the running live-debugging stream, if any
let lastFlows = null; // { at: ms, byEdge: { "from->to": {traces, metrics, logs} } }
let rates = {}; // "from->to" -> { traces: items/s, ... }

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function svg(tag, attrs, ...children) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

async function getJson(path) {
  const r = await fetch(API + path, { cache: 'no-store' });
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
  return r.json();
}

function healthBadge(h) {
  return el('span', { class: 'health ' + h.state, text: h.state });
}

function fmtRate(n) {
  if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M/s';
  if (n >= 1e4) return (n / 1e3).toFixed(0) + 'k/s';
  if (n >= 1e3) return (n / 1e3).toFixed(1) + 'k/s';
  return (n >= 10 ? n.toFixed(0) : n.toFixed(1)) + '/s';
}

function rateText(r) {
  if (!r) return '';
  return SIGNALS.filter(s => r[s] > 0).map(s => fmtRate(r[s]) + ' ' + UNIT[s]).join(', ');
}

// Turns cumulative edge counts into items/s since the previous poll.
async function refreshRates() {
  const flows = await getJson('flows');
  const now = Date.now();
  const byEdge = {};
  for (const f of flows) byEdge[f.from + '->' + f.to] = f.items;
  if (lastFlows) {
    const secs = Math.max(0.001, (now - lastFlows.at) / 1000);
    const next = {};
    for (const [key, items] of Object.entries(byEdge)) {
      const before = lastFlows.byEdge[key] || {};
      const r = {};
      for (const s of SIGNALS) r[s] = Math.max(0, (items[s] - (before[s] || 0)) / secs);
      next[key] = r;
    }
    rates = next;
  }
  lastFlows = { at: now, byEdge };
}

// A node's rate: what it receives from other components, or for a source what it sends on.
function nodeRate(id) {
  const out = {}, inc = {};
  let hasIn = false;
  for (const [key, r] of Object.entries(rates)) {
    const [from, to] = key.split('->');
    const target = to === id ? inc : from === id ? out : null;
    if (!target) continue;
    if (to === id) hasIn = true;
    for (const s of SIGNALS) target[s] = (target[s] || 0) + r[s];
  }
  return hasIn ? inc : out;
}

// ---- pages ----

async function homePage(main) {
  const list = await getJson('components');
  const existing = document.getElementById('components');
  if (existing && existing.redraw) { existing.redraw(list); return; }
  const filter = el('input', { type: 'search', id: 'filter', placeholder: 'Filter by id or health…' });
  const body = el('tbody');
  const draw = () => {
    const q = filter.value.trim().toLowerCase();
    body.replaceChildren();
    for (const c of list) {
      if (q && !(c.localID.toLowerCase().includes(q) || c.health.state.includes(q))) continue;
      body.append(el('tr', { 'data-id': c.localID },
        el('td', {}, el('a', { href: '#/component/' + encodeURIComponent(c.localID), text: c.localID })),
        el('td', { text: c.kind }),
        el('td', {}, healthBadge(c.health)),
        el('td', { class: 'muted', text: c.health.message || '' })));
    }
  };
  filter.addEventListener('input', draw);
  draw();
  const table = el('table', { id: 'components' },
    el('thead', {}, el('tr', {}, el('th', { text: 'Component' }), el('th', { text: 'Kind' }),
      el('th', { text: 'Health' }), el('th', { text: 'Message' }))), body);
  // Later refreshes replace the rows only, so the filter box keeps its text and focus.
  table.redraw = fresh => { list.splice(0, list.length, ...fresh); draw(); };
  main.replaceChildren(el('h1', { text: 'Components' }), filter, table);
}

// Columns by longest path from a source, so data flows left to right.
function layout(list) {
  const ids = list.map(c => c.localID);
  const to = Object.fromEntries(list.map(c => [c.localID, c.dataFlowEdgesTo.filter(t => ids.includes(t))]));
  const col = Object.fromEntries(ids.map(id => [id, 0]));
  for (let pass = 0; pass < ids.length; pass++) {
    let changed = false;
    for (const id of ids) for (const t of to[id]) {
      if (col[t] < col[id] + 1) { col[t] = col[id] + 1; changed = true; }
    }
    if (!changed) break;
  }
  const columns = [];
  for (const id of ids) (columns[col[id]] = columns[col[id]] || []).push(id);
  const W = 250, H = 64, GX = 110, GY = 36, PAD = 20;
  const pos = {};
  columns.forEach((c, i) => c.sort().forEach((id, j) => {
    pos[id] = { x: PAD + i * (W + GX), y: PAD + j * (H + GY), w: W, h: H };
  }));
  const width = PAD * 2 + columns.length * (W + GX) - GX;
  const height = PAD * 2 + Math.max(1, ...columns.map(c => c.length)) * (H + GY) - GY;
  return { pos, to, width, height };
}

async function graphPage(main) {
  const list = await getJson('components');
  const byId = Object.fromEntries(list.map(c => [c.localID, c]));
  const { pos, to, width, height } = layout(list);
  const root = svg('svg', { class: 'graph', id: 'graph', width, height, viewBox: `0 0 ${width} ${height}` });
  root.append(svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8c959f' }))));
  for (const [from, targets] of Object.entries(to)) for (const t of targets) {
    const a = pos[from], b = pos[t];
    const x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2, mx = (x1 + x2) / 2;
    const r = rateText(rates[from + '->' + t]);
    root.append(svg('g', { class: 'edge' + (r ? ' active' : ''), 'data-from': from, 'data-to': t },
      svg('path', { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, 'marker-end': 'url(#arrow)' }),
      svg('text', { x: mx, y: (y1 + y2) / 2 - 6, 'text-anchor': 'middle', class: 'edge-rate', text: r })));
  }
  for (const [id, p] of Object.entries(pos)) {
    const c = byId[id];
    const link = svg('a', { href: '#/component/' + encodeURIComponent(id) },
      svg('rect', { x: p.x, y: p.y, width: p.w, height: p.h }),
      svg('text', { x: p.x + 10, y: p.y + 18, text: c.name }),
      svg('text', { x: p.x + 10, y: p.y + 34, text: '"' + c.label + '"  ·  ' + c.health.state, class: 'kind' }),
      svg('text', { x: p.x + 10, y: p.y + 52, class: 'rate node-rate', text: rateText(nodeRate(id)) || '—' }));
    root.append(svg('g', { class: 'node ' + c.health.state, 'data-id': id }, svg('title', { text: c.health.message || '' }), link));
  }
  main.replaceChildren(el('h1', { text: 'Pipeline' }),
    el('p', { class: 'muted', text: 'Items per second on each edge and node, refreshed every ' + POLL_MS / 1000 + ' s. Red: unhealthy.' }),
    root);
}

function valueText(v, indent) {
  const pad = '  '.repeat(indent + 1);
  switch (v.type) {
    case 'string': return JSON.stringify(v.value);
    case 'null': return 'null';
    case 'number': case 'bool': return String(v.value);
    case 'function': case 'capsule': return v.value;
    case 'array': return v.value.length === 0 ? '[]'
      : '[\n' + v.value.map(e => pad + valueText(e, indent + 1)).join(',\n') + ',\n' + '  '.repeat(indent) + ']';
    case 'object': return v.value.length === 0 ? '{}'
      : '{\n' + v.value.map(f => pad + JSON.stringify(f.key) + ' = ' + valueText(f.value, indent + 1)).join(',\n')
        + ',\n' + '  '.repeat(indent) + '}';
    default: return '?';
  }
}

function bodyText(body, indent) {
  const pad = '  '.repeat(indent);
  return (body || []).map(s => s.type === 'block'
    ? pad + s.name + ' {\n' + bodyText(s.body, indent + 1) + pad + '}\n'
    : pad + s.name + ' = ' + valueText(s.value, indent) + '\n').join('');
}

async function componentPage(main, id) {
  const c = await getJson('components/' + encodeURIComponent(id));
  const card = (k, v) => el('div', { class: 'card' }, el('div', { class: 'k', text: k }), el('div', { class: 'v', text: v }));
  const s = c.summary;
  const links = ids => ids.length ? ids.flatMap((x, i) => [i ? ', ' : '',
    el('a', { href: '#/component/' + encodeURIComponent(x), text: x })]) : ['—'];
  const parts = [
    el('h1', { text: c.localID }),
    el('p', {}, healthBadge(c.health), ' ', c.health.message || '', el('span', { class: 'muted', text: '  (since ' + c.health.updatedTime + ')' })),
    el('div', { class: 'cards', id: 'summary' }, card('accepted', s.accepted), card('refused', s.refused),
      card('sent', s.sent), card('failed', s.failed), card('queue size', s.queueSize < 0 ? '—' : s.queueSize),
      card('rate', rateText(nodeRate(c.localID)) || '—')),
    el('h2', { text: 'Data flows to' }), el('p', {}, ...links(c.dataFlowEdgesTo)),
    el('h2', { text: 'Referenced by' }), el('p', {}, ...links(c.referencedBy)),
    el('h2', { text: 'Live debugging' }),
  ];
  if (c.liveDebuggingEnabled) {
    const out = el('pre', { class: 'live', id: 'live' });
    const button = el('button', { id: 'live-toggle', text: 'Start' });
    button.addEventListener('click', () => live ? stopLive(button) : startLive(c.localID, out, button));
    parts.push(el('p', { class: 'muted', text: 'A sample of what this component sends on (an exporter: what it receives), at most 5 requests a second.' }),
      button, out);
  } else {
    parts.push(el('p', { class: 'muted', text: 'Disabled. Add  livedebugging { enabled = true }  to the config to stream this component\'s data here.' }));
  }
  parts.push(
    el('h2', { text: 'Arguments' }), el('pre', { id: 'arguments', text: bodyText(c.arguments, 0) || '(none)' }),
    el('h2', { text: 'Exports' }), el('pre', { id: 'exports', text: bodyText(c.exports, 0) || '(none)' }),
    el('h2', { text: 'Debug info (counters)' }), el('pre', { id: 'debug-info', text: bodyText(c.debugInfo, 0) || '(none)' }));
  // A stream may have started while this refresh was fetching: keep the page it writes to.
  if (live) return;
  main.replaceChildren(...parts);
}

function startLive(id, out, button) {
  const controller = new AbortController();
  live = controller;
  button.textContent = 'Stop';
  out.textContent = '';
  (async () => {
    const r = await fetch(API + 'debug/' + encodeURIComponent(id), { signal: controller.signal, cache: 'no-store' });
    if (!r.ok) { out.textContent = await r.text(); return; }
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const chunks = buffer.split('|;|');
      buffer = chunks.pop();
      for (const chunk of chunks) {
        if (!chunk) continue;
        out.append(el('div', { class: 'entry', text: chunk }));
        while (out.childNodes.length > MAX_LIVE_ENTRIES) out.firstChild.remove();
      }
    }
  })().catch(e => { if (e.name !== 'AbortError') out.append(el('div', { text: String(e) })); })
    .finally(() => { if (live === controller) { live = null; button.textContent = 'Start'; } });
}

function stopLive(button) {
  if (live) live.abort();
  live = null;
  if (button) button.textContent = 'Start';
}

// ---- routing and refresh ----

async function render() {
  const main = document.getElementById('main');
  const hash = location.hash || '#/';
  document.getElementById('nav-home').classList.toggle('active', hash === '#/');
  document.getElementById('nav-graph').classList.toggle('active', hash === '#/graph');
  try {
    await refreshRates();
    if (hash === '#/graph') await graphPage(main);
    else if (hash.startsWith('#/component/')) {
      // Do not rebuild the page under a running live stream: it would cut the stream.
      if (!live) await componentPage(main, decodeURIComponent(hash.substring('#/component/'.length)));
    } else await homePage(main);
    document.getElementById('status').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById('status').textContent = 'error: ' + e.message;
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    await render();
    schedule();
  }, POLL_MS);
}

window.addEventListener('hashchange', () => { stopLive(); render(); });
document.addEventListener('DOMContentLoaded', () => { render(); schedule(); });
