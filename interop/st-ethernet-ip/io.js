// Opens one class 1 connection from st-ethernet-ip (a third-party scanner) to a cipsec adapter,
// writes outputs, reads inputs for a few seconds, and prints one JSON line with what happened.
// Usage: node io.js TARGET_IP LOCAL_IP RPI_MS SECONDS [OUT_HEX]
"use strict";
const { IO } = require("st-ethernet-ip");

const [target, local, rpiArg, secondsArg, outHex] = process.argv.slice(2);
if (!target || !local) {
    console.error("usage: node io.js TARGET_IP LOCAL_IP RPI_MS SECONDS [OUT_HEX]");
    process.exit(2);
}
const rpi = Number(rpiArg || 10);
const seconds = Number(secondsArg || 3);

const scanner = new IO.Scanner(2222, local);
const config = {
    configInstance: { assembly: 151, size: 10 },
    outputInstance: { assembly: 150, size: 32 },
    inputInstance: { assembly: 100, size: 32 },
};
const conn = scanner.addConnection(config, rpi, target);
if (outHex) {
    conn.outputData = Buffer.from(outHex, "hex");
}
const events = [];
let packetsIn = 0;
const start = Date.now();
conn.on("connected", () => events.push({ event: "connected", ms: Date.now() - start }));
conn.on("disconnected", () => events.push({ event: "disconnected", ms: Date.now() - start }));
const originalParse = conn.parseData.bind(conn);
conn.parseData = (data, socket) => {
    if (data.length >= 10 && data.readUInt32LE(6) === conn.TOid) {
        packetsIn++;
    }
    originalParse(data, socket);
};

setTimeout(() => {
    const result = {
        connected: conn.connected,
        otConnectionId: conn.OTid,
        toConnectionId: conn.TOid,
        packetsIn,
        otSequence: conn.OTsequenceNum,
        inputHex: Buffer.from(conn.inputData).toString("hex"),
        events,
    };
    console.log(JSON.stringify(result));
    process.exit(0);
}, seconds * 1000);
