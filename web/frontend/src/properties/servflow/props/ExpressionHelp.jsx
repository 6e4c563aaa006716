import { useService } from 'bpmn-js-properties-panel';

import { unknownNames, variablesAt } from '../variables';

/** The designer's forms, handed to the modeler as `servflow.forms()` (web/static/designer.js). */
function useForms() {
  const servflow = useService('config.servflow', false);
  return (servflow && servflow.forms && servflow.forms()) || {};
}

/** The names at this point and a checker for typed code: {description, validate}. */
export function useExpressionHelp(element) {
  const { before, project } = variablesAt(element, useForms());
  const known = new Set([...before, ...project]);
  const description = (
    <div class="sf-variables">
      <div>可用变量（本流程此前） / Set before here: <code>{before.join(', ') || '—'}</code></div>
      <div>项目其他数据 / Other project data: <code>{project.join(', ') || '—'}</code></div>
    </div>
  );
  const validate = (code) => {
    const unknown = unknownNames(code, known);
    return unknown.length ? `未知变量 / Unknown names: ${unknown.join(', ')}` : null;
  };
  return { description, validate };
}
