// The designer page: BPMN modeler, form editor, DMN editor and scenarios, validated and deployed
// through the server. Only files the designer opened are sent; the server lays them over the
// locality's current bundle.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('designer-data').textContent);
  const text = JSON.parse(document.getElementById('designer-text').textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const state = {
    bpmn: null, form: null, formName: null, dmn: null, dmnName: null, selected: null, dirty: false,
    forms: Object.assign({}, data.forms), dmnFiles: Object.assign({}, data.dmn), openedForms: new Set(), openedDmn: new Set(),
  };
  window.servflowDesigner = state;

  function setStatus(message, kind) {
    const box = $('status');
    box.textContent = message || '';
    box.className = 'dz-status' + (kind ? ' ' + kind : '');
  }

  // --- tabs ------------------------------------------------------------------------------
  const tabs = Array.from(document.querySelectorAll('.dz-tabs [role=tab]'));
  function showTab(button) {
    tabs.forEach((tab) => {
      const on = tab === button;
      tab.setAttribute('aria-selected', String(on));
      $(tab.getAttribute('aria-controls')).hidden = !on;
    });
    if (button.id === 'tabbtn-scenarios' && state.scenarioTable) { state.scenarioTable.render(); } // the diagram's tasks now
  }
  tabs.forEach((tab) => tab.addEventListener('click', () => showTab(tab)));

  // --- BPMN --------------------------------------------------------------------------------
  async function openBpmn(xml) {
    if (state.bpmn) { state.bpmn.destroy(); }
    state.bpmn = await Servflow.openModeler('#canvas', '#properties', xml, {
      onChange: () => { state.dirty = true; }, forms: () => state.forms,
    });
    state.bpmn.modeler.on('selection.changed', (event) => { state.selected = event.newSelection[0] || null; });
  }

  // --- forms ---------------------------------------------------------------------------------
  function formKeyOf(name) {
    const base = name.split('/').pop();
    for (const suffix of ['.form.json', '.form', '.json']) {
      if (base.endsWith(suffix)) { return base.slice(0, -suffix.length); }
    }
    return base;
  }
  function fillSelect(select, names, label) {
    select.innerHTML = '<option value="">—</option>';
    names.sort().forEach((name) => {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = label(name);
      select.append(option);
    });
  }
  function keepForm() {
    if (state.form && state.formName) {
      state.forms[state.formName] = JSON.stringify(state.form.getSchema(), null, 2);
    }
  }
  async function openForm(name) {
    keepForm();
    if (state.form) { state.form.destroy(); state.form = null; }
    $('form-editor').innerHTML = '';
    state.formName = name || null;
    if (!name) { return; }
    state.openedForms.add(name);
    state.form = await Servflow.openFormEditor('#form-editor', JSON.parse(state.forms[name]));
    $('form-pick').value = name;
  }
  $('form-pick').addEventListener('change', (event) => openForm(event.target.value));
  $('new-form-btn').addEventListener('click', async () => {
    const key = $('new-form-key').value.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) { setStatus(text.badKey, 'bad'); return; }
    if (Object.keys(state.forms).some((name) => formKeyOf(name) === key)) { setStatus(text.exists, 'bad'); return; }
    const name = key + '.form.json';
    state.forms[name] = JSON.stringify({ type: 'default', id: key, schemaVersion: 16, components: [] }, null, 2);
    fillSelect($('form-pick'), Object.keys(state.forms), formKeyOf);
    await openForm(name);
    state.dirty = true;
  });
  $('attach-form-btn').addEventListener('click', () => {
    const element = state.selected;
    if (!state.formName || !element || element.type !== 'bpmn:UserTask') { setStatus(text.noTask, 'bad'); return; }
    setTaskSetting(element, { formKey: formKeyOf(state.formName) });
    setStatus(text.attached.replace('{form}', formKeyOf(state.formName)).replace('{task}', element.id), 'ok');
  });

  /** Sets attributes of the task's <servflow:task> extension as one undoable modeler command. */
  function setTaskSetting(element, properties) {
    const modeler = state.bpmn.modeler;
    const bpmnFactory = modeler.get('bpmnFactory');
    const business = element.businessObject;
    const commands = [];
    let extensions = business.get('extensionElements');
    if (!extensions) {
      extensions = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
      extensions.$parent = business;
      commands.push({ cmd: 'element.updateModdleProperties', context: { element, moddleElement: business, properties: { extensionElements: extensions } } });
    }
    const existing = extensions.get('values').find((value) => value.$instanceOf('servflow:Task'));
    if (existing) {
      commands.push({ cmd: 'element.updateModdleProperties', context: { element, moddleElement: existing, properties } });
    } else {
      const created = bpmnFactory.create('servflow:Task', properties);
      created.$parent = extensions;
      commands.push({ cmd: 'element.updateModdleProperties', context: { element, moddleElement: extensions, properties: { values: [...extensions.get('values'), created] } } });
    }
    modeler.get('commandStack').execute('properties-panel.multi-command-executor', commands);
  }

  // --- DMN ---------------------------------------------------------------------------------
  async function keepDmn() {
    if (state.dmn && state.dmnName) { state.dmnFiles[state.dmnName] = await state.dmn.getXML(); }
  }
  async function openDmn(name) {
    await keepDmn();
    if (state.dmn) { state.dmn.destroy(); state.dmn = null; }
    $('dmn-editor').innerHTML = '';
    state.dmnName = name || null;
    if (!name) { return; }
    state.openedDmn.add(name);
    // Open the first decision's table: the designer came to edit rules, not the requirements diagram.
    const xml = new DOMParser().parseFromString(state.dmnFiles[name], 'application/xml');
    const decision = Array.from(xml.getElementsByTagNameNS('*', 'decision')).find((d) => d.getElementsByTagNameNS('*', 'decisionTable').length);
    state.dmn = await Servflow.openDmnEditor('#dmn-editor', state.dmnFiles[name], { decisionId: decision ? decision.getAttribute('id') : undefined });
  }
  $('dmn-pick').addEventListener('change', (event) => openDmn(event.target.value));

  // --- collect, validate, deploy -------------------------------------------------------------------
  async function collectFiles() {
    keepForm();
    await keepDmn();
    const files = {};
    files[data.file] = await state.bpmn.getXML();
    state.openedForms.forEach((name) => { files[name] = state.forms[name]; });
    state.openedDmn.forEach((name) => { files[name] = state.dmnFiles[name]; });
    const scenarios = $('scenarios-text').value.trim();
    if (scenarios || data.scenarios) { files[data.scenarioFile] = scenarios || '{"scenarios": []}'; }
    return files;
  }

  async function post(url, payload) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify(payload),
      credentials: 'same-origin',
    });
    let body = null;
    try { body = await response.json(); } catch (error) { body = { message: response.statusText }; }
    return { status: response.status, body };
  }

  function focusElement(id) {
    const registry = state.bpmn.modeler.get('elementRegistry');
    const element = registry.get(id);
    if (!element) { return; }
    showTab($('tabbtn-diagram'));
    state.bpmn.modeler.get('selection').select(element);
    state.bpmn.modeler.get('canvas').scrollToElement(element);
  }

  function showResults(body) {
    const problems = body.problems || [];
    const list = $('problems');
    list.innerHTML = '';
    $('problems-title').hidden = !problems.length;
    problems.forEach((problem) => {
      const item = document.createElement('li');
      item.className = 'problem ' + problem.severity;
      item.dataset.element = problem.element_id || '';
      const badge = document.createElement('span');
      badge.className = 'dz-sev ' + problem.severity;
      badge.textContent = text[problem.severity] || problem.severity;
      item.append(badge);
      if (problem.element_id) {
        const link = document.createElement('button');
        link.type = 'button';
        link.className = 'link';
        link.textContent = problem.element_id;
        link.addEventListener('click', () => focusElement(problem.element_id));
        item.append(link, ' ');
      }
      item.append((problem.file ? '[' + problem.file + '] ' : '') + problem.message);
      list.append(item);
    });
    const onDiagram = problems.filter((p) => !p.file || p.file === data.file);
    state.bpmn.markProblems(onDiagram.map((p) => ({ element_id: p.element_id, message: p.message })));

    const scenarios = body.scenarios || [];
    const results = $('scenario-results');
    results.innerHTML = '';
    $('scenario-title').hidden = !scenarios.length;
    scenarios.forEach((scenario) => {
      const item = document.createElement('li');
      const outcome = scenario.passed ? 'pass' : (scenario.warning ? 'warn' : 'fail');
      item.className = 'scenario ' + outcome;
      const badge = document.createElement('span');
      badge.className = 'dz-sev ' + { pass: 'pass', warn: 'warning', fail: 'error' }[outcome];
      badge.textContent = { pass: text.pass, warn: text.scenarioWarning, fail: text.fail }[outcome];
      item.append(badge, scenario.process + ' · ' + scenario.name);
      const detail = document.createElement('div');
      detail.className = 'dz-muted';
      detail.textContent = (scenario.message ? scenario.message + ' — ' : '') + text.path + ': ' + scenario.path.join(' → ');
      item.append(detail);
      results.append(item);
    });
  }

  function scenariosParse() {
    const raw = $('scenarios-text').value.trim();
    if (!raw) { return true; }
    try { JSON.parse(raw); return true; } catch (error) { setStatus(text.badScenarios + ' ' + error.message, 'bad'); return false; }
  }

  async function validate() {
    if (!scenariosParse()) { return null; }
    setStatus(text.validating);
    const { status, body } = await post(data.urls.validate, { files: await collectFiles() });
    if (status !== 200) { setStatus(text.failed + ' ' + (body.message || status), 'bad'); return null; }
    showResults(body);
    const errors = body.problems.filter((p) => p.severity === 'error').length;
    const failed = body.scenarios.filter((s) => !s.passed && !s.warning).length;
    if (errors || failed) { setStatus(text.invalid.replace('{errors}', errors).replace('{scenarios}', failed), 'bad'); }
    else { setStatus(body.problems.length || body.warnings.length ? text.warnings : text.valid, 'ok'); }
    return body;
  }

  async function deploy(acknowledge) {
    if (!scenariosParse()) { return; }
    setStatus(text.deploying);
    $('acknowledge-btn').hidden = true;
    const payload = { files: await collectFiles(), comment: $('deploy-comment').value, acknowledge: acknowledge === true };
    const { status, body } = await post(data.urls.deploy, payload);
    if (status === 200) {
      state.dirty = false;
      showResults({ problems: [], scenarios: [] });
      setStatus(text.deployed + ' ' + body.message, 'ok');
      const mine = (body.created || []).find((created) => created.process === data.key);
      if (mine) { $('version-note').textContent = text.currentVersion.replace('{version}', mine.version); } // now this locality's own
    } else if (status === 422 && body.problems) {
      showResults(body);
      setStatus(body.message, 'bad');
      $('acknowledge-btn').hidden = !(body.ok && (body.warnings || []).length);
    } else {
      setStatus(text.failed + ' ' + (body.message || status), 'bad');
    }
  }

  function download() {
    state.bpmn.getXML().then((xml) => {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
      link.download = data.file.split('/').pop();
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    });
  }

  $('validate-btn').addEventListener('click', validate);
  $('deploy-btn').addEventListener('click', () => deploy(false));
  $('acknowledge-btn').addEventListener('click', () => deploy(true));
  $('download-btn').addEventListener('click', download);
  $('open-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (file) { await openBpmn(await file.text()); state.dirty = true; }
  });
  window.addEventListener('beforeunload', (event) => {
    if (state.dirty) { event.preventDefault(); event.returnValue = text.unsaved; }
  });

  // --- start ---------------------------------------------------------------------------------
  fillSelect($('form-pick'), Object.keys(state.forms), formKeyOf);
  fillSelect($('dmn-pick'), Object.keys(state.dmnFiles), (name) => name);
  $('scenarios-text').value = data.scenarios || '';
  state.scenarioTable = window.ServflowScenarioTable.mount($('scenario-table'), $('scenarios-text'), {
    texts: text.table,
    userTasks: () => (state.bpmn ? state.bpmn.modeler.get('elementRegistry').filter((el) => el.type === 'bpmn:UserTask')
      .map((el) => ({ id: el.id, name: el.businessObject.name || el.id })) : []),
  });
  state.ready = openBpmn(data.bpmn).then(() => { state.loaded = true; state.scenarioTable.render(); }, () => { state.failed = true; });
})();
