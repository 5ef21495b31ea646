// The nashpo dashboard and report page. One script for both: live, it asks the server's /api and is told of new
// events by server-sent events (no polling); as report.html, it reads the study embedded in #nashpo-data.
'use strict';
(function () {
  const embedded = JSON.parse(document.getElementById('nashpo-data').textContent || 'null');
  const live = embedded === null;
  const $ = id => document.getElementById(id);
  const state = { study: null, view: 'studies', overview: null, trialsOffset: 0, trialsQuery: {}, sort: null, desc: false, trial: null };
  const pageSize = 50;
  const fmt = v => v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString()) : String(v);
  const esc = s => String(s).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

  // ---- data: the server's API, or the embedded report ----
  const getJson = async url => { const r = await fetch(url); if (!r.ok) throw new Error(url + ': ' + r.status); return r.json(); };
  const enc = encodeURIComponent;
  const api = live ? {
    studies: () => getJson('api/studies'),
    overview: id => getJson(`api/studies/${enc(id)}/overview`),
    trials: (id, q) => getJson(`api/studies/${enc(id)}/trials?` + new URLSearchParams(Object.entries(q).filter(([, v]) => v !== '' && v !== null && v !== undefined))),
    trial: (id, t) => getJson(`api/studies/${enc(id)}/trials/${enc(t)}`),
    promotions: (id, b) => getJson(`api/studies/${enc(id)}/promotions/${b}`),
    devices: id => getJson(`api/studies/${enc(id)}/devices`),
    analysis: id => getJson(`api/studies/${enc(id)}/analysis`),
  } : {
    studies: async () => [embedded.overview.summary],
    overview: async () => embedded.overview,
    trials: async (id, q) => localTrials(q),
    trial: async (id, t) => localTrial(t),
    promotions: async (id, b) => embedded.promotions.find(p => p.bracket === Number(b)),
    devices: async () => embedded.devices,
    analysis: async () => embedded.analysis,
  };

  // The report's table: the same filters as the server's (StudyView.Query), over the embedded rows.
  function localTrials(q) {
    const objectives = embedded.overview.objectives.map(o => o.name);
    const value = (r, c) => c in r.parameters ? r.parameters[c] : objectives.includes(c) ? (r.objectives ? r.objectives[objectives.indexOf(c)] : null) : c in r.metrics ? r.metrics[c] : null;
    let rows = embedded.rows.filter(r =>
      (!q.status || r.status === q.status) && (!q.budget || r.budget === Number(q.budget)) && (q.bracket === undefined || q.bracket === '' || r.bracket === Number(q.bracket)));
    if (q.column) {
      rows = rows.filter(r => {
        const v = value(r, q.column);
        if (typeof v === 'string') return !q.text || v === q.text;
        return v !== null && (q.min === undefined || q.min === '' || v >= Number(q.min)) && (q.max === undefined || q.max === '' || v <= Number(q.max));
      });
    }
    if (q.sort && q.sort !== 'index') {
      const key = r => q.sort === 'budget' ? r.budget : q.sort === 'duration' ? r.durationSeconds : q.sort === 'status' ? r.status : value(r, q.sort);
      rows = rows.slice().sort((a, b) => { const x = key(a), y = key(b); return x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1; });
      if (q.desc === 'true') rows.reverse();
    } else if (q.desc === 'true') rows = rows.slice().reverse();
    const offset = Math.max(0, Math.min(Number(q.offset || 0), rows.length));
    return { total: rows.length, offset, rows: rows.slice(offset, offset + Number(q.limit || pageSize)) };
  }

  function localTrial(id) {
    const byId = new Map(embedded.rows.map(r => [r.id, r]));
    const row = byId.get(id);
    if (!row) return null;
    const chain = [row];
    for (let p = row.parent; p && byId.has(p); p = byId.get(p).parent) chain.unshift(byId.get(p));
    return { trial: row, curve: embedded.curves[id] || [], chain };
  }

  // ---- summary line and tabs ----
  function summaryText(s) {
    return `<b>${esc(s.studyId)}</b> (${esc(s.optimizer)}): ${esc(s.state)}${s.finishReason ? ' (' + esc(s.finishReason) + ')' : ''} · ` +
      `${s.evaluations} evaluations, ${s.failed} failed, ${s.running} running · hypervolume ${fmt(s.hypervolume)} · front ${s.frontSize} · ` +
      `budget spent ${fmt(s.budgetSpent)} · devices busy ${s.devicesBusy}/${s.devices} · ${fmt(s.elapsedSeconds)} s`;
  }

  function show(view) {
    state.view = view;
    for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.view === view);
    for (const s of document.querySelectorAll('main > section')) s.classList.toggle('active', s.id === 'view-' + view);
    return render();
  }

  async function render() {
    if (state.view === 'studies') return renderStudies();
    if (!state.study) return;
    state.overview = await api.overview(state.study);
    performance.mark('nashpo-overview');
    const o = state.overview;
    $('summary').innerHTML = summaryText(o.summary);
    document.body.dataset.version = o.version;
    document.body.dataset.evaluations = o.summary.evaluations;
    if (['hypervolume', 'trial', 'devices', 'analysis'].includes(state.view)) await needPlotly();
    switch (state.view) {
      case 'front': return renderFront(o);
      case 'hypervolume': return renderHypervolume(o);
      case 'trials': return renderTrials(o);
      case 'trial': return renderTrial();
      case 'promotions': return renderPromotions(o);
      case 'devices': return renderDevices(o);
      case 'analysis': return renderAnalysis(o);
    }
  }

  async function renderStudies() {
    const studies = await api.studies();
    const select = $('study');
    const known = [...select.options].map(o => o.value).join('\n');
    if (known !== studies.map(s => s.studyId).join('\n')) {
      select.innerHTML = studies.map(s => `<option>${esc(s.studyId)}</option>`).join('');
      if (state.study) select.value = state.study;
    }
    if (!state.study && studies.length) state.study = studies[0].studyId;
    const head = ['study', 'state', 'evaluations', 'failed', 'hypervolume', 'front', 'budget spent', 'devices busy', 'started', 'finished'];
    $('studies-table').innerHTML = '<tr>' + head.map(h => `<th>${h}</th>`).join('') + '</tr>' + studies.map(s =>
      `<tr class="link" data-study="${esc(s.studyId)}"><td class="text">${esc(s.studyId)}</td><td class="text">${esc(s.state)}</td><td>${s.evaluations}</td><td>${s.failed}</td>` +
      `<td>${fmt(s.hypervolume)}</td><td>${s.frontSize}</td><td>${fmt(s.budgetSpent)}</td><td>${s.devicesBusy}/${s.devices}</td><td class="text">${esc(s.createdAt)}</td><td class="text">${esc(s.finishedAt || '')}</td></tr>`).join('');
    for (const tr of document.querySelectorAll('#studies-table tr.link')) tr.onclick = () => { state.study = tr.dataset.study; $('study').value = state.study; show('front'); };
    const shown = studies.find(s => s.studyId === state.study);
    if (shown) { $('summary').innerHTML = summaryText(shown); document.body.dataset.evaluations = shown.evaluations; }
  }

  // ---- plotly.js: the dashboard loads the basic bundle after its first view is on screen (its script takes most
  // of a second to start on a small machine); 3-D and parallel coordinates need the full one ----
  let fullPlotly = !live; // the report inlines the full bundle
  let loadingBasic = null, loadingFull = null;
  const loadScript = src => new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error('could not load ' + src));
    document.head.appendChild(script);
  });
  function needPlotly() {
    if (window.Plotly) return Promise.resolve();
    return loadingBasic || (loadingBasic = loadScript('plotly-basic.min.js'));
  }
  function needFullPlotly() {
    if (fullPlotly) return Promise.resolve();
    if (!loadingFull) {
      const basic = window.Plotly;
      loadingFull = loadScript('plotly.min.js').then(() => {
        // Plots drawn by the basic bundle are cleared, so that one bundle draws every plot from now on.
        if (basic) for (const div of document.querySelectorAll('.plot')) basic.purge(div);
        fullPlotly = true;
      });
    }
    return loadingFull;
  }

  // The first view on screen: marked once, after the browser has painted it.
  async function firstViewShown() {
    if (document.body.dataset.firstView) return;
    await new Promise(resolve => requestAnimationFrame(() => setTimeout(resolve, 0)));
    if (document.body.dataset.firstView) return;
    performance.mark('nashpo-first-view');
    document.body.dataset.firstView = 'true';
  }

  // ---- Pareto front ----
  function fillSelect(select, names, preferred) {
    const value = select.value;
    if ([...select.options].map(o => o.value).join('\n') !== names.join('\n')) select.innerHTML = names.map(n => `<option>${esc(n)}</option>`).join('');
    select.value = names.includes(value) ? value : names[Math.min(preferred, names.length - 1)];
  }

  const palette = ['#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b', '#fd8d3c', '#e6550d'];

  async function renderFront(o) {
    const names = o.objectives.map(n => n.name);
    fillSelect($('front-x'), names, 0); fillSelect($('front-y'), names, 1); fillSelect($('front-z'), names, 2);
    const xi = names.indexOf($('front-x').value), yi = names.indexOf($('front-y').value), zi = names.indexOf($('front-z').value);
    const three = $('front-3d').checked && names.length >= 3;
    const withDominated = $('front-dominated').checked;
    const traces = [];
    let frontPoints = 0;
    o.pointsByBudget.forEach((b, k) => {
      const colour = palette[Math.min(k + Math.max(0, palette.length - 2 - o.pointsByBudget.length), palette.length - 1)];
      const pick = f => b.indices.map((_, i) => i).filter(f);
      const front = pick(i => b.nonDominated[i]).sort((i, j) => b.objectives[i][xi] - b.objectives[j][xi]);
      const rest = pick(i => !b.nonDominated[i]);
      const trace = (idx, name, marker, extra) => ({
        type: three ? 'scatter3d' : 'scatter', name,
        x: idx.map(i => b.objectives[i][xi]), y: idx.map(i => b.objectives[i][yi]), ...(three ? { z: idx.map(i => b.objectives[i][zi]) } : {}),
        customdata: idx.map(i => b.indices[i]), text: idx.map(i => 'trial ' + b.indices[i]), marker, ...extra,
      });
      if (withDominated && rest.length) traces.push(trace(rest, `budget ${fmt(b.budget)} (${b.sampled ? 'sample of ' : ''}${b.evaluated})`, { color: colour, size: 4, opacity: 0.35 }, { mode: 'markers', legendgroup: 'b' + k, showlegend: true }));
      traces.push(trace(front, `front at budget ${fmt(b.budget)} (${front.length})`, { color: colour, size: 8, line: { width: 1, color: '#222' } }, { mode: three ? 'markers' : 'lines+markers', line: { shape: 'hv', color: colour }, legendgroup: 'b' + k }));
      if (k === o.pointsByBudget.length - 1) frontPoints = front.length;
    });
    const axis = i => ({ title: { text: names[i] + (o.objectives[i].direction === 'maximize' ? ' (max)' : '') }, type: o.objectives[i].scale === 'log' || /params|flops/.test(names[i]) ? 'log' : 'linear' });
    const layout = three ? { scene: { xaxis: axis(xi), yaxis: axis(yi), zaxis: axis(zi) }, margin: { t: 20 } } : { xaxis: axis(xi), yaxis: axis(yi), margin: { t: 20 }, legend: { orientation: 'h' } };
    if (!window.Plotly || (three || names.length >= 3) && !fullPlotly) {
      // Until plotly.js has started: the same points as a plain picture, which the browser draws at once.
      if (!three) { sketchFront(traces, axis(xi), axis(yi)); $('front-plot').dataset.frontPoints = frontPoints; await firstViewShown(); }
      await (names.length >= 3 || three ? needFullPlotly() : needPlotly());
      if (state.view !== 'front' || state.overview !== o) return; // a newer drawing took over meanwhile
    }
    $('front-sketch').innerHTML = '';
    Plotly.react('front-plot', traces, layout, { responsive: true });
    const plot = $('front-plot');
    plot.dataset.frontPoints = frontPoints;
    plot.dataset.studyFront = o.front.length;
    plot.removeAllListeners && plot.removeAllListeners('plotly_click');
    plot.on('plotly_click', e => openTrialByIndex(e.points[0].customdata));
    $('front-note').textContent = `top budget's front: ${frontPoints} of ${o.pointsByBudget.length ? o.pointsByBudget[o.pointsByBudget.length - 1].evaluated : 0}; the study's front (archive): ${o.front.length}`;
    renderParcoords(o);
  }

  // The front as an SVG picture, drawn without plotly.js: the traces Plotly draws (dominated points faint, each
  // budget's front as a staircase), on the same axes.
  function sketchFront(traces, xAxis, yAxis) {
    const div = $('front-sketch');
    const width = Math.max(320, div.clientWidth || $('view-front').clientWidth || 900), height = 420;
    const left = 70, right = 20, top = 30, bottom = 50;
    const scale = (axis, values, from, to) => {
      const log = axis.type === 'log';
      const t = v => log ? Math.log10(v) : v;
      const shown = values.filter(v => Number.isFinite(v) && (!log || v > 0)).map(t);
      let lo = Math.min(...shown), hi = Math.max(...shown);
      if (!shown.length) { lo = 0; hi = 1; }
      if (lo === hi) { lo -= 0.5; hi += 0.5; }
      const pad = (hi - lo) * 0.05;
      lo -= pad; hi += pad;
      const at = v => from + (t(v) - lo) / (hi - lo) * (to - from);
      const ticks = Array.from({ length: 5 }, (_, k) => lo + (hi - lo) * (k + 0.5) / 5).map(v => ({ at: from + (v - lo) / (hi - lo) * (to - from), label: fmt(Number((log ? 10 ** v : v).toPrecision(3))) }));
      return { at, ticks };
    };
    const xs = traces.flatMap(t => t.x), ys = traces.flatMap(t => t.y);
    const sx = scale(xAxis, xs, left, width - right), sy = scale(yAxis, ys, height - bottom, top);
    const ok = (x, y) => Number.isFinite(sx.at(x)) && Number.isFinite(sy.at(y));
    const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="Pareto front">`,
      `<rect x="${left}" y="${top}" width="${width - left - right}" height="${height - top - bottom}" fill="#fff" stroke="#ccc"/>`];
    for (const t of sx.ticks) parts.push(`<text x="${t.at.toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${esc(t.label)}</text>`);
    for (const t of sy.ticks) parts.push(`<text x="${left - 6}" y="${(t.at + 4).toFixed(1)}" text-anchor="end">${esc(t.label)}</text>`);
    parts.push(`<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">${esc(xAxis.title.text)}</text>`,
      `<text transform="translate(16 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yAxis.title.text)}</text>`);
    let legend = left;
    for (const t of traces) {
      const colour = t.marker.color, points = t.x.map((x, i) => [x, t.y[i]]).filter(([x, y]) => ok(x, y));
      if (t.mode === 'markers') {
        parts.push(`<g fill="${colour}" fill-opacity="${t.marker.opacity || 1}">` + points.map(([x, y]) => `<circle cx="${sx.at(x).toFixed(1)}" cy="${sy.at(y).toFixed(1)}" r="2"/>`).join('') + '</g>');
      } else {
        const path = points.map(([x, y], i) => (i ? `H${sx.at(x).toFixed(1)}V` : `M${sx.at(x).toFixed(1)} `) + sy.at(y).toFixed(1)).join('');
        if (points.length) parts.push(`<path d="${path}" fill="none" stroke="${colour}"/>`);
        parts.push(`<g fill="${colour}" stroke="#222">` + points.map(([x, y]) => `<circle cx="${sx.at(x).toFixed(1)}" cy="${sy.at(y).toFixed(1)}" r="4"/>`).join('') + '</g>');
      }
      parts.push(`<circle cx="${legend + 5}" cy="14" r="4" fill="${colour}"/><text x="${legend + 12}" y="18">${esc(t.name)}</text>`);
      legend += 20 + 6.5 * t.name.length;
    }
    parts.push('</svg>');
    div.innerHTML = parts.join('');
  }

  // Parallel coordinates of the top budget's evaluations (brush an axis to select): for three objectives or more.
  function renderParcoords(o) {
    const div = $('front-parcoords');
    const top = o.pointsByBudget[o.pointsByBudget.length - 1];
    if (!top || o.objectives.length < 3) { div.style.display = 'none'; return; }
    div.style.display = '';
    Plotly.react(div, [{
      type: 'parcoords',
      line: { color: top.nonDominated.map(f => f ? 1 : 0), colorscale: [[0, '#c6dbef'], [1, '#e6550d']] },
      dimensions: o.objectives.map((obj, i) => ({ label: obj.name, values: top.objectives.map(p => p[i]) })),
    }], { margin: { t: 40 } }, { responsive: true });
  }

  // ---- hypervolume ----
  function renderHypervolume(o) {
    const h = o.hypervolume;
    const choice = $('hv-x').value;
    const x = choice === 'budget' ? h.budgetSpent : choice === 'wall' ? h.wallSeconds : h.evaluations;
    Plotly.react('hv-plot', [{ type: 'scatter', mode: 'lines', line: { shape: 'hv' }, x, y: h.hypervolume, name: 'hypervolume' }],
      { xaxis: { title: { text: $('hv-x').selectedOptions[0].text } }, yaxis: { title: { text: 'hypervolume' } }, margin: { t: 20 } }, { responsive: true });
    $('hv-plot').dataset.points = x.length;
  }

  // ---- trials table ----
  function renderTrials(o) {
    const budgets = o.budgets.map(String);
    const bs = $('f-budget');
    if ([...bs.options].slice(1).map(x => x.value).join() !== budgets.join()) { const v = bs.value; bs.innerHTML = '<option value="">all</option>' + budgets.map(b => `<option>${b}</option>`).join(''); bs.value = v; }
    fillSelect($('f-column'), o.parameters.map(p => p.name).concat(o.objectives.map(x => x.name)), 0);
    return loadTrials(o);
  }

  async function loadTrials(o) {
    const q = { ...state.trialsQuery, offset: state.trialsOffset, limit: pageSize, sort: state.sort || '', desc: state.desc ? 'true' : '' };
    const page = await api.trials(state.study, q);
    const params = o.parameters.map(p => p.name), objs = o.objectives.map(x => x.name);
    const cols = ['index', 'status', 'budget', 'bracket', 'rung'].concat(params, objs, ['device', 'duration']);
    $('trials-table').innerHTML = '<tr>' + cols.map(c => `<th data-sort="${esc(c)}">${esc(c)}${state.sort === c ? (state.desc ? ' ▼' : ' ▲') : ''}</th>`).join('') + '</tr>' +
      page.rows.map(r => `<tr class="link" data-trial="${esc(r.id)}"><td>${r.index}</td><td class="text">${esc(r.status)}</td><td>${fmt(r.budget)}</td><td>${r.bracket}</td><td>${r.rung}</td>` +
        params.map(p => `<td>${esc(fmt(r.parameters[p]))}</td>`).join('') + objs.map((_, i) => `<td>${r.objectives ? fmt(r.objectives[i]) : ''}</td>`).join('') +
        `<td class="text">${esc(r.device || '')}</td><td>${fmt(r.durationSeconds)}</td></tr>`).join('');
    $('trials-table').dataset.total = page.total;
    $('trials-count').textContent = `${page.total} trials`;
    $('page-at').textContent = page.total ? ` ${page.offset + 1}–${page.offset + page.rows.length} ` : ' 0 ';
    for (const th of document.querySelectorAll('#trials-table th')) th.onclick = () => { const c = th.dataset.sort; state.desc = state.sort === c ? !state.desc : false; state.sort = c; loadTrials(o); };
    for (const tr of document.querySelectorAll('#trials-table tr.link')) tr.onclick = () => openTrial(tr.dataset.trial);
    $('page-prev').onclick = () => { state.trialsOffset = Math.max(0, state.trialsOffset - pageSize); loadTrials(o); };
    $('page-next').onclick = () => { if (state.trialsOffset + pageSize < page.total) { state.trialsOffset += pageSize; loadTrials(o); } };
  }

  $('f-apply').onclick = () => {
    state.trialsQuery = { status: $('f-status').value, budget: $('f-budget').value, bracket: $('f-bracket').value };
    if ($('f-min').value !== '' || $('f-max').value !== '' || $('f-text').value !== '') Object.assign(state.trialsQuery, { column: $('f-column').value, min: $('f-min').value, max: $('f-max').value, text: $('f-text').value });
    state.trialsOffset = 0;
    loadTrials(state.overview);
  };

  // ---- one trial ----
  async function openTrialByIndex(index) {
    const page = await api.trials(state.study, { sort: 'index', offset: index, limit: 1 });
    if (page.rows.length) openTrial(page.rows[0].id);
  }

  function openTrial(id) { state.trial = id; show('trial'); }

  async function renderTrial() {
    if (!state.trial) return;
    const d = await api.trial(state.study, state.trial);
    if (!d) { $('trial-body').innerHTML = `<p>No trial ${esc(state.trial)}.</p>`; return; }
    const t = d.trial, objs = state.overview.objectives;
    const rows = [['trial', t.id], ['status', t.status], ['budget', fmt(t.budget)], ['bracket / rung', `${t.bracket} / ${t.rung}`], ['device', t.device || ''],
      ['scheduled / started / finished (s)', [t.scheduledAt, t.startedAt, t.finishedAt].map(fmt).join(' / ')], ['duration (s)', fmt(t.durationSeconds)],
      ['continued from', t.parent || ''], ['made from', t.lineageParent ? `${t.lineageParent} by ${t.lineageOperation}` : ''], ['checkpoint', t.checkpoint || ''], ['failure', t.failure || '']]
      .concat(objs.map((o, i) => [o.name, t.objectives ? fmt(t.objectives[i]) : '']))
      .concat(Object.entries(t.metrics).map(([k, v]) => [k, fmt(v)]))
      .concat(Object.entries(t.parameters).map(([k, v]) => [k, fmt(v)]));
    $('trial-body').innerHTML = `<h3>${esc(t.id)}</h3><dl>` + rows.filter(r => r[1] !== '').map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('') + '</dl>' +
      '<p>Lineage: ' + d.chain.map(c => `<a href="#" data-trial="${esc(c.id)}">${esc(c.id)}</a>`).join(' → ') + '</p>';
    for (const a of document.querySelectorAll('#trial-body a[data-trial]')) a.onclick = e => { e.preventDefault(); openTrial(a.dataset.trial); };
    const keys = [...new Set(d.curve.flatMap(p => Object.keys(p.values)))];
    const curveDiv = $('trial-curve');
    curveDiv.dataset.points = d.curve.length;
    if (!keys.length) { Plotly.purge(curveDiv); curveDiv.innerHTML = '<p>This trial reported no learning curve.</p>'; return; }
    curveDiv.innerHTML = '';
    Plotly.react(curveDiv, keys.map(k => ({ type: 'scatter', mode: 'lines+markers', name: k, x: d.curve.map(p => p.step), y: d.curve.map(p => p.values[k] ?? null) })),
      { xaxis: { title: { text: 'step (epoch)' } }, title: { text: 'learning curve' }, margin: { t: 40 } }, { responsive: true });
  }

  // ---- promotions ----
  async function renderPromotions(o) {
    const select = $('bracket');
    const ids = o.brackets.map(b => String(b.bracket));
    if ([...select.options].map(x => x.value).join() !== ids.join()) { const v = select.value; select.innerHTML = o.brackets.map(b => `<option value="${b.bracket}">${b.bracket}: ${b.perRung.join(' → ')}</option>`).join(''); select.value = ids.includes(v) ? v : ids[0]; }
    if (!ids.length) return;
    const p = await api.promotions(state.study, select.value);
    $('promotion-rule').textContent = p.rule;
    const top = Math.max(...o.budgets);
    $('promotions-table').innerHTML = '<tr><th>configuration</th><th>budgets</th><th>outcome</th></tr>' + p.paths.map(x =>
      `<tr><td>${x.configurationId}</td><td class="text">${x.budgets.map(b => `<span class="chip${b >= top ? ' top' : ''}">${fmt(b)}</span>`).join('→')}</td><td class="text">${esc(x.outcome)}</td></tr>`).join('');
    $('lineage-table').innerHTML = '<tr><th>parent</th><th>operation</th><th>child</th></tr>' + o.lineage.map(e =>
      `<tr class="link" data-trial="${esc(e.child)}"><td class="text">${esc(e.parent)}</td><td class="text">${esc(e.operation)}</td><td class="text">${esc(e.child)}</td></tr>`).join('');
    for (const tr of document.querySelectorAll('#lineage-table tr.link')) tr.onclick = () => openTrial(tr.dataset.trial);
  }
  $('bracket').onchange = () => renderPromotions(state.overview);

  // ---- devices ----
  async function renderDevices(o) {
    const lanes = await api.devices(state.study);
    const colours = { completed: '#4292c6', failed: '#de2d26', running: '#fd8d3c', pending: '#bbb' };
    const traces = Object.keys(colours).map(status => {
      const bars = lanes.flatMap(l => l.bars.filter(b => b.status === status).map(b => ({ ...b, device: l.device })));
      return { type: 'bar', orientation: 'h', name: status, marker: { color: colours[status] }, y: bars.map(b => b.device), base: bars.map(b => b.start), x: bars.map(b => Math.max(b.end - b.start, 1e-3)), text: bars.map(b => b.trial), customdata: bars.map(b => b.index), hovertemplate: '%{text}<br>%{base:.1f}–%{x:.1f} s<extra></extra>' };
    }).filter(t => t.y.length);
    Plotly.react('devices-plot', traces, { barmode: 'overlay', xaxis: { title: { text: 'seconds since the study was created' } }, margin: { t: 20, l: 90 } }, { responsive: true });
    const plot = $('devices-plot');
    plot.removeAllListeners && plot.removeAllListeners('plotly_click');
    plot.on('plotly_click', e => openTrialByIndex(e.points[0].customdata));
    $('devices-table').innerHTML = '<tr><th>device</th><th>trials</th><th>busy (s)</th><th>utilisation</th></tr>' + lanes.map(l =>
      `<tr><td class="text">${esc(l.device)}</td><td>${l.trials}</td><td>${fmt(l.busySeconds)}</td><td>${(100 * l.utilisation).toFixed(1)} %</td></tr>`).join('');
  }

  // ---- paper 000's analyses ----
  async function renderAnalysis(o) {
    fillSelect($('analysis-objective'), o.objectives.map(x => x.name), 0);
    const a = await api.analysis(state.study);
    const objective = $('analysis-objective').value;
    const importance = (a && a.importance || []).filter(x => x.objective === objective);
    $('analysis-note').textContent = importance.length ? 'fANOVA on a random forest fitted to each budget\'s trials' : 'needs at least ' + ((a && a.minimumTrials) || 'a few') + ' completed trials at one budget';
    Plotly.react('importance-plot', importance.map(x => ({ type: 'bar', name: 'budget ' + fmt(x.budget) + ` (${x.trials} trials)`, x: x.parameters.map(p => p.parameter), y: x.parameters.map(p => p.importance), error_y: { type: 'data', array: x.parameters.map(p => p.standardDeviation) } })),
      { barmode: 'group', yaxis: { title: { text: 'fraction of variance' } }, margin: { t: 20 } }, { responsive: true });
    $('importance-plot').dataset.budgets = importance.length;
    const corr = (a && a.correlations || []).filter(x => x.objective === objective);
    $('correlation-table').innerHTML = '<tr><th>budget</th><th>budget</th><th>configurations</th><th>Spearman ρ</th></tr>' + corr.map(c =>
      `<tr><td>${fmt(c.lowerBudget)}</td><td>${fmt(c.higherBudget)}</td><td>${c.count}</td><td>${fmt(c.rho)}</td></tr>`).join('');
  }

  // ---- wiring ----
  for (const b of document.querySelectorAll('#tabs button')) b.onclick = () => show(b.dataset.view);
  $('study').onchange = () => { state.study = $('study').value; state.trialsOffset = 0; render(); };
  for (const id of ['front-x', 'front-y', 'front-z', 'front-3d', 'front-dominated']) $(id).onchange = () => renderFront(state.overview);
  window.addEventListener('error', e => { document.body.dataset.error = String(e.message); });
  $('hv-x').onchange = () => renderHypervolume(state.overview);
  $('analysis-objective').onchange = () => renderAnalysis(state.overview);

  // Live: the server pushes each study's new version as events are persisted; the page redraws the view it shows.
  // A change that arrives during a redraw is not dropped: one more redraw follows.
  let drawing = false, again = false;
  async function redraw() {
    if (drawing) { again = true; return; }
    drawing = true;
    try {
      do {
        again = false;
        if (state.view !== 'trial') await render();
        else { const o = await api.overview(state.study); state.overview = o; $('summary').innerHTML = summaryText(o.summary); document.body.dataset.version = o.version; document.body.dataset.evaluations = o.summary.evaluations; }
      } while (again);
    } catch (error) {
      $('live').textContent = 'update failed: ' + error.message;
    } finally { drawing = false; }
  }
  if (live) {
    const events = new EventSource('api/events');
    events.addEventListener('study', e => {
      const message = JSON.parse(e.data);
      $('live').textContent = 'live · ' + new Date().toLocaleTimeString();
      if (state.view === 'studies' || message.studyId === state.study) redraw();
    });
    events.onerror = () => { $('live').textContent = 'disconnected: retrying'; };
  } else {
    $('live').textContent = 'report · ' + embedded.writtenAt;
  }

  (async () => {
    const hash = new URLSearchParams(location.hash.slice(1));
    state.study = hash.get('study');
    performance.mark('nashpo-start');
    const view = hash.get('view') || (live ? 'studies' : 'front');
    // With the study known from the address, its view loads while the studies list does.
    if (state.study && view !== 'studies') await Promise.all([renderStudies(), show(view)]);
    else { await renderStudies(); await show(view); }
    performance.mark('nashpo-drawn');
    await firstViewShown();
    document.body.dataset.ready = 'true';
  })();
})();
