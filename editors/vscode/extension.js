// The slac extension: starts `slac lsp` (pip install 'slac[lsp]') over stdio for .sla files.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("slac").get("command") || ["slac", "lsp"];
  const [program, ...args] = command.length ? command : ["slac", "lsp"];
  const server = { command: program, args: args.length ? args : ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "slac",
    "slac language server",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "sla" }] },
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
