// A small SVG chart of a results JSON: logins per second and p50 latency, grouped by
// concurrency, one bar per contender. Both axes are logarithmic: passport-local (no network)
// is one to two orders of magnitude away from the two QuickBlox contenders.
//
//   node bench/chart.js [bench/results/latest.json] [bench/results/chart.svg]
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const COLORS = { a: '#2563eb', b: '#ea580c', c: '#9ca3af' }
const WIDTH = 820
const HEIGHT = 372
const PANEL = { top: 92, bottom: 48, left: 56, width: 330, gap: 84 }

const escape = (text) =>
  String(text).replace(/[&<>"]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch])
const short = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2))

function panel(results, { x0, title, value, reference }) {
  const contenders = results.contenders
  const concurrencies = results.levels.map((l) => l.concurrency)
  const values = contenders.flatMap((c) => c.levels.map(value)).filter((v) => v > 0)
  if (values.length === 0) return ''
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)))
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)) + 0.05)
  const plotH = HEIGHT - PANEL.top - PANEL.bottom
  const y = (v) => PANEL.top + plotH * (1 - (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)))
  const groupW = PANEL.width / concurrencies.length
  const barW = Math.min(26, (groupW - 16) / contenders.length)
  const parts = [`<text x="${x0 + PANEL.width / 2}" y="${PANEL.top - 14}" class="title">${escape(title)}</text>`]
  for (let decade = lo; decade <= hi * 1.0001; decade *= 10) {
    parts.push(
      `<line x1="${x0}" x2="${x0 + PANEL.width}" y1="${y(decade)}" y2="${y(decade)}" class="grid"/>`,
      `<text x="${x0 - 6}" y="${y(decade) + 4}" class="tick" text-anchor="end">${decade >= 1 ? decade : decade.toPrecision(1)}</text>`,
    )
  }
  concurrencies.forEach((concurrency, g) => {
    const gx = x0 + g * groupW + (groupW - barW * contenders.length) / 2
    contenders.forEach((c, i) => {
      const v = value(c.levels.find((l) => l.concurrency === concurrency) ?? {})
      if (!(v > 0)) return
      const bx = gx + i * barW
      parts.push(
        `<rect x="${bx.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 3).toFixed(1)}" height="${(y(lo) - y(v)).toFixed(1)}" fill="${COLORS[c.key]}"><title>${escape(`(${c.key}) ${c.name}, concurrency ${concurrency}: ${short(v)}`)}</title></rect>`,
        `<text x="${(bx + (barW - 3) / 2).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" class="value">${short(v)}</text>`,
      )
    })
    parts.push(
      `<text x="${x0 + g * groupW + groupW / 2}" y="${HEIGHT - PANEL.bottom + 18}" class="axis">concurrency ${concurrency}</text>`,
    )
  })
  parts.push(`<line x1="${x0}" x2="${x0 + PANEL.width}" y1="${y(lo)}" y2="${y(lo)}" class="baseline"/>`)
  if (reference && reference.value > lo && reference.value < hi) {
    const ry = y(reference.value).toFixed(1)
    parts.push(
      `<line x1="${x0}" x2="${x0 + PANEL.width}" y1="${ry}" y2="${ry}" class="reference"/>`,
      `<text x="${x0 + PANEL.width + 4}" y="${Number(ry) + 4}" class="tick">${escape(reference.label)}</text>`,
    )
  }
  return parts.join('\n  ')
}

export function renderChart(results) {
  const legend = results.contenders
    .map((c, i) => {
      const x = PANEL.left + i * 250
      return `<rect x="${x}" y="36" width="12" height="12" fill="${COLORS[c.key]}"/><text x="${x + 18}" y="46" class="legend">(${c.key}) ${escape(c.name)}</text>`
    })
    .join('\n  ')
  const heading = `QuickBlox login, emulator latency L = ${results.latencyMs} ms${results.quick ? ' (quick mode)' : ''}`
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">
  <style>
    .title { font-size: 13px; font-weight: 600; text-anchor: middle; fill: #111827 }
    .heading { font-size: 15px; font-weight: 600; fill: #111827 }
    .legend { font-size: 12px; fill: #111827 }
    .tick { font-size: 10px; fill: #6b7280 }
    .axis { font-size: 11px; text-anchor: middle; fill: #374151 }
    .value { font-size: 9px; text-anchor: middle; fill: #374151 }
    .grid { stroke: #e5e7eb; stroke-width: 1 }
    .baseline { stroke: #6b7280; stroke-width: 1 }
    .reference { stroke: #111827; stroke-width: 1; stroke-dasharray: 4 3 }
  </style>
  <rect width="100%" height="100%" fill="#ffffff"/>
  <text x="${PANEL.left}" y="22" class="heading">${escape(heading)}</text>
  ${legend}
  ${panel(results, { x0: PANEL.left, title: 'Logins per second (higher is better, log scale)', value: (l) => l.loginsPerSec })}
  ${panel(results, { x0: PANEL.left + PANEL.width + PANEL.gap, title: 'p50 login latency, ms (lower is better, log scale)', value: (l) => l.p50, reference: { value: results.latencyMs, label: 'L' } })}
</svg>
`
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const input = process.argv[2] ?? path.join(here, 'results', 'latest.json')
  const output = process.argv[3] ?? path.join(path.dirname(input), 'chart.svg')
  const results = JSON.parse(await readFile(input, 'utf8'))
  await writeFile(output, renderChart(results))
  console.log(`Wrote ${output}`)
}
