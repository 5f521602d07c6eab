// Broadcast ListIdentity with st-ethernet-ip's Browser and print the first device whose serial
// number matches, as one JSON line; exit 1 when none answered in time.
// Usage: node browse.js SERIAL_HEX SECONDS
"use strict";
const { Browser } = require("st-ethernet-ip");

const [serialArg, secondsArg] = process.argv.slice(2);
const wanted = Number.parseInt(serialArg, 16);
const browser = new Browser(0, "0.0.0.0", true, 500);
browser.on("New Device", device => {
    if (Number.parseInt(device.serialNumber, 16) === wanted) {
        console.log(JSON.stringify(device));
        process.exit(0);
    }
});
setTimeout(() => {
    console.log(JSON.stringify({ found: false }));
    process.exit(1);
}, Number(secondsArg || 5) * 1000);
