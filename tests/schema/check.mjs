#!/usr/bin/env node
// Validate SwarmCluster documents against the JSON Schema with Ajv (draft 2020-12, strict mode).
//
//   node check.mjs <schema.json> < docs.ndjson
//
// Reads one JSON document per line from stdin (blank lines are skipped) and prints one line
// per document: `valid`, or `invalid: <instancePath> <message>; ...` (the first few errors).
// Exit codes: 0 after all documents were checked (whatever the verdicts); 3 the schema is not
// given, cannot be read or does not compile under strict mode; 4 an input line is not JSON
// (the verdicts of the lines before it are printed first).
import fs from 'node:fs';
import readline from 'node:readline';
import Ajv2020 from 'ajv/dist/2020.js';

const MAX_ERRORS = 5;

const schemaPath = process.argv[2];
if (!schemaPath) {
  process.stderr.write('usage: node check.mjs <schema.json> < documents.ndjson\n');
  process.exit(3);
}

let validate;
try {
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  validate = ajv.compile(schema);
} catch (err) {
  process.stderr.write(`schema ${schemaPath} does not compile: ${err.message}\n`);
  process.exit(3);
}

function describe(errors) {
  const shown = errors.slice(0, MAX_ERRORS).map((e) => {
    let detail = '';
    if (e.keyword === 'additionalProperties') detail = ` (${e.params.additionalProperty})`;
    else if (e.keyword === 'enum') detail = ` (${e.params.allowedValues.join(', ')})`;
    else if (e.keyword === 'const') detail = ` (${JSON.stringify(e.params.allowedValue)})`;
    else if (e.keyword === 'propertyNames') detail = ` (${e.params.propertyName})`;
    return `${e.instancePath || '/'} ${e.message}${detail}`;
  });
  if (errors.length > MAX_ERRORS) shown.push(`... ${errors.length - MAX_ERRORS} more`);
  return shown.join('; ');
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
let lineNo = 0;
for await (const line of rl) {
  lineNo += 1;
  if (line.trim() === '') continue;
  let doc;
  try {
    doc = JSON.parse(line);
  } catch (err) {
    process.stderr.write(`stdin line ${lineNo}: not JSON: ${err.message}\n`);
    process.exit(4);
  }
  if (validate(doc)) {
    process.stdout.write('valid\n');
  } else {
    process.stdout.write(`invalid: ${describe(validate.errors)}\n`);
  }
}
process.exit(0);
