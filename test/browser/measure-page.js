// Runs inside the page (headless Chromium), not in Node: what the HTML report's pictures really show,
// read from the laid-out SVG (getBoundingClientRect, in CSS px of the page), for test/browser/html-report.test.ts.
// Vega's SVG names its marks by the Vega-Lite spec's place: concat_0 is the events' panel (layer 0 their
// rules, layer 1 their labels), concat_1 the requests' panel (layer 0 the bounds' bands, layer 1 the
// ticks, layer 2 the events' rules).
/* global document, window */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by name from the test (page.evaluate)
function measureReport() {
  const box = (el) => {
    const r = el.getBoundingClientRect()
    return {x: r.x + window.scrollX, y: r.y + window.scrollY, w: r.width, h: r.height}
  }
  const center = (b) => ({cx: b.x + b.w / 2, cy: b.y + b.h / 2})
  const marks = (svg, name) => [...(svg.querySelector(`g.role-mark.${name}`)?.children ?? [])]
  const axis = (svg, start) => [...svg.querySelectorAll('g.role-axis')].find((g) => (g.getAttribute('aria-label') ?? '').startsWith(start))
  const rule = (el) => ({...box(el), ...center(box(el)), stroke: el.getAttribute('stroke'), dash: el.getAttribute('stroke-dasharray')})
  const pictures = [...document.querySelectorAll('svg')].map((svg) => ({
    box: box(svg),
    rows: [...(axis(svg, 'Y-axis')?.querySelectorAll('g.role-axis-label text') ?? [])].map((t) => ({
      label: t.textContent,
      ...center(box(t)),
    })),
    // the axis's tick lines, each with its label's value (vega draws them in the same order)
    xTicks: (() => {
      const x = axis(svg, 'X-axis')
      const lines = [...(x?.querySelectorAll('g.role-axis-tick line') ?? [])]
      const texts = [...(x?.querySelectorAll('g.role-axis-label text') ?? [])]
      return lines.map((l, k) => ({value: Number((texts[k]?.textContent ?? '').replace('\u2212', '-')), ...center(box(l))}))
    })(),
    ticks: marks(svg, 'concat_1_layer_1_marks').map((el) => ({...box(el), ...center(box(el)), fill: el.getAttribute('fill')})),
    bands: marks(svg, 'concat_1_layer_0_marks').map((el) => ({...box(el), fill: el.getAttribute('fill')})),
    rules: marks(svg, 'concat_1_layer_2_marks').map(rule),
    labelRules: marks(svg, 'concat_0_layer_0_marks').map(rule),
    labels: marks(svg, 'concat_0_layer_1_marks').map((el) => ({text: el.textContent, ...box(el)})),
  }))
  const rows = [...(document.querySelector('table')?.querySelectorAll('tr') ?? [])].filter((tr) => tr.querySelector('td'))
  return {
    // the width the page's content may use: the window less any scroll bar
    clientWidth: document.documentElement.clientWidth,
    scrollWidth: document.documentElement.scrollWidth,
    heading: document.querySelector('h1')?.textContent ?? '',
    tableRows: rows.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    pictures,
  }
}
