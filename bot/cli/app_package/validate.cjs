// Validate a Teams app manifest and its localisation files against the schemas bundled in the npm
// package @microsoft/app-manifest, offline (the schema is read from node_modules, never fetched).
// stdin: {"manifest": {...}, "files": {"nb.json": {...}, ...}}
// stdout: {"schema": "v1.25", "errors": ["manifest.json /bots/0 must ...", ...]}
"use strict";

const fs = require("fs");
const path = require("path");

function fail(message) {
  process.stdout.write(JSON.stringify({ schema: null, errors: [message] }) + "\n");
  process.exit(0);
}

let AppManifestUtils;
try {
  ({ AppManifestUtils } = require("@microsoft/app-manifest"));
} catch (err) {
  fail(`cannot load @microsoft/app-manifest (run npm ci): ${err.message}`);
}
const schemaRoot = path.join(path.dirname(require.resolve("@microsoft/app-manifest")), "json-schemas", "teams");

function localSchema(url, fileName) {
  const match = /\/teams\/(v[0-9.]+|vDevPreview)\/[^/]+\.json$/.exec(url || "");
  if (!match) fail(`${fileName}: $schema must be a Teams schema URL (got ${JSON.stringify(url)})`);
  const file = path.join(schemaRoot, match[1], path.basename(url));
  if (!fs.existsSync(file)) fail(`${fileName}: schema ${match[1]}/${path.basename(url)} is not bundled in @microsoft/app-manifest`);
  return [match[1], JSON.parse(fs.readFileSync(file, "utf8").replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b"))];
}

// The localisation schema's patternProperties use regular expressions that are invalid in ajv's
// default unicode mode (AppManifestUtils fails to compile them), so compile it here without it.
function validateLocalization(content, schema) {
  const Ajv04 = require("ajv-draft-04");
  const addFormats = require("ajv-formats");
  const ajv = new Ajv04({ allErrors: true, strictTypes: false, strict: false, unicodeRegExp: false });
  addFormats(ajv, ["uri", "email", "regex"]);
  const validate = ajv.compile(schema);
  if (validate(JSON.parse(JSON.stringify(content)))) return [];
  return validate.errors.map((e) => `${e.instancePath} ${e.message || ""}. Details: ${JSON.stringify(e.params || {})}`);
}

async function main() {
  const input = JSON.parse(fs.readFileSync(0, "utf8"));
  const errors = [];
  const [version, schema] = localSchema(input.manifest.$schema, "manifest.json");
  for (const e of await AppManifestUtils.validateAgainstSchema(input.manifest, schema)) errors.push(`manifest.json ${e}`);
  for (const [name, content] of Object.entries(input.files || {})) {
    const [, locSchema] = localSchema(content.$schema, name);
    for (const e of validateLocalization(content, locSchema)) errors.push(`${name} ${e}`);
  }
  process.stdout.write(JSON.stringify({ schema: version, errors }) + "\n");
}

main().catch((err) => fail(`validation failed to run: ${err.message}`));
