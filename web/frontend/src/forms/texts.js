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
  // the form editor: palette groups, field types, property groups and labels
  Input: '输入',
  Selection: '选择',
  Presentation: '展示',
  Containers: '容器',
  Action: '操作',
  'Text field': '单行文本',
  'Date time': '日期时间',
  'Text view': '文字说明',
  'Image view': '图片',
  'HTML view': 'HTML 内容',
  'Text area': '多行文本',
  Number: '数字',
  Date: '日期',
  Checkbox: '复选框',
  'Checkbox group': '多选组',
  'Radio group': '单选组',
  'Tag list': '标签列表',
  'File picker': '文件上传',
  Text: '文字说明',
  Image: '图片',
  Table: '表格',
  'Document preview': '文档预览',
  Group: '分组',
  'Dynamic list': '动态列表',
  Button: '按钮',
  Separator: '分隔线',
  Spacer: '间距',
  General: '常规',
  Label: '标签',
  Key: '字段名',
  ID: '编号',
  Path: '路径',
  'Field description': '字段说明',
  'Default value': '默认值',
  Disabled: '禁用',
  'Read only': '只读',
  Required: '必填',
  Validation: '校验',
  'Validation pattern': '校验规则',
  'Custom regular expression': '自定义正则表达式',
  'Custom error message': '自定义错误信息',
  'Minimum length': '最少字符数',
  'Maximum length': '最多字符数',
  Minimum: '最小值',
  Maximum: '最大值',
  'Decimal digits': '小数位数',
  Increment: '步长',
  Appearance: '外观',
  Prefix: '前缀',
  Suffix: '后缀',
  Layout: '布局',
  Columns: '列宽',
  Condition: '显示条件',
  'Custom properties': '自定义属性',
  'Options source': '选项来源',
  'Static options': '固定选项',
  'Input values key': '输入数据键',
  'Options expression': '选项表达式',
  'Supported file formats': '可上传的文件类型',
  'Upload multiple files': '允许上传多个文件',
  Subtype: '子类型',
  'Date label': '日期标签',
  'Time label': '时间标签',
  'Disallow past dates': '不允许过去的日期',
  Content: '内容',
  Searchable: '可搜索',
  Serialization: '序列化',
  'Output as string': '输出为文本',
  'Default number of items': '默认行数',
  'Disable collapse': '不可折叠',
  'Show outline': '显示边框',
  Value: '值',
  Type: '类型',
  Auto: '自动',
  Custom: '自定义',
  Email: '邮箱',
  Phone: '电话',
  Submit: '提交',
  Reset: '重置',
  Expression: '表达式',
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
