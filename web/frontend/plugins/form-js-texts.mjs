// form-js writes its widgets' words and its validation messages in English, as literals in its bundle
// (no translation hook), and shows dates in the browser's locale order (2026/12/2 in Chinese). This
// esbuild plugin routes each of those literals through servflow's `sfText` (src/forms/texts.js), which
// answers in the page's language, and dates through yyyy-MM-dd, as Chinese forms write them (GB/T 7408).
// In the form editor it also routes the descriptions and tooltips, the palette's tooltips and the editor's
// frame, and hands the properties panel servflow's help (src/forms/editor-help.js): what a custom
// property servflow reads does, and what the validation entries mean.
// Every replacement must find its literal: an upgrade of form-js that moves one fails the build loudly
// instead of leaving English in the Chinese UI.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const TEXTS = fileURLToPath(new URL('../src/forms/texts.js', import.meta.url));
const EDITOR_HELP = fileURLToPath(new URL('../src/forms/editor-help.js', import.meta.url));

const REPLACEMENTS = [
  ["children: valueLabel || 'Select'", "children: valueLabel || sfText('Select')"],
  ["placeholder: 'Search',", "placeholder: sfText('Search'),"],
  ["placeholder: disabled || readonly ? undefined : 'Search',", "placeholder: disabled || readonly ? undefined : sfText('Search'),"],
  ["emptyListMessage = 'No results',", "emptyListMessage = sfText('No results'),"],
  ["hasOptionsLeft ? 'No results' : 'All values selected'", "hasOptionsLeft ? sfText('No results') : sfText('All values selected')"],
  ['" ", \'Add new\']', '" ", sfText(\'Add new\')]'],
  ['"aria-label": `Remove list item ${itemIndex + 1}`', '"aria-label": sfText(`Remove list item ${itemIndex + 1}`)'],
  ["errors.push('Field is required.')", "errors.push(sfText('Field is required.'))"],
  ['validation.patternErrorMessage || `Field must match pattern ${validation.pattern}.`', 'validation.patternErrorMessage || sfText(`Field must match pattern ${validation.pattern}.`)'],
  ['errors.push(`Field must have minimum value of ${validation.min}.`)', 'errors.push(sfText(`Field must have minimum value of ${validation.min}.`))'],
  ['errors.push(`Field must have maximum value of ${validation.max}.`)', 'errors.push(sfText(`Field must have maximum value of ${validation.max}.`))'],
  ['errors.push(`Field must have minimum length of ${validation.minLength}.`)', 'errors.push(sfText(`Field must have minimum length of ${validation.minLength}.`))'],
  ['errors.push(`Field must have maximum length of ${validation.maxLength}.`)', 'errors.push(sfText(`Field must have maximum length of ${validation.maxLength}.`))'],
  ["errors.push('Field must be a valid  international phone number. (e.g. +4930664040900)')", "errors.push(sfText('Field must be a valid  international phone number. (e.g. +4930664040900)'))"],
  ["errors.push('Field must be a valid email.')", "errors.push(sfText('Field must be a valid email.'))"],
  ['children: "Browse"', 'children: sfText("Browse")'],
  ["return 'No files selected';", "return sfText('No files selected');"],
  ['return `${files.length} files selected`;', 'return sfText(`${files.length} files selected`);'],
  ['new Intl.DateTimeFormat(locale).formatToParts(', 'new Intl.DateTimeFormat(sfDateLocale(locale)).formatToParts('],
];

const EDITOR_REPLACEMENTS = [
  ['title: `Create ${getIndefiniteArticle(type)} ${label} element`,', 'title: paletteTitle(type, `Create ${getIndefiniteArticle(type)} ${label} element`),'],
  ["label: 'Key',\n    setValue,\n    validate\n  });\n}\nfunction Value(props) {", "label: sfText('Property key'),\n    description: customPropertyHelp(getValue()),\n    setValue,\n    validate\n  });\n}\nfunction Value(props) {"],
  ['        feelPopupContainer: feelPopupContainer\n      })', '        feelPopupContainer: feelPopupContainer,\n        descriptionConfig: fieldDescriptions\n      })'],
  ['title: "Components",\n      children: "Components"', 'title: sfText("Components"),\n      children: sfText("Components")'],
  ['placeholder: "Search components"', 'placeholder: sfText("Search components")'],
  ['children: "No components found."', 'children: sfText("No components found.")'],
  ['children: "Drag and drop components here."', 'children: sfText("Drag and drop components here.")'],
  ['children: "Build your form"', 'children: sfText("Build your form")'],
  ['children: "Drag and drop components here to start designing."', 'children: sfText("Drag and drop components here to start designing.")'],
  ['children: "Use the preview window to test your form."', 'children: sfText("Use the preview window to test your form.")'],
  ["return 'Form';", "return sfText('Form');"],
  ['function translateFallback(template, replacements) {\n  replacements = replacements || {};\n  return template.replace(', 'function translateFallback(template, replacements) {\n  replacements = replacements || {};\n  return sfText(template).replace('],
  ["text: 'Select a form field to edit its properties.'", "text: sfText('Select a form field to edit its properties.')"],
  ["text: 'Multiple form fields are selected. Select a single form field to edit its properties.'", "text: sfText('Multiple form fields are selected. Select a single form field to edit its properties.')"],
];

function replaceAll(contents, replacements, path) {
  let result = contents;
  for (const [from, to] of replacements) {
    if (!result.includes(from)) {
      throw new Error(`form-js-texts: "${from}" is no longer in ${path}; update plugins/form-js-texts.mjs`);
    }
    result = result.split(from).join(to);
  }
  return result;
}

// The form editor's descriptions and tooltips: `description: '…'` and `tooltip: '…'` literals.
const HELP = /\b(description|tooltip): ('(?:[^'\\\n]|\\.)*')/g;
const MIN_HELP = 15;

function routeHelp(contents, path) {
  let count = 0;
  const routed = contents.replace(HELP, (whole, name, literal) => {
    count += 1;
    return `${name}: sfText(${literal})`;
  });
  if (count < MIN_HELP) {
    throw new Error(`form-js-texts: only ${count} descriptions and tooltips in ${path}; update plugins/form-js-texts.mjs`);
  }
  return routed;
}

// The form editor's palette, groups and property labels, and the field types' names the palette shows, are
// `label: 'Text field'` literals: all of them go through sfText, which knows the ones a designer meets.
const LABEL = /\blabel: '([A-Z][^'\n]*)'/g;
const MIN_LABELS = 50;

// The palette names each field type by its config's `name`.
const TYPE_NAMES = ['Button', 'Checkbox group', 'Checkbox', 'Date time', 'Document preview', 'Dynamic list',
  'Expression', 'Group', 'HTML view', 'Image view', 'Number', 'Radio group', 'Select', 'Separator', 'Spacer',
  'Table', 'Tag list', 'Text area', 'Text field', 'Text view'];

function routeLabels(contents, path) {
  let count = 0;
  let routed = contents.replace(LABEL, (whole, text) => {
    count += 1;
    return `label: sfText(${JSON.stringify(text)})`;
  });
  for (const name of TYPE_NAMES) {
    routed = routed.split(`name: '${name}',`).join(`name: sfTypeName(${JSON.stringify(name)}),`);
  }
  if (count < MIN_LABELS && /form-js-editor/.test(path)) {
    throw new Error(`form-js-texts: only ${count} labels in ${path}; update plugins/form-js-texts.mjs`);
  }
  return routed;
}

export const formJsTexts = {
  name: 'form-js-texts',
  setup(build) {
    build.onLoad({ filter: /form-js-viewer[\\/]dist[\\/]index\.es\.js$/ }, async ({ path }) => {
      const contents = replaceAll(await readFile(path, 'utf8'), REPLACEMENTS, path);
      const header = `import { sfText, sfTypeName, sfDateLocale } from ${JSON.stringify(TEXTS)};\n`;
      return { contents: header + routeLabels(contents, path), loader: 'js' };
    });
    build.onLoad({ filter: /form-js-editor[\\/]dist[\\/]index\.es\.js$/ }, async ({ path }) => {
      const contents = routeHelp(replaceAll(await readFile(path, 'utf8'), EDITOR_REPLACEMENTS, path), path);
      const header = `import { sfText, sfTypeName } from ${JSON.stringify(TEXTS)};\n`
        + `import { customPropertyHelp, fieldDescriptions, paletteTitle } from ${JSON.stringify(EDITOR_HELP)};\n`;
      return { contents: header + routeLabels(contents, path), loader: 'js' };
    });
  },
};
