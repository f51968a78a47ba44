// Launches Debian's chromium headless for the e2e drivers (ui.js, ext-host-runner.js). The flags keep it off the
// network (this machine reaches only package registries) and working as root in a container.
'use strict';
const { chromium } = require('playwright-core');

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: FLAGS });
}

module.exports = { launchChromium, FLAGS };
