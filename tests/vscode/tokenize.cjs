// Test-only (tests/test_editors_vscode.py): tokenise files with VS Code's own TextMate engine
// (vscode-textmate on Oniguruma, as the editor runs it). Usage: node tokenize.cjs GRAMMAR FILE...
// Prints one JSON line per file: {"file", "tokens": [[text, innermost scope], ...]} for every token
// that is not blank; the scope is "" when no rule of the grammar matched (only `source.sla`).
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

async function main() {
  const [grammarPath, ...files] = process.argv.slice(2);
  const wasm = fs.readFileSync(path.join(__dirname, "node_modules", "vscode-oniguruma", "release", "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath),
  });
  const grammar = await registry.loadGrammar("source.sla");
  for (const file of files) {
    let stack = vsctm.INITIAL;
    const tokens = [];
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      const result = grammar.tokenizeLine(line, stack);
      for (const token of result.tokens) {
        const text = line.slice(token.startIndex, token.endIndex);
        if (text.trim()) tokens.push([text, token.scopes.length > 1 ? token.scopes[token.scopes.length - 1] : ""]);
      }
      stack = result.ruleStack;
    }
    console.log(JSON.stringify({ file, tokens }));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
