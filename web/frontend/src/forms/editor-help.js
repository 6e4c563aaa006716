// What the form editor explains beyond a field's name: the custom properties servflow reads (form-js
// knows them only as free key/value pairs), descriptions for the validation entries form-js leaves
// unexplained, and a palette tooltip saying what each field type is for. plugins/form-js-texts.mjs
// hands these to form-js's editor at build time. Servflow's own properties are explained on English
// pages too; form-js's entries keep form-js's English there.
import { pageIsChinese } from './texts';

const SERVFLOW_PROPERTIES = {
  check: [
    '规则：提交时必须成立的表达式，可用本表单的字段和项目已有的数据，如 award_amount <= budget；不成立时显示 checkMessage。一个字段最多五条（check、check2 … check5）',
    'Rule: an expression that must hold on submitting, over this form\'s fields and the project\'s data, e.g. award_amount <= budget; checkMessage is shown when it does not. Up to five per field (check, check2 … check5)',
  ],
  checkMessage: [
    '规则不成立时显示在本字段下的提示，先中文，再写 / 和英文',
    'What the person reads on this field when its rule does not hold: Chinese, then / and English',
  ],
  prefill: [
    '预填：任务打开时按这个表达式从项目已有的数据算出初始值（如 candidates[0]["supplier_name"]），办理人仍可修改',
    'Prefill: an expression over the project\'s data giving the value the field opens with (e.g. candidates[0]["supplier_name"]); the person may still change it',
  ],
  format: [
    '格式：credit_code 表示按统一社会信用代码校验（含校验位）',
    'Format: credit_code checks a 统一社会信用代码 (unified social credit code), check digit included',
  ],
  maxSizeMB: [
    '文件上传：每个文件最大多少 MB（默认 20，最多 200）',
    'File picker: the largest file taken, in MB (default 20, at most 200)',
  ],
  maxFiles: [
    '文件上传：最多上传几个文件（默认 1；允许多个文件时默认 20）',
    'File picker: how many files at most (default 1, or 20 with multiple files)',
  ],
  example: [
    '示例值：场景检查替有校验规则的单行文本作答时用它，须符合规则',
    'Example: the answer scenario checks give a patterned text field; it must match the pattern',
  ],
};

const OTHER_PROPERTY = [
  'Servflow 不读取这个属性。它读取：check 与 checkMessage（规则）、prefill（预填）、format（格式）、maxSizeMB 与 maxFiles（文件上传）、example（示例值）',
  'Servflow does not read this property. It reads: check and checkMessage (rules), prefill, format, maxSizeMB and maxFiles (file pickers), example',
];

const inLanguage = ([zh, en]) => (pageIsChinese() ? zh : en);

/** What servflow does with the custom property `key` (check2 … check5 read as check). */
export function customPropertyHelp(key) {
  const base = String(key || '').replace(/^(check|checkMessage)[2-5]$/, '$1');
  return inLanguage(SERVFLOW_PROPERTIES[base] || OTHER_PROPERTY);
}

const VALIDATION_ZH = {
  required: '必须填写才能提交；服务器提交时再校验一次',
  minLength: '文字至少多少个字符',
  maxLength: '文字最多多少个字符',
  pattern: '用正则表达式限定格式；场景检查要用的示例答案写在自定义属性 example 中',
  min: '允许的最小值',
  max: '允许的最大值',
};

/**
 * The properties panel's descriptionConfig: descriptions for the entries form-js gives none, by entry id
 * (Chinese pages only; form-js's English panel stays as it is).
 */
export const fieldDescriptions = Object.fromEntries(
  Object.entries(VALIDATION_ZH).map(([id, text]) => [id, () => (pageIsChinese() ? text : undefined)])
);

const PALETTE_ZH = {
  textfield: '单行文本：名称、编号等一行文字',
  textarea: '多行文本：意见、说明等较长的文字',
  number: '数字：金额、数量；可设最小值、最大值和小数位数',
  datetime: '日期时间：日期写作 yyyy-MM-dd',
  expression: '表达式：由其他字段算出的值，不需填写',
  filepicker: '文件上传：附件；在自定义属性中用 maxSizeMB、maxFiles 限定大小和个数',
  checkbox: '复选框：是或否（勾选为 true），条件中可直接使用字段名',
  checklist: '多选组：从固定的选项中选几个',
  radio: '单选组：从几个固定的选项中选一个，条件中比较所选的值',
  select: '下拉选择：从较多的选项中选一个',
  taglist: '标签列表：选几个，可搜索',
  text: '文字说明：给办理人看的说明，不保存数据',
  html: 'HTML 内容：带格式的说明，不保存数据',
  image: '图片：展示一张图片',
  table: '表格：展示一组数据',
  documentPreview: '文档预览：展示已上传的文档',
  group: '分组：把几个字段放在一起',
  dynamiclist: '动态列表：可增减的多行，如付款计划的每一期',
  spacer: '间距：留出空白',
  separator: '分隔线',
  button: '按钮',
};

/** The tooltip of a palette entry: what the field type is for, and that it is dragged onto the form. */
export function paletteTitle(type, english) {
  if (!pageIsChinese()) { return english; }
  return `${PALETTE_ZH[type] || type}。拖到表单中添加`;
}
