// Test-only (tests/test_editors_vscode.py): load the extension (editors/vscode/extension.js) with
// stand-ins for the `vscode` API and `vscode-languageclient/node`, activate it, then deactivate it.
// Usage: node activate.cjs EXTENSION_JS [CONFIGURED_COMMAND_JSON]
// Prints one JSON line: the language clients made (id, name, server and client options), whether
// each was started and stopped, and how many disposables the extension registered.
"use strict";

const Module = require("node:module");
const path = require("node:path");

const configured = process.argv[3] ? JSON.parse(process.argv[3]) : undefined;
const clients = [];

class LanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    this.record = { id, name, serverOptions, clientOptions, started: false, stopped: false };
    clients.push(this.record);
  }
  start() {
    this.record.started = true;
    return Promise.resolve();
  }
  stop() {
    this.record.stopped = true;
    return Promise.resolve();
  }
}

const stubs = {
  vscode: {
    workspace: {
      getConfiguration: (section) => ({ get: (key) => (section === "slac" && key === "command" ? configured : undefined) }),
    },
  },
  "vscode-languageclient/node": { LanguageClient, TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 } },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return Object.prototype.hasOwnProperty.call(stubs, request) ? stubs[request] : load.call(this, request, ...rest);
};

async function main() {
  const extension = require(path.resolve(process.argv[2]));
  const context = { subscriptions: [] };
  await extension.activate(context);
  await extension.deactivate();
  console.log(JSON.stringify({ clients, subscriptions: context.subscriptions.length }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
