#!/usr/bin/env node
// Generate the human field reference of the SwarmCluster document from its JSON Schema.
//
//   node crd/tools/gen-reference.mjs [schema.json] > crd/reference.md
//
// The schema defaults to crd/swarmcluster.schema.json next to this script's folder.
// Writes Markdown to stdout: one table row per field path, then the conditional rules and
// the shared value types. Needs only Node.js (18 or later), no packages. The output depends
// only on the schema file, so it is deterministic.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaPath = process.argv[2] ?? path.join(here, '..', 'swarmcluster.schema.json');
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const defs = schema.$defs ?? {};

const COMMAND = 'node crd/tools/gen-reference.mjs > crd/reference.md';
const MAP_KEY = '<name>';

// ---------- $ref resolution ----------

function refName(ref) {
  const m = /^#\/\$defs\/([^/]+)$/.exec(ref);
  if (!m || !(m[1] in defs)) throw new Error(`unsupported $ref ${ref}`);
  return m[1];
}

// The schema a node stands for: the $def it refers to, overlaid with the node's own keywords
// (a description or default written next to a $ref wins over the $def's).
function resolve(node) {
  if (node === null || typeof node !== 'object' || !node.$ref) return node;
  const { $ref, ...own } = node;
  return { ...resolve(defs[refName($ref)]), ...own };
}

// Shared value types (not objects with fields) get their own section and are linked by name.
function isObjectSchema(node) {
  const n = resolve(node);
  if (typeof n !== 'object') return false;
  if (n.type === 'object') return true;
  const alts = n.oneOf ?? n.anyOf;
  return Array.isArray(alts) && alts.length > 0 && alts.every(isObjectSchema);
}
const valueTypes = Object.keys(defs).filter((name) => !isObjectSchema(defs[name]));

// ---------- text helpers ----------

function code(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const fence = text.includes('`') ? '``' : '`';
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

// Make text safe inside a Markdown table cell.
function cell(text) {
  return String(text).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function anchor(name) {
  return name.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function rangeText(n) {
  const lo = n.minimum !== undefined ? { v: n.minimum, op: '>=' }
    : n.exclusiveMinimum !== undefined ? { v: n.exclusiveMinimum, op: '>' } : null;
  const hi = n.maximum !== undefined ? { v: n.maximum, op: '<=' }
    : n.exclusiveMaximum !== undefined ? { v: n.exclusiveMaximum, op: '<' } : null;
  if (lo && hi && lo.op === '>=' && hi.op === '<=') return `${lo.v} to ${hi.v}`;
  return [lo && `${lo.op} ${lo.v}`, hi && `${hi.op} ${hi.v}`].filter(Boolean).join(', ');
}

// One-line type summary of a schema: type, enum/const, pattern, bounds.
function typeText(node) {
  if (node === false) return 'not allowed';
  if (node === true) return 'any';
  if (node.$ref) {
    const name = refName(node.$ref);
    if (valueTypes.includes(name)) return `[${name}](#${anchor(name)})`;
    return typeText(defs[name]);
  }
  const parts = [];
  if (node.const !== undefined) return `${node.type ?? 'value'}, exactly ${code(node.const)}`;
  if (node.enum) return `${node.type ?? 'value'}, one of ${node.enum.map(code).join(', ')}`;
  const alts = node.oneOf ?? node.anyOf;
  if (alts) {
    if (alts.every(isObjectSchema)) {
      const forms = alts.map((a) => {
        const r = resolve(a);
        return `{${(r.required ?? Object.keys(r.properties ?? {})).map(code).join(', ')}}`;
      });
      return `object, exactly one of the forms ${forms.join(' or ')}`;
    }
    return alts.map(typeText).join(' or ');
  }
  switch (node.type) {
    case 'string':
      parts.push('string');
      if (node.minLength !== undefined) parts.push(`min length ${node.minLength}`);
      if (node.maxLength !== undefined) parts.push(`max length ${node.maxLength}`);
      if (node.pattern !== undefined) parts.push(`pattern ${code(node.pattern)}`);
      break;
    case 'integer':
    case 'number': {
      const range = rangeText(node);
      parts.push(range ? `${node.type} ${range}` : node.type);
      break;
    }
    case 'array': {
      parts.push(`array of ${node.items ? typeText(node.items) : 'any'}`);
      if (node.minItems !== undefined) parts.push(`at least ${plural(node.minItems, 'item')}`);
      if (node.maxItems !== undefined) parts.push(`at most ${plural(node.maxItems, 'item')}`);
      break;
    }
    case 'object': {
      if (node.additionalProperties && typeof node.additionalProperties === 'object') {
        const key = node.propertyNames ? typeText(node.propertyNames) : 'string';
        const value = isObjectSchema(node.additionalProperties) && resolve(node.additionalProperties).properties
          ? 'object' : typeText(node.additionalProperties);
        parts.push(`map, keys: ${key}; values: ${value}`);
      } else {
        parts.push('object');
      }
      break;
    }
    default:
      parts.push(node.type ?? 'any');
  }
  return parts.join(', ');
}

// ---------- field rows ----------

const rows = [];
const rules = [];

function requiredText(required, node, form) {
  if (required) return form ? `required in form ${form}` : 'required';
  if (node.default !== undefined) return `default ${code(node.default)}`;
  return form ? `optional in form ${form}` : 'optional, no default';
}

function addRow(fieldPath, site, required, form) {
  const node = resolve(site);
  const description = node.description ?? '';
  rows.push([code(fieldPath), typeText(site), requiredText(required, node, form), description]);
}

// Emit rows for the fields of an object schema at fieldPath.
function walkObject(node, fieldPath) {
  const n = resolve(node);
  const alts = n.oneOf ?? n.anyOf;
  if (alts && alts.every(isObjectSchema)) {
    // Several exclusive forms: list each form's fields, saying which form they belong to.
    const seen = new Set();
    alts.forEach((alt, i) => {
      const a = resolve(alt);
      const form = a.title ? `"${a.title}"` : String(i + 1);
      for (const [key, child] of Object.entries(a.properties ?? {})) {
        if (seen.has(key)) continue;
        seen.add(key);
        walkField(child, join(fieldPath, key), (a.required ?? []).includes(key), form);
      }
    });
    return;
  }
  for (const [key, child] of Object.entries(n.properties ?? {})) {
    walkField(child, join(fieldPath, key), (n.required ?? []).includes(key));
  }
  collectRules(n, fieldPath);
  if (n.additionalProperties && typeof n.additionalProperties === 'object') {
    const value = resolve(n.additionalProperties);
    if (value.properties || (value.oneOf ?? value.anyOf ?? []).some(isObjectSchema)) {
      addRow(join(fieldPath, MAP_KEY), n.additionalProperties, false);
      rows[rows.length - 1][2] = 'map entry';
      walkObject(value, join(fieldPath, MAP_KEY));
    }
  }
}

function walkField(site, fieldPath, required, form) {
  addRow(fieldPath, site, required, form);
  const node = resolve(site);
  if (node === false || node === true) return;
  if (isObjectSchema(node)) {
    walkObject(node, fieldPath);
  } else if (node.type === 'array' && node.items && isObjectSchema(node.items)) {
    walkObject(node.items, `${fieldPath}[]`);
  }
}

function join(base, key) {
  return base ? `${base}.${key}` : key;
}

// ---------- conditional rules (if/then/else) ----------

function conditionText(cond, fieldPath) {
  const c = resolve(cond);
  const parts = [];
  for (const [key, sub] of Object.entries(c.properties ?? {})) {
    const s = resolve(sub);
    const field = code(join(fieldPath, key));
    const mustBeSet = (c.required ?? []).includes(key);
    if (s === true) parts.push(`${field} is set`);
    else if (s.const !== undefined) parts.push(`${field} is ${code(s.const)}`);
    else parts.push(`${field} is ${typeText(s)}`);
    if (!mustBeSet) parts[parts.length - 1] += ' (when set)';
  }
  for (const key of c.required ?? []) {
    if (!(key in (c.properties ?? {}))) parts.push(`${code(join(fieldPath, key))} is set`);
  }
  return parts.join(' and ') || 'always';
}

function consequenceText(branch, fieldPath) {
  if (branch === true) return 'nothing more is required';
  if (branch === false) return 'the object is not allowed';
  const b = resolve(branch);
  const parts = [];
  for (const key of b.required ?? []) parts.push(`${code(join(fieldPath, key))} is required`);
  for (const [key, sub] of Object.entries(b.properties ?? {})) {
    if (sub === false) parts.push(`${code(join(fieldPath, key))} is not allowed`);
    else parts.push(`${code(join(fieldPath, key))} must be ${typeText(sub)}`);
  }
  return parts.join(', ') || 'nothing more is required';
}

function ruleText(node, fieldPath) {
  let text = `if ${conditionText(node.if, fieldPath)}, then ${consequenceText(node.then ?? true, fieldPath)}`;
  if (node.else !== undefined) {
    const e = resolve(node.else);
    text += e && typeof e === 'object' && e.if
      ? `; otherwise ${ruleText(e, fieldPath)}`
      : `; otherwise ${consequenceText(node.else, fieldPath)}`;
  }
  return text;
}

// Field names in a rule are relative to the object the rule is on.
function collectRules(node, fieldPath) {
  if (node.if !== undefined) rules.push([code(fieldPath), ruleText(node, '')]);
}

// ---------- output ----------

function table(header, body) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of body) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

walkObject(schema, '');

const out = [];
out.push(`<!-- Generated from crd/swarmcluster.schema.json by \`${COMMAND}\`. Do not edit by hand. -->`);
out.push('');
out.push(`# ${schema.title ?? 'Field reference'}: field reference`);
out.push('');
out.push(`Generated from \`crd/swarmcluster.schema.json\` by \`${COMMAND}\`; do not edit by hand.`);
if (schema.$id) out.push(`Schema \`$id\`: ${code(schema.$id)}.`);
out.push('');
out.push(schema.description ?? '');
out.push('');
out.push(`Paths use \`[]\` for an element of an array and \`${MAP_KEY}\` for a key of a map.`);
out.push('"required" inside an optional object means required when that object is present.');
out.push('');
out.push('## Fields');
out.push('');
out.push(table(['Field', 'Type', 'Required / default', 'Description'], rows));
out.push('');
if (rules.length) {
  out.push('## Conditional rules');
  out.push('');
  out.push(table(['Object', 'Rule (field names relative to the object)'], rules));
  out.push('');
}
out.push('## Value types');
out.push('');
for (const name of valueTypes) {
  out.push(`### ${name}`);
  out.push('');
  out.push(`${typeText({ ...defs[name], $ref: undefined })}.`);
  out.push('');
  if (defs[name].description) {
    out.push(defs[name].description);
    out.push('');
  }
}
process.stdout.write(out.join('\n'));
