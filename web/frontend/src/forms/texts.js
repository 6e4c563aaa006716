// The words form-js shows (widgets, validation messages) in the page's language; plugins/form-js-texts.mjs
// routes form-js's English literals here at build time. English pages keep form-js's own words.

const ZH = {
  Select: '请选择',
  Search: '搜索',
  'No results': '无匹配项',
  'All values selected': '已全部选择',
  'Add new': '添加一行',
  'Field is required.': '必填',
  'Field must be a valid  international phone number. (e.g. +4930664040900)': '电话号码格式不正确（如 +8613912345678）',
  'Field must be a valid email.': '邮箱格式不正确',
};

const ZH_PATTERNS = [
  [/^Field must match pattern (.*)\.$/s, () => '格式不正确'],
  [/^Field must have minimum value of (.*)\.$/, (m) => `不能小于 ${m[1]}`],
  [/^Field must have maximum value of (.*)\.$/, (m) => `不能大于 ${m[1]}`],
  [/^Field must have minimum length of (.*)\.$/, (m) => `至少 ${m[1]} 个字符`],
  [/^Field must have maximum length of (.*)\.$/, (m) => `最多 ${m[1]} 个字符`],
  [/^Remove list item (\d+)$/, (m) => `删除第 ${m[1]} 行`],
];

export function pageIsChinese() {
  const lang = (typeof document !== 'undefined' && document.documentElement.lang) || 'zh-CN';
  return lang.toLowerCase().startsWith('zh');
}

/** form-js's English text in the page's language. */
export function sfText(text) {
  if (!pageIsChinese()) {
    return text;
  }
  if (Object.prototype.hasOwnProperty.call(ZH, text)) {
    return ZH[text];
  }
  for (const [pattern, render] of ZH_PATTERNS) {
    const match = pattern.exec(text);
    if (match) {
      return render(match);
    }
  }
  return text;
}

/** Dates written yyyy-MM-dd (Swedish is the locale whose short date is ISO 8601) on every page. */
export function sfDateLocale(locale) {
  return locale === 'default' ? 'sv-SE' : locale;
}
