// openapi.mjs - validates API responses against docs/openapi.yaml (the documented contract).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { ROOT } from './stack.mjs';

const spec = parse(readFileSync(join(ROOT, 'docs', 'openapi.yaml'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');

const pointer = (parts) => parts.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
const compiled = new Map();
function validatorAt(parts) {
  const key = pointer(parts);
  if (!compiled.has(key)) compiled.set(key, ajv.compile({ $ref: `openapi#/${key}` }));
  return compiled.get(key);
}

/** Finds the documented path template for a concrete path, e.g. /items/abc → /items/{item_id}. */
function templateFor(path) {
  const segments = path.split('/');
  return Object.keys(spec.paths).find((template) => {
    const t = template.split('/');
    return t.length === segments.length && t.every((s, i) => s.startsWith('{') || s === segments[i]);
  });
}

/**
 * Checks one API answer against the spec; throws an Error saying what does not conform.
 * Unknown routes must answer the documented Error shape with 404 or 405.
 */
export function assertConforms(method, url, status, contentType, body) {
  const path = new URL(url, 'http://x').pathname;
  const template = templateFor(path);
  const op = template && spec.paths[template][method.toLowerCase()];
  let parts;
  if (!op) {
    if (status !== 404 && status !== 405 && status !== 413) {
      throw new Error(`${method} ${path} → ${status}: not a documented operation`);
    }
    parts = ['components', 'schemas', 'Error'];
  } else {
    let response = op.responses[String(status)];
    if (!response) throw new Error(`${method} ${template} → ${status}: status not documented`);
    let responseParts = ['paths', template, method.toLowerCase(), 'responses', String(status)];
    if (response.$ref) {
      responseParts = response.$ref.slice(2).split('/');
      response = responseParts.reduce((node, k) => node[k], spec);
    }
    if (!response.content) {
      if (body !== undefined && body !== '') throw new Error(`${method} ${template} → ${status}: body where none is documented`);
      return;
    }
    parts = [...responseParts, 'content', 'application/json', 'schema'];
  }
  if (status === 413 && !op) return; // the gateway's own 413 for bodies past Lambda's limit
  if (!/^application\/json/.test(contentType ?? '')) {
    throw new Error(`${method} ${path} → ${status}: content-type ${contentType}, documented application/json`);
  }
  const validate = validatorAt(parts);
  if (!validate(body)) {
    throw new Error(`${method} ${path} → ${status} does not conform to docs/openapi.yaml: ` +
      `${ajv.errorsText(validate.errors)}\nbody: ${JSON.stringify(body).slice(0, 500)}`);
  }
}
