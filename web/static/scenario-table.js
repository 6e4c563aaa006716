// The designer's scenarios as a table instead of raw JSON: per scenario its name, the start data, the
// answer given at each task visit, the tasks expected in order and whether the process ends. The JSON
// textarea stays the one source the page deploys (and an "advanced" view for the rest of `expect`); the
// table reads it and writes every change back into it.
(function () {
  'use strict';

  function parseLines(textValue) {
    const result = {};
    String(textValue || '').split('\n').forEach((line) => {
      const at = line.indexOf('=');
      if (at < 1) { return; }
      const key = line.slice(0, at).trim();
      const raw = line.slice(at + 1).trim();
      if (!key) { return; }
      try { result[key] = JSON.parse(raw); } catch (error) { result[key] = raw; }
    });
    return result;
  }

  function looksLikeJson(textValue) {
    try { JSON.parse(textValue); return true; } catch (error) { return false; }
  }

  /** One `key = value` line per field; text is written as typed unless it would read back as something else. */
  function formatLines(values) {
    return Object.entries(values || {}).map(([key, value]) => {
      const plain = typeof value === 'string' && !value.includes('\n') && !looksLikeJson(value);
      return key + ' = ' + (plain ? value : JSON.stringify(value));
    }).join('\n');
  }

  function element(tag, props, children) {
    const node = document.createElement(tag);
    Object.entries(props || {}).forEach(([key, value]) => {
      if (key === 'class') { node.className = value; } else if (key in node) { node[key] = value; } else { node.setAttribute(key, value); }
    });
    (children || []).forEach((child) => node.append(child));
    return node;
  }

  function labelled(labelText, control) {
    return element('label', { class: 'sf-scenario-field' }, [element('span', {}, [labelText]), control]);
  }

  function mount(container, source, options) {
    const texts = options.texts;
    let model = { scenarios: [] };

    function read() {
      const raw = source.value.trim();
      if (!raw) { model = { scenarios: [] }; return true; }
      try { model = JSON.parse(raw); } catch (error) { return false; }
      if (!Array.isArray(model.scenarios)) { model.scenarios = []; }
      return true;
    }

    function write() {
      source.value = JSON.stringify(model, null, 2);
      source.dispatchEvent(new Event('input', { bubbles: true }));
    }

    function visits(scenario) {
      const rows = [];
      Object.entries(scenario.answers || {}).forEach(([task, answers]) => {
        (Array.isArray(answers) ? answers : [answers]).forEach((answer) => rows.push({ task, answer }));
      });
      return rows;
    }

    function setVisits(scenario, rows) {
      const answers = {};
      rows.forEach(({ task, answer }) => { if (task) { (answers[task] = answers[task] || []).push(answer); } });
      scenario.answers = answers;
    }

    function taskSelect(value) {
      const select = element('select', { class: 'sf-scenario-task' });
      const tasks = options.userTasks();
      if (value && !tasks.some((t) => t.id === value)) { tasks.push({ id: value, name: value }); }
      select.append(element('option', { value: '' }, ['—']));
      tasks.forEach((t) => select.append(element('option', { value: t.id, selected: t.id === value }, [t.name + ' (' + t.id + ')'])));
      return select;
    }

    function renderScenario(scenario, index) {
      const box = element('fieldset', { class: 'sf-scenario', 'data-index': String(index) });
      box.append(element('legend', {}, [texts.scenario + ' ' + (index + 1)]));
      const name = element('input', { type: 'text', class: 'sf-scenario-name', value: scenario.name || '' });
      name.addEventListener('input', () => { scenario.name = name.value; write(); });
      const start = element('textarea', { class: 'sf-scenario-start', rows: 3, value: formatLines(scenario.start) });
      start.addEventListener('change', () => { scenario.start = parseLines(start.value); write(); });
      box.append(labelled(texts.name, name), labelled(texts.start, start));

      const table = element('table', { class: 'sf-scenario-answers' });
      table.append(element('thead', {}, [element('tr', {}, [element('th', {}, [texts.task]), element('th', {}, [texts.answer]), element('th', {}, [''])])]));
      const body = element('tbody');
      const rows = visits(scenario);
      const sync = () => { setVisits(scenario, rows); write(); };
      const addRow = (row) => {
        const select = taskSelect(row.task);
        const answer = element('textarea', { class: 'sf-scenario-answer', rows: 2, value: formatLines(row.answer) });
        const remove = element('button', { type: 'button', class: 'sf-scenario-remove-answer' }, [texts.remove]);
        const line = element('tr', {}, [element('td', {}, [select]), element('td', {}, [answer]), element('td', {}, [remove])]);
        select.addEventListener('change', () => { row.task = select.value; sync(); });
        answer.addEventListener('change', () => { row.answer = parseLines(answer.value); sync(); });
        remove.addEventListener('click', () => { rows.splice(rows.indexOf(row), 1); line.remove(); sync(); });
        body.append(line);
      };
      rows.forEach(addRow);
      table.append(body);
      const addAnswer = element('button', { type: 'button', class: 'sf-scenario-add-answer' }, [texts.addAnswer]);
      addAnswer.addEventListener('click', () => {  // kept on the page until its task is chosen
        const row = { task: '', answer: {} };
        rows.push(row);
        addRow(row);
      });
      box.append(element('div', { class: 'sf-scenario-field' }, [element('span', {}, [texts.answers]), table, addAnswer]));

      scenario.expect = scenario.expect || {};
      const expected = element('input', { type: 'text', class: 'sf-scenario-tasks', value: (scenario.expect.tasks || []).join(', ') });
      expected.addEventListener('change', () => {
        scenario.expect.tasks = expected.value.split(/[,，\s]+/).filter(Boolean);
        write();
      });
      const ends = element('input', { type: 'checkbox', class: 'sf-scenario-end', checked: scenario.expect.end === true });
      ends.addEventListener('change', () => {
        if (ends.checked) { scenario.expect.end = true; } else { delete scenario.expect.end; }
        write();
      });
      const drop = element('button', { type: 'button', class: 'sf-scenario-delete' }, [texts.deleteScenario]);
      drop.addEventListener('click', () => { model.scenarios.splice(index, 1); write(); render(); });
      box.append(labelled(texts.expectTasks, expected), labelled(texts.expectEnd, ends), drop);
      return box;
    }

    function render() {
      container.innerHTML = '';
      if (!read()) {
        container.append(element('p', { class: 'dz-muted' }, [texts.badJson]));
        return;
      }
      model.scenarios.forEach((scenario, index) => container.append(renderScenario(scenario, index)));
      const add = element('button', { type: 'button', class: 'sf-scenario-add' }, [texts.addScenario]);
      add.addEventListener('click', () => {
        model.scenarios.push({ name: texts.newName, start: {}, answers: {}, expect: { tasks: [], end: true } });
        write();
        render();
      });
      container.append(add);
    }

    source.addEventListener('change', render);
    render();
    return { render };
  }

  window.ServflowScenarioTable = { mount, parseLines, formatLines };
}());
