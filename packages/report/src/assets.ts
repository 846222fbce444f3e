/**
 * uPlot, read from its installed package at render time and inlined, so the
 * report needs no network and no file beside it. Read once per process.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { SteadyError } from '@steady/record'

export interface Assets {
  /** uPlot's minified browser build (defines the global `uPlot`). */
  uplotJs: string
  /** uPlot's stylesheet. */
  uplotCss: string
  /** uPlot's version, named in the report's footer. */
  uplotVersion: string
}

let cached: Assets | undefined

/** Loads uPlot's browser build and stylesheet from `node_modules`. */
export function loadAssets(): Assets {
  if (cached) return cached
  const require = createRequire(import.meta.url)
  let js: string
  let css: string
  let version: string
  try {
    js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8')
    css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8')
    version = (JSON.parse(readFileSync(require.resolve('uplot/package.json'), 'utf8')) as { version: string }).version
  } catch (error) {
    throw new SteadyError(
      'STEADY_REPORT_ASSETS',
      `cannot read uPlot, which the report inlines: ${(error as Error).message}`,
      {
        hint: 'reinstall the package (npm install @steady/report): its dependency uplot is missing',
        cause: error,
      },
    )
  }
  // A literal "</script" inside the library would end the inline element early.
  js = js.replace(/<\/(script)/gi, '<\\/$1')
  css = css.replace(/<\/(style)/gi, '<\\/$1')
  cached = { uplotJs: js, uplotCss: css, uplotVersion: version }
  return cached
}
