/**
 * The generator section: the load generator's own health in one chart
 * (utilisation on the left axis, lag and lateness on the right), coloured by
 * meaning so the same quantity looks the same in every report.
 */
import { indicatorValue, perWindow, type Indicator } from '../series.ts'
import type { ChartFrame } from './frame.ts'
import { COLORS, type ChartLine, type Figure } from './spec.ts'

/** The chart, when the record has the generator's indicators. */
export function generatorFigures(frame: ChartFrame): Figure[] {
  const { input, n, f, windowSec } = frame
  const generator = input.classified.generator
  if (!generator.length) return []
  const lines: ChartLine[] = []
  const ratios = generator.filter((g) => g.unit === 'ratio')
  const others = generator.filter((g) => g.unit !== 'ratio')
  const useY2 = ratios.length > 0 && others.length > 0
  const colorOf = colorsByMeaning()
  for (const g of [...ratios, ...others]) {
    const values = perWindow(g.series, n, (w) => indicatorValue(g, w, windowSec))
    lines.push({
      label: g.short + (useY2 ? (g.unit === 'ratio' ? ' (left axis)' : ' (right axis)') : ''),
      values: f(values, 'max'),
      color: colorOf(g),
      width: 1.5,
      scale: useY2 && g.unit !== 'ratio' ? 'y2' : 'y',
      ...(g.series.unit === 'bool' ? { stepped: true, dash: [2, 2] } : {}),
    })
  }
  const first = ratios[0] ?? others[0]
  return [
    {
      title: 'Load generator saturation',
      unit: first.unit,
      caption:
        'The load generator’s own health per window (the highest sample of each): event-loop utilisation, ' +
        'event-loop lag, and how late iterations started. Near 100% utilisation or a rising lateness means the ' +
        'generator, not the service, was the limit: those windows do not count against the service.',
      spec: {
        id: frame.id('generator'),
        xKind: 'time',
        x: frame.xTime,
        y: ratios.length
          ? { unit: 'ratio', label: 'utilisation', min: 0, max: 1 }
          : { unit: first.unit, label: first.label, min: 0 },
        ...(useY2 ? { y2: { unit: others[0].unit, label: others[0].unit, min: 0 } } : {}),
        lines,
        phases: true,
        markers: frame.markers,
      },
    },
  ]
}

/** A colour per indicator by what it measures; the rest take the palette's spare colours in turn. */
function colorsByMeaning(): (g: Indicator) => string {
  const spare = [...COLORS.palette.slice(2)]
  return (g) =>
    /utili[sz]ation/.test(g.series.name)
      ? COLORS.elu
      : g.series.unit === 'bool'
        ? COLORS.errors
        : /lag/.test(g.series.name)
          ? COLORS.lag
          : /late/.test(g.series.name)
            ? COLORS.late
            : (spare.shift() ?? '#666666')
}
