/**
 * Writes `docs/cli.md`, the CLI reference, from the commands' own
 * definitions: it walks `createProgram()` of @steady/cli — every command and
 * subcommand, its arguments, options, description and the text its `--help`
 * prints after the options — so the reference cannot drift from the CLI.
 * `test/cli-reference.test.ts` regenerates it in memory and fails when the
 * committed file differs.
 *
 *   npx tsx --conditions=steady-source scripts/gen-cli-reference.ts          write docs/cli.md
 *   npx tsx --conditions=steady-source scripts/gen-cli-reference.ts --check  exit 1 if it is out of date
 */
import { isScript, md, writeOrCheck } from './generated-file.ts'
import type { EventEmitter } from 'node:events'
import type { Command, Help, Option, Argument } from 'commander'
import { createProgram, loadCommands, type CliContext } from '@steady/cli'
import { SteadyError } from '@steady/record'

/** Every command's registration, loaded once (commands load lazily in the CLI itself). */
const allCommands = await loadCommands()

/** Where the reference lives, relative to the repo root. */
export const CLI_REFERENCE_PATH = 'docs/cli.md'

/** The program as `steady` builds it, with a context that never runs anything (only definitions are read). */
export function referenceProgram(): Command {
  const ctx: CliContext = {
    cwd: process.cwd(),
    out: () => {},
    err: () => {},
    isTTY: false,
    color: false,
    signal: new AbortController().signal,
    env: {},
    config: () => Promise.reject(new SteadyError('STEADY_USAGE', 'the CLI reference generator loads no config')),
  }
  return createProgram(ctx, () => {}, allCommands)
}

/** The full name as typed: `steady env up`. */
function fullName(cmd: Command): string {
  const names: string[] = []
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

/** GitHub's heading anchor for a heading text. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-')
}

/** What a command prints before and after its generated help (`addHelpText`). */
function extraHelp(cmd: Command, position: 'before' | 'after'): string {
  let text = ''
  // addHelpText() registers listeners for these events (commander's Command is an EventEmitter; its types do not say so).
  ;(cmd as unknown as EventEmitter).emit(`${position}Help`, {
    error: false,
    command: cmd,
    write: (s: string) => void (text += s),
  })
  return text.replace(/^\s*\n/, '').replace(/\s+$/, '')
}

function defaultOf(option: Option): string {
  if (option.defaultValueDescription) return option.defaultValueDescription
  const v: unknown = option.defaultValue
  if (v === undefined || (Array.isArray(v) && v.length === 0) || (option.negate && v === true)) return ''
  return JSON.stringify(v)
}

function optionRows(help: Help, cmd: Command): string[] {
  const rows = help.visibleOptions(cmd).map((o) => {
    const notes: string[] = []
    if (o.mandatory) notes.push('required')
    if (o.argChoices) notes.push(`one of ${o.argChoices.map((c) => `\`${c}\``).join(', ')}`)
    const d = defaultOf(o)
    if (d) notes.push(`default \`${d}\``)
    if (o.variadic) notes.push('repeatable')
    return `| \`${o.flags}\` | ${md(o.description)}${notes.length ? ` (${notes.join('; ')})` : ''} |`
  })
  return rows.length ? ['| option | description |', '|---|---|', ...rows] : []
}

function argumentRows(help: Help, cmd: Command): string[] {
  const args: readonly Argument[] = help.visibleArguments(cmd)
  const rows = args.map((a) => {
    const shown = `${a.required ? '<' : '['}${a.name()}${a.variadic ? '...' : ''}${a.required ? '>' : ']'}`
    const notes: string[] = []
    if (a.argChoices) notes.push(`one of ${a.argChoices.map((c) => `\`${c}\``).join(', ')}`)
    if (a.defaultValue !== undefined)
      notes.push(`default \`${a.defaultValueDescription ?? JSON.stringify(a.defaultValue)}\``)
    return `| \`${shown}\` | ${md(a.description)}${notes.length ? ` (${notes.join('; ')})` : ''} |`
  })
  return rows.length ? ['| argument | description |', '|---|---|', ...rows] : []
}

function walk(cmd: Command, out: Command[] = []): Command[] {
  for (const sub of cmd.commands) {
    out.push(sub)
    walk(sub, out)
  }
  return out
}

function section(help: Help, cmd: Command): string[] {
  const name = fullName(cmd)
  const lines = [`## ${name}`, '', md(cmd.description()), '', '```text', `Usage: ${help.commandUsage(cmd)}`, '```', '']
  const before = extraHelp(cmd, 'before')
  if (before) lines.push('```text', before, '```', '')
  if (cmd.commands.length) {
    lines.push('| subcommand | what it does |', '|---|---|')
    for (const sub of cmd.commands)
      lines.push(`| [\`${fullName(sub)}\`](#${anchor(fullName(sub))}) | ${md(sub.description())} |`)
    lines.push('')
  }
  const args = argumentRows(help, cmd)
  if (args.length) lines.push(...args, '')
  const opts = optionRows(help, cmd)
  if (opts.length) lines.push(...opts, '')
  const after = extraHelp(cmd, 'after')
  if (after) lines.push('```text', after, '```', '')
  return lines
}

/** The whole reference as Markdown, from `program` (default: steady's own). */
export function renderCliReference(program: Command = referenceProgram()): string {
  const help = program.createHelp()
  const commands = walk(program)
  const lines = [
    '# steady command-line reference',
    '',
    "<!-- Generated by scripts/gen-cli-reference.ts from the commands' own definitions. Do not edit: run `npm run docs:cli`. -->",
    '',
    md(program.description()),
    '',
    'Every command prints this with `--help`. Errors print one line of what went wrong and one line of what to do.',
    '',
    '| exit code | meaning (every command) |',
    '|---|---|',
    '| 0 | done, and the gate or run passed |',
    '| 1 | done, and the gate or run failed (a scenario failed, a verdict is negative) |',
    '| 2 | could not do it: usage, config, scenario load error, unreadable input |',
    '| 3 | inconclusive (no or too little baseline, incomparable runs, too little data, a saturated load generator) |',
    '| 130, 143 | interrupted by SIGINT or SIGTERM, after writing what it had |',
    '',
    '```text',
    `Usage: ${help.commandUsage(program)}`,
    '```',
    '',
    ...optionRows(help, program),
    '',
    '## Commands',
    '',
    '| command | what it does |',
    '|---|---|',
    ...commands.map((c) => `| [\`${fullName(c)}\`](#${anchor(fullName(c))}) | ${md(c.description())} |`),
    '',
  ]
  for (const c of commands) lines.push(...section(help, c))
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/\n*$/, '\n')
}

// ── checking `steady ...` commands written in docs and workflows ───────────
// The docs tests (test/workflow.test.ts, test/guides.test.ts) use these to
// check every command they show against the same definitions.

/** Shell words of one simple command (quotes removed, variables kept as text), up to an unquoted `#` comment. */
function words(segment: string): string[] {
  const out: string[] = []
  for (const m of segment.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s"'\\]|\\.)+)/g)) {
    if (m[3]?.startsWith('#')) break
    out.push(m[1] ?? m[2] ?? m[3])
  }
  return out
}

/** Every `steady ...` invocation in a script: after `npx`, `npx --no-install`, or as the first word. */
export function steadyInvocations(script: string): string[][] {
  const found: string[][] = []
  const joined = script.replace(/\\\n/g, ' ')
  for (const line of joined.split('\n')) {
    // Split simple commands at operators outside quotes (good enough for these scripts).
    const segments = line.split(/&&|\|\||;|\|(?!\|)/)
    for (const segment of segments) {
      const w = words(segment)
      let i = 0
      if (w[i] === 'npx') {
        i++
        while (w[i]?.startsWith('-')) i++
      }
      if (w[i] !== 'steady') continue
      const args: string[] = []
      for (const t of w.slice(i + 1)) {
        if (/^(\d?>>?|<|\d?>&\d)/.test(t)) break
        args.push(t)
      }
      found.push(args)
    }
  }
  return found
}

/** An option of `cmd` or of a command above it (commander accepts those after the subcommand too). */
function findOption(cmd: Command, name: string): Option | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.options.find((x) => x.long === name || x.short === name)
    if (o) return o
  }
  return undefined
}

/** Problems with one `steady` invocation against the CLI's definitions (empty when it would parse). */
export function checkInvocation(program: Command, args: string[]): string[] {
  const problems: string[] = []
  let cmd = program
  let i = 0
  for (;;) {
    const sub = cmd.commands.find((c) => c.name() === args[i] || c.aliases().includes(args[i]))
    if (!sub) break
    cmd = sub
    i++
  }
  const name = ['steady', ...args.slice(0, i)].join(' ')
  if (cmd === program)
    return [
      `steady ${args[0] ?? ''}: not a command of the CLI (known: ${program.commands.map((c) => c.name()).join(', ')})`,
    ]
  if (cmd.commands.length && i === args.length)
    problems.push(`${name}: needs a subcommand (${cmd.commands.map((c) => c.name()).join(', ')})`)
  const positional: string[] = []
  const seen = new Set<Option>()
  for (; i < args.length; i++) {
    const t = args[i]
    if (t === '--') {
      positional.push(...args.slice(i + 1))
      break
    }
    if (/^-[A-Za-z]$|^--[A-Za-z]/.test(t)) {
      const [flag, inline] = t.split(/=(.*)/s, 2)
      if (flag === '--help' || flag === '-h') continue
      const o = findOption(cmd, flag)
      if (!o) {
        problems.push(`${name}: unknown option ${flag}`)
        continue
      }
      seen.add(o)
      if (o.required && inline === undefined) {
        if (i + 1 >= args.length) problems.push(`${name}: ${flag} needs a value`)
        i++
      } else if (o.optional && inline === undefined && i + 1 < args.length && !args[i + 1].startsWith('-')) {
        i++
      }
      continue
    }
    positional.push(t)
  }
  for (const o of cmd.options)
    if (o.mandatory && !seen.has(o)) problems.push(`${name}: missing required option ${o.long}`)
  const declared = cmd.registeredArguments
  const min = declared.filter((a) => a.required).length
  const max = declared.some((a) => a.variadic) ? Infinity : declared.length
  if (positional.length < min)
    problems.push(
      `${name}: needs ${min} argument(s) (${declared.map((a) => a.name()).join(', ')}), got ${positional.length}`,
    )
  if (positional.length > max) problems.push(`${name}: takes at most ${max} argument(s), got ${positional.join(' ')}`)
  return problems
}

if (isScript(import.meta.url)) await writeOrCheck(CLI_REFERENCE_PATH, renderCliReference(), 'npm run docs:cli')
