// Parses each .tf / .tfvars file named on the command line with @cdktf/hcl2json (HashiCorp's HCL
// parser compiled to WebAssembly) and prints one JSON object: {file: {"ok": tree} | {"error": msg}}.
// The build's terraform checks (TerraformChecks.java) run it; terraform itself cannot validate
// here, as its providers cannot be downloaded.
"use strict";
const fs = require("fs");
const { parse } = require("@cdktf/hcl2json");

(async () => {
  const out = {};
  for (const file of process.argv.slice(2)) {
    try {
      out[file] = { ok: await parse(file, fs.readFileSync(file, "utf8")) };
    } catch (e) {
      out[file] = { error: String((e && e.message) || e) };
    }
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => {
  process.stderr.write(String((e && e.stack) || e) + "\n");
  process.exit(2);
});
