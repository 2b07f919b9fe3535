// Preloaded into the Agents Playground (`node --require`): it listens on every interface and has no
// option for the address. A server started with only a port (and maybe a callback) is bound to
// 127.0.0.1 instead, so the local Teams client is reachable from this machine only.
"use strict";
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" && (args.length === 1 || typeof args[1] === "function")) {
    args.splice(1, 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};
