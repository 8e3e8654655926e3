// Debian's Chromium, headless, as every page test drives it: no sandbox (root in CI), no GPU,
// nothing that would reach the network on its own, and a new empty profile each launch.
import { chromium, type Browser } from 'playwright-core'
import { requireProgram } from './example-app.js'

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: requireProgram('chromium', ['/usr/bin/chromium']),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  })
}
