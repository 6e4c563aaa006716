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
  Browse: '选择文件',
  'No files selected': '未选择文件',
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
  'Property key': '属性名',
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
  // the form editor's own frame
  Components: '组件',
  'Search components': '搜索组件',
  'No components found.': '没有匹配的组件',
  'Drag and drop components here.': '把组件拖到这里',
  'Build your form': '开始设计表单',
  'Drag and drop components here to start designing.': '从左侧把组件拖到这里开始设计。',
  'Use the preview window to test your form.': '在右侧预览中试填表单。',
  Form: '表单',
  'Toggle section': '展开或收起',
  'Delete item': '删除此项',
  'Create new list item': '新增一项',
  Create: '新增一项',
  'Clear content': '清除',
  'Select a form field to edit its properties.': '选择一个字段以编辑其属性。',
  'Multiple form fields are selected. Select a single form field to edit its properties.': '选中了多个字段；请只选一个以编辑其属性。',
  // the form editor's descriptions and tooltips
  'Binds to a form variable': '字段名：流程用这个名字保存填写的值，条件、规则和脚本按它读取（字母开头，如 expert_opinion）',
  'Use a unique "key" to link the form element and the related input/output data. When dealing with nested data, break it down in the user task\'s input mapping before using it.':
    '每个字段的字段名须唯一。办理人提交后，值以这个名字存入项目数据；后面的网关条件、规则（check）和预填（prefill）都用它。',
  'Where the child variables of this component are pathed to.': '本组件内各字段的值存在这个名字之下',
  'Height of the container in pixels.': '高度（像素）',
  'Expression or static value (link/data URI)': '表达式或固定值（链接或 data URI）',
  'Link referring to a hosted image, or use a data URI directly to embed image data into the form.': '图片的链接，或直接嵌入的 data URI',
  'Define an expression to calculate the value of this field': '用表达式算出本字段的值',
  'Allows arbitrary precision values': '允许任意精度的数值（金额建议开启）',
  'Define which input property to populate the values from': '从项目数据的哪个名字读取选项',
  'Define an expression to populate the options from.': '用表达式给出选项',
  'Specify the source from which to populate the table': '表格数据的来源',
  'Enter a form input variable that contains the data for the table or define an expression to populate the data dynamically.': '填写存放表格数据的名字，或用表达式给出数据',
  'Specify an expression to populate column items': '用表达式给出各列',
  'Descriptive text for screen reader accessibility.': '供读屏软件朗读的说明文字',
  'Disable this field when it should not be interactive for end-users. Its data will not be submitted. This setting takes precedence over read-only.':
    '禁用的字段办理人不能操作，其值也不提交（优先于只读）',
  'Make this field read-only when it cannot be edited by the end-user, but its content is important for them to see. Its data will still be submitted.':
    '只读的字段办理人只能看不能改，其值仍随表单提交（常与预填 prefill 一起用）',
  'The error message to display when the input does not match the regular expression.': '填写的内容不符合正则表达式时显示的提示',
  'Add properties directly to the form schema, useful to configure functionality in custom-built task applications and form renderers.':
    'Servflow 读取的属性：check 与 checkMessage（提交时的规则与提示）、prefill（预填）、format（credit_code：统一社会信用代码）、maxSizeMB 与 maxFiles（文件上传的大小与个数）、example（示例值）。点 + 新增一项，属性名写其中之一。',
};

// A field type's name where it differs from the same English word elsewhere ("Select" is also a placeholder).
const TYPE_ZH = { Select: '下拉选择' };

const ZH_PATTERNS = [
  [/^Field must match pattern (.*)\.$/s, () => '格式不正确'],
  [/^Field must have minimum value of (.*)\.$/, (m) => `不能小于 ${m[1]}`],
  [/^Field must have maximum value of (.*)\.$/, (m) => `不能大于 ${m[1]}`],
  [/^Field must have minimum length of (.*)\.$/, (m) => `至少 ${m[1]} 个字符`],
  [/^Field must have maximum length of (.*)\.$/, (m) => `最多 ${m[1]} 个字符`],
  [/^Remove list item (\d+)$/, (m) => `删除第 ${m[1]} 行`],
  [/^(\d+) files selected$/, (m) => `已选择 ${m[1]} 个文件`],
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

/** A field type's name (the palette, the properties panel's header) in the page's language. */
export function sfTypeName(name) {
  return pageIsChinese() && Object.prototype.hasOwnProperty.call(TYPE_ZH, name) ? TYPE_ZH[name] : sfText(name);
}

/** Dates written yyyy-MM-dd (Swedish is the locale whose short date is ISO 8601) on every page. */
export function sfDateLocale(locale) {
  return locale === 'default' ? 'sv-SE' : locale;
}
