// form-js writes its widgets' words and its validation messages in English, as literals in its bundle
// (no translation hook), and shows dates in the browser's locale order (2026/12/2 in Chinese). This
// esbuild plugin routes each of those literals through servflow's `sfText` (src/forms/texts.js), which
// answers in the page's language, and dates through yyyy-MM-dd, as Chinese forms write them (GB/T 7408).
// Every replacement must find its literal: an upgrade of form-js that moves one fails the build loudly
// instead of leaving English in the Chinese UI.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const TEXTS = fileURLToPath(new URL('../src/forms/texts.js', import.meta.url));

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
  ['new Intl.DateTimeFormat(locale).formatToParts(', 'new Intl.DateTimeFormat(sfDateLocale(locale)).formatToParts('],
];

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
    routed = routed.split(`name: '${name}',`).join(`name: sfText(${JSON.stringify(name)}),`);
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
      let contents = await readFile(path, 'utf8');
      for (const [from, to] of REPLACEMENTS) {
        if (!contents.includes(from)) {
          throw new Error(`form-js-texts: "${from}" is no longer in ${path}; update plugins/form-js-texts.mjs`);
        }
        contents = contents.split(from).join(to);
      }
      const header = `import { sfText, sfDateLocale } from ${JSON.stringify(TEXTS)};\n`;
      return { contents: header + routeLabels(contents, path), loader: 'js' };
    });
    build.onLoad({ filter: /form-js-editor[\\/]dist[\\/]index\.es\.js$/ }, async ({ path }) => {
      const contents = await readFile(path, 'utf8');
      const header = `import { sfText } from ${JSON.stringify(TEXTS)};\n`;
      return { contents: header + routeLabels(contents, path), loader: 'js' };
    });
  },
};
